// build-ssr.mjs bundles ssr-entry.js with esbuild (pinned by
// web/package-lock.json) into ssr.gen.js, a single script goja can run:
// no modules, no Node APIs. Run from web/: `node chartimage/build-ssr.mjs`.
import { build } from "esbuild";

await build({
  entryPoints: ["chartimage/ssr-entry.js"],
  outfile: "chartimage/ssr.gen.js",
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2017",
  platform: "neutral",
  mainFields: ["module", "main"],
  // ECharts reads process.env.NODE_ENV for its development checks.
  define: { "process.env.NODE_ENV": "\"production\"" },
  legalComments: "none",
  logLevel: "warning",
});
console.log("build-ssr: chartimage/ssr.gen.js written");
