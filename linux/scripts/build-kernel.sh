#!/usr/bin/env bash
# build-kernel.sh: configure and build one kernel flavour out of tree.
#
#   build-kernel.sh FLAVOUR SRCDIR OUTDIR CONFIGDIR [make arguments...]
#
# FLAVOUR is stock or vm (i386), stock-x86_64 or vm-x86_64 (kbuild-flags.sh).
# The kernel is configured in OUTDIR (make O= ARCH=) as `make tinyconfig`
# with CONFIGDIR/common.config, the arch's (i386.config, x86_64.config) and
# the kind's (stock.config, vm.config) merged over it, then built (bzImage and modules) with ccache when it is
# there and -j$(nproc); make arguments after CONFIGDIR go to every make
# (the vm flavour needs PERCPU_VM=<percpu-vm source tree>).  The configuration is redone when a fragment is newer
# than OUTDIR/.config or the tree was patched since; every option a fragment
# names must hold afterwards, or the script stops naming it.
# $PERCPU_PLUGIN, when set, is percpu-vm's GCC plugin: every C file of the
# kernel and its modules is compiled with it (KCFLAGS), its shift the
# configuration's CONFIG_VM_PERCPU_SHIFT (a kernel without that option
# cannot take the plugin: the script stops).  kbuild-flags.sh makes the
# flags, for the out-of-tree test modules (build-modules.sh) too.
set -euo pipefail
. "$(dirname "$0")/kbuild-flags.sh"

[ $# -ge 4 ] || { echo "usage: $0 FLAVOUR SRCDIR OUTDIR CONFIGDIR [make args]" >&2; exit 2; }
flavour=$1 src=$2 out=$3 confdir=$4
shift 4
kernel_flavour "$flavour" || exit 2

frags=("$confdir/common.config" "$confdir/$arch.config" "$confdir/$kind.config")
for f in "${frags[@]}"; do
	[ -f "$f" ] || { echo "build-kernel: $f: no such file" >&2; exit 1; }
done
[ -f "$src/.percpu-vm/complete" ] || { echo "build-kernel: $src is not a prepared tree (prepare-source.sh)" >&2; exit 1; }

cc=$(kbuild_cc)
jobs=$(nproc 2>/dev/null || echo 2)
kmake=(make -C "$src" O="$out" ARCH="$arch" CC="$cc" "$@")

mkdir -p "$out"
stale=no
[ -f "$out/.config" ] || stale=yes
for f in "${frags[@]}" "$src/.percpu-vm/complete"; do
	[ "$stale" = yes ] || [ "$f" -nt "$out/.config" ] && stale=yes
done
if [ "$stale" = yes ]; then
	echo "build-kernel: configuring $flavour in $out"
	"${kmake[@]}" -s tinyconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}" >/dev/null
	"${kmake[@]}" -s olddefconfig >/dev/null
	# Every option the fragments name must hold in the result.
	bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) want=$line; opt=${line%%=*} ;;
		"# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *}; want="# $opt is not set" ;;
		*) continue ;;
		esac
		got=$(grep -E "^(# )?$opt[= ]" "$out/.config" || true)
		# an option Kconfig does not offer at all is absent: fine for "not set"
		if [ "$got" != "$want" ] && ! { [ -z "$got" ] && [ "${want#\# }" != "$want" ]; }; then
			echo "build-kernel: $flavour: $want was asked for, the configuration has '${got:-nothing}' (a dependency is missing?)" >&2
			bad=1
		fi
	done < <(cat "${frags[@]}")
	if [ $bad -ne 0 ]; then
		rm -f "$out/.config"
		exit 1
	fi
fi

percpu_plugin_kcflags "$out" || exit 1

echo "build-kernel: building $flavour in $out${kcflags:+ with the percpu-vm plugin}"
"${kmake[@]}" "${kcflags[@]}" -j"$jobs" bzImage modules
