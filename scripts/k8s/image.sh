#!/usr/bin/env bash
# Assembles container images without a registry or a Docker daemon, as OCI archives that
# `ctr -n k8s.io images import` loads (node-up.sh does that for the real test node).
#
#   image.sh rootfs DIR NAME OUT.tar [--user U] [--entrypoint JSON] [--cmd JSON]
#                                    [--workdir D] [--env K=V]...
#       one uncompressed layer holding DIR (owned by root, mtimes zeroed: same input, same
#       digest), tagged NAME. --env PATH=... replaces the default PATH.
#   image.sh stack NAME OUT.tar
#       the stack image of deploy/Dockerfile: the files listed in deploy/image-files.txt
#       (built as its build stage does: scripts/build.mjs, then npm prune --omit=dev), this
#       machine's node binary with the shared libraries it loads, and the Dockerfile's final
#       USER, WORKDIR, ENV, ENTRYPOINT and CMD, read from the Dockerfile itself. Fails when
#       the Dockerfile's final COPY lines and image-files.txt disagree.
#   image.sh binaries NAME OUT.tar BIN... [-- rootfs options]
#       an image of host binaries with the shared libraries they load (plus /etc/passwd with
#       nobody, /tmp), e.g. local stand-ins for the redis and prometheus images of the kind
#       overlay from Debian's redis-server, redis-cli and prometheus.
#   image.sh stand-ins OUTDIR
#       OUTDIR/redis.oci.tar (peakready.local/redis:debian, Debian's redis-server) and
#       OUTDIR/prometheus.oci.tar (peakready.local/prometheus:$PROMETHEUS_VERSION, built by
#       node-build.sh prometheus): what the real test node runs for the kind overlay's
#       redis:7.4-alpine and prom/prometheus, which no registry here serves.
#   image.sh chaos-daemon NAME OUT.tar BINDIR
#       the real node's chaos-daemon: BINDIR/chaos-daemon and BINDIR/pause (node-build.sh
#       chaos-daemon) and scripts/k8s/chaos-daemon/nsexec in /usr/local/bin, where the
#       daemon runs them from, with this machine's tc, ip, ipset, iptables (and its
#       extensions), stress-ng, nsenter and setpriv: the tools of the upstream image that
#       peakready's network and stress faults use.
#   image.sh flask-stack NAME OUT.tar
#       the flask-stack fixture (test/fixtures/flask-stack): the venv that its setup.sh
#       builds, at the same absolute path as on this machine (its symlinks, pyvenv.cfg and
#       script shebangs name that path) and also reachable as /opt/venv, with its models;
#       the interpreter the venv was made from, its standard library (without test,
#       idlelib, tkinter, ensurepip, lib2to3 and the static libpython) and the shared
#       libraries that it and the venv's compiled extensions load from this machine;
#       app.py and model_server.py in /app (WORKDIR); user 10001; PATH with the venv's bin
#       first, MODELS_DIR, PYTHONDONTWRITEBYTECODE and PYTHONUNBUFFERED. Bytecode is
#       compiled hash-based, since the archive zeroes the mtimes that timestamp-based .pyc
#       files are checked against. No ENTRYPOINT: the manifests give the command.
#   image.sh dockerfile-json
#       prints what `stack` reads from the Dockerfile (for the test that checks agreement).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
DOCKERFILE="$REPO/deploy/Dockerfile"
FILES_LIST="$REPO/deploy/image-files.txt"
# node:22-slim's PATH, which the Dockerfile inherits.
BASE_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

log() { printf '[image] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 3; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }

# normalize NAME -> the reference the kubelet asks containerd for: docker.io/ (and library/)
# before a name without a registry, :latest without a tag (peakready/stack ->
# docker.io/peakready/stack:latest). An image imported under the short name is not found
# (ErrImageNeverPull).
normalize() {
  local n="$1" first="${1%%/*}"
  if [[ "$n" != */* ]]; then n="docker.io/library/$n"
  elif [[ "$first" != *.* && "$first" != *:* && "$first" != localhost ]]; then n="docker.io/$n"; fi
  [[ "${n##*/}" == *:* || "$n" == *@* ]] || n="$n:latest"
  printf '%s' "$n"
}

# oci_archive DIR NAME OUT CONFIG_JSON -> writes the OCI archive (config.config = CONFIG_JSON).
oci_archive() {
  local dir="$1" name out="$3" cfg="$4" work layer ldig lsize cdig csize mdig msize
  name="$(normalize "$2")"
  work="$(mktemp -d "${TMPDIR:-/tmp}/peakready-oci.XXXXXX")"
  mkdir -p "$work/blobs/sha256"
  layer="$work/layer.tar"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu \
    -C "$dir" -cf "$layer" .
  ldig="$(sha "$layer")"; lsize="$(size "$layer")"
  mv "$layer" "$work/blobs/sha256/$ldig"
  jq -n --argjson c "$cfg" --arg d "sha256:$ldig" '{
    architecture: "amd64", os: "linux", config: $c,
    rootfs: {type: "layers", diff_ids: [$d]},
    history: [{created_by: "peakready scripts/k8s/image.sh"}]
  }' > "$work/config.json"
  cdig="$(sha "$work/config.json")"; csize="$(size "$work/config.json")"
  mv "$work/config.json" "$work/blobs/sha256/$cdig"
  jq -n --arg cd "sha256:$cdig" --argjson cs "$csize" --arg ld "sha256:$ldig" --argjson ls "$lsize" '{
    schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
    layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $ld, size: $ls}]
  }' > "$work/manifest.json"
  mdig="$(sha "$work/manifest.json")"; msize="$(size "$work/manifest.json")"
  mv "$work/manifest.json" "$work/blobs/sha256/$mdig"
  jq -n --arg md "sha256:$mdig" --argjson ms "$msize" --arg name "$name" --arg tag "${name##*:}" '{
    schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
      annotations: {"io.containerd.image.name": $name, "org.opencontainers.image.ref.name": $tag}}]
  }' > "$work/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' > "$work/oci-layout"
  mkdir -p "$(dirname "$out")"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work" -cf "$out.tmp" oci-layout index.json blobs
  mv "$out.tmp" "$out"
  rm -rf "$work"
  log "$name -> $out ($(du -h "$out" | cut -f1), manifest sha256:$mdig)"
}

cmd_rootfs() {
  local dir="$1" name="$2" out="$3"; shift 3
  local user="" entry="null" cmd="null" workdir="/" env=("PATH=$BASE_PATH")
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --user) user="$2"; shift 2 ;;
      --entrypoint) entry="$2"; shift 2 ;;
      --cmd) cmd="$2"; shift 2 ;;
      --workdir) workdir="$2"; shift 2 ;;
      --env) if [[ "$2" == PATH=* ]]; then env[0]="$2"; else env+=("$2"); fi; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  [[ -d "$dir" ]] || die "$dir is not a directory"
  local cfg
  cfg="$(jq -n --arg u "$user" --argjson e "$entry" --argjson c "$cmd" --arg w "$workdir" \
    --args '{User: $u, Entrypoint: $e, Cmd: $c, WorkingDir: $w, Env: $ARGS.positional}' "${env[@]}")"
  oci_archive "$dir" "$name" "$out" "$cfg"
}

# The final stage of deploy/Dockerfile as JSON: user, workdir, env, entrypoint, cmd,
# exposed ports and the files it copies from the build stage.
dockerfile_json() {
  node - "$DOCKERFILE" <<'JS'
const fs = require('fs');
const text = fs.readFileSync(process.argv[2], 'utf8').replace(/\\\n/g, ' ');
const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const last = lines.map((l, i) => [l, i]).filter(([l]) => /^FROM\s/i.test(l)).pop()[1];
const out = { user: '', workdir: '/', env: [], entrypoint: null, cmd: null, expose: [], copies: [], otherCopies: [] };
for (const l of lines.slice(last + 1)) {
  const [, ins, rest] = l.match(/^(\w+)\s+(.*)$/);
  switch (ins.toUpperCase()) {
    case 'USER': out.user = rest; break;
    case 'WORKDIR': out.workdir = rest; break;
    case 'ENV': {
      const m = rest.match(/^(\S+)\s+(.*)$/);
      if (m && !m[1].includes('=')) out.env.push(`${m[1]}=${m[2]}`);
      else for (const kv of rest.split(/\s+/)) out.env.push(kv);
      break;
    }
    case 'ENTRYPOINT': out.entrypoint = JSON.parse(rest); break;
    case 'CMD': out.cmd = JSON.parse(rest); break;
    case 'EXPOSE': out.expose.push(...rest.split(/\s+/)); break;
    case 'COPY': {
      const m = rest.match(/^--from=build\s+\/app\/(\S+)\s+\.\/(\S+)$/);
      if (m && m[1] === m[2]) out.copies.push(m[1]); else out.otherCopies.push(rest);
      break;
    }
  }
}
console.log(JSON.stringify(out));
JS
}

list_files() { sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$FILES_LIST" | grep -v '^$'; }

cmd_stack() {
  local name="$1" out="$2" df stage f lib nodebin
  df="$(dockerfile_json)"
  # One list of files for both: the Dockerfile's final COPY lines must be image-files.txt.
  if [[ "$(jq -r '.copies | sort | .[]' <<<"$df")" != "$(list_files | sort)" || "$(jq '.otherCopies | length' <<<"$df")" != 0 ]]; then
    die "deploy/Dockerfile copies $(jq -c '.copies + .otherCopies' <<<"$df") but deploy/image-files.txt lists $(list_files | tr '\n' ' ')"
  fi
  [[ -d "$REPO/node_modules" ]] || die "node_modules missing: run npm ci first"
  stage="$(mktemp -d "${TMPDIR:-/tmp}/peakready-stack-image.XXXXXX")"
  trap 'rm -rf "$stage"; trap - RETURN' RETURN
  # The build stage: transpile src/ and keep only the production dependencies.
  mkdir -p "$stage/app"
  cp "$REPO/package.json" "$REPO/package-lock.json" "$stage/app/"
  cp -r "$REPO/src" "$REPO/scripts" "$stage/app/"
  cp -a "$REPO/node_modules" "$stage/app/node_modules"
  (cd "$stage/app" && nice -n 19 node "$REPO/scripts/build.mjs" --clean >&2 \
    && nice -n 19 npm prune --omit=dev --offline --no-audit --no-fund >/dev/null 2>&1) \
    || die "building the image's files failed"
  # Tool caches a fresh npm ci would not have.
  rm -rf "$stage/app/node_modules/.vite" "$stage/app/node_modules/.vite-temp" "$stage/app/node_modules/.cache"
  # The final stage: the listed files, node with its shared libraries, the user.
  mkdir -p "$stage/rootfs/app" "$stage/rootfs/usr/local/bin" "$stage/rootfs/etc" "$stage/rootfs/tmp"
  chmod 1777 "$stage/rootfs/tmp"
  while read -r f; do cp -a "$stage/app/$f" "$stage/rootfs/app/$f"; done < <(list_files)
  nodebin="$(readlink -f "$(command -v node)")"
  cp "$nodebin" "$stage/rootfs/usr/local/bin/node"
  for lib in $(ldd "$nodebin" | grep -o '/[^ ]*'); do
    mkdir -p "$stage/rootfs$(dirname "$lib")"; cp -L "$lib" "$stage/rootfs$lib"
  done
  local uid gid
  uid="$(jq -r '.user | split(":")[0]' <<<"$df")"
  gid="$(jq -r '.user | split(":")[1] // split(":")[0]' <<<"$df")"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\npeakready:x:%s:%s::/app:/usr/sbin/nologin\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n' "$uid" "$gid" > "$stage/rootfs/etc/passwd"
  printf 'root:x:0:\npeakready:x:%s:\nnogroup:x:65534:\n' "$gid" > "$stage/rootfs/etc/group"
  local args=(--user "$(jq -r .user <<<"$df")" --workdir "$(jq -r .workdir <<<"$df")"
    --entrypoint "$(jq -c .entrypoint <<<"$df")" --cmd "$(jq -c .cmd <<<"$df")")
  while read -r f; do args+=(--env "$f"); done < <(jq -r '.env[]' <<<"$df")
  cmd_rootfs "$stage/rootfs" "$name" "$out" "${args[@]}"
}

# copy_binary ROOTFS BIN -> BIN at its host path (and /usr/local/bin/<name>) with its libraries.
copy_binary() {
  local root="$1" bin lib
  bin="$(readlink -f "$(command -v "$2")")" || die "$2 not found"
  mkdir -p "$root$(dirname "$bin")" "$root/usr/local/bin"
  cp "$bin" "$root$bin"
  [[ -e "$root/usr/local/bin/$(basename "$2")" ]] || ln -s "$bin" "$root/usr/local/bin/$(basename "$2")"
  copy_libs "$root" "$bin"
}

# copy_libs ROOTFS BIN -> the shared libraries BIN loads, at their host paths.
copy_libs() {
  local lib
  for lib in $(ldd "$2" 2>/dev/null | grep -o '/[^ ]*'); do
    mkdir -p "$1$(dirname "$lib")"; cp -L "$lib" "$1$lib"
  done
}

# binaries_rootfs ROOTFS BIN... -> host binaries with their libraries, /etc/passwd and
# /etc/group with root and nobody, and /tmp.
binaries_rootfs() {
  local root="$1" b; shift
  mkdir -p "$root/etc" "$root/tmp"; chmod 1777 "$root/tmp"
  for b in "$@"; do copy_binary "$root" "$b"; done
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
}

cmd_binaries() {
  local name="$1" out="$2" stage; shift 2
  local bins=()
  while [[ $# -gt 0 && "$1" != -- ]]; do bins+=("$1"); shift; done
  [[ "${1:-}" == -- ]] && shift
  stage="$(mktemp -d "${TMPDIR:-/tmp}/peakready-bin-image.XXXXXX")"
  trap 'rm -rf "$stage"; trap - RETURN' RETURN
  binaries_rootfs "$stage/rootfs" "${bins[@]}"
  cmd_rootfs "$stage/rootfs" "$name" "$out" "$@"
}

cmd_chaos_daemon() {
  local name="$1" out="$2" bins="$3" stage root b xt
  stage="$(mktemp -d "${TMPDIR:-/tmp}/peakready-chaos-daemon-image.XXXXXX")"
  trap 'rm -rf "$stage"; trap - RETURN' RETURN
  root="$stage/rootfs"
  binaries_rootfs "$root" tc ip ipset iptables stress-ng nsenter setpriv dash
  mkdir -p "$root/run"
  ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"; ln -s dash "$root/usr/bin/sh"
  # iptables loads its match and target extensions at run time.
  xt=/usr/lib/x86_64-linux-gnu/xtables
  [[ -d "$xt" ]] || die "iptables extensions not found in $xt"
  mkdir -p "$root$xt"; cp -L "$xt"/*.so "$root$xt/"
  for b in chaos-daemon pause; do
    [[ -x "$bins/$b" ]] || die "$bins/$b missing: run scripts/k8s/node-build.sh chaos-daemon"
    rm -f "$root/usr/local/bin/$b"; install -m 0755 "$bins/$b" "$root/usr/local/bin/$b"
    copy_libs "$root" "$bins/$b"
  done
  install -m 0755 "$HERE/chaos-daemon/nsexec" "$root/usr/local/bin/nsexec"
  cmd_rootfs "$root" "$name" "$out" --entrypoint '["/usr/local/bin/chaos-daemon"]' --env TZ=UTC
}

# copy_symlinks ROOTFS PATH -> the chain of symlinks from PATH to a file, at their host paths.
copy_symlinks() {
  local p="$2" t
  while [[ -L "$p" ]]; do
    mkdir -p "$1$(dirname "$p")"; cp -P "$p" "$1$p"
    t="$(readlink "$p")"; [[ "$t" == /* ]] || t="$(dirname "$p")/$t"; p="$t"
  done
}

cmd_flask_stack() {
  local name="$1" out="$2" fixture="$REPO/test/fixtures/flask-stack" stage root json venv models py stdlib f lib
  umask 022
  json="$(bash "$fixture/setup.sh" | tail -n 1)" || die "test/fixtures/flask-stack/setup.sh failed"
  venv="$(dirname "$(dirname "$(jq -r .python <<<"$json")")")"; models="$(jq -r .models <<<"$json")"
  [[ -f "$venv/pyvenv.cfg" && -d "$models" ]] || die "setup.sh printed $json: no venv or models there"
  py="$(readlink -f "$venv/bin/python")"
  stdlib="$("$py" -I -S -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
  stage="$(mktemp -d "${TMPDIR:-/tmp}/peakready-flask-stack-image.XXXXXX")"
  trap 'rm -rf "$stage"; trap - RETURN' RETURN
  root="$stage/rootfs"
  mkdir -p "$root/etc" "$root/tmp" "$root/app" "$root/opt" "$root$(dirname "$venv")"; chmod 1777 "$root/tmp"
  # The interpreter (and the symlinks from the venv's bin/python3 to it), its standard
  # library, and the venv at its host path; bytecode is recompiled below.
  copy_symlinks "$root" "$venv/bin/python3"
  copy_binary "$root" "$py"
  mkdir -p "$root$stdlib"
  tar -C "$stdlib" --exclude=__pycache__ --exclude=./test --exclude=./idlelib --exclude=./tkinter \
    --exclude=./ensurepip --exclude=./lib2to3 --exclude='./config-*' -cf - . | tar -C "$root$stdlib" -xf -
  # Symlinks out of the standard library (Debian: sitecustomize.py -> /etc/python3.X/).
  while read -r f; do
    lib="$(readlink -f "$f")"
    if [[ -e "$lib" ]]; then mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; fi
  done < <(find "$stdlib" -path "$stdlib/config-*" -prune -o -type l -lname '/*' -print)
  tar -C "$(dirname "$venv")" --exclude=__pycache__ -cf - "$(basename "$venv")" | tar -C "$root$(dirname "$venv")" -xf -
  ln -s "$venv" "$root/opt/venv"
  # Shared libraries of the compiled modules that come from this machine (wheels bundle
  # most of theirs next to them, in <package>.libs, which the venv copy already holds).
  while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"
  done < <(find "$stdlib/lib-dynload" "$venv" -name '*.so*' -type f -print0 \
    | xargs -0 -n 1 ldd 2>/dev/null | grep -o '/[^ ]*' | grep -v "^$venv/" | sort -u)
  nice -n 19 "$py" -I -m compileall -q -j 0 --invalidation-mode checked-hash -s "$root" -p / \
    "$root$stdlib" "$root$venv/lib" >&2 || log "compileall reported errors (those modules compile at import)"
  cp "$fixture/app.py" "$fixture/model_server.py" "$root/app/"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:10001:10001::/app:/usr/sbin/nologin\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n' > "$root/etc/passwd"
  printf 'root:x:0:\napp:x:10001:\nnogroup:x:65534:\n' > "$root/etc/group"
  cmd_rootfs "$root" "$name" "$out" --user 10001:10001 --workdir /app \
    --env "PATH=$venv/bin:$BASE_PATH" --env PYTHONDONTWRITEBYTECODE=1 --env PYTHONUNBUFFERED=1 \
    --env "MODELS_DIR=$models"
}

# The official redis image is built with protected mode off (it is meant to be reached
# from other containers); the stand-in passes the same default on its entrypoint.
# Debian's prometheus cannot stand in: it is built without Kubernetes service discovery.
cmd_stand_ins() {
  local dir="$1" prom
  # shellcheck source=versions.sh
  source "$HERE/versions.sh"
  prom="$(bin_dir node-prometheus "$PROMETHEUS_VERSION")/prometheus"
  [[ -x "$prom" ]] || die "$prom missing: run scripts/k8s/node-build.sh prometheus"
  mkdir -p "$dir"
  cmd_binaries peakready.local/redis:debian "$dir/redis.oci.tar" redis-server redis-cli -- \
    --entrypoint '["redis-server","--protected-mode","no"]' --workdir /tmp
  cmd_binaries "peakready.local/prometheus:$PROMETHEUS_VERSION" "$dir/prometheus.oci.tar" "$prom" -- \
    --entrypoint '["prometheus"]' --workdir /prometheus
}

case "${1:-}" in
  stand-ins) shift; [[ $# -eq 1 ]] || die "usage: image.sh stand-ins OUTDIR"; cmd_stand_ins "$@" ;;
  binaries) shift; [[ $# -ge 3 ]] || die "usage: image.sh binaries NAME OUT.tar BIN... [-- options]"; cmd_binaries "$@" ;;
  rootfs) shift; [[ $# -ge 3 ]] || die "usage: image.sh rootfs DIR NAME OUT.tar [options]"; cmd_rootfs "$@" ;;
  stack) shift; [[ $# -eq 2 ]] || die "usage: image.sh stack NAME OUT.tar"; cmd_stack "$@" ;;
  chaos-daemon) shift; [[ $# -eq 3 ]] || die "usage: image.sh chaos-daemon NAME OUT.tar BINDIR"; cmd_chaos_daemon "$@" ;;
  flask-stack) shift; [[ $# -eq 2 ]] || die "usage: image.sh flask-stack NAME OUT.tar"; cmd_flask_stack "$@" ;;
  dockerfile-json) dockerfile_json ;;
  *) die "usage: image.sh rootfs|stack|binaries|stand-ins|chaos-daemon|flask-stack|dockerfile-json ..." ;;
esac
