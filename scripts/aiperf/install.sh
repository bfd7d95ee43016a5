#!/usr/bin/env bash
# Installs NVIDIA AIPerf (the reference LLM benchmark peakready's streaming figures are
# cross-checked against) into a private virtual environment, and trains the small local
# tokenizer AIPerf needs because no model hub is reachable here.
#
#   bash scripts/aiperf/install.sh     # prints the aiperf binary path on success
#
# Everything lives under ${XDG_CACHE_HOME:-$HOME/.cache}/peakready/aiperf:
#   venv/         python venv with aiperf==$AIPERF_VERSION (about 1.2 GB, ~80 s to install)
#   tokenizer/    tokenizer.json + tokenizer_config.json (byte-level BPE, trained in seconds)
#   installed     stamp: what was installed; a second run with the same stamp is instant
# Fails (non-zero, one clear message on stderr) when python, venv or pip is not usable.
set -euo pipefail

AIPERF_VERSION=0.13.0
# Bump when train_tokenizer.py or the corpus selection changes, to retrain on the next run.
TOKENIZER_REV=2

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/peakready/aiperf
venv=$cache/venv
tok=$cache/tokenizer
stamp=$cache/installed
want="aiperf==$AIPERF_VERSION tokenizer-rev=$TOKENIZER_REV"

die() {
  echo "peakready aiperf install: $*" >&2
  exit 1
}

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/aiperf" ] && [ -f "$tok/tokenizer.json" ]; then
  echo "$venv/bin/aiperf"
  exit 0
fi

# aiperf 0.13 requires Python >=3.11,<3.14.
py=
for cand in python3 python3.13 python3.12 python3.11; do
  if command -v "$cand" >/dev/null 2>&1 &&
    "$cand" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else 1)' >/dev/null 2>&1; then
    py=$(command -v "$cand")
    break
  fi
done
if [ -z "$py" ]; then
  found='no python3 on PATH'
  command -v python3 >/dev/null 2>&1 && found="$(command -v python3): $(python3 --version 2>&1 || true)"
  die "needs Python 3.11-3.13 (aiperf $AIPERF_VERSION requires >=3.11,<3.14); found $found"
fi

if ! "$py" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "peakready aiperf install: installing python3-venv (apt-get)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  fi
  "$py" -c 'import venv, ensurepip' >/dev/null 2>&1 ||
    die "$py has no working venv/ensurepip; run as root: apt-get update && apt-get install -y python3-venv"
fi

mkdir -p "$cache"
rm -f "$stamp"
start=$(date +%s)

if ! [ -x "$venv/bin/python" ] || ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
  rm -rf "$venv"
  echo "peakready aiperf install: creating $venv" >&2
  "$py" -m venv "$venv" || die "'$py -m venv $venv' failed"
fi

echo "peakready aiperf install: pip install aiperf==$AIPERF_VERSION (about 1.2 GB, a minute or two)" >&2
nice -n 19 "$venv/bin/python" -m pip install --disable-pip-version-check -q "aiperf==$AIPERF_VERSION" ||
  die "pip install aiperf==$AIPERF_VERSION failed (see pip's output above)"

got=$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("aiperf"))' 2>/dev/null) ||
  die "aiperf is not importable in $venv after pip install"
[ "$got" = "$AIPERF_VERSION" ] || die "installed aiperf is $got, expected $AIPERF_VERSION"
[ -x "$venv/bin/aiperf" ] || die "pip install did not create $venv/bin/aiperf"

# Corpus: the repository's own prose (README and docs) plus the Shakespeare text AIPerf itself
# draws synthetic prompts from (shipped in the aiperf wheel). Trained on that text with 8192
# entries, the tokenizer averages ~4 characters per token on AIPerf's prompts, the ratio the
# simulator (and roughly a Llama tokenizer) counts with, so "--isl 64" reaches the server as
# ~64 tokens; with the docs alone it was ~2.2 characters per token and 64 became ~37.
sonnets=$("$venv/bin/python" -c 'import aiperf.dataset.generator.prompt as p, os; print(os.path.join(os.path.dirname(p.__file__), p.DEFAULT_CORPUS_FILE))') ||
  die "cannot locate AIPerf's prompt corpus (aiperf.dataset.generator.prompt.DEFAULT_CORPUS_FILE)"
[ -f "$sonnets" ] || die "AIPerf's prompt corpus $sonnets is missing"
corpus=("$root/README.md")
for f in "$root"/docs/*.md; do [ -f "$f" ] && corpus+=("$f"); done
corpus+=("$sonnets")
echo "peakready aiperf install: training the local tokenizer on ${#corpus[@]} files" >&2
rm -rf "$tok.tmp"
nice -n 19 "$venv/bin/python" "$here/train_tokenizer.py" "$tok.tmp" "${corpus[@]}" >&2 ||
  die "tokenizer training failed (train_tokenizer.py)"
rm -rf "$tok"
mv "$tok.tmp" "$tok"

echo "$want" >"$stamp"
echo "peakready aiperf install: done in $(($(date +%s) - start)) s, $(du -sh "$cache" | cut -f1) in $cache" >&2
echo "$venv/bin/aiperf"
