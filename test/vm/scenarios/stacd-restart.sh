#!/bin/bash
# [STAC-7] [SIG-1] [STATE-1] stacd stopped (SIGTERM) keeps every I/O controller; restarted, it
# re-adopts them from the state file: none dropped, none connected twice.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"
# shellcheck source=../guest/stacd.sh
. "$STAS_VM_DIR/guest/stacd.sh"

require fabric-up fabric_up
require fabric stacd_fabric
for s in s1 s2 s3; do require "subsys-$s" target_subsys "$s" --ns none; require "link-$s" target_link "$s" "$DCPORT"; done
stacd_conf "[Global]" "tron = true"
require stafd-start start_daemon stafd "$STAFD_CONF"
require stacd-start start_daemon stacd "$STACD_CONF"
check three-connected wait_for 30 ioc_count_is 3
C1=$(ctrl_find --nqn s1); C2=$(ctrl_find --nqn s2); C3=$(ctrl_find --nqn s3)
check state-file-written wait_for 5 test -s /run/stacd/last-known-config.json
check state-file-mode test "$(stat -c %a /run/stacd/last-known-config.json)" = 600

require stacd-stop stop_daemon stacd
check kept-after-sigterm ioc_count_is 3
check state-has-sources file_has /run/stacd/last-known-config.json '"sources"'
require stacd-restart start_daemon stacd "$STACD_CONF"
check listed-3 wait_for 15 stacctl_count_is 3
stas_sleep 3    # past the first pass
check still-3-iocs ioc_count_is 3
check same-s1 test "$(ctrl_find --nqn s1)" = "$C1"
check same-s2 test "$(ctrl_find --nqn s2)" = "$C2"
check same-s3 test "$(ctrl_find --nqn s3)" = "$C3"
check log-restored test "$(count_lines "$(logfile stacd.log)" "restored from /run/stacd/last-known-config.json")" = 3
check log-adopted-once-each test "$(count_lines "$(logfile stacd.log)" "Connection established!")" = 3
check not-reconnected not file_has "$(logfile stacd.log)" "Connecting to nvme control"
check no-disconnect not file_has "$(logfile stacd.log)" "Disconnect initiated"
step stacctl-ls-d stas_ctl stacctl ls -d
check origin-discovered test "$(count_lines "$(logfile stacctl-ls-d.log)" '"origin": "discovered"')" = 3
check stacd-stops stop_daemon stacd
check stafd-stops stop_daemon stafd
finish
