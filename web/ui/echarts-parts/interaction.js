import "echarts/lib/component/tooltip.js";
import "echarts/lib/component/toolbox.js";
