#!/bin/bash
# [SIG-2] [CFG-24] [D-47] [ZC-6] [D-48] a DC advertised on lo (real avahi-daemon):
#  - SIGHUP with exclude= of the advertised DC disconnects it;
#  - zeroconf=disabled by SIGHUP removes it although connected and stops browsing;
#    zeroconf=enabled finds and connects it again;
#  - the advert withdrawn: kept while connected (mdns advertised: False); once the DC is
#    unreachable too, aging starts, is visible in stafctl ls -d, and removes the DC after
#    zeroconf-connections-persistence.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"
# shellcheck source=../guest/zeroconf.sh
. "$STAS_VM_DIR/guest/zeroconf.sh"

require fabric-up fabric_up
require target eval 'target_port 1 127.0.0.1 8009 && target_subsys s1 --ns none && target_link s1 1'
require avahi-start avahi_start lo
require publish avahi_publish_dc "$ZC_DC_NAME" 8009 p=tcp
# a short ctrl-loss-tmo: the kernel gives up and removes the device when the port goes away
base=("ctrl-loss-tmo = 2" "reconnect-delay = 1"
      "[Discovery controller connection management]" "zeroconf-connections-persistence = 5")
zc_conf "${base[@]}"
require stafd-start zc_stafd
require dc-connected wait_for 30 dc_count_is 1

zc_conf "${base[@]}" "[Controllers]" "exclude = traddr=127.0.0.1"
zc_hup
check exclude-disconnects wait_for 20 dc_count_is 0
zc_conf "${base[@]}"
zc_hup
check unexcluded-reconnects wait_for 20 dc_count_is 1

zc_conf "${base[@]}" "[Service Discovery]" "zeroconf = disabled"
zc_hup
check disabled-disconnects wait_for 20 dc_count_is 0
zc_status status-disabled.json
check disabled-no-service-types file_has "$(logfile status-disabled.json)" '"service types": \[\]'
check disabled-not-listed not file_has "$(logfile status-disabled.json)" '"traddr": "127.0.0.1"'
zc_conf "${base[@]}"
zc_hup
check enabled-reconnects wait_for 30 dc_count_is 1
check enabled-advertised wait_for 10 zc_ls_has '"mdns advertised": "True"'

require unpublish avahi_unpublish "$ZC_DC_NAME"
check mdns-goodbye-seen wait_for 20 zc_ls_has '"mdns advertised": "False"'
check kept-while-connected file_has "$(logfile ls-d.json)" '"connected": "True"'
check not-aging-while-connected file_has "$(logfile ls-d.json)" '"unresponsive time": "---"'
check still-in-kernel dc_count_is 1
require port-disable target_port_disable 1
check device-removed-by-kernel wait_for 30 dc_count_is 0
check aging-logged wait_for 20 zc_log_has "Controller is not responding. Will be removed by"
zc_ls_d aging.json
check aging-removal-time not file_has "$(logfile aging.json)" '"unresponsive removal time": "---"'
check aging-time not file_has "$(logfile aging.json)" '"unresponsive time": "---"'
check aging-timeout file_has "$(logfile aging.json)" '"unresponsive timeout": "5 sec"'
check aging-not-connected file_has "$(logfile aging.json)" '"connected": "False"'
check removed-after-persistence wait_for 20 not zc_dc_listed 127.0.0.1
check stafd-stops stop_daemon stafd
finish
