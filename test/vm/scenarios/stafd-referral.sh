#!/bin/bash
# [REF-1] a referral to a second discovery port is followed; a referral loop terminates.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"

require fabric-up fabric_up
require target-dc1 target_port 1 127.0.0.1 8009
require target-dc2 target_port 2 127.0.0.1 8010
require subsys-s0 target_subsys s0 --ns none
require subsys-s1 target_subsys s1 --ns none
require link-s0-p1 target_link s0 1
require link-s1-p2 target_link s1 2
# port 1 refers to port 2, port 2 refers back to port 1: a loop
require referral-1-2 target_referral 1 r12 127.0.0.1 8010
require referral-2-1 target_referral 2 r21 127.0.0.1 8009
stafd_conf "controller = transport=tcp;traddr=127.0.0.1;trsvcid=8009"
require stafd-start start_daemon stafd "$STAFD_CONF"
check referral-followed wait_for 30 dc_count_is 2
check referral-dc-listed wait_for 10 eval 'stas_ctl stafctl ls | grep -q "\"trsvcid\": \"8010\""'
# s1, the discovery subsystem itself and the referral back to port 1
check referral-dlp-read wait_for 20 dlp_count_is 127.0.0.1 8010 3
# the loop terminates: still exactly two DCs a while later
sleep 5
check loop-terminates dc_count_is 2
step ls-d stas_ctl stafctl ls -d
check referral-origin file_has "$(logfile ls-d.log)" '"origin": "referral"'
check referral-depth file_has "$(logfile ls-d.log)" '"referral depth": "1"'
# the referral withdrawn -> the referred DC is removed (deregistered, disconnected)
require referral-1-2-removed target_referral_remove 1 r12
require referral-2-1-removed target_referral_remove 2 r21
check referral-dc-removed wait_for 30 dc_count_is 1
check stafd-stops stop_daemon stafd
finish
