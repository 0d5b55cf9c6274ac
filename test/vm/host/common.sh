# shellcheck shell=bash disable=SC2034  # (settings used by the sourcing scripts)
# Host-side settings and helpers for the stas VM test world (sourced by
# run.sh and prepare.sh; not executed).

STAS_VM_DIR=${STAS_VM_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
STAS_SRC=${STAS_SRC:-$(cd "$STAS_VM_DIR/../.." && pwd)}

STAS_VM_MEM=${STAS_VM_MEM:-512}          # guest RAM (MiB)
STAS_VM_SMP=${STAS_VM_SMP:-2}            # guest vCPUs (MTTCG: one host thread each)
STAS_VM_ACCEL=${STAS_VM_ACCEL:-auto}     # auto | tcg | kvm
STAS_VM_TB_SIZE=${STAS_VM_TB_SIZE:-256}  # TCG translation cache (MiB); qemu's 1 GiB default costs RSS
STAS_VM_TIMEOUT=${STAS_VM_TIMEOUT:-1500}  # hard wall-clock limit of one qemu run (s); the budget is 600
STAS_VM_SCENARIO_TIMEOUT=${STAS_VM_SCENARIO_TIMEOUT:-180}  # per scenario, enforced in the guest (s)
STAS_VM_KERNEL_DEB=${STAS_VM_KERNEL_DEB:-}   # optional: use this linux-image .deb instead of apt-get download

# Modules in the initramfs (plus their modules.dep dependencies); everything
# else is loaded in the guest by the host's modprobe from the bind-mounted tree.
STAS_VM_INITRD_MODULES="virtio_pci 9pnet_virtio 9p overlay configfs"

die() { echo "stas-vm: ERROR: $*" >&2; exit 2; }
note() { echo "stas-vm: $*" >&2; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", b-a}'; }

# set_build_dir DIR: derive BUILD, cache and output locations
set_build_dir() {
    BUILD=$1
    [ -d "$BUILD" ] || mkdir -p "$BUILD" || die "cannot create build dir $BUILD"
    BUILD=$(cd "$BUILD" && pwd)
    STAS_VM_CACHE=${STAS_VM_CACHE:-$BUILD/vm-cache}
    STAS_VM_OUT=${STAS_VM_OUT:-$BUILD/vm-out}
    KROOT_LINK="$STAS_VM_CACHE/kernel"          # symlink to the kernel-<kver> dir in use
    INITRD="$STAS_VM_CACHE/initramfs.cpio.gz"
}

# The kernel extracted into the cache (prints its version) or fail.
kernel_version() {
    local d
    for d in "$KROOT_LINK"/lib/modules/*; do
        [ -d "$d/kernel" ] && { basename "$d"; return 0; }
    done
    return 1
}

# KVM only with a hardware-virtualisation KVM module: on PVM-only hosts
# (kvm_pvm) /dev/kvm opens but a stock kernel hangs in early boot.
pick_accel() {
    case "$STAS_VM_ACCEL" in
        tcg|kvm) echo "$STAS_VM_ACCEL"; return ;;
    esac
    if [ -r /dev/kvm ] && [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
        echo kvm
    else
        echo tcg
    fi
}
