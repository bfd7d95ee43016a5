# peakready — the two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
NODE_STAMP := node_modules/.package-lock.json
SYSTEM_PKGS := redis-server prometheus
# python3-venv: the flask-stack fixture of test/verdicts/own-stack.test.ts builds its PyPI venv with it.
TEST_PKGS := redis-server prometheus chromium python3-venv
BENCH_PKGS := nginx-light wrk

.PHONY: run test test-unit test-verdicts test-k8s test-k8s-node deps build typecheck bench bench-gateway bench-load bench-llm clean

run: deps build
	node dist/cli/main.js run scenarios/holiday-peak.ts --platform local

# The main suite (unit, integration, e2e), then the verdict suite: whole smoke runs,
# intact and broken on purpose, one at a time (they carry timing SLOs).
test: test-unit test-verdicts

test-unit: deps build
	bash scripts/ensure-system.sh $(TEST_PKGS)
	npx tsc -p tsconfig.json --noEmit
	npx vitest run

test-verdicts: deps build
	bash scripts/ensure-system.sh $(TEST_PKGS)
	npx vitest run --config test/verdicts/vitest.config.ts

deps: $(NODE_STAMP)
	bash scripts/ensure-system.sh $(SYSTEM_PKGS)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $(NODE_STAMP)

build: $(NODE_STAMP)
	node scripts/build.mjs
	node dist/stack/models/train.js

typecheck: $(NODE_STAMP)
	npx tsc -p tsconfig.json --noEmit

# The kubernetes platform against a real control plane built from Go modules (cached in
# ~/.cache/peakready/k8s; about 30 minutes the first time on this machine, 15 s to start after).
test-k8s: deps build
	bash scripts/k8s/test-k8s.sh

# The same control plane plus one real node (containerd, runc, CNI, kubelet, kube-proxy,
# CoreDNS, Prometheus; built once into ~/.cache/peakready/k8s/node-*, about 11 minutes more
# the first time) running the reference stack: deploy, Services, `peakready run` with load-runner
# pods and Chaos Mesh faults. Not in .ci/run (its time budget; see README).
test-k8s-node: deps build
	PEAKREADY_K8S_REAL_NODE=1 bash scripts/k8s/test-k8s.sh

bench: bench-gateway bench-load bench-llm

bench-gateway: deps build
	bash scripts/ensure-system.sh $(SYSTEM_PKGS) $(BENCH_PKGS)
	node bench/gateway/run.mjs

bench-load: deps build
	bash scripts/ensure-system.sh $(SYSTEM_PKGS) $(BENCH_PKGS)
	node bench/load/run.mjs

bench-llm: deps build
	bash scripts/aiperf/install.sh
	node --import ./bench/llm/ts-hook.mjs bench/llm/crosscheck.ts

clean:
	node dist/cli/main.js clean || true
	rm -rf dist
