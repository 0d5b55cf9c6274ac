#!/bin/bash
# [NFR-2] [BAD-0] [CONN-6] [STAC-4] [DC-2] the target's port (DC and I/O controllers on one
# port) unreachable for longer than kato: the kernel's keep-alive fails, it keeps the devices
# and reconnects them when the port is back.  stafd and stacd disconnect nothing and connect
# nothing anew; afterwards every controller is live on the same device, the DLP was re-read
# and the daemons agree with the kernel.
# The port goes down at the network level (the host side of the veth to the target's netns),
# not with target_port_disable: unlinking the subsystems would change the discovery log page,
# and an authoritative DLP without the subsystem is evidence for stacd to disconnect it
# ([STAC-4]), which is not what this fault is about.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"
# shellcheck source=../guest/stacd.sh
. "$STAS_VM_DIR/guest/stacd.sh"
# shellcheck source=../guest/faults.sh
. "$STAS_VM_DIR/guest/faults.sh"

KATO=5
SUBS=(s1 s2 s3)
require fabric-up fabric_up
require fabric fault_netns_fabric $KATO "${SUBS[@]}"

require stafd-start start_daemon stafd "$STAFD_CONF"
require stacd-start start_daemon stacd "$STACD_CONF"
require iocs-connected wait_for 60 ioc_count_is ${#SUBS[@]}
require all-live fault_wait 30 fault_all_live all
check stafd-data-complete wait_for 20 stacd_info_has '"stafd data": "complete"'
check before-stafd-agrees fault_wait 20 fault_daemon_agrees stafd before-stafd
check before-stacd-agrees fault_wait 20 fault_daemon_agrees stacd before-stacd
require snapshot fault_snapshot before.ctrls all
check dc-kato test "$(ctrl_attr "$(ctrl_find --dc)" kato)" = $KATO
check ioc-kato test "$(ctrl_attr "$(ctrl_find --nqn s1)" kato)" = $KATO
STAFD_CONNECTS=$(count_lines "$(logfile stafd.log)" "Connecting to nvme control")
STACD_CONNECTS=$(count_lines "$(logfile stacd.log)" "Connecting to nvme control")
require uevent-watch fault_watch uevents.log

# port down: the keep-alive of every controller times out, the kernel reconnects (in vain)
now_us; T0=$REPLY
require port-down ip link set "$NS_HOST_IF" down
check kato-expired-all-reconnecting fault_wait 60 fault_states_are all connecting
info outage-detected-after "$(secs_since "$T0") s"
check down-stafd-keeps-dc fault_daemon_agrees stafd down-stafd
check down-stacd-keeps-iocs fault_daemon_agrees stacd down-stacd
check down-no-disconnect fault_no_disconnect

# port up: the kernel reconnects the same devices
now_us; T1=$REPLY
require port-up ip link set "$NS_HOST_IF" up
fault_verify after before.ctrls --any-cntlid stafd stacd
info reconnected-after "$(secs_since "$T1") s"
check no-device-removed-or-added fault_no_uevent uevents.log remove add
# the kernel reconnected every controller itself (a real outage, not a no-op)
check kernel-reconnected-all fault_wait 10 fault_count_ge uevents.log NVME_EVENT=connected $((${#SUBS[@]} + 1))
# the kernel's rediscover event (a persistent DC reconnected) restarts the DC's chain [DC-2]
check dlp-re-read fault_wait 30 fault_log_after stafd.log "Received NVME_EVENT=rediscover" "Received discovery log pages"
check dlp-entries dlp_count_is "$NS_TGT_ADDR" 8009 $((${#SUBS[@]} + 1))
check after-stafd-data-complete wait_for 20 stacd_info_has '"stafd data": "complete"'
check stafd-connected-nothing-anew test "$(count_lines "$(logfile stafd.log)" "Connecting to nvme control")" = "$STAFD_CONNECTS"
check stacd-connected-nothing-anew test "$(count_lines "$(logfile stacd.log)" "Connecting to nvme control")" = "$STACD_CONNECTS"
check stacd-stops stop_daemon stacd
check stafd-stops stop_daemon stafd
check kept-after-stop fault_same_ctrls before.ctrls --any-cntlid
finish
