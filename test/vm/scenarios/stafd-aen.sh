#!/bin/bash
# [DC-2] [DC-6] [DC-7] [D-43] subsystems linked/unlinked on the target -> AEN -> log page
# re-read -> log_pages_changed, with a log page of >= 5 entries (> 4 KiB), repeated: the
# AENs stay armed because stas reads with RAE=0.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"

require fabric-up fabric_up
require target-dc target_port 1 127.0.0.1 8009
for s in s1 s2 s3 s4 s5 s6 s7; do require "subsys-$s" target_subsys "$s" --ns none; done
for s in s1 s2 s3 s4 s5; do require "link-$s" target_link "$s" 1; done
stafd_conf "controller = transport=tcp;traddr=127.0.0.1;trsvcid=8009"
MON=$(logfile signals.txt)
require dbus-monitor staf_monitor "$MON"
require stafd-start start_daemon stafd "$STAFD_CONF"
require dc-connected wait_for 20 dc_count_is 1
# 5 subsystems (+ the discovery subsystem itself, not an I/O entry) = 6 records > 4 KiB
check dlp-5-entries wait_for 20 dlp_count_is 127.0.0.1 8009 6
n=$(signals_seen "$MON")
for cycle in 1 2 3 4; do
    require "cycle$cycle-link-s6" target_link s6 1
    check "cycle$cycle-dlp-grows" wait_for 20 dlp_count_is 127.0.0.1 8009 7
    n=$((n + 1)); check "cycle$cycle-signal-after-link" wait_for 10 signals_reach "$MON" $n
    require "cycle$cycle-unlink-s6" target_unlink s6 1
    check "cycle$cycle-dlp-shrinks" wait_for 20 dlp_count_is 127.0.0.1 8009 6
    n=$((n + 1)); check "cycle$cycle-signal-after-unlink" wait_for 10 signals_reach "$MON" $n
done
check log-aen file_has "$(logfile stafd.log)" "Received AEN: 0x70f002"
check stafd-stops stop_daemon stafd
finish
