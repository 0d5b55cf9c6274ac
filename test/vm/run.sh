#!/bin/bash
# stas VM test world: boot Debian's kernel under qemu with the host's root
# file system shared read-only (virtio-9p + RAM overlay in the guest) and run
# scenario scripts as root in ONE boot, with the nvmet target and the NVMe
# host reset between scenarios.  See test/vm/README.md.
#
#   test/vm/run.sh [--build DIR] [-e KEY=VAL]... [-v] [--shell] SCENARIO...
#
#   SCENARIO      path of a guest script (e.g. test/vm/scenarios/connect.sh)
#   --build DIR   the stas build tree (default: $STAS_BUILD_DIR, else ./build);
#                 stafd/stacd/... are run from there ($STAS_BUILD in the guest)
#   -e KEY=VAL    exported to the scenarios
#   -v            show the whole console, including the scenarios' output
#   --shell       after the scenarios, an interactive root shell in the guest
#                 with guest/lib.sh loaded (needs a terminal; Ctrl-A x quits)
#   --out DIR     output directory (default: $STAS_VM_OUT, else BUILD/vm-out)
# Environment: STAS_VM_CACHE (default BUILD/vm-cache), STAS_VM_MEM (512),
#   STAS_VM_SMP (2), STAS_VM_ACCEL (auto|tcg|kvm), STAS_VM_TIMEOUT (1500 s, whole
#   run), STAS_VM_SCENARIO_TIMEOUT (180 s, each scenario).
# Exit: 0 all passed, 1 a check failed, 2 setup error, 3 timeout.
set -uo pipefail
# shellcheck source=host/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/host/common.sh"

BUILD_ARG=${STAS_BUILD_DIR:-}
VERBOSE=0 SHELL_MODE=0
ENVS=() SCENARIOS=()
while [ $# -gt 0 ]; do
    case $1 in
        --build) BUILD_ARG=${2:?--build needs a directory}; shift ;;
        --build=*) BUILD_ARG=${1#--build=} ;;
        --out) STAS_VM_OUT=${2:?--out needs a directory}; shift ;;
        -e) case ${2:-} in
                [A-Za-z_]*=*) ENVS+=("$2") ;;
                *) die "-e needs KEY=VALUE" ;;
            esac
            shift ;;
        -v|--verbose) VERBOSE=1 ;;
        --shell) SHELL_MODE=1 ;;
        -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) SCENARIOS+=("$1") ;;
    esac
    shift
done
[ ${#SCENARIOS[@]} -gt 0 ] || [ "$SHELL_MODE" = 1 ] || die "no scenario given (see --help)"
set_build_dir "${BUILD_ARG:-$STAS_SRC/build}"

ABS=()
for s in "${SCENARIOS[@]}"; do
    a=$(realpath -e "$s" 2>/dev/null) || die "scenario $s not found"
    case $a in *[[:space:]]*) die "scenario path must not contain spaces: $a" ;; esac
    ABS+=("$a")
done
for p in "$STAS_VM_DIR" "$BUILD" "$STAS_VM_OUT" "$STAS_VM_CACHE"; do
    case $p in *[[:space:]]*) die "paths must not contain spaces: $p" ;; esac
done

T_ALL=$EPOCHREALTIME
KV=$(bash "$STAS_VM_DIR/host/prepare.sh" --build "$BUILD") || die "kernel/initramfs preparation failed"
T_PREP=$EPOCHREALTIME
KROOT=$(readlink -f "$KROOT_LINK")
KERNEL="$KROOT/boot/vmlinux-$KV"            # PVH ELF: no in-guest decompression
[ -f "$KERNEL" ] || KERNEL="$KROOT/boot/vmlinuz-$KV"

ACCEL=$(pick_accel)
ACCEL_OPTS=(-accel "tcg,thread=multi,tb-size=$STAS_VM_TB_SIZE")
[ "$ACCEL" = kvm ] && ACCEL_OPTS=(-accel kvm -cpu host)

# ---- output directory and run plan (read by guest/stage2.sh) ----
OUT=$STAS_VM_OUT
SHARE=$OUT/share
mkdir -p "$OUT" || die "cannot create $OUT"
rm -rf "$SHARE" "$OUT/console.log" "$OUT/summary.txt" "$OUT/qemu.pid"
mkdir -p "$SHARE"
{
    printf 'export %s=%q\n' STAS_SRC "$STAS_SRC" STAS_BUILD "$BUILD" STAS_VM_DIR "$STAS_VM_DIR" \
        STAS_VM_SCENARIO_TIMEOUT "$STAS_VM_SCENARIO_TIMEOUT" STAS_VM_VERBOSE "$VERBOSE" \
        STAS_VM_SHELL "$SHELL_MODE"
    for kv in ${ENVS[@]+"${ENVS[@]}"}; do printf 'export %s=%q\n' "${kv%%=*}" "${kv#*=}"; done
} > "$SHARE/plan.env"
printf '%s\n' ${ABS[@]+"${ABS[@]}"} > "$SHARE/plan.list"

CONSOLE=$OUT/console.log
PIDFILE=$OUT/qemu.pid
APPEND="console=ttyS0 panic=-1 quiet loglevel=4 nokaslr"
APPEND+=" stas.stage2=$STAS_VM_DIR/guest/stage2.sh stas.modules=$KROOT/lib/modules"
# -nodefaults: no NIC, all NVMe/mDNS/D-Bus traffic stays inside the guest
QEMU=(qemu-system-x86_64 -name stas-vm -nodefaults -no-user-config
      "${ACCEL_OPTS[@]}" -m "$STAS_VM_MEM" -smp "$STAS_VM_SMP"
      -display none -no-reboot -pidfile "$PIDFILE"
      -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND"
      -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
      -virtfs "local,path=$SHARE,mount_tag=stasvmout,security_model=none,multidevs=remap")

# shellcheck disable=SC2317  # (called from the trap)
kill_qemu() {
    local pid
    pid=$(cat "$PIDFILE" 2>/dev/null) || return 0
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        note "stopping qemu (pid $pid)"; kill "$pid" 2>/dev/null; sleep 1; kill -9 "$pid" 2>/dev/null
    fi
}
trap 'kill_qemu; exit 130' INT TERM

note "kernel $(basename "$KERNEL"), accel=$ACCEL, mem=${STAS_VM_MEM}M, smp=$STAS_VM_SMP, ${#ABS[@]} scenario(s), out=$OUT"
if [ "$SHELL_MODE" = 1 ]; then
    "${QEMU[@]}" -serial mon:stdio
    exit $?
fi

T_QEMU=$EPOCHREALTIME
# timeout(1) kills qemu (its child) when the whole run overruns
timeout -k 5 "$STAS_VM_TIMEOUT" "${QEMU[@]}" -serial stdio -monitor none < /dev/null 2>&1 |
while IFS= read -r line; do
    line=${line%$'\r'}
    printf '%s %s\n' "$EPOCHREALTIME" "$line" >> "$CONSOLE"
    if [ "$VERBOSE" = 1 ]; then
        printf '%s\n' "${line/@@VM /}"
    else
        case $line in
            *"@@VM BEGIN "*|*"@@VM END "*|*"@@VM CHECK "*|*"@@VM DONE "*|*"@@VM stage1"*FATAL*)
                printf '%s\n' "${line#*@@VM }" ;;
            *"Kernel panic"*|*"BUG:"*|*"Call Trace"*|*"WARNING:"*) printf 'kernel: %s\n' "$line" ;;
        esac
    fi
done
QRC=${PIPESTATUS[0]}
T_END=$EPOCHREALTIME
touch "$CONSOLE"

# ---------------------------------------------------------------- results
declare -A ST=() SECS=() NP=() NF=()
ORDER=() FAILED_CHECKS=()
cur=""
while IFS= read -r line; do
    m=${line#*@@VM }
    read -r kind name rest <<< "$m"
    case $kind in
        BEGIN) cur=$name; ORDER+=("$name"); ST[$name]=RUNNING ;;
        END)
            for f in $rest; do
                case $f in
                    status=*) ST[$name]=${f#status=} ;;
                    secs=*) SECS[$name]=${f#secs=} ;;
                    pass=*) NP[$name]=${f#pass=} ;;
                    fail=*) NF[$name]=${f#fail=} ;;
                esac
            done
            cur="" ;;
        CHECK) [[ $rest == FAIL* ]] && FAILED_CHECKS+=("${cur:-harness}: $name $rest") ;;
    esac
done < <(grep -a '@@VM ' "$CONSOLE")
GRC=$(grep -ao '@@VM DONE rc=[0-9]*' "$CONSOLE" | sed 's/.*rc=//')
T_STAGE2=$(awk '/@@VM STAGE2/ {print $1; exit}' "$CONSOLE")

scen_dir() { # NAME -> the share directory of that scenario
    local d
    for d in "$SHARE"/[0-9][0-9]-"$1"; do [ -d "$d" ] && { echo "$d"; return; }; done
}

{
    echo "==== stas vm summary ($(date -u +%FT%TZ)) ===="
    echo "kernel=$KV accel=$ACCEL qemu_rc=$QRC guest_rc=${GRC:-none}"
    echo "prepare: $(elapsed "$T_ALL" "$T_PREP") s   boot: $([ -n "$T_STAGE2" ] && elapsed "$T_QEMU" "$T_STAGE2" || echo '?') s   qemu total: $(elapsed "$T_QEMU" "$T_END") s   run.sh total: $(elapsed "$T_ALL" "$T_END") s"
    for s in ${ORDER[@]+"${ORDER[@]}"}; do
        printf '  %-8s %-28s %6ss  pass=%s fail=%s\n' "${ST[$s]}" "$s" "${SECS[$s]:-?}" "${NP[$s]:-?}" "${NF[$s]:-?}"
    done
    for a in "${ABS[@]}"; do
        n=${a##*/}; n=${n%.sh}
        [ -n "${ST[$n]:-}" ] || printf '  %-8s %s\n' NOTRUN "$n"
    done
} | tee "$OUT/summary.txt"

# exit status: 2 setup error, 3 timeout, 1 failure, 0 success
RC=0
NOTRUN=0
for a in "${ABS[@]}"; do n=${a##*/}; n=${n%.sh}; [ -n "${ST[$n]:-}" ] || NOTRUN=1; done
BAD=()
for s in ${ORDER[@]+"${ORDER[@]}"}; do [ "${ST[$s]}" = PASS ] || BAD+=("$s"); done
if [ "$QRC" = 124 ] || [ "$QRC" = 137 ]; then
    echo "TIMEOUT: the VM ran longer than ${STAS_VM_TIMEOUT}s"; RC=3
elif [ -z "$T_STAGE2" ]; then
    echo "SETUP ERROR: the guest never reached stage 2 (see $CONSOLE)"; RC=2
    tail -n 30 "$CONSOLE" | cut -d' ' -f2-
elif [ -z "$GRC" ]; then
    echo "ERROR: the guest stopped without a DONE marker (crash?)"; RC=1
elif [ "$GRC" = 2 ]; then
    RC=2
fi
for s in ${BAD[@]+"${BAD[@]}"}; do [ "${ST[$s]}" = TIMEOUT ] || [ "${ST[$s]}" = RUNNING ] && [ $RC = 0 ] && RC=3; done
[ $RC = 0 ] && { [ ${#BAD[@]} -gt 0 ] || [ $NOTRUN = 1 ] || [ ${#FAILED_CHECKS[@]} -gt 0 ]; } && RC=1

if [ ${#BAD[@]} -gt 0 ] || [ ${#FAILED_CHECKS[@]} -gt 0 ]; then
    echo "==== failures ===="
    for c in ${FAILED_CHECKS[@]+"${FAILED_CHECKS[@]}"}; do echo "  FAILED CHECK $c"; done
    for s in ${BAD[@]+"${BAD[@]}"}; do
        d=$(scen_dir "$s")
        echo "==== scenario $s: ${ST[$s]} (logs: ${d:-none}) ===="
        [ -n "$d" ] || continue
        for f in "$d"/*.log; do
            [ -f "$f" ] || continue
            case ${f##*/} in reset.log) [ -s "$f" ] || continue ;; esac
            echo "---- ${f##*/} (last 60 lines) ----"
            tail -n 60 "$f"
        done
        echo "---- dmesg.txt (last 25 lines) ----"
        tail -n 25 "$d/dmesg.txt" 2>/dev/null
    done
fi
echo "result: $( [ $RC = 0 ] && echo PASS || echo "FAIL (exit $RC)" ); logs in $OUT"
exit $RC
