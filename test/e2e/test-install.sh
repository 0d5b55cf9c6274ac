#!/bin/bash
# [GEN-2] install layout: /usr/bin/stas, links for the five personalities, the IDL files.
. "$(dirname "$0")/lib.sh"

DEST=$E2E_TMP/dest
run env DESTDIR="$DEST" cmake --install "$STAS_BUILD_DIR"
expect_eq "cmake --install succeeds" 0 "$RC"

if [ -x "$DEST/usr/bin/stas" ] && [ ! -L "$DEST/usr/bin/stas" ]; then pass "[GEN-2] /usr/bin/stas is the binary"
else fail "[GEN-2] /usr/bin/stas is the binary"; fi
for link in usr/sbin/stafd usr/sbin/stacd usr/bin/stafctl usr/bin/stacctl usr/bin/stasadm; do
    target=$(readlink -f "$DEST/$link")
    expect_eq "[GEN-2] /$link -> stas" "$DEST/usr/bin/stas" "$target"
done
run "$DEST/usr/sbin/stafd" --idl=-
expect_match "[GEN-2] installed stafd link runs stafd" '<interface name="org.nvmexpress.staf">' "$OUT"
for f in org.nvmexpress.staf.xml org.nvmexpress.stac.xml; do
    if cmp -s "$DEST/usr/share/dbus-1/interfaces/$f" "$STAS_SRC_DIR/dbus-xml/$f"; then
        pass "IDL $f installed under dbus-1/interfaces"
    else fail "IDL $f installed under dbus-1/interfaces"; fi
done
finish
