#!/bin/bash
# nvme discover against the nvmet discovery controller: the log lists the
# subsystems linked to the queried port, its referrals and the current
# discovery subsystem; allowed-hosts filtering hides a subsystem from a host
# that is not allowed; IPv6 works; an unused port refuses.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"

require host-init host_init
require target-ports eval 'target_port 1 127.0.0.1 8009 && target_port 2 ::1 8009'
for s in sub1 sub2 sub3; do
    require "target-$s" eval "target_subsys $s && target_link $s 1"
done
require target-sub1-ipv6 target_link sub1 2
require target-referral target_referral 1 ref6 ::1 8009
target_summary

# count_recs FILE SUBTYPE: records of that subtype in nvme-cli's JSON output
count_recs() { count_lines "$1" "\"subtype\":\"$2\"" > /dev/null; echo "$REPLY"; }
step disc4 nvme discover -t tcp -a 127.0.0.1 -s 8009 -o json
json=$(logfile disc4.log)       # nvme-cli prints one "key":"value" per line
check disc4-5-records test "$(count_lines "$json" '"subtype"')" = 5
check disc4-3-nvme-subsystems test "$(count_recs "$json" "nvme subsystem")" = 3
check disc4-1-referral test "$(count_lines "$json" '"traddr":"::1"')" = 1
check disc4-current-dc test "$(count_recs "$json" "current discovery subsystem")" = 1
for s in sub1 sub2 sub3; do check "disc4-lists-$s" file_has "$json" "\"subnqn\":\"$(nqn $s)\""; done

step disc6 nvme discover -t tcp -a ::1 -s 8009
check disc6-lists-sub1 file_has "$(logfile disc6.log)" "subnqn:  $(nqn sub1)"
check disc6-2-records test "$(count_lines "$(logfile disc6.log)" "Discovery Log Entry")" = 2
check disc6-not-sub2 not file_has "$(logfile disc6.log)" "$(nqn sub2)"

# allowed hosts: sub3 restricted to another host disappears from our log ...
require restrict-sub3 target_allow_host sub3 nqn.2014-08.org.nvmexpress:uuid:00000000-0000-0000-0000-000000000001
step disc4-restricted nvme discover -t tcp -a 127.0.0.1 -s 8009
check restricted-hides-sub3 not file_has "$(logfile disc4-restricted.log)" "$(nqn sub3)"
check restricted-4-records test "$(count_lines "$(logfile disc4-restricted.log)" "Discovery Log Entry")" = 4
# ... and comes back once our host NQN is allowed too
require allow-us-sub3 target_allow_host sub3 "$HOSTNQN"
step disc4-allowed nvme discover -t tcp -a 127.0.0.1 -s 8009
check allowed-shows-sub3 file_has "$(logfile disc4-allowed.log)" "$(nqn sub3)"

# nothing listens on an unused port
check no-listener-refused not nvme discover -t tcp -a 127.0.0.1 -s 8010
