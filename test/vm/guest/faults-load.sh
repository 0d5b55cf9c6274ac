# shellcheck shell=bash
# Helpers of the load fault scenarios (fault-aen-storm, fault-udev-overflow,
# fault-200-port-flap), sourced after guest/lib.sh and guest/faults.sh:
#
#   tinybuf_start_daemon NAME CONF [ARGS]  start_daemon with build/stas-tinybuf (tiny udev
#                                          receive buffer, test/CMakeLists.txt)
#   status_value CTL KEY                   a value of `stafctl/stacctl status`
#   target_subsys_many NAME...             subsystems without namespace (few execs)
#   target_link_many PORT NAME...          link them to PORT (one exec)
#   target_storm PORT NAME CYCLES [BURST PAUSE]
#                                          CYCLES link+unlink of NAME on PORT (one exec)
#   dlp_is_target TRADDR TRSVCID PORT      stafctl dlp lists exactly what PORT exports
#   ctrl_delete NAME...                    delete the controllers of subsystems NAME
#   ctrl_count_is CLASS STATE N            N controllers of CLASS in STATE (or any)
#   mem_available                          MemAvailable in MiB
#   tcp_kill [--netns NS] FILTER...        kill the matching TCP connections (ss -K)

# tinybuf_start_daemon NAME CONF [ARGS...]: start_daemon, but the personality of
# build/stas-tinybuf (build/tinybuf-bin/NAME): the shipped code with a 4 KiB udev monitor
# receive buffer, so that the kernel drops uevents when the daemon does not read them
tinybuf_start_daemon() { STAS_BUILD=$STAS_BUILD/tinybuf-bin start_daemon "$@"; }

# status_value CTL KEY: the value of KEY in `CTL status` (process_info, spec/dbus.md §5.6),
# in REPLY and on stdout
status_value() {
    local out l
    REPLY=""
    out=$(stas_ctl "$1" status 2>/dev/null) || return 1
    while IFS= read -r l; do
        [[ $l == *"\"$2\": \""* ]] || continue
        l=${l#*\""$2"\": \"}
        REPLY=${l%%\"*}
        echo "$REPLY"
        return 0
    done <<< "$out"
    return 1
}

# target_subsys_many NAME...: subsystems without namespace that allow any host (as
# target_subsys NAME --ns none), with one mkdir exec for all of them
target_subsys_many() {
    local n d=()
    target_init || return 1
    for n; do _nqn "$n"; d+=("$NVMET/subsystems/$REPLY"); done
    _bb mkdir "${d[@]}" || return 1
    for n in "${d[@]}"; do _w "$n/attr_allow_any_host" 1 || return 1; done
}

# target_link_many PORT NAME...: target_link of every NAME, with one ln exec (in the port's
# netns, where nvmet-tcp opens the listener)
target_link_many() {
    local port=$1 n s=()
    shift
    for n; do _nqn "$n"; s+=("$NVMET/subsystems/$REPLY"); done
    _nsrun "$port" ln -s "${s[@]}" "$NVMET/ports/$port/subsystems/"
}

# target_storm PORT NAME CYCLES [BURST PAUSE]: link NAME to PORT and unlink it again, CYCLES
# times (2 x CYCLES discovery log changes, each one a DLP-change AEN for every discovery
# controller of the port whose AEN is armed), from one perl process: in bursts of BURST
# cycles as fast as the kernel allows, PAUSE seconds apart (default: one burst).  NAME ends
# unlinked.  Prints the number of changes made.
target_storm() {
    _nqn "$2"
    perl -e 'my ($s, $l, $n, $b, $p) = @ARGV; my $c = 0;
        for my $i (1 .. $n) { symlink($s, $l) or die "link: $!\n"; $c++;
                              unlink($l) or die "unlink: $!\n"; $c++;
                              select(undef, undef, undef, $p) if $i % $b == 0 && $i < $n }
        print "$c\n"' \
        "$NVMET/subsystems/$REPLY" "$NVMET/ports/$1/subsystems/$REPLY" "$3" "${4:-$3}" "${5:-0}"
}

# dlp_is_target TRADDR TRSVCID PORT: the log page stafd serves for the DC at TRADDR:TRSVCID
# (`stafctl dlp`) lists exactly the subsystems linked to target PORT plus the discovery
# subsystem itself, each once; prints the difference
dlp_is_target() {
    local out l bad=0 n
    local -A want=() got=()
    out=$(stas_ctl stafctl dlp -t tcp -a "$1" -s "$2" 2>&1) || { echo "stafctl dlp: $out"; return 1; }
    target_port_subsystems "$3" > /dev/null
    for n in "${REPLY_A[@]}" "$DISC_NQN"; do want[$n]=1; done
    while IFS= read -r l; do
        [[ $l == *'"subnqn": "'* ]] || continue
        l=${l#*\"subnqn\": \"}; l=${l%%\"*}
        [ -n "${got[$l]:-}" ] && { echo "listed twice: $l"; bad=1; }
        got[$l]=1
        [ -n "${want[$l]:-}" ] || { echo "not exported by port $3: $l"; bad=1; }
    done <<< "$out"
    for n in "${!want[@]}"; do [ -n "${got[$n]:-}" ] || { echo "missing: $n"; bad=1; }; done
    [ $bad = 0 ] && echo "the DLP lists the ${#want[@]} entries port $3 exports"
    [ $bad = 0 ]
}

# ctrl_delete NAME...: delete the kernel controller of each subsystem NAME (as
# `nvme disconnect` does, without an exec)
ctrl_delete() {
    local n
    for n; do
        ctrl_find --nqn "$n" > /dev/null || { echo "ctrl_delete: no controller for $n" >&2; return 1; }
        _w "/sys/class/nvme/$REPLY/delete_controller" 1 || return 1
    done
}

# ctrl_count_is CLASS STATE N: the kernel has N fabrics controllers of CLASS (fault_ctrls)
# in STATE (any: any state); no exec per controller
ctrl_count_is() {
    local l n=0
    local -a f
    fault_ctrls "$1" > /dev/null
    for l in "${REPLY_A[@]}"; do
        read -r -a f <<< "$l"
        [ "$2" = any ] || [ "${f[3]}" = "$2" ] && n=$((n + 1))
    done
    echo "$n $1 controller(s) $2 (want $3)"
    [ $n = "$3" ]
}

# mem_available: MemAvailable of the guest in MiB (REPLY and stdout)
mem_available() {
    local k v
    while read -r k v _; do
        [ "$k" = MemAvailable: ] && { REPLY=$((v / 1024)); echo "$REPLY MiB"; return 0; }
    done < /proc/meminfo
    return 1
}

# tcp_kill [--netns NS] FILTER...: kill (ss -K) the TCP connections matching the ss FILTER,
# again until none is left (a dump that runs while sockets go away can miss some)
tcp_kill() {
    local ns=() out i
    [ "$1" = --netns ] && { ns=(nsenter --net="/run/netns/$2"); shift 2; }
    for ((i = 0; i < 10; i++)); do
        out=$("${ns[@]}" ss -K -t -H "$@") || return 1
        [ -z "$out" ] && return 0
        echo "$out"
    done
    echo "tcp_kill: connections left after $i rounds" >&2
    return 1
}
