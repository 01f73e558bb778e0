#!/bin/bash
# tests/arch/i386-archive.sh: the kernel build of runtime/arch/i386.
#  1. pgtable.o and backend.o, and the shared page-table allocators
#     (runtime/arch/common: bootmem.o, pt_alloc.o) are in
#     runtime/libpercpu-runtime-i386.a, ELF32 i386 objects;
#  2. they need no symbol that the archive does not define (no libc: the
#     kernel has none);
#  3. i386-smoke.c, built -m32 against the archive, runs the runtime on the
#     i386 backend in 2-level, PAE and PAE+NX paging and passes.
set -u
source "$top_builddir/tests/test-env.sh"
lib="$top_builddir/runtime/libpercpu-runtime-i386.a"
objs="i386-kernel/pgtable i386-kernel/backend common-i386/bootmem common-i386/pt_alloc"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
err() { echo "i386-archive.sh: $*" >&2; fail=1; }

[ -f "$lib" ] || { echo "i386-archive.sh: $lib not built" >&2; exit 1; }
members=$(ar t "$lib")
for o in $objs; do
	f="$top_builddir/runtime/arch/$o.o"
	grep -qx "${o#*/}.o" <<<"$members" || err "$o.o missing from $lib"
	hdr=$($READELF -h "$f") || { err "$f: not readable"; continue; }
	grep -q 'Class:.*ELF32' <<<"$hdr" || err "$f: not ELF32"
	grep -q 'Machine:.*80386' <<<"$hdr" || err "$f: not i386"
done

defined=$($NM --defined-only "$lib" 2>/dev/null | awk 'NF == 3 {print $3}' | sort -u)
for o in $objs; do
	for s in $($NM --undefined-only "$top_builddir/runtime/arch/$o.o" | awk '{print $2}'); do
		grep -qx "$s" <<<"$defined" || err "$o.o needs '$s', which the archive does not define"
	done
done

if ! $CC -m32 -no-pie -O2 -Wall -Wextra -Werror -I"$top_srcdir/runtime/include" -I"$top_srcdir/kernel-glue/include" \
	"$top_srcdir/tests/arch/i386-smoke.c" "$lib" -o "$tmp/smoke"; then
	err "cannot build i386-smoke.c against the archive"
elif ! "$tmp/smoke"; then
	err "the kernel build of the i386 backend fails its smoke test"
fi

[ $fail = 0 ] && echo "i386-archive.sh: i386 page tables in the kernel archive OK"
exit $fail
