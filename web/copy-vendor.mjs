// copy-vendor.mjs copies the front-end libraries the pages use from
// node_modules (installed by `npm ci`, pinned by package-lock.json) into
// static/vendor, which the Go binary embeds. Run from web/: `node copy-vendor.mjs`.
//
// KaTeX's script is not served: package formula (web/formula) runs it on
// the server to typeset every formula, so it goes to formula/vendor, which
// that package embeds. The pages get KaTeX's stylesheet and fonts only.
//
// KaTeX's stylesheet lists each font as woff2, woff and ttf; every browser
// the playground supports takes woff2, so only those are copied and the
// stylesheet is trimmed to name them alone (web/assets.go then rewrites the
// font URLs to content-hashed ones).
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const out = "static/vendor";
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "fonts"), { recursive: true });

copyFileSync("node_modules/echarts/dist/echarts.min.js", join(out, "echarts.min.js"));
copyFileSync("node_modules/katex/dist/katex.min.js", "formula/vendor/katex.min.js");

const css = readFileSync("node_modules/katex/dist/katex.min.css", "utf8")
  .replace(/,url\(fonts\/[^)]+\.woff\) format\("woff"\)/g, "")
  .replace(/,url\(fonts\/[^)]+\.ttf\) format\("truetype"\)/g, "");
writeFileSync(join(out, "katex.min.css"), css);

let fonts = 0;
for (const f of readdirSync("node_modules/katex/dist/fonts")) {
  if (f.endsWith(".woff2")) {
    copyFileSync(join("node_modules/katex/dist/fonts", f), join(out, "fonts", f));
    fonts++;
  }
}
console.log(`copy-vendor: echarts, katex.min.css and ${fonts} fonts copied to ${out}, katex.min.js to formula/vendor`);
