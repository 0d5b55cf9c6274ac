# shellcheck shell=bash
# e2e helpers: the personalities as processes (stas-fake behind symlinks) on a private
# dbus-daemon, with a private test root (STAS_TEST_ROOT: etc/, run/ under it).
set -uo pipefail

: "${STAS_FAKE_BIN:?run through ctest}"
: "${STAS_SRC_DIR:?run through ctest}"
DBUS_DAEMON=${DBUS_DAEMON:-dbus-daemon}

E2E_TMP=$(mktemp -d /tmp/stas-e2e.XXXXXX)
export STAS_TEST_ROOT=$E2E_TMP/root
E2E_PASS=0
E2E_FAIL=0
E2E_PIDS=()

e2e_cleanup() {
    local pid
    for pid in "${E2E_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
    [ -n "${E2E_BUS_PID:-}" ] && kill "$E2E_BUS_PID" 2>/dev/null
    rm -rf "$E2E_TMP"
}
trap e2e_cleanup EXIT

pass() { E2E_PASS=$((E2E_PASS + 1)); echo "ok - $*"; }
fail() { E2E_FAIL=$((E2E_FAIL + 1)); echo "not ok - $*"; }

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
    if [ "$2" = "$3" ]; then pass "$1"; else
        fail "$1"; echo "#   expected: $(printf %q "$2")"; echo "#   actual:   $(printf %q "$3")"; fi
}
# expect_match NAME REGEX TEXT
expect_match() {
    if grep -Eq -- "$2" <<<"$3"; then pass "$1"; else
        fail "$1"; echo "#   no match for /$2/ in:"; printf '%s\n' "$3" | sed 's/^/#     /'; fi
}
expect_nomatch() {
    if grep -Eq -- "$2" <<<"$3"; then
        fail "$1"; echo "#   unexpected /$2/ in:"; printf '%s\n' "$3" | sed 's/^/#     /'; else pass "$1"; fi
}

# run CMD... -> sets OUT, ERR, RC
run() {
    OUT=$("$@" 2>"$E2E_TMP/stderr"); RC=$?; ERR=$(cat "$E2E_TMP/stderr")
}

# A valid host identity in the test root (spec/config.md §5).
make_identity() {
    mkdir -p "$STAS_TEST_ROOT/etc/nvme" "$STAS_TEST_ROOT/etc/stas" "$STAS_TEST_ROOT/run"
    echo "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a" >"$STAS_TEST_ROOT/etc/nvme/hostnqn"
    echo "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a" >"$STAS_TEST_ROOT/etc/nvme/hostid"
}

# A private bus that plays the system bus (DBUS_SYSTEM_BUS_ADDRESS).
start_bus() {
    cat >"$E2E_TMP/bus.conf" <<EOC
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$E2E_TMP/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
  </policy>
</busconfig>
EOC
    "$DBUS_DAEMON" --config-file="$E2E_TMP/bus.conf" --nofork --print-pid=3 3>"$E2E_TMP/bus.pid" &
    E2E_BUS_PID=$!
    export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$E2E_TMP/bus"
    wait_for 10 test -S "$E2E_TMP/bus" || { fail "private dbus-daemon started"; exit 1; }
}

# wait_for SECONDS CMD...
wait_for() {
    local end=$((SECONDS + $1)); shift
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -ge $end ] && return 1
        sleep 0.05
    done
}

name_owned() { gdbus call --system -d org.freedesktop.DBus -o /org/freedesktop/DBus \
    -m org.freedesktop.DBus.NameHasOwner "$1" 2>/dev/null | grep -q true; }

# start_daemon NAME LOGFILE ARGS... -> DAEMON_PID
start_daemon() {
    local name=$1 log=$2; shift 2
    "$STAS_FAKE_BIN/$name" "$@" >"$log" 2>&1 &
    DAEMON_PID=$!
    E2E_PIDS+=("$DAEMON_PID")
}

finish() {
    echo "$E2E_PASS passed, $E2E_FAIL failed"
    [ "$E2E_FAIL" -eq 0 ] && [ "$E2E_PASS" -gt 0 ]
}
