#!/bin/bash
# The system services a stas daemon needs in the guest, and the daemon
# helpers: a system dbus-daemon that also loads the stas policy files of the
# source tree (a malformed policy file would stop it from starting),
# systemd-udevd with nvme-cli's autoconnect rule masked delivering nvme
# uevents, and start_daemon/stop_daemon on a stand-in daemon.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"

require dbus-start dbus_start
check dbus-socket test -S /run/dbus/system_bus_socket
check dbus-answers dbus-send --system --print-reply --dest=org.freedesktop.DBus \
    /org/freedesktop/DBus org.freedesktop.DBus.GetId
POLICY=$STAS_SRC/conf/dbus-1/system.d
if [ -d "$POLICY" ]; then
    check dbus-includes-stas-policy file_has /etc/dbus-1/system-local.conf "<includedir>$POLICY</includedir>"
else
    check dbus-no-stas-policy-yet not test -e /etc/dbus-1/system-local.conf
fi
check dbus-reload dbus_reload
check dbus-name-owned dbus_has_owner org.freedesktop.DBus
check dbus-name-not-owned not dbus_has_owner org.nvmexpress.staf

require udevd-start udevd_start
check udevd-ping udevadm control --ping
check autoconnect-rule-masked test "$(readlink /etc/udev/rules.d/70-nvmf-autoconnect.rules)" = /dev/null
check udevd-start-idempotent udevd_start

# a short-lived discovery controller produces nvme add/remove uevents via udevd
require host-init host_init
require target eval 'target_port 1 127.0.0.1 8009 && target_subsys sub1 && target_link sub1 1'
UE=$(logfile uevents.txt)
require monitor uevent_monitor "$UE" --udev
step discover nvme discover -t tcp -a 127.0.0.1 -s 8009
check uevent-add wait_for 10 file_has "$UE" "ACTION=add"
check uevent-remove wait_for 10 file_has "$UE" "ACTION=remove"
check uevent-subsystem-nvme file_has "$UE" "SUBSYSTEM=nvme"

# daemon helpers, on a stand-in "stafd" in a build dir of the guest overlay
real_build=$STAS_BUILD
STAS_BUILD=/tmp/stas-vm-fakebuild
mkdir -p "$STAS_BUILD"
cat > "$STAS_BUILD/stafd" <<'EOS'
#!/bin/bash
echo "fake stafd $*"
trap 'echo "got TERM"; exit 0' TERM
while :; do sleep 0.2; done
EOS
chmod +x "$STAS_BUILD/stafd"
check start-daemon-missing-binary eval 'start_daemon stacd /dev/null; test $? = 127'
require start-daemon start_daemon stafd /etc/stas/stafd.conf --idl /tmp/x
check daemon-running wait_for 10 daemon_running stafd
check daemon-args wait_for 10 file_has "$(logfile stafd.log)" "fake stafd -f /etc/stas/stafd.conf --idl /tmp/x"
check stop-daemon-exit-0 stop_daemon stafd
check daemon-stopped not daemon_running stafd
check daemon-got-term file_has "$(logfile stafd.log)" "got TERM"
STAS_BUILD=$real_build
info build "$STAS_BUILD: stafd $([ -x "$STAS_BUILD/stafd" ] && echo built || echo 'not built yet')"
