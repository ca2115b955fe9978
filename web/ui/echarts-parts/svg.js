// The core first: importing it puts all of the core in one chunk (esbuild
// splits by which entries reach a module, and every part reaches the core).
import "../echarts.js";
import { use } from "echarts/lib/extension.js";
import { install as SVGRenderer } from "echarts/lib/renderer/installSVGRenderer.js";

use([SVGRenderer]);
