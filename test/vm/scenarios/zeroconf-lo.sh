#!/bin/bash
# [ZC-1] [ZC-2] [ZC-3] [ZC-4] [ZC-5] mDNS on lo with a real avahi-daemon and avahi-publish;
# stafd has no controller= line:
#  - it starts before avahi-daemon and picks it up when it appears;
#  - an advert for an address where nothing listens yet is retried with back-off (INFO
#    once) and connected once the target listens, pinned to lo, its log page cached;
#  - avahi-daemon restarted: browsing resumes, nothing connected is dropped.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"
# shellcheck source=../guest/zeroconf.sh
. "$STAS_VM_DIR/guest/zeroconf.sh"

require fabric-up fabric_up
# the port listens only once a subsystem is linked to it: not yet
require target eval 'target_port 1 127.0.0.1 8009 && target_subsys s1 --ns none && target_subsys s2 --ns none'
zc_conf
require stafd-start zc_stafd
check no-daemon-yet wait_for 10 zc_log_has "avahi-daemon not available, zeroconf not supported."
require avahi-start avahi_start lo
check daemon-picked-up wait_for 20 zc_log_has "avahi-daemon service available, zeroconf supported."
require publish avahi_publish_dc "$ZC_DC_NAME" 8009 p=tcp

# nothing listens yet: the TCP check fails and is retried after 2 s, then 5 s
check tcp-check-failed wait_for 30 zc_log_has "Unable to verify TCP connectivity  - (lo, 127.0.0.1, 8009): "
check backoff-5s wait_for 20 zc_status_has '"check timer": "5.0s \['
check status-unreachable file_has "$(logfile status.json)" '"reachable": "False"'
check wake-up-timer-off file_has "$(logfile status.json)" '"avahi wake up timer": "60.0s \[off\]"'
check info-once zc_log_count_is "Unable to verify TCP connectivity" 1
check nothing-connected dc_count_is 0
require listen eval 'target_link s1 1 && target_link s2 1'
require dc-connected wait_for 40 dc_count_is 1
check pinned-to-lo zc_dc_via lo
# s1, s2 and the discovery subsystem's own entry
check dlp-cached wait_for 20 zc_dlp_count_is 127.0.0.1 8009 lo 3
zc_ls_d ls-connected.json
check ls-origin-discovered file_has "$(logfile ls-connected.json)" '"origin": "discovered"'
check ls-host-iface-lo file_has "$(logfile ls-connected.json)" '"host-iface": "lo"'
check ls-mdns-advertised file_has "$(logfile ls-connected.json)" '"mdns advertised": "True"'
check ls-log-pages-current file_has "$(logfile ls-connected.json)" '"log pages state": "current"'
check ls-not-aging file_has "$(logfile ls-connected.json)" '"unresponsive removal time": "---"'
zc_status status-connected.json
check status-service file_has "$(logfile status-connected.json)" "\"(lo, IPv4, $ZC_DC_NAME.local, _nvme-disc._tcp)\""
check status-reachable file_has "$(logfile status-connected.json)" '"reachable": "True"'

# avahi-daemon restarted
DC=$(ctrl_find --dc)
require avahi-restart zc_avahi_restart
check daemon-lost-logged wait_for 10 zc_log_count_is "avahi-daemon not available, zeroconf not supported." 2
check daemon-back-logged wait_for 20 zc_log_count_is "avahi-daemon service available, zeroconf supported." 2
check services-dropped zc_status_has '"services": {}'
# avahi-publish exits with its daemon: the DC advertises again
require republish avahi_publish_dc "$ZC_DC_NAME" 8009 p=tcp
check browsing-resumed wait_for 20 zc_status_has "\"(lo, IPv4, $ZC_DC_NAME.local, _nvme-disc._tcp)\""
check advertised-again wait_for 10 zc_ls_has '"mdns advertised": "True"'
check same-device test "$(ctrl_find --dc)" = "$DC"
check never-disconnected not zc_log_has "Disconnect initiated"
check stafd-stops stop_daemon stafd
finish
