#!/usr/bin/env bash
# Installs the Debian packages peakready needs when they are missing.
# As root: apt-get installs them. Otherwise: prints the exact command and exits 3
# (the environment-error exit code of the CLI).
set -euo pipefail
want=("$@")
[ ${#want[@]} -gt 0 ] || want=(redis-server prometheus)
declare -A bin_of=(
  [redis-server]=/usr/bin/redis-server
  [prometheus]=/usr/bin/prometheus
  [nginx-light]=/usr/sbin/nginx
  [wrk]=/usr/bin/wrk
  [chromium]=/usr/bin/chromium
)
missing=()
# Packages without a binary of their own: checked by what they provide.
declare -A check_of=(
  [python3-venv]="python3 -c 'import venv, ensurepip'"
)
for pkg in "${want[@]}"; do
  b=${bin_of[$pkg]:-}
  if [ -n "$b" ] && [ -x "$b" ]; then continue; fi
  c=${check_of[$pkg]:-}
  if [ -n "$c" ] && bash -c "$c" >/dev/null 2>&1; then continue; fi
  missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
cmd="apt-get update && apt-get install -y ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "peakready: missing Debian packages: ${missing[*]}" >&2
  echo "run as root: $cmd" >&2
  exit 3
fi
echo "peakready: installing ${missing[*]} (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's packages start their own daemons where an init system runs; the harness
# starts its own instances on free ports, so stop the system ones if they came up.
for svc in redis-server prometheus nginx; do
  if command -v service >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
done
