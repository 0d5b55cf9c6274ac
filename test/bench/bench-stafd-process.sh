#!/bin/bash
# bench-stafd-process.sh — stafd as a process (DESIGN.md §4, bench level): start-up to bus
# name owned and idle RSS of build/fake-bin/stafd (stas-fake) on a private dbus-daemon
# with a test root, with 0 DCs and with DCS DCs x ENTRIES log page entries (fake fabrics,
# STAS_FAKE_SCRIPT); then the shipped build/stafd where /dev/nvme-fabrics exists. Prints
# figures, asserts nothing (a benchmark, not a test).
#
# Usage: bench-stafd-process.sh [BUILD_DIR]   (env: RUNS=10 DCS=100 ENTRIES=1024)
set -uo pipefail

BUILD=$(cd "${1:-build}" && pwd) || exit 2
RUNS=${RUNS:-10}
DCS=${DCS:-100}
ENTRIES=${ENTRIES:-1024}
FAKE=$BUILD/fake-bin/stafd
STARTUP=$BUILD/test/bench/bench-startup
DBUS_DAEMON=${DBUS_DAEMON:-dbus-daemon}
NAME=org.nvmexpress.staf
for f in "$FAKE" "$STARTUP"; do
    [ -x "$f" ] || { echo "bench: $f missing (build first)" >&2; exit 2; }
done

TMP=$(mktemp -d /tmp/stas-bench.XXXXXX)
export STAS_TEST_ROOT=$TMP/root
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
    [ -n "${BUS_PID:-}" ] && kill "$BUS_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

# ---- a private bus with the system bus' defaults (max_message_size 32 MiB, ...) -------
cat >"$TMP/bus.conf" <<EOC
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$TMP/bus</listen>
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
"$DBUS_DAEMON" --config-file="$TMP/bus.conf" --nofork 2>/dev/null &
BUS_PID=$!
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TMP/bus
for _ in $(seq 100); do [ -S "$TMP/bus" ] && break; sleep 0.05; done

mkdir -p "$STAS_TEST_ROOT/etc/nvme" "$STAS_TEST_ROOT/etc/stas" "$STAS_TEST_ROOT/run"
echo "nqn.2014-08.org.nvmexpress:uuid:9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a" >"$STAS_TEST_ROOT/etc/nvme/hostnqn"
echo "9d1a8b3e-2c4f-4e6a-9b7d-1f2e3d4c5b6a" >"$STAS_TEST_ROOT/etc/nvme/hostid"

# ---- configurations: none, and DCS DCs of ENTRIES entries ------------------------------
printf '[Global]\n' >"$TMP/conf0"
awk -v dcs="$DCS" -v n="$ENTRIES" -v conf="$TMP/confN" 'BEGIN {
    print "[Controllers]" > conf
    for (i = 0; i < dcs; i++) {
        addr = sprintf("10.0.%d.%d", int(i / 200), i % 200 + 1)
        printf "controller = transport=tcp;traddr=%s;trsvcid=8009\n", addr > conf
        printf "[target tcp %s 8009]\ndiscovery = nqn.2014-08.org.nvmexpress.discovery\ndctype = ddc\n", addr
        for (j = 0; j < n; j++)
            printf "entry%d = traddr=172.16.%d.%d trsvcid=4420 subnqn=nqn.2023-01.com.example:dc%03d.subsys%04d treq=2 portid=%d\n",
                j + 1, int(j / 250), j % 250 + 1, i, j, j % 8 + 1
    }
}' >"$TMP/script"

gdbus_staf() { gdbus call --system -d $NAME -o /org/nvmexpress/staf -m "$@"; }
name_owned() { gdbus call --system -d org.freedesktop.DBus -o /org/freedesktop/DBus \
    -m org.freedesktop.DBus.NameHasOwner $NAME 2>/dev/null | grep -q true; }
n_current() { gdbus_staf org.nvmexpress.staf.list_controllers true 2>/dev/null |
    grep -o "'log pages state': 'current'" | wc -l; }
all_current() { [ "$(n_current)" -ge "$1" ]; }
now_ms() { date +%s%3N; }

# wait_until SECONDS CMD...
wait_until() {
    local end=$((SECONDS + $1)); shift
    until "$@"; do [ $SECONDS -ge "$end" ] && return 1; sleep 0.05; done
}

# startup LABEL CMD... → "min / median / max" ms of RUNS runs
startup() {
    local out
    out=$("$STARTUP" --runs "$RUNS" --log "$TMP/startup.log" -- "$@")
    if [[ $out =~ min=([0-9.]+)\ median=([0-9.]+)\ max=([0-9.]+) ]]; then
        printf '%s / %s / %s' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"
    else
        printf 'failed (%s)' "$out"; tail -5 "$TMP/startup.log" | sed 's/^/#   /' >&2
    fi
}

# rss PID → "VmRSS MiB (anon A, file F; PSS P)"
rss() {
    awk '/^VmRSS:/ {r = $2} /^RssAnon:/ {a = $2} /^RssFile:/ {f = $2}
         END {printf "%.1f (anon %.1f, file %.1f", r / 1024, a / 1024, f / 1024}' "/proc/$1/status"
    awk '/^Pss:/ {printf "; PSS %.1f", $2 / 1024}' "/proc/$1/smaps_rollup" 2>/dev/null
    printf ')'
}

# idle BINARY CONF WANT_CURRENT [ENV...] → sets IDLE_RSS, IDLE_READY_MS, IDLE_PID (left running)
idle() {
    local bin=$1 conf=$2 want=$3 t0; shift 3
    t0=$(now_ms)
    env "$@" "$bin" -f "$conf" >"$TMP/idle.log" 2>&1 &
    IDLE_PID=$!
    PIDS+=("$IDLE_PID")
    if ! wait_until 30 name_owned; then IDLE_RSS="failed to start"; IDLE_READY_MS=-; return; fi
    if [ "$want" -gt 0 ] && ! wait_until 300 all_current "$want"; then
        IDLE_RSS="not every DLP current after 300 s"; IDLE_READY_MS=-; return
    fi
    IDLE_READY_MS=$(($(now_ms) - t0))
    sleep 3 # settled: the state file written (1 s debounce), nothing in flight
    IDLE_RSS=$(rss "$IDLE_PID")
}

stop() {
    kill -TERM "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

echo "stafd process on a private dbus-daemon (system bus limits), $RUNS start-ups each"
ROWS=()
row() { ROWS+=("$(printf '  %-52s %s' "$1" "$2")"); }

row "stas-fake stafd, 0 DCs: start-up ms" "$(startup "$FAKE" -f "$TMP/conf0") (min / median / max)"
idle "$FAKE" "$TMP/conf0" 0
row "stas-fake stafd, 0 DCs: idle VmRSS MiB" "$IDLE_RSS"
stop "$IDLE_PID"

row "stas-fake stafd, $DCS x $ENTRIES: start-up ms" \
    "$(STAS_FAKE_SCRIPT=$TMP/script startup "$FAKE" -f "$TMP/confN") (min / median / max; includes parsing the fake's script)"
idle "$FAKE" "$TMP/confN" "$DCS" STAS_FAKE_SCRIPT="$TMP/script"
row "stas-fake stafd, $DCS x $ENTRIES: start to DLPs current ms" "$IDLE_READY_MS (conf soak 1.5 s included)"
row "stas-fake stafd, $DCS x $ENTRIES: idle VmRSS MiB" "$IDLE_RSS"
if [ "$IDLE_READY_MS" != - ]; then
    for detailed in false true; do
        t0=$(now_ms)
        bytes=$(gdbus_staf org.nvmexpress.staf.get_all_log_pages $detailed 2>"$TMP/gdbus.err" | wc -c)
        t1=$(now_ms)
        if [ -s "$TMP/gdbus.err" ]; then
            row "  gdbus get_all_log_pages $detailed" "error: $(head -c 200 "$TMP/gdbus.err")"
        else
            row "  gdbus get_all_log_pages $detailed" "$((t1 - t0)) ms round trip incl. gdbus' start-up and printing ($(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1048576}') MiB)"
        fi
    done
    if kill -0 "$IDLE_PID" 2>/dev/null && name_owned; then row "" "stafd still owns $NAME"
    else row "" "stafd LOST $NAME (a reply over the bus' max_message_size?)"; fi
    row "stas-fake stafd, $DCS x $ENTRIES: VmRSS MiB after the calls" "$(rss "$IDLE_PID")"
fi
stop "$IDLE_PID"

# The shipped binary: the real fabrics and the build's paths (/etc, /run).
if [ ! -e /dev/nvme-fabrics ]; then
    row "shipped $BUILD/stafd" "skipped: no /dev/nvme-fabrics here (modprobe nvme-fabrics, or run in the VM)"
elif [ "$(id -u)" != 0 ]; then
    row "shipped $BUILD/stafd" "skipped: needs root"
else
    row "shipped stafd, 0 DCs: start-up ms" "$(startup "$BUILD/stafd" -f "$TMP/conf0") (min / median / max)"
    idle "$BUILD/stafd" "$TMP/conf0" 0
    row "shipped stafd, 0 DCs: idle VmRSS MiB" "$IDLE_RSS"
    stop "$IDLE_PID"
fi
printf '%s\n' "${ROWS[@]}"
