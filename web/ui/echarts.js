// The ECharts the pages use, and nothing more. The core draws what every
// chart page needs at once (line and bar charts on a grid, titles, mark
// points and lines, the canvas renderer); the rest comes in parts, loaded
// when an option or the student needs them:
//
//	heatmap     heatmap series with their continuous visualMap (CTC's lattice, 2-d terms)
//	scatter     scatter series
//	legend      a shown legend (overlays, comparisons)
//	interaction tooltip and toolbox, on the first pointer or focus on a chart
//	svg         the SVG renderer, for "SVG" downloads
//
// A chart type or component that web/charts or web/compare starts to use
// must be added here or to a part (the browser tests draw every chart of
// every page).
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, MarkLineComponent, MarkPointComponent, TitleComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, GridComponent, MarkLineComponent, MarkPointComponent, TitleComponent, CanvasRenderer]);

// For tests and the curious, as with the full build.
window.echarts = echarts;

const loaders = {
  heatmap: () => import("./echarts-parts/heatmap.js"),
  scatter: () => import("./echarts-parts/scatter.js"),
  legend: () => import("./echarts-parts/legend.js"),
  interaction: () => import("./echarts-parts/interaction.js"),
  svg: () => import("./echarts-parts/svg.js"),
};
const loading = {};
const loaded = {};

// need loads a part; the promise resolves once it is registered.
export function need(part) {
  if (!loading[part]) loading[part] = loaders[part]().then(() => { loaded[part] = true; });
  return loading[part];
}

export function has(part) { return !!loaded[part]; }

const list = (v) => (v == null ? [] : Array.isArray(v) ? v : [v]);

// partsFor lists the parts an option needs before it can be drawn.
export function partsFor(opt) {
  const out = [];
  const series = list(opt.series);
  if (opt.visualMap || series.some((s) => s.type === "heatmap")) out.push("heatmap");
  if (series.some((s) => s.type === "scatter")) out.push("scatter");
  if (list(opt.legend).some((l) => l.show !== false)) out.push("legend");
  return out;
}

export { echarts };
