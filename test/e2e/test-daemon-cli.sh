#!/bin/bash
# [CLI-1] [CLI-2] [CLI-4] [DBUS-3] daemon command lines: --help, usage errors, --idl,
# privilege and kernel checks.
. "$(dirname "$0")/lib.sh"

strip_comments() { python3 -c '
import re, sys
text = open(sys.argv[1]).read()
sys.stdout.write(re.sub(r"[ \t]*<!--[^>]*-->[ \t]*\n", "", text))' "$1"; }

for p in stafd stacd; do
    D=$STAS_FAKE_BIN/$p
    iface=org.nvmexpress.${p%d}

    run "$D" --help
    expect_eq "[CLI-1] $p --help exits 0" 0 "$RC"
    if [ $p = stafd ]; then desc='STorage Appliance Finder (STAF). Must be root to run this program.'
    else desc='STorage Appliance Connector (STAC). Must be root to run this program.'; fi
    expect_match "[CLI-1] $p --help description line" "^$(printf '%s' "$desc" | sed 's/[().]/\\&/g')\$" "$OUT"
    expect_match "[CLI-1] $p --help names the default config file" "/etc/stas/$p.conf" "$OUT"

    run "$D" -x
    expect_eq "[CLI-1] $p unknown short option exits 2" 2 "$RC"
    expect_match "[CLI-1] $p unknown option message" "^$p: unrecognized option '-x'" "$ERR"
    run "$D" extra
    expect_eq "[CLI-1] $p positional argument exits 2" 2 "$RC"
    expect_match "[CLI-1] $p positional argument message" "^$p: unexpected argument 'extra'" "$ERR"
    run "$D" -f
    expect_eq "[CLI-1] $p -f without FILE exits 2" 2 "$RC"
    expect_match "[CLI-1] $p missing argument message" "^$p: option '-f' requires an argument" "$ERR"

    # --idl: exactly the XML of spec/dbus.md §2, which is dbus-xml/ without its doc comments
    run "$D" --idl=-
    expect_eq "[DBUS-3] $p --idl=- exits 0" 0 "$RC"
    printf '%s\n' "$OUT" >"$E2E_TMP/$p-stdout.xml"
    if cmp -s "$E2E_TMP/$p-stdout.xml" "$STAS_SRC_DIR/test/data/idl-$p.xml"; then
        pass "[DBUS-3] $p --idl=- equals the text of spec/dbus.md"
    else fail "[DBUS-3] $p --idl=- equals the text of spec/dbus.md"
        diff "$STAS_SRC_DIR/test/data/idl-$p.xml" "$E2E_TMP/$p-stdout.xml" | sed 's/^/#  /'; fi

    run "$D" --idl "$E2E_TMP/$p.xml"
    expect_eq "[DBUS-3] $p --idl FILE exits 0" 0 "$RC"
    expect_eq "[DBUS-3] $p --idl FILE prints nothing" "" "$OUT$ERR"
    if cmp -s "$E2E_TMP/$p.xml" "$STAS_SRC_DIR/test/data/idl-$p.xml"; then
        pass "[DBUS-3] $p --idl FILE content (with final newline)"
    else fail "[DBUS-3] $p --idl FILE content (with final newline)"; fi
    strip_comments "$STAS_SRC_DIR/dbus-xml/$iface.xml" >"$E2E_TMP/$p-stripped.xml"
    if cmp -s "$E2E_TMP/$p.xml" "$E2E_TMP/$p-stripped.xml"; then
        pass "[DBUS-3] $p --idl equals dbus-xml/$iface.xml (the gdbus-codegen input)"
    else fail "[DBUS-3] $p --idl equals dbus-xml/$iface.xml (the gdbus-codegen input)"; fi

    # --idl runs before the privilege and kernel checks [CLI-2] step 1
    run env STAS_FAKE_NO_KERNEL=1 "$D" --idl "$E2E_TMP/$p-2.xml"
    expect_eq "[CLI-2] $p --idl works without kernel support" 0 "$RC"

    run "$D" --idl "$E2E_TMP/no/such/dir/$p.xml"
    expect_eq "[CLI-1] $p --idl into a missing directory exits 1" 1 "$RC"
    expect_eq "[CLI-1] $p --idl error message" "$p: cannot write $E2E_TMP/no/such/dir/$p.xml: No such file or directory" "$ERR"
    mkdir -p "$E2E_TMP/ro" && chmod 0555 "$E2E_TMP/ro"
    if [ "$(id -u)" = 0 ]; then
        # root ignores mode bits: use a path that is a directory instead
        run "$D" --idl "$E2E_TMP/ro"
        expect_eq "[CLI-1] $p --idl onto a directory exits 1" 1 "$RC"
        expect_eq "[CLI-1] $p --idl onto a directory message" "$p: cannot write $E2E_TMP/ro: Is a directory" "$ERR"
    fi

    # [CLI-2] step 3: no /dev/nvme-fabrics (the fake fabrics say so)
    run env STAS_FAKE_NO_KERNEL=1 "$D"
    expect_eq "[CLI-2] $p without kernel fabrics support exits 1" 1 "$RC"
    expect_eq "[CLI-2] $p without kernel fabrics support message" "Fatal error: missing nvme-tcp kernel module" "$ERR"

    # [CLI-2] step 2 / [SEC-4]: not root
    if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
        run setpriv --reuid=65534 --regid=65534 --clear-groups "$D"
        expect_eq "[SEC-4] $p as non-root exits 1" 1 "$RC"
        expect_eq "[SEC-4] $p as non-root message" "Permission denied. You need root privileges to run $p." "$ERR"
    else
        fail "[SEC-4] $p as non-root: this test must run as root with setpriv available"
    fi
done

finish
