// build.mjs bundles the pages' ES modules (ui/) with the parts of ECharts
// they import, from node_modules (installed by `npm ci`, pinned by
// package-lock.json), into static/dist, which the Go binary embeds; copies
// KaTeX's stylesheet and fonts into static/vendor, and KaTeX's script into
// ../formula/vendor for the server. Run from web/:
// `node build.mjs` (`make assets` does).
//
// One entry per kind of page; code two entries share (ECharts, the theme)
// is split into chunks, so a browser that has the loss page's chunks
// cached loads only the small compare entry on a comparison page. Every
// output file name carries a hash of its content (the Go server serves
// static/dist under those names, immutable), and static/dist/manifest.json
// maps each entry to its file and the chunks it imports, which pages
// preload. Adding a page module: add it to `entries`.
//
// KaTeX's stylesheet lists each font as woff2, woff and ttf; every browser
// the playground supports takes woff2, so only those are copied and the
// stylesheet is trimmed to name them alone (web/assets.go then rewrites the
// font URLs to content-hashed ones).
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import * as esbuild from "esbuild";
import { gzipAsync } from "@gfx/zopfli";

const entries = {
  site: "ui/site.js",       // every page: theme, large type, header links
  catalog: "ui/catalog.js", // the catalog: filter, thumbnails
  loss: "ui/loss-page.js",  // a loss page and its embed
  compare: "ui/compare-page.js", // the comparison pages
  teach: "ui/teach-page.js", // a class's private teacher view
  projector: "ui/projector-page.js", // a class's projector view
  compose: "ui/compose-page.js", // the composer (/compose)
  // A student's class page that is not a loss page (waiting, or an error
  // the class's state led to). A loss page in a class loads the class's
  // modules (ui/class-*.js) with import(), so that a loss page outside a
  // class ships no class code.
  class: "ui/class-page.js",
};

const dist = "static/dist";
rmSync(dist, { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: entries,
  outdir: dist,
  bundle: true,
  splitting: true,
  format: "esm",
  minify: true,
  target: ["es2020"],
  entryNames: "[name]-[hash]",
  chunkNames: "chunk-[hash]",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});

// Two scripts stand apart from the bundles, each whole in one file and
// minified alone: boot.js, the classic script every page runs in <head>
// before its first paint (so not a module), and lessons.js, the question
// widgets, a module that imports nothing.
const standalone = {
  boot: { entry: "ui/boot.js" },
  lessons: { entry: "ui/lessons.js", format: "esm" },
};
const single = await Promise.all(Object.entries(standalone).map(([name, s]) => esbuild.build({
  entryPoints: { [name]: s.entry },
  outdir: dist,
  format: s.format,
  minify: true,
  target: ["es2020"],
  entryNames: "[name]-[hash]",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
})));

const manifest = {};
const all = { ...entries, ...Object.fromEntries(Object.entries(standalone).map(([k, s]) => [k, s.entry])) };
const outputs = Object.assign({}, result.metafile.outputs, ...single.map((r) => r.metafile.outputs));
for (const [file, out] of Object.entries(outputs)) {
  if (!out.entryPoint) continue;
  const name = Object.keys(all).find((k) => all[k] === out.entryPoint);
  if (!name) continue;
  manifest[name] = {
    file: relative(dist, file),
    imports: out.imports.filter((i) => i.kind === "import-statement").map((i) => relative(dist, i.path)),
  };
}
writeFileSync(join(dist, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");

// Every bundle over 1 KB is gzipped here, once, with Zopfli: its output is
// plain gzip that every browser reads, about 4% smaller than gzip -9 (or Go's
// BestCompression, which the server would otherwise use at start-up), paid
// at build time. The server sends file.js.gz for file.js to clients that
// accept gzip (web/assets.go checks that it decodes to file.js). 5
// iterations instead of Zopfli's default 15: 85 bytes more on a loss page
// (190,685 against 190,600), and `make assets` (run by `make test`) takes
// 4 s instead of 10.
const bundles = Object.keys(outputs).filter((f) => f.endsWith(".js"));
await Promise.all(bundles.map(async (f) => {
  const body = readFileSync(f);
  if (body.length <= 1024) return;
  writeFileSync(f + ".gz", await gzipAsync(body, { numiterations: 5 }));
}));

// KaTeX's script is not served: package formula (formula/, beside web/) runs it on
// the server to typeset every formula, so it goes to ../formula/vendor, which
// that package embeds. The pages get KaTeX's stylesheet and fonts only.
const vendor = "static/vendor";
rmSync(vendor, { recursive: true, force: true });
mkdirSync(join(vendor, "fonts"), { recursive: true });
copyFileSync("node_modules/katex/dist/katex.min.js", "../formula/vendor/katex.min.js");
const css = readFileSync("node_modules/katex/dist/katex.min.css", "utf8")
  .replace(/,url\(fonts\/[^)]+\.woff\) format\("woff"\)/g, "")
  .replace(/,url\(fonts\/[^)]+\.ttf\) format\("truetype"\)/g, "");
writeFileSync(join(vendor, "katex.min.css"), css);
let fonts = 0;
for (const f of readdirSync("node_modules/katex/dist/fonts")) {
  if (f.endsWith(".woff2")) {
    copyFileSync(join("node_modules/katex/dist/fonts", f), join(vendor, "fonts", f));
    fonts++;
  }
}

const sizes = Object.entries(outputs).map(([f, o]) => `${relative(dist, f)} ${(o.bytes / 1024).toFixed(0)} KB`);
console.log(`build: ${sizes.length} bundles in ${dist} (${sizes.join(", ")}); katex css and ${fonts} fonts in ${vendor}, katex.min.js in ../formula/vendor`);
