#!/usr/bin/env bash
# What build.sh and node-build.sh share: build settings and small helpers. Sourced after
# versions.sh; the sourcing script sets BUILD_LOG_TAG (its log prefix) first.

# Builds run at the lowest priority: the machine is shared and a build is never urgent.
NICE="nice -n 19"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export CGO_ENABLED=0
LDFLAGS_BASE="-s -w"

log() { printf '[%s] %s\n' "${BUILD_LOG_TAG:-k8s-build}" "$*" >&2; }

# record COMPONENT VERSION SECONDS -> appends to $K8S_CACHE/build-times.tsv.
record() {
  mkdir -p "$K8S_CACHE"
  printf '%s\t%s\t%ss\t%s\n' "$1" "$2" "$3" "$(date -u +%FT%TZ)" >> "$K8S_CACHE/build-times.tsv"
  log "$1 $2 built in ${3}s"
}

# have DIR NAME... -> true when every named binary exists in DIR.
have() {
  local dir="$1"; shift
  for b in "$@"; do [[ -x "$dir/$b" ]] || return 1; done
}

# mod_dir MODULE VERSION -> the module cache folder of a downloaded module.
mod_dir() { go mod download -json "$1@$2" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p'; }

# module_copy MODULE VERSION DEST -> writable copy of a downloaded module, so it can be
# built as the main module with its own go.mod (and its replace directives).
module_copy() {
  local mod="$1" ver="$2" dest="$3" dir
  dir="$(mod_dir "$mod" "$ver")"
  [[ -n "$dir" ]] || { log "cannot download $mod@$ver"; return 1; }
  rm -rf "$dest"; mkdir -p "$(dirname "$dest")"
  cp -r "$dir" "$dest"; chmod -R u+w "$dest"
}

# chaos_mesh_src DEST -> Chaos Mesh's module at $CHAOS_MESH_VERSION, ready to build: the
# proxy's zip lacks the nested ./api module, which a later commit's published one replaces.
# build.sh builds the controller from it, node-build.sh the node's chaos-daemon.
chaos_mesh_src() {
  local dest="$1"
  module_copy github.com/chaos-mesh/chaos-mesh "$CHAOS_MESH_VERSION" "$dest" || return 1
  (cd "$dest" && go mod edit -replace "github.com/chaos-mesh/chaos-mesh/api=github.com/chaos-mesh/chaos-mesh/api@$CHAOS_MESH_API_VERSION" \
    && go mod tidy -e >/dev/null 2>&1 || true)
}

# build_module_command COMPONENT VERSION MODULE PKG BIN -> MODULE@VERSION's command PKG, built
# once as the main module into $K8S_CACHE/COMPONENT-VERSION/bin/BIN (recorded in build-times.tsv).
build_module_command() {
  local component="$1" version="$2" module="$3" pkg="$4" bin="$5" out src start
  out="$(bin_dir "$component" "$version")"
  have "$out" "$bin" && return 0
  start=$SECONDS
  src="$K8S_CACHE/$component-$version/src"
  module_copy "$module" "$version" "$src" || return 1
  mkdir -p "$out"
  (cd "$src" && $NICE go build -trimpath -ldflags "$LDFLAGS_BASE" -o "$out/$bin" "$pkg")
  record "$component" "$version" $((SECONDS - start))
}
