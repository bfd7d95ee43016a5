#!/usr/bin/env bash
# Pinned versions of the test control plane and where its binaries are cached.
# Sourced by build.sh, up.sh, down.sh and test-k8s.sh; change a version here and
# build.sh rebuilds only that component (the cache is keyed by component and version).
K8S_VERSION="${K8S_VERSION:-v1.37.2}"
# etcd 3.7.0 is the version kubernetes v1.37 pins in hack/lib/etcd.sh; Debian's
# etcd-server is 3.4, which the API server no longer supports.
ETCD_VERSION="${ETCD_VERSION:-v3.7.0}"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
# v1.10.2 declares `go 1.26.10`, newer than the Go 1.26.8 installed here; v1.10.1 builds as is.
ROLLOUTS_VERSION="${ROLLOUTS_VERSION:-v1.10.1}"
# Chaos Mesh tags no Go-module versions: the proxy serves only pseudo-versions, and its
# nested api module only at a later commit, which replaces the ./api the zip lacks.
CHAOS_MESH_VERSION="${CHAOS_MESH_VERSION:-v0.9.1-0.20260902003049-47411975a8cb}"
CHAOS_MESH_API_VERSION="${CHAOS_MESH_API_VERSION:-v0.0.0-20260906172039-d70b66ad97ac}"
METRICS_SERVER_VERSION="${METRICS_SERVER_VERSION:-v0.8.0}"
# The real node (node-build.sh): kubelet and kube-proxy come from K8S_VERSION;
# containerd 2.x as the issue prefers (Debian's is 1.6); runc and the CNI plugins are Debian's.
CONTAINERD_VERSION="${CONTAINERD_VERSION:-v2.4.2}"
COREDNS_VERSION="${COREDNS_VERSION:-v1.15.0}"
CRICTL_VERSION="${CRICTL_VERSION:-v1.37.0}"
# The kind overlay's prom/prometheus:v3.5.0, built from the Go module proxy (Prometheus 3.x
# publishes its module as v0.3xx.y: v3.5.0 is v0.305.0). Debian's prometheus has no
# Kubernetes service discovery, which the overlay's scrape config needs.
PROMETHEUS_VERSION="${PROMETHEUS_VERSION:-v3.5.0}"
PROMETHEUS_MODULE_VERSION="${PROMETHEUS_MODULE_VERSION:-v0.305.0}"
# The node's custom-metrics adapter (node-build.sh prometheus-adapter, node-up.sh): v0.12.0 is
# the newest release the Go module proxy serves (declares go 1.22.1; builds with Go 1.26).
PROMETHEUS_ADAPTER_VERSION="${PROMETHEUS_ADAPTER_VERSION:-v0.12.0}"
# The real node's chaos-daemon image (node-build.sh chaos-daemon), never pulled.
CHAOS_DAEMON_IMAGE="${CHAOS_DAEMON_IMAGE:-peakready.local/chaos-daemon:${CHAOS_MESH_VERSION##*-}}"
# Argo Rollouts' controller as the real node runs it (node-build.sh argo-rollouts), never pulled.
ARGO_ROLLOUTS_IMAGE="${ARGO_ROLLOUTS_IMAGE:-peakready.local/argo-rollouts:$ROLLOUTS_VERSION}"
# The sandbox image node-build.sh assembles from pause.c; never pulled (no registry).
PAUSE_IMAGE="${PAUSE_IMAGE:-peakready.local/pause:$K8S_VERSION}"
K8S_CACHE="${PEAKREADY_K8S_CACHE:-$HOME/.cache/peakready/k8s}"

# bin_dir COMPONENT VERSION -> directory holding that component's binaries.
bin_dir() { printf '%s/%s-%s/bin' "$K8S_CACHE" "$1" "$2"; }
