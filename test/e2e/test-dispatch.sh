#!/bin/bash
# [GEN-2] multi-call dispatch: symlink basenames, `stas <personality>`, usage and exit codes;
# [CLI-3] version texts.
. "$(dirname "$0")/lib.sh"

STAS=$STAS_BUILD_DIR/stas-fake
USAGE='Usage: stas {stafd|stacd|stafctl|stacctl|stasadm} [ARGS...]'
VERSION_RE='^stas [0-9]+\.[0-9]+\.[0-9]+ \(nvme-stas 2\.4\.1 compatible\)$'

run "$STAS"
expect_eq "[GEN-2] stas without argument exits 2" 2 "$RC"
expect_eq "[GEN-2] stas without argument prints usage on stderr" "$USAGE" "$ERR"
expect_eq "[GEN-2] ... and nothing on stdout" "" "$OUT"

run "$STAS" frobd
expect_eq "[GEN-2] unknown personality exits 2" 2 "$RC"
expect_eq "[GEN-2] unknown personality prints usage" "$USAGE" "$ERR"

for h in -h --help; do
    run "$STAS" $h
    expect_eq "[GEN-2] stas $h exits 0" 0 "$RC"
    expect_eq "[GEN-2] stas $h prints usage on stdout" "$USAGE" "$OUT"
done

run "$STAS" --version
expect_eq "[GEN-2] stas --version exits 0" 0 "$RC"
expect_match "[CLI-3] stas --version text" "$VERSION_RE" "$OUT"

# exact basename matching: a name that merely contains a personality is not one
ln -s "$STAS" "$E2E_TMP/stafd-old"
run "$E2E_TMP/stafd-old" --version
expect_eq "[GEN-2] 'stafd-old' is not stafd (exact match)" 2 "$RC"
ln -s "$STAS" "$E2E_TMP/xstafctl"
run "$E2E_TMP/xstafctl" --help
expect_eq "[GEN-2] 'xstafctl' is not stafctl (exact match)" 2 "$RC"

for p in stafd stacd; do
    run "$STAS_FAKE_BIN/$p" --version
    expect_eq "[CLI-3] $p --version exits 0" 0 "$RC"
    expect_match "[CLI-3] $p --version first line" "$VERSION_RE" "$(echo "$OUT" | head -1)"
    expect_match "[CLI-3] $p --version second line names libnvme" '^libnvme .+$' "$(echo "$OUT" | sed -n 2p)"
    # the same through `stas <personality>`
    run "$STAS" $p --version
    expect_match "[GEN-2] stas $p --version dispatches to $p" '^libnvme ' "$(echo "$OUT" | sed -n 2p)"
done

for p in stafctl stacctl stasadm; do
    run "$STAS_FAKE_BIN/$p" --version
    expect_eq "[CLI-3] $p --version exits 0" 0 "$RC"
    expect_match "[CLI-3] $p --version is one line" "$VERSION_RE" "$OUT"
    run "$STAS" $p --version
    expect_match "[GEN-2] stas $p --version" "$VERSION_RE" "$OUT"
    run "$STAS_FAKE_BIN/$p"
    expect_eq "[D-60] $p without sub-command exits 2" 2 "$RC"
    expect_match "[D-60] $p without sub-command prints usage on stderr" "^(.*: .*)?[Uu]sage: $p" "$(echo "$ERR" | tr '\n' ' ')"
    run "$STAS_FAKE_BIN/$p" --help
    expect_eq "$p --help exits 0" 0 "$RC"
    expect_match "$p --help prints usage on stdout" "[Uu]sage: $p" "$OUT"
    run "$STAS_FAKE_BIN/$p" no-such-command
    expect_eq "$p with an unknown sub-command exits 2" 2 "$RC"
done

# the personality name (not "stas") is the program name in messages
run "$STAS" stafd --no-such-option
expect_eq "[CLI-1] unknown daemon option exits 2" 2 "$RC"
expect_match "[GEN-2] messages use the personality name" "^stafd: unrecognized option '--no-such-option'" "$ERR"
expect_match "[CLI-1] usage follows the error" "Usage: stafd " "$ERR"

finish
