import "echarts/lib/chart/heatmap.js";
import "echarts/lib/component/visualMapContinuous.js";
