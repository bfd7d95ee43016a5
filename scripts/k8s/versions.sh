#!/usr/bin/env bash
# Pinned versions of the test control plane and where its binaries are cached.
# Sourced by build.sh, up.sh, down.sh and test-k8s.sh; change a version here and
# build.sh rebuilds only that component (the cache is keyed by component and version).
K8S_VERSION="${K8S_VERSION:-v1.37.2}"
# etcd 3.7.0 is the version kubernetes v1.37 pins in hack/lib/etcd.sh; Debian's
# etcd-server is 3.4, which the API server no longer supports.
ETCD_VERSION="${ETCD_VERSION:-v3.7.0}"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
ROLLOUTS_VERSION="${ROLLOUTS_VERSION:-v1.10.2}"
K8S_CACHE="${PEAKREADY_K8S_CACHE:-$HOME/.cache/peakready/k8s}"

# bin_dir COMPONENT VERSION -> directory holding that component's binaries.
bin_dir() { printf '%s/%s-%s/bin' "$K8S_CACHE" "$1" "$2"; }
