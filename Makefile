# Loss Playground. `make run` serves on 127.0.0.1:8080; `make test` runs every test.
.PHONY: run test assets fixtures templ bench check-generated

run: assets
	go run ./cmd/playground

test: assets
	@command -v chromium >/dev/null 2>&1 || echo '*** chromium not found: the browser tests will be SKIPPED (apt-get install chromium) ***' >&2
	go vet ./...
	go test ./...
	@command -v chromium >/dev/null 2>&1 || echo '*** reminder: the browser tests were SKIPPED (no chromium) ***' >&2

# Front-end libraries (echarts, katex) come from npm, pinned by web/package-lock.json,
# and are copied into web/static/vendor, which the binary embeds; KaTeX's script goes
# to web/formula/vendor instead (the server typesets formulas with it, in goja).
# npm ci runs again only when the lockfile changed since the last install.
assets: web/static/vendor/echarts.min.js web/formula/vendor/katex.min.js web/chartimage/ssr.gen.js

# A tree whose static/vendor predates the KaTeX copy gets it from node_modules.
web/formula/vendor/katex.min.js: web/static/vendor/echarts.min.js
	cp web/node_modules/katex/dist/katex.min.js $@

web/static/vendor/echarts.min.js: web/package-lock.json web/copy-vendor.mjs
	cd web && npm ci --no-audit --no-fund --silent && node copy-vendor.mjs
	touch $@

# The server-side ECharts build (chart images, web/chartimage): ECharts'
# SVG renderer bundled by esbuild into one script that goja runs.
web/chartimage/ssr.gen.js: web/static/vendor/echarts.min.js web/chartimage/ssr-entry.js web/chartimage/build-ssr.mjs
	cd web && node chartimage/build-ssr.mjs

# Golden fixtures from PyTorch (needs Debian's python3-torch).
fixtures:
	/usr/bin/python3 engine/testdata/gen/generate.py

templ:
	go tool templ generate -path web

bench:
	go test -run '^$$' -bench . -benchmem ./engine ./web

# Fails if regenerating templ output changes anything committed.
check-generated: templ
	git diff --exit-code -- '*_templ.go'
