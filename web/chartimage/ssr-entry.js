// ssr-entry.js is the ECharts build the server runs inside goja (package
// chartimage): only the chart types and components the playground's
// options use, and ECharts' SVG renderer in its server-side mode. It
// exposes one global, renderChart, which chartimage calls per image.
//
// Built by build-ssr.mjs at `make assets` time into ssr.gen.js (gitignored,
// embedded by chartimage.go).
import * as echarts from "echarts/core";
import { LineChart, BarChart, HeatmapChart, ScatterChart } from "echarts/charts";
import {
  GridComponent,
  TitleComponent,
  LegendComponent,
  VisualMapComponent,
  MarkLineComponent,
  MarkPointComponent,
} from "echarts/components";
import { SVGRenderer } from "echarts/renderers";

echarts.use([
  LineChart, BarChart, HeatmapChart, ScatterChart,
  GridComponent, TitleComponent, LegendComponent, VisualMapComponent,
  MarkLineComponent, MarkPointComponent,
  SVGRenderer,
]);

// measureText, when the host supplies one (globalThis.measureTextWidth),
// gives ECharts real font metrics instead of its per-character estimate.
if (typeof globalThis.measureTextWidth === "function") {
  echarts.setPlatformAPI({
    measureText(text, font) {
      return { width: globalThis.measureTextWidth(String(text), String(font || "")) };
    },
  });
}

// renderChart draws one ECharts option (a JSON string) at width×height
// and returns the SVG document.
globalThis.renderChart = function renderChart(optionJSON, width, height) {
  const option = JSON.parse(optionJSON);
  // Nothing that only works under a pointer: no toolbox, no tooltip.
  // (The visualMap's handles stay: they label the colour scale's ends.)
  delete option.toolbox;
  delete option.tooltip;
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
};
