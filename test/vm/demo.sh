#!/bin/bash
# Boot the VM fabric and show what a user would look at: the nvmet target,
# a discovery controller advertised over mDNS, nvme discover, stafd finding
# that DC over mDNS (stafctl ls / adlp) and stacd (stacctl ls) when built,
# nvme connect-all and nvme list.
#   test/vm/demo.sh --build DIR [run.sh options]
# Output goes to DIR/vm-demo-out (STAS_VM_OUT overrides).  Exit 0 when the
# fabric came up.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${STAS_BUILD_DIR:-$(cd "$here/../.." && pwd)/build}
args=()
while [ $# -gt 0 ]; do
    case $1 in
        --build) build=${2:?--build needs a directory}; shift ;;
        --build=*) build=${1#--build=} ;;
        *) args+=("$1") ;;
    esac
    shift
done
exec bash "$here/run.sh" -v --build "$build" --out "${STAS_VM_OUT:-$build/vm-demo-out}" \
    ${args[@]+"${args[@]}"} "$here/guest/demo.sh"
