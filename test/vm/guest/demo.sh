#!/bin/bash
# Guest side of test/vm/demo.sh: bring the fabric up and show what a user
# would look at.  The discovery controller is advertised over mDNS and stafd
# finds it that way (its configuration has no controller= line).  The checks
# assert that the fabric came up and that stafd connected the advertised DC;
# the rest of the daemons' output is shown, not judged.
# shellcheck source=lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"

say() { printf '\n==== %s\n' "$*"; }
why() { printf '  (%s)\n' "$*"; }
show() { echo "\$ $*"; "$@" 2>&1 | _indent; return "${PIPESTATUS[0]}"; }
# shown NAME CMD...: show CMD and its output; a check that CMD succeeded
shown() {
    local n=$1 rc; shift
    show "$@"; rc=$?
    if [ $rc = 0 ]; then pass "$n"; else fail "$n" "rc=$rc: $*"; fi
}
namespaces() { local n=0 d; for d in /dev/nvme*n*; do [ -b "$d" ] && n=$((n + 1)); done; [ $n -ge "$1" ]; }

say "1. The NVMe-oF target (Linux nvmet, configured through configfs)"
why "a TCP target inside this VM: discovery ports on 127.0.0.1:8009 and [::1]:8009, I/O port 127.0.0.1:4420, three subsystems"
require fabric fabric_up
# shellcheck disable=SC2016  # (expanded by eval)
require target eval 'target_port 1 127.0.0.1 8009 && target_port 2 ::1 8009 && target_port 3 127.0.0.1 4420 &&
    for s in sub1 sub2 sub3; do target_subsys $s && target_link $s 1 && target_link $s 3 || exit 1; done &&
    target_link sub1 2'
target_summary | _indent
check target-listening wait_for 10 tcp_listening 127.0.0.1 8009

say "2. mDNS: a discovery controller advertised with avahi-publish"
why "what stafd's zeroconf browser will find: service _nvme-disc._tcp on lo, resolved to 127.0.0.1:8009"
require avahi avahi_start lo
require publish avahi_publish_dc stas-vm-demo-dc 8009 p=tcp
found() { avahi_browse _nvme-disc._tcp > "$(logfile browse.txt)" 2>&1 && file_has "$(logfile browse.txt)" "stas-vm-demo-dc;_nvme-disc._tcp;local;stas-vm.local;127.0.0.1;8009"; }
check mdns-resolved wait_for 20 found
echo "\$ avahi-browse -rpt _nvme-disc._tcp"; _indent < "$(logfile browse.txt)"

say "3. nvme discover"
why "the discovery log page of the DC at 127.0.0.1:8009: one entry per subsystem on that port, plus the current discovery subsystem"
shown discover nvme discover -t tcp -a 127.0.0.1 -s 8009

say "4. stafd and stacd (from $STAS_BUILD)"
if [ -x "$STAS_BUILD/stafd" ] && [ -x "$STAS_BUILD/stacd" ]; then
    mkdir -p /tmp/stas-demo
    rm -f /run/stafd/last-known-config.json
    cat > /tmp/stas-demo/stafd.conf <<'EOC'
[Global]
tron = true
[Service Discovery]
zeroconf = enabled
# no [Controllers] section: the discovery controller comes from mDNS
EOC
    printf '[Global]\ntron = true\n' > /tmp/stas-demo/stacd.conf
    why "stafd browses mDNS through avahi-daemon and connects the DCs it finds; stacd connects the I/O controllers their log pages list"
    echo "\$ cat /tmp/stas-demo/stafd.conf"; _indent < /tmp/stas-demo/stafd.conf
    start_daemon stafd /tmp/stas-demo/stafd.conf
    start_daemon stacd /tmp/stas-demo/stacd.conf
    wait_for 10 dbus_has_owner org.nvmexpress.staf
    wait_for 10 dbus_has_owner org.nvmexpress.stac
    dc_found() { "$STAS_BUILD/stafctl" ls -d 2>/dev/null | grep -q '"log pages state": "current"'; }
    check stafd-found-dc-over-mdns wait_for 40 dc_found
    stas_sleep 2
    why "stafctl ls: the discovery controllers stafd tracks; this one came from mDNS, pinned to the interface its advert came in on (host-iface lo)"
    show "$STAS_BUILD/stafctl" ls
    echo "\$ $STAS_BUILD/stafctl ls -d | grep -E 'origin|mdns|unresponsive'"
    "$STAS_BUILD/stafctl" ls -d 2>&1 | grep -E '"(origin|mdns advertised|unresponsive removal time)"' | _indent
    why "stafctl adlp: the discovery log pages stafd read from it: one entry per subsystem on that port, plus the discovery subsystem itself"
    show "$STAS_BUILD/stafctl" adlp
    why "stacctl ls: the I/O controllers stacd tracks"
    show "$STAS_BUILD/stacctl" ls
    why "the NVMe controllers the kernel has now"
    show nvme list-subsys
    for d in stafd stacd; do
        echo "--- last lines of $d's log"; tail -n 15 "$(logfile "$d.log")" | _indent
        stop_daemon "$d"; echo "($d exit status $?)"
    done
    host_disconnect_all
else
    echo "  stafd/stacd are not built yet in $STAS_BUILD: nothing to start."
    echo "  (once they are, this step starts both, stafd finding the DC above over mDNS, and runs stafctl ls / adlp / stacctl ls)"
fi

say "5. nvme connect-all, then nvme list"
why "connect-all connects every I/O subsystem of the discovery log; nvme list shows the namespaces as block devices"
shown connect-all nvme connect-all -t tcp -a 127.0.0.1 -s 8009
check three-namespaces-appear wait_for 20 namespaces 3
show nvme list
why "one controller per subsystem, all on 127.0.0.1:8009"
show nvme list-subsys
step disconnect-all nvme disconnect-all > /dev/null
