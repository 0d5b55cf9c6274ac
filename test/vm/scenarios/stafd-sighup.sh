#!/bin/bash
# [SIG-2] [CFG-24] SIGHUP adding and removing a controller= line; exclude= of a connected DC.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"

require fabric-up fabric_up
require target-dc1 target_port 1 127.0.0.1 8009
require target-dc2 target_port 2 ::1 8009
require subsys-s1 target_subsys s1 --ns none
require link-s1-p1 target_link s1 1
require link-s1-p2 target_link s1 2
stafd_conf "controller = transport=tcp;traddr=127.0.0.1;trsvcid=8009"
require stafd-start start_daemon stafd "$STAFD_CONF"
require dc1-connected wait_for 20 dc_count_is 1
stafd_conf "controller = transport=tcp;traddr=127.0.0.1;trsvcid=8009" "controller = transport=tcp;traddr=::1;trsvcid=8009"
kill -HUP "$(daemon_pid stafd)"
check sighup-adds-dc2 wait_for 20 dc_count_is 2
stafd_conf "controller = transport=tcp;traddr=::1;trsvcid=8009"
kill -HUP "$(daemon_pid stafd)"
check sighup-removes-dc1 wait_for 20 dc_count_is 1
check remaining-is-ipv6 test "$(ctrl_attr "$(ctrl_find --dc)" address | cut -d, -f1)" = "traddr=::1"
# a broken edit: the invalid entry is reported and nothing is removed [BAD-1]
stafd_conf "controller = transport=tcp;traddr=::1;trsvcid=80x9"
kill -HUP "$(daemon_pid stafd)"
check bad-edit-reported wait_for 10 file_has "$(logfile stafd.log)" 'invalid trsvcid "80x9"'
sleep 3
check bad-edit-keeps-dc dc_count_is 1
# exclude= of the connected DC disconnects it
stafd_conf "controller = transport=tcp;traddr=::1;trsvcid=8009" "exclude = traddr=::1"
kill -HUP "$(daemon_pid stafd)"
check exclude-disconnects wait_for 20 dc_count_is 0
check stafd-stops stop_daemon stafd
finish
