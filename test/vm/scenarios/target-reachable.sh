#!/bin/bash
# The nvmet TCP target comes up on loopback: every port with a linked
# subsystem listens (IPv4 and IPv6, discovery and I/O service ids), a port
# without one does not, and the port/subsystem helpers of guest/lib.sh open
# and close listeners as documented.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"

require target-init target_init
require target-standard target_standard 3
target_summary

for a in 127.0.0.1 ::1; do
    for p in 8009 4420; do
        check "listening-$a-$p" wait_for 10 tcp_listening "$a" "$p"
    done
done
# a TCP connection (bash /dev/tcp) is accepted, i.e. reachable, not just bound
check tcp-connect-127.0.0.1-4420 bash -c 'exec 5<>/dev/tcp/127.0.0.1/4420'
check tcp-connect-ipv6-8009 bash -c 'exec 5<>/dev/tcp/::1/8009'

ports() { local n=0 p; for p in "$NVMET"/ports/*; do [ -d "$p" ] && n=$((n + 1)); done; [ "$n" = "$1" ]; }
check configfs-4-ports ports 4
ns_enabled() { local e; read -r e < "$NVMET/subsystems/$(nqn "$1")/namespaces/1/enable" && [ "$e" = 1 ]; }
check namespace-sub1-enabled ns_enabled sub1
check namespace-sub3-enabled ns_enabled sub3

# a port listens only once a subsystem is linked to it
require port5-created target_port 5 127.0.0.1 4430
check port5-unlinked-not-listening not tcp_listening 127.0.0.1 4430
require port5-link target_link sub1 5
check port5-linked-listening wait_for 10 tcp_listening 127.0.0.1 4430

# disable = unlink every subsystem; enable relinks them
require port2-disable target_port_disable 2
check port2-disabled-not-listening wait_for 10 not tcp_listening 127.0.0.1 4420
check port2-disabled-no-subsystems test -z "$(target_port_subsystems 2)"
check port1-still-listening tcp_listening 127.0.0.1 8009
require port2-enable target_port_enable 2
check port2-enabled-listening wait_for 10 tcp_listening 127.0.0.1 4420
check port2-enabled-3-subsystems test "$(target_port_subsystems 2 | wc -l)" = 3

# removing a subsystem unlinks it everywhere; removing a port closes it
require sub2-remove target_subsys_remove sub2
check sub2-gone not test -e "$NVMET/subsystems/$(nqn sub2)"
check sub2-unlinked-everywhere not compgen -G "$NVMET/ports/*/subsystems/$(nqn sub2)"
require port5-remove target_port_remove 5
check port5-removed-not-listening wait_for 10 not tcp_listening 127.0.0.1 4430

# the teardown the runner does between scenarios leaves nothing behind
require target-reset target_reset
check reset-no-ports not compgen -G "$NVMET/ports/*"
check reset-no-subsystems not compgen -G "$NVMET/subsystems/*"
check reset-not-listening wait_for 10 not tcp_listening 127.0.0.1 8009
