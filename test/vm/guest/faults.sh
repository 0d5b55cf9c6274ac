# shellcheck shell=bash
# Assertions shared by the fault scenarios (test/vm/scenarios/fault-*.sh), sourced after
# guest/lib.sh.  Generic: no assumption about the fabric, the configuration or which daemons
# run.  The guarantee they check (SPEC [NFR-2], [BAD-0], behaviour §3.6, §7.2-§7.5): a fault
# (port down, daemon killed, Avahi gone, uevent storm ...) loses no connection, and afterwards
# the daemons agree with the kernel.
#
#   fault_netns_fabric KATO SUB...        set-up: a target port that can go down (netns + veth)
#   fault_ctrls [CLASS]                   the kernel's fabrics controllers, one line each
#   fault_snapshot NAME [CLASS]           save them to the log file NAME
#   fault_same_ctrls NAME [--any-cntlid] [--new N]
#                                         the same kernel devices as in snapshot NAME (+ N new)
#   fault_no_duplicates [CLASS]           no two controllers for the same connection
#   fault_all_live [CLASS]                every controller is live (and there is one at least)
#   fault_states_are CLASS STATE...       every controller is in one of STATEs (at least one)
#   fault_daemon_agrees stafd|stacd [TAG] `stafctl/stacctl ls -d` = the kernel's DCs/IOCs
#   fault_no_disconnect [LOG...]          no "Disconnect initiated" in the stafd/stacd logs
#   fault_watch NAME / fault_no_uevent NAME ACTION...
#                                         kernel nvme uevents into log file NAME; none of ACTIONs
#   fault_count_ge NAME TEXT N            log file NAME has >= N lines with TEXT
#   fault_log_after NAME FIRST THEN       log file NAME has a THEN line after a FIRST line
#   fault_sigkill DAEMON [TAG]            SIGKILL, wait, keep its log as DAEMON-TAG.log
#   fault_save_log DAEMON TAG             keep DAEMON.log as DAEMON-TAG.log before a restart
#   fault_wait SECS CMD...                wait_for, printing the output of CMD's last run
#   fault_verify TAG SNAP [--any-cntlid] [DAEMON...]
#                                         all of the above as checks named TAG-...
#
# CLASS is io, discovery or all (the default); it is the kernel's cntrltype attribute, which
# the daemons use to classify devices when present (behaviour §2.3, kernel >= 5.18).
# The assertion helpers print what differs (so `check NAME fault_... ` shows it in output.log)
# and return non-zero on a mismatch.

# fault_netns_fabric KATO SUB...: a fabric whose port can go down: netns tgt joined by veth
# (netns_pair), port 1 at $NS_TGT_ADDR:8009 in it serving the DC and the subsystems SUB...;
# $STAFD_CONF with that DC and $STACD_CONF (tron, kato KATO, reconnect-delay 1,
# ctrl-loss-tmo 600: the kernel keeps retrying every second); fresh state files.  Needs
# guest/stafd.sh and guest/stacd.sh.  The port goes down with `ip link set $NS_HOST_IF down`
# (connects fail at once, established connections lose every packet) and up with `... up`.
fault_netns_fabric() {
    local kato=$1 s p
    shift
    netns_pair tgt || return 1
    _bb rm -rf /run/stafd /run/stacd
    target_port 1 "$NS_TGT_ADDR" 8009 --netns tgt || return 1
    for s; do target_subsys "$s" --ns none && target_link "$s" 1 || return 1; done
    p="kato = $kato"$'\n'"reconnect-delay = 1"$'\n'"ctrl-loss-tmo = 600"
    printf '[Global]\ntron = true\n%s\n\n[Service Discovery]\nzeroconf = disabled\n\n[Controllers]\ncontroller = transport=tcp;traddr=%s;trsvcid=8009\n' \
        "$p" "$NS_TGT_ADDR" > "$STAFD_CONF" || return 1
    stacd_conf "[Global]" "tron = true" "$p" "nr-io-queues = 1"
}

# _fault_addr ADDRESS: the traddr, trsvcid and host_iface items of a controller's address
# attribute, in FAULT_TRADDR FAULT_TRSVCID FAULT_IFACE
_fault_addr() {
    local item
    FAULT_TRADDR="" FAULT_TRSVCID="" FAULT_IFACE=""
    local -a items
    IFS=, read -r -a items <<< "$1"
    for item in "${items[@]}"; do
        case $item in
            traddr=*) FAULT_TRADDR=${item#traddr=} ;;
            trsvcid=*) FAULT_TRSVCID=${item#trsvcid=} ;;
            host_iface=*) FAULT_IFACE=${item#host_iface=} ;;
        esac
    done
}

# fault_ctrls [CLASS]: the kernel's fabrics controllers (transport tcp, rdma, fc or loop; the
# ones stas manages, behaviour §2.2) of CLASS, one line each, in REPLY_A and on stdout:
#   NAME INODE CNTRLTYPE STATE CNTLID TRANSPORT TRADDR TRSVCID HOST_IFACE SUBSYSNQN HOSTNQN
# ('-' for an empty field; a space in STATE becomes '_', as in deleting_(noio)).  INODE is the
# inode of the controller's sysfs directory: kernfs numbers its nodes cyclically, so a
# controller deleted and created again under the same name (nvmeN names and target cntlids
# are both re-used, lowest free first) has a new INODE, while a kernel reconnect keeps it.
fault_ctrls() {
    local cls=${1:-all} c n ino ty tr st cid nqn hnqn
    local -A inode=()
    local -a devs=(/sys/class/nvme/nvme*)
    REPLY_A=()
    [ -e "${devs[0]}" ] || return 0
    # one exec for every inode (a controller may vanish meanwhile: its line is missing)
    while read -r n ino; do
        inode[${n##*/}]=$ino
    done <<< "$(_bb stat -L -c '%n %i' "${devs[@]}" 2>/dev/null)"
    for c in "${devs[@]}"; do
        n=${c##*/}
        _attr "$c/transport"; tr=$REPLY
        case $tr in tcp | rdma | fc | loop) ;; *) continue ;; esac
        _attr "$c/cntrltype"; ty=$REPLY
        [ "$cls" = all ] || [ "$ty" = "$cls" ] || continue
        _attr "$c/state"; st=${REPLY// /_}
        _attr "$c/cntlid"; cid=$REPLY
        _attr "$c/subsysnqn"; nqn=$REPLY
        _attr "$c/hostnqn"; hnqn=$REPLY
        _attr "$c/address"; _fault_addr "$REPLY"
        REPLY_A+=("$n ${inode[$n]:--} ${ty:--} ${st:--} ${cid:--} $tr ${FAULT_TRADDR:--} ${FAULT_TRSVCID:--} ${FAULT_IFACE:--} ${nqn:--} ${hnqn:--}")
    done
    [ ${#REPLY_A[@]} = 0 ] || printf '%s\n' "${REPLY_A[@]}"
}

# fault_snapshot NAME [CLASS]: save fault_ctrls CLASS to the log file NAME (first line
# "# class=CLASS"); fails when there is no such controller (a snapshot of nothing proves
# nothing)
fault_snapshot() {
    local f=$STAS_VM_LOGDIR/$1 cls=${2:-all}
    fault_ctrls "$cls" > /dev/null
    { echo "# class=$cls"; [ ${#REPLY_A[@]} = 0 ] || printf '%s\n' "${REPLY_A[@]}"; } > "$f"
    [ ${#REPLY_A[@]} = 0 ] || printf '%s\n' "${REPLY_A[@]}"
    [ ${#REPLY_A[@]} -gt 0 ] || { echo "fault_snapshot: no $cls controller" >&2; return 1; }
}

# fault_same_ctrls NAME [--any-cntlid] [--new N]: the kernel has exactly the controllers of
# snapshot NAME (of its class): same names and same devices (INODE), same connection (type,
# transport, addresses, NQNs) and, unless --any-cntlid, the same controller ID on the target.
# A kernel reconnect (after kato) may get a new cntlid from the target: use --any-cntlid there.
# With --new N, exactly N controllers that are not in the snapshot must exist besides (e.g. a
# subsystem added during the fault).  The state is not compared (fault_all_live does).
fault_same_ctrls() {
    local f=$STAS_VM_LOGDIR/$1 any=0 new=0 cls=all l n bad=0 added=0
    shift
    while [ $# -gt 0 ]; do
        case $1 in
            --any-cntlid) any=1 ;;
            --new) new=$2; shift ;;
            *) echo "fault_same_ctrls: unknown option $1" >&2; return 2 ;;
        esac
        shift
    done
    [ -r "$f" ] || { echo "fault_same_ctrls: no snapshot ${f##*/}" >&2; return 1; }
    local -A was=() now=()
    local -a a b
    while IFS= read -r l; do
        case $l in
            "# class="*) cls=${l#\# class=} ;;
            *) was[${l%% *}]=$l ;;
        esac
    done < "$f"
    fault_ctrls "$cls" > /dev/null
    for l in "${REPLY_A[@]}"; do now[${l%% *}]=$l; done
    for n in "${!was[@]}"; do
        if [ -z "${now[$n]:-}" ]; then
            echo "lost: ${was[$n]}"; bad=1; continue
        fi
        read -r -a a <<< "${was[$n]}"
        read -r -a b <<< "${now[$n]}"
        # fields: 0 name 1 inode 2 type 3 state 4 cntlid 5.. connection
        if [ "${a[1]}" != "${b[1]}" ] || [ "${a[2]}" != "${b[2]}" ] ||
            [ "${a[*]:5}" != "${b[*]:5}" ] || { [ $any = 0 ] && [ "${a[4]}" != "${b[4]}" ]; }; then
            echo "replaced: was ${was[$n]}"
            echo "          now ${now[$n]}"
            bad=1
        fi
    done
    for n in "${!now[@]}"; do
        [ -n "${was[$n]:-}" ] || { echo "new: ${now[$n]}"; added=$((added + 1)); }
    done
    [ $added = "$new" ] || { echo "$added new controller(s), expected $new"; bad=1; }
    [ $bad = 0 ] && echo "same ${#was[@]} $cls controller(s) as in ${f##*/}, $added new"
    [ $bad = 0 ]
}

# fault_no_duplicates [CLASS]: no two controllers (not being deleted) for the same connection
# (type, transport, traddr, trsvcid, host_iface, subsysnqn, hostnqn)
fault_no_duplicates() {
    local l key bad=0
    local -A seen=()
    local -a f
    fault_ctrls "${1:-all}" > /dev/null
    for l in "${REPLY_A[@]}"; do
        read -r -a f <<< "$l"
        case ${f[3]} in deleting* | dead) continue ;; esac
        key="${f[2]} ${f[*]:5}"
        if [ -n "${seen[$key]:-}" ]; then
            echo "duplicate: ${seen[$key]%% *} and ${f[0]}: $key"; bad=1
        else
            seen[$key]=$l
        fi
    done
    [ $bad = 0 ] && echo "no duplicate among ${#REPLY_A[@]} controller(s)"
    [ $bad = 0 ]
}

# fault_states_are CLASS STATE...: every controller of CLASS is in one of the STATEs (sysfs
# names, with '_' for a space), and there is at least one
fault_states_are() {
    local cls=$1 l s ok bad=0
    shift
    local -a f
    fault_ctrls "$cls" > /dev/null
    [ ${#REPLY_A[@]} -gt 0 ] || { echo "no $cls controller"; return 1; }
    for l in "${REPLY_A[@]}"; do
        read -r -a f <<< "$l"
        ok=0
        for s; do [ "${f[3]}" = "$s" ] && ok=1; done
        [ $ok = 1 ] || { echo "${f[0]} is ${f[3]}, not $*"; bad=1; }
    done
    [ $bad = 0 ] && echo "${#REPLY_A[@]} $cls controller(s): $*"
    [ $bad = 0 ]
}

# fault_all_live [CLASS]: every controller of CLASS is live (at least one)
fault_all_live() { fault_states_are "${1:-all}" live; }

# _fault_ls_parse FILE: the controllers of a `stafctl ls -d` / `stacctl ls -d` output (JSON
# with indent 2 and sorted keys, spec/cli.md §2), one per line in REPLY_A:
#   DEVICE CONNECTED TRANSPORT TRADDR TRSVCID HOST_IFACE SUBSYSNQN     ('-' for empty)
_fault_ls_parse() {
    local l k v in=0 dev con tr a s ifc nqn
    REPLY_A=()
    while IFS= read -r l || [ -n "$l" ]; do
        case $l in
            '  {')
                in=1 dev="" con="" tr="" a="" s="" ifc="" nqn="" ;;
            '  }' | '  },')
                [ $in = 1 ] && REPLY_A+=("${dev:--} ${con:--} ${tr:--} ${a:--} ${s:--} ${ifc:--} ${nqn:--}")
                in=0 ;;
            '    "'*)
                k=${l#    \"}; k=${k%%\"*}
                v=${l#*\": \"}; v=${v%,}; v=${v%\"}
                case $k in
                    device) dev=$v ;;
                    connected) con=$v ;;
                    transport) tr=$v ;;
                    traddr) a=$v ;;
                    trsvcid) s=$v ;;
                    host-iface) ifc=$v ;;
                    subsysnqn) nqn=$v ;;
                esac ;;
        esac
    done < "$1"
}

# fault_daemon_agrees stafd|stacd [TAG]: the daemon's `ls -d` (kept in the log file
# TAG-ls-d.json, default <ctl>-ls-d.json) lists exactly the kernel's discovery (stafd) or I/O
# (stacd) controllers: one entry per kernel device, "connected": "True", the same device
# name, transport, traddr, trsvcid, host-iface (when the entry has one) and subsysnqn (for a
# DC listed with the well-known discovery NQN the kernel may report the DC's unique NQN);
# no entry without a device
fault_daemon_agrees() {
    local d=$1 ctl cls out l bad=0
    case $d in
        stafd) ctl=stafctl cls=discovery ;;
        stacd) ctl=stacctl cls=io ;;
        *) echo "fault_daemon_agrees: stafd or stacd, not $d" >&2; return 2 ;;
    esac
    out=$STAS_VM_LOGDIR/${2:-$ctl}-ls-d.json
    stas_ctl "$ctl" ls -d > "$out" 2>&1 || { echo "$ctl ls -d failed:"; cat "$out"; return 1; }
    local -A k=() listed=()
    local -a e f
    fault_ctrls "$cls" > /dev/null
    for l in "${REPLY_A[@]}"; do k[${l%% *}]=$l; done
    _fault_ls_parse "$out"
    for l in "${REPLY_A[@]}"; do
        read -r -a e <<< "$l"
        # e: 0 device 1 connected 2 transport 3 traddr 4 trsvcid 5 host-iface 6 subsysnqn
        if [ "${e[1]}" != True ] || [ -z "${k[${e[0]}]:-}" ]; then
            echo "$d lists ${e[*]} (connected=${e[1]}): no such $cls controller in the kernel"
            bad=1; continue
        fi
        if [ -n "${listed[${e[0]}]:-}" ]; then
            echo "$d lists ${e[0]} twice"; bad=1; continue
        fi
        listed[${e[0]}]=1
        read -r -a f <<< "${k[${e[0]}]}"
        # f: 0 name 1 inode 2 type 3 state 4 cntlid 5 transport 6 traddr 7 trsvcid 8 iface 9 nqn
        if [ "${e[2]}" != "${f[5]}" ] || [ "${e[3]}" != "${f[6]}" ] || [ "${e[4]}" != "${f[7]}" ] ||
            { [ "${e[5]}" != - ] && [ "${e[5]}" != "${f[8]}" ]; } ||
            { [ "${e[6]}" != "${f[9]}" ] && ! { [ $cls = discovery ] && [ "${e[6]}" = "$DISC_NQN" ]; }; }; then
            echo "$d: ${e[*]}"
            echo "  kernel: ${f[*]}"
            bad=1
        fi
    done
    for l in "${!k[@]}"; do
        [ -n "${listed[$l]:-}" ] || { echo "$d does not list the kernel's ${k[$l]}"; bad=1; }
    done
    [ $bad = 0 ] && echo "$d lists the kernel's ${#k[@]} $cls controller(s)"
    [ $bad = 0 ]
}

# fault_no_disconnect [LOG...]: none of the log files (default: every stafd*.log and stacd*.log
# of this scenario, so also logs kept by fault_save_log) has "Disconnect initiated"
# (behaviour §3.5: every disconnect stas initiates is logged so)
fault_no_disconnect() {
    local f bad=0 l
    local -a logs=("$@")
    [ $# -gt 0 ] || logs=("$STAS_VM_LOGDIR"/stafd*.log "$STAS_VM_LOGDIR"/stacd*.log)
    for f in "${logs[@]}"; do
        [[ $f == /* ]] || f=$STAS_VM_LOGDIR/$f
        [ -r "$f" ] || continue
        while IFS= read -r l || [ -n "$l" ]; do
            [[ $l == *"Disconnect initiated"* ]] && { echo "${f##*/}: $l"; bad=1; }
        done < "$f"
    done
    [ $bad = 0 ] && echo "no disconnect initiated in: ${logs[*]##*/}"
    [ $bad = 0 ]
}

# fault_watch NAME: record the kernel's nvme uevents (controller devices only: subsystem
# nvme) with their properties into the log file NAME, from now on (until the scenario ends)
fault_watch() { uevent_monitor "$STAS_VM_LOGDIR/$1" --kernel; }

# fault_no_uevent NAME ACTION...: the uevent log NAME (fault_watch) has no event with one of
# the ACTIONs (e.g. remove add: no controller deleted, none created)
fault_no_uevent() {
    local f=$STAS_VM_LOGDIR/$1 l a hdr="" bad=0
    shift
    [ -r "$f" ] || { echo "fault_no_uevent: no uevent log $f" >&2; return 1; }
    while IFS= read -r l || [ -n "$l" ]; do
        [[ $l == KERNEL\[* ]] && hdr=$l
        for a; do [ "$l" = "ACTION=$a" ] && { echo "$hdr"; bad=1; }; done
    done < "$f"
    [ $bad = 0 ] && echo "no nvme uevent $* in ${f##*/}"
    [ $bad = 0 ]
}

# fault_sigkill DAEMON [TAG]: SIGKILL the daemon started by start_daemon (no clean shutdown:
# no state file written at exit, nothing released), wait until it is gone, and keep its log
# as DAEMON-TAG.log (default TAG: killed), which a restart would truncate
fault_sigkill() {
    local pid
    daemon_pid "$1" > /dev/null || { echo "fault_sigkill: $1 was not started" >&2; return 1; }
    pid=$REPLY
    kill -KILL "$pid" || return 1
    wait_for 10 not proc_alive "$pid" || { echo "fault_sigkill: $1 ($pid) still runs" >&2; return 1; }
    wait "$pid" 2> /dev/null
    _bb rm -f "$STAS_VM_RUN/daemon-$1.pid"
    fault_save_log "$1" "${2:-killed}"
}

# fault_save_log DAEMON TAG: rename DAEMON.log to DAEMON-TAG.log (start_daemon truncates
# DAEMON.log; fault_no_disconnect reads both)
fault_save_log() { _bb mv "$STAS_VM_LOGDIR/$1.log" "$STAS_VM_LOGDIR/$1-$2.log"; }

# fault_count_ge NAME TEXT N: at least N lines of the log file NAME contain TEXT (a glob)
fault_count_ge() {
    count_lines "$STAS_VM_LOGDIR/$1" "$2" > /dev/null
    echo "$REPLY line(s) of $1 with \"$2\" (want >= $3)"
    [ "$REPLY" -ge "$3" ]
}

# fault_log_after NAME FIRST THEN: in the log file NAME, a line with THEN follows a line with
# FIRST (texts are globs), e.g. a DLP read after the kernel's rediscover event
fault_log_after() {
    local l found=0
    [ -r "$STAS_VM_LOGDIR/$1" ] || { echo "fault_log_after: no log $1" >&2; return 1; }
    while IFS= read -r l || [ -n "$l" ]; do
        if [ $found = 0 ]; then
            [[ $l == *$2* ]] && found=1
        elif [[ $l == *$3* ]]; then
            echo "$1: \"$3\" after \"$2\""
            return 0
        fi
    done < "$STAS_VM_LOGDIR/$1"
    echo "$1: no \"$3\" after \"$2\" (first found: $found)"
    return 1
}

# fault_wait SECS CMD...: poll CMD every 0.1 s until it succeeds or SECS passed (as wait_for),
# then print the output of its last run (why it still fails, or what it found)
fault_wait() {
    local us end f=$STAS_VM_LOGDIR/.fault-wait.out rc l
    _secs_to_us us "$1"
    shift
    end=$((${EPOCHREALTIME/./} + us))
    while :; do
        "$@" > "$f" 2>&1 && rc=0 && break
        rc=1
        [ "${EPOCHREALTIME/./}" -gt "$end" ] && { echo "still failing after the wait:"; break; }
        stas_sleep 0.1
    done
    while IFS= read -r l || [ -n "$l" ]; do echo "$l"; done < "$f"
    return $rc
}

# fault_verify TAG SNAP [--any-cntlid] [DAEMON...]: the after-fault checks, each a check named
# TAG-<what>: every fabrics controller live again (waits up to FAULT_SETTLE s, default 60),
# the same devices as in snapshot SNAP (fault_same_ctrls), no duplicate connection, each
# DAEMON (stafd, stacd) agrees with the kernel (waits up to FAULT_SETTLE s), no disconnect
# initiated by stas.  Returns non-zero if one of them failed.
fault_verify() {
    local tag=$1 snap=$2 any="" d rc=0 t=${FAULT_SETTLE:-60}
    shift 2
    [ "${1:-}" = --any-cntlid ] && { any=$1; shift; }
    check "$tag-all-live" fault_wait "$t" fault_all_live all || rc=1
    check "$tag-same-devices" fault_same_ctrls "$snap" ${any:+"$any"} || rc=1
    check "$tag-no-duplicates" fault_no_duplicates all || rc=1
    for d; do
        check "$tag-$d-agrees" fault_wait "$t" fault_daemon_agrees "$d" "$tag-$d" || rc=1
    done
    check "$tag-no-disconnect" fault_no_disconnect || rc=1
    return $rc
}
