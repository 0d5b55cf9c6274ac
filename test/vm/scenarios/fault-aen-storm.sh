#!/bin/bash
# [DC-7] [ARCH-3] [DC-2] [DC-6] [NFR-2] [BAD-0] [STAC-1] [STAC-4] an AEN storm: 100 link/unlink
# cycles of a subsystem on the DC's port (200 discovery log changes in ~10 s: 10 bursts of 20
# changes as fast as the kernel allows, so that AENs arrive while a read is in flight), then
# one more subsystem linked.  stafd coalesces the AENs into a bounded number of
# log page reads (far fewer than the changes, at most one per AEN plus one), loses none (its
# final DLP is what the port exports), and stacd ends connected to exactly the final set:
# the subsystem added last anew, the others on the same kernel devices, nothing disconnected.
# The cycled subsystem is excluded in stacd.conf, so that stacd has no reason to connect or
# disconnect it (an authoritative DLP without it would be evidence to disconnect, [STAC-4]).
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

CYCLES=100 BURST=10 PAUSE=1
STABLE=(s1 s2 s3)
require fabric-up fabric_up
require fabric stacd_fabric
require subsystems target_subsys_many "${STABLE[@]}" flap last
require links target_link_many "$DCPORT" "${STABLE[@]}"
stacd_conf "[Global]" "kato = 30" "nr-io-queues = 1" "" "[Controllers]" "exclude = nqn=$(nqn flap)"
require stafd-start start_daemon stafd "$STAFD_CONF"
require stacd-start start_daemon stacd "$STACD_CONF"
require iocs-connected wait_for 60 ioc_count_is ${#STABLE[@]}
require before-all-live fault_wait 30 fault_all_live all
check before-dlp fault_wait 20 dlp_is_target 127.0.0.1 8009 "$DCPORT"
check before-stacd-agrees fault_wait 20 fault_daemon_agrees stacd before-stacd
require snapshot fault_snapshot before.ctrls all
READS0=$(count_lines "$(logfile stafd.log)" "Received discovery log pages")
AENS0=$(count_lines "$(logfile stafd.log)" "Received AEN: 0x70f002")

now_us; T0=$REPLY
require storm target_storm "$DCPORT" flap $CYCLES $BURST $PAUSE
require link-last target_link last "$DCPORT"
info storm-seconds "$(secs_since "$T0") s for $((2 * CYCLES + 1)) discovery log changes"

# no AEN lost: the last change reaches stafd's cache
check final-dlp fault_wait 60 dlp_is_target 127.0.0.1 8009 "$DCPORT"
info final-dlp-after "$(secs_since "$T0") s"
check last-connected fault_wait 60 ioc_live last
READS=$(($(count_lines "$(logfile stafd.log)" "Received discovery log pages") - READS0))
AENS=$(($(count_lines "$(logfile stafd.log)" "Received AEN: 0x70f002") - AENS0))
info dlp-reads "$READS log page reads for $AENS AENs and $((2 * CYCLES + 1)) changes"
check reads-bounded test "$READS" -lt $(((2 * CYCLES + 1) / 4))
# [DC-7]: each AEN causes at most one read; the read that follows the last AEN shows the
# final log (a read in flight when an AEN arrives is followed by exactly one more)
check reads-at-most-aens-plus-one test "$READS" -le $((AENS + 1))
check reads-at-least-one test "$READS" -ge 1
check no-read-failed not file_has "$(logfile stafd.log)" "Failed to retrieve log pages"

# fault_verify's checks, with the one controller made for the subsystem added last
check after-all-live fault_wait 60 fault_all_live all
check after-same-devices fault_same_ctrls before.ctrls --new 1
check after-no-duplicates fault_no_duplicates all
check after-stafd-agrees fault_wait 60 fault_daemon_agrees stafd after-stafd
check after-stacd-agrees fault_wait 60 fault_daemon_agrees stacd after-stacd
check after-no-disconnect fault_no_disconnect
check stacd-lists-final stacctl_count_is $((${#STABLE[@]} + 1))
check flap-never-connected not ioc_live flap
check stacd-no-remove not file_has "$(logfile stacd.log)" 'Received "remove" event'
check stacd-stops stop_daemon stacd
check stafd-stops stop_daemon stafd
finish
