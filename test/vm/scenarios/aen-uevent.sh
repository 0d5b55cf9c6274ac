#!/bin/bash
# A persistent discovery controller (nvme discover --persistent) receives a
# Discovery Log Page Change AEN when a subsystem is linked to its port: a
# "change" uevent with NVME_AEN=0x70f002 reaches udev listeners (udevd, with
# nvme-cli's autoconnect rule masked).  nvmet masks further AENs until the
# host reads the log with RAE=0, so with a log of >= 5 entries (where
# libnvme 1.3 reads with RAE=1) the log is re-read with one Get Log Page of
# 1024 bytes (RAE=0) and a SECOND change raises a SECOND AEN.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"

require fabric-up fabric_up
check autoconnect-rule-masked test "$(readlink /etc/udev/rules.d/70-nvmf-autoconnect.rules)" = /dev/null
require target-port target_port 1 127.0.0.1 8009
for s in s1 s2 s3 s4 s5 s6; do require "target-$s" target_subsys "$s" --ns none; done
# 4 subsystems + the current discovery subsystem = 5 log entries (6 KiB)
for s in s1 s2 s3 s4; do require "link-$s" target_link "$s" 1; done

UDEV=$(logfile uevents-udev.txt) KERN=$(logfile uevents-kernel.txt)
require monitor-udev uevent_monitor "$UDEV" --udev
require monitor-kernel uevent_monitor "$KERN" --kernel

step dc-connect nvme discover -t tcp -a 127.0.0.1 -s 8009 --persistent
require dc-exists wait_for 10 ctrl_find --dc --traddr 127.0.0.1 --trsvcid 8009
DC=$(ctrl_find --dc)
info dc "$DC state=$(ctrl_attr "$DC" state) kato=$(ctrl_attr "$DC" kato) cntrltype=$(ctrl_attr "$DC" cntrltype)"
check dc-live test "$(ctrl_attr "$DC" state)" = live
check dc-kato-set test "$(ctrl_attr "$DC" kato)" -gt 0
check dc-is-discovery-ctrl test "$(ctrl_attr "$DC" cntrltype)" = discovery
check log-5-entries test "$(count_lines "$(logfile dc-connect.log)" "Discovery Log Entry")" = 5

aens() { count_lines "$UDEV" "NVME_AEN=$AEN_DLP_CHANGE" > /dev/null; echo "$REPLY"; }
aens_reach() { [ "$(aens)" -ge "$1" ]; }

# change 1: link a subsystem to the DC's port -> AEN
require link-s5 target_link s5 1
check aen1-via-udevd wait_for 20 aens_reach 1
check aen1-kernel-uevent wait_for 10 file_has "$KERN" "NVME_AEN=$AEN_DLP_CHANGE"
check aen1-on-dc file_has "$UDEV" "DEVNAME=/dev/$DC"
check aen1-traddr file_has "$UDEV" "NVME_TRADDR=127.0.0.1"
check aen1-trsvcid file_has "$UDEV" "NVME_TRSVCID=8009"
check aen1-trtype file_has "$UDEV" "NVME_TRTYPE=tcp"
check aen1-action-change file_has "$UDEV" "ACTION=change"

# re-arm: one Get Log Page command of 1 KiB with RAE=0
step rearm-1 nvme get-log "/dev/$DC" --log-id=0x70 --log-len=1024

# change 2: unlink a subsystem -> a SECOND AEN
require unlink-s2 target_unlink s2 1
check aen2-second-aen wait_for 20 aens_reach 2

step rearm-2 nvme get-log "/dev/$DC" --log-id=0x70 --log-len=1024
# change 3: an allowed-hosts change -> a third AEN
require restrict-s3 target_allow_host s3 "$HOSTNQN"
check aen3-third-aen wait_for 20 aens_reach 3

# the log read through the DC reflects the changes
step dc-log nvme discover --device="$DC"
check dc-log-has-s5 file_has "$(logfile dc-log.log)" "$(nqn s5)"
check dc-log-lost-s2 not file_has "$(logfile dc-log.log)" "$(nqn s2)"
check dc-log-5-entries test "$(count_lines "$(logfile dc-log.log)" "Discovery Log Entry")" = 5

# nobody (autoconnect rule masked) connected anything in reaction
check only-the-dc-exists test "$(ctrl_list)" = "$DC"
info aen-count "$(aens)"
step dc-disconnect nvme disconnect -d "$DC"
check dc-gone wait_for 10 not test -e "/sys/class/nvme/$DC"
