#!/bin/bash
# ldscripts/kernel-i386.lds and kernel-x86_64.lds + percpu.lds: the same
# objects linked with GNU ld and with ld.lld (orphan sections are errors)
# give the same program headers, section addresses and sizes and symbol
# values, in VM mode and in classic mode, and the layout is the one
# percpu.lds promises: for i386 at PERCPU_BASE in an identity-mapped image,
# for x86-64 (-mcmodel=kernel) at PERCPU_X86_64_BASE with the image in the
# top 2 GiB, loaded at physical 1 MiB.
. "$top_srcdir/tests/linker/lib.sh"

for arch in i386 x86_64; do
lt_arch $arch
rm -f "$tmp"/*.o
cc "$tmp/main.o" "$LT_SRC/kern-main.c" -DCONFIG_HAS_VM_PERCPU
cc "$tmp/data.o" "$LT_SRC/kern-data.c" -DCONFIG_HAS_VM_PERCPU
cc "$tmp/offsets.o" "$top_srcdir/kernel-glue/percpu_offsets.c" -DCONFIG_HAS_VM_PERCPU
cc "$tmp/cpu.o" "$top_srcdir/kernel-glue/arch/$arch/percpu_cpu.c" -DCONFIG_HAS_VM_PERCPU
$CC $LT_AS -DSHIFT=$PERCPU_SHIFT -c "$LT_SRC/stride-note.S" -o "$tmp/note.o" || die "stride-note.S"
cp "$tmp/note.o" "$tmp/note2.o"
objs="$tmp/main.o $tmp/data.o $tmp/offsets.o $tmp/cpu.o $tmp/note.o $tmp/note2.o"

base=$(hexval $PERCPU_BASE) virt=0
[ $arch = x86_64 ] && base=$(hexval $PERCPU_X86_64_BASE) virt=$(hexval 0xffffffff80000000)
for mode in vm classic; do
	script=kernel-$arch.lds; [ $mode = classic ] && script=kernel-$arch-classic.lds
	for l in bfd lld; do
		ld_with $l $LT_LPATH -T $script -o "$tmp/k-$mode-$l.elf" $objs \
			> "$tmp/ld.out" 2>&1 || { cat "$tmp/ld.out"; die "$mode link with $l failed"; }
		[ -s "$tmp/ld.out" ] && { cat "$tmp/ld.out"; bad "$mode link with $l printed warnings"; }
		layout "$tmp/k-$mode-$l.elf" > "$tmp/k-$mode-$l.layout"
	done
	if ! diff -u "$tmp/k-$mode-bfd.layout" "$tmp/k-$mode-lld.layout"; then
		bad "$arch $mode: GNU ld and ld.lld layouts differ (- GNU ld, + ld.lld)"
	fi

	k=$tmp/k-$mode-bfd.elf
	start=$(hexval $(sym $k __per_cpu_start)); end=$(hexval $(sym $k __per_cpu_end))
	dend=$(hexval $(sym $k __per_cpu_data_end)); load=$(hexval $(sym $k __per_cpu_load))
	isize=$(hexval $(sym $k __per_cpu_init_size)); size=$(hexval $(sym $k __per_cpu_size))
	# every per-CPU input is inside [start, end), every other object outside
	for v in lt_counter lt_array lt_struct lt_linux lt_page lt_mostly pcpu_cpu_number; do
		a=$(sym $k $v); [ -n "$a" ] || continue
		a=$(hexval $a); [ $a -ge $start ] && [ $a -lt $dend ] || bad "$arch $mode: $v at $a not in the initialised per-CPU part"
	done
	for v in lt_zero lt_zero2; do
		a=$(hexval $(sym $k $v)); [ $a -ge $dend ] && [ $a -lt $end ] || bad "$arch $mode: $v not in the zero per-CPU part"
	done
	for v in lt_data lt_bss lt_rodata _start; do
		a=$(hexval $(sym $k $v)); { [ $a -lt $start ] || [ $a -ge $end ]; } || bad "$arch $mode: $v landed in the per-CPU section"
	done
	[ $isize -eq $((dend - start)) ] || bad "$arch $mode: __per_cpu_init_size $isize != data part $((dend - start))"
	[ $size -eq $((end - start)) ] || bad "$arch $mode: __per_cpu_size $size != $((end - start))"
	[ $((load % 4096)) -eq 0 ] || bad "$arch $mode: template load address $load not page aligned"
	# the page-aligned object is first, so it costs no hole
	[ $(hexval $(sym $k lt_page)) -eq $start ] || bad "$arch $mode: page-aligned per-CPU object not first"
	# the per-CPU segment: template loaded at __per_cpu_load
	# (physical: the image's virtual address less its offset, 0 on i386)
	seg=$("$READELF" -lW $k | awk -v s=$(addr $start) '$1 == "LOAD" && $3 == s { print $4 }')
	[ -n "$seg" ] && [ $(hexval $seg) -eq $((load - virt)) ] || bad "$arch $mode: no LOAD segment at __per_cpu_start loaded at __per_cpu_load (got '$seg')"
	# one note per stride survives the COMDAT group
	n=$("$READELF" -nW $k | grep -c 'percpu-vm')
	[ "$n" = 1 ] || bad "$arch $mode: $n .note.percpu notes for one stride, want 1"
	# the export table
	[ -n "$(sym $k __start_percpu_ksymtab)" ] && [ "$(sym $k __start_percpu_ksymtab)" != "$(sym $k __stop_percpu_ksymtab)" ] ||
		bad "$arch $mode: percpu_ksymtab missing or empty"
	if [ $mode = vm ]; then
		[ $start -eq $base ] || bad "$arch vm: __per_cpu_start $start != PERCPU_BASE $base"
		[ $load -lt $base ] || bad "$arch vm: template loaded in the window"
		# .data and .bss are loaded where they run (AT), outside the per-CPU segment
		"$READELF" -lW $k | awk '$1 == "LOAD" { print $3, $4 }' | while read -r va pa; do
			[ $va = $(addr $base) ] || [ $(($(hexval $va) - virt)) -eq $(hexval $pa) ] || exit 1
		done ||
			bad "$arch vm: a segment other than the per-CPU one is not loaded at its address (less the image offset)"
		"$READELF" -lW $k | sed -n '/Section to Segment/,$p' | grep -q 'data.percpu.*\.bss\b' &&
			bad "$arch vm: .bss put into the per-CPU segment"
	else
		[ $start -eq $load ] || bad "$arch classic: __per_cpu_start $start != __per_cpu_load $load"
	fi
	# multiboot: the header within the file's first 8 KiB, 4-byte aligned
	# (od reads 4-byte words from offset 0), and the entry point
	for l in bfd lld; do
		od -An -tx4 -v -N8192 "$tmp/k-$mode-$l.elf" | grep -qw 1badb002 ||
			bad "$arch $mode/$l: no multiboot header in the first 8 KiB"
		[ "$("$READELF" -hW "$tmp/k-$mode-$l.elf" | awk '/Entry point/ { print $4 }')" = "0x$(sym "$tmp/k-$mode-$l.elf" _start | sed 's/^0*//')" ] ||
			bad "$arch $mode/$l: entry point is not _start"
	done
	echo "$arch $mode: per-CPU [$(printf '%#x' $start), $(printf '%#x' $end)), template at $(printf '%#x' $load), $isize bytes copied, $((size - isize)) zeroed"
done
done
# x86-64 at the very top: a window ending exactly at 2^64 (where
# PERCPU_WINDOW_END wraps to 0) links, the same with both linkers; one page
# higher is refused by both (the objects are still the x86-64 ones).
size=$((PERCPU_NR_CPUS << PERCPU_SHIFT))
mkdir -p "$tmp/top"
for b in $((-size)) $((-size + 4096)); do
	sed "s/^PERCPU_X86_64_BASE = .*/PERCPU_X86_64_BASE = $(printf '0x%x' $b);/" \
		"$top_builddir/ldscripts/percpu-config.lds" > "$tmp/top/percpu-config.lds"
	for l in bfd lld; do
		ld_with $l -L "$tmp/top" -L "$top_srcdir/ldscripts" -T kernel-x86_64.lds -o "$tmp/top-$l.elf" $objs \
			> "$tmp/ld.out" 2>&1 && ok=yes || ok=no
		if [ $b = $((-size)) ]; then
			[ $ok = yes ] || { cat "$tmp/ld.out"; bad "x86_64: the window ending at 2^64 did not link with $l"; }
			layout "$tmp/top-$l.elf" > "$tmp/top-$l.layout"
		elif [ $ok = yes ] || ! grep -q "not inside the top 2 GiB" "$tmp/ld.out"; then
			cat "$tmp/ld.out"; bad "x86_64: $l did not refuse a window running past 2^64"
		fi
	done
	[ $b = $((-size)) ] && { diff -u "$tmp/top-bfd.layout" "$tmp/top-lld.layout" || bad "x86_64: top window layouts differ"; }
done
echo "x86_64: the window ending at 2^64 links with both linkers, one page higher is refused"
exit $fail
