#!/bin/bash
# [NFR-1] [NFR-2] [NFR-4] [BAD-0] [CONN-6] [STAC-1] [STAC-4] [DC-2] 200 I/O controllers
# connected by stacd (200 subsystems listed by the DC), then the target's port flapped
# FLAPS times: every connection (the DC's and the 200 IOCs') breaks at once and cannot be
# re-established until the port is back; then the kernel reconnects them all.  No connection
# is lost: all 201 are live again on the same kernel devices, stafd and stacd disconnect and
# connect nothing, and both agree with the kernel.
# The flap is at the network level: the host side of the veth to the target's netns goes
# down and the TCP connections on both sides are killed (ss -K, as a link loss noticed at
# once; kato catches the rare one the kernel misses), then the link comes back.  Not
# target_port_disable: it unlinks the subsystems one by one, and a DLP read in between would be authoritative
# evidence for stacd to disconnect the missing ones ([STAC-4]), a race of the test.
# N=${FAULT_IOCS:-200} (less for a quick try).  Figures: the connect time of the N, the
# recovery time of each flap, the guest memory.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"
# shellcheck source=../guest/stacd.sh
. "$STAS_VM_DIR/guest/stacd.sh"
# shellcheck source=../guest/faults.sh
. "$STAS_VM_DIR/guest/faults.sh"
# shellcheck source=../guest/faults-load.sh
. "$STAS_VM_DIR/guest/faults-load.sh"

N=${FAULT_IOCS:-200}
FLAPS=3
FAULT_SETTLE=300
SUBS=()
for ((i = 1; i <= N; i++)); do SUBS+=("io$i"); done
require fabric-up fabric_up
require netns netns_pair tgt
_bb rm -rf /run/stafd /run/stacd
require target-port target_port 1 "$NS_TGT_ADDR" 8009 --netns tgt
require subsystems target_subsys_many "${SUBS[@]}"
require links target_link_many 1 "${SUBS[@]}"
info mem-before "$(mem_available)"
# the kernel retries every second (reconnect-delay) for 10 minutes; a kato of 5 s bounds
# the detection of a connection whose killed socket the kernel did not notice; small I/O
# queues: the controllers have no namespace
PARAMS="kato = 5
reconnect-delay = 1
ctrl-loss-tmo = 600"
printf '[Global]\n%s\n\n[Service Discovery]\nzeroconf = disabled\n\n[Controllers]\ncontroller = transport=tcp;traddr=%s;trsvcid=8009\n' \
    "$PARAMS" "$NS_TGT_ADDR" > "$STAFD_CONF"
stacd_conf "[Global]" "$PARAMS" "nr-io-queues = 1" "queue-size = 16"

now_us; T0=$REPLY
require stafd-start start_daemon stafd "$STAFD_CONF"
require stacd-start start_daemon stacd "$STACD_CONF"
require dlp-all fault_wait 120 dlp_is_target "$NS_TGT_ADDR" 8009 1
require iocs-connected fault_wait 900 ctrl_count_is io live "$N"
info connect-seconds "$(secs_since "$T0") s for $N I/O controllers"
info mem-connected "$(mem_available)"
check before-stafd-agrees fault_wait 60 fault_daemon_agrees stafd before-stafd
check before-stacd-agrees fault_wait 60 fault_daemon_agrees stacd before-stacd
require snapshot fault_snapshot before.ctrls all
STAFD_CONNECTS=$(count_lines "$(logfile stafd.log)" "Connecting to nvme control")
STACD_CONNECTS=$(count_lines "$(logfile stacd.log)" "Connecting to nvme control")
DLP_READS=$(count_lines "$(logfile stafd.log)" "Received discovery log pages")
require uevent-watch fault_watch uevents.log

for ((f = 1; f <= FLAPS; f++)); do
    now_us; T1=$REPLY
    require "flap$f-link-down" ip link set "$NS_HOST_IF" down
    check "flap$f-kill-host" tcp_kill dst "$NS_TGT_ADDR"
    check "flap$f-kill-target" tcp_kill --netns tgt src "$NS_TGT_ADDR"
    check "flap$f-all-down" fault_wait 120 fault_states_are all connecting
    info "flap$f-down" "$(secs_since "$T1") s"
    now_us; T1=$REPLY
    require "flap$f-link-up" ip link set "$NS_HOST_IF" up
    check "flap$f-all-live" fault_wait "$FAULT_SETTLE" ctrl_count_is all live $((N + 1))
    info "flap$f-recovered" "$(secs_since "$T1") s"
done
info mem-after-flaps "$(mem_available)"

fault_verify after before.ctrls --any-cntlid stafd stacd
check no-device-removed-or-added fault_no_uevent uevents.log remove add
# no kernel device was removed from start to end: a "remove" seen by a daemon is a spurious
# one, synthesised by a resync (the 60 s resync during the 200 connects did, before the fix
# of the claims' identity, [KT-4])
check stacd-no-remove not file_has "$(logfile stacd.log)" 'Received "remove" event'
check stafd-no-remove not file_has "$(logfile stafd.log)" 'Received "remove" event'
check kernel-reconnected-all fault_count_ge uevents.log NVME_EVENT=connected $((FLAPS * (N + 1)))
check dlp-re-read fault_wait 60 fault_count_ge stafd.log "Received discovery log pages" $((DLP_READS + FLAPS))
check dlp-complete dlp_is_target "$NS_TGT_ADDR" 8009 1
check stafd-data-complete wait_for 30 stacd_info_has '"stafd data": "complete"'
check stafd-connected-nothing-anew test "$(count_lines "$(logfile stafd.log)" "Connecting to nvme control")" = "$STAFD_CONNECTS"
check stacd-connected-nothing-anew test "$(count_lines "$(logfile stacd.log)" "Connecting to nvme control")" = "$STACD_CONNECTS"
check stacd-stops stop_daemon stacd 30
check stafd-stops stop_daemon stafd 30
finish
