import "echarts/lib/chart/scatter.js";
