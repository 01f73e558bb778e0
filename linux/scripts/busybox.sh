#!/usr/bin/env bash
# busybox.sh: the i386 busybox the test initramfs runs, from Debian's
# busybox-static:i386 package.
#
#   busybox.sh DIR
#
# The host's busybox-static is x86-64, and the i386 one cannot be installed
# beside it (same files), so the .deb is fetched and unpacked instead, never
# installed: DIR/busybox is the binary.  The .deb is, in this order,
# $BUSYBOX_DEB, one already in DIR, one in apt's cache, or fetched into DIR
# with `apt-get download busybox-static:i386`, which needs the i386
# architecture added once, as root:
#     dpkg --add-architecture i386 && apt-get update
# (./quickstart does that when it runs as root).
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
dir=$1
mkdir -p "$dir"

is_i386_elf() { # ELF magic, 32-bit class, machine 3 (EM_386)
	[ -f "$1" ] && [ "$(od -An -tx1 -j0 -N5 "$1" | tr -d ' \n')" = 7f454c4601 ] &&
		[ "$(od -An -tu2 -j18 -N2 "$1" | tr -d ' ')" = 3 ]
}

if is_i386_elf "$dir/busybox"; then
	exit 0
fi

deb=${BUSYBOX_DEB:-}
if [ -z "$deb" ]; then
	for d in "$dir" /var/cache/apt/archives; do
		for f in "$d"/busybox-static_*_i386.deb; do
			[ -f "$f" ] && deb=$f
		done
		[ -n "$deb" ] && break
	done
fi
if [ -z "$deb" ]; then
	if ! dpkg --print-foreign-architectures | grep -qx i386; then
		echo "busybox.sh: no busybox-static i386 package and dpkg has no i386 architecture. As root, run:" >&2
		echo "  dpkg --add-architecture i386 && apt-get update" >&2
		echo "(or set BUSYBOX_DEB to a busybox-static_*_i386.deb)" >&2
		exit 1
	fi
	echo "busybox.sh: apt-get download busybox-static:i386 into $dir"
	( cd "$dir" && apt-get download -q busybox-static:i386 ) || {
		echo "busybox.sh: apt-get download busybox-static:i386 failed (run 'apt-get update' as root?)" >&2
		exit 1
	}
	for f in "$dir"/busybox-static_*_i386.deb; do [ -f "$f" ] && deb=$f; done
fi
[ -f "$deb" ] || { echo "busybox.sh: $deb: no such file" >&2; exit 1; }

rm -rf "$dir/unpacked"
dpkg-deb -x "$deb" "$dir/unpacked"
if ! is_i386_elf "$dir/unpacked/bin/busybox"; then
	echo "busybox.sh: $deb: bin/busybox is not an i386 ELF executable" >&2
	exit 1
fi
cp "$dir/unpacked/bin/busybox" "$dir/busybox"
rm -rf "$dir/unpacked"
echo "busybox.sh: $dir/busybox from $(basename "$deb")"
