#!/usr/bin/env bash
# Starts a real Kubernetes control plane on loopback, for the k8s test suite:
# etcd, kube-apiserver (generated certificates, RBAC, aggregation layer),
# kube-controller-manager, kube-scheduler, kwok (fake nodes whose pods become Running
# and Ready and report emulated CPU/memory usage), metrics-server, the Argo Rollouts
# controller and, when built, the Chaos Mesh controller-manager; then installs
# every CRD vendored under deploy/crds and waits until all of it is ready.
#
# State (certificates, kubeconfig, logs, PIDs) goes to $PEAKREADY_K8S_STATE
# (default /tmp/peakready-k8s). It prints the kubeconfig path and writes
# $STATE/env (KUBECONFIG=...) for `source`. Stop with scripts/k8s/down.sh; if anything
# fails or the script is interrupted, everything it started is stopped again.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
# shellcheck source=versions.sh
source "$HERE/versions.sh"
STATE="${PEAKREADY_K8S_STATE:-${TMPDIR:-/tmp}/peakready-k8s}"
CRDS="${PEAKREADY_CRDS_DIR:-$REPO/deploy/crds}"
READY_TIMEOUT_S="${PEAKREADY_K8S_READY_TIMEOUT:-120}"
T0=$(date +%s%N)

log() { printf '[k8s-up +%ss] %s\n' "$(elapsed)" "$*" >&2; }
elapsed() { awk -v a="$T0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
die() { log "error: $*"; exit 3; }

K8S_BIN="$(bin_dir kubernetes "$K8S_VERSION")"
ETCD_BIN="$(bin_dir etcd "$ETCD_VERSION")"
KWOK_BIN="$(bin_dir kwok "$KWOK_VERSION")"
ROLLOUTS_BIN="$(bin_dir argo-rollouts "$ROLLOUTS_VERSION")"
METRICS_SERVER_BIN="$(bin_dir metrics-server "$METRICS_SERVER_VERSION")"
CHAOS_BIN="$(bin_dir chaos-mesh "$CHAOS_MESH_VERSION")"
for b in "$K8S_BIN/kube-apiserver" "$K8S_BIN/kube-controller-manager" "$K8S_BIN/kube-scheduler" \
  "$K8S_BIN/kubectl" "$ETCD_BIN/etcd" "$KWOK_BIN/kwok" "$ROLLOUTS_BIN/rollouts-controller" \
  "$METRICS_SERVER_BIN/metrics-server"; do
  [[ -x "$b" ]] || die "missing $b: run scripts/k8s/build.sh first"
done
[[ -d "$CRDS" ]] || die "CRD folder $CRDS not found (deploy/crds of the repository, or PEAKREADY_CRDS_DIR)"
command -v openssl >/dev/null || die "openssl is not installed"

# A previous cluster that was not stopped would hold the ports and the state folder.
[[ -f "$STATE/pids" ]] && bash "$HERE/down.sh" >/dev/null 2>&1 || true
rm -rf "$STATE"
mkdir -p "$STATE/pki" "$STATE/logs"
: > "$STATE/pids"

# Everything this script started is stopped when it fails or is interrupted; on success
# the cluster stays up until down.sh.
on_fail() {
  log "failed (exit $1); last log lines:"
  tail -n 5 "$STATE"/logs/*.log >&2 2>/dev/null || true
  PEAKREADY_K8S_KEEP_STATE=1 bash "$HERE/down.sh" >&2 || true
  log "component logs kept in $STATE/logs"
}
trap 'rc=$?; trap - EXIT; [[ $rc -eq 0 ]] || on_fail "$rc"; exit "$rc"' EXIT
trap 'exit 130' INT TERM

# free_port -> an unused loopback TCP port (the kernel picks it; a race with another
# process is possible but harmless for tests: startup then fails loudly).
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# start NAME CMD... -> runs the command detached in its own session, logs to logs/NAME.log.
start() {
  local name="$1"; shift
  setsid "$@" >"$STATE/logs/$name.log" 2>&1 < /dev/null &
  printf '%s %s\n' "$!" "$name" >> "$STATE/pids"
}

# alive NAME -> fails with its log tail when that process has exited.
alive() {
  local pid
  pid="$(awk -v n="$1" '$2 == n { print $1 }' "$STATE/pids")"
  kill -0 "$pid" 2>/dev/null || { tail -n 20 "$STATE/logs/$1.log" >&2; die "$1 exited during startup"; }
}

# wait_for WHAT PROCESS CMD... -> retries CMD until it succeeds, the process dies, or time runs out.
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

# ---------------------------------------------------------------- certificates
pki() {
  local d="$STATE/pki"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=peakready-test-ca" \
    -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
  # The API server's serving certificate: loopback names plus the in-cluster ones.
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$d/apiserver.key" -out "$d/apiserver.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n' > "$d/apiserver.ext"
  openssl x509 -req -in "$d/apiserver.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -days 2 -extfile "$d/apiserver.ext" -out "$d/apiserver.crt" 2>/dev/null
  # One client identity in system:masters for the test user and every component: the
  # control plane is a throwaway on loopback, what is tested is the platform's behaviour.
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=peakready-admin" \
    -keyout "$d/admin.key" -out "$d/admin.csr" 2>/dev/null
  printf 'extendedKeyUsage=clientAuth\n' > "$d/client.ext"
  openssl x509 -req -in "$d/admin.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -days 2 -extfile "$d/client.ext" -out "$d/admin.crt" 2>/dev/null
  # The aggregation layer: the API server proxies metrics.k8s.io to metrics-server with
  # this front-proxy client identity.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=peakready-front-proxy-ca" \
    -keyout "$d/front-proxy-ca.key" -out "$d/front-proxy-ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=front-proxy-client" \
    -keyout "$d/front-proxy-client.key" -out "$d/front-proxy-client.csr" 2>/dev/null
  openssl x509 -req -in "$d/front-proxy-client.csr" -CA "$d/front-proxy-ca.crt" -CAkey "$d/front-proxy-ca.key" \
    -CAcreateserial -days 2 -extfile "$d/client.ext" -out "$d/front-proxy-client.crt" 2>/dev/null
  # kwok's emulated kubelet endpoint (metrics-server scrapes it over TLS).
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=kwok" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$d/kwok.key" -out "$d/kwok.crt" 2>/dev/null
  openssl genrsa -out "$d/sa.key" 2048 2>/dev/null
  openssl rsa -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null
}

kubeconfig() {
  local d="$STATE/pki"
  cat > "$STATE/admin.kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: peakready-test
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $d/ca.crt
users:
- name: peakready-admin
  user:
    client-certificate: $d/admin.crt
    client-key: $d/admin.key
contexts:
- name: peakready-test
  context:
    cluster: peakready-test
    user: peakready-admin
current-context: peakready-test
YAML
}

# ------------------------------------------------------------------- processes
pki
log "certificates generated"
ETCD_PORT=$(free_port); ETCD_PEER_PORT=$(free_port); API_PORT=$(free_port)
ROLLOUTS_METRICS_PORT=$(free_port); ROLLOUTS_HEALTH_PORT=$(free_port)
KWOK_PORT=$(free_port); METRICS_SERVER_PORT=$(free_port)
kubeconfig
KC="$STATE/admin.kubeconfig"
kubectl() { "$K8S_BIN/kubectl" --kubeconfig "$KC" "$@"; }

# No fsync: the data is thrown away with the cluster, and fsync on a busy disk is what
# makes etcd slow to become ready.
start etcd "$ETCD_BIN/etcd" --name peakready --data-dir "$STATE/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "peakready=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync --log-level warn
wait_for etcd etcd curl -fsS "http://127.0.0.1:$ETCD_PORT/health"

# endpoint-reconciler none: the kubernetes Service may not point at a loopback address.
# The API server reaches a real node's kubelet (logs, exec, port-forward) at its InternalIP:
# node names do not resolve on this host.
start kube-apiserver "$K8S_BIN/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
  --cert-dir "$STATE/apiserver" \
  --tls-cert-file "$STATE/pki/apiserver.crt" --tls-private-key-file "$STATE/pki/apiserver.key" \
  --client-ca-file "$STATE/pki/ca.crt" \
  --service-account-key-file "$STATE/pki/sa.pub" --service-account-signing-key-file "$STATE/pki/sa.key" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range 10.96.0.0/16 --endpoint-reconciler-type none \
  --authorization-mode RBAC,Node --allow-privileged=true --profiling=false \
  --enable-priority-and-fairness=false --event-ttl 30m \
  --kubelet-preferred-address-types InternalIP,Hostname \
  --kubelet-client-certificate "$STATE/pki/admin.crt" --kubelet-client-key "$STATE/pki/admin.key" \
  --requestheader-client-ca-file "$STATE/pki/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
  --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
  --requestheader-extra-headers-prefix X-Remote-Extra- \
  --proxy-client-cert-file "$STATE/pki/front-proxy-client.crt" --proxy-client-key-file "$STATE/pki/front-proxy-client.key"
wait_for kube-apiserver kube-apiserver curl -fsS --cacert "$STATE/pki/ca.crt" \
  --cert "$STATE/pki/admin.crt" --key "$STATE/pki/admin.key" "https://127.0.0.1:$API_PORT/readyz"

# CRDs go in while the controllers start, one kubectl per project folder in parallel.
CRD_JOBS=()
for d in "$CRDS"/*/; do
  kubectl apply --server-side --force-conflicts -R -f "$d" >>"$STATE/logs/crds.log" 2>&1 &
  CRD_JOBS+=($!)
done

# The HPA's start-up allowances: short for kwok's pods, which have no start-up (the HPA tests
# need not wait minutes); a real node's pods burn CPU while they start (models load), which
# the controller's defaults (5m, 30s) keep out of scaling decisions, as on a user's cluster:
# test-k8s.sh passes those with the real node. Shorter there, start-up CPU scales tabular
# to its maximum before any traffic.
HPA_CPU_INIT="${PEAKREADY_K8S_HPA_CPU_INIT_PERIOD:-10s}"
HPA_READINESS_DELAY="${PEAKREADY_K8S_HPA_READINESS_DELAY:-5s}"
start kube-controller-manager "$K8S_BIN/kube-controller-manager" --kubeconfig "$KC" \
  --secure-port 0 --leader-elect=false \
  --service-account-private-key-file "$STATE/pki/sa.key" --root-ca-file "$STATE/pki/ca.crt" \
  --cluster-signing-cert-file "$STATE/pki/ca.crt" --cluster-signing-key-file "$STATE/pki/ca.key" \
  --horizontal-pod-autoscaler-sync-period 5s --horizontal-pod-autoscaler-cpu-initialization-period "$HPA_CPU_INIT" \
  --horizontal-pod-autoscaler-initial-readiness-delay "$HPA_READINESS_DELAY" --profiling=false
start kube-scheduler "$K8S_BIN/kube-scheduler" --kubeconfig "$KC" \
  --secure-port 0 --leader-elect=false --profiling=false
# kwok manages only nodes annotated as fake, makes their pods Running and Ready, and
# serves their emulated kubelet metrics on loopback (every fake node's address).
start kwok "$KWOK_BIN/kwok" --kubeconfig "$KC" --config "$KWOK_BIN/stages.yaml" --config "$KWOK_BIN/metrics.yaml" \
  --manage-all-nodes=false \
  --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
  --node-lease-duration-seconds 40 --cidr 10.244.0.0/16 \
  --node-ip 127.0.0.1 --node-port "$KWOK_PORT" --server-address "127.0.0.1:$KWOK_PORT" \
  --tls-cert-file "$STATE/pki/kwok.crt" --tls-private-key-file "$STATE/pki/kwok.key"
# metrics-server behind the aggregation layer, so HPAs get CPU and memory usage.
start metrics-server "$METRICS_SERVER_BIN/metrics-server" --kubeconfig "$KC" \
  --authentication-kubeconfig "$KC" --authorization-kubeconfig "$KC" \
  --bind-address 127.0.0.1 --secure-port "$METRICS_SERVER_PORT" --cert-dir "$STATE/metrics-server" \
  --kubelet-insecure-tls --kubelet-preferred-address-types InternalIP --kubelet-use-node-status-port \
  --metric-resolution 10s --kubelet-request-timeout 5s
# An ExternalName Service is how the aggregator reaches a server outside the cluster:
# it dials the name (here the loopback address) directly.
kubectl apply --server-side -f - >/dev/null <<YAML
apiVersion: v1
kind: Service
metadata: {name: metrics-server, namespace: kube-system}
spec: {type: ExternalName, externalName: 127.0.0.1, ports: [{port: $METRICS_SERVER_PORT}]}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec:
  group: metrics.k8s.io
  version: v1beta1
  insecureSkipTLSVerify: true
  groupPriorityMinimum: 100
  versionPriority: 100
  service: {name: metrics-server, namespace: kube-system, port: $METRICS_SERVER_PORT}
YAML

for j in "${CRD_JOBS[@]}"; do
  wait "$j" || { cat "$STATE/logs/crds.log" >&2; die "installing the CRDs of $CRDS failed"; }
done
kubectl wait --for condition=established --timeout "${READY_TIMEOUT_S}s" crd --all >/dev/null
log "CRDs installed: $(kubectl get crd -o name | wc -l)"

# Argo Rollouts' controller runs its analyses itself, so it must resolve the Services they
# name (prometheus.<ns>.svc) through the cluster's DNS: with a real node
# (PEAKREADY_K8S_ARGO_IN_CLUSTER=1, set by test-k8s.sh) node-up.sh runs it as a pod there, as
# on a user's cluster; on kwok's fake nodes it runs here.
ARGO_IN_CLUSTER="${PEAKREADY_K8S_ARGO_IN_CLUSTER:-0}"
if [[ $ARGO_IN_CLUSTER != 1 ]]; then
  start argo-rollouts "$ROLLOUTS_BIN/rollouts-controller" --kubeconfig "$KC" \
    --leader-elect=false --metricsport "$ROLLOUTS_METRICS_PORT" --healthzPort "$ROLLOUTS_HEALTH_PORT" \
    --loglevel info
fi
CHAOS_MESH=0
if [[ -x "$CHAOS_BIN/chaos-controller-manager" && "${PEAKREADY_K8S_CHAOS_MESH:-1}" != 0 ]]; then
  # Its admission webhooks are not registered with the API server, but the webhook
  # server still needs a certificate to start.
  mkdir -p "$STATE/chaos-certs"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=chaos-mesh-webhook" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$STATE/chaos-certs/tls.key" -out "$STATE/chaos-certs/tls.crt" 2>/dev/null
  kubectl create namespace chaos-mesh >/dev/null
  # The controller watches kinds peakready never renders (PodNetworkChaos, PodHttpChaos,
  # PodIOChaos, the cloud and JVM chaos kinds, ...): without their CRDs its caches never
  # sync, and it exits two minutes after starting. Those come from the controller's own
  # module source, the same commit as the binary; deploy/crds keeps what peakready renders.
  CHAOS_EXTRA_CRDS=()
  for f in "$(dirname "$CHAOS_BIN")"/src/config/crd/bases/chaos-mesh.org_*.yaml; do
    plural="${f##*/chaos-mesh.org_}"
    [[ -e "$CRDS/chaos-mesh/$plural" ]] || CHAOS_EXTRA_CRDS+=(-f "$f")
  done
  if [[ ${#CHAOS_EXTRA_CRDS[@]} -gt 0 ]]; then
    kubectl apply --server-side --force-conflicts "${CHAOS_EXTRA_CRDS[@]}" >>"$STATE/logs/crds.log" 2>&1 \
      || { cat "$STATE/logs/crds.log" >&2; die "installing the Chaos Mesh controller's own CRDs failed"; }
    kubectl wait --for condition=established --timeout "${READY_TIMEOUT_S}s" crd --all >/dev/null
  fi
  CHAOS_METRICS_PORT=$(free_port)
  # No chaos-daemon exists on fake nodes, so faults that need one fail to inject and
  # nothing is ever sent to a node address; pod-kill and pod-failure work through the API
  # alone. pod-failure swaps the containers' image for a pause image: the one the real node
  # has imported (node-build.sh), as no registry serves gcr.io's here.
  start chaos-mesh env KUBECONFIG="$KC" NAMESPACE=chaos-mesh ENABLE_LEADER_ELECTION=false \
    WEBHOOK_HOST=127.0.0.1 WEBHOOK_PORT="$(free_port)" METRICS_HOST=127.0.0.1 METRICS_PORT="$CHAOS_METRICS_PORT" \
    CERTS_DIR="$STATE/chaos-certs" SECURITY_MODE=false CHAOSD_SECURITY_MODE=false \
    POD_FAILURE_PAUSE_IMAGE="$PAUSE_IMAGE" \
    "$CHAOS_BIN/chaos-controller-manager"
  CHAOS_MESH=1
fi

# Fake nodes: two CPU nodes and one node with the GKE GPU pool's labels, so both
# overlays schedule. kwok keeps them Ready.
kubectl apply --server-side -f "$HERE/fake-nodes.yaml" >/dev/null
wait_for "fake nodes" kwok bash -c "[[ \$('$K8S_BIN/kubectl' --kubeconfig '$KC' get nodes --no-headers 2>/dev/null | grep -cw Ready) -ge 3 ]]"
# The ServiceAccount admission plugin refuses pods until the default account exists.
wait_for "default service account" kube-controller-manager kubectl -n default get serviceaccount default
[[ $ARGO_IN_CLUSTER == 1 ]] || wait_for "argo rollouts controller" argo-rollouts curl -fsS "http://127.0.0.1:$ROLLOUTS_HEALTH_PORT/healthz"
wait_for "metrics API (metrics-server)" metrics-server kubectl wait --for condition=Available --timeout 1s apiservice v1beta1.metrics.k8s.io
if [[ $CHAOS_MESH == 1 ]]; then
  wait_for "chaos mesh controller" chaos-mesh curl -fsS "http://127.0.0.1:$CHAOS_METRICS_PORT/metrics"
  # Serving metrics is not enough: a cache that cannot sync ends the process later.
  workers() { grep 'Starting workers' "$STATE/logs/chaos-mesh.log" | grep -q "\"controller\": \"$1\""; }
  wait_for "chaos mesh caches synced" chaos-mesh bash -c "$(declare -f workers); STATE='$STATE'; workers podchaos-pipeline && workers networkchaos-pipeline && workers stresschaos-pipeline"
fi

cat > "$STATE/env" <<ENV
export KUBECONFIG=$KC
export PEAKREADY_K8S_STATE=$STATE
export PEAKREADY_K8S_API=https://127.0.0.1:$API_PORT
export PEAKREADY_K8S_CHAOS_MESH=$CHAOS_MESH
export PEAKREADY_K8S_ARGO_IN_CLUSTER=$ARGO_IN_CLUSTER
ENV
trap - INT TERM EXIT
log "control plane ready in $(elapsed)s (kubeconfig $KC)"
printf '%s\n' "$(elapsed)" > "$STATE/ready-seconds"
echo "$KC"
