#!/bin/bash
# [STAF-3] [D-52] [D-53] stafd restarted: the DC connection is kept and the cache is served
# at once, without a new connect.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"

require fabric-up fabric_up
require target-dc target_port 1 127.0.0.1 8009
for s in s1 s2 s3; do require "subsys-$s" target_subsys "$s" --ns none; require "link-$s" target_link "$s" 1; done
stafd_conf "controller = transport=tcp;traddr=127.0.0.1;trsvcid=8009"
require stafd-start start_daemon stafd "$STAFD_CONF"
require dc-connected wait_for 20 dc_count_is 1
DC=$(ctrl_find --dc)
check dlp-read wait_for 20 dlp_count_is 127.0.0.1 8009 4
check state-file-written wait_for 5 test -s /run/stafd/last-known-config.json
check state-file-mode test "$(stat -c %a /run/stafd/last-known-config.json)" = 600
check state-no-secrets not grep -qi dhchap /run/stafd/last-known-config.json
require stafd-stop stop_daemon stafd
check dc-kept dc_count_is 1
require stafd-restart start_daemon stafd "$STAFD_CONF"
require stafd-on-bus wait_for 10 dbus_has_owner org.nvmexpress.staf
# served at once from the restored cache
check cache-served-at-once dlp_count_is 127.0.0.1 8009 4
check same-device wait_for 10 test "$(ctrl_find --dc)" = "$DC"
check no-duplicate dc_count_is 1
sleep 3
check still-one-dc dc_count_is 1
check adopted-not-reconnected not file_has "$(logfile stafd.log)" "Connecting to nvme control"
check stafd-stops stop_daemon stafd
finish
