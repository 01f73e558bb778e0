#!/bin/bash
# The placed definitions (DEFINE_PER_CPU_PAGE_ALIGNED, _READ_MOSTLY,
# _ALIGNED, _SHARED_ALIGNED; kern-placed.c) linked with kernel-i386.lds and
# kernel-i386-classic.lds, and as a module with module.lds, by GNU ld and
# ld.lld (the same layout from both):
#   - page-aligned objects come first, before any other per-CPU object,
#     page aligned in every CPU's copy (VM: CPU 0's address + n * stride for
#     every n; classic: the offset in the page-aligned area);
#   - read-mostly objects next, together;
#   - the cache-line aligned ones on 64-byte boundaries in every copy;
#   - every one of them in the initialised part of the per-CPU section.
. "$top_srcdir/tests/linker/lib.sh"
. "$top_srcdir/tests/test-config.sh"

# The placed objects take three pages and more, which a small configured
# stride (--with-percpu-shift=13: one usable page) cannot hold: the test
# fixes its own constants, a 1 MiB stride and 8 CPUs.
PERCPU_SHIFT=20 PERCPU_NR_CPUS=8
test_config "$tmp/config" $PERCPU_SHIFT $PERCPU_NR_CPUS 0xC0000000 || die "test_config"
LT_INC="-I$tmp/config $LT_INC"; LT_LPATH="-L $tmp/config $LT_LPATH"

for f in main data placed; do
	cc "$tmp/$f.o" "$LT_SRC/kern-$f.c" -DCONFIG_HAS_VM_PERCPU
done
cc "$tmp/offsets.o" "$top_srcdir/kernel-glue/percpu_offsets.c" -DCONFIG_HAS_VM_PERCPU
cc "$tmp/cpu.o" "$top_srcdir/kernel-glue/arch/i386/percpu_cpu.c" -DCONFIG_HAS_VM_PERCPU
$CC -m32 -DSHIFT=$PERCPU_SHIFT -c "$LT_SRC/stride-note.S" -o "$tmp/note.o" || die "stride-note.S"
objs="$tmp/main.o $tmp/data.o $tmp/placed.o $tmp/offsets.o $tmp/cpu.o $tmp/note.o"

pages="lt_page pl_page1 pl_page2"
mostly="lt_mostly pl_mostly1 pl_mostly2"
lines="pl_aligned pl_shared"
stride=$((1 << PERCPU_SHIFT))

# per-CPU symbols of FILE in [FROM, TO) (decimal), by address: "address name"
percpu_syms() { $NM "$1" | awk '$2 ~ /^[dDbB]$/ && $3 !~ /^__/ { print $1, $3 }' | while read -r a n; do
	a=$((0x$a)); [ $a -ge $2 ] && [ $a -lt $3 ] && echo "$a $n"; done | sort -n; }
# is_in NAME LIST
is_in() { case " $2 " in *" $1 "*) return 0;; esac; return 1; }

# check_order WHAT "address name" lines: the page-aligned objects, then the
# read-mostly ones, then the rest
check_order() { local what=$1 rank=0 r a n
	while read -r a n; do
		if is_in "$n" "$pages"; then r=0; elif is_in "$n" "$mostly"; then r=1; else r=2; fi
		[ $r -ge $rank ] || bad "$what: $n at $a comes after a later group's object"
		rank=$r
	done
	[ $rank -eq 2 ] || bad "$what: no ordinary per-CPU object after the placed ones"
}

for mode in vm classic; do
	script=kernel-i386.lds; [ $mode = classic ] && script=kernel-i386-classic.lds
	for l in bfd lld; do
		ld_with $l $LT_LPATH -T $script -o "$tmp/k-$mode-$l.elf" $objs > "$tmp/ld.out" 2>&1 ||
			{ cat "$tmp/ld.out"; die "$mode link with $l failed"; }
		layout "$tmp/k-$mode-$l.elf" > "$tmp/k-$mode-$l.layout"
	done
	diff -u "$tmp/k-$mode-bfd.layout" "$tmp/k-$mode-lld.layout" ||
		bad "$mode: GNU ld and ld.lld layouts differ (- GNU ld, + ld.lld)"
	k=$tmp/k-$mode-bfd.elf
	start=$(hexval $(sym $k __per_cpu_start)); dend=$(hexval $(sym $k __per_cpu_data_end))
	[ $((start % 4096)) -eq 0 ] || bad "$mode: __per_cpu_start $start not page aligned"
	percpu_syms $k $start $dend > "$tmp/$mode.syms"
	for v in $pages $mostly $lines; do
		grep -q " $v\$" "$tmp/$mode.syms" || bad "$mode: $v not in the initialised per-CPU part"
	done
	check_order "$mode" < "$tmp/$mode.syms"
	[ "$(head -1 "$tmp/$mode.syms" | cut -d' ' -f1)" = $start ] || bad "$mode: the first page-aligned object is not at __per_cpu_start"
	# every CPU's copy: VM at + n * stride; classic in areas aligned to a
	# page (PERCPU_CLASSIC_AREA_ALIGN), at the same offset from the start
	ncopies=$PERCPU_NR_CPUS; [ $mode = classic ] && ncopies=1
	for v in $pages $lines; do
		a=$(hexval $(sym $k $v)); align=64; is_in $v "$pages" && align=4096
		for ((n = 0; n < ncopies; n++)); do
			[ $(( (a - start + start + n * stride) % align )) -eq 0 ] ||
				{ bad "$mode: CPU $n's copy of $v is not $align-byte aligned"; break; }
		done
	done
	echo "$mode: $(while read -r a n; do printf '%s@+%d ' $n $((a - start)); done < "$tmp/$mode.syms")"
done

# As a module: the page-aligned objects first in its .data.percpu, which
# is page aligned (the loader gives the area that alignment), then the
# read-mostly ones.
for l in bfd lld; do
	ld_with $l -r $LT_LPATH -T module.lds -o "$tmp/m-$l.o" "$tmp/placed.o" "$tmp/data.o" \
		> "$tmp/ld.out" 2>&1 || { cat "$tmp/ld.out"; die "module link with $l failed"; }
	"$READELF" -sW "$tmp/m-$l.o" | awk '$4 == "OBJECT" { print $2, $8 }' | sort > "$tmp/m-$l.syms"
done
diff -u "$tmp/m-bfd.syms" "$tmp/m-lld.syms" || bad "module: GNU ld and ld.lld place the symbols differently"
m=$tmp/m-bfd.o
align=$("$READELF" -SW "$m" | sed -n 's/^ *\[ *[0-9]*\] //p' | awk '$1 == ".data.percpu" { print $10 }')
[ "$align" = 4096 ] || bad "module: .data.percpu is aligned to '$align', not a page"
sec=$("$READELF" -SW "$m" | sed -n 's/^ *\[ *\([0-9]*\)\] \.data\.percpu .*/\1/p')
"$READELF" -sW "$m" | awk -v s="$sec" '$4 == "OBJECT" && $7 == s { print $2, $8 }' |
	while read -r a n; do echo $((0x$a)) $n; done | sort -n > "$tmp/m.syms"
check_order module < "$tmp/m.syms"
for v in pl_page1 pl_page2; do
	a=$(awk -v v=$v '$2 == v { print $1 }' "$tmp/m.syms")
	[ -n "$a" ] && [ $((a % 4096)) -eq 0 ] || bad "module: $v at offset '$a', not page aligned"
done
echo "module: $(while read -r a n; do printf '%s@+%d ' $n $a; done < "$tmp/m.syms")"
exit $fail
