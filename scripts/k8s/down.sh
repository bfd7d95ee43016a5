#!/usr/bin/env bash
# Stops the control plane that up.sh started (every PID it recorded) and removes its
# state. Stops in stages so nothing hangs on a dependency that is already gone: the
# controllers first, then the API server, then etcd; whatever ignores SIGTERM for 10 s
# is killed. Idempotent: without a running cluster it does nothing.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$HERE/versions.sh"
STATE="${PEAKREADY_K8S_STATE:-${TMPDIR:-/tmp}/peakready-k8s}"
[[ -f "$STATE/pids" ]] || exit 0

# running PID -> true while the process exists and is not a zombie (processes outlive
# up.sh, so init reaps them, not us).
running() {
  local state
  state="$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z ]]
}

CACHE_REAL="$(realpath -m "$K8S_CACHE")"
# ours PID -> true when the process runs one of the cached control-plane binaries, so a
# stale PID file (after a reboot, PIDs are reused) never gets another process killed.
ours() {
  local exe
  exe="$(readlink "/proc/$1/exe" 2>/dev/null)" || return 1
  [[ "$exe" == "$CACHE_REAL"/* ]]
}

# stop NAME... -> SIGTERM to each named process group, then wait up to 10 s, then SIGKILL.
stop() {
  local pids=() name pid
  for name in "$@"; do
    while read -r pid n; do
      [[ "$n" == "$name" ]] && ours "$pid" && pids+=("$pid")
    done < "$STATE/pids"
  done
  [[ ${#pids[@]} -gt 0 ]] || return 0
  # setsid made each process a group leader: the group takes its children along.
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null; done
  local i
  for i in $(seq 1 100); do
    local left=0
    for pid in "${pids[@]}"; do running "$pid" && left=1; done
    [[ $left -eq 0 ]] && return 0
    # The Chaos Mesh controller stops its manager on the first signal but its fx app
    # waits for a second one: repeat SIGTERM once after 2 s.
    if [[ $i -eq 20 ]]; then
      for pid in "${pids[@]}"; do running "$pid" && kill -TERM -- "-$pid" 2>/dev/null; done
    fi
    sleep 0.1
  done
  for pid in "${pids[@]}"; do
    if running "$pid"; then
      echo "[k8s-down] $(awk -v p="$pid" '$1 == p { print $2 }' "$STATE/pids") (pid $pid) ignored SIGTERM for 10 s, killing it" >&2
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    fi
  done
}

count=$(wc -l < "$STATE/pids")
controllers=$(awk '$2 != "kube-apiserver" && $2 != "etcd" { print $2 }' "$STATE/pids")
# shellcheck disable=SC2086
stop $controllers
stop kube-apiserver
stop etcd
if [[ "${PEAKREADY_K8S_KEEP_STATE:-}" == 1 ]]; then
  rm -f "$STATE/pids"
else
  rm -rf "$STATE"
fi
echo "[k8s-down] stopped $count processes" >&2
