#!/bin/bash
# The real StasFabrics (libnvme 1.3, sysfs, udev) against nvmet, through
# test/tools/fabrics-probe: a persistent DC (kato 30) whose discovery log is
# larger than 4 KiB (5 subsystems + the current discovery subsystem = 6
# entries), read by stas' own procedure with RAE=0 on every Get Log Page
# (behaviour §5.6 [DC-6]).  Four link/unlink cycles each must raise a NEW
# DLP-change AEN: nvmet masks the AEN until the host read the log with RAE=0,
# so one missing AEN would mean RAE was left set (libnvme 1.3's
# nvmf_get_discovery_log() does that for logs > 4 KiB).  Also: DIM and
# Supported Log Pages error classification, adopt, a refused connect,
# disconnect and the "remove" uevent.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"

PROBE=$STAS_BUILD/test/tools/fabrics-probe
require probe-built test -x "$PROBE"
require fabric-up fabric_up
require target-port target_port 1 127.0.0.1 8009
for s in s1 s2 s3 s4 s5 s6 s7; do require "target-$s" target_subsys "$s" --ns none; done
# an I/O subsystem on another port, connected with a dhchap-secret that must
# never appear in any log [SEC-1] (nvmet without auth does not ask for it)
require target-ioc eval 'target_port 2 127.0.0.1 4420 && target_subsys io1 --ns null && target_link io1 2'
require gen-key eval 'KEY=$(nvme gen-dhchap-key -n "$HOSTNQN") && test -n "$KEY"'
KEYFILE=$STAS_VM_RUN/ioc-secret
( umask 077; printf '%s\n' "$KEY" > "$KEYFILE" )
LINKED=(s1 s2 s3 s4 s5)
for s in "${LINKED[@]}"; do require "link-$s" target_link "$s" 1; done
# entries = linked subsystems + the current discovery subsystem (kernel 6.1)
NUMREC=$(( ${#LINKED[@]} + 1 ))
check dlp-larger-than-4k test $((NUMREC * 1024)) -gt 4096

LOG=$(logfile probe.log)
# -e STAS_PROBE_VALGRIND=1: run the probe under valgrind memcheck (errors fail it)
WRAP=()
[ "${STAS_PROBE_VALGRIND:-0}" = 1 ] &&
    WRAP=(valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9)
"${WRAP[@]}" "$PROBE" --traddr 127.0.0.1 --trsvcid 8009 --hostnqn "$HOSTNQN" --hostid "$HOSTID" \
    --kato 30 --cycles 4 --timeout 30 --bad-trsvcid 4444 --tron \
    --ioc-nqn "$(nqn io1)" --ioc-trsvcid 4420 --ioc-secret-file "$KEYFILE" > "$LOG" 2>&1 &
PROBE_PID=$!

# probe_line PREFIX: the first probe line starting with "PROBE PREFIX" (REPLY)
probe_line() {
    local l
    while IFS= read -r l; do
        [[ $l == "PROBE $1"* ]] && { REPLY=$l; return 0; }
    done < "$LOG"
    REPLY=""
    return 1
}
# probe_has TEXT: a probe line contains TEXT
probe_has() { file_has "$LOG" "$1"; }

require connected wait_for 40 probe_has "PROBE connected "
probe_line "connected "; read -r _ _ DC _ <<< "$REPLY"
info dc "$DC"
check connect-refused-reported probe_has "PROBE connect-fail (tcp, 127.0.0.1, 4444"
check dc-kato-30 test "$(ctrl_attr "$DC" kato)" = 30
check dc-live test "$(ctrl_attr "$DC" state)" = live
check dc-hostnqn test "$(ctrl_attr "$DC" hostnqn)" = "$HOSTNQN"
check kernel-entry-discovery probe_has "PROBE kernel-entry $DC transport=tcp traddr=127.0.0.1 trsvcid=8009 subsysnqn=$DISC_NQN cntrltype=discovery dctype= state=live"
check caps-from-options probe_has "caps from_options=1 host_iface=1 discovery=1"
check connect-debug-cfg probe_has "Connecting to nvme control with cfg={"
check ioc-connected probe_has "PROBE ioc-connected nvme"
check ioc-entry-namespaces probe_has "PROBE ioc-entry nvme* cntrltype=io subsysnqn=$(nqn io1) has_namespaces=1"
check ioc-disconnected probe_has "PROBE ioc-disconnected nvme"
check ioc-secret-passed-redacted probe_has "libnvme: connect ctrl, '*dhchap_secret=<redacted>"
check ioc-cfg-secret-redacted probe_has "'dhchap_secret': '<redacted>'"
check libnvme-log-forwarded probe_has "libnvme: "
check registration-not-supported wait_for 20 probe_has "PROBE registration-supported 0"
check dim-not-applicable wait_for 20 probe_has "PROBE dim error NOT_APPLICABLE Status:95 - "
check supported-log-pages-nvme-status wait_for 20 probe_has "PROBE supported-log-pages error NVME_STATUS Status:0x"
# (file_has patterns are globs)
check "dlp0-entries-$NUMREC" wait_for 20 probe_has "PROBE dlp 0 genctr=* numrec=$NUMREC recfmt=0 bytes=$((NUMREC * 1024)) "
check dlp0-lists-s5 probe_has "subnqn=$(nqn s5)"
check dlp0-current-discovery-entry probe_has "PROBE dlpe 0 * subtype=3 traddr=127.0.0.1 trsvcid=8009 subnqn=$DISC_NQN"

# cycle I ACTION NAME: wait until the probe is ready, change the target,
# expect an AEN and a re-read with the new entry count
cycle() {
    local i=$1 action=$2 name=$3
    require "ready-$i" wait_for 40 probe_has "PROBE ready $i"
    if [ "$action" = link ]; then
        require "cycle$i-link-$name" target_link "$name" 1
        NUMREC=$((NUMREC + 1))
    else
        require "cycle$i-unlink-$name" target_unlink "$name" 1
        NUMREC=$((NUMREC - 1))
    fi
    check "cycle$i-aen" wait_for 35 probe_has "PROBE aen $i $DC"
    check "cycle$i-reread-$NUMREC-entries" wait_for 20 probe_has "PROBE dlp $i genctr=* numrec=$NUMREC "
    probe_line "dlp $i "
    info "cycle$i" "$REPLY"
}
cycle 1 link s6
cycle 2 unlink s2
cycle 3 link s7
cycle 4 unlink s3

check adopted wait_for 20 probe_has "PROBE adopted $DC"
check adopted-dlp probe_has "PROBE dlp adopted genctr="
check adopt-free-keeps-connection probe_has "PROBE after-adopt-free $DC live"
check adopt-missing-no-device probe_has "PROBE adopt-missing NO_DEVICE"
check removed-uevent wait_for 40 probe_has "PROBE removed $DC"
check dc-gone wait_for 10 not test -e "/sys/class/nvme/$DC"
check second-disconnect-fails probe_has "PROBE second-disconnect FAILED"
check probe-done wait_for 20 probe_has "PROBE done aens="
wait "$PROBE_PID"; RC=$?
check probe-exit-0 test "$RC" = 0
check no-probe-failures not probe_has "PROBE FAIL"
check no-secret-leak not probe_has "${KEY#DHHC-1:??:}"
probe_line "done "; info result "$REPLY"
