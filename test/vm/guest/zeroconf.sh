# shellcheck shell=bash
# Helpers shared by the zeroconf scenarios (sourced after guest/lib.sh and guest/stafd.sh):
# stafd finds its discovery controllers through a real avahi-daemon.

ZC_DC_NAME=${ZC_DC_NAME:-stas-vm-dc}

# zc_conf LINE...: a stafd.conf with zeroconf enabled (the default), tron, kato=30 and the
# given lines (sections included), no controller= line
# shellcheck disable=SC2120  # (arguments are optional)
zc_conf() {
    { printf '[Global]\ntron = true\nkato = 30\n'; printf '%s\n' "$@"; } > "$STAFD_CONF"
}

# zc_stafd: start stafd (without a state file left by an earlier scenario: a restored
# mDNS-discovered DC would be kept and connected) and wait for its bus name
zc_stafd() {
    _bb rm -f /run/stafd/last-known-config.json
    start_daemon stafd "$STAFD_CONF" || return 1
    wait_for 15 dbus_has_owner org.nvmexpress.staf
}

# zc_hup: SIGHUP to stafd
zc_hup() { kill -HUP "$(daemon_pid stafd)"; }

# zc_ls_d FILE: stafctl ls -d into FILE (in the scenario's log directory)
zc_ls_d() { stas_ctl stafctl ls -d > "$(logfile "$1")" 2>&1; }
# zc_status FILE: stafctl status into FILE
zc_status() { stas_ctl stafctl status > "$(logfile "$1")" 2>&1; }

# TEXT of the *_has helpers (and of lib.sh's file_has) is a glob: write \[ for [.
# zc_ls_has TEXT: stafctl ls -d output contains TEXT (a fresh call each time; to check
# several keys of one state, take a snapshot with zc_ls_d and use file_has)
zc_ls_has() { zc_ls_d ls-d.json && file_has "$(logfile ls-d.json)" "$1"; }
# zc_status_has TEXT: stafctl status output contains TEXT
zc_status_has() { zc_status status.json && file_has "$(logfile status.json)" "$1"; }
# zc_dc_listed TRADDR: stafd lists a DC at TRADDR
zc_dc_listed() { zc_ls_has "\"traddr\": \"$1\""; }

# zc_dc_attr ATTR: ATTR of the kernel's (only) discovery controller
zc_dc_attr() { local c; c=$(ctrl_find --dc) || return 1; ctrl_attr "$c" "$1"; }
# zc_dc_via IFACE: the kernel's discovery controller is bound to IFACE (host_iface=)
zc_dc_via() { [[ ,$(zc_dc_attr address), == *",host_iface=$1,"* ]]; }

# zc_log_has TEXT: stafd's log contains TEXT; zc_log_count_is TEXT N: N lines do
zc_log_has() { file_has "$(logfile stafd.log)" "$1"; }
zc_log_count_is() { [ "$(count_lines "$(logfile stafd.log)" "$1")" = "$2" ]; }

# zc_avahi_restart: stop the system avahi-daemon and start it again (same configuration)
zc_avahi_restart() {
    avahi-daemon --kill > /dev/null 2>&1 || return 1
    wait_for 10 not dbus_has_owner org.freedesktop.Avahi || return 1
    avahi-daemon --daemonize --no-chroot --no-rlimits -f "$STAS_VM_RUN/avahi/avahi-daemon.conf" \
        >> "$STAS_VM_LOGDIR/avahi-daemon.log" 2>&1 || return 1
    wait_for 20 avahi-daemon --check
}

# zc_dlp_count_is TRADDR TRSVCID IFACE N: stafd serves N log page entries for the DC at
# TRADDR:TRSVCID on IFACE (an mDNS DC's TID has the interface)
zc_dlp_count_is() {
    local out
    out=$(stas_ctl stafctl dlp -t tcp -a "$1" -s "$2" -f "$3" 2>/dev/null) || return 1
    [ "$(grep -c '"subnqn"' <<< "$out")" = "$4" ]
}

# zc_publish_bg NAME PORT [TXT...]: avahi_publish_dc in the background, so that several
# adverts probe their names at the same time; zc_published NAME: its avahi-publish reported
# the service established
zc_publish_bg() { avahi_publish_dc "$@" > /dev/null 2>&1 & }
zc_published() { file_has "$STAS_VM_LOGDIR/avahi-publish-${1//[^A-Za-z0-9]/_}.log" "Established"; }

# zc_service NAME: stafd's key of the advert NAME seen on lo over IPv4
zc_service() { echo "(lo, IPv4, $1.local, _nvme-disc._tcp)"; }
# zc_service_attr FILE NAME ATTR: ATTR of that service in the stafctl status snapshot FILE
# (see zc_status); fails when the service is not listed or has no ATTR (an unidentified
# service has no transport, traddr, trsvcid, host-iface or subsysnqn)
zc_service_attr() {
    local key line found=0
    key="\"$(zc_service "$2")\": {"
    while IFS= read -r line; do
        if [ $found = 0 ]; then
            [[ $line == *"$key"* ]] && found=1
            continue
        fi
        [[ $line == *"}"* ]] && return 1
        if [[ $line == *"\"$3\": \""* ]]; then
            line=${line#*\""$3"\": \"}
            echo "${line%%\"*}"
            return 0
        fi
    done < "$(logfile "$1")"
    return 1
}
# zc_service_attr_is FILE NAME ATTR VALUE
zc_service_attr_is() { [ "$(zc_service_attr "$1" "$2" "$3")" = "$4" ]; }

# zc_dc_field FILE TRSVCID FIELD: FIELD of the DC at port TRSVCID in the stafctl ls -d
# snapshot FILE (see zc_ls_d)
zc_dc_field() {
    jq -r --arg s "$2" --arg f "$3" \
        '[.. | objects | select(.trsvcid? == $s and has($f)) | .[$f]] | if length == 1 then .[0] else error("not one DC") end' \
        "$(logfile "$1")"
}
zc_dc_field_is() { [ "$(zc_dc_field "$1" "$2" "$3")" = "$4" ]; }

# zc_publish_updatable NAME PORT [TXT...] -- [NEW-TXT...]: like zc_publish_bg, through
# test/tools/avahi-txt-update, whose TXT zc_update_txt NAME then replaces by NEW-TXT in place
# (an update that browsers see as a new Found of the same service: avahi-publish cannot do
# it, publishing the name again is a removal and a new service); avahi_unpublish NAME ends it
zc_publish_updatable() {
    local name=$1 n=${1//[^A-Za-z0-9]/_}
    shift
    "$STAS_BUILD/test/tools/avahi-txt-update" "$name" _nvme-disc._tcp "$@" \
        > "$STAS_VM_LOGDIR/avahi-publish-$n.log" 2>&1 &
    _w "$STAS_VM_RUN/publish-$n.pid" $!
}
zc_update_txt() {
    local n=${1//[^A-Za-z0-9]/_}
    _attr "$STAS_VM_RUN/publish-$n.pid"
    [ -n "$REPLY" ] && kill -USR1 "$REPLY" || return 1
    wait_for 10 file_has "$STAS_VM_LOGDIR/avahi-publish-$n.log" Updated
}
