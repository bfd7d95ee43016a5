#!/usr/bin/env bash
# make test-k8s: builds whatever control-plane binary is missing, starts the control
# plane on loopback, runs the k8s suite against it, and stops everything again, also
# when the suite fails or the run is interrupted. Exit code: the suite's (130 on Ctrl-C
# or SIGTERM, 3 when the control plane cannot be built or started).
# Extra arguments go to vitest (e.g. a test file or -t NAME).
# PEAKREADY_K8S_REAL_NODE=1 (make test-k8s-node) adds one real node (node-build.sh, node-up.sh)
# and runs the real-node suite (test/k8s-node) instead.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
export PEAKREADY_K8S_STATE="${PEAKREADY_K8S_STATE:-${TMPDIR:-/tmp}/peakready-k8s-test}"
SUITE=""
rc=1
REAL_NODE="${PEAKREADY_K8S_REAL_NODE:-0}"
CONFIG=test/k8s/vitest.config.ts

cleanup() {
  # The suite runs in its own session: its whole process group (vitest, its workers and
  # the harness processes the tests spawn) goes, then the control plane.
  if [[ -n "$SUITE" ]] && kill -0 "$SUITE" 2>/dev/null; then
    kill -TERM -- "-$SUITE" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$SUITE" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$SUITE" 2>/dev/null
  fi
  # The node first: its pods and mounts go before the control plane that knows them.
  [[ "$REAL_NODE" == 1 ]] && bash "$HERE/node-down.sh" >/dev/null 2>&1
  # A failed run keeps the component logs for whoever looks into it.
  if [[ $rc -ne 0 ]]; then
    PEAKREADY_K8S_KEEP_STATE=1 bash "$HERE/down.sh"
    echo "[test-k8s] control-plane logs kept in $PEAKREADY_K8S_STATE/logs" >&2
  else
    bash "$HERE/down.sh"
  fi
}
trap cleanup EXIT
trap 'echo "[test-k8s] interrupted, stopping the suite and the control plane" >&2; exit 130' INT TERM

bash "$HERE/build.sh" || exit 3
# Chaos Mesh is part of the cluster the suite tests against: a controller that fails to
# build fails the suite (exit 3), it never turns the fault tests into "kills nothing".
bash "$HERE/build.sh" chaos-mesh || { echo "[test-k8s] the Chaos Mesh controller did not build; the suite needs it" >&2; exit 3; }

if [[ "$REAL_NODE" == 1 ]]; then
  # kube-controller-manager's own defaults: real pods' start-up CPU must not scale them (up.sh).
  export PEAKREADY_K8S_HPA_CPU_INIT_PERIOD=5m0s PEAKREADY_K8S_HPA_READINESS_DELAY=30s
  # Argo Rollouts' controller as a pod on the node, where its analyses resolve Services (up.sh).
  export PEAKREADY_K8S_ARGO_IN_CLUSTER=1
fi
bash "$HERE/up.sh" >/dev/null || exit 3
if [[ "$REAL_NODE" == 1 ]]; then
  bash "$HERE/node-build.sh" || exit 3
  bash "$HERE/node-up.sh" >/dev/null || exit 3
  # shellcheck disable=SC1091
  source "$PEAKREADY_K8S_STATE-node/env"
  CONFIG=test/k8s-node/vitest.config.ts
fi
# shellcheck disable=SC1091
source "$PEAKREADY_K8S_STATE/env"
cd "$REPO" || exit 3
# In the background so a signal reaches our trap at once instead of after the suite.
setsid npx vitest run --config "$CONFIG" "$@" &
SUITE=$!
wait "$SUITE"
rc=$?
SUITE=""
exit "$rc"
