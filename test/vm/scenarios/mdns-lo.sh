#!/bin/bash
# mDNS on loopback: avahi-daemon (on the system bus, as stafd uses it) on lo
# publishes a _nvme-disc._tcp discovery controller, avahi-browse resolves it
# to 127.0.0.1:8009, nvme discover reaches the nvmet DC at the resolved
# address, and the service disappears once unpublished.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"

require host-init host_init
require target eval 'target_port 1 127.0.0.1 8009 && target_subsys sub1 && target_link sub1 1'
require avahi-start avahi_start lo
check avahi-on-dbus wait_for 10 dbus_has_owner org.freedesktop.Avahi
require publish avahi_publish_dc stas-vm-dc 8009 p=tcp

found() { avahi_browse _nvme-disc._tcp > "$(logfile browse.txt)" 2>&1 && file_has "$(logfile browse.txt)" "$1"; }
check resolved-127.0.0.1 wait_for 20 found '=;lo;IPv4;stas-vm-dc;_nvme-disc._tcp;local;stas-vm.local;127.0.0.1;8009;"p=tcp"'
rec=""
while IFS=';' read -r -a f; do
    [ "${f[0]}" = "=" ] && [ "${f[2]}" = IPv4 ] && [ "${f[3]}" = stas-vm-dc ] && rec="${f[7]} ${f[8]}"
done < "$(logfile browse.txt)"
read -r addr port <<< "$rec"
info resolved "${addr:-?}:${port:-?}"
step discover-resolved nvme discover -t tcp -a "${addr:-none}" -s "${port:-0}"
check discover-resolved-lists-sub1 file_has "$(logfile discover-resolved.log)" "$(nqn sub1)"

require unpublish avahi_unpublish stas-vm-dc
check gone-after-unpublish wait_for 10 not found 'stas-vm-dc;_nvme-disc._tcp'
