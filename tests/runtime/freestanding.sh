#!/bin/bash
# freestanding.sh: the runtime's i386 archive is what a kernel can link.
#  1. every runtime object in runtime/libpercpu-runtime-i386.a is ELF32 i386,
#     compiled -m32 -ffreestanding -fno-pic -fno-builtin;
#  2. the runtime's objects need no symbol they do not define themselves
#     (no memcpy/memset from a libc the kernel does not have);
#  3. a -nostdlib -static link of an entry point calling the whole API
#     (freestanding-entry.c) succeeds with nothing but the archive;
#  4. the archive runs: i386_smoke.c, linked -m32 against it, passes.
set -u
source "$top_builddir/tests/test-env.sh"
lib="$top_builddir/runtime/libpercpu-runtime-i386.a"
objdir="$top_builddir/runtime/i386"
objs="allocator errors mem percpu_api populate runtime"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
err() { echo "freestanding.sh: $*" >&2; fail=1; }

[ -f "$lib" ] || { echo "freestanding.sh: $lib not built" >&2; exit 1; }
for o in $objs; do
	f="$objdir/$o.o"
	ar t "$lib" | grep -qx "$o.o" || err "$o.o missing from $lib"
	hdr=$($READELF -h "$f") || { err "$f: not readable"; continue; }
	grep -q 'Class:.*ELF32' <<<"$hdr" || err "$f: not ELF32"
	grep -q 'Machine:.*80386' <<<"$hdr" || err "$f: not i386"
	# GCC records its switches in the debug info (KERNEL_CFLAGS has -g).
	producer=$($READELF --debug-dump=info "$f" 2>/dev/null | grep -m1 DW_AT_producer)
	for flag in -m32 -ffreestanding -fno-pic -fno-builtin; do
		grep -q -- " $flag\b" <<<"$producer" || err "$f: not compiled with $flag ($producer)"
	done
done

defined=$(for o in $objs; do $NM --defined-only "$objdir/$o.o"; done | awk '{print $3}' | sort -u)
for o in $objs; do
	for s in $($NM --undefined-only "$objdir/$o.o" | awk '{print $2}'); do
		grep -qx "$s" <<<"$defined" || err "$o.o needs '$s', which the runtime does not define"
	done
done

if ! $CC -m32 -ffreestanding -fno-pie -fno-builtin -O2 -I"$top_srcdir/runtime/include" -I"$top_srcdir/kernel-glue/include" \
	-c "$top_srcdir/tests/runtime/freestanding-entry.c" -o "$tmp/entry.o"; then
	err "cannot compile the freestanding entry point"
elif ! $CC -m32 -nostdlib -static -no-pie -Wl,-e,_start "$tmp/entry.o" "$lib" \
	-o "$tmp/kernel.elf" 2>"$tmp/link.log"; then
	cat "$tmp/link.log" >&2
	err "a -nostdlib link against the archive fails"
fi

if ! $CC -m32 -no-pie -O2 -Wall -Wextra -Werror -I"$top_srcdir/runtime/include" -I"$top_srcdir/kernel-glue/include" \
	"$top_srcdir/tests/runtime/i386_smoke.c" "$lib" -o "$tmp/smoke"; then
	err "cannot build i386_smoke.c against the archive"
elif ! "$tmp/smoke"; then
	err "the i386 build of the runtime fails its smoke test"
fi

[ $fail = 0 ] && echo "freestanding.sh: runtime i386 archive OK"
exit $fail
