#!/bin/bash
# [CONN-4] a discovery controller created beforehand by `nvme discover --persistent` is
# adopted, not duplicated.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"

require fabric-up fabric_up
require target-dc target_port 1 127.0.0.1 8009
require subsys-s1 target_subsys s1 --ns none
require link-s1 target_link s1 1
step nvme-discover-persistent nvme discover -t tcp -a 127.0.0.1 -s 8009 --persistent
require dc-exists wait_for 10 dc_count_is 1
DC=$(ctrl_find --dc)
stafd_conf "controller = transport=tcp;traddr=127.0.0.1;trsvcid=8009"
require stafd-start start_daemon stafd "$STAFD_CONF"
check dlp-read wait_for 20 dlp_count_is 127.0.0.1 8009 2
check adopted-same-device eval 'stas_ctl stafctl ls | grep -q "\"device\": \"'"$DC"'\""'
check not-duplicated dc_count_is 1
check stafd-stops stop_daemon stafd
finish
