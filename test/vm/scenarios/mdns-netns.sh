#!/bin/bash
# Two network namespaces joined by a veth pair: the target side (nvmet
# listener and an avahi-daemon publishing a DC) lives in netns "tgt", the
# host side (avahi-daemon on the system bus, nvme-cli) in the root netns.
# The DC is resolved over mDNS on veth-h, discovered and connected.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"

require host-init host_init
require netns netns_pair tgt
check veth-reachable busybox ping -c1 -W2 "$NS_TGT_ADDR"
require target eval "target_port 1 $NS_TGT_ADDR 8009 --netns tgt && target_subsys sub1 && target_link sub1 1"
check listening-in-tgt wait_for 10 tcp_listening "$NS_TGT_ADDR" 8009 tgt
check not-listening-in-root-ns not tcp_listening "$NS_TGT_ADDR" 8009

require avahi-tgt avahi_start_netns tgt "$NS_TGT_IF" stas-vm-remote-dc 8009 p=tcp
require avahi-host avahi_start "$NS_HOST_IF"
found() { avahi_browse _nvme-disc._tcp > "$(logfile browse.txt)" 2>&1 && file_has "$(logfile browse.txt)" "$1"; }
check resolved-over-veth wait_for 20 found "=;$NS_HOST_IF;IPv4;stas-vm-remote-dc;_nvme-disc._tcp;local;stas-vm-tgt.local;$NS_TGT_ADDR;8009;"
step discover nvme discover -t tcp -a "$NS_TGT_ADDR" -s 8009
check discover-lists-sub1 file_has "$(logfile discover.log)" "$(nqn sub1)"
step connect nvme connect -t tcp -a "$NS_TGT_ADDR" -s 8009 -n "$(nqn sub1)"
require ctrl wait_for 10 ctrl_find --nqn sub1 --traddr "$NS_TGT_ADDR"
check blockdev wait_for 20 ctrl_namespaces "$(ctrl_find --nqn sub1)"
