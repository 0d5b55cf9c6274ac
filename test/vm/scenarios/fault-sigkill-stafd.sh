#!/bin/bash
# [STAF-3] [STATE-1] [CONN-4] [STAC-2] [STAC-3] [NFR-2] [BAD-0] stafd killed with SIGKILL (no
# clean shutdown) while stacd runs, then started again: no I/O controller is lost or
# connected again, the DC is re-adopted from the kernel (restored from the state file, not
# connected a second time), its log page is read again and stacd gets the log pages of the
# new stafd; afterwards both daemons agree with the kernel.
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
require stafd-start start_daemon stafd "$STAFD_CONF" --tron
require stacd-start start_daemon stacd "$STACD_CONF"
require iocs-connected wait_for 60 ioc_count_is ${#SUBS[@]}
require all-live fault_wait 30 fault_all_live all
check stafd-data-complete wait_for 20 stacd_info_has '"stafd data": "complete"'
# the cache stafd serves is on disk (a SIGKILL gives it no chance to write it)
check stafd-state-written wait_for 10 file_has /run/stafd/last-known-config.json "$(nqn "${SUBS[-1]}")"
require snapshot fault_snapshot before.ctrls all
STACD_CONNECTS=$(count_lines "$(logfile stacd.log)" "Connecting to nvme control")
require uevent-watch fault_watch uevents.log

require stafd-sigkill fault_sigkill stafd
check stafd-gone wait_for 10 not dbus_has_owner org.nvmexpress.staf
check stacd-data-stale wait_for 10 stacd_info_has '"stafd data": "stale"'
check gone-stacd-keeps-iocs fault_daemon_agrees stacd gone-stacd
check gone-same-devices fault_same_ctrls before.ctrls

require stafd-restart start_daemon stafd "$STAFD_CONF" --tron
check stafd-back wait_for 15 dbus_has_owner org.nvmexpress.staf
check dc-restored wait_for 10 file_has "$(logfile stafd.log)" "restored from /run/stafd/last-known-config.json"
check cache-served wait_for 10 dlp_count_is 127.0.0.1 8009 $((${#SUBS[@]} + 1))
fault_verify after before.ctrls stafd stacd
check dc-adopted fault_wait 10 fault_count_ge stafd.log "Found existing control device" 1
check dc-not-connected-again not file_has "$(logfile stafd.log)" "Connecting to nvme control"
check dlp-read-again fault_wait 30 fault_count_ge stafd.log "Received discovery log pages" 1
# stacd soaks CONF_LONG_SOAK (10 s) after stafd came back, then takes its log pages
check stacd-gets-log-pages wait_for 40 stacd_info_has '"stafd data": "complete"'
check after-pass-stacd-agrees fault_daemon_agrees stacd after-pass-stacd
check after-pass-same-devices fault_same_ctrls before.ctrls
check stacd-connected-nothing-anew test "$(count_lines "$(logfile stacd.log)" "Connecting to nvme control")" = "$STACD_CONNECTS"
check no-device-removed-or-added fault_no_uevent uevents.log remove add
check after-pass-no-disconnect fault_no_disconnect
check stacd-stops stop_daemon stacd
check stafd-stops stop_daemon stafd
finish
