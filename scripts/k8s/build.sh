#!/usr/bin/env bash
# Builds the binaries of the test control plane from the Go module proxy, once:
# each component is cached under $K8S_CACHE/<component>-<version>/bin and skipped
# when its binaries are already there. Build times go to $K8S_CACHE/build-times.tsv.
# Usage: scripts/k8s/build.sh [kubernetes|etcd|kwok|rollouts|metrics-server|chaos-mesh ...]
#   (default: all but chaos-mesh, which test-k8s.sh builds as its own step; the suite fails without it)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$HERE/versions.sh"

BUILD_LOG_TAG=k8s-build
# shellcheck source=build-lib.sh
source "$HERE/build-lib.sh"

build_kubernetes() {
  local out src minor start
  out="$(bin_dir kubernetes "$K8S_VERSION")"
  have "$out" kube-apiserver kube-controller-manager kube-scheduler kubectl && return 0
  start=$SECONDS
  src="$K8S_CACHE/kubernetes-$K8S_VERSION/src"
  mkdir -p "$src" "$out"
  # k8s.io/kubernetes points its staging modules at ./staging, which module zips leave
  # out; a wrapper module requires it and replaces each staging module with the
  # published k8s.io/<name> v0.<minor>.<patch> of the same release.
  local kdir staging
  kdir="$(mod_dir k8s.io/kubernetes "$K8S_VERSION")"
  staging="v0.${K8S_VERSION#v1.}"
  {
    echo "module peakready.local/k8s-build"
    echo
    echo "go 1.26.0"
    echo
    echo "godebug default=go1.26"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\t\1 => \1 '"$staging"'#p' "$kdir/go.mod"
    echo ")"
  } > "$src/go.mod"
  cat > "$src/tools.go" <<'GO'
//go:build tools

// Package tools pins the kubernetes commands this module builds.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  (cd "$src" && go mod tidy)
  minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  local vpkg ld
  ld="$LDFLAGS_BASE"
  for vpkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $vpkg.gitVersion=$K8S_VERSION -X $vpkg.gitMajor=1 -X $vpkg.gitMinor=$minor"
    ld+=" -X $vpkg.gitTreeState=clean -X $vpkg.buildDate=1970-01-01T00:00:00Z"
  done
  (cd "$src" && $NICE go build -trimpath -ldflags "$ld" -o "$out/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
  record kubernetes "$K8S_VERSION" $((SECONDS - start))
}

build_etcd() {
  local out src start
  out="$(bin_dir etcd "$ETCD_VERSION")"
  have "$out" etcd && return 0
  start=$SECONDS
  # The server module replaces its sibling modules with ../api etc., which a module zip
  # lacks: a wrapper module requires it by version and builds its main package.
  src="$K8S_CACHE/etcd-$ETCD_VERSION/src"
  mkdir -p "$src" "$out"
  printf 'module peakready.local/etcd-build\n\ngo 1.26.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" > "$src/go.mod"
  printf '//go:build tools\n\n// Package tools pins the etcd server this module builds.\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' > "$src/tools.go"
  (cd "$src" && go mod tidy)
  (cd "$src" && $NICE go build -trimpath -ldflags "$LDFLAGS_BASE" -o "$out/etcd" go.etcd.io/etcd/server/v3)
  record etcd "$ETCD_VERSION" $((SECONDS - start))
}

build_kwok() {
  local out src start
  out="$(bin_dir kwok "$KWOK_VERSION")"
  have "$out" kwok kwokctl && [[ -f "$out/stages.yaml" && -f "$out/metrics.yaml" ]] && return 0
  start=$SECONDS
  src="$K8S_CACHE/kwok-$KWOK_VERSION/src"
  module_copy sigs.k8s.io/kwok "$KWOK_VERSION" "$src"
  mkdir -p "$out"
  (cd "$src" && $NICE go build -trimpath \
    -ldflags "$LDFLAGS_BASE -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" \
    -o "$out/" ./cmd/kwok ./cmd/kwokctl)
  # kwok ships no default behaviour: its stages (node Ready with a lease heartbeat, pods
  # Running and Ready, deletion) come from the module's kustomize/stage folder.
  local f
  for f in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
    pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
    printf -- '---\n'; cat "$src/kustomize/stage/$f.yaml"
  done > "$out/stages.yaml"
  # Emulated kubelet resource metrics, with each pod's usage read from its
  # kwok.x-k8s.io/usage-cpu / usage-memory annotations (what metrics-server scrapes).
  { cat "$src/kustomize/metrics/resource/metrics-resource.yaml"; printf -- '---\n'
    cat "$src/kustomize/metrics/usage/usage-from-annotation.yaml"; } > "$out/metrics.yaml"
  record kwok "$KWOK_VERSION" $((SECONDS - start))
}

build_rollouts() {
  local out src start
  out="$(bin_dir argo-rollouts "$ROLLOUTS_VERSION")"
  have "$out" rollouts-controller && return 0
  start=$SECONDS
  src="$K8S_CACHE/argo-rollouts-$ROLLOUTS_VERSION/src"
  module_copy github.com/argoproj/argo-rollouts "$ROLLOUTS_VERSION" "$src"
  mkdir -p "$out"
  (cd "$src" && $NICE go build -trimpath -ldflags "$LDFLAGS_BASE" \
    -o "$out/rollouts-controller" ./cmd/rollouts-controller)
  record argo-rollouts "$ROLLOUTS_VERSION" $((SECONDS - start))
}

build_metrics_server() {
  build_module_command metrics-server "$METRICS_SERVER_VERSION" sigs.k8s.io/metrics-server ./cmd/metrics-server metrics-server
}

build_chaos_mesh() {
  local out src start
  out="$(bin_dir chaos-mesh "$CHAOS_MESH_VERSION")"
  have "$out" chaos-controller-manager && return 0
  start=$SECONDS
  src="$K8S_CACHE/chaos-mesh-$CHAOS_MESH_VERSION/src"
  chaos_mesh_src "$src"
  mkdir -p "$out"
  (cd "$src" && $NICE go build -trimpath -ldflags "$LDFLAGS_BASE" \
    -o "$out/chaos-controller-manager" ./cmd/chaos-controller-manager)
  record chaos-mesh "$CHAOS_MESH_VERSION" $((SECONDS - start))
}

main() {
  local parts=("$@")
  [[ ${#parts[@]} -gt 0 ]] || parts=(etcd kubernetes kwok rollouts metrics-server)
  command -v go >/dev/null || { log "go is not installed (Go >= 1.26 is needed)"; exit 3; }
  for p in "${parts[@]}"; do
    case "$p" in
      kubernetes|etcd|kwok|rollouts) "build_$p" ;;
      chaos-mesh) build_chaos_mesh ;;
      metrics-server) build_metrics_server ;;
      *) log "unknown component: $p (expected kubernetes, etcd, kwok, rollouts, metrics-server or chaos-mesh)"; exit 2 ;;
    esac
  done
}
main "$@"
exit 0
