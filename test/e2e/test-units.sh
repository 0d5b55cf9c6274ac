#!/bin/bash
# [SYSI-2] the systemd units as installed: content per spec/system.md §2.1 (configured
# with the build's paths) and `systemd-analyze verify` without a single complaint
# (unknown keys, missing man pages of Documentation= included). Installs into a DESTDIR
# only; fails if systemd-analyze is missing.
. "$(dirname "$0")/lib.sh"

: "${STAS_BUILD_DIR:?run through ctest}"
if ! command -v systemd-analyze >/dev/null; then
    fail "systemd-analyze is installed (Debian package systemd)"; finish; exit 1
fi
cache() { sed -n "s/^$1:[A-Z]*=//p" "$STAS_BUILD_DIR/CMakeCache.txt"; }
UNITDIR=$(cache STAS_SYSTEMDUNITDIR) SBINDIR=$(cache STAS_SBINDIR) BINDIR=$(cache STAS_BINDIR)
SYSCONFDIR=$(cache STAS_SYSCONFDIR) DATADIR=$(cache STAS_DATADIR)

DEST=$E2E_TMP/dest
run env DESTDIR="$DEST" cmake --install "$STAS_BUILD_DIR"
expect_eq "cmake --install into a DESTDIR succeeds" 0 "$RC"
U=$DEST$UNITDIR
for u in stafd.service stacd.service stas-config.target stas-config@.service; do
    if [ -f "$U/$u" ]; then pass "[SYSI-1] $UNITDIR/$u installed"; else fail "[SYSI-1] $UNITDIR/$u installed"; fi
done

# unit_keys FILE: "Section.Key=value" lines, comments dropped
unit_keys() { awk '/^\[/{s=substr($0,2,length($0)-2); next} /^[A-Za-z]/{print s "." $0}' "$1"; }
has() { grep -qxF -- "$2" <<<"$(unit_keys "$1")"; }
expect_key() { if has "$1" "$2"; then pass "${1##*/}: $2"; else fail "${1##*/}: $2"; fi; }

for d in stafd stacd; do
    f=$U/$d.service
    bus=org.nvmexpress.$([ $d = stafd ] && echo staf || echo stac)
    expect_key "$f" "Service.Type=dbus"
    expect_key "$f" "Service.BusName=$bus"
    expect_key "$f" "Service.ExecStart=$SBINDIR/$d --syslog"
    expect_key "$f" "Service.ExecReload=/bin/kill -HUP \$MAINPID"
    expect_key "$f" "Service.RuntimeDirectory=$d"
    expect_key "$f" "Service.RuntimeDirectoryMode=0700"
    expect_key "$f" "Service.RuntimeDirectoryPreserve=yes"
    expect_key "$f" "Service.SyslogIdentifier=$d"
    expect_key "$f" "Unit.AssertPathExists=/dev/nvme-fabrics"
    expect_key "$f" "Unit.Wants=modprobe@nvme_fabrics.service modprobe@nvme_tcp.service network.target stas-config.target"
    expect_key "$f" "Install.WantedBy=multi-user.target"
    for h in ProtectHome=true ProtectKernelModules=true ProtectKernelLogs=true \
             ProtectControlGroups=true ProtectProc=invisible RestrictRealtime=true \
             LockPersonality=yes MemoryDenyWriteExecute=yes; do
        expect_key "$f" "Service.$h"
    done
    # Nothing may take away /dev/nvme-fabrics, sysfs writes (delete_controller),
    # udev netlink, the bus or IP sockets, nor /run/udev/rules.d (stafd).
    keys=$(unit_keys "$f")
    expect_nomatch "$d.service: no hardening that blocks devices, sysfs, netlink or sockets" \
        '^Service\.(PrivateDevices|DevicePolicy|DeviceAllow|PrivateNetwork|ProtectKernelTunables|ProtectSystem|RestrictAddressFamilies|IPAddressDeny|PrivateUsers|ReadOnlyPaths|InaccessiblePaths|DynamicUser|User)=' "$keys"
    expect_nomatch "$d.service: no Requires= between the daemons" '^Unit\.(Requires|BindsTo)=' "$keys"
done
expect_key "$U/stafd.service" "Unit.After=modprobe@nvme_fabrics.service modprobe@nvme_tcp.service network.target stas-config.target avahi-daemon.service"
expect_key "$U/stacd.service" "Unit.After=modprobe@nvme_fabrics.service modprobe@nvme_tcp.service network.target stas-config.target stafd.service"
f=$U/stas-config.target
expect_key "$f" "Unit.Wants=stas-config@hostnqn.service"
expect_key "$f" "Unit.Wants=stas-config@hostid.service"
expect_key "$f" "Unit.PartOf=stacd.service"
expect_key "$f" "Unit.PartOf=stafd.service"
f=$U/stas-config@.service
expect_key "$f" "Unit.ConditionFileNotEmpty=|!$SYSCONFDIR/nvme/%i"
expect_key "$f" "Service.Type=oneshot"
expect_key "$f" "Service.ExecStart=$BINDIR/stasadm %i -f $SYSCONFDIR/nvme/%i"
expect_key "$f" "Install.WantedBy=stas-config.target"

# systemd-analyze verify: the binaries are looked up on the running system, so verify
# copies whose ExecStart points into the DESTDIR; man pages come from the DESTDIR.
V=$E2E_TMP/verify
mkdir -p "$V"
for u in "$U"/*; do
    sed "s#^ExecStart=/#ExecStart=$DEST/#" "$u" >"$V/${u##*/}"
done
cp "$V/stas-config@.service" "$V/stas-config@hostnqn.service"
cp "$V/stas-config@.service" "$V/stas-config@hostid.service"
run env MANPATH="$DEST$DATADIR/man" SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=yes \
    "$V/stafd.service" "$V/stacd.service" "$V/stas-config.target" \
    "$V/stas-config@hostnqn.service" "$V/stas-config@hostid.service"
expect_eq "systemd-analyze verify exits 0" 0 "$RC"
expect_eq "systemd-analyze verify has nothing to say" "" "$OUT$ERR"

# the check itself catches mistakes: an unknown key is reported
sed 's/^Type=dbus/Tipe=dbus/' "$V/stafd.service" >"$V/broken.service"
sed -i 's/^BusName=.*/BusName=org.example.broken/' "$V/broken.service"
run env MANPATH="$DEST$DATADIR/man" systemd-analyze verify --man=yes "$V/broken.service"
expect_match "systemd-analyze verify reports an unknown key (self-check)" "Unknown key" "$OUT$ERR"
finish
