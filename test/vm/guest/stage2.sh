#!/bin/bash
# Stage 2: PID 1 of the guest, run by the host's bash from the host's file
# system (read-only 9p root + tmpfs overlay, see guest/init).  Reads the run
# plan the host wrote into the share (/stas-vm/plan.env, /stas-vm/plan.list),
# runs every scenario in turn with a fresh target and host between them, and
# powers the VM off.  Only console lines containing "@@VM " are parsed by the
# host (run.sh):
#   @@VM STAGE2 ...                         guest is up
#   @@VM BEGIN <scenario> dir=<dir>         a scenario starts
#   @@VM CHECK <name> PASS|FAIL [detail]    (from guest/lib.sh)
#   @@VM END <scenario> status=PASS|FAIL|TIMEOUT rc= secs= pass= fail=
#   @@VM DONE rc=<n>                        all scenarios ran
# Per-scenario files land in /stas-vm/<NN>-<scenario>/ (output.log, step and
# daemon logs, dmesg.txt).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
set -u
SHARE=/stas-vm
mark() { echo "@@VM $*"; }

read -r up _ < /proc/uptime
read -r _ _ kv _ < /proc/version
mark "STAGE2 uptime=$up kernel=$kv"

if [ -r "$SHARE/plan.env" ]; then
    # shellcheck source=/dev/null
    . "$SHARE/plan.env"
else
    mark "CHECK harness-plan FAIL $SHARE/plan.env missing"
    mark "DONE rc=2"; echo o > /proc/sysrq-trigger; sleep 30
fi
export STAS_VM_SHARE=$SHARE
STAS_VM_RUNNER=1   # not exported: tells lib.sh it is loaded by the runner, not a scenario
LIB=$STAS_VM_DIR/guest/lib.sh
# shellcheck source=lib.sh
. "$LIB"

dmesg -c > "$SHARE/dmesg-boot.txt" 2>&1

# pids_now: the user-space processes alive now (kernel threads have no cmdline)
pids_now() {
    local d c
    REPLY=" "
    for d in /proc/[0-9]*; do
        [ "${d#/proc/}" = 1 ] && continue
        c=""; read -r -d '' c 2>/dev/null < "$d/cmdline"
        [ -n "$c" ] && REPLY+="${d#/proc/} "
    done
}

# kill_new BEFORE: end every process a scenario left behind (including ones
# that daemonized themselves: dbus-daemon, udevd, avahi-daemon, ...)
kill_new() {
    local before=$1 p left keep=" " k s
    for k in "$STAS_VM_KEEP"/*.pid; do [ -r "$k" ] && read -r s < "$k" && keep+="$s "; done
    pids_now
    left=()
    for p in $REPLY; do
        [[ $before == *" $p "* ]] && continue
        # services kept across scenarios (dbus-daemon, udevd) and their workers
        [[ $keep == *" $p "* ]] && continue
        s=""; read -r s 2>/dev/null < "/proc/$p/stat"; s=${s##*) }; read -r _ s _ <<< "$s"
        [[ $keep == *" $s "* ]] && continue
        left+=("$p")
    done
    [ ${#left[@]} = 0 ] && return 0
    kill -TERM "${left[@]}" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        for p in "${!left[@]}"; do
            proc_alive "${left[$p]}" || unset "left[$p]"
        done
        [ ${#left[@]} = 0 ] && break
        stas_sleep 0.2
    done
    [ ${#left[@]} = 0 ] || kill -KILL "${left[@]}" 2>/dev/null
    wait 2>/dev/null
}

# reset_world: fresh target and host for the next scenario
reset_world() {
    host_disconnect_all
    target_reset
    local n
    for n in /run/netns/*; do [ -e "$n" ] && ip netns delete "${n##*/}"; done
    rm -rf /run/avahi-daemon /run/stas-vm /run/stas-vm-img 2>/dev/null
    mkdir -p /run/stas-vm
}

RC=0
idx=0
mapfile -t SCENARIOS < "$SHARE/plan.list"
for scen in "${SCENARIOS[@]}"; do
    [ -n "$scen" ] || continue
    idx=$((idx + 1))
    name=${scen##*/}; name=${name%.sh}
    dir=$(printf '%s/%02d-%s' "$SHARE" "$idx" "$name")
    mkdir -p "$dir"
    pids_now; before=$REPLY
    mark "BEGIN $name dir=${dir#"$SHARE"/}"
    t0=${EPOCHREALTIME/./}
    export STAS_VM_LOGDIR=$dir STAS_VM_SCENARIO=$name
    if [ "${STAS_VM_VERBOSE:-0}" = 1 ]; then
        # demo / -v: the scenario's output goes to the console too
        timeout -k 5 "$STAS_VM_SCENARIO_TIMEOUT" bash "$scen" < /dev/null 2>&1 | tee "$dir/output.log"
        rc=${PIPESTATUS[0]}
    else
        STAS_VM_MARKFD=3 timeout -k 5 "$STAS_VM_SCENARIO_TIMEOUT" bash "$scen" < /dev/null 3>&1 > "$dir/output.log" 2>&1
        rc=$?
    fi
    t1=${EPOCHREALTIME/./}
    np=0 nf=0
    [ -r "$dir/result" ] && read -r np nf < "$dir/result"
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        status=TIMEOUT
    elif [ "$rc" = 0 ] && [ "$nf" = 0 ] && [ "$np" -gt 0 ]; then
        status=PASS
    else
        status=FAIL
        [ "$np" = 0 ] && [ "$nf" = 0 ] && [ "$rc" = 0 ] && mark "CHECK $name:has-checks FAIL scenario ran no checks"
    fi
    kill_new "$before"
    reset_world >> "$dir/reset.log" 2>&1
    dmesg -c > "$dir/dmesg.txt" 2>&1
    us=$((t1 - t0))
    mark "END $name status=$status rc=$rc secs=$((us / 1000000)).$(printf '%02d' $((us % 1000000 / 10000))) pass=$np fail=$nf"
    case $status in
        TIMEOUT) RC=3 ;;
        FAIL) [ "$RC" = 0 ] && RC=1 ;;
    esac
done

if [ "${STAS_VM_SHELL:-0}" = 1 ]; then
    echo "stas-vm debug shell: helpers from $LIB are loaded; 'exit' powers off"
    export STAS_VM_LOGDIR=$SHARE/shell
    mkdir -p "$STAS_VM_LOGDIR"
    setsid -c bash --rcfile "$STAS_VM_DIR/guest/shellrc" -i < /dev/ttyS0 > /dev/ttyS0 2>&1
fi
sync
read -r up _ < /proc/uptime
mark "DONE rc=$RC uptime=$up"
echo o > /proc/sysrq-trigger
sleep 30
