#!/usr/bin/env bash
# make test-k8s: builds whatever control-plane binary is missing, starts the control
# plane on loopback, runs the k8s suite against it, and stops everything again, also
# when the suite fails or the run is interrupted. Exit code: the suite's (130 on Ctrl-C).
# Extra arguments go to vitest (e.g. a test file or -t NAME).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
export PEAKREADY_K8S_STATE="${PEAKREADY_K8S_STATE:-${TMPDIR:-/tmp}/peakready-k8s-test}"

bash "$HERE/build.sh" || exit 3
# Chaos Mesh is optional: when its controller cannot be built, the pod-kill test says so.
bash "$HERE/build.sh" chaos-mesh || echo "[test-k8s] Chaos Mesh controller not built; pod-kill runs without it" >&2

stop() { bash "$HERE/down.sh"; }
trap stop EXIT
trap 'exit 130' INT TERM

bash "$HERE/up.sh" >/dev/null || exit 3
# shellcheck disable=SC1091
source "$PEAKREADY_K8S_STATE/env"
cd "$REPO" && npx vitest run --config test/k8s/vitest.config.ts "$@"
