#!/bin/bash
# [DBUS-2] [CLI-4] [SIG-1] [SIG-2] [LOG-2] [SYS-3] the daemons on a (private) system bus:
# name ownership, name already taken, tron over D-Bus, SIGHUP reload, SIGTERM, identity errors.
. "$(dirname "$0")/lib.sh"

make_identity
start_bus

for p in stafd stacd; do
    name=org.nvmexpress.${p%d}
    ctl=${p%d}ctl
    conf=$E2E_TMP/$p.conf
    printf '[Global]\ntron = false\nkato = 30\n' >"$conf"
    [ $p = stacd ] && printf '[Global]\ntron = false\nnr-io-queues = 4\n' >"$conf"

    # sd_notify messages land in $E2E_TMP/$p.notify
    python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        out.write(s.recv(4096).decode() + "\n")' "$E2E_TMP/$p.sock" "$E2E_TMP/$p.notify" &
    E2E_PIDS+=($!)
    wait_for 120 test -S "$E2E_TMP/$p.sock"
    NOTIFY_SOCKET=$E2E_TMP/$p.sock start_daemon $p "$E2E_TMP/$p.log" -f "$conf"
    pid=$DAEMON_PID
    if wait_for 120 name_owned $name; then pass "[DBUS-2] $p owns $name"; else
        fail "[DBUS-2] $p owns $name"; cat "$E2E_TMP/$p.log"; continue; fi

    wait_for 120 grep -q READY=1 "$E2E_TMP/$p.notify"
    expect_match "[CLI-2] $p sends sd_notify READY=1 once the name is owned" "READY=1" "$(cat "$E2E_TMP/$p.notify")"

    # a second instance cannot take the name: ERROR and exit 1 [D-71]
    run timeout 20 "$STAS_FAKE_BIN/$p" -f "$conf"
    expect_eq "[DBUS-2] second $p exits 1" 1 "$RC"
    expect_match "[DBUS-2] second $p says why" "Cannot acquire D-Bus name $name: " "$OUT$ERR"
    if kill -0 $pid 2>/dev/null && name_owned $name; then pass "[DBUS-2] first $p still runs and owns the name"
    else fail "[DBUS-2] first $p still runs and owns the name"; fi

    # tron over D-Bus: set through the client, read back through the bus [DBUS-10]
    run "$STAS_FAKE_BIN/$ctl" tron
    expect_eq "[CLI-20] $ctl tron exits 0" 0 "$RC"
    expect_eq "[D-59] $ctl tron prints JSON" '{
  "tron": true
}' "$OUT"
    run gdbus call --system -d $name -o /${name//.//} -m org.freedesktop.DBus.Properties.Get $name.debug log_level
    expect_eq "[DBUS-10] log_level is DEBUG after tron" "(<'DEBUG'>,)" "$OUT"
    run "$STAS_FAKE_BIN/$ctl" troff
    expect_eq "[D-59] $ctl troff prints JSON" '{
  "tron": false
}' "$OUT"
    run gdbus call --system -d $name -o /${name//.//} -m org.freedesktop.DBus.Properties.Get $name.debug log_level
    expect_eq "[DBUS-10] log_level is INFO after troff" "(<'INFO'>,)" "$OUT"
    run gdbus call --system -d $name -o /${name//.//} -m org.freedesktop.DBus.Properties.Set $name.debug log_level "<'DEBUG'>"
    expect_match "[DBUS-20] log_level is read-only" "InvalidArgs|PropertyReadOnly|not writable" "$ERR"

    # process_info answers with the daemon's JSON
    run gdbus call --system -d $name -o /${name//.//} -m $name.debug.process_info
    expect_match "[DBUS-35] $p process_info answers" "hostnqn" "$OUT"
    if [ $p = stacd ]; then
        expect_match "[DBUS-35] stacd process_info shows the stafd data state" "stafd data" "$OUT"
    fi

    # SIGHUP: tron comes from the file; changes are logged [SIG-2]
    sed -i 's/tron = false/tron = true/' "$conf"
    kill -HUP $pid
    wait_for 120 grep -q "tron: false -> true\|tron.*true" "$E2E_TMP/$p.log"
    wait_for 120 sh -c "gdbus call --system -d $name -o /${name//.//} -m org.freedesktop.DBus.Properties.Get $name.debug tron | grep -q true"
    run gdbus call --system -d $name -o /${name//.//} -m org.freedesktop.DBus.Properties.Get $name.debug tron
    expect_eq "[SIG-2] SIGHUP applied tron=true from the file" "(<true>,)" "$OUT"
    expect_match "[SIG-2] SIGHUP logged what changed" "$conf: .*tron" "$(cat "$E2E_TMP/$p.log")"
    # an invalid value on reload keeps the previous one and says so [CFG-7]
    echo "kato = abc" >>"$conf"
    kill -HUP $pid
    wait_for 120 grep -q 'kato: invalid value "abc"' "$E2E_TMP/$p.log"
    expect_match "[CFG-7] SIGHUP with a bad value: file:line message" "$conf:[0-9]+: \[Global\] kato: invalid value \"abc\"" "$(cat "$E2E_TMP/$p.log")"
    expect_match "[SIG-2] SIGHUP sends RELOADING=1 then READY=1" "RELOADING=1.READY=1" "$(tr '\n' '.' <"$E2E_TMP/$p.notify")"
    if kill -0 $pid 2>/dev/null && name_owned $name; then pass "[BAD-2] $p keeps running after a bad reload"
    else fail "[BAD-2] $p keeps running after a bad reload"; fi

    # SIGTERM: exit 0, name released [SIG-1]
    kill -TERM $pid
    wait $pid; rc=$?
    expect_eq "[SIG-1] $p exits 0 on SIGTERM" 0 "$rc"
    expect_match "[SIG-1] $p sends STOPPING=1" "STOPPING=1" "$(cat "$E2E_TMP/$p.notify")"
    if name_owned $name; then fail "[SIG-1] $p released $name"; else pass "[SIG-1] $p released $name"; fi

    # client with the daemon gone [CLI-11]
    run "$STAS_FAKE_BIN/$ctl" ls
    expect_eq "[CLI-11] $ctl with $p not running exits 1" 1 "$RC"
    expect_eq "[CLI-11] $ctl with $p not running message" "Unable to communicate with $p over D-Bus. Is $p running?" "$ERR"
done

# [SYS-3] identity problems are fatal at start-up, with the spec's texts
mv "$STAS_TEST_ROOT/etc/nvme/hostnqn" "$E2E_TMP/hostnqn.saved"
run timeout 20 "$STAS_FAKE_BIN/stafd"
expect_eq "[SYS-3] missing host NQN exits 1" 1 "$RC"
expect_match "[SYS-3] missing host NQN message" "Error reading mandatory Host NQN \(see stasadm --help\): " "$ERR"
echo "not-an-nqn" >"$STAS_TEST_ROOT/etc/nvme/hostnqn"
run timeout 20 "$STAS_FAKE_BIN/stacd"
expect_eq "[SYS-3] bad host NQN exits 1" 1 "$RC"
expect_match "[SYS-3] bad host NQN message" 'Error Host NQN "not-an-nqn" should start with "nqn."' "$ERR"
mv "$E2E_TMP/hostnqn.saved" "$STAS_TEST_ROOT/etc/nvme/hostnqn"
echo "not-a-uuid" >"$STAS_TEST_ROOT/etc/nvme/hostid"
run timeout 20 "$STAS_FAKE_BIN/stafd"
expect_eq "[SYS-3] bad host ID exits 1" 1 "$RC"
expect_match "[SYS-3] bad host ID message" 'Error Host ID "not-a-uuid" is not a valid UUID' "$ERR"
if name_owned org.nvmexpress.staf; then fail "[SYS-3] nothing owned the name"; else pass "[SYS-3] nothing owned the name"; fi

# no system bus at all
make_identity
run env DBUS_SYSTEM_BUS_ADDRESS=unix:path=$E2E_TMP/no-bus timeout 20 "$STAS_FAKE_BIN/stafd"
expect_eq "[DBUS-2] no system bus exits 1" 1 "$RC"
expect_match "[DBUS-2] no system bus message" "Cannot connect to the system D-Bus: " "$OUT$ERR"

finish
