# shellcheck shell=bash
# stas VM test world: guest library, sourced by every scenario
#   . "$STAS_VM_DIR/guest/lib.sh"      (or: . "$(dirname "$0")/../guest/lib.sh")
# Runs as root inside the qemu guest (see README.md).  Sections:
#   results   check/require/pass/fail/info/step/wait_for/stas_sleep
#   target    nvmet over configfs: ports, subsystems, namespaces, hosts,
#             referrals, link/unlink, port disable/enable, target_reset
#   host      host identity, nvme-tcp, controllers, namespaces, disconnect
#   services  system dbus-daemon (+ stas policy), systemd-udevd, uevent
#             monitors, avahi-daemon (on lo, or in a second netns over veth)
#   stas      start_daemon/stop_daemon for stafd/stacd from the build tree
# Under TCG every exec of a dynamic binary costs 0.1-0.3 s: the helpers use
# bash builtins where they can.  Commands a helper fails on print why to stderr
# and return non-zero; nothing here exits the scenario except `require`.
# Environment (from run.sh): STAS_SRC, STAS_BUILD, STAS_VM_DIR, STAS_VM_LOGDIR
# (this scenario's log directory on the host share), STAS_VM_SCENARIO.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
: "${STAS_VM_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${STAS_SRC:=$(cd "$STAS_VM_DIR/../.." && pwd)}"
: "${STAS_BUILD:=$STAS_SRC/build}"
: "${STAS_VM_LOGDIR:=/tmp/stas-vm-log}"
: "${STAS_VM_SCENARIO:=${0##*/}}"
export STAS_VM_DIR STAS_SRC STAS_BUILD STAS_VM_LOGDIR STAS_VM_SCENARIO
[ -d "$STAS_VM_LOGDIR" ] || mkdir -p "$STAS_VM_LOGDIR"

# _bb CMD ARGS: simple file tools from the static busybox (an exec of a
# dynamically linked coreutils binary costs several times more under TCG)
if [ -x /bin/busybox ]; then _BB=/bin/busybox; else _BB=""; fi
_bb() { if [ -n "$_BB" ]; then "$_BB" "$@"; else "$@"; fi; }

STAS_VM_RUN=/run/stas-vm                   # guest-side state: pids, port state (reset per scenario)
STAS_VM_KEEP=/run/stas-vm-keep             # pids of services kept across scenarios (dbus, udevd)
[ -d "$STAS_VM_RUN" ] || mkdir -p "$STAS_VM_RUN" "$STAS_VM_KEEP"
NVMET=/sys/kernel/config/nvmet
NULLB_CFS=/sys/kernel/config/nullb
DISC_NQN=nqn.2014-08.org.nvmexpress.discovery
# shellcheck disable=SC2034  # (for scenarios)
AEN_DLP_CHANGE=0x70f002                    # NVME_AEN of a Discovery Log Page change
STAS_VM_NQN_PREFIX=${STAS_VM_NQN_PREFIX:-nqn.2014-08.io.stas.vm}
STAS_VM_IMGDIR=/run/stas-vm-img            # file-backed namespaces: tmpfs (overlayfs files get 1-byte LBAs)

# ============================================================== results

STAS_VM_PASSES=0
STAS_VM_FAILS=0

# A never-written pipe: `read -t` on it is a sleep without an exec.
exec {_STAS_SLEEP_FD}<> <(:)
stas_sleep() { read -rt "$1" -u "$_STAS_SLEEP_FD" _ || true; }

# Markers go to stdout (the scenario's output.log) and, under the runner, to
# the console on fd $STAS_VM_MARKFD, where run.sh parses them.
mark() {
    echo "@@VM $*"
    if [ -n "${STAS_VM_MARKFD:-}" ]; then echo "@@VM $*" >&"$STAS_VM_MARKFD"; fi 2>/dev/null
}

info() { local n=$1; shift; mark "INFO $n $*"; }
pass() { STAS_VM_PASSES=$((STAS_VM_PASSES + 1)); mark "CHECK $1 PASS ${*:2}"; }
fail() {
    local d=${*:2}
    STAS_VM_FAILS=$((STAS_VM_FAILS + 1))
    mark "CHECK $1 FAIL ${d//$'\n'/ }"
}

_indent() { local l; while IFS= read -r l || [ -n "$l" ]; do printf '    | %s\n' "$l"; done; }

# now_us: microseconds since the epoch, in REPLY (no subshell)
now_us() { REPLY=${EPOCHREALTIME/./}; }
# secs_since T0_US -> "1.23"
secs_since() {
    local d=$((${EPOCHREALTIME/./} - $1))
    printf '%d.%02d' $((d / 1000000)) $((d % 1000000 / 10000))
}

# check NAME CMD...: PASS when CMD succeeds.  CMD runs in this shell (a
# helper may set variables, e.g. host_identity); its output goes to this
# scenario's output.log and its last line into the FAIL detail.
check() {
    local n=$1; shift
    local out rc last f=$STAS_VM_LOGDIR/.check.out
    "$@" > "$f" 2>&1; rc=$?
    out=$(< "$f")
    echo "--- check $n: $*"
    [ -n "$out" ] && _indent <<< "$out"
    if [ $rc = 0 ]; then
        pass "$n"
    else
        last=${out##*$'\n'}
        fail "$n" "rc=$rc cmd: $* ${last:+-> ${last:0:200}}"
    fi
    return $rc
}

# require NAME CMD...: a check whose failure ends the scenario (set-up steps
# without which the remaining checks would only cascade)
require() { check "$@" || exit 1; }

# not CMD...: succeeds when CMD fails (for check NAME not ...)
not() { ! "$@"; }

# step NAME CMD...: run CMD (in a subshell), keep its output in
# $STAS_VM_LOGDIR/NAME.log and output.log; returns CMD's status
step() {
    local n=$1; shift
    local log=$STAS_VM_LOGDIR/$n.log rc t0=${EPOCHREALTIME/./}
    ( "$@" ) > "$log" 2>&1
    rc=$?
    echo "--- step $n (rc=$rc, $(secs_since "$t0") s): $*"
    _indent < "$log"
    mark "STEP $n rc=$rc secs=$(secs_since "$t0")"
    return $rc
}

# logfile NAME: path of a log file in this scenario's log directory
logfile() { echo "$STAS_VM_LOGDIR/$1"; }

# _secs_to_us VAR SECONDS (decimal allowed)
_secs_to_us() {
    local s=$2 i f
    i=${s%%.*}; f=0
    [[ $s == *.* ]] && { f=${s#*.}000000; f=${f:0:6}; }
    printf -v "$1" '%d' $((10#${i:-0} * 1000000 + 10#$f))
}

# wait_for TIMEOUT CMD...: poll CMD (output discarded) every 0.1 s until it
# succeeds (0) or TIMEOUT seconds passed (1)
wait_for() {
    local us end
    _secs_to_us us "$1"; shift
    end=$((${EPOCHREALTIME/./} + us))
    while :; do
        "$@" >/dev/null 2>&1 && return 0
        [ "${EPOCHREALTIME/./}" -gt "$end" ] && return 1
        stas_sleep 0.1
    done
}

# file_has FILE PATTERN: FILE contains a line matching the bash glob
# *PATTERN* (builtin grep -q)
file_has() {
    local l
    [ -r "$1" ] || return 1
    while IFS= read -r l || [ -n "$l" ]; do
        [[ $l == *$2* ]] && return 0
    done < "$1"
    return 1
}

# count_lines FILE PATTERN: number of lines matching *PATTERN*, in REPLY and
# on stdout
count_lines() {
    local l c=0
    if [ -r "$1" ]; then
        while IFS= read -r l || [ -n "$l" ]; do [[ $l == *$2* ]] && c=$((c + 1)); done < "$1"
    fi
    REPLY=$c
    echo "$c"
}

# proc_alive PID: the process exists and is not a zombie
proc_alive() {
    local s
    read -r s 2>/dev/null < "/proc/$1/stat" || return 1
    s=${s##*) }
    [ "${s%% *}" != Z ]
}

# kill_wait PID [TIMEOUT]: SIGTERM, wait, SIGKILL if needed
kill_wait() {
    local pid=$1 t=${2:-5}
    proc_alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null
    wait_for "$t" not proc_alive "$pid" && return 0
    kill -KILL "$pid" 2>/dev/null
    wait_for 2 not proc_alive "$pid"
}

finish() {
    mark "SUMMARY pass=$STAS_VM_PASSES fail=$STAS_VM_FAILS"
    [ "$STAS_VM_FAILS" = 0 ]
}

_stas_vm_exit() {
    local rc=$?
    mark "RESULT ${STAS_VM_SCENARIO} pass=$STAS_VM_PASSES fail=$STAS_VM_FAILS rc=$rc"
    echo "$STAS_VM_PASSES $STAS_VM_FAILS" > "$STAS_VM_LOGDIR/result"
    # a failed check fails the scenario even if the script ended with status 0
    [ "$rc" = 0 ] && [ "$STAS_VM_FAILS" != 0 ] && exit 1
    exit "$rc"
}
if [ -z "${STAS_VM_RUNNER:-}" ]; then
    set -u                    # scenarios run with set -u (not set -e: checks continue)
    trap _stas_vm_exit EXIT
    trap 'exit 143' TERM      # killed by the scenario timeout: a non-zero status
fi

# _modprobe MOD...: load the modules not loaded yet (one exec at most)
_modprobe() {
    local m need=()
    for m; do [ -d "/sys/module/${m//-/_}" ] || need+=("$m"); done
    [ ${#need[@]} = 0 ] || modprobe -a "${need[@]}"
}

# nqn NAME: NAME if it already is an NQN, else $STAS_VM_NQN_PREFIX:NAME
# (in REPLY and on stdout)
nqn() {
    case $1 in nqn.*) REPLY=$1 ;; *) REPLY=$STAS_VM_NQN_PREFIX:$1 ;; esac
    echo "$REPLY"
}
_nqn() { case $1 in nqn.*) REPLY=$1 ;; *) REPLY=$STAS_VM_NQN_PREFIX:$1 ;; esac; }

_w() { printf '%s\n' "$2" > "$1"; }   # _w FILE VALUE: write a configfs/sysfs attribute

# ============================================================== target (nvmet)

# target_init: load nvmet + nvmet-tcp and null_blk (no devices: they are
# created per namespace through null_blk's configfs)
target_init() {
    [ -d /sys/module/null_blk ] || modprobe null_blk nr_devices=0 || return 1
    _modprobe nvmet nvmet_tcp || return 1
    [ -d "$NVMET/ports" ] || { echo "target_init: $NVMET missing" >&2; return 1; }
    [ -d "$STAS_VM_RUN/ports" ] || _bb mkdir -p "$STAS_VM_RUN/ports" "$STAS_VM_RUN/subsys"
}

# target_port ID ADDR SVCID [--netns NS] [--trtype tcp]
# A port listens only once a subsystem is linked to it (target_link).  With
# --netns the listener is opened inside that network namespace.
target_port() {
    local id=$1 addr=$2 svc=$3 ns="" tr=tcp fam p
    shift 3
    while [ $# -gt 0 ]; do
        case $1 in
            --netns) ns=$2; shift ;;
            --trtype) tr=$2; shift ;;
            *) echo "target_port: unknown option $1" >&2; return 2 ;;
        esac
        shift
    done
    target_init || return 1
    case $addr in *:*) fam=ipv6 ;; *) fam=ipv4 ;; esac
    p=$NVMET/ports/$id
    _bb mkdir "$p" || return 1
    _w "$p/addr_trtype" "$tr" && _w "$p/addr_adrfam" "$fam" &&
        _w "$p/addr_traddr" "$addr" && _w "$p/addr_trsvcid" "$svc" || return 1
    if [ -n "$ns" ]; then _w "$STAS_VM_RUN/ports/$id.netns" "$ns"; fi
}

# _nsrun PORT CMD...: run CMD in the port's netns (nvmet-tcp opens the
# listening socket in the netns of the process that links the subsystem).
# nsenter --net, not `ip netns exec`, which remounts /sys and hides configfs.
# CMD is a busybox applet.
_nsrun() {
    local port=$1 ns=""; shift
    [ -r "$STAS_VM_RUN/ports/$port.netns" ] && read -r ns < "$STAS_VM_RUN/ports/$port.netns"
    if [ -n "$ns" ]; then _bb nsenter --net="/run/netns/$ns" ${_BB:+"$_BB"} "$@"; else _bb "$@"; fi
}

# target_subsys NAME [--ns null|file|none] [--size MB] [--any-host 0|1]
#                    [--nsid N] [--serial S]
# Creates a subsystem (NAME or full NQN) with one namespace, by default a
# null_blk device (reads return zeros) that allows any host.
target_subsys() {
    _nqn "$1"; local q=$REPLY; shift
    local kind=null size=1024 any=1 nsid=1 serial="" s dev
    while [ $# -gt 0 ]; do
        case $1 in
            --ns) kind=$2; shift ;;
            --size) size=$2; shift ;;
            --any-host) any=$2; shift ;;
            --nsid) nsid=$2; shift ;;
            --serial) serial=$2; shift ;;
            *) echo "target_subsys: unknown option $1" >&2; return 2 ;;
        esac
        shift
    done
    target_init || return 1
    s=$NVMET/subsystems/$q
    _bb mkdir "$s" || return 1
    _w "$s/attr_allow_any_host" "$any" || return 1
    [ -n "$serial" ] && { _w "$s/attr_serial" "$serial" || return 1; }
    [ "$kind" = none ] && return 0
    target_ns_add "$q" "$nsid" --ns "$kind" --size "$size"
}

# target_ns_add NAME NSID [--ns null|file] [--size MB]: add and enable a namespace
target_ns_add() {
    _nqn "$1"; local q=$REPLY nsid=$2; shift 2
    local kind=null size=1024 s n dev idx key
    while [ $# -gt 0 ]; do
        case $1 in
            --ns) kind=$2; shift ;;
            --size) size=$2; shift ;;
            *) echo "target_ns_add: unknown option $1" >&2; return 2 ;;
        esac
        shift
    done
    s=$NVMET/subsystems/$q
    key=${q//[^A-Za-z0-9]/_}-$nsid
    case $kind in
        null)
            # null_blk device through its configfs: the disk is named after the
            # item; the item is remembered for target_subsys_remove
            idx=0
            [ -r "$STAS_VM_RUN/nullb.next" ] && read -r idx < "$STAS_VM_RUN/nullb.next"
            _w "$STAS_VM_RUN/nullb.next" $((idx + 1))
            n=$NULLB_CFS/stasnb$idx
            _bb mkdir "$n" && _w "$n/size" "$size" && _w "$n/power" 1 || return 1
            echo "$n" >> "$STAS_VM_RUN/subsys/$key.nullb"
            dev=/dev/stasnb$idx
            wait_for 15 test -b "$dev" || { echo "target_ns_add: $dev did not appear" >&2; return 1; }
            ;;
        file)
            [ -d "$STAS_VM_IMGDIR" ] || _bb mkdir -p "$STAS_VM_IMGDIR"
            dev=$STAS_VM_IMGDIR/$key.img
            _bb truncate -s "${size}M" "$dev" || return 1
            ;;
        *) echo "target_ns_add: unknown namespace kind $kind" >&2; return 2 ;;
    esac
    _bb mkdir "$s/namespaces/$nsid" || return 1
    printf '%s' "$dev" > "$s/namespaces/$nsid/device_path" || return 1
    # tmpfs has no O_DIRECT
    [ "$kind" = file ] && { _w "$s/namespaces/$nsid/buffered_io" 1 || return 1; }
    _w "$s/namespaces/$nsid/enable" 1
}

# target_link NAME PORT / target_unlink NAME PORT: expose / hide a subsystem on a port
target_link() {
    _nqn "$1"
    _nsrun "$2" ln -s "$NVMET/subsystems/$REPLY" "$NVMET/ports/$2/subsystems/$REPLY"
}
target_unlink() { _nqn "$1"; _bb rm "$NVMET/ports/$2/subsystems/$REPLY"; }

# target_allow_any NAME 0|1
target_allow_any() { _nqn "$1"; _w "$NVMET/subsystems/$REPLY/attr_allow_any_host" "$2"; }

# target_allow_host NAME HOSTNQN: only listed hosts may see/connect (turns
# allow_any_host off); target_disallow_host NAME HOSTNQN removes one
target_allow_host() {
    _nqn "$1"; local s=$NVMET/subsystems/$REPLY h=$NVMET/hosts/$2
    [ -d "$h" ] || _bb mkdir "$h" || return 1
    _w "$s/attr_allow_any_host" 0 && _bb ln -s "$h" "$s/allowed_hosts/$2"
}
target_disallow_host() { _nqn "$1"; _bb rm "$NVMET/subsystems/$REPLY/allowed_hosts/$2"; }

# target_referral PORT NAME ADDR SVCID [--trtype tcp]: the discovery log of
# PORT refers to another discovery controller
target_referral() {
    local port=$1 name=$2 addr=$3 svc=$4 tr=tcp fam r
    [ "${5:-}" = --trtype ] && tr=$6
    case $addr in *:*) fam=ipv6 ;; *) fam=ipv4 ;; esac
    r=$NVMET/ports/$port/referrals/$name
    _bb mkdir "$r" && _w "$r/addr_trtype" "$tr" && _w "$r/addr_adrfam" "$fam" &&
        _w "$r/addr_traddr" "$addr" && _w "$r/addr_trsvcid" "$svc" && _w "$r/enable" 1
}
target_referral_remove() { _bb rmdir "$NVMET/ports/$1/referrals/$2"; }

# target_port_subsystems PORT: NQNs linked to PORT (array REPLY_A, and stdout)
target_port_subsystems() {
    local l
    REPLY_A=()
    for l in "$NVMET/ports/$1/subsystems"/*; do
        [ -L "$l" ] && REPLY_A+=("${l##*/}")
    done
    [ ${#REPLY_A[@]} = 0 ] || printf '%s\n' "${REPLY_A[@]}"
}

# target_port_disable PORT: unlink every subsystem (the listener closes, the
# discovery log of the port empties); target_port_enable PORT relinks them
target_port_disable() {
    local q
    target_port_subsystems "$1" > "$STAS_VM_RUN/ports/$1.disabled"
    for q in "${REPLY_A[@]}"; do _bb rm "$NVMET/ports/$1/subsystems/$q" || return 1; done
}
target_port_enable() {
    local q
    [ -r "$STAS_VM_RUN/ports/$1.disabled" ] || { echo "target_port_enable: port $1 was not disabled" >&2; return 1; }
    while read -r q; do target_link "$q" "$1" || return 1; done < "$STAS_VM_RUN/ports/$1.disabled"
    _bb rm -f "$STAS_VM_RUN/ports/$1.disabled"
}

# target_port_remove PORT: unlink its subsystems, drop its referrals, remove it
target_port_remove() {
    local p=$NVMET/ports/$1 x rm_l=() rd=()
    for x in "$p/subsystems"/*; do [ -L "$x" ] && rm_l+=("$x"); done
    for x in "$p/referrals"/*; do [ -d "$x" ] && rd+=("$x"); done
    [ ${#rm_l[@]} = 0 ] || _bb rm "${rm_l[@]}" || return 1
    _bb rmdir "${rd[@]}" "$p" || return 1
    _bb rm -f "$STAS_VM_RUN/ports/$1".*
}

# target_subsys_remove NAME: unlink from all ports, remove namespaces (and
# their null_blk/file backing), allowed hosts and the subsystem
target_subsys_remove() {
    _nqn "$1"; local q=$REPLY s=$NVMET/subsystems/$REPLY x rm_l=() rd=() key
    for x in "$NVMET"/ports/*/subsystems/"$q" "$s"/allowed_hosts/*; do [ -L "$x" ] && rm_l+=("$x"); done
    for x in "$s"/namespaces/*; do [ -d "$x" ] && rd+=("$x"); done
    [ ${#rm_l[@]} = 0 ] || _bb rm "${rm_l[@]}" || return 1
    _bb rmdir "${rd[@]}" "$s" || return 1
    key=${q//[^A-Za-z0-9]/_}-
    rd=()
    for x in "$STAS_VM_RUN/subsys/$key"*.nullb; do
        [ -r "$x" ] && mapfile -t -O ${#rd[@]} rd < "$x"
    done
    [ ${#rd[@]} = 0 ] || _bb rmdir "${rd[@]}" || return 1
    _bb rm -f "$STAS_VM_IMGDIR/$key"*.img "$STAS_VM_RUN/subsys/$key"*.nullb
}

# target_reset: tear the whole target down (links, referrals, ports,
# namespaces, subsystems, hosts, null_blk devices, image files)
target_reset() {
    local x links=() dirs=()
    [ -d "$NVMET" ] || return 0
    for x in "$NVMET"/ports/*/subsystems/* "$NVMET"/subsystems/*/allowed_hosts/*; do
        [ -L "$x" ] && links+=("$x")
    done
    # one rmdir, children before parents
    for x in "$NVMET"/ports/*/referrals/* "$NVMET"/subsystems/*/namespaces/* \
             "$NVMET"/ports/* "$NVMET"/subsystems/* "$NVMET"/hosts/* "$NULLB_CFS"/*; do
        [ -d "$x" ] && dirs+=("$x")
    done
    [ ${#links[@]} = 0 ] || _bb rm -f "${links[@]}"
    [ ${#dirs[@]} = 0 ] || _bb rmdir "${dirs[@]}"
    rm -rf "$STAS_VM_IMGDIR" "$STAS_VM_RUN/ports" "$STAS_VM_RUN/subsys" "$STAS_VM_RUN/nullb.next"
    # check: anything left is a bug in the teardown
    for x in "$NVMET"/ports/* "$NVMET"/subsystems/*; do
        [ -e "$x" ] && { echo "target_reset: $x left behind" >&2; return 1; }
    done
    return 0
}

# target_standard [N]: the usual lab target: ports 1 127.0.0.1:8009,
# 2 127.0.0.1:4420, 3 [::1]:8009, 4 [::1]:4420 and N (default 2) subsystems
# sub1..subN (null_blk namespaces, any host) linked to all four ports
target_standard() {
    local n=${1:-2} i p
    target_port 1 127.0.0.1 8009 && target_port 2 127.0.0.1 4420 &&
        target_port 3 ::1 8009 && target_port 4 ::1 4420 || return 1
    for ((i = 1; i <= n; i++)); do
        target_subsys "sub$i" || return 1
        for p in 1 2 3 4; do target_link "sub$i" $p || return 1; done
    done
}

# _proc_net_addr ADDR: ADDR as /proc/net/tcp{,6} prints it (REPLY)
_proc_net_addr() {
    local a=$1 h t g=() hg=() tg=() i x
    if [[ $a != *:* ]]; then
        IFS=. read -r -a g <<< "$a"
        printf -v REPLY '%02X%02X%02X%02X' "${g[3]}" "${g[2]}" "${g[1]}" "${g[0]}"
        return
    fi
    if [[ $a == *::* ]]; then h=${a%%::*}; t=${a#*::}; else h=$a; t=""; fi
    [ -n "$h" ] && IFS=: read -r -a hg <<< "$h"
    [ -n "$t" ] && IFS=: read -r -a tg <<< "$t"
    g=("${hg[@]}")
    for ((i = ${#hg[@]} + ${#tg[@]}; i < 8; i++)); do g+=(0); done
    g+=("${tg[@]}")
    x=""
    for i in "${g[@]}"; do printf -v i '%04X' $((16#$i)); x+=$i; done
    # four 32-bit words, each printed in host (little-endian) byte order
    REPLY=""
    for i in 0 8 16 24; do REPLY+=${x:i+6:2}${x:i+4:2}${x:i+2:2}${x:i:2}; done
}

# tcp_listening ADDR PORT [NETNS]: a TCP listener on ADDR:PORT (from
# /proc/net/tcp{,6}, no exec unless NETNS is given)
tcp_listening() {
    local f=/proc/net/tcp want l
    [[ $1 == *:* ]] && f=/proc/net/tcp6
    _proc_net_addr "$1"
    printf -v want '%s:%04X' "$REPLY" "$2"
    if [ -n "${3:-}" ]; then
        l=$(_bb nsenter --net="/run/netns/$3" ${_BB:+"$_BB"} cat "$f") || return 1
    else
        l=$(< "$f")
    fi
    # "sl local rem st ...": state 0A is LISTEN
    local -a lines fld
    mapfile -t lines <<< "$l"
    for l in "${lines[@]}"; do
        read -r -a fld <<< "$l"
        [ "${fld[1]:-}" = "$want" ] && [ "${fld[3]:-}" = 0A ] && return 0
    done
    return 1
}

_attr() { local v=""; read -r v 2>/dev/null < "$1"; REPLY=$v; }

# target_summary: the nvmet configfs tree, one line per object
target_summary() {
    local p s x a f t h
    for p in "$NVMET"/ports/*; do
        [ -d "$p" ] || continue
        _attr "$p/addr_trtype"; t=$REPLY; _attr "$p/addr_traddr"; a=$REPLY; _attr "$p/addr_trsvcid"
        s=""; for x in "$p"/subsystems/*; do [ -L "$x" ] && s+=" ${x##*/}"; done
        echo "port ${p##*/}: $t ${a}:$REPLY  subsystems:${s:- (none: not listening)}"
        for x in "$p"/referrals/*; do
            [ -d "$x" ] || continue
            _attr "$x/addr_traddr"; a=$REPLY; _attr "$x/addr_trsvcid"
            echo "  referral ${x##*/} -> ${a}:$REPLY"
        done
    done
    for s in "$NVMET"/subsystems/*; do
        [ -d "$s" ] || continue
        _attr "$s/attr_allow_any_host"; a=$REPLY
        h=""; for x in "$s"/allowed_hosts/*; do [ -L "$x" ] && h+=" ${x##*/}"; done
        echo "subsystem ${s##*/}: allow_any_host=$a${h:+ allowed_hosts:$h}"
        for x in "$s"/namespaces/*; do
            [ -d "$x" ] || continue
            _attr "$x/device_path"; f=$REPLY; _attr "$x/enable"
            echo "  namespace ${x##*/}: $f enabled=$REPLY"
        done
    done
}

# ============================================================== host

STAS_VM_HOSTID_DEFAULT=5a8a1f3c-6c1e-4f2b-9a57-3d0e7c6b5a41

# shellcheck disable=SC2120  # (arguments are optional)

# host_identity [HOSTNQN [HOSTID]]: write /etc/nvme/hostnqn and hostid (in
# the guest's RAM overlay); exports HOSTNQN and HOSTID
host_identity() {
    HOSTID=${2:-$STAS_VM_HOSTID_DEFAULT}
    HOSTNQN=${1:-nqn.2014-08.org.nvmexpress:uuid:$HOSTID}
    [ -d /etc/nvme ] || _bb mkdir -p /etc/nvme
    _w /etc/nvme/hostnqn "$HOSTNQN" && _w /etc/nvme/hostid "$HOSTID" || return 1
    export HOSTNQN HOSTID
}

# host_init: the NVMe/TCP host driver and a host identity
host_init() {
    _modprobe nvme_tcp || return 1
    if [ -z "${HOSTNQN:-}" ] || [ ! -r /etc/nvme/hostnqn ]; then host_identity ""; fi
}

# ctrl_list: the NVMe controllers (nvme0 nvme1 ...) in REPLY_A and on stdout
ctrl_list() {
    local c
    REPLY_A=()
    for c in /sys/class/nvme/nvme*; do [ -e "$c" ] && REPLY_A+=("${c##*/}"); done
    [ ${#REPLY_A[@]} = 0 ] || printf '%s\n' "${REPLY_A[@]}"
}

# ctrl_attr CTRL ATTR: a sysfs attribute of a controller (REPLY and stdout)
ctrl_attr() { _attr "/sys/class/nvme/$1/$2"; echo "$REPLY"; }

# ctrl_find [--nqn NQN] [--traddr A] [--trsvcid S] [--dc]: the first live
# controller matching all criteria (REPLY and stdout); fails if none
ctrl_find() {
    local want_nqn="" want_a="" want_s="" c v ok
    while [ $# -gt 0 ]; do
        case $1 in
            --nqn) _nqn "$2"; want_nqn=$REPLY; shift ;;
            --dc) want_nqn=$DISC_NQN ;;
            --traddr) want_a=$2; shift ;;
            --trsvcid) want_s=$2; shift ;;
            *) echo "ctrl_find: unknown option $1" >&2; return 2 ;;
        esac
        shift
    done
    for c in /sys/class/nvme/nvme*; do
        [ -e "$c" ] || continue
        ok=1
        if [ -n "$want_nqn" ]; then _attr "$c/subsysnqn"; [ "$REPLY" = "$want_nqn" ] || ok=0; fi
        _attr "$c/address"; v=$REPLY
        [ -n "$want_a" ] && [[ ,$v, != *",traddr=$want_a,"* ]] && ok=0
        [ -n "$want_s" ] && [[ ,$v, != *",trsvcid=$want_s,"* ]] && ok=0
        if [ $ok = 1 ]; then REPLY=${c##*/}; echo "$REPLY"; return 0; fi
    done
    REPLY=""
    return 1
}

# ctrl_namespaces CTRL: block devices (/dev/nvmeXnY) reached through CTRL,
# in REPLY_A and on stdout (native multipath: the subsystem's head device)
ctrl_namespaces() {
    local c=/sys/class/nvme/$1 x
    REPLY_A=()
    # native multipath: path nvme<S>c<C>n<N> under the controller, disk
    # nvme<S>n<N> (S = subsystem instance); without it: nvme<C>n<N>
    for x in "$c"/nvme*c*n* "$c"/nvme[0-9]*n[0-9]*; do
        [ -e "$x" ] || continue
        x=${x##*/}
        [[ $x == *c*n* ]] && x=${x%%c*}n${x##*n}     # nvme0c1n1 -> nvme0n1 (head)
        [ -b "/dev/$x" ] && [[ " ${REPLY_A[*]} " != *" /dev/$x "* ]] && REPLY_A+=("/dev/$x")
    done
    [ ${#REPLY_A[@]} = 0 ] || printf '%s\n' "${REPLY_A[@]}"
    [ ${#REPLY_A[@]} -gt 0 ]
}

# host_disconnect_all: delete every NVMe controller (synchronous, no exec)
host_disconnect_all() {
    local c
    for c in /sys/class/nvme/nvme*; do
        [ -w "$c/delete_controller" ] && _w "$c/delete_controller" 1 2>/dev/null
    done
    return 0
}

# ============================================================== services

# dbus_start: a system bus (dbus-daemon --system) whose configuration also
# includes the stas policy files of the source tree
# ($STAS_SRC/conf/dbus-1/system.d/*.conf) when that directory exists
dbus_start() {
    local d=$STAS_SRC/conf/dbus-1/system.d pid
    if [ -S /run/dbus/system_bus_socket ] && [ -r /run/dbus/pid ]; then
        read -r pid < /run/dbus/pid
        proc_alive "$pid" && return 0
    fi
    if [ -d "$d" ]; then
        cat > /etc/dbus-1/system-local.conf <<EOF || return 1
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- written by the stas VM test world (guest overlay only) -->
<busconfig>
  <includedir>$d</includedir>
</busconfig>
EOF
    fi
    [ -d /run/dbus ] || _bb mkdir -p /run/dbus
    _bb rm -f /run/dbus/pid /run/dbus/system_bus_socket
    dbus-daemon --system --fork || return 1
    wait_for 15 test -S /run/dbus/system_bus_socket || return 1
    # kept running across scenarios (the runner spares it)
    read -r pid < /run/dbus/pid && _w "$STAS_VM_KEEP/dbus-daemon.pid" "$pid"
}

# dbus_reload: make the bus re-read its configuration (new policy files)
dbus_reload() {
    dbus-send --system --type=method_call --print-reply --dest=org.freedesktop.DBus \
        /org/freedesktop/DBus org.freedesktop.DBus.ReloadConfig > /dev/null
}

# dbus_has_owner NAME: NAME is owned on the system bus
dbus_has_owner() {
    local out
    out=$(dbus-send --system --print-reply --dest=org.freedesktop.DBus \
        /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner "string:$1") || return 1
    [[ $out == *"boolean true"* ]]
}

# udevd_start: systemd-udevd, with nvme-cli's autoconnect rule masked so that
# nothing but the daemon under test reacts to NVMe uevents
udevd_start() {
    [ -S /run/udev/control ] && udevadm control --ping 2>/dev/null && return 0
    [ -d /etc/udev/rules.d ] || _bb mkdir -p /etc/udev/rules.d
    _bb ln -sfn /dev/null /etc/udev/rules.d/70-nvmf-autoconnect.rules || return 1
    /lib/systemd/systemd-udevd --daemon --resolve-names=never > "$STAS_VM_LOGDIR/udevd.log" 2>&1 || return 1
    wait_for 15 test -S /run/udev/control || return 1
    # kept running across scenarios (the runner spares it and its workers)
    local d c
    for d in /proc/[0-9]*; do
        read -r c 2>/dev/null < "$d/comm" && [ "$c" = systemd-udevd ] &&
            { _w "$STAS_VM_KEEP/udevd.pid" "${d#/proc/}"; break; }
    done
    return 0
}

# uevent_monitor FILE [--kernel|--udev]: record nvme uevents (with their
# properties) into FILE in the background; --udev (default) is what a
# libudev "udev" monitor such as stafd's receives (needs udevd_start)
uevent_monitor() {
    local f=$1 src=${2:---udev}
    udevadm monitor "$src" --property --subsystem-match=nvme > "$f" 2>&1 &
    _w "$STAS_VM_RUN/monitor.$!.pid" $!
    # udevadm prints its banner once it is subscribed
    wait_for 15 file_has "$f" "monitor will print"
}

# avahi_start [IFACE...]: avahi-daemon (with D-Bus, as stafd uses it) on the
# given interfaces (default lo; avahi 0.8 uses lo even without IFF_MULTICAST)
avahi_start() {
    local ifs="${*:-lo}" d=$STAS_VM_RUN/avahi
    [ -d "$d" ] || _bb mkdir -p "$d"
    cat > "$d/avahi-daemon.conf" <<EOF
[server]
host-name=stas-vm
domain-name=local
use-ipv4=yes
use-ipv6=yes
allow-interfaces=${ifs// /,}
ratelimit-interval-usec=1000000
ratelimit-burst=1000
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
EOF
    dbus_start || return 1
    avahi-daemon --daemonize --no-chroot --no-rlimits -f "$d/avahi-daemon.conf" \
        > "$STAS_VM_LOGDIR/avahi-daemon.log" 2>&1 || return 1
    wait_for 20 avahi-daemon --check
}

# avahi_publish NAME TYPE PORT [TXT...]: publish a service through the local
# avahi-daemon until avahi_unpublish NAME
avahi_publish() {
    local name=$1 type=$2 port=$3 log
    shift 3
    log=$STAS_VM_LOGDIR/avahi-publish-${name//[^A-Za-z0-9]/_}.log
    avahi-publish -s "$name" "$type" "$port" "$@" > "$log" 2>&1 &
    _w "$STAS_VM_RUN/publish-${name//[^A-Za-z0-9]/_}.pid" $!
    wait_for 20 file_has "$log" "Established"
}
# avahi_publish_dc NAME PORT [TXT...]: a discovery controller (_nvme-disc._tcp,
# TXT default p=tcp)
avahi_publish_dc() {
    local name=$1 port=$2; shift 2
    [ $# = 0 ] && set -- p=tcp
    avahi_publish "$name" _nvme-disc._tcp "$port" "$@"
}
avahi_unpublish() {
    local f=$STAS_VM_RUN/publish-${1//[^A-Za-z0-9]/_}.pid pid
    [ -r "$f" ] || return 1
    read -r pid < "$f"; _bb rm -f "$f"
    kill_wait "$pid"
}

# avahi_browse [TYPE]: resolved services, parsable (avahi-browse -rpt)
avahi_browse() { avahi-browse -rpt "${1:-_nvme-disc._tcp}"; }

# netns_pair [NS]: network namespace NS (default tgt) joined to the root netns
# by a veth pair: veth-h 10.99.0.1/24 fd00:99::1/64 (root ns) <->
# veth-t 10.99.0.2/24 fd00:99::2/64 (NS).  Sets NS_HOST_IF NS_TGT_IF
# NS_HOST_ADDR NS_TGT_ADDR NS_HOST_ADDR6 NS_TGT_ADDR6.
netns_pair() {
    local ns=${1:-tgt}
    NS_HOST_IF=veth-h NS_TGT_IF=veth-t
    NS_HOST_ADDR=10.99.0.1 NS_TGT_ADDR=10.99.0.2 NS_HOST_ADDR6=fd00:99::1 NS_TGT_ADDR6=fd00:99::2
    _modprobe veth || return 1
    ip netns add "$ns" || return 1
    ip -b - <<EOF || return 1
link add $NS_HOST_IF type veth peer name $NS_TGT_IF netns $ns
addr add $NS_HOST_ADDR/24 dev $NS_HOST_IF
addr add $NS_HOST_ADDR6/64 dev $NS_HOST_IF nodad
link set $NS_HOST_IF up
EOF
    ip -n "$ns" -b - <<EOF
addr add $NS_TGT_ADDR/24 dev $NS_TGT_IF
addr add $NS_TGT_ADDR6/64 dev $NS_TGT_IF nodad
link set $NS_TGT_IF up
link set lo up
EOF
}

# avahi_start_netns NS IFACE [NAME PORT [TXT...]]: a second avahi-daemon
# (no D-Bus) inside netns NS, in its own mount namespace (private /run and
# /etc/avahi), optionally publishing a discovery controller NAME on PORT
avahi_start_netns() {
    local ns=$1 ifc=$2 d=$STAS_VM_RUN/avahi-$1 txt="" t
    shift 2
    _bb mkdir -p "$d/services" || return 1
    cat > "$d/avahi-daemon.conf" <<EOF
[server]
host-name=stas-vm-$ns
domain-name=local
use-ipv4=yes
use-ipv6=yes
allow-interfaces=$ifc
enable-dbus=no
ratelimit-interval-usec=1000000
ratelimit-burst=1000
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
EOF
    if [ $# -ge 2 ]; then
        local name=$1 port=$2; shift 2
        [ $# = 0 ] && set -- p=tcp
        for t; do txt+="<txt-record>$t</txt-record>"; done
        cat > "$d/services/nvme-disc.service" <<EOF
<?xml version="1.0" standalone='no'?>
<!DOCTYPE service-group SYSTEM "avahi-service.dtd">
<service-group>
  <name>$name</name>
  <service><type>_nvme-disc._tcp</type><port>$port</port>$txt</service>
</service-group>
EOF
    fi
    nsenter --net="/run/netns/$ns" unshare -m sh -c "
        mount --bind '$d' /etc/avahi && mount -t tmpfs tmpfs /run &&
        exec avahi-daemon --no-chroot --no-rlimits -f /etc/avahi/avahi-daemon.conf" \
        > "$STAS_VM_LOGDIR/avahi-daemon-$ns.log" 2>&1 &
    _w "$STAS_VM_RUN/avahi-$ns.pid" $!
    wait_for 20 file_has "$STAS_VM_LOGDIR/avahi-daemon-$ns.log" "Server startup complete"
}

# ============================================================== stas daemons

# start_daemon NAME CONF [ARGS...]: $STAS_BUILD/NAME -f CONF ARGS in the
# background, output to $STAS_VM_LOGDIR/NAME.log; fails (127) when the binary
# is not built.  daemon_pid NAME gives its pid.
start_daemon() {
    local name=$1 conf=$2 bin=$STAS_BUILD/$1
    shift 2
    [ -x "$bin" ] || { echo "start_daemon: $bin is not built" >&2; return 127; }
    "$bin" -f "$conf" "$@" > "$STAS_VM_LOGDIR/$name.log" 2>&1 &
    _w "$STAS_VM_RUN/daemon-$name.pid" $!
}
daemon_pid() { _attr "$STAS_VM_RUN/daemon-$1.pid"; [ -n "$REPLY" ] && echo "$REPLY"; }
daemon_running() { daemon_pid "$1" > /dev/null && proc_alive "$REPLY"; }

# stop_daemon NAME [TIMEOUT]: SIGTERM, wait up to TIMEOUT (10) s, then
# SIGKILL; returns the daemon's exit status (124 if it had to be killed)
stop_daemon() {
    local pid rc=0
    daemon_pid "$1" > /dev/null || { echo "stop_daemon: $1 was not started" >&2; return 1; }
    pid=$REPLY
    rm -f "$STAS_VM_RUN/daemon-$1.pid"
    kill -TERM "$pid" 2>/dev/null
    if ! wait_for "${2:-10}" not proc_alive "$pid"; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        return 124
    fi
    wait "$pid" 2>/dev/null || rc=$?
    return $rc
}

# stas_ctl NAME ARGS...: run $STAS_BUILD/NAME (stafctl, stacctl)
stas_ctl() {
    local bin=$STAS_BUILD/$1
    shift
    [ -x "$bin" ] || { echo "stas_ctl: $bin is not built" >&2; return 127; }
    "$bin" "$@"
}

# fabric_up: the usual base of a scenario: host identity + nvme-tcp, target
# modules, system bus, udevd
fabric_up() {
    host_identity "" && host_init && target_init && dbus_start && udevd_start
}
