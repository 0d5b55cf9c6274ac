#!/bin/bash
# [ZC-1] [ZC-2] [ZC-6] [BAD-0] [NFR-2] avahi-daemon faults with a real avahi-daemon on lo:
#  - stafd started while avahi-daemon is absent: it starts, serves D-Bus (stafctl status, the
#    wake-up timer running), logs the WARNING of behaviour §8.1, and once avahi-daemon runs it
#    discovers and connects the advertised DC; stacd connects the DC's I/O controllers;
#  - avahi-daemon restarted: nothing is disconnected (the DC is connected, so not aged,
#    bad-input §5), stafd logs the loss and the return (§8.1), re-creates its client and sees
#    the advert again; afterwards the same devices, live, and both daemons agree with the kernel.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"
# shellcheck source=../guest/stacd.sh
. "$STAS_VM_DIR/guest/stacd.sh"
# shellcheck source=../guest/zeroconf.sh
. "$STAS_VM_DIR/guest/zeroconf.sh"
# shellcheck source=../guest/faults.sh
. "$STAS_VM_DIR/guest/faults.sh"

SUBS=(s1 s2)
LOST="avahi-daemon not available, zeroconf not supported."
BACK="avahi-daemon service available, zeroconf supported."
SERVICE="\"(lo, IPv4, $ZC_DC_NAME.local, _nvme-disc._tcp)\""
require fabric-up fabric_up
_bb rm -rf /run/stafd /run/stacd
require target-port target_port 1 127.0.0.1 8009
for s in "${SUBS[@]}"; do
    require "subsys-$s" target_subsys "$s" --ns none
    require "link-$s" target_link "$s" 1
done
zc_conf
stacd_conf "[Global]" "tron = true" "nr-io-queues = 1"

# (2) no avahi-daemon at start-up
require no-avahi-daemon not dbus_has_owner org.freedesktop.Avahi
require stafd-start zc_stafd
check without-avahi-logged wait_for 10 zc_log_count_is "$LOST" 1
check without-avahi-status-works zc_status without-avahi-status.json
check without-avahi-wakeup-timer-runs file_has "$(logfile without-avahi-status.json)" '"avahi wake up timer": "60.0s \[[0-9]'
require stacd-start start_daemon stacd "$STACD_CONF"
check stacd-on-bus wait_for 15 dbus_has_owner org.nvmexpress.stac
check without-avahi-no-dc dc_count_is 0
require avahi-start avahi_start lo
check avahi-picked-up wait_for 20 zc_log_count_is "$BACK" 1
require publish avahi_publish_dc "$ZC_DC_NAME" 8009 p=tcp
check dc-connected wait_for 40 dc_count_is 1
check dc-pinned-to-lo zc_dc_via lo
require iocs-connected wait_for 60 ioc_count_is ${#SUBS[@]}
require all-live fault_wait 30 fault_all_live all
check stafd-data-complete wait_for 20 stacd_info_has '"stafd data": "complete"'
check before-stafd-agrees fault_wait 20 fault_daemon_agrees stafd before-stafd
check before-stacd-agrees fault_wait 20 fault_daemon_agrees stacd before-stacd
check before-advertised file_has "$(logfile before-stafd-ls-d.json)" '"mdns advertised": "True"'
require snapshot fault_snapshot before.ctrls all
require uevent-watch fault_watch uevents.log

# (1) avahi-daemon restarted (avahi-publish exits with it)
require avahi-restart zc_avahi_restart
check lost-logged wait_for 10 zc_log_count_is "$LOST" 2
check back-logged wait_for 20 zc_log_count_is "$BACK" 2
check services-dropped wait_for 10 zc_status_has '"services": {}'
check unadvertised-dc-kept fault_daemon_agrees stafd unadvertised-stafd
check unadvertised-shown file_has "$(logfile unadvertised-stafd-ls-d.json)" '"mdns advertised": "False"'
check unadvertised-not-aging file_has "$(logfile unadvertised-stafd-ls-d.json)" '"unresponsive removal time": "---"'
require republish avahi_publish_dc "$ZC_DC_NAME" 8009 p=tcp
check advert-seen-again wait_for 20 zc_status_has "$SERVICE"
check advertised-again wait_for 10 zc_ls_has '"mdns advertised": "True"'
fault_verify after before.ctrls stafd stacd
check no-device-removed-or-added fault_no_uevent uevents.log remove add
check dc-connected-once zc_log_count_is "Connection established!" 1
check stacd-stops stop_daemon stacd
check stafd-stops stop_daemon stafd
finish
