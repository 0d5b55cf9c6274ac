#!/bin/bash
# [BAD-0] [BAD-1] [BAD-2] [CFG-7] [SYS-3] [STATE-1] bad input to the daemons as processes
# (stas-fake on a private bus), spec/bad-input.md §1.2, §1.4, §1.6, §2, §8: a configuration
# edit with mistakes on SIGHUP keeps the running configuration (previous values, not the
# defaults; an unreadable file keeps everything) and every connection; an invalid
# [Controllers] entry freezes the removal of configured controllers until the file is
# clean; a bad host identity on SIGHUP keeps the previous one; a bad state file is renamed
# to .invalid and the daemon starts with an empty state.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

make_identity
start_bus
DISC=nqn.2014-08.org.nvmexpress.discovery
DC11="(tcp, 192.168.1.11, 8009, $DISC)"
IOC="nqn.2023-01.com.example:a"

# fake_cmd SOCKET COMMAND -> the reply line of the fake fabrics' control socket
fake_cmd() {
    python3 - "$1" "$2" <<'EOP'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
print(s.makefile().readline().strip())
EOP
}
# connected_count PROG -> the number of controllers with a device in "<prog> ls"
connected_count() { "$STAS_FAKE_BIN/$1" ls 2>/dev/null | grep -c '"device": "nvme[0-9]'; }
connected_is() { [ "$(connected_count "$1")" = "$2" ]; }
tron_of() { gdbus call --system -d "org.nvmexpress.$1" -o "/org/nvmexpress/$1" \
    -m org.freedesktop.DBus.Properties.Get "org.nvmexpress.$1.debug" tron 2>/dev/null; }
# reload PID LOG PROG: SIGHUP, then wait until the reload has been logged; the reload runs
# in one main-loop dispatch, so a D-Bus call answered after the marker comes after it
reload() {
    local before
    before=$(grep -c "Reloading configuration (SIGHUP)" "$2")
    kill -HUP "$1"
    wait_for 20 sh -c "[ \$(grep -c 'Reloading configuration (SIGHUP)' '$2') -gt $before ]"
    "$STAS_FAKE_BIN/$3" status >/dev/null 2>&1
}
# expect_line NAME LINE TEXT: TEXT has LINE as one whole line (no regular expression)
expect_line() {
    if grep -Fxq -- "$2" <<<"$3"; then pass "$1"; else
        fail "$1"; echo "#   no line $(printf %q "$2") in:"; printf '%s\n' "$3" | sed 's/^/#     /'; fi
}
log_since() { sed -n "$(($2 + 1)),\$p" "$1"; }

cat >"$E2E_TMP/stafd.fake" <<EOC
[target tcp 192.168.1.10 8009]
discovery = $DISC
dctype = ddc
entry1 = traddr=192.168.1.20 trsvcid=4420 subnqn=$IOC
[target tcp 192.168.1.11 8009]
discovery = $DISC
dctype = ddc
entry1 = traddr=192.168.1.20 trsvcid=4420 subnqn=$IOC
EOC
CONF=$E2E_TMP/stafd.conf
good_stafd_conf() {
    cat >"$CONF" <<'EOC'
[Global]
tron = true
ip-family = ipv4
kato = 60

[Discovery controller connection management]
zeroconf-connections-persistence = 1 hour

[Controllers]
controller = transport=tcp;traddr=192.168.1.10
controller = transport=tcp;traddr=192.168.1.11
EOC
}

# ---- §8: a bad state file is renamed, the daemon starts empty ---------------------------
mkdir -p "$STAS_TEST_ROOT/run/stafd"
STATE=$STAS_TEST_ROOT/run/stafd/last-known-config.json
echo '{"format": "not json' >"$STATE"
good_stafd_conf
STAS_FAKE_SCRIPT=$E2E_TMP/stafd.fake STAS_FAKE_CONTROL=$E2E_TMP/stafd.ctl \
    start_daemon stafd "$E2E_TMP/stafd.log" -f "$CONF"
STAFD=$DAEMON_PID
wait_for 20 name_owned org.nvmexpress.staf || { fail "stafd owns its name"; cat "$E2E_TMP/stafd.log"; exit 1; }
expect_match "[STATE-1] bad state file: WARNING naming the file" \
    "^Ignoring last known config $STATE: " "$(cat "$E2E_TMP/stafd.log")"
if [ -f "$STATE.invalid" ]; then pass "[STATE-1] bad state file renamed to .invalid"
else fail "[STATE-1] bad state file renamed to .invalid"; fi
expect_eq "[STATE-1] the .invalid file is the bad one" '{"format": "not json' "$(cat "$STATE.invalid" 2>/dev/null)"
if wait_for 30 connected_is stafctl 2; then pass "[BAD-0] both configured DCs connected"
else fail "[BAD-0] both configured DCs connected"; cat "$E2E_TMP/stafd.log"; fi
expect_eq "[SIG-2] tron from the file" "(<true>,)" "$(tron_of staf)"

# ---- §1.2 / §1.6: every key type wrong on SIGHUP ----------------------------------------
n=$(wc -l <"$E2E_TMP/stafd.log")
cat >"$CONF" <<'EOC'
[Global]
tron = yes
ip-family = ipv5
kato = -1

[Discovery controller connection management]
zeroconf-connections-persistence = soon
persistent-connections =

[Controllers]
controller = transport=tcp;traddr=192.168.1.10
controller = transport=tcp;traddr=192.168.1.11
EOC
reload "$STAFD" "$E2E_TMP/stafd.log" stafctl
LOG=$(log_since "$E2E_TMP/stafd.log" "$n")
expect_match "[CFG-7] boolean: previous value kept" \
    "^$CONF:2: \[Global\] tron: invalid value \"yes\" \(expected true or false\); using the previous value \(true\)$" "$LOG"
expect_match "[CFG-7] keyword: previous value kept" \
    "^$CONF:3: \[Global\] ip-family: invalid value \"ipv5\" \(expected one of ipv4, ipv6, ipv4\+ipv6, ipv6\+ipv4\); using the previous value \(ipv4\)$" "$LOG"
expect_match "[CFG-7] integer out of range: previous value kept" \
    "^$CONF:4: \[Global\] kato: invalid value \"-1\" \(.*\); using the previous value \(60\)$" "$LOG"
expect_match "[CFG-7] time span: previous value kept" \
    "^$CONF:7: \[Discovery controller connection management\] zeroconf-connections-persistence: invalid value \"soon\" \(expected a time span such as 72hours, 3 days 5 hours or -1\); using the previous value \(3600 seconds\)$" "$LOG"
expect_match "[CFG-7] empty value: invalid" \
    "^$CONF:8: \[Discovery controller connection management\] persistent-connections: invalid value \"\" \(expected true or false\); using " "$LOG"
expect_match "[BAD-2] nothing changed" "^$CONF: configuration unchanged$" "$LOG"
expect_eq "[BAD-2] tron keeps the previous value, not the default" "(<true>,)" "$(tron_of staf)"
sleep 2 # a pass (soak 1.5 s) would remove or disconnect now
expect_eq "[BAD-0] both DCs still connected" 2 "$(connected_count stafctl)"
expect_eq "[BAD-0] nothing disconnected" "ok 0" "$(fake_cmd "$E2E_TMP/stafd.ctl" "count disconnect")"

# ---- §1.1 / §1.6: an unreadable file keeps the whole previous configuration ----------------
n=$(wc -l <"$E2E_TMP/stafd.log")
mv "$CONF" "$CONF.saved"
mkdir "$CONF"
reload "$STAFD" "$E2E_TMP/stafd.log" stafctl
LOG=$(log_since "$E2E_TMP/stafd.log" "$n")
expect_match "[BAD-2] unreadable file: WARNING with the reason" \
    "^$CONF: cannot read configuration file: " "$LOG"
expect_match "[BAD-2] unreadable file: nothing changed" "^$CONF: configuration unchanged$" "$LOG"
expect_eq "[BAD-2] unreadable file: tron kept" "(<true>,)" "$(tron_of staf)"
sleep 2
expect_eq "[BAD-2] unreadable file: both DCs still connected" 2 "$(connected_count stafctl)"
rmdir "$CONF"
mv "$CONF.saved" "$CONF"

# ---- §1.4 [BAD-1]: an invalid controller= entry freezes removals --------------------------
n=$(wc -l <"$E2E_TMP/stafd.log")
good_stafd_conf
sed -i '/traddr=192.168.1.11/d' "$CONF"
echo "controller = transport=tcp;traddr=555.555.555.555" >>"$CONF"
reload "$STAFD" "$E2E_TMP/stafd.log" stafctl
wait_for 20 grep -q "no longer configured but" "$E2E_TMP/stafd.log"
LOG=$(log_since "$E2E_TMP/stafd.log" "$n")
expect_line "[BAD-1] the invalid entry is reported" \
    "$CONF:11: [Controllers] controller: invalid traddr \"555.555.555.555\", entry ignored" "$LOG"
expect_line "[BAD-1] the unlisted DC is not removed, and why" \
    "$DC11 no longer configured but $CONF has invalid [Controllers] entries; not removing it" "$LOG"
sleep 2
expect_eq "[BAD-1] both DCs still connected" 2 "$(connected_count stafctl)"
expect_eq "[BAD-1] nothing disconnected" "ok 0" "$(fake_cmd "$E2E_TMP/stafd.ctl" "count disconnect")"
expect_eq "[BAD-1] the freeze warning is given once" 1 "$(grep -c "no longer configured but" "$E2E_TMP/stafd.log")"
# the freeze ends with the first clean load: now the removal is positive evidence
sed -i '/555.555.555.555/d' "$CONF"
reload "$STAFD" "$E2E_TMP/stafd.log" stafctl
if wait_for 20 connected_is stafctl 1; then pass "[BAD-1] a clean file ends the freeze: the DC is removed"
else fail "[BAD-1] a clean file ends the freeze: the DC is removed"; fi
expect_match "[BAD-1] the DC that stays is the configured one" '"traddr": "192.168.1.10"' "$("$STAS_FAKE_BIN/stafctl" ls)"

# ---- §2: a bad host identity on SIGHUP keeps the previous one ------------------------------
n=$(wc -l <"$E2E_TMP/stafd.log")
cp "$STAS_TEST_ROOT/etc/nvme/hostnqn" "$E2E_TMP/hostnqn.saved"
echo "not-an-nqn" >"$STAS_TEST_ROOT/etc/nvme/hostnqn"
reload "$STAFD" "$E2E_TMP/stafd.log" stafctl
LOG=$(log_since "$E2E_TMP/stafd.log" "$n")
expect_match "[SYS-3] bad Host NQN on SIGHUP: the reference message" \
    '^Error Host NQN "not-an-nqn" should start with "nqn."$' "$LOG"
expect_nomatch "[SYS-3] identity not changed" "Host identity changed" "$LOG"
run "$STAS_FAKE_BIN/stafctl" status
expect_match "[SYS-3] previous Host NQN still used" \
    '"hostnqn": "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a"' "$OUT"
cp "$E2E_TMP/hostnqn.saved" "$STAS_TEST_ROOT/etc/nvme/hostnqn"
: >"$STAS_TEST_ROOT/etc/nvme/hostid"
n=$(wc -l <"$E2E_TMP/stafd.log")
reload "$STAFD" "$E2E_TMP/stafd.log" stafctl
LOG=$(log_since "$E2E_TMP/stafd.log" "$n")
expect_match "[SYS-3] empty Host ID on SIGHUP: the reference message" \
    '^Error reading mandatory Host ID \(see stasadm --help\): ' "$LOG"
sleep 2
expect_eq "[BAD-0] bad identity: the DC still connected" 1 "$(connected_count stafctl)"
if kill -0 "$STAFD" 2>/dev/null && name_owned org.nvmexpress.staf; then pass "[BAD-0] stafd survives every bad reload"
else fail "[BAD-0] stafd survives every bad reload"; fi
make_identity

kill -TERM "$STAFD"; wait "$STAFD"; rc=$?
expect_eq "[SIG-1] stafd exits 0" 0 "$rc"

# ---- stacd: its own keys wrong on SIGHUP; the I/O connection stays ---------------------------
cat >"$E2E_TMP/stacd.fake" <<EOC
[target tcp 192.168.1.20 4420]
io = $IOC
EOC
SCONF=$E2E_TMP/stacd.conf
cat >"$SCONF" <<EOC
[Global]
tron = true

[I/O controller connection management]
disconnect-scope = all-connections-matching-disconnect-trtypes
disconnect-trtypes = tcp+rdma
connect-attempts-on-ncc = 3

[Controllers]
controller = transport=tcp;traddr=192.168.1.20;trsvcid=4420;nqn=$IOC
EOC
STAS_FAKE_SCRIPT=$E2E_TMP/stacd.fake STAS_FAKE_CONTROL=$E2E_TMP/stacd.ctl \
    start_daemon stacd "$E2E_TMP/stacd.log" -f "$SCONF"
STACD=$DAEMON_PID
wait_for 20 name_owned org.nvmexpress.stac || { fail "stacd owns its name"; cat "$E2E_TMP/stacd.log"; exit 1; }
if wait_for 30 connected_is stacctl 1; then pass "[BAD-0] the configured IOC connected"
else fail "[BAD-0] the configured IOC connected"; cat "$E2E_TMP/stacd.log"; fi
n=$(wc -l <"$E2E_TMP/stacd.log")
cat >"$SCONF" <<EOC
[Global]
tron = true

[I/O controller connection management]
disconnect-scope = everything
disconnect-trtypes = tcp+pcie
connect-attempts-on-ncc = -3

[Controllers]
controller = transport=tcp;traddr=192.168.1.20;trsvcid=4420;nqn=$IOC
controller = transport=tcp;traddr=192.168.1.20;trsvcid=4420
EOC
reload "$STACD" "$E2E_TMP/stacd.log" stacctl
LOG=$(log_since "$E2E_TMP/stacd.log" "$n")
expect_match "[CFG-7] stacd keyword: previous value kept" \
    "^$SCONF:5: \[I/O controller connection management\] disconnect-scope: invalid value \"everything\" \(.*\); using the previous value \(all-connections-matching-disconnect-trtypes\)$" "$LOG"
expect_match "[CFG-5] disconnect-trtypes: the bad item dropped, tcp kept" \
    "^$SCONF:6: \[I/O controller connection management\] disconnect-trtypes: .*pcie" "$LOG"
expect_match "[CFG-7] connect-attempts-on-ncc -3: previous value kept" \
    "^$SCONF:7: \[I/O controller connection management\] connect-attempts-on-ncc: invalid value \"-3\" \(expected 0 or an integer >= 2\); using the previous value \(3\)$" "$LOG"
expect_match "[BAD-1] stacd entry without NQN reported" \
    "^$SCONF:11: \[Controllers\] controller: missing nqn" "$LOG"
sleep 2
expect_eq "[BAD-0] stacd: the IOC still connected" 1 "$(connected_count stacctl)"
expect_eq "[BAD-0] stacd: nothing disconnected" "ok 0" "$(fake_cmd "$E2E_TMP/stacd.ctl" "count disconnect")"
kill -TERM "$STACD"; wait "$STACD"; rc=$?
expect_eq "[SIG-1] stacd exits 0" 0 "$rc"
finish
