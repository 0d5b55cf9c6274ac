#!/bin/bash
# [STAC-1] [HOST-1] a stacd.conf controller= I/O controller with no discovery controller at
# all (stafd not running): connected, its namespace appears; removed from the file → SIGHUP
# disconnects it.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stacd.sh
. "$STAS_VM_DIR/guest/stacd.sh"

require fabric-up fabric_up
_bb rm -rf /run/stacd
require port target_port 1 127.0.0.1 4420
require subsys-s1 target_subsys s1 --ns null
require link-s1 target_link s1 1
stacd_conf "[Controllers]" "controller = transport=tcp;traddr=127.0.0.1;nqn=$(nqn s1);kato=25"
require stacd-start start_daemon stacd "$STACD_CONF"
check connected wait_for 30 ioc_live s1
C=$(ctrl_find --nqn s1)
check trsvcid-defaulted-4420 file_has "/sys/class/nvme/$C/address" trsvcid=4420
check kato-param test "$(ctrl_attr "$C" kato)" = 25
check namespace wait_for 15 ctrl_namespaces "$C"
step stacctl-ls-d stas_ctl stacctl ls -d
check origin-configured file_has "$(logfile stacctl-ls-d.log)" '"origin": "configured"'
check ls-kato file_has "$(logfile stacctl-ls-d.log)" '"kato": "25"'
check ls-device file_has "$(logfile stacctl-ls-d.log)" "\"device\": \"$C\""
check status-no-stafd stacd_info_has '"stafd data": "none"'
check no-dc not ctrl_find --dc

stacd_conf "[Controllers]"
require stacd-reload kill -HUP "$(daemon_pid stacd)"
check disconnected wait_for 20 not ctrl_find --nqn s1
check unlisted wait_for 10 stacctl_count_is 0
check log-removed file_has "$(logfile stacd.log)" "controller= entry removed: disconnecting"
check stacd-stops stop_daemon stacd
finish
