#!/bin/bash
# [KT-1] [KT-4] [ARCH-6] [ARCH-7] [NFR-2] [BAD-0] [CONN-6] [D-38] a udev monitor overflow on
# the real kernel (spec/bad-input.md §7, behaviour §2.1, §2.4): stacd runs from the test
# binary build/stas-tinybuf (4 KiB receive buffer) and is stopped (SIGSTOP) while uevents
# fill its socket and the controllers of half of its subsystems are deleted, so that their
# "remove" events are dropped by the kernel (ENOBUFS).  After SIGCONT stacd logs the WARNING,
# counts the overflow, resynchronises with sysfs and reconnects the deleted controllers
# (the missed removes); the other connections are untouched and stacd agrees with the
# kernel.
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

SUBS=(s1 s2 s3 s4 s5 s6 s7 s8)
DELETED=(s1 s2 s3 s4)
OVERFLOW_WARNING="udev monitor overflow: events were lost, resynchronising with sysfs"
require fabric-up fabric_up
require fabric stacd_fabric
require subsystems target_subsys_many "${SUBS[@]}"
require links target_link_many "$DCPORT" "${SUBS[@]}"
stacd_conf "[Global]" "kato = 30" "nr-io-queues = 1"
require stafd-start start_daemon stafd "$STAFD_CONF"
require stacd-start tinybuf_start_daemon stacd "$STACD_CONF"
require iocs-connected wait_for 90 ioc_count_is ${#SUBS[@]}
require before-all-live fault_wait 30 fault_all_live all
check before-stacd-agrees fault_wait 30 fault_daemon_agrees stacd before-stacd
# the tiny buffer is in effect ([ARCH-7] WARNING for less than 8 MiB)
check tiny-rcvbuf-warned file_has "$(logfile stacd.log)" "udev monitor receive buffer is only"
require overflows-before status_value stacctl "udev overflows"
OVF0=$REPLY
require stacd-pid daemon_pid stacd
PID=$REPLY

require stacd-stop kill -STOP "$PID"
# fill stacd's socket with change events first, so that the removes are dropped
require flood-changes udevadm trigger --settle --action=change --subsystem-match=nvme
require delete-ctrls ctrl_delete "${DELETED[@]}"
check deleted wait_for 30 ioc_count_is $((${#SUBS[@]} - ${#DELETED[@]}))
# the connections that must survive untouched
require snapshot fault_snapshot kept.ctrls all
require udev-settled udevadm settle --timeout=60
now_us; T0=$REPLY
require stacd-cont kill -CONT "$PID"

check overflow-warning fault_wait 30 file_has "$(logfile stacd.log)" "$OVERFLOW_WARNING"
check overflow-counted test "$(status_value stacctl "udev overflows")" -gt "$OVF0"
info overflows "$(status_value stacctl "udev overflows") (before: $OVF0)"
# the removes were lost: stacd learnt them from the resync that follows the overflow (a
# remove received before the overflow would be logged before the WARNING)
check removes-after-overflow fault_log_after stacd.log "$OVERFLOW_WARNING" 'Received "remove" event'
check no-remove-before-overflow not fault_log_after stacd.log 'Received "remove" event' "$OVERFLOW_WARNING"
for s in "${DELETED[@]}"; do check "reconnected-$s" fault_wait 60 ioc_live "$s"; done
info recovered-after "$(secs_since "$T0") s"
# fault_verify's checks, with the controllers made anew for the deleted ones
check after-all-live fault_wait 60 fault_all_live all
check after-same-devices fault_same_ctrls kept.ctrls --new ${#DELETED[@]}
check after-no-duplicates fault_no_duplicates all
check after-stafd-agrees fault_wait 60 fault_daemon_agrees stafd after-stafd
check after-stacd-agrees fault_wait 60 fault_daemon_agrees stacd after-stacd
check after-no-disconnect fault_no_disconnect
check stacd-lists-all stacctl_count_is ${#SUBS[@]}
check stacd-stops stop_daemon stacd
check stafd-stops stop_daemon stafd
finish
