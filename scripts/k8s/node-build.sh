#!/usr/bin/env bash
# Builds or installs what the real test node (node-up.sh) runs, once:
#   node-kubernetes  kubelet and kube-proxy from k8s.io/kubernetes $K8S_VERSION (the API
#                    server's release), cached in $K8S_CACHE/node-kubernetes-<v>/bin
#   containerd       containerd 2.x, its runc shim and ctr (Go module proxy)
#   coredns          CoreDNS (Go module proxy)
#   crictl           cri-tools' crictl (Go module proxy): node-down.sh removes pods through CRI,
#                    so the CNI plugins tear down their interfaces and iptables rules
#   prometheus       Prometheus $PROMETHEUS_VERSION (Go module proxy) with Kubernetes service
#                    discovery only: what the node runs for the kind overlay's prom/prometheus,
#                    and node-up.sh's cluster Prometheus
#   prometheus-adapter  prometheus-adapter (sigs.k8s.io/prometheus-adapter, Go module proxy):
#                    node-up.sh serves custom.metrics.k8s.io with it, from the cluster Prometheus
#   pause            the sandbox image: build/pause/linux/pause.c of k8s.io/kubernetes,
#                    compiled static with gcc, as an OCI archive (pause.oci.tar)
#   chaos-daemon     Chaos Mesh's chaos-daemon (the controller's module and commit, build.sh
#                    chaos-mesh) and its pause helper (hack/pause.c, static), assembled with
#                    this machine's tc, ip, ipset, iptables, stress-ng and nsenter into
#                    chaos-daemon.oci.tar (image.sh chaos-daemon); node-up.sh runs it as a
#                    DaemonSet on the node
#   argo-rollouts    build.sh's static rollouts-controller as an image (argo-rollouts.oci.tar),
#                    which node-up.sh runs on the node with PEAKREADY_K8S_ARGO_IN_CLUSTER=1
#   debian           runc, the CNI plugins (bridge, portmap, host-local, loopback), iptables,
#                    jq (image.sh), gcc and libc6-dev (static pause), and what chaos-daemon
#                    runs: iproute2, ipset, stress-ng, util-linux - apt-get, only what is missing
# Each Go component is skipped when its binaries are there; build times go to
# $K8S_CACHE/build-times.tsv like build.sh's. Every compiler runs under nice -n 19.
# Usage: scripts/k8s/node-build.sh [debian|node-kubernetes|containerd|crictl|coredns|prometheus|prometheus-adapter|pause|chaos-daemon|argo-rollouts ...]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$HERE/versions.sh"

BUILD_LOG_TAG=node-build
# shellcheck source=build-lib.sh
source "$HERE/build-lib.sh"

DEBIAN_PKGS=(runc containernetworking-plugins iptables jq gcc libc6-dev iproute2 ipset stress-ng util-linux)
build_debian() {
  local missing=() p
  for p in "${DEBIAN_PKGS[@]}"; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $NICE apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build_node_kubernetes() {
  local out src start minor kdir staging ld vpkg
  out="$(bin_dir node-kubernetes "$K8S_VERSION")"
  have "$out" kubelet kube-proxy && return 0
  start=$SECONDS
  # Same wrapper module as build.sh's kubernetes component (staging modules replaced by
  # the published k8s.io/* of the same release), in its own folder: kubelet pulls in more
  # modules (cadvisor, ...) and tidying must not change the control plane's go.mod.
  src="$K8S_CACHE/node-kubernetes-$K8S_VERSION/src"
  mkdir -p "$src" "$out"
  kdir="$(mod_dir k8s.io/kubernetes "$K8S_VERSION")"
  staging="v0.${K8S_VERSION#v1.}"
  {
    printf 'module peakready.local/k8s-node-build\n\ngo 1.26.0\n\ngodebug default=go1.26\n\n'
    printf 'require k8s.io/kubernetes %s\n\nreplace (\n' "$K8S_VERSION"
    sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/src/.*#\t\1 => \1 '"$staging"'#p' "$kdir/go.mod"
    echo ")"
  } > "$src/go.mod"
  printf '//go:build tools\n\n// Package tools pins the node commands this module builds.\npackage tools\n\nimport (\n\t_ "k8s.io/kubernetes/cmd/kubelet"\n\t_ "k8s.io/kubernetes/cmd/kube-proxy"\n)\n' > "$src/tools.go"
  (cd "$src" && go mod tidy)
  minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  ld="$LDFLAGS_BASE"
  for vpkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $vpkg.gitVersion=$K8S_VERSION -X $vpkg.gitMajor=1 -X $vpkg.gitMinor=$minor"
    ld+=" -X $vpkg.gitTreeState=clean -X $vpkg.buildDate=1970-01-01T00:00:00Z"
  done
  (cd "$src" && $NICE go build -trimpath -ldflags "$ld" -o "$out/" \
    k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy)
  record node-kubernetes "$K8S_VERSION" $((SECONDS - start))
}

build_containerd() {
  local out src start
  out="$(bin_dir node-containerd "$CONTAINERD_VERSION")"
  have "$out" containerd containerd-shim-runc-v2 ctr && return 0
  start=$SECONDS
  src="$K8S_CACHE/node-containerd-$CONTAINERD_VERSION/src"
  module_copy github.com/containerd/containerd/v2 "$CONTAINERD_VERSION" "$src"
  mkdir -p "$out"
  # Static, without the snapshotters that need cgo or kernel features absent here
  # (overlayfs and native stay).
  (cd "$src" && $NICE go build -trimpath -tags "no_btrfs no_devmapper no_zfs no_aufs" \
    -ldflags "$LDFLAGS_BASE -X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION" \
    -o "$out/" ./cmd/containerd ./cmd/containerd-shim-runc-v2 ./cmd/ctr)
  record node-containerd "$CONTAINERD_VERSION" $((SECONDS - start))
}

build_coredns() {
  local out src start
  out="$(bin_dir node-coredns "$COREDNS_VERSION")"
  have "$out" coredns && return 0
  start=$SECONDS
  src="$K8S_CACHE/node-coredns-$COREDNS_VERSION/src"
  module_copy github.com/coredns/coredns "$COREDNS_VERSION" "$src"
  mkdir -p "$out"
  (cd "$src" && $NICE go build -trimpath -ldflags "$LDFLAGS_BASE" -o "$out/coredns" .)
  record node-coredns "$COREDNS_VERSION" $((SECONDS - start))
}

build_crictl() {
  local out src start
  out="$(bin_dir node-crictl "$CRICTL_VERSION")"
  have "$out" crictl && return 0
  start=$SECONDS
  src="$K8S_CACHE/node-crictl-$CRICTL_VERSION/src"
  module_copy sigs.k8s.io/cri-tools "$CRICTL_VERSION" "$src"
  mkdir -p "$out"
  (cd "$src" && $NICE go build -trimpath \
    -ldflags "$LDFLAGS_BASE -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION" \
    -o "$out/crictl" ./cmd/crictl)
  record node-crictl "$CRICTL_VERSION" $((SECONDS - start))
}

# Prometheus' cmd/prometheus with the service discovery plugins cut down to kubernetes (and
# the file and http ones it always has), the way its `make plugins` selects them from
# plugins.yml: plugins/plugins.go is that generated list. The web UI's assets are not
# embedded (no builtinassets tag); the API and /-/ready, which the overlay probes, are.
build_prometheus() {
  local out src start pkg
  out="$(bin_dir node-prometheus "$PROMETHEUS_VERSION")"
  have "$out" prometheus && return 0
  start=$SECONDS
  src="$K8S_CACHE/node-prometheus-$PROMETHEUS_VERSION/src"
  module_copy github.com/prometheus/prometheus "$PROMETHEUS_MODULE_VERSION" "$src"
  printf '// Generated by peakready scripts/k8s/node-build.sh (plugins.yml: kubernetes).\n\npackage plugins\n\nimport (\n\t// Register kubernetes plugin.\n\t_ "github.com/prometheus/prometheus/discovery/kubernetes"\n)\n' > "$src/plugins/plugins.go"
  mkdir -p "$out"
  pkg=github.com/prometheus/common/version
  (cd "$src" && $NICE go build -trimpath \
    -ldflags "$LDFLAGS_BASE -X $pkg.Version=${PROMETHEUS_VERSION#v} -X $pkg.Branch=HEAD -X $pkg.BuildUser=peakready -X $pkg.BuildDate=19700101-00:00:00" \
    -o "$out/prometheus" ./cmd/prometheus)
  record node-prometheus "$PROMETHEUS_VERSION" $((SECONDS - start))
}

# prometheus-adapter's cmd/adapter, as its Makefile builds it (no version stamped: it has none).
build_prometheus_adapter() {
  build_module_command node-prometheus-adapter "$PROMETHEUS_ADAPTER_VERSION" sigs.k8s.io/prometheus-adapter ./cmd/adapter prometheus-adapter
}

# The pause image: pause.c compiled static into a one-layer OCI archive (image.sh).
build_pause() {
  local out kdir start
  out="$K8S_CACHE/node-pause-$K8S_VERSION"
  [[ -f "$out/pause.oci.tar" && -x "$out/bin/pause" ]] && return 0
  start=$SECONDS
  command -v gcc >/dev/null || { log "gcc is not installed"; return 3; }
  kdir="$(mod_dir k8s.io/kubernetes "$K8S_VERSION")"
  rm -rf "$out"; mkdir -p "$out/bin" "$out/rootfs"
  $NICE gcc -Os -static -Wall -Werror -DVERSION="\"$K8S_VERSION-peakready\"" \
    -o "$out/bin/pause" "$kdir/build/pause/linux/pause.c"
  strip "$out/bin/pause"
  install -m 0755 "$out/bin/pause" "$out/rootfs/pause"
  bash "$HERE/image.sh" rootfs "$out/rootfs" "$PAUSE_IMAGE" "$out/pause.oci.tar" \
    --user 65535:65535 --entrypoint '["/pause"]'
  rm -rf "$out/rootfs"
  record node-pause "$K8S_VERSION" $((SECONDS - start))
}

# chaos-daemon, as the chart's DaemonSet runs it, in an image assembled here (no registry):
# the upstream image's Debian tools come from this machine, its nsexec (a Rust binary
# published only on GitHub) is scripts/k8s/chaos-daemon/nsexec over util-linux's nsenter.
build_chaos_daemon() {
  local out src start
  out="$K8S_CACHE/node-chaos-daemon-$CHAOS_MESH_VERSION"
  [[ -f "$out/chaos-daemon.oci.tar" ]] && have "$out/bin" chaos-daemon pause && return 0
  start=$SECONDS
  command -v gcc >/dev/null || { log "gcc is not installed"; return 3; }
  src="$out/src"
  chaos_mesh_src "$src"
  mkdir -p "$out/bin"
  # cgo: the daemon links chaos-driver's client, which has no pure-Go build.
  (cd "$src" && CGO_ENABLED=1 $NICE go build -trimpath -ldflags "$LDFLAGS_BASE" -o "$out/bin/chaos-daemon" ./cmd/chaos-daemon)
  $NICE gcc -Os -static -Wall -o "$out/bin/pause" "$src/hack/pause.c"
  strip "$out/bin/pause"
  bash "$HERE/image.sh" chaos-daemon "$CHAOS_DAEMON_IMAGE" "$out/chaos-daemon.oci.tar" "$out/bin"
  record node-chaos-daemon "$CHAOS_MESH_VERSION" $((SECONDS - start))
}

# Argo Rollouts' controller image: the binary build.sh rollouts cached, nothing else (it is static).
build_argo_rollouts_image() {
  local out bin
  out="$K8S_CACHE/node-argo-rollouts-$ROLLOUTS_VERSION"
  [[ -f "$out/argo-rollouts.oci.tar" ]] && return 0
  bin="$(bin_dir argo-rollouts "$ROLLOUTS_VERSION")/rollouts-controller"
  [[ -x "$bin" ]] || { log "missing $bin: run scripts/k8s/build.sh rollouts"; return 3; }
  mkdir -p "$out"
  bash "$HERE/image.sh" binaries "$ARGO_ROLLOUTS_IMAGE" "$out/argo-rollouts.oci.tar" "$bin" -- --entrypoint '["rollouts-controller"]'
}

main() {
  local parts=("$@")
  [[ ${#parts[@]} -gt 0 ]] || parts=(debian pause containerd crictl node-kubernetes coredns prometheus prometheus-adapter chaos-daemon argo-rollouts)
  command -v go >/dev/null || { log "go is not installed (Go >= 1.26 is needed)"; exit 3; }
  for p in "${parts[@]}"; do
    case "$p" in
      debian) build_debian ;;
      node-kubernetes|kubelet) build_node_kubernetes ;;
      containerd) build_containerd ;;
      coredns) build_coredns ;;
      crictl) build_crictl ;;
      pause) build_pause ;;
      prometheus) build_prometheus ;;
      prometheus-adapter) build_prometheus_adapter ;;
      chaos-daemon) build_chaos_daemon ;;
      argo-rollouts) build_argo_rollouts_image ;;
      *) log "unknown component: $p (expected debian, node-kubernetes, containerd, crictl, coredns, prometheus, prometheus-adapter, chaos-daemon, argo-rollouts or pause)"; exit 2 ;;
    esac
  done
}
main "$@"
