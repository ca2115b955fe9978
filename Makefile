# Loss Playground. `make run` serves on 127.0.0.1:8080; `make test` runs every test.
.PHONY: run test assets fixtures templ bench check-generated

run: assets
	go run ./cmd/playground

test: assets
	@command -v chromium >/dev/null 2>&1 || echo '*** chromium not found: the browser tests will be SKIPPED (apt-get install chromium) ***' >&2
	go vet ./...
	go test ./...
	@command -v chromium >/dev/null 2>&1 || echo '*** reminder: the browser tests were SKIPPED (no chromium) ***' >&2

# The pages' ES modules (web/ui) are bundled by esbuild with the parts of
# ECharts they use into content-hashed files in web/static/dist, and KaTeX's
# stylesheet and fonts are copied into web/static/vendor (web/build.mjs); the
# binary embeds both. The libraries come from npm, pinned by
# web/package-lock.json; npm ci runs again only when the lockfile changed.
UI_SOURCES := $(shell find web/ui -name '*.js' 2>/dev/null)

assets: web/static/dist/manifest.json

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --silent
	touch $@

web/static/dist/manifest.json: web/node_modules/.package-lock.json web/build.mjs $(UI_SOURCES)
	cd web && node build.mjs

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
