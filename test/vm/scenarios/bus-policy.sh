#!/bin/bash
# [SEC-3] on a real system bus that loads conf/dbus-1/system.d/*.conf: only root owns
# org.nvmexpress.staf/stac and sets tron; any user calls methods and reads properties;
# stafctl/stacctl report AccessDenied with the text of cli.md §2.2. [SEC-4] the daemons
# refuse to run as non-root. The daemons run from the build with the shipped templates.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"

NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
# The build tree may not be readable by nobody: the clients run from a copy.
BIN=/run/stas-vm-bus-policy
as_nobody() { "${NOBODY[@]}" "$@"; }
# gcall USER DEST METHOD ARGS...: gdbus call on the daemon's object, output in OUT, status RC
gcall() {
    local who=$1 dest=$2; shift 2
    if [ "$who" = nobody ]; then
        OUT=$(as_nobody gdbus call --system --dest "$dest" --object-path "/${dest//.//}" --method "$@" 2>&1)
    else
        OUT=$(gdbus call --system --dest "$dest" --object-path "/${dest//.//}" --method "$@" 2>&1)
    fi
    RC=$?
    echo "$OUT"
}
# request_name USER NAME: a tiny owner attempt (RequestName, do-not-queue); prints the reply
request_name() {
    local who=$1
    shift
    if [ "$who" = nobody ]; then set -- "${NOBODY[@]}" dbus-send; else set -- dbus-send "$@"; fi
    "$@" --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.RequestName "string:$NAME" uint32:4 2>&1
}
out_has() { [[ $OUT == *"$1"* ]]; }
out_lacks() { [[ $OUT != *"$1"* ]]; }
reply_or_daemon_error() { [ "$RC" = 0 ] || out_has org.nvmexpress.stas.Error; }

require identity host_identity
require nvme-tcp host_init
require dbus dbus_start
require policy-files-loaded file_has /etc/dbus-1/system-local.conf "$STAS_SRC/conf/dbus-1/system.d"
require client-copy eval "mkdir -p $BIN && cp '$STAS_BUILD/stas' $BIN/stas && chmod 755 $BIN $BIN/stas &&
    for p in stafd stacd stafctl stacctl; do ln -sf stas $BIN/\$p; done"
require nobody-runs-clients as_nobody "$BIN/stafctl" --version

# ---- [SEC-4]: the daemons refuse to run as non-root ------------------------------------
for d in stafd stacd; do
    OUT=$(as_nobody "$BIN/$d" -f "$STAS_SRC/conf/$d.conf" 2>&1); RC=$?
    check "$d-as-nobody-exit-1" test "$RC" = 1
    check "$d-as-nobody-message" out_has "Permission denied. You need root privileges to run $d."
done
check staf-not-owned-by-nobody-daemon not dbus_has_owner org.nvmexpress.staf

# ---- the daemons as root, with the shipped templates ---------------------------------
require stafd-start start_daemon stafd "$STAS_SRC/conf/stafd.conf"
require stacd-start start_daemon stacd "$STAS_SRC/conf/stacd.conf"
require stafd-owns-name wait_for 30 dbus_has_owner org.nvmexpress.staf
require stacd-owns-name wait_for 30 dbus_has_owner org.nvmexpress.stac

for n in staf stac; do
    dest=org.nvmexpress.$n d=${n}d ctl=${n}ctl
    # anyone: introspect, Get, GetAll, method calls
    OUT=$(as_nobody gdbus introspect --system --dest "$dest" --object-path "/${dest//.//}" 2>&1); RC=$?
    check "$n-nobody-introspect" test "$RC" = 0
    check "$n-nobody-introspect-shows-tron" out_has "readwrite b tron"
    check "$n-nobody-get-tron" gcall nobody "$dest" org.freedesktop.DBus.Properties.Get "$dest.debug" tron
    check "$n-nobody-get-tron-false" out_has "(<false>,)"
    check "$n-nobody-getall" gcall nobody "$dest" org.freedesktop.DBus.Properties.GetAll "$dest.debug"
    check "$n-nobody-getall-log-level" out_has "'log_level': <'INFO'>"
    check "$n-nobody-peer-ping" gcall nobody "$dest" org.freedesktop.DBus.Peer.Ping
    # methods of the daemon's interfaces reach the daemon: a reply, or an error of the
    # daemon's own (e.g. "not implemented yet" while a member is in progress)
    for m in "$dest.list_controllers false" "$dest.debug.process_info"; do
        # shellcheck disable=SC2086  # (method and arguments)
        gcall nobody "$dest" $m
        check "$n-nobody-${m%% *}-not-denied" out_lacks AccessDenied
        check "$n-nobody-${m%% *}-reaches-$d" reply_or_daemon_error
    done

    # nobody: no Set
    gcall nobody "$dest" org.freedesktop.DBus.Properties.Set "$dest.debug" tron '<true>' > /dev/null
    check "$n-nobody-set-tron-fails" test "$RC" != 0
    check "$n-nobody-set-tron-access-denied" out_has org.freedesktop.DBus.Error.AccessDenied
    check "$n-tron-unchanged" gcall root "$dest" org.freedesktop.DBus.Properties.Get "$dest.debug" tron
    check "$n-tron-still-false" out_has "(<false>,)"
    OUT=$(as_nobody "$BIN/$ctl" tron 2>"$STAS_VM_RUN/ctl.err"); RC=$?
    ERR=$(< "$STAS_VM_RUN/ctl.err")
    echo "$ctl tron as nobody: rc=$RC stdout=[$OUT] stderr=[$ERR]"
    check "$n-nobody-$ctl-tron-exit-1" test "$RC" = 1
    check "$n-nobody-$ctl-tron-stdout-empty" test -z "$OUT"
    check "$n-nobody-$ctl-tron-text" test "$ERR" = "Access denied by the D-Bus policy of $dest (setting tron requires root)"

    # nobody: cannot own the name (nor a name under it)
    for NAME in "$dest" "$dest.other"; do
        OUT=$(request_name nobody); echo "$OUT"
        check "$n-nobody-cannot-own-$NAME" out_has AccessDenied
    done

    # root: Set, and the clients
    check "$n-root-set-tron" gcall root "$dest" org.freedesktop.DBus.Properties.Set "$dest.debug" tron '<true>'
    check "$n-nobody-sees-tron-true" gcall nobody "$dest" org.freedesktop.DBus.Properties.Get "$dest.debug" tron
    check "$n-tron-now-true" out_has "(<true>,)"
    OUT=$("$BIN/$ctl" troff 2>&1); RC=$?
    echo "$OUT"
    check "$n-root-$ctl-troff" test "$RC" = 0
    check "$n-root-$ctl-troff-json" test "$OUT" = $'{\n  "tron": false\n}'
    # root may own other names under the prefix (own_prefix); the daemon's name is taken
    NAME=$dest.other
    OUT=$(request_name root); echo "$OUT"
    check "$n-root-may-own-prefix" out_has "uint32 1"
    NAME=$dest
    OUT=$(request_name root); echo "$OUT"
    check "$n-root-name-taken-not-denied" out_lacks AccessDenied
    check "$n-$d-still-owner" daemon_running "$d"
done

check stacd-clean-exit stop_daemon stacd
check stafd-clean-exit stop_daemon stafd
