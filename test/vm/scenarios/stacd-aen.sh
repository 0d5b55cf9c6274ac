#!/bin/bash
# [STAC-1] [D-73] the whole chain on the real kernel: a subsystem linked on the target → DLP
# change AEN → stafd re-reads the log page → log_pages_changed → stacd connects the new I/O
# controller. Shows the time of that path beside the kernel's own connect time.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"
# shellcheck source=../guest/stacd.sh
. "$STAS_VM_DIR/guest/stacd.sh"

# kernel_connect_secs NAME PORT_SVCID: a connect written straight to /dev/nvme-fabrics (no
# exec), its duration in KCONNECT; the controller is deleted again
KCONNECT=""
kernel_connect_secs() {
    local fd line t0 c q
    _nqn "$1"; q=$REPLY
    exec {fd}<>/dev/nvme-fabrics || return 1
    now_us; t0=$REPLY
    printf 'transport=tcp,traddr=127.0.0.1,trsvcid=%s,nqn=%s,hostnqn=%s,hostid=%s' \
        "$2" "$q" "$HOSTNQN" "$HOSTID" >&"$fd" || { exec {fd}>&-; return 1; }
    read -r line <&"$fd"
    KCONNECT=$(secs_since "$t0")
    exec {fd}>&-
    echo "$line"
    c=${line#instance=}; c=nvme${c%%,*}
    _w "/sys/class/nvme/$c/delete_controller" 1
}

require fabric-up fabric_up
require fabric stacd_fabric
for s in s1 s2 s3; do require "subsys-$s" target_subsys "$s" --ns none; done
require link-s1 target_link s1 "$DCPORT"
require subsys-k target_subsys k --ns none
require port-2 target_port 2 127.0.0.1 4420
require link-k target_link k 2      # not in the DC's log page (another port)
stacd_conf "[Global]" "tron = true"
require stafd-start start_daemon stafd "$STAFD_CONF"
require stacd-start start_daemon stacd "$STACD_CONF"
check s1-connected wait_for 30 ioc_live s1
check s1-listed wait_for 10 stacctl_lists s1
stas_sleep 2    # past the soak window: the next AEN is a lone event (leading edge)

for s in s2 s3; do
    now_us; t0=$REPLY
    require "link-$s" target_link "$s" "$DCPORT"
    if check "$s-connected-after-aen" wait_for 20 ioc_live "$s"; then
        info "aen-to-ioc-live-$s" "$(secs_since "$t0") s (uevent → stafd → signal → stacd → kernel connect)"
    fi
    check "$s-listed" wait_for 10 stacctl_lists "$s"
    stas_sleep 2
done
check aen-received file_has "$(logfile stafd.log)" "Received AEN: 0x70f002"
check signal-followed file_has "$(logfile stacd.log)" "stafd: log pages of"
check three-iocs ioc_count_is 3
check each-ioc-connected-once test "$(count_lines "$(logfile stacd.log)" "Connection established!")" = 3
if check kernel-connect kernel_connect_secs k 4420; then
    info kernel-connect-secs "$KCONNECT s (one connect written to /dev/nvme-fabrics)"
fi
check stacd-stops stop_daemon stacd
check stafd-stops stop_daemon stafd
finish
