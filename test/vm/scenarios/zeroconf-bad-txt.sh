#!/bin/bash
# [BAD-0] [ZC-2] [ZC-3] [ZC-5] [ZC-6] malformed mDNS adverts from a real avahi-publish on lo
# (spec/bad-input.md §5), all seen by one stafd (tron on) next to a good advert whose DC is
# connected at the start and stays connected, on the same kernel device, to the end:
#  - TXT records not printable / without '=' / with an empty key: DEBUG, record ignored, the
#    rest of the TXT used;
#  - p= missing or p=walmart: ERROR with address, iface and TXT; never connected although the
#    target listens on that port;
#  - NQN=/nqn= invalid: WARNING, the well-known discovery NQN used;
#  - port 0: WARNING, the advert ignored;
#  - a connected DC's advert updated in place (test/tools/avahi-txt-update: avahi-publish
#    cannot update) to a TXT that fails validation: ERROR and WARNING, the previous identity
#    kept, still advertised, nothing disconnected;
#  - the good advert withdrawn: still connected, mdns advertised: False;
#  - stafd's list matches the kernel's discovery controllers.
# shellcheck source=../guest/lib.sh
. "${STAS_VM_DIR:-$(dirname "$0")/..}/guest/lib.sh"
# shellcheck source=../guest/stafd.sh
. "$STAS_VM_DIR/guest/stafd.sh"
# shellcheck source=../guest/zeroconf.sh
. "$STAS_VM_DIR/guest/zeroconf.sh"

GOOD=8009    # the good advert's DC
NEVER=8010   # listens, but only adverts without a valid p= point here
NOBODY=8011  # nothing listens: identified adverts here stay unreachable (never connected)
UPD=8012     # the DC whose advert is re-published with a bad TXT
WKDN=nqn.2014-08.org.nvmexpress.discovery
LONG_NQN=nqn.$(printf '%0224d' 0)   # > 223 characters

require fabric-up fabric_up
require target eval "target_subsys s1 --ns none &&
    target_port 1 127.0.0.1 $GOOD && target_port 2 127.0.0.1 $NEVER &&
    target_port 3 127.0.0.1 $UPD && target_link s1 1 && target_link s1 2 && target_link s1 3"
require avahi-start avahi_start lo
zc_conf
require stafd-start zc_stafd
zc_publish_bg good $GOOD p=tcp
zc_publish_updatable upd $UPD p=tcp -- p=walmart upd=1
require good-published wait_for 30 zc_published good
require upd-published wait_for 30 zc_published upd
require dcs-connected wait_for 40 dc_count_is 2
DC=$(ctrl_find --dc --trsvcid $GOOD)
DCU=$(ctrl_find --dc --trsvcid $UPD)
info devices "good=$DC upd=$DCU"

zc_publish_bg bad-records $NOBODY p=tcp $'ctl\x01=1' $'k\xc3\xa9y=v' noequal '=emptykey'
zc_publish_bg bad-p-missing $NEVER vendor=acme
zc_publish_bg bad-p-walmart $NEVER p=walmart
zc_publish_bg bad-nqn-upper $NOBODY p=tcp NQN=not-an-nqn
zc_publish_bg bad-nqn-lower $NOBODY p=tcp "nqn=$LONG_NQN"
zc_publish_bg bad-port0 0 p=tcp
for n in bad-records bad-p-missing bad-p-walmart bad-nqn-upper bad-nqn-lower bad-port0; do
    require "$n-published" wait_for 30 zc_published "$n"
done

# TXT records: DEBUG (tron), record ignored, the rest used
check debug-not-printable wait_for 20 zc_log_has 'Ignoring mDNS TXT record "ctl\\x01=1": not printable ASCII'
check debug-not-ascii zc_log_has 'Ignoring mDNS TXT record "k\\xc3\\xa9y=v": not printable ASCII'
check debug-no-equal zc_log_has "Ignoring mDNS TXT record \"noequal\": no '='"
check debug-empty-key zc_log_has 'Ignoring mDNS TXT record "=emptykey": empty key'
# p=: ERROR naming the address, the interface and the TXT
check error-p-missing wait_for 20 zc_log_has "Received invalid/undefined protocol in mDNS TXT field: address=127.0.0.1, iface=lo, TXT={'vendor': 'acme'}"
check error-p-walmart wait_for 20 zc_log_has "Received invalid/undefined protocol in mDNS TXT field: address=127.0.0.1, iface=lo, TXT={'p': 'walmart'}"
# NQN (either case): WARNING, the well-known NQN used
check warning-nqn-upper wait_for 20 zc_log_has "Invalid NQN \"not-an-nqn\" in mDNS TXT field: address=127.0.0.1, iface=lo; using $WKDN"
check warning-nqn-lower wait_for 20 zc_log_has "Invalid NQN \"$LONG_NQN\" in mDNS TXT field: address=127.0.0.1, iface=lo; using $WKDN"
# port 0: WARNING, ignored
check warning-port0 wait_for 20 zc_log_has "Invalid port 0 from mDNS: address=127.0.0.1, iface=lo; ignored"

zc_status status-bad.json
check records-rest-used zc_service_attr_is status-bad.json bad-records trsvcid $NOBODY
check records-junk-no-effect zc_service_attr_is status-bad.json bad-records subsysnqn $WKDN
check p-missing-unidentified not zc_service_attr status-bad.json bad-p-missing transport
check p-walmart-unidentified not zc_service_attr status-bad.json bad-p-walmart transport
check p-walmart-listed zc_service_attr_is status-bad.json bad-p-walmart reachable False
check nqn-upper-well-known zc_service_attr_is status-bad.json bad-nqn-upper subsysnqn $WKDN
check nqn-lower-well-known zc_service_attr_is status-bad.json bad-nqn-lower subsysnqn $WKDN
check port0-ignored not zc_service_attr status-bad.json bad-port0 trsvcid

# the connected DC's advert updated in place (same service) to a TXT that fails validation
require upd-updated zc_update_txt upd
check upd-error wait_for 20 zc_log_has "Received invalid/undefined protocol in mDNS TXT field: address=127.0.0.1, iface=lo, TXT={'p': 'walmart', 'upd': '1'}"
check upd-warning wait_for 20 zc_log_has "mDNS service $(zc_service upd): invalid update ignored; keeping tcp 127.0.0.1 $UPD lo $WKDN"
check upd-not-removed not zc_log_has "mDNS service removed: $(zc_service upd)"
zc_status status-upd.json
check upd-identity-kept zc_service_attr_is status-upd.json upd trsvcid $UPD
check upd-still-reachable zc_service_attr_is status-upd.json upd reachable True
zc_ls_d ls-upd.json
check upd-still-advertised zc_dc_field_is ls-upd.json $UPD "mdns advertised" True
check upd-still-connected test "$(ctrl_find --dc --trsvcid $UPD)" = "$DCU"

# the good advert withdrawn: kept, connected, no longer advertised
require good-withdrawn avahi_unpublish good
good_not_advertised() { zc_ls_d ls-goodbye.json && zc_dc_field_is ls-goodbye.json $GOOD "mdns advertised" False; }
check goodbye-seen wait_for 20 good_not_advertised
check goodbye-still-connected zc_dc_field_is ls-goodbye.json $GOOD connected True
check goodbye-not-aging zc_dc_field_is ls-goodbye.json $GOOD "unresponsive time" ---

# the end: nothing connected was lost, nothing bad was connected, stafd matches the kernel
check good-same-device test "$(ctrl_find --dc --trsvcid $GOOD)" = "$DC"
check upd-same-device test "$(ctrl_find --dc --trsvcid $UPD)" = "$DCU"
check never-connected-bad-p not ctrl_find --trsvcid $NEVER
check never-connected-unreachable not ctrl_find --trsvcid $NOBODY
check kernel-two-dcs dc_count_is 2
zc_ls_d ls-end.json
check stafd-lists-two test "$(count_lines "$(logfile ls-end.json)" '"trsvcid": ')" = 2
check stafd-good-device zc_dc_field_is ls-end.json $GOOD device "$DC"
check stafd-upd-device zc_dc_field_is ls-end.json $UPD device "$DCU"
check never-disconnected not zc_log_has "Disconnect initiated"
check stafd-stops stop_daemon stafd
finish
