#!/bin/bash
# [CLI-30] [CLI-31] [CLI-32] stasadm as a process: sub-commands, -c/-f, errors and exit
# statuses, the examples of spec/cli.md §5.4; [D-60] [D-65] [D-66].
. "$(dirname "$0")/lib.sh"

A=$STAS_FAKE_BIN/stasadm
ETC=$STAS_TEST_ROOT/etc
CONF=$ETC/stas/sys.conf
NQNF=$ETC/nvme/hostnqn
IDF=$ETC/nvme/hostid
# a fixture machine ID and its application-specific UUID (HMAC-SHA256, as nvme-stas)
MACHINE_ID=0123456789abcdef0123456789abcdef
MACHINE_UUID=f2782346-4809-484a-9a8b-952a04b57ba4
PREFIX=nqn.2014-08.org.nvmexpress:uuid:
USAGE='usage: stasadm [-h] [-v] [-c FILE] {hostnqn,hostid,set-symname,clear-symname} ...'
UUID_RE='[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'

reset_root() {
    rm -rf "$STAS_TEST_ROOT"
    mkdir -p "$ETC/stas" "$ETC/nvme"
    echo "$MACHINE_ID" >"$ETC/machine-id"
}
leftovers() { find "$ETC" -name '.*' -type f | tr '\n' ' '; }

# ---- §5.4: the worked examples --------------------------------------------------------
reset_root
run "$A" hostnqn -f "$NQNF"
expect_eq "[CLI-30] hostnqn -f exits 0" 0 "$RC"
expect_eq "[CLI-30] hostnqn -f prints nothing" "" "$OUT$ERR"
expect_eq "[CLI-31] host NQN from the machine ID" "$PREFIX$MACHINE_UUID" "$(cat "$NQNF")"
run "$A" hostid -f "$IDF"
expect_eq "[CLI-30] hostid -f exits 0" 0 "$RC"
expect_eq "[CLI-30] hostid -f prints nothing" "" "$OUT$ERR"
expect_eq "[D-66] host ID = UUID of the host NQN" "$MACHINE_UUID" "$(cat "$IDF")"
run "$A" set-symname 'rack4-host17 (lab)'
expect_eq "[CLI-30] set-symname exits 0" 0 "$RC"
expect_eq "[CLI-30] set-symname prints nothing" "" "$OUT$ERR"
expect_eq "[CLI-32] sys.conf of §5.4" "[Host]
nqn = file://$NQNF
id = file://$IDF
symname = rack4-host17 (lab)" "$(cat "$CONF")"
expect_eq "[CLI-32] files end with a newline" "$(printf '%s\n' "$PREFIX$MACHINE_UUID" | od -c)" "$(od -c <"$NQNF")"
expect_eq "[CLI-32] new files are 0644" "644 644 644" "$(stat -c %a "$CONF" "$NQNF" "$IDF" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "[CLI-32] no temporary file left" "" "$(leftovers)"

run "$A"
expect_eq "[D-60] stasadm without sub-command exits 2" 2 "$RC"
expect_eq "[D-60] ... prints the error and the usage on stderr" "stasadm: a sub-command is required
$USAGE" "$ERR"
expect_eq "[D-60] ... and nothing on stdout" "" "$OUT"

# ---- clear-symname ---------------------------------------------------------------------
run "$A" clear-symname
expect_eq "[CLI-30] clear-symname exits 0" 0 "$RC"
expect_eq "[CLI-30] clear-symname removes the line" "[Host]
nqn = file://$NQNF
id = file://$IDF" "$(cat "$CONF")"
run "$A" clear-symname
expect_eq "[CLI-30] clear-symname without symname is no error" "0:" "$RC:$ERR"
run "$A" clear-symname extra
expect_eq "[CLI-30] clear-symname takes no argument" 2 "$RC"

# ---- without -f: the value itself ------------------------------------------------------
reset_root
run "$A" hostnqn
expect_eq "[CLI-30] hostnqn exits 0" "0:" "$RC:$OUT$ERR"
expect_eq "[CLI-30] hostnqn sets the NQN itself" "[Host]
nqn = $PREFIX$MACHINE_UUID" "$(cat "$CONF")"
expect_eq "[CLI-30] hostnqn without -f writes no host file" "" "$(ls "$ETC/nvme")"
run "$A" hostid
expect_eq "[D-66] hostid follows the NQN in sys.conf" "id = $MACHINE_UUID" "$(grep '^id' "$CONF")"
run "$A" set-symname 'x #1'
expect_eq "[CLI-30] set-symname without -f" "symname = x #1" "$(grep '^symname' "$CONF")"
run "$A" set-symname -f "$ETC/nvme/symname" 'rack #4'
expect_eq "[CLI-30] set-symname -f FILE writes FILE" "rack #4" "$(cat "$ETC/nvme/symname")"
expect_eq "[CLI-30] ... and refers to it" "symname = file://$ETC/nvme/symname" "$(grep '^symname' "$CONF")"
run "$A" set-symname 'name' --file="$ETC/nvme/symname2"
expect_eq "[CLI-30] --file=FILE after SYMNAME" "0:name" "$RC:$(cat "$ETC/nvme/symname2")"
run "$A" set-symname -- -dash-
expect_eq "[CLI-30] -- ends the options" "symname = -dash-" "$(grep '^symname' "$CONF")"

# ---- [D-66] hostid from an existing host NQN, else the system UUID ------------------------
reset_root
echo "${PREFIX}9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a" >"$NQNF"
run "$A" hostid -f "$IDF"
expect_eq "[D-66] hostid uses the UUID of /etc/nvme/hostnqn" "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a" "$(cat "$IDF")"
echo "nqn.1988-11.com.dell:SFSS:1:20221122170722e8" >"$NQNF"
run "$A" -c '' hostid -f "$IDF"
expect_eq "[D-66] a non-UUID NQN: the system UUID" "$MACHINE_UUID" "$(cat "$IDF")"
rm -f "$ETC/machine-id"
run "$A" -c '' hostid -f "$IDF"
expect_eq "[D-66] no machine ID: still exits 0" 0 "$RC"
expect_match "[D-66] ... with a UUID" "^$UUID_RE\$" "$(cat "$IDF")"

# ---- -c ------------------------------------------------------------------------------------
reset_root
run "$A" -c "$STAS_TEST_ROOT/other.conf" hostnqn
expect_eq "[CLI-30] -c FILE exits 0" 0 "$RC"
expect_eq "[CLI-30] -c FILE is the file updated" "[Host]
nqn = $PREFIX$MACHINE_UUID" "$(cat "$STAS_TEST_ROOT/other.conf")"
expect_eq "[CLI-30] ... and not the default one" "no" "$([ -e "$CONF" ] && echo yes || echo no)"
run "$A" --conf-file="$STAS_TEST_ROOT/long.conf" set-symname s
expect_eq "[CLI-30] --conf-file=FILE" "symname = s" "$(grep symname "$STAS_TEST_ROOT/long.conf")"
run "$A" -c"$STAS_TEST_ROOT/short.conf" set-symname s
expect_eq "[CLI-30] -cFILE" "symname = s" "$(grep symname "$STAS_TEST_ROOT/short.conf")"
run "$A" -c '' hostnqn -f "$NQNF"
expect_eq "[CLI-30] -c '' exits 0" 0 "$RC"
expect_eq "[CLI-30] -c '' still writes -f FILE" "$PREFIX$MACHINE_UUID" "$(cat "$NQNF")"
expect_eq "[CLI-30] -c '' updates no configuration file" "no" "$([ -e "$CONF" ] && echo yes || echo no)"
run "$A" -c '' set-symname s
expect_eq "[CLI-30] -c '' without -f: nothing written, exit 0" "0:no" "$RC:$([ -e "$CONF" ] && echo yes || echo no)"
run "$A" clear-symname
expect_eq "[CLI-32] clear-symname does not create sys.conf" "0:no" "$RC:$([ -e "$CONF" ] && echo yes || echo no)"

# ---- [D-65] in-place edit: comments and layout kept; mode kept; atomic -----------------------
reset_root
cat >"$CONF" <<'EOF'
# /etc/stas/sys.conf  (administrator comments)
[Host]
nqn = file:///etc/nvme/hostnqn   ; inline comment
  # indented comment
id=file:///etc/nvme/hostid
#key = file:///etc/nvme/hostkey

[Unknown]
symname = not this one
EOF
chmod 600 "$CONF"
cp "$CONF" "$E2E_TMP/before"
run "$A" set-symname 'rack4-host17 (lab)'
expect_eq "[D-65] set-symname in a commented file exits 0" 0 "$RC"
expect_eq "[D-65] only the new line is added, after the last key line" "5a6
> symname = rack4-host17 (lab)" "$(diff "$E2E_TMP/before" "$CONF")"
run "$A" hostnqn
expect_eq "[D-65] the key line is replaced in place" "3c3
< nqn = file:///etc/nvme/hostnqn   ; inline comment
---
> nqn = $PREFIX$MACHINE_UUID" "$(diff "$E2E_TMP/before" "$CONF" | sed -n 1,4p)"
run "$A" clear-symname
expect_eq "[D-65] clear-symname restores the rest byte for byte" "3c3" "$(diff "$E2E_TMP/before" "$CONF" | head -1)"
expect_eq "[CLI-32] an existing file keeps its mode" 600 "$(stat -c %a "$CONF")"
expect_eq "[CLI-32] no temporary file left" "" "$(leftovers)"
(umask 077; "$A" hostid -f "$IDF")
expect_eq "[CLI-32] a new file is 0644 whatever the umask" 644 "$(stat -c %a "$IDF")"

# ---- usage errors: exit 2 ----------------------------------------------------------------------
reset_root
cp /dev/null "$CONF"
for args in "set-symname ''" "set-symname \$'a\\tb'" "set-symname \$'a\\nb'" "-c '' set-symname ''"; do
    eval "run \"\$A\" $args"
    expect_eq "[CLI-30] stasadm $args exits 2" 2 "$RC"
    expect_eq "[CLI-30] stasadm $args message" "stasadm: invalid symbolic name" "$ERR"
done
expect_eq "[CLI-30] an invalid symbolic name writes nothing" "" "$(cat "$CONF")"
run "$A" set-symname
expect_eq "[CLI-30] set-symname without SYMNAME exits 2" 2 "$RC"
expect_match "[CLI-30] ... with the usage" "usage: stasadm set-symname" "$ERR"
run "$A" set-symname a b
expect_eq "[CLI-30] two SYMNAMEs exit 2" 2 "$RC"
run "$A" hostnqn extra
expect_eq "[CLI-30] hostnqn with an argument exits 2" 2 "$RC"
expect_match "[CLI-30] ... message" "^stasadm: unexpected argument 'extra'" "$ERR"
run "$A" hostnqn -f
expect_eq "[CLI-30] -f without FILE exits 2" 2 "$RC"
expect_match "[CLI-30] ... message" "^stasadm: option '-f' requires an argument" "$ERR"
run "$A" -c
expect_eq "[CLI-30] -c without FILE exits 2" 2 "$RC"
expect_match "[CLI-30] ... message" "^stasadm: option '-c' requires an argument" "$ERR"
run "$A" -x hostnqn
expect_eq "[CLI-30] unknown option exits 2" 2 "$RC"
expect_eq "[CLI-30] ... message and usage" "stasadm: unrecognized option '-x'
$USAGE" "$ERR"
run "$A" hostnqn --bogus
expect_eq "[CLI-30] unknown sub-command option exits 2" 2 "$RC"
run "$A" frob
expect_eq "[CLI-30] unknown sub-command exits 2" 2 "$RC"
expect_match "[CLI-30] ... message" "^stasadm: invalid command 'frob'" "$ERR"
expect_eq "[CLI-30] usage errors write nothing" "" "$(cat "$CONF")"

# ---- help and version: exit 0 ----------------------------------------------------------------
for h in -h --help; do
    run "$A" $h
    expect_eq "[CLI-30] stasadm $h exits 0" 0 "$RC"
    expect_eq "[CLI-30] stasadm $h: usage first, on stdout" "$USAGE" "$(echo "$OUT" | head -1)"
    expect_match "[CLI-30] stasadm $h names the default file" "$CONF" "$OUT"
done
run "$A" set-symname -h
expect_eq "[CLI-30] sub-command -h exits 0" 0 "$RC"
for v in -v --version; do
    run "$A" $v
    expect_match "[CLI-3] stasadm $v" '^stas [0-9]+\.[0-9]+\.[0-9]+ \(nvme-stas 2\.4\.1 compatible\)$' "$OUT"
done

# ---- failures: "stasadm: <what>: <reason>", exit 1 ---------------------------------------------
reset_root
run "$A" hostnqn -f "$ETC/missing/hostnqn"
expect_eq "[CLI-30] unwritable -f FILE exits 1" 1 "$RC"
expect_eq "[CLI-30] ... message" "stasadm: $ETC/missing/hostnqn: No such file or directory" "$ERR"
expect_eq "[CLI-32] ... and sys.conf is not touched" "no" "$([ -e "$CONF" ] && echo yes || echo no)"
mkdir "$STAS_TEST_ROOT/dir.conf"
run "$A" -c "$STAS_TEST_ROOT/dir.conf" set-symname -f "$ETC/nvme/symname" s
expect_eq "[CLI-30] unreadable configuration file exits 1" 1 "$RC"
expect_eq "[CLI-30] ... message" "stasadm: $STAS_TEST_ROOT/dir.conf: Is a directory" "$ERR"
expect_eq "[CLI-32] ... and -f FILE is not written" "no" "$([ -e "$ETC/nvme/symname" ] && echo yes || echo no)"
run "$A" -c "$STAS_TEST_ROOT/no-dir/sys.conf" clear-symname
expect_eq "[CLI-30] clear-symname with a missing directory: nothing to do" 0 "$RC"
run "$A" -c "$STAS_TEST_ROOT/no-dir/sys.conf" set-symname s
expect_eq "[CLI-30] configuration file in a missing directory exits 1" 1 "$RC"
expect_eq "[CLI-30] ... message" "stasadm: $STAS_TEST_ROOT/no-dir/sys.conf: No such file or directory" "$ERR"
expect_eq "[CLI-32] no temporary file left after failures" "" "$(leftovers)"

# [CLI-31] no machine ID: the DMI and device-tree sources need root
rm -f "$ETC/machine-id"
if [ "$(id -u)" -ne 0 ]; then
    run "$A" -c '' hostnqn
else
    # as root, the same check through an unprivileged user (the test root is not readable
    # by it, which is just as unusable a machine ID)
    run setpriv --reuid=65534 --regid=65534 --clear-groups "$A" -c '' hostnqn
fi
expect_eq "[CLI-31] not root, no machine ID: exit 1" 1 "$RC"
expect_eq "[CLI-31] ... message" "Permission denied. Root privileges required." "$ERR"
if [ "$(id -u)" -eq 0 ]; then
    run "$A" hostnqn
    expect_eq "[CLI-31] root, no machine ID: exit 0" 0 "$RC"
    expect_match "[CLI-31] ... a host NQN from DMI, device tree or random" "^nqn = ${PREFIX}[0-9a-fA-F-]{36}\$" "$(sed -n 2p "$CONF")"
fi

finish
