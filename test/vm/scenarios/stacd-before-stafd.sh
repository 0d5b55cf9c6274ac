#!/bin/bash
# [STAC-2] [STAC-3] [D-33] [D-34] stacd started before stafd: no data is not an empty list —
# nothing happens until stafd appears, then stacd connects what its log page lists.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"
# shellcheck source=../guest/stacd.sh
. "$STAS_VM_DIR/guest/stacd.sh"

require fabric-up fabric_up
require fabric stacd_fabric
for s in s1 s2; do require "subsys-$s" target_subsys "$s" --ns none; require "link-$s" target_link "$s" "$DCPORT"; done
stacd_conf "[Global]" "tron = true"
require stacd-start start_daemon stacd "$STACD_CONF"
check stacd-on-bus wait_for 10 dbus_has_owner org.nvmexpress.stac
stas_sleep 2    # past the start-up soak: the first pass ran without stafd
check status-none stacd_info_has '"stafd data": "none"'
check nothing-listed stacctl_count_is 0
check no-ioc ioc_count_is 0
check no-call-made not file_has "$(logfile stacd.log)" "Cannot get log pages from stafd"

require stafd-start start_daemon stafd "$STAFD_CONF"
check s1-connected wait_for 30 ioc_live s1
check s2-connected wait_for 30 ioc_live s2
check listed-2 wait_for 10 stacctl_count_is 2
check status-complete stacd_info_has '"stafd data": "complete"'
check log-stafd-appeared file_has "$(logfile stacd.log)" "stafd is on the bus"
check stacd-stops stop_daemon stacd
check stafd-stops stop_daemon stafd
finish
