import { use } from "echarts/core";
import { HeatmapChart } from "echarts/charts";
import { VisualMapContinuousComponent } from "echarts/components";

use([HeatmapChart, VisualMapContinuousComponent]);
