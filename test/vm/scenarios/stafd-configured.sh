#!/bin/bash
# [DC-1] [DC-5] [DBUS-11] [CLI-20] a configured DC connects; its log page is served over
# D-Bus and by stafctl.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"

require fabric-up fabric_up
require target-dc target_port 1 127.0.0.1 8009
for s in s1 s2 s3; do require "subsys-$s" target_subsys "$s" --ns null; require "link-$s" target_link "$s" 1; done
stafd_conf "controller = transport=tcp;traddr=127.0.0.1;trsvcid=8009"
require stafd-start start_daemon stafd "$STAFD_CONF"
require stafd-on-bus wait_for 10 dbus_has_owner org.nvmexpress.staf
check dc-connected wait_for 20 dc_count_is 1
DC=$(ctrl_find --dc)
check dc-persistent test "$(ctrl_attr "$DC" kato)" -gt 0
# 3 subsystems + the discovery subsystem's own entry
check dlp-4-entries wait_for 20 dlp_count_is 127.0.0.1 8009 4
step stafctl-ls stas_ctl stafctl ls
check ls-shows-dc file_has "$(logfile stafctl-ls.log)" '"traddr": "127.0.0.1"'
check ls-shows-device file_has "$(logfile stafctl-ls.log)" "\"device\": \"$DC\""
step stafctl-ls-d stas_ctl stafctl ls -d
check ls-d-connected file_has "$(logfile stafctl-ls-d.log)" '"connected": "True"'
check ls-d-state-current file_has "$(logfile stafctl-ls-d.log)" '"log pages state": "current"'
step stafctl-adlp stas_ctl stafctl adlp
check adlp-has-s1 file_has "$(logfile stafctl-adlp.log)" "$(nqn s1)"
step stafctl-status stas_ctl stafctl status
check status-json file_has "$(logfile stafctl-status.log)" '"controllers"'
step gdbus-get-log-pages gdbus call --system -d org.nvmexpress.staf -o /org/nvmexpress/staf \
    -m org.nvmexpress.staf.get_log_pages tcp 127.0.0.1 8009 nqn.2014-08.org.nvmexpress.discovery '' '' ''
check dbus-log-pages file_has "$(logfile gdbus-get-log-pages.log)" "$(nqn s3)"
check log-connection-established file_has "$(logfile stafd.log)" "Connection established!"
check log-received-dlp file_has "$(logfile stafd.log)" "Received discovery log pages (num records=4)."
check stafd-stops-cleanly stop_daemon stafd
# persistent-connections=true (default): the DC stays in the kernel
check dc-kept-after-stop dc_count_is 1
finish
