#!/bin/bash
# Prepare, once, what the guest boots (cached under $STAS_VM_CACHE):
#   1. Debian's kernel package (apt-get download; never installed): the ABI
#      comes from linux-image-amd64's dependency; unpacked without the driver
#      trees a test VM never loads; depmod (the .deb ships no modules.dep)
#   2. an uncompressed PVH vmlinux (qemu boots the ELF directly, which saves
#      ~3.5 s of in-guest XZ decompression under TCG)
#   3. a generic ~1.5 MB initramfs: static busybox + virtio/9p/overlay
#      modules + guest/init (never needs rebuilding for new scenarios)
# Each step is skipped when its output exists.  Prints the kernel version.
#   host/prepare.sh --build DIR      (or STAS_BUILD_DIR / STAS_VM_CACHE)
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BUILD_ARG=${STAS_BUILD_DIR:-$STAS_SRC/build}
[ "${1:-}" = --build ] && BUILD_ARG=$2
set_build_dir "$BUILD_ARG"

for c in qemu-system-x86_64 cpio depmod modprobe dpkg-deb gzip xz apt-get apt-cache; do
    command -v "$c" >/dev/null 2>&1 || die "missing '$c': apt-get install \$(cat $STAS_VM_DIR/packages.txt)"
done
BUSYBOX=""
for b in /bin/busybox /usr/bin/busybox; do
    # the static build is what we need: ldd rejects it
    if [ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1; then BUSYBOX=$b; break; fi
done
[ -n "$BUSYBOX" ] || die "need a static busybox (apt-get install busybox-static)"
mkdir -p "$STAS_VM_CACHE/debs"

# ---- 1. kernel -------------------------------------------------------------
resolve_pkg() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        awk '/Depends: linux-image-[0-9]/{print $2; exit}'
}
if [ -n "$STAS_VM_KERNEL_DEB" ]; then
    PKG=$(dpkg-deb -f "$STAS_VM_KERNEL_DEB" Package) || die "bad STAS_VM_KERNEL_DEB"
else
    PKG=$(resolve_pkg)
    if [ -z "$PKG" ] && [ ! -e "$KROOT_LINK" ] && [ "$(id -u)" = 0 ]; then
        note "linux-image-amd64 unknown to apt: running apt-get update"
        apt-get update -qq >&2 || true
        PKG=$(resolve_pkg)
    fi
    if [ -z "$PKG" ]; then
        # no apt lists: fall back to the kernel already cached, if any
        [ -e "$KROOT_LINK" ] || die "cannot resolve linux-image-amd64 (run apt-get update)"
        PKG=$(basename "$(readlink "$KROOT_LINK")")
    fi
fi
KDIR="$STAS_VM_CACHE/$PKG"
if [ ! -f "$KDIR/.complete" ]; then
    t0=$EPOCHREALTIME
    deb=$STAS_VM_KERNEL_DEB
    if [ -z "$deb" ]; then
        for f in "$STAS_VM_CACHE/debs/${PKG}"_*.deb; do if [ -f "$f" ]; then deb=$f; fi; done
        if [ -z "$deb" ]; then
            note "downloading $PKG (apt-get download)"
            # (as root, apt warns that the download is unsandboxed: noise)
            (cd "$STAS_VM_CACHE/debs" || exit 1
             apt-get download -q "$PKG" 2>&1 | { grep -v -e 'unsandboxed' -e '^Get:' -e '^Fetched' >&2 || true; }
             exit 0)
            for f in "$STAS_VM_CACHE/debs/${PKG}"_*.deb; do if [ -f "$f" ]; then deb=$f; fi; done
        fi
    fi
    if [ -z "$deb" ] || [ ! -f "$deb" ]; then die "kernel package $PKG not downloaded"; fi
    note "unpacking $(basename "$deb")"
    rm -rf "$KDIR.tmp"; mkdir -p "$KDIR.tmp"
    # driver trees no test VM loads (GPUs, sound, wireless, ...): ~200 MB less
    ex=()
    for d in drivers/gpu drivers/media drivers/infiniband drivers/iio drivers/staging \
             drivers/comedi drivers/usb drivers/net/wireless drivers/net/ethernet \
             drivers/bluetooth drivers/scsi drivers/isdn drivers/hid drivers/input \
             sound net/wireless net/mac80211 net/bluetooth; do
        ex+=(--wildcards --exclude="./lib/modules/*/kernel/$d")
    done
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$KDIR.tmp" "${ex[@]}"
    KV=""
    for d in "$KDIR.tmp"/lib/modules/*; do if [ -d "$d/kernel" ]; then KV=$(basename "$d"); fi; done
    [ -n "$KV" ] || die "no kernel modules in $deb"
    depmod -b "$KDIR.tmp" "$KV"
    # the modules the guest library loads must resolve from the pruned tree
    for m in $STAS_VM_INITRD_MODULES nvme_tcp nvmet_tcp null_blk veth dummy; do
        modprobe -d "$KDIR.tmp" -S "$KV" --show-depends "$m" >/dev/null ||
            die "module $m (or a dependency) missing from $deb"
    done
    # ---- 2. PVH vmlinux (the kernel has CONFIG_PVH=y) ----
    bz="$KDIR.tmp/boot/vmlinuz-$KV"
    vml="$KDIR.tmp/boot/vmlinux-$KV"
    if grep -q '^CONFIG_PVH=y' "$KDIR.tmp/boot/config-$KV" 2>/dev/null; then
        off=$(LC_ALL=C grep -obUaP '\xFD7zXZ\x00' "$bz" | head -1 | cut -d: -f1)
        # tail gets SIGPIPE once xz has read its one stream: check the ELF magic instead
        if [ -n "$off" ]; then
            { tail -c +$((off + 1)) "$bz" | xz -dcq --single-stream > "$vml" 2>/dev/null; } || true
        fi
        if [ "$(head -c4 "$vml" 2>/dev/null | od -An -tx1 | tr -d ' ')" != 7f454c46 ]; then
            rm -f "$vml"; note "could not extract vmlinux; the bzImage will be booted"
        fi
    fi
    touch "$KDIR.tmp/.complete"
    rm -rf "$KDIR"; mv "$KDIR.tmp" "$KDIR"
    note "kernel $KV ready in $(elapsed "$t0" "$EPOCHREALTIME") s"
fi
ln -sfn "$PKG" "$KROOT_LINK"
KV=$(kernel_version) || die "no kernel in $KDIR"

# ---- 3. initramfs -----------------------------------------------------------
if [ ! -f "$INITRD" ] || [ "$STAS_VM_DIR/guest/init" -nt "$INITRD" ] || [ "$0" -nt "$INITRD" ] ||
   [ "$(cat "$INITRD.kv" 2>/dev/null)" != "$KV" ]; then
    w="$STAS_VM_CACHE/initramfs.d"
    rm -rf "$w"; mkdir -p "$w"/{bin,dev,proc,sys,modules}
    cp "$BUSYBOX" "$w/bin/busybox"
    : > "$w/modules.list"
    # --show-depends prints insmod lines in load order
    for m in $STAS_VM_INITRD_MODULES; do
        modprobe -d "$KROOT_LINK" -S "$KV" --show-depends "$m"
    done | awk '$1=="insmod" && !seen[$2]++ {print $2}' | while read -r ko; do
        b=$(basename "$ko")
        case "$ko" in
            *.xz) xz -dc "$ko" > "$w/modules/${b%.xz}"; b=${b%.xz} ;;
            *) cp "$ko" "$w/modules/$b" ;;
        esac
        echo "$b" >> "$w/modules.list"
    done
    cp "$STAS_VM_DIR/guest/init" "$w/init"; chmod 755 "$w/init"
    (cd "$w" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 > "$INITRD.tmp"
    mv "$INITRD.tmp" "$INITRD"
    echo "$KV" > "$INITRD.kv"
    rm -rf "$w"
    note "initramfs: $(du -k "$INITRD" | cut -f1) KiB"
fi
echo "$KV"
