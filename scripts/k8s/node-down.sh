#!/usr/bin/env bash
# Removes the real test node that node-up.sh started, whatever state it is in (running,
# half started, control plane already gone): its pods through CRI (so the CNI plugins
# delete their veths and portmap rules), any container left, the processes, the network
# namespaces and mounts under its state folder, the bridge, its iptables rules (the
# PEAKREADY-NODE chain, kube-proxy's KUBE-* rules via `kube-proxy --cleanup`, and portmap's
# CNI-* chains of the "peakready" network), kubelet's cgroups and log symlinks; restores
# the host sysctls node-up.sh changed, and deletes the Node object when the API answers
# (and, before stopping prometheus-adapter, its APIService v1beta1.custom.metrics.k8s.io and
# ExternalName Service: a registered API whose server is gone breaks API discovery).
# Idempotent; run it BEFORE down.sh (it uses the control plane's kubeconfig when it can).
# PEAKREADY_K8S_KEEP_STATE=1 keeps $NODE_STATE/logs.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$HERE/versions.sh"
STATE="${PEAKREADY_K8S_STATE:-${TMPDIR:-/tmp}/peakready-k8s}"
NODE_STATE="${PEAKREADY_K8S_NODE_STATE:-$STATE-node}"
NODE_NAME=peakready-node
BRIDGE=peakready0
[[ -d "$NODE_STATE" ]] || exit 0
[[ -f "$NODE_STATE/control-plane" ]] && STATE="$(cat "$NODE_STATE/control-plane")"
NODE_STATE_REAL="$(realpath -m "$NODE_STATE")"
K8S_BIN="$(bin_dir kubernetes "$K8S_VERSION")"
NODE_BIN="$(bin_dir node-kubernetes "$K8S_VERSION")"
CTRD_BIN="$(bin_dir node-containerd "$CONTAINERD_VERSION")"
CRICTL="$(bin_dir node-crictl "$CRICTL_VERSION")/crictl"
SOCK="$NODE_STATE/containerd/containerd.sock"
log() { printf '[node-down] %s\n' "$*" >&2; }

running() {
  local s; s="$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ -n "$s" && "$s" != Z ]]
}
ours() {
  local exe; exe="$(readlink "/proc/$1/exe" 2>/dev/null)" || return 1
  [[ "$exe" == "$(realpath -m "$K8S_CACHE")"/* ]] && return 0
  # The API server relay is node: its command line carries this node's state folder.
  tr '\0' '\n' < "/proc/$1/cmdline" 2>/dev/null | grep -qxF "$NODE_STATE/api-relay"
}
# stop NAME... -> SIGTERM to the recorded process groups, SIGKILL after 10 s.
stop() {
  local pids=() name pid n i
  [[ -f "$NODE_STATE/pids" ]] || return 0
  for name in "$@"; do
    while read -r pid n; do [[ "$n" == "$name" ]] && ours "$pid" && pids+=("$pid"); done < "$NODE_STATE/pids"
  done
  [[ ${#pids[@]} -gt 0 ]] || return 0
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null; done
  for i in $(seq 1 100); do
    local left=0
    for pid in "${pids[@]}"; do running "$pid" && left=1; done
    [[ $left -eq 0 ]] && return 0
    sleep 0.1
  done
  for pid in "${pids[@]}"; do running "$pid" && { log "pid $pid ignored SIGTERM, killing it"; kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"; }; done
}
containerd_up() { [[ -S "$SOCK" ]] && timeout 5 "$CTRD_BIN/ctr" --address "$SOCK" version >/dev/null 2>&1; }

# 1. The Node object, the DNS Service and the custom metrics API, while the API server still
#    answers.
KC="$STATE/admin.kubeconfig"
if [[ -f "$KC" ]] && timeout 5 "$K8S_BIN/kubectl" --kubeconfig "$KC" get --raw /readyz >/dev/null 2>&1; then
  timeout 20 "$K8S_BIN/kubectl" --kubeconfig "$KC" delete node "$NODE_NAME" --ignore-not-found --wait=false >/dev/null 2>&1
  timeout 20 "$K8S_BIN/kubectl" --kubeconfig "$KC" -n kube-system delete service kube-dns --ignore-not-found --wait=false >/dev/null 2>&1
  timeout 20 "$K8S_BIN/kubectl" --kubeconfig "$KC" -n kube-system delete endpointslice kube-dns-peakready-node --ignore-not-found --wait=false >/dev/null 2>&1
  timeout 20 "$K8S_BIN/kubectl" --kubeconfig "$KC" -n default delete endpointslice kubernetes-peakready-node --ignore-not-found --wait=false >/dev/null 2>&1
  timeout 20 "$K8S_BIN/kubectl" --kubeconfig "$KC" delete apiservice v1beta1.custom.metrics.k8s.io --ignore-not-found --wait=false >/dev/null 2>&1
  timeout 20 "$K8S_BIN/kubectl" --kubeconfig "$KC" -n kube-system delete service prometheus-adapter --ignore-not-found --wait=false >/dev/null 2>&1
fi

# 2. kubelet first, so that it restarts nothing while the pods go; the cluster Prometheus and
#    prometheus-adapter (host processes, unregistered in step 1) with it.
stop kubelet coredns kube-proxy api-relay prometheus-adapter prometheus

# 3. Pods through CRI (StopPodSandbox runs CNI DEL: veth, IPAM, portmap rules), then any
#    container left (e.g. created with ctr).
if containerd_up; then
  if [[ -x "$CRICTL" ]]; then
    timeout 120 "$CRICTL" --runtime-endpoint "unix://$SOCK" --image-endpoint "unix://$SOCK" --timeout 60s rmp --force --all >/dev/null 2>&1 \
      || log "crictl rmp failed; removing containers with ctr"
  else
    log "crictl missing ($CRICTL): pods removed without CNI DEL"
  fi
  for ns in $("$CTRD_BIN/ctr" --address "$SOCK" namespaces ls -q 2>/dev/null); do
    ctr() { timeout 30 "$CTRD_BIN/ctr" --address "$SOCK" -n "$ns" "$@"; }
    for t in $(ctr tasks ls -q 2>/dev/null); do ctr tasks kill -s SIGKILL "$t" >/dev/null 2>&1; done
    sleep 0.5
    for t in $(ctr tasks ls -q 2>/dev/null); do ctr tasks delete -f "$t" >/dev/null 2>&1; done
    for c in $(ctr containers ls -q 2>/dev/null); do ctr containers delete "$c" >/dev/null 2>&1; done
  done
fi
stop containerd
# Shims whose containerd is gone (their -address names our socket).
for p in $(pgrep -f "containerd-shim-runc-v2 .*-address $SOCK" 2>/dev/null); do
  ours "$p" && kill -KILL "$p" 2>/dev/null
done
# Processes still running in the node's cgroups (containers whose shim died); the cgroups
# are a fixed path, so only when this state folder owns the node (see step 5).
[[ -f "$NODE_STATE/owns-network" ]] && for f in /sys/fs/cgroup/*/peakready-node; do
  [[ -d "$f" ]] || continue
  find "$f" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u | while read -r p; do kill -KILL "$p" 2>/dev/null; done
done

# 4. Mounts under the state folder, deepest first (container rootfs, volumes, netns).
for _ in 1 2 3; do
  mapfile -t mnts < <(awk '{ print $5 }' /proc/self/mountinfo | sed 's/\\040/ /g' | grep -F "$NODE_STATE_REAL/" | sort -r)
  [[ ${#mnts[@]} -eq 0 ]] && break
  for m in "${mnts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
done
mapfile -t mnts < <(awk '{ print $5 }' /proc/self/mountinfo | grep -F "$NODE_STATE_REAL/")
[[ ${#mnts[@]} -eq 0 ]] || log "mounts left under $NODE_STATE: ${mnts[*]}"

# 5. Network: the bridge (its routes go with it), our chain, kube-proxy's and portmap's
#    rules; only when this state folder created them (another folder's node keeps its own).
if [[ -f "$NODE_STATE/owns-network" ]]; then
  # veths of the bridge whose namespace outlived their pod, then the bridge
  for v in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{ print $2 }' | cut -d@ -f1); do ip link delete "$v" 2>/dev/null; done
  ip link show "$BRIDGE" >/dev/null 2>&1 && ip link delete "$BRIDGE"
  while iptables -w -D FORWARD -m comment --comment peakready-node -j PEAKREADY-NODE 2>/dev/null; do :; done
  iptables -w -F PEAKREADY-NODE 2>/dev/null && iptables -w -X PEAKREADY-NODE 2>/dev/null
  # (Not `iptables-save | grep -q`: with pipefail, grep's early exit fails the pipeline.)
  if [[ -x "$NODE_BIN/kube-proxy" && "$(iptables-save 2>/dev/null; ip6tables-save 2>/dev/null)" == *KUBE-* ]]; then
    "$NODE_BIN/kube-proxy" --cleanup --v 0 >/dev/null 2>&1 || log "kube-proxy --cleanup failed"
  fi
  # drop_chain TOOL TABLE CHAIN -> removes every jump to CHAIN, then CHAIN itself.
  drop_chain() {
    local tool="$1" t="$2" c="$3" rule
    "$tool" -w -t "$t" -S "$c" >/dev/null 2>&1 || return 0
    "$tool-save" -t "$t" 2>/dev/null | grep -E -- "-j $c( |\$)" | sed 's/^-A/-D/' | while read -r rule; do
      eval "$tool" -w -t "$t" "$rule" 2>/dev/null
    done
    "$tool" -w -t "$t" -F "$c" 2>/dev/null; "$tool" -w -t "$t" -X "$c" 2>/dev/null
  }
  # kubelet's own chains, IPv4 and IPv6 (kube-proxy --cleanup leaves them).
  for tool in iptables ip6tables; do
    command -v "$tool" >/dev/null || continue
    for t in mangle nat filter; do
      for c in KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-IPTABLES-HINT; do drop_chain "$tool" "$t" "$c"; done
    done
  done
  # portmap: per-container chains commented with our network name.
  for t in nat filter; do
    for c in $(iptables-save -t "$t" 2>/dev/null | grep -- 'name: \\"peakready\\"\|name: "peakready"' | grep -o -- '-A CNI-[A-Z]*-[0-9a-f]*' | awk '{ print $2 }' | sort -u); do
      drop_chain iptables "$t" "$c"
    done
  done
  # portmap's shared chains, when node-up.sh found none (no marker) and no other container's
  # CNI-DN-* chain is left: they hold only portmap's fixed mark and masquerade rules then.
  if [[ ! -f "$NODE_STATE/cni-hostport-preexisting" ]] && ! iptables-save -t nat 2>/dev/null | grep '^:CNI-DN-' >/dev/null; then
    for c in CNI-HOSTPORT-DNAT CNI-HOSTPORT-SETMARK CNI-HOSTPORT-MASQ; do drop_chain iptables nat "$c"; done
  fi

fi

# 6. Host leftovers: kubelet's cgroups and log symlinks, the sysctls.
[[ -f "$NODE_STATE/owns-network" ]] && for f in /sys/fs/cgroup/*/peakready-node; do
  [[ -d "$f" ]] && find "$f" -depth -type d -exec rmdir {} \; 2>/dev/null
done
for l in /var/log/containers/*.log; do
  [[ -L "$l" && "$(readlink "$l")" == "$NODE_STATE_REAL"/* || -L "$l" && "$(readlink "$l")" == "$NODE_STATE"/* ]] && rm -f "$l"
done
# /var/log/containers when kubelet created it (node-up.sh left a marker) and it is empty.
[[ -f "$NODE_STATE/created-var-log-containers" ]] && rmdir /var/log/containers 2>/dev/null
# containerd's fixed shim-socket folder (and ctr's fifo folder), only when empty.
rmdir /run/containerd/s /run/containerd/fifo /run/containerd/runc/k8s.io /run/containerd/runc /run/containerd 2>/dev/null
if [[ -f "$NODE_STATE/sysctl.saved" ]]; then
  while IFS= read -r kv; do [[ -n "$kv" ]] && sysctl -qw "$kv" 2>/dev/null; done < "$NODE_STATE/sysctl.saved"
  rm -f "$NODE_STATE/sysctl.saved"
fi

# 7. The state folder (never across a mount still there).
left=$(awk '{ print $5 }' /proc/self/mountinfo | grep -cF "$NODE_STATE_REAL/")
if [[ "$left" -gt 0 ]]; then
  log "$left mounts remain under $NODE_STATE; keeping the folder"
  exit 1
fi
if [[ "${PEAKREADY_K8S_KEEP_STATE:-}" == 1 ]]; then
  find "$NODE_STATE" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf --one-file-system {} + 2>/dev/null
else
  rm -rf --one-file-system "$NODE_STATE"
fi
log "node $NODE_NAME removed"
