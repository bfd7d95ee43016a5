#!/usr/bin/env bash
# Adds one real node to the test control plane of up.sh: containerd 2.x (its own config,
# root, state and socket), the CNI bridge with portmap on a private pod CIDR, kubelet,
# kube-proxy (iptables mode, so ClusterIP and NodePort Services work), and CoreDNS (so
# Services resolve by name), then imports the pause image and waits until the node is
# Ready and DNS answers. Binaries come from node-build.sh (cached in $K8S_CACHE/node-*).
# Pods on the node: Chaos Mesh's chaos-daemon (when up.sh runs the controller) and, with
# PEAKREADY_K8S_ARGO_IN_CLUSTER=1 in up.sh's env, Argo Rollouts' controller.
# Then the cluster add-ons a user's cluster has for the HPAs' Pods metric, as host
# processes on loopback: a cluster Prometheus (every pod of the node with a container port
# named http, all namespaces, every 5 s; its URL is PEAKREADY_K8S_CLUSTER_PROMETHEUS in
# $NODE_STATE/env) and prometheus-adapter, which serves inference_requests_per_second per
# pod as custom.metrics.k8s.io (APIService v1beta1.custom.metrics.k8s.io).
#
#   bash scripts/k8s/up.sh && source /tmp/peakready-k8s/env
#   bash scripts/k8s/node-up.sh            # prints the node's name
#   ...
#   bash scripts/k8s/node-down.sh && bash scripts/k8s/down.sh
#
# Layout: node state in $PEAKREADY_K8S_NODE_STATE (default "$PEAKREADY_K8S_STATE-node",
# deliberately NOT inside the control plane's folder: down.sh's rm -rf must never walk into
# the node's mounts). The node is named peakready-node, its IP is the bridge's gateway
# address (10.246.0.1 with the default pod CIDR 10.246.0.0/24), which the host, the API
# server and the pods all reach. kubelet and CoreDNS listen on that address only.
#
# Network: the bridge peakready0 is created here (the CNI bridge plugin reuses it); the
# service CIDR 10.96.0.0/16 is routed to the bridge so that an unmatched ClusterIP never
# leaves the machine, and the chain PEAKREADY-NODE (jumped to from FORWARD, comment
# peakready-node) drops anything from the pod CIDR that would leave through another
# interface: pods reach only each other, Services and the node. No masquerade to outside.
#
# Host sysctls (node-up.sh saves the old values in $NODE_STATE/sysctl.saved and
# node-down.sh restores them):
#   net.ipv4.ip_forward=1                 needed (pod -> ClusterIP -> pod is routed through the
#                                         bridge); the CNI bridge plugin (isGateway) sets it too
#   net.bridge.bridge-nf-call-iptables=1  needed so kube-proxy's DNAT sees bridged traffic
#                                         (br_netfilter; already 1 here)
#   vm.overcommit_memory=1, vm.panic_on_oom=0, kernel.panic=10, kernel.panic_on_oops=1,
#   kernel.keys.root_maxkeys=1000000, kernel.keys.root_maxbytes=25000000
#                                         set by kubelet at start (protectKernelDefaults=false);
#                                         pre-set here so the values kubelet finds are its own
# Not touched: kube-proxy's conntrack sysctls (conntrack.maxPerCore=0 and zero timeouts in
# its config leave nf_conntrack_* as they are) and route_localnet (NodePorts are served on
# the node IP only, not on 127.0.0.1).
#
# Other host paths used (all removed by node-down.sh): /run/containerd/s (containerd's shim
# sockets, a path fixed in containerd; empty folders removed), /var/log/containers (kubelet's symlinks, fixed by kubelet),
# the cgroups /sys/fs/cgroup/*/peakready-node (kubelet's cgroupRoot).
#
# Env: PEAKREADY_K8S_STATE (control plane, default /tmp/peakready-k8s),
# PEAKREADY_K8S_NODE_STATE, PEAKREADY_NODE_POD_CIDR (a /24, default 10.246.0.0/24),
# PEAKREADY_K8S_READY_TIMEOUT (s, default 120). On failure or interrupt everything this
# script started is removed again (node-down.sh), logs kept in $NODE_STATE/logs.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$HERE/versions.sh"
STATE="${PEAKREADY_K8S_STATE:-${TMPDIR:-/tmp}/peakready-k8s}"
NODE_STATE="${PEAKREADY_K8S_NODE_STATE:-$STATE-node}"
POD_CIDR="${PEAKREADY_NODE_POD_CIDR:-10.246.0.0/24}"
SERVICE_CIDR=10.96.0.0/16
DNS_SERVICE_IP=10.96.0.10
NODE_NAME=peakready-node
BRIDGE=peakready0
READY_TIMEOUT_S="${PEAKREADY_K8S_READY_TIMEOUT:-120}"
T0=$(date +%s%N)
elapsed() { awk -v a="$T0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
log() { printf '[node-up +%ss] %s\n' "$(elapsed)" "$*" >&2; }
die() { log "error: $*"; exit 3; }

[[ $(id -u) == 0 ]] || die "must run as root (containers, network namespaces, iptables)"
[[ "$POD_CIDR" =~ ^([0-9]+\.[0-9]+\.[0-9]+)\.0/24$ ]] || die "PEAKREADY_NODE_POD_CIDR must be a /24 ending in .0"
NODE_IP="${BASH_REMATCH[1]}.1"
K8S_BIN="$(bin_dir kubernetes "$K8S_VERSION")"
NODE_BIN="$(bin_dir node-kubernetes "$K8S_VERSION")"
CTRD_BIN="$(bin_dir node-containerd "$CONTAINERD_VERSION")"
COREDNS_BIN="$(bin_dir node-coredns "$COREDNS_VERSION")"
PAUSE_TAR="$K8S_CACHE/node-pause-$K8S_VERSION/pause.oci.tar"
CNI_BIN="${PEAKREADY_CNI_BIN:-/usr/lib/cni}"
for b in "$K8S_BIN/kubectl" "$NODE_BIN/kubelet" "$NODE_BIN/kube-proxy" "$CTRD_BIN/containerd" \
  "$CTRD_BIN/containerd-shim-runc-v2" "$CTRD_BIN/ctr" "$COREDNS_BIN/coredns" "$CNI_BIN/bridge" \
  "$CNI_BIN/portmap" "$CNI_BIN/host-local" "$CNI_BIN/loopback"; do
  [[ -x "$b" ]] || die "missing $b: run scripts/k8s/node-build.sh first"
done
[[ -f "$PAUSE_TAR" ]] || die "missing $PAUSE_TAR: run scripts/k8s/node-build.sh pause"
command -v runc >/dev/null || die "runc is not installed (node-build.sh debian)"
command -v iptables >/dev/null || die "iptables is not installed (node-build.sh debian)"
[[ -f "$STATE/env" && -f "$STATE/pki/ca.key" ]] || die "no control plane in $STATE: run scripts/k8s/up.sh first"
API="$(sed -n 's/^export PEAKREADY_K8S_API=//p' "$STATE/env")"
KC="$STATE/admin.kubeconfig"
kubectl() { "$K8S_BIN/kubectl" --kubeconfig "$KC" "$@"; }

# A node left over from an earlier run of this state folder holds the bridge, the mounts
# and the ports: remove it. A node of another state folder owns them: refuse (one real node
# per machine), without touching it.
[[ -d "$NODE_STATE" ]] && bash "$HERE/node-down.sh" >&2
if ip link show "$BRIDGE" >/dev/null 2>&1 || iptables -w -S PEAKREADY-NODE >/dev/null 2>&1; then
  die "another real node runs on this machine (bridge $BRIDGE or chain PEAKREADY-NODE exists); stop it with node-down.sh and its PEAKREADY_K8S_STATE"
fi
mkdir -p "$NODE_STATE"/{logs,pki,cni/net.d,cni/ipam,containerd,kubelet,pod-logs,volume-plugins}
: > "$NODE_STATE/pids"
printf '%s\n' "$STATE" > "$NODE_STATE/control-plane"

on_fail() {
  log "failed (exit $1); last log lines:"
  tail -n 8 "$NODE_STATE"/logs/*.log >&2 2>/dev/null || true
  PEAKREADY_K8S_KEEP_STATE=1 bash "$HERE/node-down.sh" >&2 || true
  log "node logs kept in $NODE_STATE/logs"
}
trap 'rc=$?; trap - EXIT; [[ $rc -eq 0 ]] || on_fail "$rc"; exit "$rc"' EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
start() {
  local name="$1"; shift
  setsid "$@" >"$NODE_STATE/logs/$name.log" 2>&1 < /dev/null &
  printf '%s %s\n' "$!" "$name" >> "$NODE_STATE/pids"
}
alive() {
  local pid
  pid="$(awk -v n="$1" '$2 == n { print $1 }' "$NODE_STATE/pids")"
  kill -0 "$pid" 2>/dev/null || { tail -n 20 "$NODE_STATE/logs/$1.log" >&2; die "$1 exited during startup"; }
}
wait_for() {
  local what="$1" proc="$2"; shift 2
  local deadline=$((SECONDS + READY_TIMEOUT_S))
  until "$@" >/dev/null 2>&1; do
    alive "$proc"
    ((SECONDS < deadline)) || die "timed out after ${READY_TIMEOUT_S}s waiting for $what"
    sleep 0.2
  done
  log "$what ready"
}

# ------------------------------------------------------------------ host sysctls
SYSCTLS=(net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 vm.overcommit_memory=1
  vm.panic_on_oom=0 kernel.panic=10 kernel.panic_on_oops=1 kernel.keys.root_maxkeys=1000000
  kernel.keys.root_maxbytes=25000000)
[[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]] || modprobe br_netfilter 2>/dev/null \
  || die "net.bridge.bridge-nf-call-iptables missing (br_netfilter not loaded)"
: > "$NODE_STATE/sysctl.saved"
for kv in "${SYSCTLS[@]}"; do
  k="${kv%%=*}"
  printf '%s=%s\n' "$k" "$(sysctl -n "$k")" >> "$NODE_STATE/sysctl.saved"
  sysctl -qw "$kv"
done

# ---------------------------------------------------------------------- network
# From here on this state folder owns the node's network: node-down.sh removes the bridge,
# the chains and kube-proxy's rules only with this marker.
touch "$NODE_STATE/owns-network"
ip link add "$BRIDGE" type bridge
ip addr add "$NODE_IP/24" dev "$BRIDGE"
ip link set "$BRIDGE" up
ip route add "$SERVICE_CIDR" dev "$BRIDGE" src "$NODE_IP"
# portmap creates the shared nat chains CNI-HOSTPORT-*: node-down.sh removes them only when
# they were not there before.
iptables -w -t nat -S CNI-HOSTPORT-DNAT >/dev/null 2>&1 && touch "$NODE_STATE/cni-hostport-preexisting"
iptables -w -N PEAKREADY-NODE
iptables -w -A PEAKREADY-NODE -s "$POD_CIDR" ! -o "$BRIDGE" -m comment --comment peakready-node -j DROP
iptables -w -I FORWARD 1 -m comment --comment peakready-node -j PEAKREADY-NODE
cat > "$NODE_STATE/cni/net.d/10-peakready.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "peakready",
  "plugins": [
    {
      "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$NODE_STATE/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$NODE_IP"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}
  ]
}
JSON
log "bridge $BRIDGE $NODE_IP/24, chain PEAKREADY-NODE"

# ------------------------------------------------------------------- containerd
CTRD="$NODE_STATE/containerd"
SOCK="$CTRD/containerd.sock"
cat > "$CTRD/config.toml" <<TOML
version = 3
root = "$CTRD/root"
state = "$CTRD/state"
oom_score = 0
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins.'io.containerd.internal.v1.opt']
  path = "$CTRD/opt"
[plugins.'io.containerd.nri.v1.nri']
  disable = true
[plugins.'io.containerd.cri.v1.runtime']
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_selinux = false
  disable_apparmor = true
  [plugins.'io.containerd.cri.v1.runtime'.containerd]
    default_runtime_name = "runc"
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        Root = "$CTRD/runc"
        SystemdCgroup = false
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ["$CNI_BIN"]
    conf_dir = "$NODE_STATE/cni/net.d"
    max_conf_num = 1
[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = "$PAUSE_IMAGE"
[plugins.'io.containerd.grpc.v1.cri']
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
TOML
# The shim binary is found on PATH.
start containerd env PATH="$CTRD_BIN:$PATH" "$CTRD_BIN/containerd" --config "$CTRD/config.toml"
wait_for containerd containerd "$CTRD_BIN/ctr" --address "$SOCK" version
ctr() { "$CTRD_BIN/ctr" --address "$SOCK" -n k8s.io "$@"; }
ctr images import "$PAUSE_TAR" >/dev/null
ctr images ls -q | grep -x "$PAUSE_IMAGE" >/dev/null || die "pause image $PAUSE_IMAGE not imported"
log "pause image $PAUSE_IMAGE imported"

# --------------------------------------------------------------------- kubelet
KPKI="$NODE_STATE/pki"
# The node identity, signed by the control plane's CA (what the Node authorizer expects).
openssl req -newkey rsa:2048 -nodes -subj "/O=system:nodes/CN=system:node:$NODE_NAME" \
  -keyout "$KPKI/kubelet-client.key" -out "$KPKI/kubelet-client.csr" 2>/dev/null
printf 'extendedKeyUsage=clientAuth\n' > "$KPKI/client.ext"
openssl x509 -req -in "$KPKI/kubelet-client.csr" -CA "$STATE/pki/ca.crt" -CAkey "$STATE/pki/ca.key" \
  -CAcreateserial -CAserial "$KPKI/ca.srl" -days 2 -extfile "$KPKI/client.ext" -out "$KPKI/kubelet-client.crt" 2>/dev/null
# Serving certificate for the API server's and metrics-server's calls to the kubelet.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$NODE_NAME" \
  -addext "subjectAltName=IP:$NODE_IP,DNS:$NODE_NAME" \
  -keyout "$KPKI/kubelet.key" -out "$KPKI/kubelet.crt" 2>/dev/null
cat > "$NODE_STATE/kubelet.kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: peakready-test
  cluster: {server: "$API", certificate-authority: "$STATE/pki/ca.crt"}
users:
- name: node
  user: {client-certificate: "$KPKI/kubelet-client.crt", client-key: "$KPKI/kubelet-client.key"}
contexts:
- name: node
  context: {cluster: peakready-test, user: node}
current-context: node
YAML
# Pods get the cluster DNS and no search domains of the host.
printf 'nameserver %s\n' "$NODE_IP" > "$NODE_STATE/resolv.conf"
KUBELET_PORT=$(free_port); KUBELET_HEALTHZ_PORT=$(free_port)
# Tainted by default: the suite's kwok tests schedule pods of images that do not exist, which
# must keep landing on the fake nodes. Pods for the real node tolerate the taint and select
# the label peakready.io/real-node=true. PEAKREADY_NODE_TAINT=0 registers it untainted.
TAINTS=""
[[ "${PEAKREADY_NODE_TAINT:-1}" == 0 ]] || TAINTS="registerWithTaints: [{key: peakready.io/real-node, value: \"true\", effect: NoSchedule}]"
# up.sh's API server sends no client certificate to kubelets, so the kubelet allows
# anonymous requests (it listens on the node IP only). With up.sh passing
# --kubelet-client-certificate, switch to webhook authentication/authorization.
cat > "$NODE_STATE/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
tlsCertFile: $KPKI/kubelet.crt
tlsPrivateKeyFile: $KPKI/kubelet.key
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
  x509: {clientCAFile: $STATE/pki/ca.crt}
authorization: {mode: AlwaysAllow}
containerRuntimeEndpoint: unix://$SOCK
cgroupDriver: cgroupfs
failCgroupV1: false
cgroupRoot: /peakready-node
oomScoreAdj: 0
failSwapOn: false
protectKernelDefaults: false
clusterDomain: cluster.local
clusterDNS: [$DNS_SERVICE_IP]
resolvConf: $NODE_STATE/resolv.conf
podLogsDir: $NODE_STATE/pod-logs
volumePluginDir: $NODE_STATE/volume-plugins
registerNode: true
$TAINTS
maxPods: 110
serializeImagePulls: false
evictionHard: {memory.available: 50Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
nodeStatusUpdateFrequency: 4s
syncFrequency: 10s
fileCheckFrequency: 10s
staticPodPath: ""
YAML
# kubelet's cgroupRoot must exist in every cgroup v1 hierarchy (cpuset needs its cpus and
# mems filled in before anything can join it).
for h in /sys/fs/cgroup/*/; do
  [[ -f "$h/cgroup.procs" ]] || continue
  mkdir -p "$h/peakready-node"
  if [[ -f "$h/cpuset.cpus" ]]; then
    cat "$h/cpuset.cpus" > "$h/peakready-node/cpuset.cpus"
    cat "$h/cpuset.mems" > "$h/peakready-node/cpuset.mems"
  fi
done
# kubelet links every container log into /var/log/containers (a fixed path).
[[ -d /var/log/containers ]] || touch "$NODE_STATE/created-var-log-containers"
start kubelet "$NODE_BIN/kubelet" --config "$NODE_STATE/kubelet.yaml" \
  --kubeconfig "$NODE_STATE/kubelet.kubeconfig" --root-dir "$NODE_STATE/kubelet" \
  --cert-dir "$KPKI" --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" \
  --node-labels peakready.io/real-node=true --v 1
wait_for "kubelet healthz" kubelet curl -fsS "http://127.0.0.1:$KUBELET_HEALTHZ_PORT/healthz"

# ------------------------------------------------------------------- kube-proxy
cat > "$NODE_STATE/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $KC}
hostnameOverride: $NODE_NAME
mode: iptables
clusterCIDR: $POD_CIDR
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:$(free_port)
metricsBindAddress: 127.0.0.1:$(free_port)
nodePortAddresses: [$NODE_IP/32]
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
iptables: {masqueradeAll: false, syncPeriod: 10s, minSyncPeriod: 0s, localhostNodePorts: false}
YAML
start kube-proxy "$NODE_BIN/kube-proxy" --config "$NODE_STATE/kube-proxy.yaml" --v 1

# ---------------------------------------------------------------------- CoreDNS
# On the host (the API server listens on loopback, which pods cannot reach), on the node
# IP; the kube-dns Service ($DNS_SERVICE_IP) points at it through an EndpointSlice, so pods
# resolve through kube-proxy as on kind. No upstream: other names answer NXDOMAIN.
cat > "$NODE_STATE/Corefile" <<COREFILE
cluster.local:53 in-addr.arpa:53 ip6.arpa:53 {
  bind $NODE_IP
  errors
  kubernetes cluster.local in-addr.arpa ip6.arpa {
    kubeconfig $KC peakready-test
    pods insecure
    fallthrough in-addr.arpa ip6.arpa
  }
  cache 5
}
.:53 {
  bind $NODE_IP
  template ANY ANY {
    rcode NXDOMAIN
  }
}
COREFILE
COREDNS_HEALTH_PORT=$(free_port)
sed -i "0,/errors/s//errors\n  health 127.0.0.1:$COREDNS_HEALTH_PORT/" "$NODE_STATE/Corefile"
start coredns "$COREDNS_BIN/coredns" -conf "$NODE_STATE/Corefile"
kubectl apply --server-side --force-conflicts -f - >/dev/null <<YAML
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: {k8s-app: kube-dns, peakready.io/real-node: "true"}
spec:
  clusterIP: $DNS_SERVICE_IP
  ports:
  - {name: dns, port: 53, protocol: UDP, targetPort: 53}
  - {name: dns-tcp, port: 53, protocol: TCP, targetPort: 53}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kube-dns-peakready-node
  namespace: kube-system
  labels: {kubernetes.io/service-name: kube-dns, endpointslice.kubernetes.io/managed-by: peakready.io}
addressType: IPv4
ports:
- {name: dns, port: 53, protocol: UDP}
- {name: dns-tcp, port: 53, protocol: TCP}
endpoints:
- addresses: ["$NODE_IP"]
  conditions: {ready: true}
  nodeName: $NODE_NAME
YAML
wait_for "coredns" coredns curl -fsS "http://127.0.0.1:$COREDNS_HEALTH_PORT/health"

# ---------------------------------------------------------- the kubernetes Service
# Pods reach the API server as on any cluster, through the kubernetes Service (10.96.0.1:443,
# what in-cluster clients such as Prometheus' service discovery use). The API server listens
# on loopback only, which a pod cannot reach: a relay on the node IP, at the Service's target
# port, forwards to it, and the Service's EndpointSlice (the API server reconciles none here)
# names the node IP. TLS passes through: the serving certificate names 10.96.0.1. (The last
# argument marks the relay's command line, so node-down.sh stops only this relay.)
API_TARGET_PORT="${API##*:}"
start api-relay node -e 'const net = require("net");
  const [host, port] = [process.argv[1], Number(process.argv[2])];
  net.createServer((c) => {
    const u = net.connect(port, "127.0.0.1");
    c.pipe(u).pipe(c);
    c.on("error", () => u.destroy());
    u.on("error", () => c.destroy());
  }).listen(port, host);' "$NODE_IP" "$API_TARGET_PORT" "$NODE_STATE/api-relay"
kubectl apply --server-side --force-conflicts -f - >/dev/null <<YAML
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kubernetes-peakready-node
  namespace: default
  labels: {kubernetes.io/service-name: kubernetes, endpointslice.kubernetes.io/managed-by: peakready.io}
addressType: IPv4
ports:
- {name: https, port: $API_TARGET_PORT, protocol: TCP}
endpoints:
- addresses: ["$NODE_IP"]
  conditions: {ready: true}
YAML
# Checked the way a pod connects: the Service's ClusterIP through kube-proxy, verified TLS.
api_ok() { curl -fsS --max-time 2 --cacert "$STATE/pki/ca.crt" "https://10.96.0.1/readyz" >/dev/null; }
wait_for "the API server through the kubernetes Service (relay on $NODE_IP:$API_TARGET_PORT)" api-relay api_ok

# ------------------------------------------------------------------------ ready
wait_for "node $NODE_NAME Ready" kubelet kubectl wait --for condition=Ready --timeout 1s "node/$NODE_NAME"
# kube-proxy has programmed the Services once the DNS Service answers through its ClusterIP.
dns_ok() {
  node -e 'const r = new (require("dns").promises.Resolver)({ timeout: 1000, tries: 1 });
    r.setServers([process.argv[1]]);
    r.resolve4(process.argv[2]).then((a) => process.exit(a[0] === "10.96.0.1" ? 0 : 1), () => process.exit(1));' \
    "$DNS_SERVICE_IP" kubernetes.default.svc.cluster.local
}
wait_for "kube-proxy and DNS (kubernetes.default through $DNS_SERVICE_IP)" kube-proxy dns_ok

# The control plane's own settings (up.sh's env): `control_plane NAME` is true when NAME=1.
control_plane() { grep -qx "export $1=1" "$STATE/env"; }
# Pods of the node's own add-ons go to this node, past its taint.
PLACEMENT="nodeSelector: {peakready.io/real-node: \"true\"}
      tolerations: [{key: peakready.io/real-node, operator: Exists, effect: NoSchedule}]"

# ----------------------------------------------------------------- chaos-daemon
# With the control plane's Chaos Mesh controller (up.sh), its chaos-daemon runs on the node
# as the chart runs it: a DaemonSet in chaos-mesh, privileged with the host's PID namespace,
# the runtime socket at /host-run and /sys at /host-sys, found by the controller through the
# EndpointSlice of its headless Service (chaos-daemon-*, the node's name on the endpoint).
# The image is node-build.sh's (chaos-daemon.oci.tar). Gone with the node: node-down.sh
# removes its pod like any other.
if control_plane PEAKREADY_K8S_CHAOS_MESH; then
  CHAOS_DAEMON_TAR="$K8S_CACHE/node-chaos-daemon-$CHAOS_MESH_VERSION/chaos-daemon.oci.tar"
  [[ -f "$CHAOS_DAEMON_TAR" ]] || die "missing $CHAOS_DAEMON_TAR: run scripts/k8s/node-build.sh chaos-daemon"
  ctr images import "$CHAOS_DAEMON_TAR" >/dev/null
  kubectl apply --server-side --force-conflicts -f - >/dev/null <<YAML
apiVersion: v1
kind: Service
metadata:
  name: chaos-daemon
  namespace: chaos-mesh
  labels: {app.kubernetes.io/component: chaos-daemon, app.kubernetes.io/part-of: peakready-test-node}
spec:
  clusterIP: None
  selector: {app.kubernetes.io/component: chaos-daemon}
  ports:
  - {name: grpc, port: 31767, targetPort: grpc, protocol: TCP}
  - {name: http, port: 31766, targetPort: http, protocol: TCP}
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: chaos-daemon
  namespace: chaos-mesh
  labels: {app.kubernetes.io/component: chaos-daemon, app.kubernetes.io/part-of: peakready-test-node}
spec:
  selector:
    matchLabels: {app.kubernetes.io/component: chaos-daemon}
  template:
    metadata:
      labels: {app.kubernetes.io/component: chaos-daemon}
    spec:
      $PLACEMENT
      hostPID: true
      automountServiceAccountToken: false
      containers:
      - name: chaos-daemon
        image: $CHAOS_DAEMON_IMAGE
        imagePullPolicy: Never
        command: [/usr/local/bin/chaos-daemon, --runtime, containerd, --runtime-socket-path, /host-run/containerd.sock,
          --containerd-ns, k8s.io, --grpc-port, "31767", --http-port, "31766"]
        securityContext:
          privileged: true
          capabilities: {add: [SYS_PTRACE]}
        ports:
        - {name: grpc, containerPort: 31767}
        - {name: http, containerPort: 31766}
        readinessProbe:
          tcpSocket: {port: grpc}
          periodSeconds: 1
        volumeMounts:
        - {name: socket-path, mountPath: /host-run}
        - {name: sys-path, mountPath: /host-sys}
      volumes:
      - name: socket-path
        hostPath: {path: $CTRD}
      - name: sys-path
        hostPath: {path: /sys}
YAML
  daemon_found() {
    kubectl -n chaos-mesh get endpointslices -o json | jq -e --arg n "$NODE_NAME" \
      '[.items[] | select(.metadata.name | startswith("chaos-daemon-")) | .endpoints[]? | select(.nodeName == $n and .conditions.ready)] | length > 0'
  }
  wait_for "chaos-daemon on $NODE_NAME (EndpointSlice of chaos-mesh/chaos-daemon)" kubelet daemon_found
fi

# ----------------------------------------------------------------- argo-rollouts
# With PEAKREADY_K8S_ARGO_IN_CLUSTER=1 (up.sh did not start it on the host), Argo Rollouts'
# controller runs here as a pod, as on a user's cluster: its analyses query the Prometheus a
# template names (prometheus.<ns>.svc) through CoreDNS, which the host cannot. Its image is
# node-build.sh's (build.sh's static binary, assembled once); in-cluster credentials of a
# ServiceAccount bound to cluster-admin (a test cluster). Gone with the node like its other pods.
if control_plane PEAKREADY_K8S_ARGO_IN_CLUSTER; then
  ARGO_TAR="$K8S_CACHE/node-argo-rollouts-$ROLLOUTS_VERSION/argo-rollouts.oci.tar"
  [[ -f "$ARGO_TAR" ]] || die "missing $ARGO_TAR: run scripts/k8s/node-build.sh argo-rollouts"
  ctr images import "$ARGO_TAR" >/dev/null
  kubectl apply --server-side --force-conflicts -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: argo-rollouts}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: argo-rollouts, namespace: argo-rollouts}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: peakready-test-argo-rollouts}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: argo-rollouts, namespace: argo-rollouts}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: argo-rollouts
  namespace: argo-rollouts
  labels: {app.kubernetes.io/name: argo-rollouts, app.kubernetes.io/part-of: peakready-test-node}
spec:
  replicas: 1
  selector:
    matchLabels: {app.kubernetes.io/name: argo-rollouts}
  template:
    metadata:
      labels: {app.kubernetes.io/name: argo-rollouts}
    spec:
      serviceAccountName: argo-rollouts
      $PLACEMENT
      containers:
      - name: argo-rollouts
        image: $ARGO_ROLLOUTS_IMAGE
        imagePullPolicy: Never
        args: [--leader-elect=false, --healthzPort, "8080", --metricsport, "8090", --loglevel, info]
        ports:
        - {name: healthz, containerPort: 8080}
        - {name: metrics, containerPort: 8090}
        readinessProbe:
          httpGet: {path: /healthz, port: healthz}
          periodSeconds: 1
YAML
  wait_for "argo-rollouts controller pod Ready on $NODE_NAME" kubelet \
    kubectl -n argo-rollouts wait --for condition=Available --timeout 1s deployment/argo-rollouts
fi

# ------------------------------------------- cluster Prometheus and prometheus-adapter
# What a user's cluster adds for the HPAs' Pods metric inference_requests_per_second
# (deploy/base/hpa.yaml), as cluster add-ons on the host: a cluster Prometheus that
# discovers pods in every namespace with the control plane's kubeconfig and scrapes every
# 5 s each pod whose container port is named http (as the kind overlay's Prometheus does in
# its own namespace), labelled namespace, pod and service (the app label); and
# prometheus-adapter serving that gauge per pod as custom.metrics.k8s.io v1beta1, behind the
# aggregation layer the way up.sh registers metrics-server (ExternalName Service to
# 127.0.0.1, APIService). Only pods of this node are scraped: the host reaches their IPs
# through the bridge, while the fake nodes' pod IPs lead off the machine. node-down.sh
# deletes the APIService before it stops the adapter (a dead one breaks API discovery).
PROM_BIN="$(bin_dir node-prometheus "$PROMETHEUS_VERSION")"
ADAPTER_BIN="$(bin_dir node-prometheus-adapter "$PROMETHEUS_ADAPTER_VERSION")"
[[ -x "$PROM_BIN/prometheus" ]] || die "missing $PROM_BIN/prometheus: run scripts/k8s/node-build.sh prometheus"
[[ -x "$ADAPTER_BIN/prometheus-adapter" ]] \
  || die "missing $ADAPTER_BIN/prometheus-adapter: run scripts/k8s/node-build.sh prometheus-adapter"
PROM_DIR="$NODE_STATE/prometheus"
ADAPTER_DIR="$NODE_STATE/prometheus-adapter"
mkdir -p "$PROM_DIR/data" "$ADAPTER_DIR/certs"
PROM_PORT=$(free_port)
cat > "$PROM_DIR/prometheus.yml" <<YAML
global: {scrape_interval: 5s, scrape_timeout: 4s, evaluation_interval: 5s}
scrape_configs:
- job_name: kubernetes-pods
  metrics_path: /metrics
  kubernetes_sd_configs:
  - role: pod
    kubeconfig_file: $KC
    selectors: [{role: pod, field: spec.nodeName=$NODE_NAME}]
  relabel_configs:
  - {source_labels: [__meta_kubernetes_pod_phase], regex: Running, action: keep}
  - {source_labels: [__meta_kubernetes_pod_container_port_name], regex: http, action: keep}
  - {source_labels: [__meta_kubernetes_namespace], target_label: namespace}
  - {source_labels: [__meta_kubernetes_pod_name], target_label: pod}
  - {source_labels: [__meta_kubernetes_pod_label_app], target_label: service}
YAML
start prometheus "$PROM_BIN/prometheus" --config.file "$PROM_DIR/prometheus.yml" \
  --storage.tsdb.path "$PROM_DIR/data" --storage.tsdb.retention.time 6h \
  --web.listen-address "127.0.0.1:$PROM_PORT"
wait_for "cluster Prometheus (127.0.0.1:$PROM_PORT)" prometheus curl -fsS "http://127.0.0.1:$PROM_PORT/-/ready"
# The gauge is already a per-second rate: summed per pod (one series per served model),
# no rate(). A short relist so that a metric first exported after start is served soon.
cat > "$ADAPTER_DIR/config.yaml" <<'YAML'
rules:
- seriesQuery: 'inference_requests_per_second{namespace!="",pod!=""}'
  resources:
    overrides:
      namespace: {resource: namespace}
      pod: {resource: pod}
  name: {matches: "^inference_requests_per_second$", as: inference_requests_per_second}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
YAML
ADAPTER_PORT=$(free_port)
# prometheus-adapter has no --kubeconfig: --lister-kubeconfig is its client of the cluster.
# Like metrics-server it writes a self-signed serving certificate (localhost, 127.0.0.1)
# into --cert-dir; the APIService skips its verification as metrics-server's does.
start prometheus-adapter "$ADAPTER_BIN/prometheus-adapter" --config "$ADAPTER_DIR/config.yaml" \
  --prometheus-url "http://127.0.0.1:$PROM_PORT" --metrics-relist-interval 10s --metrics-max-age 1m \
  --lister-kubeconfig "$KC" --authentication-kubeconfig "$KC" --authorization-kubeconfig "$KC" \
  --bind-address 127.0.0.1 --secure-port "$ADAPTER_PORT" --cert-dir "$ADAPTER_DIR/certs"
wait_for "prometheus-adapter (127.0.0.1:$ADAPTER_PORT)" prometheus-adapter curl -fsSk "https://127.0.0.1:$ADAPTER_PORT/readyz"
kubectl apply --server-side --force-conflicts -f - >/dev/null <<YAML
apiVersion: v1
kind: Service
metadata:
  name: prometheus-adapter
  namespace: kube-system
  labels: {app.kubernetes.io/name: prometheus-adapter, app.kubernetes.io/part-of: peakready-test-node}
spec: {type: ExternalName, externalName: 127.0.0.1, ports: [{port: $ADAPTER_PORT}]}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1beta1.custom.metrics.k8s.io
  labels: {app.kubernetes.io/name: prometheus-adapter, app.kubernetes.io/part-of: peakready-test-node}
spec:
  group: custom.metrics.k8s.io
  version: v1beta1
  insecureSkipTLSVerify: true
  groupPriorityMinimum: 100
  versionPriority: 100
  service: {name: prometheus-adapter, namespace: kube-system, port: $ADAPTER_PORT}
YAML
# The aggregator answers through the APIService only once it is Available.
wait_for "kubectl get --raw /apis/custom.metrics.k8s.io/v1beta1" prometheus-adapter \
  kubectl get --raw /apis/custom.metrics.k8s.io/v1beta1

cat > "$NODE_STATE/env" <<ENV
export PEAKREADY_K8S_NODE_STATE=$NODE_STATE
export PEAKREADY_K8S_NODE=$NODE_NAME
export PEAKREADY_K8S_NODE_IP=$NODE_IP
export PEAKREADY_K8S_NODE_CONTAINERD=$SOCK
export PEAKREADY_K8S_NODE_CTR=$CTRD_BIN/ctr
export PEAKREADY_K8S_CLUSTER_PROMETHEUS=http://127.0.0.1:$PROM_PORT
ENV
trap - INT TERM EXIT
log "node $NODE_NAME ($NODE_IP) ready in $(elapsed)s"
printf '%s\n' "$(elapsed)" > "$NODE_STATE/ready-seconds"
echo "$NODE_NAME"
