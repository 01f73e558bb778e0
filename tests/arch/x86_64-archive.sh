#!/bin/bash
# tests/arch/x86_64-archive.sh: the kernel build of the runtime for x86-64.
#  1. every runtime object (the core and runtime/arch/x86_64 with the shared
#     page-table allocators) is in runtime/libpercpu-runtime-x86_64.a, ELF64
#     x86-64, compiled -mcmodel=kernel -mno-red-zone -ffreestanding -fno-pic
#     -fno-builtin -mno-sse, and uses no SSE/AVX register;
#  2. the archive needs no symbol it does not define (no libc);
#  3. nothing under runtime/ outside runtime/arch/ asks which architecture it
#     is built for (the arch-hook boundary is the only arch-specific part);
#  4. a -nostdlib -static link of an entry point calling the whole API
#     (tests/runtime/freestanding-entry.c) and the x86-64 page tables and
#     backend (x86_64-entry.c), placed in the top 2 GiB as -mcmodel=kernel
#     requires, succeeds with nothing but the archive.
# The same sources run, hosted, in tests/arch/test-x86_64-pgtable.
set -u
source "$top_builddir/tests/test-env.sh"
lib="$top_builddir/runtime/libpercpu-runtime-x86_64.a"
core="allocator errors mem percpu_api populate runtime"
arch="x86_64-kernel/pgtable x86_64-kernel/backend common-x86_64/bootmem common-x86_64/pt_alloc"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
err() { echo "x86_64-archive.sh: $*" >&2; fail=1; }

[ -f "$lib" ] || { echo "x86_64-archive.sh: $lib not built" >&2; exit 1; }
members=$(ar t "$lib")
objects=
for o in $core; do objects+=" $top_builddir/runtime/x86_64/$o.o"; done
for o in $arch; do objects+=" $top_builddir/runtime/arch/$o.o"; done
for f in $objects; do
	grep -qx "$(basename "$f")" <<<"$members" || err "$(basename "$f") missing from $lib"
	hdr=$($READELF -h "$f") || { err "$f: not readable"; continue; }
	grep -q 'Class:.*ELF64' <<<"$hdr" || err "$f: not ELF64"
	grep -q 'Machine:.*X86-64' <<<"$hdr" || err "$f: not x86-64"
	# GCC records its switches in the debug info (the flags have -g).
	producer=$($READELF --debug-dump=info "$f" 2>/dev/null | grep -m1 DW_AT_producer)
	for flag in -m64 -mcmodel=kernel -mno-red-zone -ffreestanding -fno-pic -fno-builtin -mno-sse; do
		grep -q -- " $flag\b" <<<"$producer" || err "$f: not compiled with $flag ($producer)"
	done
	if objdump -d "$f" | grep -qE '%[xyz]mm[0-9]'; then
		err "$f: uses SSE/AVX registers, which a kernel does not save"
	fi
done

defined=$($NM --defined-only "$lib" 2>/dev/null | awk 'NF == 3 {print $3}' | sort -u)
for f in $objects; do
	for s in $($NM --undefined-only "$f" | awk '{print $2}'); do
		grep -qx "$s" <<<"$defined" || err "$(basename "$f") needs '$s', which the archive does not define"
	done
done

if hits=$(grep -rnE '__(x86_64|amd64|i386|i686|LP64)__' "$top_srcdir/runtime" \
		--include='*.c' --include='*.h' | grep -v "^$top_srcdir/runtime/arch/"); then
	err "arch tests outside runtime/arch/: $hits"
fi

kflags="-m64 -mcmodel=kernel -mno-red-zone -ffreestanding -fno-pie -fno-builtin -mno-sse -mno-mmx -O2"
if ! $CC $kflags -Wall -Wextra -Werror -I"$top_srcdir/runtime/include" \
	-I"$top_srcdir/kernel-glue/include" -I"$top_builddir/kernel-glue/include" \
	-c "$top_srcdir/tests/runtime/freestanding-entry.c" -o "$tmp/entry.o" ||
   ! $CC $kflags -Wall -Wextra -Werror -I"$top_srcdir/runtime/include" \
	-I"$top_srcdir/kernel-glue/include" -I"$top_builddir/kernel-glue/include" \
	-c "$top_srcdir/tests/arch/x86_64-entry.c" -o "$tmp/arch.o"; then
	err "cannot compile the freestanding entry point"
elif ! $CC -m64 -nostdlib -static -no-pie -Wl,-e,_start -Wl,-Ttext-segment=0xffffffff80000000 \
	"$tmp/entry.o" "$tmp/arch.o" "$lib" -o "$tmp/kernel.elf" 2>"$tmp/link.log"; then
	cat "$tmp/link.log" >&2
	err "a -nostdlib link in the top 2 GiB against the archive fails"
else
	entry=$($READELF -h "$tmp/kernel.elf" | awk '/Entry point/ {print $4}')
	case $entry in
	0xffffffff8*|0xffffffff9*|0xffffffffa*|0xffffffffb*|0xffffffffc*|0xffffffffd*|0xffffffffe*|0xfffffffff*) ;;
	*) err "the linked entry point $entry is not in the top 2 GiB" ;;
	esac
	$NM "$tmp/kernel.elf" | grep -q ' T pcpu_x86_64_map$' || err "pcpu_x86_64_map not linked in"
fi

[ $fail = 0 ] && echo "x86_64-archive.sh: runtime x86-64 kernel archive OK"
exit $fail
