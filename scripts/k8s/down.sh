#!/usr/bin/env bash
# Stops the control plane that up.sh started (every PID it recorded, each process
# group in reverse start order: controllers first, etcd last) and removes its state.
# Idempotent: without a running cluster it does nothing.
set -uo pipefail
STATE="${PEAKREADY_K8S_STATE:-${TMPDIR:-/tmp}/peakready-k8s}"
[[ -f "$STATE/pids" ]] || exit 0

mapfile -t entries < <(tac "$STATE/pids")
for e in "${entries[@]}"; do
  pid="${e%% *}"
  # setsid made each process a group leader: the group takes its children along.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
done
# Give them 10 s to exit cleanly, then kill what is left.
for _ in $(seq 1 50); do
  left=0
  for e in "${entries[@]}"; do kill -0 "${e%% *}" 2>/dev/null && left=1; done
  [[ $left -eq 0 ]] && break
  sleep 0.2
done
for e in "${entries[@]}"; do
  pid="${e%% *}"
  if kill -0 "$pid" 2>/dev/null; then
    echo "[k8s-down] ${e#* } (pid $pid) did not stop, killing it" >&2
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
done
if [[ "${PEAKREADY_K8S_KEEP_STATE:-}" == 1 ]]; then
  rm -f "$STATE/pids"
else
  rm -rf "$STATE"
fi
echo "[k8s-down] stopped ${#entries[@]} processes" >&2
