# shellcheck shell=bash
# Helpers shared by the stacd scenarios (sourced after guest/lib.sh and guest/stafd.sh).

STACD_CONF=$STAS_VM_RUN/stacd.conf

# stacd_conf [LINE...]: a stacd.conf with the given lines ([Section] headers included)
stacd_conf() { printf '%s\n' "$@" > "$STACD_CONF"; }

# ioc_count: I/O controllers of the kernel (cntrltype io, any state)
ioc_count() {
    local n=0 c
    for c in $(ctrl_list); do [ "$(ctrl_attr "$c" cntrltype)" = io ] && n=$((n + 1)); done
    echo $n
}
ioc_count_is() { [ "$(ioc_count)" = "$1" ]; }

# ioc_live NAME: the kernel has a live I/O controller for subsystem NAME
ioc_live() { local c; c=$(ctrl_find --nqn "$1") && [ "$(ctrl_attr "$c" state)" = live ]; }

# stacctl_count: controllers stacctl ls lists (-1 when it fails)
stacctl_count() {
    local out
    out=$(stas_ctl stacctl ls 2>/dev/null) || { echo -1; return 1; }
    grep -c '"subsysnqn"' <<<"$out"
}
stacctl_count_is() { [ "$(stacctl_count)" = "$1" ]; }

# stacctl_lists NAME: stacctl ls shows subsystem NAME with a device
stacctl_lists() {
    _nqn "$1"
    stas_ctl stacctl ls 2>/dev/null | grep -q "\"subsysnqn\": \"$REPLY\""
}

# stacd_info_has TEXT: stacctl status (process_info) contains TEXT
stacd_info_has() { stas_ctl stacctl status 2>/dev/null | grep -qF "$1"; }

# stacd_fabric: fresh state files (earlier scenarios leave theirs in /run), one DC at
# 127.0.0.1:8009 on port 1 (DCPORT), stafd configured for it
stacd_fabric() {
    _bb rm -rf /run/stafd /run/stacd
    target_port "$DCPORT" 127.0.0.1 8009 || return 1
    stafd_conf "controller = transport=tcp;traddr=127.0.0.1;trsvcid=8009"
}
