# Portico's entry points. Every target installs what it needs first, so on a fresh machine with
# Node.js 20+ and npm, `make run` and `make test` are the only commands anyone has to know.
SHELL := /bin/bash
NODE_MODULES_STAMP := node_modules/.package-lock.json
PORTICO := node dist/operator/src/cli/main.js
# The scale benchmark builds its go-control-plane peer with Go: the one on PATH, else /usr/local/go/bin's.
WITH_GO := $(if $(shell command -v go),,PATH="$$PATH:/usr/local/go/bin")

.PHONY: all build run translate test test-envoy typecheck lint unit bench bench-latency bench-xds clean apiserver-binaries helm-binary re2-size

all: build

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund

build: $(NODE_MODULES_STAMP)
	npm run build

## The main job on the bundled examples: serve them over xDS (standalone, no cluster needed).
## It prints where Envoy and gRPC clients connect; Ctrl-C stops it.
run: build
	$(PORTICO) serve --manifests examples/seed

## The offline translator on the bundled examples.
translate: build
	$(PORTICO) translate -f examples/seed

## Every test: type check, lint, unit, golden and end-to-end suites.
test: $(NODE_MODULES_STAMP) apiserver-binaries helm-binary re2-size
	npm test

## Only the real-Envoy suite (e2e/envoy.test.ts): ENVOY_BIN=/path/to/envoy make test-envoy.
## `make test` skips it without ENVOY_BIN. It needs no API server, so no apiserver-binaries here.
test-envoy: $(NODE_MODULES_STAMP)
	@if [ -z '$(ENVOY_BIN)' ]; then echo 'test-envoy: ENVOY_BIN is not set; run ENVOY_BIN=/path/to/envoy make test-envoy' >&2; exit 1; fi
	@if [ ! -f '$(ENVOY_BIN)' ] || [ ! -x '$(ENVOY_BIN)' ]; then echo 'test-envoy: ENVOY_BIN=$(ENVOY_BIN) is not an executable file' >&2; exit 1; fi
	ENVOY_BIN='$(ENVOY_BIN)' npx vitest run --config e2e/support/envoy.vitest.config.ts

## kube-apiserver + etcd for the e2e suites, built once from the Go module proxy into
## ${PORTICO_CACHE:-~/.cache/portico} (or taken from KUBEBUILDER_ASSETS); a no-op when cached.
apiserver-binaries:
	bash e2e/apiserver/ensure-binaries.sh

## re2-size (C++ RE2's program size, the figure Envoy limits) for the regex size tests: Debian's
## libre2-dev and g++, installed when missing, and a 10-line tool built once into the same cache.
re2-size:
	bash e2e/re2/ensure-re2-size.sh >/dev/null

## helm for the chart tests, built once from the Go module proxy into the same cache.
helm-binary:
	bash e2e/helm/ensure-helm.sh >/dev/null

typecheck: $(NODE_MODULES_STAMP)
	npm run typecheck

lint: $(NODE_MODULES_STAMP)
	npm run lint

## Unit tests only (operator/ and xds-server/): no API server is built or started.
unit: $(NODE_MODULES_STAMP)
	npm run test:unit

## Benchmarks (never part of `make test`); results go to bench/results/. `make bench` is the whole
## set from a fresh clone: install, build dist/, the translation benchmark, one Ingress and one
## EndpointSlice change at 10,000 Ingresses, the scale matrix (Portico vs go-control-plane, SotW and
## Delta, every default scenario: a few hours on 2 cores) but the 1,000 x 1,000 Delta rows of Portico and
## the LinearCache, which run five times each and are pooled (their p99 is a goal, and one run's p99 is
## its slowest change), then issue 17's goals, marked met or not.
bench: build
	npm run bench:translate
	npx tsx bench/ingress-change.ts
	npx tsx bench/endpoint-change.ts
	$(WITH_GO) npx tsx bench/scale.ts --skip '*:sotw:10000x1000,portico:delta:1000x1000,linear:delta:1000x1000'
	$(WITH_GO) npx tsx bench/scale.ts --scenarios 1000x1000 --protocol delta --servers portico,linear --repeat 5
	npx tsx bench/goals.ts

## Only the scale matrix; narrow it with e.g.
##   npx tsx bench/scale.ts --scenarios 1000x100 --protocol delta --servers portico,linear
bench-xds: build
	$(WITH_GO) npx tsx bench/scale.ts

## API write → xDS client latency on a real API server (root: backends live in a network namespace).
bench-latency: $(NODE_MODULES_STAMP) apiserver-binaries
	npx vitest run --config bench/vitest.config.ts

clean:
	rm -rf dist node_modules
