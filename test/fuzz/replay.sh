#!/bin/sh
# replay.sh TARGET CORPUS — runs every file of every corpus under CORPUS (all targets'
# corpora, not only TARGET's own) through the libFuzzer TARGET once: a regression run.
# Fails when an input crashes, trips a sanitizer or leaks.
set -eu
target=$1
corpus=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
find "$corpus" -type f -print0 | sort -z >"$tmp/list"
n=$(tr -cd '\0' <"$tmp/list" | wc -c)
[ "$n" -gt 0 ] || { echo "replay: no inputs under $corpus"; exit 1; }
# -runs=1: each input once; crash artifacts go to the temporary directory
if xargs -0 "$target" -runs=1 -artifact_prefix="$tmp/" <"$tmp/list" >"$tmp/log" 2>&1; then
  echo "replay: $(basename "$target"): $n inputs, no crash"
else
  cat "$tmp/log"
  echo "replay: $(basename "$target"): FAILED"
  exit 1
fi
