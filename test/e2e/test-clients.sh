#!/bin/bash
# [CLI-10] [CLI-11] [CLI-20] [CLI-21] [D-58]..[D-62] stafctl and stacctl as processes against
# a stand-in daemon (fake-stafd) that answers with the worked replies of spec/dbus.md §7 on a
# private system bus: every sub-command and option, the outputs of spec/cli.md §6 byte for
# byte, usage errors, the error texts and exit statuses of §2.2.
. "$(dirname "$0")/lib.sh"

: "${STAS_BUILD_DIR:?run through ctest}"
FAKE=$STAS_BUILD_DIR/fake-stafd
CALLS=$E2E_TMP/calls
HOSTNQN=nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a
DELL=nqn.1988-11.com.dell:SFSS:1:20221122170722e8
DISC=nqn.2014-08.org.nvmexpress.discovery
UNABLE_F="Unable to communicate with stafd over D-Bus. Is stafd running?"
UNABLE_C="Unable to communicate with stacd over D-Bus. Is stacd running?"

# ---- expected outputs (spec/cli.md §6) --------------------------------------------------
# Each controller, log page entry and status is written once; the outputs are composed as
# json.dumps(indent=2) lays them out (json_array, json_object, json_insert).

# json_array ITEM...: the JSON array of the JSON texts ITEM
json_array() {
    local n=$# i=0 item
    if [ "$n" -eq 0 ]; then printf '[]'; return; fi
    printf '[\n'
    for item; do
        i=$((i + 1))
        printf '%s' "$item" | sed 's/^/  /'
        if [ "$i" -lt "$n" ]; then printf ',\n'; else printf '\n'; fi
    done
    printf ']'
}
# json_object KEY VALUE...: the JSON object of the members KEY: VALUE (a JSON text)
json_object() {
    printf '{\n'
    while [ $# -gt 0 ]; do
        printf '  "%s": ' "$1"
        printf '%s' "$2" | sed '2,$ s/^/  /'
        shift 2
        if [ $# -gt 0 ]; then printf ',\n'; else printf '\n'; fi
    done
    printf '}'
}
# json_insert OBJECT AFTER KEY VALUE: OBJECT with the member KEY: VALUE (a JSON text) after
# its member AFTER (not the last one)
json_insert() {
    MEMBER="  \"$3\": $(printf '%s' "$4" | sed '2,$ s/^/  /')," AFTER="  \"$2\": " \
        awk '{ print } index($0, ENVIRON["AFTER"]) == 1 { print ENVIRON["MEMBER"] }' <<<"$1"
}

EXP_TRON=$(cat <<'EOF'
{
  "tron": true
}
EOF
)
# log page entries (spec/dbus.md §7.1)
E1=$(cat <<'EOF'
{
  "adrfam": "ipv4",
  "asqsz": "32",
  "cntlid": "65535",
  "eflags": "0",
  "portid": "1",
  "subnqn": "nqn.2023-01.com.example:array1",
  "subtype": "nvme",
  "traddr": "192.168.10.31",
  "treq": "not specified",
  "trsvcid": "4420",
  "trtype": "tcp"
}
EOF
)
E2=$(cat <<'EOF'
{
  "adrfam": "ipv4",
  "asqsz": "32",
  "cntlid": "65535",
  "eflags": "4",
  "portid": "2",
  "subnqn": "nqn.2023-01.com.example:array2",
  "subtype": "nvme",
  "traddr": "192.168.10.32",
  "treq": "not specified",
  "trsvcid": "4420",
  "trtype": "tcp"
}
EOF
)
E3=$(cat <<'EOF'
{
  "adrfam": "ipv4",
  "asqsz": "32",
  "cntlid": "65535",
  "eflags": "0",
  "portid": "1",
  "subnqn": "nqn.1988-11.com.dell:SFSS:1:20221122170722e8",
  "subtype": "discovery",
  "traddr": "192.168.10.20",
  "treq": "not specified",
  "trsvcid": "8009",
  "trtype": "tcp"
}
EOF
)
PAGES1=$(json_array "$E1")
PAGES2=$(json_array "$E1" "$E2" "$E3")
# the two discovery controllers: identity (ls, adlp), details (ls -d, adlp -d, status)
DC1=$(cat <<'EOF'
{
  "device": "nvme0",
  "host-id": "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "host-iface": "eth1",
  "host-nqn": "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "host-traddr": "",
  "kato": "60",
  "subsysnqn": "nqn.2014-08.org.nvmexpress.discovery",
  "traddr": "192.168.10.30",
  "transport": "tcp",
  "trsvcid": "8009"
}
EOF
)
DC2=$(cat <<'EOF'
{
  "device": "nvme1",
  "host-id": "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "host-iface": "eth1",
  "host-nqn": "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "host-traddr": "",
  "subsysnqn": "nqn.1988-11.com.dell:SFSS:1:20221122170722e8",
  "traddr": "192.168.10.20",
  "transport": "tcp",
  "trsvcid": "8009"
}
EOF
)
DC1_D=$(cat <<'EOF'
{
  "cntrltype": "discovery",
  "connect attempts": "0",
  "connected": "True",
  "dctype": "ddc",
  "device": "nvme0",
  "get log page operation": "{'fail count': 0, 'completed': True, 'alive': True}",
  "get supported log page operation": "{'fail count': 0, 'completed': True, 'alive': True}",
  "host-id": "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "host-iface": "eth1",
  "host-nqn": "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "host-traddr": "",
  "hostid": "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "hostnqn": "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "kato": "60",
  "log pages dropped": "0",
  "log pages state": "current",
  "model": "Example-DDC",
  "origin": "configured",
  "referral depth": "0",
  "register operation": "{'fail count': 0, 'completed': True, 'alive': True}",
  "retry connect timer": "60.0s [off]",
  "serial": "DDC0001",
  "subsysnqn": "nqn.2014-08.org.nvmexpress.discovery",
  "traddr": "192.168.10.30",
  "transport": "tcp",
  "trsvcid": "8009"
}
EOF
)
# DC 2's details of spec/dbus.md §7.2 (spec/cli.md §6.3 shows the first element)
DC2_D=$(cat <<'EOF'
{
  "cntrltype": "discovery",
  "connect attempts": "0",
  "connected": "True",
  "dctype": "cdc",
  "device": "nvme1",
  "get log page operation": "{'fail count': 0, 'completed': True, 'alive': True}",
  "host-id": "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "host-iface": "eth1",
  "host-nqn": "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "host-traddr": "",
  "hostid": "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "hostnqn": "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "log pages dropped": "0",
  "log pages state": "current",
  "mdns advertised": "True",
  "model": "SmartFabric Storage Software",
  "origin": "discovered",
  "referral depth": "0",
  "register operation": "{'fail count': 0, 'completed': True, 'alive': True}",
  "retry connect timer": "60.0s [off]",
  "serial": "SFSS0001",
  "subsysnqn": "nqn.1988-11.com.dell:SFSS:1:20221122170722e8",
  "traddr": "192.168.10.20",
  "transport": "tcp",
  "trsvcid": "8009",
  "unresponsive removal time": "---",
  "unresponsive time": "---",
  "unresponsive timeout": "259200 sec",
  "unresponsive timer": "0.0s [off]"
}
EOF
)
# stafd's process_info (spec/cli.md §6.6) but its controllers
STATUS=$(cat <<'EOF'
{
  "avahi": {
    "avahi wake up timer": "60.0s [off]",
    "service types": [
      "_nvme-disc._tcp",
      "_nvme-disc._udp"
    ],
    "services": {
      "(eth1, IPv4, SFSS.local, _nvme-disc._tcp)": {
        "check timer": "2.0s [off]",
        "host-iface": "eth1",
        "reachable": "True",
        "subsysnqn": "nqn.1988-11.com.dell:SFSS:1:20221122170722e8",
        "traddr": "192.168.10.20",
        "transport": "tcp",
        "trsvcid": "8009"
      }
    }
  },
  "config soak timer": "1.5s [off]",
  "hostid": "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "hostkey": null,
  "hostnqn": "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "kernel support.TP8013": "True",
  "kernel support.dhchap_ctrl_secret": "True",
  "kernel support.dhchap_secret": "True",
  "kernel support.host_iface": "True",
  "last known config file": "/run/stafd/last-known-config.json",
  "log-level": "INFO",
  "symname": null,
  "sysfs resync timer": "60.0s [41.7s]",
  "terminator.audit timer": "30.0s [off]",
  "tron": false,
  "udev overflows": "0"
}
EOF
)
EXP_LS=$(json_array "$DC1" "$DC2")
EXP_LS_D=$(json_array "$DC1_D" "$DC2_D")
EXP_DLP=$PAGES2
EXP_ADLP=$(json_array "$(json_object discovery-controller "$DC1" log-pages "$PAGES1")" \
    "$(json_object discovery-controller "$DC2" log-pages "$PAGES2")")
# spec/cli.md §6.5 with each discovery-controller replaced by its details (§6.3)
EXP_ADLP_D=$(json_array "$(json_object discovery-controller "$DC1_D" log-pages "$PAGES1")" \
    "$(json_object discovery-controller "$DC2_D" log-pages "$PAGES2")")
EXP_STATUS=$(json_insert "$STATUS" "config soak timer" controllers \
    "$(json_array "$(json_insert "$DC1_D" "log pages state" log_pages "$PAGES1")" \
        "$(json_insert "$DC2_D" "log pages state" log_pages "$PAGES2")")")
# stacd: the two I/O controllers, identity (ls) and details (ls -d, status)
IO1=$(cat <<'EOF'
{
  "device": "nvme2",
  "host-id": "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "host-iface": "eth1",
  "host-nqn": "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "host-traddr": "",
  "subsysnqn": "nqn.2023-01.com.example:array1",
  "traddr": "192.168.10.31",
  "transport": "tcp",
  "trsvcid": "4420"
}
EOF
)
IO2=$(cat <<'EOF'
{
  "device": "nvme?",
  "host-id": "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "host-iface": "eth1",
  "host-nqn": "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "host-traddr": "",
  "subsysnqn": "nqn.2023-01.com.example:array2",
  "traddr": "192.168.10.32",
  "transport": "tcp",
  "trsvcid": "4420"
}
EOF
)
IO1_D=$(cat <<'EOF'
{
  "cntrltype": "io",
  "connect attempts": "0",
  "connected": "True",
  "dctype": "none",
  "device": "nvme2",
  "dlpe": "{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '192.168.10.31', 'trsvcid': '4420', 'subnqn': 'nqn.2023-01.com.example:array1', 'subtype': 'nvme', 'treq': 'not specified', 'portid': '1', 'cntlid': '65535', 'asqsz': '32', 'eflags': '0'}",
  "dlpe.eflags.ncc": "False",
  "host-id": "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "host-iface": "eth1",
  "host-nqn": "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "host-traddr": "",
  "hostid": "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "hostnqn": "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "model": "Example-Array",
  "origin": "discovered",
  "retry connect timer": "60.0s [off]",
  "serial": "ARR1-0001",
  "subsysnqn": "nqn.2023-01.com.example:array1",
  "traddr": "192.168.10.31",
  "transport": "tcp",
  "trsvcid": "4420"
}
EOF
)
IO2_D=$(cat <<'EOF'
{
  "cntrltype": "",
  "connect attempts": "7",
  "connected": "False",
  "dctype": "",
  "device": "nvme?",
  "dlpe": "{'trtype': 'tcp', 'adrfam': 'ipv4', 'traddr': '192.168.10.32', 'trsvcid': '4420', 'subnqn': 'nqn.2023-01.com.example:array2', 'subtype': 'nvme', 'treq': 'not specified', 'portid': '2', 'cntlid': '65535', 'asqsz': '32', 'eflags': '4'}",
  "dlpe.eflags.ncc": "True",
  "host-id": "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "host-iface": "eth1",
  "host-nqn": "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "host-traddr": "",
  "hostid": "",
  "hostnqn": "",
  "model": "",
  "origin": "discovered",
  "retry connect timer": "60.0s [42.3s]",
  "serial": "",
  "subsysnqn": "nqn.2023-01.com.example:array2",
  "traddr": "192.168.10.32",
  "transport": "tcp",
  "trsvcid": "4420"
}
EOF
)
# stacd's process_info (spec/cli.md §6.9) but its controllers
C_STATUS=$(cat <<'EOF'
{
  "config soak timer": "1.5s [off]",
  "hostid": "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "hostkey": null,
  "hostnqn": "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a",
  "kernel support.TP8013": "True",
  "kernel support.dhchap_ctrl_secret": "True",
  "kernel support.dhchap_secret": "True",
  "kernel support.host_iface": "True",
  "last known config file": "/run/stacd/last-known-config.json",
  "log-level": "INFO",
  "stafd data": "complete",
  "stafd name owner": ":1.17",
  "symname": null,
  "sysfs resync timer": "60.0s [12.0s]",
  "terminator.audit timer": "30.0s [off]",
  "tron": false,
  "udev overflows": "0"
}
EOF
)
EXP_C_LS=$(json_array "$IO1" "$IO2")
EXP_C_LS_D=$(json_array "$IO1_D" "$IO2_D")
EXP_C_STATUS=$(json_insert "$C_STATUS" "config soak timer" controllers "$EXP_C_LS_D")

# ---- helpers ----------------------------------------------------------------------------
FAKE_PID=
# fake KIND [OPTIONS...]: (re)start the stand-in daemon; the calls it gets go to $CALLS
fake() {
    local kind=$1 name; shift
    stop_fake
    name=org.nvmexpress.${kind%d}
    : >"$CALLS"
    "$FAKE" --kind="$kind" --calls="$CALLS" "$@" >>"$E2E_TMP/fake.log" 2>&1 &
    FAKE_PID=$!
    E2E_PIDS+=("$FAKE_PID")
    wait_for 10 name_owned "$name" || { fail "fake $kind owns $name"; cat "$E2E_TMP/fake.log"; exit 1; }
}
stop_fake() {
    if [ -n "$FAKE_PID" ]; then
        kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null
        wait_for 10 sh -c "! gdbus call --system -d org.freedesktop.DBus -o /org/freedesktop/DBus -m org.freedesktop.DBus.NameHasOwner org.nvmexpress.staf | grep -q true && ! gdbus call --system -d org.freedesktop.DBus -o /org/freedesktop/DBus -m org.freedesktop.DBus.NameHasOwner org.nvmexpress.stac | grep -q true"
        FAKE_PID=
    fi
}
calls() { cat "$CALLS"; }

# expect_json NAME EXPECTED CMD...: exit 0, stdout is EXPECTED plus exactly one newline,
# nothing on stderr [CLI-10]
expect_json() {
    local name=$1 expected=$2 raw; shift 2
    raw=$("$@" 2>"$E2E_TMP/stderr"; echo "rc=$?")
    expect_eq "$name: exit 0" "rc=0" "${raw##*$'\n'}"
    raw=${raw%rc=*}
    expect_eq "$name: output" "$expected"$'\n' "$raw"
    expect_eq "$name: nothing on stderr" "" "$(cat "$E2E_TMP/stderr")"
}
# expect_error NAME STATUS STDERR CMD...: exit STATUS, exactly STDERR, nothing on stdout
expect_error() {
    local name=$1 status=$2 message=$3; shift 3
    run "$@"
    expect_eq "$name: exit $status" "$status" "$RC"
    expect_eq "$name: message" "$message" "$ERR"
    expect_eq "$name: nothing on stdout" "" "$OUT"
}
# expect_usage NAME MESSAGE-REGEX CMD...: exit 2, "<prog>: <error>" then usage on stderr
expect_usage() {
    local name=$1 regex=$2; shift 2
    run "$@"
    expect_eq "$name: exit 2" 2 "$RC"
    expect_match "$name: message" "$regex" "$(echo "$ERR" | head -1)"
    expect_match "$name: usage follows" "^Usage: " "$(echo "$ERR" | sed -n 2p)"
    expect_eq "$name: nothing on stdout" "" "$OUT"
}

F=$STAS_FAKE_BIN/stafctl
C=$STAS_FAKE_BIN/stacctl
make_identity
start_bus

# ---- stafctl against the worked replies ---------------------------------------------------
fake stafd

expect_json "[D-59] stafctl tron (§6.1)" "$EXP_TRON" "$F" tron
expect_eq "[CLI-20] tron: set, then read back" "set-tron true
tron ()" "$(calls)"
expect_json "[D-59] stafctl troff" '{
  "tron": false
}' "$F" troff

expect_json "[CLI-20] stafctl ls (§6.2)" "$EXP_LS" "$F" ls
expect_eq "[CLI-20] ls calls list_controllers(false)" "list_controllers (false,)" "$(calls | tail -1)"
expect_json "[CLI-20] stafctl ls -d (§6.3)" "$EXP_LS_D" "$F" ls -d
expect_eq "[CLI-20] ls -d calls list_controllers(true)" "list_controllers (true,)" "$(calls | tail -1)"
expect_json "[CLI-20] stafctl ls --detailed" "$EXP_LS_D" "$F" ls --detailed

expect_json "[CLI-20] stafctl dlp (§6.4)" "$EXP_DLP" "$F" dlp -a 192.168.10.20 -s 8009 -f eth1 -n $DELL
expect_eq "[CLI-20] dlp: defaults -t tcp, -w '', -q from sys.conf" \
    "get_log_pages ('tcp', '192.168.10.20', '8009', '$DELL', '', 'eth1', '$HOSTNQN')" "$(calls | tail -1)"
expect_json "[CLI-20] dlp with long options" "$EXP_DLP" "$F" dlp --transport=tcp --traddr 192.168.10.20 \
    --trsvcid=8009 --host-iface eth1 --nqn=$DELL --host-nqn $HOSTNQN --host-traddr=
expect_eq "[CLI-20] dlp: long options passed in IDL order" \
    "get_log_pages ('tcp', '192.168.10.20', '8009', '$DELL', '', 'eth1', '$HOSTNQN')" "$(calls | tail -1)"
expect_json "[CLI-20] dlp with attached short values" "$EXP_DLP" "$F" dlp -a192.168.10.20 -s8009 -feth1 -n$DELL
expect_json "[CLI-20] dlp: options after -- are not options" "[]" "$F" dlp -a 192.168.10.21 -s 8009 --
expect_eq "[CLI-20] dlp: default nqn is the well-known discovery NQN" \
    "get_log_pages ('tcp', '192.168.10.21', '8009', '$DISC', '', '', '$HOSTNQN')" "$(calls | tail -1)"
expect_json "[CLI-20] dlp: no such DC gives []" "[]" "$F" dlp -t rdma -a 192.168.10.20 -s 8009 -w 10.0.0.1 -q nqn.x -n $DELL
expect_eq "[CLI-20] dlp: every option reaches the call" \
    "get_log_pages ('rdma', '192.168.10.20', '8009', '$DELL', '10.0.0.1', '', 'nqn.x')" "$(calls | tail -1)"
for t in fc loop; do
    "$F" dlp -t $t -a x -s y >/dev/null 2>&1
    expect_match "[CLI-20] dlp -t $t accepted" "^get_log_pages \('$t', 'x', 'y'" "$(calls | tail -1)"
done

# [D-61] sys.conf is read only for dlp without -q, and a missing host NQN is ''
mkdir -p "$STAS_TEST_ROOT/etc/stas"
printf '[Host]\nnqn = nqn.2014-08.org.example:from-sys-conf\n' >"$STAS_TEST_ROOT/etc/stas/sys.conf"
"$F" dlp -a 192.168.10.20 -s 8009 >/dev/null
expect_match "[D-61] dlp: -q defaults to the sys.conf host NQN" "'nqn.2014-08.org.example:from-sys-conf'\)$" "$(calls | tail -1)"
"$F" dlp -a 192.168.10.20 -s 8009 -q nqn.given >/dev/null
expect_match "[D-61] dlp: -q wins over sys.conf" "'nqn.given'\)$" "$(calls | tail -1)"
rm "$STAS_TEST_ROOT/etc/stas/sys.conf"
mv "$STAS_TEST_ROOT/etc/nvme/hostnqn" "$E2E_TMP/hostnqn.saved"
expect_json "[D-61] dlp without any host NQN still works" "$EXP_DLP" "$F" dlp -a 192.168.10.20 -s 8009 -f eth1 -n $DELL
expect_eq "[D-61] dlp: no host NQN falls back to ''" \
    "get_log_pages ('tcp', '192.168.10.20', '8009', '$DELL', '', 'eth1', '')" "$(calls | tail -1)"
expect_json "[D-61] ls does not need the host identity" "$EXP_LS" "$F" ls
run "$F" --version
expect_eq "[D-61] --version does not need the host identity" 0 "$RC"
mv "$E2E_TMP/hostnqn.saved" "$STAS_TEST_ROOT/etc/nvme/hostnqn"

expect_json "[CLI-20] stafctl adlp (§6.5)" "$EXP_ADLP" "$F" adlp
expect_eq "[CLI-20] adlp calls get_all_log_pages(false)" "get_all_log_pages (false,)" "$(calls | tail -1)"
expect_json "[CLI-20] stafctl adlp -d" "$EXP_ADLP_D" "$F" adlp -d
expect_eq "[CLI-20] adlp -d calls get_all_log_pages(true)" "get_all_log_pages (true,)" "$(calls | tail -1)"
expect_json "[CLI-20] stafctl adlp --detailed" "$EXP_ADLP_D" "$F" adlp --detailed

: >"$CALLS"
expect_json "[CLI-20] stafctl status (§6.6)" "$EXP_STATUS" "$F" status
T1="'tcp', '192.168.10.30', '8009', '$DISC', '', 'eth1', '$HOSTNQN'"
T2="'tcp', '192.168.10.20', '8009', '$DELL', '', 'eth1', '$HOSTNQN'"
expect_eq "[CLI-20] status: process_info, list_controllers(true), then per controller" "process_info ()
list_controllers (true,)
get_log_pages ($T1)
controller_info ($T1)
get_log_pages ($T2)
controller_info ($T2)" "$(calls)"

# ---- usage [CLI-*] [D-60] -----------------------------------------------------------------
expect_usage "[D-60] stafctl without a sub-command" "^stafctl: a sub-command is required$" "$F"
expect_usage "stafctl with an unknown sub-command" "^stafctl: invalid command 'frobnicate'$" "$F" frobnicate
expect_usage "stafctl with an unknown global option" "^stafctl: unrecognized option '--bogus'$" "$F" --bogus ls
expect_usage "stafctl with an unknown short option" "^stafctl: invalid option -- 'x'$" "$F" -x
expect_usage "stafctl ls with an unknown option" "^stafctl: unrecognized option '--bogus'$" "$F" ls --bogus
expect_usage "stafctl ls with an argument" "^stafctl: unrecognized arguments: extra$" "$F" ls extra
expect_usage "stafctl tron with an option" "^stafctl: invalid option -- 'd'$" "$F" tron -d
expect_usage "stafctl status with an argument" "^stafctl: unrecognized arguments: a b$" "$F" status a b
expect_usage "stafctl adlp with an unknown option" "^stafctl: invalid option -- 'z'$" "$F" adlp -z
expect_usage "[CLI-20] dlp without -a and -s" \
    "^stafctl: the following arguments are required: -a/--traddr, -s/--trsvcid$" "$F" dlp
expect_usage "[CLI-20] dlp without -s" "^stafctl: the following arguments are required: -s/--trsvcid$" "$F" dlp -a 1.2.3.4
expect_usage "[CLI-20] dlp without -a" "^stafctl: the following arguments are required: -a/--traddr$" "$F" dlp --trsvcid 8009
expect_usage "[CLI-20] dlp -t must be tcp, rdma, fc or loop" \
    "^stafctl: argument -t/--transport: invalid choice: 'TCP' \(choose from 'tcp', 'rdma', 'fc', 'loop'\)$" \
    "$F" dlp -t TCP -a 1.2.3.4 -s 8009
expect_usage "dlp option without its value" "^stafctl: option requires an argument -- 'a'$" "$F" dlp -s 8009 -a
expect_usage "dlp long option without its value" "^stafctl: option '--traddr' requires an argument$" "$F" dlp -s 8009 --traddr
expect_usage "usage error in a sub-command shows its usage" "." "$F" dlp
expect_match "sub-command usage names the options" "^Usage: stafctl dlp \[-h\] \[-t <trtype>\] -a <traddr> -s <trsvcid>" "$(echo "$ERR" | sed -n 2p)"
expect_eq "usage errors make no D-Bus call" "" "$(calls | grep -v '^process_info\|^list_controllers\|^get_log_pages\|^controller_info' ; : >"$CALLS"; calls)"

run "$F" --help
expect_eq "stafctl --help exits 0" 0 "$RC"
expect_match "stafctl --help lists the sub-commands" "^Usage: stafctl \[-h\] \[-v\] \{tron,troff,status,ls,dlp,adlp\} \.\.\.$" "$(echo "$OUT" | head -1)"
for sub in tron troff status ls dlp adlp; do
    run "$F" $sub --help
    expect_eq "stafctl $sub --help exits 0" 0 "$RC"
    expect_match "stafctl $sub --help prints its usage on stdout" "^Usage: stafctl $sub \[-h\]" "$(echo "$OUT" | head -1)"
    run "$F" $sub -h
    expect_eq "stafctl $sub -h exits 0" 0 "$RC"
done
run "$F" dlp -h
expect_match "dlp -h documents the defaults" "default: nqn.2014-08.org.nvmexpress.discovery" "$OUT"
expect_eq "help makes no D-Bus call" "" "$(calls)"
run "$F" -v
expect_match "[CLI-3] stafctl -v" "^stas .* \(nvme-stas 2\.4\.1 compatible\)$" "$OUT"
expect_json "-- ends the global options" "$EXP_TRON" "$F" -- tron

# ---- errors [CLI-11] ---------------------------------------------------------------------
fake stafd --deny-tron
expect_error "[D-62] tron denied by the bus policy" 1 \
    "Access denied by the D-Bus policy of org.nvmexpress.staf (setting tron requires root)" "$F" tron
expect_error "[D-62] troff denied by the bus policy" 1 \
    "Access denied by the D-Bus policy of org.nvmexpress.staf (setting tron requires root)" "$F" troff
fake stafd --tron-type=s
expect_error "[CLI-11] tron read back is not a boolean" 1 \
    "Invalid reply from stafd: tron is of type 's', expected 'b'" "$F" tron
fake stafd --fail=list_controllers
expect_error "[CLI-11] Error.Failed from the daemon" 1 "$UNABLE_F" "$F" ls
fake stafd --bad-type=list_controllers
expect_error "[CLI-11] list_controllers reply of the wrong type" 1 \
    "Invalid reply from stafd: list_controllers returned type '(u)', expected '(aa{ss})'" "$F" ls -d
fake stafd --bad-type=get_log_pages
expect_error "[CLI-11] get_log_pages reply of the wrong type" 1 \
    "Invalid reply from stafd: get_log_pages returned type '(u)', expected '(aa{ss})'" "$F" dlp -a 1.2.3.4 -s 1
fake stafd --bad-json=get_all_log_pages
expect_error "[CLI-11] get_all_log_pages reply that is not JSON" 1 \
    "Invalid reply from stafd: get_all_log_pages: not JSON: unexpected character at offset 9" "$F" adlp
fake stafd --wrong-kind=get_all_log_pages
expect_error "[CLI-11] get_all_log_pages reply that is not an array" 1 \
    "Invalid reply from stafd: get_all_log_pages: not a JSON array" "$F" adlp -d
fake stafd --wrong-kind=process_info
expect_error "[CLI-11] process_info reply that is not an object" 1 \
    "Invalid reply from stafd: process_info: not a JSON object" "$F" status
fake stafd --bad-json=controller_info
expect_error "[CLI-11] status: controller_info not JSON, nothing printed" 1 \
    "Invalid reply from stafd: controller_info: not JSON: unexpected character at offset 9" "$F" status
fake stafd --fail=controller_info
expect_error "[CLI-11] status: a failing call late in the sequence prints nothing" 1 "$UNABLE_F" "$F" status
expect_eq "[CLI-11] status stopped at the failed call" "controller_info ($T1)" "$(calls | tail -1)"
fake stafd --exit-on=get_log_pages
expect_error "[CLI-11] status: daemon gone without a reply" 1 "$UNABLE_F" "$F" status
fake stafd --stas-error=get_all_log_pages
expect_error "stas' own error names are shown" 1 "stafctl: not implemented yet" "$F" adlp
stop_fake
for sub in tron troff status ls "ls -d" "dlp -a 1.2.3.4 -s 8009" adlp; do
    expect_error "[CLI-11] stafctl $sub with stafd not running" 1 "$UNABLE_F" "$F" $sub
done
expect_error "[CLI-11] no system bus" 1 "$UNABLE_F" env DBUS_SYSTEM_BUS_ADDRESS=unix:path=$E2E_TMP/no-bus "$F" ls

# ---- stacctl ----------------------------------------------------------------------------
fake stacd
expect_json "[CLI-21] stacctl tron" "$EXP_TRON" "$C" tron
expect_json "[CLI-21] stacctl troff" '{
  "tron": false
}' "$C" troff
expect_json "[CLI-21] stacctl ls (§6.7)" "$EXP_C_LS" "$C" ls
expect_json "[CLI-21] stacctl ls -d (§6.8)" "$EXP_C_LS_D" "$C" ls -d
expect_json "[CLI-21] stacctl ls --detailed" "$EXP_C_LS_D" "$C" ls --detailed
: >"$CALLS"
expect_json "[CLI-21] stacctl status (§6.9)" "$EXP_C_STATUS" "$C" status
I1="'tcp', '192.168.10.31', '4420', 'nqn.2023-01.com.example:array1', '', 'eth1', '$HOSTNQN'"
I2="'tcp', '192.168.10.32', '4420', 'nqn.2023-01.com.example:array2', '', 'eth1', '$HOSTNQN'"
expect_eq "[CLI-21] stacctl status: no get_log_pages" "process_info ()
list_controllers (true,)
controller_info ($I1)
controller_info ($I2)" "$(calls)"
expect_usage "[CLI-21] stacctl has no dlp" "^stacctl: invalid command 'dlp'$" "$C" dlp -a 1.2.3.4 -s 8009
expect_usage "[CLI-21] stacctl has no adlp" "^stacctl: invalid command 'adlp'$" "$C" adlp
expect_usage "[D-60] stacctl without a sub-command" "^stacctl: a sub-command is required$" "$C"
expect_usage "stacctl ls with an argument" "^stacctl: unrecognized arguments: x$" "$C" ls x
run "$C" --help
expect_match "stacctl --help lists the sub-commands" "^Usage: stacctl \[-h\] \[-v\] \{tron,troff,status,ls\} \.\.\.$" "$(echo "$OUT" | head -1)"
# stacctl never reads sys.conf: a broken host identity does not matter
mv "$STAS_TEST_ROOT/etc/nvme/hostnqn" "$E2E_TMP/hostnqn.saved"
expect_json "[CLI-21] stacctl ls without a host identity" "$EXP_C_LS" "$C" ls
mv "$E2E_TMP/hostnqn.saved" "$STAS_TEST_ROOT/etc/nvme/hostnqn"
fake stacd --deny-tron
expect_error "[D-62] stacctl tron denied" 1 \
    "Access denied by the D-Bus policy of org.nvmexpress.stac (setting tron requires root)" "$C" tron
fake stacd --wrong-kind=controller_info
expect_error "[CLI-11] stacctl status: controller_info not an object" 1 \
    "Invalid reply from stacd: controller_info: not a JSON object" "$C" status
fake stacd --bad-type=process_info
expect_error "[CLI-11] stacctl status: process_info of the wrong type" 1 \
    "Invalid reply from stacd: process_info returned type '(u)', expected '(s)'" "$C" status
stop_fake
# a stafd alone does not make stacctl work, and the other way round
fake stafd
expect_error "[CLI-11] stacctl with only stafd running (§6.10)" 1 "$UNABLE_C" "$C" ls
stop_fake
fake stacd
expect_error "[CLI-11] stafctl with only stacd running" 1 "$UNABLE_F" "$F" ls
stop_fake

# ---- DBUS_CALL_TIMEOUT (25 s) ----------------------------------------------------------
fake stafd --hang-on=list_controllers
start=$SECONDS
expect_error "[CLI-11] a call without a reply times out" 1 "$UNABLE_F" "$F" ls
elapsed=$((SECONDS - start))
if [ $elapsed -ge 24 ] && [ $elapsed -le 40 ]; then pass "[CLI-11] timeout is 25 s ($elapsed s)"
else fail "[CLI-11] timeout is 25 s ($elapsed s)"; fi
stop_fake

finish
