# Loss Playground. `make run` serves on 127.0.0.1:8080; `make test` runs every test.
.PHONY: run test assets fixtures templ bench check-generated classload dist image test-image

run: assets
	go run ./cmd/playground

test: assets
	@command -v chromium-headless-shell >/dev/null 2>&1 || command -v chromium >/dev/null 2>&1 || echo '*** no Chromium found: the browser tests will be SKIPPED (apt-get install chromium-headless-shell) ***' >&2
	@command -v caddy >/dev/null 2>&1 || echo '*** caddy not found: the deploy test (deploy/) will be SKIPPED (apt-get install caddy) ***' >&2
	@[ -x /usr/sbin/nginx ] || echo '*** nginx not found: the deploy test will not try the nginx site (apt-get install nginx) ***' >&2
	# -vet=all: every go vet check, in the same build as the tests rather
	# than a go vet run of its own before them (12 s on a fresh clone).
	# ./web first: go builds and runs in the order packages are named, and
	# web's browser tests take longest, so they start first and the rest
	# run beside them.
	# One package may take minutes on a loaded machine (web's browser tests):
	# a generous timeout, so a slow day is not a failure.
	go test -vet=all -timeout 30m -skip '^TestAttacks$$' ./web ./...
	# The attack suite holds a real server to time bounds (/healthz under 1 s),
	# so it runs alone rather than beside the browser tests.
	go test -vet=all -run '^TestAttacks$$' ./cmd/playground
	@command -v chromium-headless-shell >/dev/null 2>&1 || command -v chromium >/dev/null 2>&1 || echo '*** reminder: the browser tests were SKIPPED (no Chromium) ***' >&2
	@command -v caddy >/dev/null 2>&1 || echo '*** reminder: the deploy test was SKIPPED (no caddy) ***' >&2

# The pages' ES modules (web/ui) are bundled by esbuild with the parts of
# ECharts they use into content-hashed files in web/static/dist, KaTeX's
# stylesheet and fonts are copied into web/static/vendor, and KaTeX's script
# into formula/vendor (the server typesets formulas with it, in goja):
# web/build.mjs. The binary embeds all three. The libraries come from npm,
# pinned by web/package-lock.json; npm ci runs again only when the lockfile
# changed since the last install.
UI_SOURCES := $(shell find web/ui -name '*.js' 2>/dev/null)

assets: web/static/dist/manifest.json formula/vendor/katex.min.js web/chartimage/ssr.gen.js

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --silent
	touch $@

web/static/dist/manifest.json: web/node_modules/.package-lock.json web/build.mjs $(UI_SOURCES)
	cd web && node build.mjs

# build.mjs writes it; a tree built before it did gets it from node_modules.
formula/vendor/katex.min.js: web/static/dist/manifest.json
	cp web/node_modules/katex/dist/katex.min.js $@

# The server-side ECharts build (chart images, web/chartimage): ECharts'
# SVG renderer bundled by esbuild into one script that goja runs.
web/chartimage/ssr.gen.js: web/node_modules/.package-lock.json web/chartimage/ssr-entry.js web/chartimage/build-ssr.mjs
	cd web && node chartimage/build-ssr.mjs

# Release binaries: one static binary per GOOS/GOARCH in PLATFORMS, with
# every page, script, font and formula embedded, so that it runs alone (no
# Node, no files beside it). `playground -version` prints VERSION and the
# commit. dist/SHA256SUMS lists them.
PLATFORMS ?= linux/amd64 linux/arm64
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo +dirty)

dist: assets
	@rm -rf dist && mkdir -p dist
	@set -e; for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ "$$os" = windows ] && ext=.exe; \
		out=dist/playground-$(VERSION)-$$os-$$arch$$ext; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch go build -trimpath \
			-ldflags "-s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)" -o $$out ./cmd/playground; \
		echo "$$out $$(du -h $$out | cut -f1)"; \
	done
	cd dist && sha256sum playground-* > SHA256SUMS

# A container image (podman) of the linux/amd64 binary: deploy/Containerfile.
image:
	$(MAKE) dist PLATFORMS=linux/amd64
	podman build -f deploy/Containerfile --build-arg BINARY=playground-$(VERSION)-linux-amd64 \
		-t playground:$(VERSION) dist/

# Builds the image from the sources and runs it (deploy/container_test.go).
test-image: assets
	LOSS_PLAYGROUND_TEST_IMAGE=1 go test -count=1 -run '^TestContainerImage$$' -v ./deploy

# Golden fixtures from PyTorch (needs Debian's python3-torch).
fixtures:
	/usr/bin/python3 engine/testdata/gen/generate.py
	/usr/bin/python3 engine/testdata/gen/generate.py --float32

templ:
	go tool templ generate -path web

bench:
	go test -run '^$$' -bench . -benchmem ./engine ./web

# A class under load: a teacher driving 30 changes/s for 10 s, 300 students, on one
# replica and on two sharing NATS (cmd/classload).
classload: assets
	go run ./cmd/classload

# Fails if regenerating templ output changes anything committed.
check-generated: templ
	git diff --exit-code -- '*_templ.go'
