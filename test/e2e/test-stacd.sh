#!/bin/bash
# [STAC-1] [STAC-3] [DBUS-12] [DBUS-35] [CLI-20] stafd and stacd as processes (stas-fake, each
# with its own scripted fabric) on a private system bus: the IOCs of stafd's log page are
# connected and `stacctl` prints valid JSON for them; stafd stopped → nothing dropped.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

make_identity
start_bus
json_ok() { python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$1"; }
ls_count() { "$STAS_FAKE_BIN/stacctl" ls 2>/dev/null | grep -c '"device": "nvme[0-9]'; }
ls_count_is() { [ "$(ls_count)" = "$1" ]; }

cat >"$E2E_TMP/stafd.fake" <<'EOC'
[target tcp 192.168.1.10 8009]
discovery = nqn.2014-08.org.nvmexpress.discovery
dctype = ddc
entry1 = traddr=192.168.1.20 trsvcid=4420 subnqn=nqn.2023-01.com.example:a
entry2 = traddr=192.168.1.20 trsvcid=4420 subnqn=nqn.2023-01.com.example:b eflags=4
EOC
cat >"$E2E_TMP/stacd.fake" <<'EOC'
[target tcp 192.168.1.20 4420]
io = nqn.2023-01.com.example:a;nqn.2023-01.com.example:b
EOC
printf '[Controllers]\ncontroller = transport=tcp;traddr=192.168.1.10\n' >"$E2E_TMP/stafd.conf"
printf '[Global]\nkato = 30\n' >"$E2E_TMP/stacd.conf"

# stacd first: no data, nothing to do yet
STAS_FAKE_SCRIPT=$E2E_TMP/stacd.fake start_daemon stacd "$E2E_TMP/stacd.log" -f "$E2E_TMP/stacd.conf"
STACD=$DAEMON_PID
wait_for 10 name_owned org.nvmexpress.stac || { fail "stacd owns its name"; cat "$E2E_TMP/stacd.log"; exit 1; }
run "$STAS_FAKE_BIN/stacctl" status
expect_match "[STAC-3] stafd data none before stafd" '"stafd data": "none"' "$OUT"

STAS_FAKE_SCRIPT=$E2E_TMP/stafd.fake start_daemon stafd "$E2E_TMP/stafd.log" -f "$E2E_TMP/stafd.conf"
STAFD=$DAEMON_PID
if wait_for 20 ls_count_is 2; then pass "[STAC-1] both IOCs of the log page connected"
else fail "[STAC-1] both IOCs of the log page connected"; cat "$E2E_TMP/stacd.log"; fi

run "$STAS_FAKE_BIN/stacctl" ls
expect_eq "[CLI-20] stacctl ls exits 0" 0 "$RC"
if json_ok "$OUT"; then pass "[CLI-10] stacctl ls prints JSON"; else fail "[CLI-10] stacctl ls prints JSON"; fi
expect_match "[DBUS-30] ls shows the subsystem" '"subsysnqn": "nqn.2023-01.com.example:a"' "$OUT"
run "$STAS_FAKE_BIN/stacctl" ls -d
if json_ok "$OUT"; then pass "[CLI-10] stacctl ls -d prints JSON"; else fail "[CLI-10] stacctl ls -d prints JSON"; fi
expect_match "[DBUS-31] origin discovered" '"origin": "discovered"' "$OUT"
expect_match "[DBUS-32] the NCC bit of b's DLPE" '"dlpe.eflags.ncc": "True"' "$OUT"
run "$STAS_FAKE_BIN/stacctl" status
if json_ok "$OUT"; then pass "[CLI-10] stacctl status prints JSON"; else fail "[CLI-10] stacctl status prints JSON"; fi
expect_match "[DBUS-35] stafd data complete" '"stafd data": "complete"' "$OUT"
expect_match "[DBUS-35] stafd name owner" '"stafd name owner": ":' "$OUT"
run gdbus call --system -d org.nvmexpress.stac -o /org/nvmexpress/stac \
    -m org.nvmexpress.stac.debug.controller_info tcp 192.168.1.20 4420 nqn.2023-01.com.example:a '' '' ''
expect_match "[DBUS-13] controller_info finds a" '"connect attempts": "0"' "$OUT"

# stafd gone: nothing dropped [D-33]
kill -TERM "$STAFD"; wait "$STAFD"
wait_for 10 sh -c "\"$STAS_FAKE_BIN/stacctl\" status | grep -q '\"stafd name owner\": \"\"'"
kill -HUP "$STACD"   # a pass without stafd
sleep 2
run "$STAS_FAKE_BIN/stacctl" status
expect_match "[STAC-3] stafd data stale" '"stafd data": "stale"' "$OUT"
expect_eq "[D-33] both IOCs kept" 2 "$(ls_count)"
expect_nomatch "[D-33] nothing disconnected" "Disconnect initiated" "$(cat "$E2E_TMP/stacd.log")"

kill -TERM "$STACD"; wait "$STACD"; rc=$?
expect_eq "[SIG-1] stacd exits 0" 0 "$rc"
if [ -s "$STAS_TEST_ROOT/run/stacd/last-known-config.json" ]; then pass "[STATE-1] state file written"
else fail "[STATE-1] state file written"; fi
finish
