#!/usr/bin/env bash
# boot.sh: boot a kernel and initramfs under qemu, the serial console into
# a log.
#
#   boot.sh [--arch i386|x86_64] BZIMAGE INITRD CPUS LOG [kernel arguments...]
#
# The arch (default i386) picks qemu-system-i386 ($QEMU_I386) or
# qemu-system-x86_64 ($QEMU_X86_64), both with the pc machine.
# qemu gets -smp CPUS and -no-reboot, so the guest's `reboot -f` (or a
# panic, with panic=-1) ends it; a guest that hangs is killed after
# $BOOT_TIMEOUT seconds (default 300: -smp 8 under TCG on a shared machine
# is slow).  The exit status is qemu's, or 124 on the timeout.
set -uo pipefail

arch=i386
if [ "${1:-}" = --arch ]; then
	arch=${2:-}
	shift 2 || shift
fi
case $arch in
i386) qemu=${QEMU_I386:-qemu-system-i386} ;;
x86_64) qemu=${QEMU_X86_64:-qemu-system-x86_64} ;;
*) echo "boot.sh: unknown arch '$arch' (i386 or x86_64)" >&2; exit 2 ;;
esac
[ $# -ge 4 ] || { echo "usage: $0 [--arch i386|x86_64] BZIMAGE INITRD CPUS LOG [kernel args]" >&2; exit 2; }
kernel=$1 initrd=$2 cpus=$3 log=$4
shift 4

rm -f "$log"
timeout "${BOOT_TIMEOUT:-300}" "$qemu" -M pc -m 256M -smp "$cpus" \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 percpu_test.cpus=$cpus $*" \
	-display none -monitor none -serial "file:$log" -no-reboot
