#!/bin/bash
# [STAC-1] [STAC-3] [DBUS-12] [CLI-20] a target with 20 subsystems: stafd's log page yields
# 20 I/O controllers, all connected by stacd and listed by `stacctl ls`.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"
# shellcheck source=../guest/stacd.sh
. "$STAS_VM_DIR/guest/stacd.sh"

N=20
require fabric-up fabric_up
require fabric stacd_fabric
for i in $(seq 1 $N); do
    require "subsys-io$i" target_subsys "io$i" --ns none
    require "link-io$i" target_link "io$i" "$DCPORT"
done
stacd_conf "[Global]" "kato = 30"
require stafd-start start_daemon stafd "$STAFD_CONF"
require stacd-start start_daemon stacd "$STACD_CONF"
check dlp-has-all wait_for 30 dlp_count_is 127.0.0.1 8009 $((N + 1))
check kernel-has-20-iocs wait_for 60 ioc_count_is $N
check stacctl-lists-20 wait_for 20 stacctl_count_is $N
step stacctl-ls stas_ctl stacctl ls
for i in 1 $N; do check "ls-has-io$i" file_has "$(logfile stacctl-ls.log)" "$(nqn "io$i")"; done
check ls-no-unknown-device not file_has "$(logfile stacctl-ls.log)" '"device": "nvme\?"'
step stacctl-ls-d stas_ctl stacctl ls -d
check ls-d-origin-discovered test "$(count_lines "$(logfile stacctl-ls-d.log)" '"origin": "discovered"')" = $N
check ls-d-connected test "$(count_lines "$(logfile stacctl-ls-d.log)" '"connected": "True"')" = $N
step stacctl-status stas_ctl stacctl status
check status-complete file_has "$(logfile stacctl-status.log)" '"stafd data": "complete"'
IO1=$(ctrl_find --nqn io1)
check kato-applied test "$(ctrl_attr "$IO1" kato)" = 30
check log-established test "$(count_lines "$(logfile stacd.log)" "Connection established!")" = $N
check no-failures not file_has "$(logfile stacd.log)" "Failed to connect"
check stacd-stops stop_daemon stacd
check iocs-kept-after-stop ioc_count_is $N
check stafd-stops stop_daemon stafd
finish
