# kbuild-flags.sh: sourced by build-kernel.sh and build-modules.sh, so a
# kernel and the modules built against it get the same compiler and the
# same percpu-vm plugin flags from one piece of code.
#
#   kbuild_cc                         prints "ccache gcc" or "gcc"
#   kernel_flavour FLAVOUR            sets kind (stock or vm), arch (i386
#                                     or x86_64, Kbuild's ARCH=) and suffix
#                                     ("" or -x86_64: the arch's initramfs
#                                     and busybox folders) from a flavour
#                                     name: stock, vm (i386), stock-x86_64,
#                                     vm-x86_64; on an unknown one, says so
#                                     and returns 1
#   percpu_plugin_kcflags OUTDIR [SHIFT]
#                                     sets the array kcflags: empty without
#                                     $PERCPU_PLUGIN, else one KCFLAGS=...
#                                     make argument; on an error, says
#                                     why on stderr and returns 1
#
# $PERCPU_PLUGIN, when set, is percpu-vm's GCC plugin.  Its shift is the
# configuration's CONFIG_VM_PERCPU_SHIFT (OUTDIR/.config), so the flags and
# the headers' percpu_offset_table(CONFIG_VM_PERCPU_SHIFT) agree: the plugin
# refuses a unit where they do not.  A configuration without that option
# (CONFIG_HAS_VM_PERCPU off) cannot take the plugin: the caller stops.
# SHIFT, when given, replaces the configuration's shift: only for a module
# that stands for one built for another kernel's stride (its source then
# changes the headers' idea of the shift to match, see linux/modules/).

kbuild_cc() {
	if command -v ccache >/dev/null; then echo "ccache gcc"; else echo gcc; fi
}

# One name per kernel folder (<builddir>/linux/FLAVOUR): the i386 kernels
# came first and keep their bare names.
kernel_flavour() { # kernel_flavour FLAVOUR
	case $1 in
	stock|vm) kind=$1 arch=i386 suffix="" ;;
	stock-x86_64|vm-x86_64) kind=${1%-x86_64} arch=x86_64 suffix=-x86_64 ;;
	*)
		echo "$(basename "$0" .sh): unknown flavour '$1' (stock, vm, stock-x86_64 or vm-x86_64)" >&2
		return 1 ;;
	esac
}

percpu_plugin_kcflags() { # percpu_plugin_kcflags OUTDIR [SHIFT]
	local out=$1 shift_ me
	me=$(basename "$0" .sh)
	kcflags=()
	[ -n "${PERCPU_PLUGIN:-}" ] || return 0
	if [ ! -f "$PERCPU_PLUGIN" ]; then
		echo "$me: $PERCPU_PLUGIN: no such file (make the plugin first)" >&2
		return 1
	fi
	shift_=$(sed -n 's/^CONFIG_VM_PERCPU_SHIFT=//p' "$out/.config" 2>/dev/null)
	if [ -z "$shift_" ]; then
		echo "$me: the plugin was asked for, but $out/.config has no CONFIG_VM_PERCPU_SHIFT (CONFIG_HAS_VM_PERCPU is off)" >&2
		return 1
	fi
	kcflags=(KCFLAGS="-fplugin=$PERCPU_PLUGIN -fplugin-arg-percpu_plugin-shift=${2:-$shift_}")
}
