#!/usr/bin/env bash
# make-initramfs.sh: the test initramfs (a gzip'ed newc cpio).
#
#   make-initramfs.sh SRCDIR BUSYBOX INIT OUT [FILE=PATH...]
#
# SRCDIR is the Linux tree: its usr/gen_init_cpio.c (compiled here, once,
# next to OUT) writes the archive from a list, so /dev/console can be a
# device node without root.  The archive holds BUSYBOX as /bin/busybox (the
# rest of busybox is linked at boot by /init), INIT as /init, and each
# FILE=PATH given (e.g. a test module as /lib/modules/x.ko=build/x.ko), with
# the folders above FILE (the kernel's unpacker makes none itself).
set -euo pipefail

[ $# -ge 4 ] || { echo "usage: $0 SRCDIR BUSYBOX INIT OUT [FILE=PATH...]" >&2; exit 2; }
src=$1 busybox=$2 init=$3 out=$4
shift 4

work=$(dirname "$out")
mkdir -p "$work"
gen=$work/gen_init_cpio
if [ ! -x "$gen" ] || [ "$src/usr/gen_init_cpio.c" -nt "$gen" ]; then
	${HOSTCC:-cc} -O2 -o "$gen" "$src/usr/gen_init_cpio.c"
fi

list=$out.list
{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "dir /proc 0755 0 0"
	echo "dir /sys 0755 0 0"
	echo "dir /bin 0755 0 0"
	echo "dir /lib 0755 0 0"
	echo "dir /lib/modules 0755 0 0"
	echo "file /bin/busybox $busybox 0755 0 0"
	echo "slink /bin/sh busybox 0777 0 0"
	echo "file /init $init 0755 0 0"
	made=" /dev /proc /sys /bin /lib /lib/modules "
	for spec in "$@"; do
		file=${spec%%=*} dir=/ folders=()
		# the folders above FILE, outermost first, each listed once
		for part in $(dirname "$file" | tr / ' '); do
			dir=${dir%/}/$part
			case $made in *" $dir "*) continue ;; esac
			made="$made$dir "
			folders+=("$dir")
		done
		for dir in "${folders[@]}"; do echo "dir $dir 0755 0 0"; done
		echo "file $file ${spec#*=} 0644 0 0"
	done
} > "$list"
"$gen" "$list" | gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
