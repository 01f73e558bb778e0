#!/usr/bin/env bash
# busybox.sh: the static busybox the test initramfs runs, for one arch.
#
#   busybox.sh DIR [ARCH]
#
# ARCH is i386 (the default) or x86_64; DIR/busybox is the binary, checked
# to be a static ELF executable of that arch.
#
# x86_64: the host's own, from Debian's busybox-static package when it is
# installed for amd64 (`dpkg -L busybox-static`), else unpacked from a
# busybox-static_*_amd64.deb as below (`apt-get download
# busybox-static:amd64` needs nothing added on an amd64 host).
#
# i386: the host's busybox-static is x86-64, and the i386 one cannot be
# installed beside it (same files), so the .deb is fetched and unpacked
# instead, never installed.  The .deb is, in this order, $BUSYBOX_DEB (i386
# only), one already in DIR, one in apt's cache, or fetched into DIR with
# `apt-get download busybox-static:i386`, which needs the i386 architecture added
# once, as root:
#     dpkg --add-architecture i386 && apt-get update
# (./quickstart does that when it runs as root).
set -euo pipefail

[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 DIR [i386|x86_64]" >&2; exit 2; }
dir=$1 arch=${2:-i386}
# Debian's name for the arch, and the ELF class and machine of its binaries
case $arch in
i386) debarch=i386 elfclass=01 machine=3 ;;	# ELFCLASS32, EM_386
x86_64) debarch=amd64 elfclass=02 machine=62 ;;	# ELFCLASS64, EM_X86_64
*) echo "busybox.sh: unknown arch '$arch' (i386 or x86_64)" >&2; exit 2 ;;
esac
mkdir -p "$dir"

is_arch_elf() { # ELF magic, the arch's class and machine
	[ -f "$1" ] && [ "$(od -An -tx1 -j0 -N5 "$1" | tr -d ' \n')" = "7f454c46$elfclass" ] &&
		[ "$(od -An -tu2 -j18 -N2 "$1" | tr -d ' ')" = "$machine" ]
}

if is_arch_elf "$dir/busybox"; then
	exit 0
fi

# x86_64: the installed package's binary, when it is one of this arch.
if [ "$arch" = x86_64 ]; then
	host=$(dpkg -L busybox-static 2>/dev/null | grep -m1 '/bin/busybox$' || true)
	if [ -n "$host" ] && is_arch_elf "$host"; then
		cp "$host" "$dir/busybox"
		echo "busybox.sh: $dir/busybox from the installed busybox-static ($host)"
		exit 0
	fi
fi

deb=${BUSYBOX_DEB:-}
[ "$arch" = i386 ] || deb=""
if [ -z "$deb" ]; then
	for d in "$dir" /var/cache/apt/archives; do
		for f in "$d"/busybox-static_*_"$debarch".deb; do
			[ -f "$f" ] && deb=$f
		done
		[ -n "$deb" ] && break
	done
fi
if [ -z "$deb" ]; then
	if [ "$debarch" != "$(dpkg --print-architecture)" ] &&
		! dpkg --print-foreign-architectures | grep -qx "$debarch"; then
		echo "busybox.sh: no busybox-static $debarch package and dpkg has no $debarch architecture. As root, run:" >&2
		echo "  dpkg --add-architecture $debarch && apt-get update" >&2
		echo "(or set BUSYBOX_DEB to a busybox-static_*_$debarch.deb)" >&2
		exit 1
	fi
	echo "busybox.sh: apt-get download busybox-static:$debarch into $dir"
	( cd "$dir" && apt-get download -q "busybox-static:$debarch" ) || {
		echo "busybox.sh: apt-get download busybox-static:$debarch failed (run 'apt-get update' as root?)" >&2
		exit 1
	}
	for f in "$dir"/busybox-static_*_"$debarch".deb; do [ -f "$f" ] && deb=$f; done
fi
[ -f "$deb" ] || { echo "busybox.sh: $deb: no such file" >&2; exit 1; }

rm -rf "$dir/unpacked"
dpkg-deb -x "$deb" "$dir/unpacked"
if ! is_arch_elf "$dir/unpacked/bin/busybox"; then
	echo "busybox.sh: $deb: bin/busybox is not an $arch ELF executable" >&2
	exit 1
fi
cp "$dir/unpacked/bin/busybox" "$dir/busybox"
rm -rf "$dir/unpacked"
echo "busybox.sh: $dir/busybox from $(basename "$deb")"
