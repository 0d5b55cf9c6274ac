#!/bin/bash
# [ZC-3] [ZC-5] [HOST-2] [CFG-10] two network namespaces over veth: the target and its
# advertiser (a second avahi-daemon) in netns tgt, stafd and the system avahi-daemon in the
# root netns. The DC is advertised over IPv4 and IPv6:
#  - ip-family=ipv6: only the IPv6 address is connected, the IPv4 advert is ignored;
#  - SIGHUP to ipv4+ipv6: the IPv4 address is connected too; both pinned to veth-h.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"
# shellcheck source=../guest/zeroconf.sh
. "$STAS_VM_DIR/guest/zeroconf.sh"

require fabric-up fabric_up
require netns netns_pair tgt
require target eval "target_port 1 $NS_TGT_ADDR 8009 --netns tgt && target_port 2 $NS_TGT_ADDR6 8009 --netns tgt && target_subsys s1 --ns none && target_link s1 1 && target_link s1 2"
check target-in-tgt-only not tcp_listening "$NS_TGT_ADDR" 8009
require avahi-tgt avahi_start_netns tgt "$NS_TGT_IF" stas-vm-remote-dc 8009 p=tcp
require avahi-host avahi_start "$NS_HOST_IF"
zc_conf "ip-family = ipv6"
require stafd-start zc_stafd
require dc6-connected wait_for 30 dc_count_is 1
check connected-over-ipv6 test "$(zc_dc_attr address | cut -d, -f1)" = "traddr=$NS_TGT_ADDR6"
check ipv6-pinned-to-veth zc_dc_via "$NS_HOST_IF"
check ipv4-advert-seen wait_for 20 zc_status_has "\"(veth-h, IPv4, stas-vm-remote-dc.local, _nvme-disc._tcp)\""
check ipv4-advert-reachable file_has "$(logfile status.json)" "\"traddr\": \"$NS_TGT_ADDR\""
check ipv4-ignored-logged wait_for 10 zc_log_has "ignored because IPv4 is disabled"
check ipv4-not-listed not zc_dc_listed "$NS_TGT_ADDR"
check one-dc dc_count_is 1

zc_conf
zc_hup
check dc4-connected wait_for 30 dc_count_is 2
check dc4-pinned-to-veth test "$(ctrl_attr "$(ctrl_find --dc --traddr "$NS_TGT_ADDR")" address)" = "traddr=$NS_TGT_ADDR,trsvcid=8009,host_iface=$NS_HOST_IF,src_addr=$NS_HOST_ADDR"
check dlp-cached wait_for 20 zc_dlp_count_is "$NS_TGT_ADDR" 8009 "$NS_HOST_IF" 2
check ls-host-iface zc_ls_has "\"host-iface\": \"$NS_HOST_IF\""
check stafd-stops stop_daemon stafd
finish
