#!/bin/bash
# [SYSI-1] the Debian package: cpack (run here, into a temporary directory) builds
# stas_<version>_<arch>.deb that ships exactly the install layout, depends on what the
# binary links (dpkg-shlibdeps) plus dbus, marks /etc/stas/* as conffiles, and whose
# maintainer scripts start nothing. It is then installed, removed and purged with dpkg in
# a throwaway root: nothing on this system is touched.
. "$(dirname "$0")/lib.sh"

: "${STAS_BUILD_DIR:?run through ctest}"
for t in cpack dpkg dpkg-deb dpkg-shlibdeps; do
    if ! command -v $t >/dev/null; then fail "$t is installed (cmake, dpkg, dpkg-dev)"; finish; exit 1; fi
done
cache() { sed -n "s/^$1:[A-Z]*=//p" "$STAS_BUILD_DIR/CMakeCache.txt"; }
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:[A-Z]*=//p' "$STAS_BUILD_DIR/CMakeCache.txt")
arch=$(dpkg --print-architecture)
SYSCONFDIR=$(cache STAS_SYSCONFDIR)

# ---- build the package ----------------------------------------------------------------
PKG=$E2E_TMP/pkg
run cpack -G DEB -B "$PKG" --config "$STAS_BUILD_DIR/CPackConfig.cmake"
expect_eq "cpack -G DEB succeeds" 0 "$RC"
[ "$RC" = 0 ] || { echo "$OUT$ERR" | sed 's/^/#   /'; finish; exit 1; }
DEB=$PKG/stas_${version}_${arch}.deb
if [ -f "$DEB" ]; then pass "package is stas_${version}_${arch}.deb"; else fail "package is stas_${version}_${arch}.deb"; ls "$PKG"; finish; exit 1; fi

# ---- control fields ---------------------------------------------------------------------
field() { dpkg-deb -f "$DEB" "$1"; }
expect_eq "Package: stas" stas "$(field Package)"
expect_eq "Version: $version" "$version" "$(field Version)"
expect_eq "Architecture: $arch" "$arch" "$(field Architecture)"
depends=$(field Depends)
for lib in libc6 libglib2.0-0 libnvme1 libsystemd0 dbus; do
    expect_match "Depends has $lib" "(^|, )$lib( |,|$)" "$depends"
done
# every library the binary needs is covered (shlibdeps did its job)
needed=$(objdump -p "$STAS_BUILD_DIR/stas" 2>/dev/null | awk '/NEEDED/{print $2}')
for so in $needed; do
    pkg=$(dpkg -S "*/$so" 2>/dev/null | head -1 | cut -d: -f1)
    [ -n "$pkg" ] && expect_match "Depends covers $so ($pkg)" "(^|, )$pkg( |,|$)" "$depends"
done
expect_match "Conflicts with nvme-stas (same files and bus names)" "nvme-stas" "$(field Conflicts)"

# ---- contents: exactly the install layout -------------------------------------------------
DEST=$E2E_TMP/dest
run env DESTDIR="$DEST" cmake --install "$STAS_BUILD_DIR"
expect_eq "cmake --install into a DESTDIR succeeds" 0 "$RC"
install_list=$(cd "$DEST" && find . -mindepth 1 \( -type f -o -type l \) | sort)
deb_list=$(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ {print $6}' | sort)
expect_eq "package contents = install layout" "$install_list" "$deb_list"

expected="./etc/stas/stacd.conf
./etc/stas/stafd.conf
./etc/stas/sys.conf.doc
./usr/bin/stacctl
./usr/bin/stafctl
./usr/bin/stas
./usr/bin/stasadm
./usr/lib/systemd/system/stacd.service
./usr/lib/systemd/system/stafd.service
./usr/lib/systemd/system/stas-config.target
./usr/lib/systemd/system/stas-config@.service
./usr/sbin/stacd
./usr/sbin/stafd
./usr/share/bash-completion/completions/stacctl
./usr/share/bash-completion/completions/stafctl
./usr/share/bash-completion/completions/stasadm
./usr/share/dbus-1/interfaces/org.nvmexpress.stac.xml
./usr/share/dbus-1/interfaces/org.nvmexpress.staf.xml
./usr/share/dbus-1/system.d/org.nvmexpress.stac.conf
./usr/share/dbus-1/system.d/org.nvmexpress.staf.conf
./usr/share/man/man1/stacctl.1
./usr/share/man/man1/stafctl.1
./usr/share/man/man1/stasadm.1
./usr/share/man/man5/org.nvmexpress.stac.5
./usr/share/man/man5/org.nvmexpress.staf.5
./usr/share/man/man5/stacd.conf.5
./usr/share/man/man5/stafd.conf.5
./usr/share/man/man5/sys.conf.5
./usr/share/man/man7/nvme-stas.7
./usr/share/man/man8/stacd.8
./usr/share/man/man8/stacd.service.8
./usr/share/man/man8/stafd.8
./usr/share/man/man8/stafd.service.8
./usr/share/man/man8/stas-config.target.8
./usr/share/man/man8/stas-config@.service.8
./usr/share/man/man8/stas.8"
if [ "$(cache STAS_SYSCONFDIR)$(cache STAS_BINDIR)$(cache STAS_SBINDIR)$(cache STAS_DATADIR)$(cache STAS_SYSTEMDUNITDIR)" = "/etc/usr/bin/usr/sbin/usr/share/usr/lib/systemd/system" ]; then
    expect_eq "[SYSI-1] package contents (default paths)" "$expected" "$deb_list"
else
    pass "non-default paths: contents compared with the install layout only"
fi
listing=$(dpkg-deb -c "$DEB")
expect_match "stas is an executable owned by root" '^-rwxr-xr-x root/root .* \./usr/bin/stas$' "$listing"
expect_match "/usr/sbin/stafd -> ../bin/stas" ' \./usr/sbin/stafd -> \.\./bin/stas$' "$listing"
expect_match "/usr/bin/stafctl -> stas" ' \./usr/bin/stafctl -> stas$' "$listing"
expect_eq "configuration files are 0644 root/root" "" \
    "$(awk '$1 ~ /^-/ && $6 ~ /etc\/stas\// && !($1 == "-rw-r--r--" && $2 == "root/root")' <<<"$listing")"
expect_nomatch "no /usr/local, no build paths" '/usr/local|/tmp/|/work/' "$listing"

# ---- control files: conffiles and maintainer scripts ---------------------------------------
CTRL=$E2E_TMP/control
dpkg-deb -e "$DEB" "$CTRL"
expect_eq "conffiles are /etc/stas/*" \
    "$(printf '%s\n' "$SYSCONFDIR/stas/stafd.conf" "$SYSCONFDIR/stas/stacd.conf" "$SYSCONFDIR/stas/sys.conf.doc" | sort)" \
    "$(sort "$CTRL/conffiles")"
for s in preinst prerm; do
    if [ -e "$CTRL/$s" ]; then fail "no $s script"; else pass "no $s script"; fi
done
for s in postinst postrm; do
    if sh -n "$CTRL/$s"; then pass "$s is valid sh"; else fail "$s is valid sh"; fi
    expect_nomatch "$s starts, stops or enables nothing" \
        'systemctl[^|;]*(start|stop|enable|disable|mask|reload-or|try-restart)|deb-systemd-invoke|invoke-rc.d' "$(grep -v '^ *#' "$CTRL/$s")"
done
# Run postinst on its own with stub systemctl/dbus-send: whatever this system is, the only
# possible actions are a daemon-reload and a bus ReloadConfig.
STUBS=$E2E_TMP/stubs
mkdir -p "$STUBS"
for t in systemctl dbus-send deb-systemd-invoke invoke-rc.d service; do
    printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$t" "$STUBS" >"$STUBS/$t"
    chmod +x "$STUBS/$t"
done
run env -u DPKG_ROOT PATH="$STUBS:/usr/sbin:/usr/bin:/sbin:/bin" sh "$CTRL/postinst" configure
expect_eq "postinst configure exits 0" 0 "$RC"
calls=$(cat "$STUBS/calls" 2>/dev/null)
expect_nomatch "postinst only reloads (systemd units, bus policy)" \
    '^(systemctl ([^d]|d[^a])|deb-systemd-invoke|invoke-rc.d|service)|^dbus-send .*[^g]$' "$calls"
rm -f "$STUBS/calls"

# ---- install, remove, purge in a throwaway root ----------------------------------------------
ROOT=$E2E_TMP/root
mkdir -p "$ROOT/var/lib/dpkg/info" "$ROOT/var/lib/dpkg/updates" "$ROOT/var/lib/dpkg/triggers"
touch "$ROOT/var/lib/dpkg/status" "$ROOT/var/lib/dpkg/available"
# --force-script-chrootless runs the maintainer scripts here with DPKG_ROOT set; the stubs
# record whatever they would run on this system (they must run nothing).
xdpkg() {
    env PATH="$STUBS:/usr/sbin:/usr/bin:/sbin:/bin" dpkg --root="$ROOT" --force-not-root \
        --force-depends --force-script-chrootless --log=/dev/null "$@"
}
run xdpkg -i "$DEB"
expect_eq "dpkg -i into a throwaway root succeeds" 0 "$RC"
[ "$RC" = 0 ] || echo "$OUT$ERR" | sed 's/^/#   /'
expect_match "dpkg: stas is installed" "^Status: install ok installed" "$(xdpkg -s stas 2>&1)"
expect_eq "maintainer scripts did nothing to this system" "" "$(cat "$STUBS/calls" 2>/dev/null)"
root_list=$(cd "$ROOT" && find . -mindepth 1 \( -type f -o -type l \) -not -path './var/lib/dpkg/*' | sort)
expect_eq "installed files = package contents" "$deb_list" "$root_list"
conffiles=$(xdpkg -s stas 2>/dev/null | sed -n '/^Conffiles:/,/^[A-Z]/p' | awk 'NF==2 {print $1}' | sort)
expect_eq "dpkg registered the conffiles" "$(sort "$CTRL/conffiles")" "$conffiles"
run "$ROOT/usr/bin/stas" --version
expect_match "installed stas runs" "^stas $version " "$OUT"
run "$ROOT/usr/sbin/stafd" --idl=-
expect_match "installed stafd link runs stafd" '<interface name="org.nvmexpress.staf">' "$OUT"

echo "# local change" >>"$ROOT$SYSCONFDIR/stas/stafd.conf"
run xdpkg -r stas
expect_eq "dpkg -r succeeds" 0 "$RC"
if [ ! -e "$ROOT/usr/bin/stas" ] && [ -f "$ROOT$SYSCONFDIR/stas/stafd.conf" ]; then
    pass "remove deletes the program, keeps the configuration"
else fail "remove deletes the program, keeps the configuration"; fi
run xdpkg -P stas
expect_eq "dpkg -P succeeds" 0 "$RC"
left=$(cd "$ROOT" && find . -mindepth 1 \( -type f -o -type l \) -not -path './var/lib/dpkg/*' | sort)
expect_eq "purge leaves nothing behind" "" "$left"
expect_eq "maintainer scripts did nothing to this system (remove, purge)" "" "$(cat "$STUBS/calls" 2>/dev/null)"
finish
