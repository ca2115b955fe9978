// The core first: importing it puts all of the core in one chunk (esbuild
// splits by which entries reach a module, and every part reaches the core).
import "../echarts.js";
import "echarts/lib/chart/scatter.js";
