#!/bin/bash
# [CONN-1] [CONN-6] [DC-2] the target port disabled then re-enabled: the DC reconnects and
# the log page is re-read.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"

require fabric-up fabric_up
require target-dc target_port 1 127.0.0.1 8009
for s in s1 s2; do require "subsys-$s" target_subsys "$s" --ns none; require "link-$s" target_link "$s" 1; done
# a short ctrl-loss-tmo so that the kernel gives up and removes the device
stafd_conf "controller = transport=tcp;traddr=127.0.0.1;trsvcid=8009;ctrl-loss-tmo=2;reconnect-delay=1"
require stafd-start start_daemon stafd "$STAFD_CONF"
require dc-connected wait_for 20 dc_count_is 1
check dlp-read wait_for 20 dlp_count_is 127.0.0.1 8009 3
require port-disable target_port_disable 1
check device-removed-by-kernel wait_for 30 dc_count_is 0
check log-remove-event wait_for 5 file_has "$(logfile stafd.log)" 'Received "remove" event'
# the cache is kept while disconnected
# the cache is kept (not emptied); AENs during the unlinks may have refreshed it first
check cache-kept eval '[ "$(dlp_count 127.0.0.1 8009)" -ge 1 ]'
require port-enable target_port_enable 1
require subsys-s3 target_subsys s3 --ns none
require link-s3 target_link s3 1
check dc-reconnected wait_for 90 dc_count_is 1
check dlp-re-read wait_for 30 dlp_count_is 127.0.0.1 8009 4
check stafd-stops stop_daemon stafd
finish
