#!/bin/bash
# [STAC-7] [STATE-1] [CONN-4] [NFR-2] [BAD-0] stacd killed with SIGKILL (no clean shutdown) and
# started again: its I/O controllers are re-adopted from the state file and the kernel, none
# dropped, none connected twice.  Killed once more while it connects a new subsystem: whether
# the kernel completed that connect for the dead process or aborted it, the next stacd ends
# with exactly one device for it (adopted or connected), the others untouched.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"
# shellcheck source=../guest/stacd.sh
. "$STAS_VM_DIR/guest/stacd.sh"
# shellcheck source=../guest/faults.sh
. "$STAS_VM_DIR/guest/faults.sh"

SUBS=(s1 s2 s3)
require fabric-up fabric_up
require fabric stacd_fabric
for s in "${SUBS[@]}"; do
    require "subsys-$s" target_subsys "$s" --ns none
    require "link-$s" target_link "$s" "$DCPORT"
done
stacd_conf "[Global]" "tron = true" "nr-io-queues = 1"
require stafd-start start_daemon stafd "$STAFD_CONF"
require stacd-start start_daemon stacd "$STACD_CONF"
require iocs-connected wait_for 60 ioc_count_is ${#SUBS[@]}
require all-live fault_wait 30 fault_all_live all
check stafd-data-complete wait_for 20 stacd_info_has '"stafd data": "complete"'
# state_has_all: stacd's state file has every subsystem (a SIGKILL leaves it as it was)
state_has_all() {
    local s
    for s in "${SUBS[@]}"; do _nqn "$s"; file_has /run/stacd/last-known-config.json "\"$REPLY\"" || return 1; done
}
check stacd-state-written wait_for 10 state_has_all
require snapshot fault_snapshot before.ctrls all
require uevent-watch fault_watch uevents.log

require stacd-sigkill fault_sigkill stacd
check stacd-gone wait_for 10 not dbus_has_owner org.nvmexpress.stac
check gone-same-devices fault_same_ctrls before.ctrls
require stacd-restart start_daemon stacd "$STACD_CONF"
check stacd-back wait_for 15 dbus_has_owner org.nvmexpress.stac
check iocs-restored fault_wait 15 fault_count_ge stacd.log "restored from /run/stacd/last-known-config.json" ${#SUBS[@]}
check first-pass wait_for 20 stacd_info_has '"stafd data": "complete"'
fault_verify after before.ctrls stafd stacd
check adopted-each-once test "$(count_lines "$(logfile stacd.log)" "Connection established!")" = ${#SUBS[@]}
check not-connected-again not file_has "$(logfile stacd.log)" "Connecting to nvme control"
check origin-restored test "$(count_lines "$(logfile after-stacd-ls-d.json)" '"origin": "discovered"')" = ${#SUBS[@]}
check no-device-removed-or-added fault_no_uevent uevents.log remove add

# killed while it connects s4 (DLP-change AEN -> stafd -> log_pages_changed -> stacd)
require subsys-s4 target_subsys s4 --ns none
require link-s4 target_link s4 "$DCPORT"
check s4-connect-started wait_for 30 file_has "$(logfile stacd.log)" "$(nqn s4)) Connecting to nvme control"
require stacd-sigkill-mid-connect fault_sigkill stacd mid-connect
require stacd-restart-2 start_daemon stacd "$STACD_CONF"
check s4-connected wait_for 60 ioc_count_is $((${#SUBS[@]} + 1))
check mid-all-live fault_wait 30 fault_all_live all
check mid-no-duplicates fault_no_duplicates all
check mid-old-devices-kept fault_same_ctrls before.ctrls --new 1
check mid-stacd-agrees fault_wait 30 fault_daemon_agrees stacd mid-stacd
check mid-stafd-agrees fault_daemon_agrees stafd mid-stafd
check mid-no-disconnect fault_no_disconnect
# a SIGKILL during the connect write makes the kernel abort it ("failed to connect socket:
# -512") and delete the half-made device itself: that add/remove pair is the kernel's, and
# fault_same_ctrls above shows the other devices were untouched
info mid-connect-devices-created "$(count_lines "$(logfile uevents.log)" ACTION=add)"
check stacd-stops stop_daemon stacd
check stafd-stops stop_daemon stafd
finish
