#!/bin/bash
# nvme connect to I/O subsystems of the nvmet target: the controller goes
# live, the namespace's block device appears, nvme list shows it, I/O works
# (null_blk and file-backed namespaces), a second path over IPv6 joins the
# same multipath head, and disconnect removes controllers and devices.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"

require host-init host_init
require target-ports eval 'target_port 1 127.0.0.1 4420 && target_port 2 ::1 4420'
require target-sub1-null eval 'target_subsys sub1 --ns null && target_link sub1 1 && target_link sub1 2'
require target-sub2-file eval 'target_subsys sub2 --ns file --size 64 && target_link sub2 1'
SUB1=$(nqn sub1) SUB2=$(nqn sub2)

step connect-sub1 nvme connect -t tcp -a 127.0.0.1 -s 4420 -n "$SUB1"
require ctrl-sub1-exists wait_for 10 ctrl_find --nqn sub1 --traddr 127.0.0.1 --trsvcid 4420
C1=$(ctrl_find --nqn sub1)
check ctrl-sub1-live wait_for 10 test "$(ctrl_attr "$C1" state)" = live
check ctrl-sub1-hostnqn test "$(ctrl_attr "$C1" hostnqn)" = "$HOSTNQN"
require ns-sub1-blockdev wait_for 20 ctrl_namespaces "$C1"
D1=$(ctrl_namespaces "$C1")
info sub1 "ctrl=$C1 dev=$D1"
check read-sub1-direct dd if="$D1" of=/dev/null bs=1M count=8 iflag=direct

step connect-sub2 nvme connect -t tcp -a 127.0.0.1 -s 4420 -n "$SUB2"
require ctrl-sub2-exists wait_for 10 ctrl_find --nqn sub2
C2=$(ctrl_find --nqn sub2)
require ns-sub2-blockdev wait_for 20 ctrl_namespaces "$C2"
D2=$(ctrl_namespaces "$C2")
info sub2 "ctrl=$C2 dev=$D2"
# write a pattern through NVMe/TCP to the file-backed namespace, read it back
pattern() { head -c 1048576 /dev/urandom > /tmp/pattern.bin; }
check write-sub2 eval "pattern && dd if=/tmp/pattern.bin of=$D2 bs=1M count=1 oflag=direct"
check read-back-sub2 eval "dd if=$D2 bs=1M count=1 iflag=direct | cmp - /tmp/pattern.bin"

step nvme-list nvme list
check list-shows-sub1 file_has "$(logfile nvme-list.log)" "$D1 "
check list-shows-sub2 file_has "$(logfile nvme-list.log)" "$D2 "
check list-model-linux file_has "$(logfile nvme-list.log)" "Linux"
check list-file-ns-4k-lba file_has "$(logfile nvme-list.log)" "4 KiB +  0 B"

# a second path to sub1 over IPv6: same subsystem, same multipath disk
step connect-sub1-ipv6 nvme connect -t tcp -a ::1 -s 4420 -n "$SUB1"
require ctrl-sub1-ipv6-exists wait_for 10 ctrl_find --nqn sub1 --traddr ::1
C3=$(ctrl_find --nqn sub1 --traddr ::1)
check ipv6-path-same-disk wait_for 10 test "$(ctrl_namespaces "$C3")" = "$D1"
check three-controllers test "$(ctrl_list | wc -l)" = 3

# disconnect by NQN drops both sub1 paths and the disk; by device drops sub2
step disconnect-sub1 nvme disconnect -n "$SUB1"
check sub1-ctrls-gone wait_for 10 not ctrl_find --nqn sub1
check sub1-disk-gone wait_for 10 not test -b "$D1"
step disconnect-sub2 nvme disconnect -d "$C2"
check sub2-ctrl-gone wait_for 10 not ctrl_find --nqn sub2
check no-controllers-left test -z "$(ctrl_list)"
