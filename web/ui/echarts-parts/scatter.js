import { use } from "echarts/core";
import { ScatterChart } from "echarts/charts";

use([ScatterChart]);
