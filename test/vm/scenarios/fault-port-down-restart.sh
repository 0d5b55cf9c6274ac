#!/bin/bash
# [CONN-4] [STAF-3] [STAC-7] [STAC-3] [DC-2] [NFR-2] [BAD-0] both daemons killed with SIGKILL
# and restarted while the target's port is down and the kernel is reconnecting: they adopt the
# devices in state "connecting" (restored from their state files, not connected again), keep
# them while the DC's log page cannot be read (the restored cache is not authoritative), and
# once the port is back the kernel reconnects the same devices, the new stafd reads the log
# page after the kernel's rediscover event, and nothing was disconnected.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"
# shellcheck source=../guest/stacd.sh
. "$STAS_VM_DIR/guest/stacd.sh"
# shellcheck source=../guest/faults.sh
. "$STAS_VM_DIR/guest/faults.sh"

SUBS=(s1 s2)
require fabric-up fabric_up
require fabric fault_netns_fabric 5 "${SUBS[@]}"
require stafd-start start_daemon stafd "$STAFD_CONF"
require stacd-start start_daemon stacd "$STACD_CONF"
require iocs-connected wait_for 60 ioc_count_is ${#SUBS[@]}
require all-live fault_wait 30 fault_all_live all
check stafd-data-complete wait_for 20 stacd_info_has '"stafd data": "complete"'
check stafd-state-written wait_for 10 file_has /run/stafd/last-known-config.json "$(nqn "${SUBS[-1]}")"
check stacd-state-written wait_for 10 file_has /run/stacd/last-known-config.json "$(nqn "${SUBS[-1]}")"
require snapshot fault_snapshot before.ctrls all
require uevent-watch fault_watch uevents.log

require port-down ip link set "$NS_HOST_IF" down
check all-reconnecting fault_wait 60 fault_states_are all connecting
require stafd-sigkill fault_sigkill stafd
require stacd-sigkill fault_sigkill stacd
require stafd-restart start_daemon stafd "$STAFD_CONF"
require stacd-restart start_daemon stacd "$STACD_CONF"
check down-stafd-adopts fault_wait 30 fault_daemon_agrees stafd down-stafd
check down-stacd-adopts fault_wait 30 fault_daemon_agrees stacd down-stacd
check down-still-reconnecting fault_states_are all connecting
check down-stafd-data-partial wait_for 20 stacd_info_has '"stafd data": "partial"'
check down-same-devices fault_same_ctrls before.ctrls
check down-no-disconnect fault_no_disconnect

require port-up ip link set "$NS_HOST_IF" up
fault_verify after before.ctrls --any-cntlid stafd stacd
check dlp-read-after-rediscover fault_wait 30 fault_log_after stafd.log "Received NVME_EVENT=rediscover" "Received discovery log pages"
check stacd-data-complete wait_for 30 stacd_info_has '"stafd data": "complete"'
check after-pass-stacd-agrees fault_daemon_agrees stacd after-pass-stacd
check after-pass-no-disconnect fault_no_disconnect
check stafd-not-connected-again not file_has "$(logfile stafd.log)" "Connecting to nvme control"
check stacd-not-connected-again not file_has "$(logfile stacd.log)" "Connecting to nvme control"
check no-device-removed-or-added fault_no_uevent uevents.log remove add
check stacd-stops stop_daemon stacd
check stafd-stops stop_daemon stafd
finish
