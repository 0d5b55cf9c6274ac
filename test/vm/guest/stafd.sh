# shellcheck shell=bash
# Helpers shared by the stafd scenarios (sourced after guest/lib.sh).

DCPORT=${DCPORT:-1}
STAFD_CONF=$STAS_VM_RUN/stafd.conf

# stafd_conf LINE...: a stafd.conf with [Global] kato=30 and the given [Controllers] lines
stafd_conf() {
    { printf '[Global]\nkato = 30\n\n[Service Discovery]\nzeroconf = disabled\n\n[Controllers]\n'
      printf '%s\n' "$@"; } > "$STAFD_CONF"
}

# dlp_count TRADDR TRSVCID: number of log page entries stafd serves for that DC
dlp_count() {
    local out
    out=$(stas_ctl stafctl dlp -t tcp -a "$1" -s "$2" 2>/dev/null) || { echo -1; return 1; }
    grep -c '"subnqn"' <<<"$out"
}
dlp_count_is() { [ "$(dlp_count "$1" "$2")" = "$3" ]; }

# dc_count: discovery controllers of the kernel
dc_count() { local n=0 c; for c in $(ctrl_list); do [ "$(ctrl_attr "$c" cntrltype)" = discovery ] && n=$((n + 1)); done; echo $n; }
dc_count_is() { [ "$(dc_count)" = "$1" ]; }

stafd_lists() { stas_ctl stafctl ls 2>/dev/null | grep -q "\"traddr\": \"$1\""; }

# signal monitor of org.nvmexpress.staf into FILE
staf_monitor() {
    gdbus monitor --system --dest org.nvmexpress.staf > "$1" 2>&1 &
    _w "$STAS_VM_RUN/monitor.pid" $!
}
signals_seen() { grep -c "log_pages_changed" "$1" 2>/dev/null || true; }
signals_reach() { [ "$(signals_seen "$1")" -ge "$2" ]; }
