import { use } from "echarts/lib/extension.js";
import { install as SVGRenderer } from "echarts/lib/renderer/installSVGRenderer.js";

use([SVGRenderer]);
