#!/bin/bash
# [STAC-2] [STAC-3] [D-33] stafd stopped while stacd runs: nothing is disconnected — not even
# an I/O controller whose subsystem left the target meanwhile; stafd back → after it
# refreshed its log pages (CONF_LONG_SOAK) stacd reconciles and disconnects only that one.
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
check status-complete wait_for 10 stacd_info_has '"stafd data": "complete"'

require stafd-stop stop_daemon stafd
check stafd-gone wait_for 10 not dbus_has_owner org.nvmexpress.staf
require unlink-s3 target_unlink s3 "$DCPORT"     # the fabric changes while stafd is away
require stacd-reload kill -HUP "$(daemon_pid stacd)"   # a pass without stafd
stas_sleep 3
check status-stale stacd_info_has '"stafd data": "stale"'
check owner-empty stacd_info_has '"stafd name owner": ""'
check still-listed-3 stacctl_count_is 3
check s1-still-live ioc_live s1
check s3-not-disconnected ctrl_find --nqn s3
check no-disconnect-while-away not file_has "$(logfile stacd.log)" "Disconnect initiated"

require stafd-restart start_daemon stafd "$STAFD_CONF"
check stafd-back wait_for 10 dbus_has_owner org.nvmexpress.staf
check long-soak wait_for 5 stacd_info_has '"config soak timer": "10.0s'
check s3-disconnected wait_for 40 not ctrl_find --nqn s3
check listed-2 wait_for 10 stacctl_count_is 2
check s1-live ioc_live s1
check s2-live ioc_live s2
check one-disconnect test "$(count_lines "$(logfile stacd.log)" "Disconnect initiated")" = 1
check stacd-stops stop_daemon stacd
check stafd-stops stop_daemon stafd
finish
