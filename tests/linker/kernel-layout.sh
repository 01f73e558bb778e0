#!/bin/bash
# ldscripts/kernel-i386.lds + percpu.lds: the same objects linked with GNU ld
# and with ld.lld (orphan sections are errors) give the same program
# headers, section addresses and sizes and symbol values, in VM mode and in
# classic mode, and the layout is the one percpu.lds promises.
. "$top_srcdir/tests/linker/lib.sh"

cc "$tmp/main.o" "$LT_SRC/kern-main.c" -DCONFIG_HAS_VM_PERCPU
cc "$tmp/data.o" "$LT_SRC/kern-data.c" -DCONFIG_HAS_VM_PERCPU
cc "$tmp/offsets.o" "$top_srcdir/kernel-glue/percpu_offsets.c" -DCONFIG_HAS_VM_PERCPU
cc "$tmp/cpu.o" "$top_srcdir/kernel-glue/arch/i386/percpu_cpu.c" -DCONFIG_HAS_VM_PERCPU
$CC -m32 -DSHIFT=$PERCPU_SHIFT -c "$LT_SRC/stride-note.S" -o "$tmp/note.o" || die "stride-note.S"
cp "$tmp/note.o" "$tmp/note2.o"
objs="$tmp/main.o $tmp/data.o $tmp/offsets.o $tmp/cpu.o $tmp/note.o $tmp/note2.o"

base=$(hexval $PERCPU_BASE)
for mode in vm classic; do
	script=kernel-i386.lds; [ $mode = classic ] && script=kernel-i386-classic.lds
	for l in bfd lld; do
		ld_with $l $LT_LPATH -T $script -o "$tmp/k-$mode-$l.elf" $objs \
			> "$tmp/ld.out" 2>&1 || { cat "$tmp/ld.out"; die "$mode link with $l failed"; }
		[ -s "$tmp/ld.out" ] && { cat "$tmp/ld.out"; bad "$mode link with $l printed warnings"; }
		layout "$tmp/k-$mode-$l.elf" > "$tmp/k-$mode-$l.layout"
	done
	if ! diff -u "$tmp/k-$mode-bfd.layout" "$tmp/k-$mode-lld.layout"; then
		bad "$mode: GNU ld and ld.lld layouts differ (- GNU ld, + ld.lld)"
	fi

	k=$tmp/k-$mode-bfd.elf
	start=$(hexval $(sym $k __per_cpu_start)); end=$(hexval $(sym $k __per_cpu_end))
	dend=$(hexval $(sym $k __per_cpu_data_end)); load=$(hexval $(sym $k __per_cpu_load))
	isize=$(hexval $(sym $k __per_cpu_init_size)); size=$(hexval $(sym $k __per_cpu_size))
	# every per-CPU input is inside [start, end), every other object outside
	for v in lt_counter lt_array lt_struct lt_linux lt_page lt_mostly pcpu_cpu_number; do
		a=$(sym $k $v); [ -n "$a" ] || continue
		a=$(hexval $a); [ $a -ge $start ] && [ $a -lt $dend ] || bad "$mode: $v at $a not in the initialised per-CPU part"
	done
	for v in lt_zero lt_zero2; do
		a=$(hexval $(sym $k $v)); [ $a -ge $dend ] && [ $a -lt $end ] || bad "$mode: $v not in the zero per-CPU part"
	done
	for v in lt_data lt_bss lt_rodata _start; do
		a=$(hexval $(sym $k $v)); { [ $a -lt $start ] || [ $a -ge $end ]; } || bad "$mode: $v landed in the per-CPU section"
	done
	[ $isize -eq $((dend - start)) ] || bad "$mode: __per_cpu_init_size $isize != data part $((dend - start))"
	[ $size -eq $((end - start)) ] || bad "$mode: __per_cpu_size $size != $((end - start))"
	[ $((load % 4096)) -eq 0 ] || bad "$mode: template load address $load not page aligned"
	# the page-aligned object is first, so it costs no hole
	[ $(hexval $(sym $k lt_page)) -eq $start ] || bad "$mode: page-aligned per-CPU object not first"
	# the per-CPU segment: template loaded at __per_cpu_load
	seg=$("$READELF" -lW $k | awk -v s=$(printf '0x%08x' $start) '$1 == "LOAD" && $3 == s { print $4 }')
	[ -n "$seg" ] && [ $(hexval $seg) -eq $load ] || bad "$mode: no LOAD segment at __per_cpu_start loaded at __per_cpu_load (got '$seg')"
	# one note per stride survives the COMDAT group
	n=$("$READELF" -nW $k | grep -c 'percpu-vm')
	[ "$n" = 1 ] || bad "$mode: $n .note.percpu notes for one stride, want 1"
	# the export table
	[ -n "$(sym $k __start_percpu_ksymtab)" ] && [ "$(sym $k __start_percpu_ksymtab)" != "$(sym $k __stop_percpu_ksymtab)" ] ||
		bad "$mode: percpu_ksymtab missing or empty"
	if [ $mode = vm ]; then
		[ $start -eq $base ] || bad "vm: __per_cpu_start $start != PERCPU_BASE $base"
		[ $load -lt $base ] || bad "vm: template loaded in the window"
		# .data and .bss are loaded where they run (AT), outside the per-CPU segment
		"$READELF" -lW $k | awk '$1 == "LOAD" && $3 != $4 && $3 != sprintf("0x%08x", '$base') { bad = 1 } END { exit bad }' ||
			bad "vm: a segment other than the per-CPU one has a load address != its address"
		"$READELF" -lW $k | sed -n '/Section to Segment/,$p' | grep -q 'data.percpu.*\.bss\b' &&
			bad "vm: .bss put into the per-CPU segment"
	else
		[ $start -eq $load ] || bad "classic: __per_cpu_start $start != __per_cpu_load $load"
	fi
	# multiboot: the header within the file's first 8 KiB, 4-byte aligned
	# (od reads 4-byte words from offset 0), and the entry point
	for l in bfd lld; do
		od -An -tx4 -v -N8192 "$tmp/k-$mode-$l.elf" | grep -qw 1badb002 ||
			bad "$mode/$l: no multiboot header in the first 8 KiB"
		[ "$("$READELF" -hW "$tmp/k-$mode-$l.elf" | awk '/Entry point/ { print $4 }')" = "0x$(sym "$tmp/k-$mode-$l.elf" _start | sed 's/^0*//')" ] ||
			bad "$mode/$l: entry point is not _start"
	done
	echo "$mode: per-CPU [$(printf '%#x' $start), $(printf '%#x' $end)), template at $(printf '%#x' $load), $isize bytes copied, $((size - isize)) zeroed"
done
exit $fail
