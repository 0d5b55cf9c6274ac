#!/bin/bash
# soak.sh — [NFR-5] soak benchmark: stafd and stacd as processes (build/fake-bin/*, each with
# its own scripted fake fabric, test/fake-fabrics.h) on a private dbus-daemon, driven through
# SOAK_SECONDS of connect/disconnect/AEN churn while VmRSS, VmHWM, fds and threads of both
# daemons are sampled every SOAK_INTERVAL and printed as a table. At the end: a summary
# (first/last/max RSS, growth per hour from a least-squares fit of the second half, CPU
# used) and a consistency check once the churn stopped and every fault is cleared: the
# connections stacd reports are exactly the fake kernel's devices and exactly the I/O
# subsystems of the configured DCs' log pages. Prints figures; exits non-zero only if a
# daemon died or the end state is inconsistent (a benchmark, not part of `make check`).
#
# Churn, one event every SOAK_PERIOD (1) s, chosen at random (SOAK_SEED): DLP entries added
# and removed (AEN → stafd re-reads → stacd connects/disconnects), I/O controllers removed
# behind stacd's back (it reconnects), an I/O target failing the next connects, a DC's
# device removed while its target refuses one connect (stafd reconnects, keeps its cache),
# kernel reconnects, spurious AENs, udev overflows, SIGHUP of either daemon (stafd's
# SIGHUP alternately drops and restores one DC of its configuration), stafctl/stacctl calls.
#
# Usage: soak.sh [BUILD_DIR]   (env: SOAK_SECONDS=3600 SOAK_INTERVAL=60 SOAK_PERIOD=1
#                               SOAK_DCS=4 SOAK_POOL=16 SOAK_SEED=1 SOAK_KEEP=<dir for logs>)
set -uo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-build}" && pwd) || exit 2
export STAS_FAKE_BIN=$BUILD/fake-bin STAS_SRC_DIR=$SRC
SOAK_SECONDS=${SOAK_SECONDS:-3600}
SOAK_INTERVAL=${SOAK_INTERVAL:-60}
SOAK_PERIOD=${SOAK_PERIOD:-1}
NDC=${SOAK_DCS:-4}     # DCs, one I/O port each
POOL=${SOAK_POOL:-16}  # I/O subsystems per DC; the DLP lists a changing subset of them
RANDOM=${SOAK_SEED:-1}
for p in stafd stacd stafctl stacctl; do
    [ -x "$STAS_FAKE_BIN/$p" ] || { echo "soak: $STAS_FAKE_BIN/$p missing (build first)" >&2; exit 2; }
done
# shellcheck source=../e2e/lib.sh
. "$SRC/test/e2e/lib.sh"
T=$E2E_TMP

keep_logs() {
    [ -n "${SOAK_KEEP:-}" ] || return 0
    mkdir -p "$SOAK_KEEP" && cp "$T"/*.log "$SOAK_KEEP"/ 2>/dev/null
    echo "soak: daemon logs kept in $SOAK_KEEP"
}

# ---- the fabric: DC d at 10.0.0.d:8009 lists subsystems of the I/O port 10.1.d.1:4420 -----
nqn() { echo "nqn.2023-01.com.example:dc$1.s$2"; }
entry() { echo "traddr=10.1.$1.1 trsvcid=4420 subnqn=$(nqn "$1" "$2") portid=$1"; }
declare -A IN_DLP # "d s" → 1 while entry s is in DC d's DLP
{
    for d in $(seq "$NDC"); do
        printf '[target tcp 10.0.0.%d 8009]\ndiscovery = nqn.2014-08.org.nvmexpress.discovery\ndctype = ddc\n' "$d"
        for s in $(seq $((POOL * 5 / 8))); do # the rest of the pool comes and goes
            echo "entry$s = $(entry "$d" "$s")"
            IN_DLP["$d $s"]=1
        done
    done
} >"$T/stafd.fake"
{
    for d in $(seq "$NDC"); do
        printf '[target tcp 10.1.%d.1 4420]\nio = ' "$d"
        for s in $(seq "$POOL"); do printf '%s;' "$(nqn "$d" "$s")"; done
        echo
    done
} >"$T/stacd.fake"
DC_OUT=0 # 1 while DC $NDC is left out of stafd.conf
write_stafd_conf() {
    local d
    {
        echo "[Controllers]"
        for d in $(seq $((NDC - DC_OUT))); do
            echo "controller = transport=tcp;traddr=10.0.0.$d;trsvcid=8009"
        done
    } >"$T/stafd.conf"
}
write_stafd_conf
printf '[Global]\nkato = 30\n' >"$T/stacd.conf"

make_identity
start_bus
STAS_FAKE_SCRIPT=$T/stafd.fake STAS_FAKE_CONTROL=$T/stafd.ctl \
    start_daemon stafd "$T/stafd.log" -f "$T/stafd.conf"
STAFD=$DAEMON_PID
STAS_FAKE_SCRIPT=$T/stacd.fake STAS_FAKE_CONTROL=$T/stacd.ctl \
    start_daemon stacd "$T/stacd.log" -f "$T/stacd.conf"
STACD=$DAEMON_PID
if ! wait_for 30 name_owned org.nvmexpress.staf || ! wait_for 30 name_owned org.nvmexpress.stac ||
    ! wait_for 10 test -S "$T/stafd.ctl" || ! wait_for 10 test -S "$T/stacd.ctl"; then
    echo "soak: the daemons did not start"; tail -20 "$T"/stafd.log "$T"/stacd.log; exit 1
fi

# One persistent connection to each fake's control socket: "f <command>" → stafd's fake,
# "c <command>" → stacd's fake; one reply line each.
coproc CTL {
    exec python3 -u -c '
import socket, sys
files = {}
for arg in sys.argv[1:]:
    key, path = arg.split("=", 1)
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    files[key] = s.makefile("rw")
for line in sys.stdin:
    key, cmd = line.rstrip("\n").split(" ", 1)
    try:
        files[key].write(cmd + "\n")
        files[key].flush()
        print(files[key].readline().rstrip("\n") or "error connection closed")
    except OSError as e:
        print("error", e)
' "f=$T/stafd.ctl" "c=$T/stacd.ctl"
}
# ctl f|c COMMAND → REPLY (the reply's data after "ok ")
ctl() {
    local line=""
    echo "$1 $2" >&"${CTL[1]}" && read -r line <&"${CTL[0]}"
    REPLY=${line#ok}; REPLY=${REPLY# }
    [ "${line%% *}" = ok ]
}

# ---- views --------------------------------------------------------------------------------
alive() { kill -0 "$STAFD" 2>/dev/null && kill -0 "$STACD" 2>/dev/null; }
stacctl_devices() { "$STAS_FAKE_BIN/stacctl" ls 2>/dev/null | grep -o '"device": "nvme[0-9]*"' |
    grep -o 'nvme[0-9]*' | sort -V | tr '\n' ' '; }
stafctl_devices() { "$STAS_FAKE_BIN/stafctl" ls 2>/dev/null | grep -o '"device": "nvme[0-9]*"' |
    grep -o 'nvme[0-9]*' | sort -V | tr '\n' ' '; }
kernel_devices() { ctl "$1" devices && tr ' ' '\n' <<<"$REPLY" | grep . | sort -V | tr '\n' ' '; }
stacd_subsystems() { "$STAS_FAKE_BIN/stacctl" ls 2>/dev/null | grep -o '"subsysnqn": "[^"]*"' |
    cut -d'"' -f4 | sort | tr '\n' ' '; }
wanted_subsystems() { # the I/O subsystems of the configured DCs' log pages
    local k kd ks
    for k in "${!IN_DLP[@]}"; do
        [ -n "${IN_DLP[$k]}" ] || continue
        read -r kd ks <<<"$k"
        [ "$kd" -le $((NDC - DC_OUT)) ] && nqn "$kd" "$ks"
    done | sort | tr '\n' ' '
}
# status PID → "rss_kib hwm_kib threads fds"
status() {
    awk '/^VmRSS:/ {r = $2} /^VmHWM:/ {h = $2} /^Threads:/ {t = $2}
         END {printf "%d %d %d", r, h, t}' "/proc/$1/status" 2>/dev/null || printf '0 0 0'
    printf ' %d\n' "$(find "/proc/$1/fd" -mindepth 1 2>/dev/null | wc -l)"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
words() { wc -w <<<"$1"; }

# ---- churn ----------------------------------------------------------------------------------
declare -A COUNT # event kind → count
OPS=0
# pick "WORD..." → dev: one of the words, at random (no subshell: the parent's RANDOM sequence)
pick() {
    local -a w
    read -ra w <<<"$1"
    dev=""; [ ${#w[@]} -gt 0 ] && dev=${w[RANDOM % ${#w[@]}]}
    [ -n "$dev" ]
}
op() { COUNT[$1]=$((${COUNT[$1]:-0} + 1)); OPS=$((OPS + 1)); }

churn_once() {
    local d s dev r=$((RANDOM % 100))
    if [ $r -lt 22 ]; then # a pool entry appears in a DLP (AEN)
        d=$((RANDOM % NDC + 1)); s=$((RANDOM % POOL + 1))
        [ -n "${IN_DLP["$d $s"]:-}" ] && return
        ctl f "add-entry 10.0.0.$d 8009 $(entry "$d" "$s")" && IN_DLP["$d $s"]=1 && op add-entry
    elif [ $r -lt 44 ]; then # an entry leaves a DLP (AEN)
        d=$((RANDOM % NDC + 1)); s=$((RANDOM % POOL + 1))
        [ -z "${IN_DLP["$d $s"]:-}" ] && return
        ctl f "remove-entry 10.0.0.$d 8009 subnqn=$(nqn "$d" "$s")" && IN_DLP["$d $s"]="" &&
            op remove-entry
    elif [ $r -lt 60 ]; then # an IOC deleted behind stacd's back
        ctl c devices && pick "$REPLY" &&
            ctl c "remove-device $dev" && op remove-ioc
    elif [ $r -lt 66 ]; then # an I/O port refuses the next 1 or 2 connects, and loses an IOC
        d=$((RANDOM % NDC + 1))
        ctl c "fail-connect 10.1.$d.1 4420 ECONNREFUSED $((RANDOM % 2 + 1))" &&
            ctl c devices && pick "$REPLY" &&
            ctl c "remove-device $dev" && op target-fails
    elif [ $r -lt 70 ]; then # a DC goes away and comes back after one refused connect
        d=$((RANDOM % NDC + 1))
        dev=$("$STAS_FAKE_BIN/stafctl" ls 2>/dev/null | python3 -c '
import json, sys
print(next((c["device"] for c in json.load(sys.stdin) if c["traddr"] == sys.argv[1]), ""))' "10.0.0.$d")
        [ -n "$dev" ] && ctl f "fail-connect 10.0.0.$d 8009 ECONNREFUSED 1" &&
            ctl f "remove-device $dev" && op dc-away
    elif [ $r -lt 75 ]; then # the kernel reconnected an IOC
        ctl c devices && pick "$REPLY" &&
            ctl c "set-state $dev connecting" && ctl c "reconnect-device $dev" && op kernel-reconnect
    elif [ $r -lt 80 ]; then # an AEN without a change
        d=$((RANDOM % NDC + 1)); ctl f "aen 10.0.0.$d 8009" && op aen
    elif [ $r -lt 82 ]; then # lost uevents
        ctl c overflow && op overflow
    elif [ $r -lt 84 ]; then # SIGHUP stafd, one DC in or out of its configuration
        DC_OUT=$((1 - DC_OUT)); write_stafd_conf
        kill -HUP "$STAFD" && op sighup-stafd
    elif [ $r -lt 86 ]; then
        kill -HUP "$STACD" && op sighup-stacd
    else # the CLIs
        case $((RANDOM % 4)) in
            0) "$STAS_FAKE_BIN/stafctl" ls -d >/dev/null 2>&1 ;;
            1) "$STAS_FAKE_BIN/stafctl" status >/dev/null 2>&1 ;;
            2) "$STAS_FAKE_BIN/stacctl" ls -d >/dev/null 2>&1 ;;
            3) "$STAS_FAKE_BIN/stacctl" status >/dev/null 2>&1 ;;
        esac && op cli
    fi
}

# ---- the run --------------------------------------------------------------------------------
# shellcheck disable=SC2317 # called through wait_for
all_up() { [ "$(words "$(stacctl_devices)")" -ge $((NDC * POOL * 5 / 8)) ]; }
wait_for 120 all_up || echo "soak: not every IOC of the initial log pages connected after 120 s"
HZ=$(getconf CLK_TCK)
CPU0_F=$(cpu_ticks "$STAFD"); CPU0_C=$(cpu_ticks "$STACD")
echo "soak [NFR-5]: $SOAK_SECONDS s, sample every $SOAK_INTERVAL s, an event every $SOAK_PERIOD s;" \
    "$NDC DCs x $POOL I/O subsystems (seed ${SOAK_SEED:-1})"
printf '%8s | %9s %9s %4s %4s %4s | %9s %9s %4s %4s %4s | %5s %7s\n' \
    elapsed "stafd RSS" HWM fds thr DCs "stacd RSS" HWM fds thr IOCs wantd ops
printf '%8s | %9s %9s %4s %4s %4s | %9s %9s %4s %4s %4s | %5s %7s\n' \
    s KiB KiB "" "" "" KiB KiB "" "" "" "" ""
: >"$T/samples"
sample() {
    local t=$1 f c
    ctl f clear-calls; ctl c clear-calls # the fakes' call records are test memory
    f=$(status "$STAFD"); c=$(status "$STACD")
    read -r fr fh ft ff <<<"$f"; read -r cr ch ct cf <<<"$c"
    ctl f devices; local ndc; ndc=$(words "$REPLY")
    ctl c devices; local nioc; nioc=$(words "$REPLY")
    printf '%8d | %9d %9d %4d %4d %4d | %9d %9d %4d %4d %4d | %5d %7d\n' \
        "$t" "$fr" "$fh" "$ff" "$ft" "$ndc" "$cr" "$ch" "$cf" "$ct" "$nioc" \
        "$(words "$(wanted_subsystems)")" "$OPS"
    echo "$t $fr $cr" >>"$T/samples"
}
START=$SECONDS
sample 0
NEXT=$SOAK_INTERVAL
DIED=""
while :; do
    elapsed=$((SECONDS - START))
    alive || { DIED=$elapsed; break; }
    if [ "$elapsed" -ge "$NEXT" ]; then
        sample "$elapsed"
        NEXT=$((NEXT + SOAK_INTERVAL))
    fi
    [ "$elapsed" -ge "$SOAK_SECONDS" ] && break
    churn_once
    sleep "$SOAK_PERIOD"
done
CPU_F=$(($(cpu_ticks "$STAFD") - CPU0_F)); CPU_C=$(($(cpu_ticks "$STACD") - CPU0_C))
RUN=$((SECONDS - START))

# ---- summary --------------------------------------------------------------------------------
echo
echo "events: $OPS in $RUN s ($(for k in "${!COUNT[@]}"; do printf '%s %d, ' "$k" "${COUNT[$k]}"; done | sed 's/, $//'))"
for col in 2 3; do
    name=$([ $col = 2 ] && echo stafd || echo stacd)
    awk -v col=$col -v name="$name" -v half=$((RUN / 2)) '
        { t = $1; v = $col; if (NR == 1) first = v; last = v; if (v > max) max = v
          if (t >= half) { n++; sx += t; sy += v; sxx += t * t; sxy += t * v } }
        END {
            slope = (n >= 2 && n * sxx - sx * sx > 0) ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : 0
            printf "%s VmRSS: first %d KiB, last %d KiB, max %d KiB; second half (%d samples): %+.1f KiB/h\n",
                name, first, last, max, n, slope * 3600 }' "$T/samples"
done
awk -v f="$CPU_F" -v c="$CPU_C" -v hz="$HZ" -v run="$RUN" 'BEGIN {
    printf "CPU: stafd %.1f s (%.2f%% of a core), stacd %.1f s (%.2f%% of a core)\n",
        f / hz, run ? 100 * f / hz / run : 0, c / hz, run ? 100 * c / hz / run : 0 }'

RC=0
if [ -n "$DIED" ]; then
    kill -0 "$STAFD" 2>/dev/null || { echo "soak: stafd DIED after $DIED s"; tail -30 "$T/stafd.log"; }
    kill -0 "$STACD" 2>/dev/null || { echo "soak: stacd DIED after $DIED s"; tail -30 "$T/stacd.log"; }
    keep_logs
    exit 1
fi

# ---- consistency once the churn stopped ------------------------------------------------------
for d in $(seq "$NDC"); do
    ctl f "fail-connect 10.0.0.$d 8009 none"; ctl c "fail-connect 10.1.$d.1 4420 none"
done
kill -HUP "$STACD" # IOCs that gave up (none expected) connect now
consistent() {
    CT_STAC=$(stacctl_devices); CT_KERN=$(kernel_devices c)
    CT_SUBS=$(stacd_subsystems); CT_WANT=$(wanted_subsystems)
    CT_STAF=$(stafctl_devices); CT_DCS=$(kernel_devices f)
    [ "$CT_STAC" = "$CT_KERN" ] && [ "$CT_SUBS" = "$CT_WANT" ] && [ "$CT_STAF" = "$CT_DCS" ] &&
        [ "$(words "$CT_DCS")" = $((NDC - DC_OUT)) ]
}
t0=$SECONDS
if wait_for 180 consistent && consistent; then
    echo "consistent after $((SECONDS - t0)) s: stacd $(words "$CT_STAC") IOCs = fake kernel's devices" \
        "= the configured DCs' log pages; stafd $(words "$CT_STAF") DCs = its fake kernel's devices"
else
    consistent
    echo "soak: INCONSISTENT after $((SECONDS - t0)) s"
    echo "  stacctl ls devices:   $CT_STAC"; echo "  stacd fake devices:   $CT_KERN"
    echo "  stacctl subsystems:   $CT_SUBS"; echo "  wanted subsystems:    $CT_WANT"
    echo "  stafctl ls devices:   $CT_STAF"; echo "  stafd fake devices:   $CT_DCS"
    RC=1
fi
alive || { echo "soak: a daemon died during the final check"; RC=1; }
for p in "$STAFD" "$STACD"; do kill -TERM "$p"; wait "$p"; r=$?; [ $r = 0 ] || { echo "soak: pid $p exit $r"; RC=1; }; done
if [ $RC = 0 ]; then echo "soak: ok"; else keep_logs; fi
exit $RC
