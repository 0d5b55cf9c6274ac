#!/bin/bash
# [STAC-4] [STAC-5] an I/O subsystem that left the log page — our host removed from its
# allowed hosts, or the subsystem unlinked from the port — is disconnected under
# disconnect-scope=only-stas-connections, and kept (no longer managed) under no-disconnect.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"
# shellcheck source=../guest/stacd.sh
. "$STAS_VM_DIR/guest/stacd.sh"

require fabric-up fabric_up
require fabric stacd_fabric
for s in s1 s2 s3; do require "subsys-$s" target_subsys "$s" --ns none; done
require allow-s1 target_allow_host s1 "$HOSTNQN"
require allow-s3 target_allow_host s3 "$HOSTNQN"
for s in s1 s2 s3; do require "link-$s" target_link "$s" "$DCPORT"; done
stacd_conf "[I/O controller connection management]" "disconnect-scope = only-stas-connections"
require stafd-start start_daemon stafd "$STAFD_CONF"
require stacd-start start_daemon stacd "$STACD_CONF"
for s in s1 s2 s3; do check "$s-connected" wait_for 30 ioc_live "$s"; done
check listed-3 wait_for 10 stacctl_count_is 3

# the host is no longer allowed to see s1: it leaves our log page (AEN) → disconnected
require disallow-s1 target_disallow_host s1 "$HOSTNQN"
check s1-disconnected wait_for 20 not ctrl_find --nqn s1
check s1-unlisted wait_for 10 stacctl_count_is 2
# s2 unlinked from the port → disconnected
require unlink-s2 target_unlink s2 "$DCPORT"
check s2-disconnected wait_for 20 not ctrl_find --nqn s2
check s2-unlisted wait_for 10 stacctl_count_is 1
check log-disconnecting test "$(count_lines "$(logfile stacd.log)" "no longer in any discovery log page: disconnecting")" = 2

# policy "keep": no-disconnect (SIGHUP), then s3 leaves the log page
stacd_conf "[I/O controller connection management]" "disconnect-scope = no-disconnect"
require stacd-reload kill -HUP "$(daemon_pid stacd)"
check reload-logged wait_for 10 file_has "$(logfile stacd.log)" "disconnect-scope"
require disallow-s3 target_disallow_host s3 "$HOSTNQN"
check s3-unlisted wait_for 20 stacctl_count_is 0
check s3-kept ioc_live s3
check log-kept file_has "$(logfile stacd.log)" "connection kept (disconnect-scope=no-disconnect)"
check stacd-stops stop_daemon stacd
check stafd-stops stop_daemon stafd
check s3-still-kept ioc_live s3
finish
