import { use } from "echarts/core";
import { ToolboxComponent, TooltipComponent } from "echarts/components";

use([ToolboxComponent, TooltipComponent]);
