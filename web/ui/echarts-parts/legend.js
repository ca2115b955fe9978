import "echarts/lib/component/legendPlain.js";
