# pinaccess — build, test and benchmark. `make test` is what CI runs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
CHROME_PATH ?= $(shell command -v chromium || command -v chromium-browser || command -v google-chrome || true)
export CHROME_PATH

.PHONY: all build run generate templ css node_modules check-generated vet test test-short chromium screenshots bench clean

all: build

build:
	$(GO) build -o bin/pinaccess ./cmd/pinaccess

run:
	$(GO) run ./cmd/pinaccess

## generate: regenerate templ components and the CSS/htmx bundle in place.
generate: templ css

templ:
	$(GO) tool templ generate

node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch node_modules

css: node_modules
	npm run --silent build

## check-generated: fail when templ or the CSS build would change committed files.
check-generated: node_modules
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(GO) tool templ generate >/dev/null 2>&1 || { echo "templ generate failed"; exit 1; }; \
	stale=$$(git status --porcelain -- '*_templ.go'); \
	if [ -n "$$stale" ]; then echo "$$stale"; \
		echo "generated *_templ.go files differ from their .templ sources: commit what 'make templ' wrote"; exit 1; fi; \
	npx --no-install tailwindcss -c tailwind.config.js -i web/styles/app.css -o "$$tmp/app.css" --minify >/dev/null 2>&1; \
	if ! cmp -s "$$tmp/app.css" static/app.css; then \
		echo "static/app.css is stale: run 'make css' and commit it"; exit 1; fi; \
	if ! cmp -s node_modules/htmx.org/dist/htmx.min.js static/htmx.min.js; then \
		echo "static/htmx.min.js differs from the htmx.org package: run 'make css' and commit it"; exit 1; fi; \
	echo "generated files are up to date"

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$')); \
	if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	$(GO) vet ./...

## chromium: make sure a Chromium for the browser tests exists (installs Debian's package when it can).
chromium:
	@if [ -n "$(CHROME_PATH)" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null 2>&1; then \
		echo "Chromium not found: installing Debian's chromium package for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "The browser tests need Chromium: install it (e.g. 'apt-get install chromium') or set CHROME_PATH"; exit 1; \
	fi

test: check-generated vet chromium
	CHROME_PATH=$${CHROME_PATH:-$$(command -v chromium)} $(GO) test -race -timeout 30m ./...

test-short:
	$(GO) test -short ./...

## screenshots: run the browser tests and save screenshots under docs/screenshots/.
screenshots: chromium
	PINACCESS_SCREENSHOTS=1 $(GO) test -count=1 -run 'Browser' ./...

## bench: measure import, browsing and export against the sandbox (about 10 minutes on 2 cores; CI does not run it).
## Writes docs/benchmarks.md, docs/benchmarks-scaling.svg and bench/results.json; scratch goes to bench/out/.
## BENCHFLAGS passes flags to the harness (see 'go run ./internal/benchreport -h').
bench:
	$(GO) run ./internal/benchreport $(BENCHFLAGS)

clean:
	rm -rf bin
