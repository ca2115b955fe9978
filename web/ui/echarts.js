// The ECharts the pages use, and nothing more. The core draws what every
// chart page needs at once (line and bar charts on a grid, titles,
// legends, mark points and lines, the canvas renderer); the rest comes in
// parts, loaded when an option or the student needs them:
//
//	heatmap     heatmap series with their continuous visualMap (CTC's lattice, 2-d terms)
//	scatter     scatter series
//	interaction tooltip and toolbox, on the first pointer or focus on a chart
//	svg         the SVG renderer, for "SVG" downloads
//
// Legends are in the core: every loss page's charts show one, so a part
// for them was one more request on every first view, for the same bytes.
//
// A chart type or component that charts or web/compare starts to use
// must be added here or to a part (the browser tests draw every chart of
// every page).
// Deep imports, each registering itself: ECharts' barrel modules
// (echarts/core's API helpers, echarts/charts, echarts/components) would
// add code no page uses and tie every part to the core chunk when esbuild
// splits the bundle.
import { getInstanceByDom, init } from "echarts/lib/core/echarts.js";
import { use } from "echarts/lib/extension.js";
import "echarts/lib/chart/line.js";
import "echarts/lib/chart/bar.js";
import "echarts/lib/component/gridSimple.js";
import "echarts/lib/component/title.js";
import "echarts/lib/component/markPoint.js";
import "echarts/lib/component/markLine.js";
import "echarts/lib/component/legendPlain.js";
import { install as CanvasRenderer } from "echarts/lib/renderer/installCanvasRenderer.js";

use([CanvasRenderer]);

// echarts is what the modules call: init, getInstanceByDom and use.
const echarts = { init, getInstanceByDom, use };

// For tests and the curious, as with the full build.
window.echarts = echarts;

const loaders = {
  heatmap: () => import("./echarts-parts/heatmap.js"),
  scatter: () => import("./echarts-parts/scatter.js"),
  interaction: () => import("./echarts-parts/interaction.js"),
  svg: () => import("./echarts-parts/svg.js"),
};
const loading = {};
const loaded = {};

// need loads a part; the promise resolves once it is registered.
export function need(part) {
  if (!loading[part]) loading[part] = load(part, firstRetryMs);
  return loading[part];
}

// A part that fails to arrive (the server restarting, a classroom's Wi-Fi
// dropping) is asked for again, less often each time, rather than
// leaving the charts that wait for it blank until the page is reloaded.
const firstRetryMs = 1000;
const lastRetryMs = 30000;

function load(part, wait) {
  return loaders[part]().then(
    () => { loaded[part] = true; },
    () => new Promise((resolve) => setTimeout(resolve, wait)).then(() => load(part, Math.min(2 * wait, lastRetryMs))),
  );
}

export function has(part) { return !!loaded[part]; }

const list = (v) => (v == null ? [] : Array.isArray(v) ? v : [v]);

// partsFor lists the parts an option needs before it can be drawn.
export function partsFor(opt) {
  const out = [];
  const series = list(opt.series);
  if (opt.visualMap || series.some((s) => s.type === "heatmap")) out.push("heatmap");
  if (series.some((s) => s.type === "scatter")) out.push("scatter");
  return out;
}

export { echarts };
