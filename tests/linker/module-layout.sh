#!/bin/bash
# ldscripts/module.lds (ld -r): GNU ld and ld.lld give the same sections,
# sizes and symbols (orphans are errors); every per-CPU input becomes one
# .data.percpu or .bss.percpu whose size is the sum of the inputs; the
# relocations against per-CPU symbols stay for the loader; .note.percpu
# keeps one note per stride, so objects of two strides show two; the
# .percpu.module record is the same from both, and holds the configured
# shift and the sizes of .data.percpu, .bss.percpu and .note.percpu.  For
# i386 and x86-64 (-mcmodel=kernel, relocations with addends in .rela.*):
# module.lds names no arch.
. "$top_srcdir/tests/linker/lib.sh"

for arch in i386 x86_64; do
lt_arch $arch
rm -f "$tmp"/*.o
cc "$tmp/a.o" "$LT_SRC/mod-a.c" -DCONFIG_HAS_VM_PERCPU
cc "$tmp/b.o" "$LT_SRC/mod-b.c" -DCONFIG_HAS_VM_PERCPU
$CC $LT_AS -DSHIFT=$PERCPU_SHIFT -c "$LT_SRC/stride-note.S" -o "$tmp/n1.o" || die "stride-note.S"
cp "$tmp/n1.o" "$tmp/n2.o"
other=$((PERCPU_SHIFT == 13 ? 14 : PERCPU_SHIFT - 1))  # another valid shift (13..31)
$CC $LT_AS -DSHIFT=$other -c "$LT_SRC/stride-note.S" -o "$tmp/nx.o" || die "stride-note.S"

# section_size FILE SECTION (decimal; 0 when absent), summed over sections of that name
section_size() { local t=0 h
	for h in $("$READELF" -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] //p' | awk -v s="$2" '$1 == s { print $5 }'); do
		t=$((t + 0x$h)); done; echo $t; }
# inputs_size "FILES" "SECTIONS...": sum of the sizes of those input sections
inputs_size() { local t=0 f s; for f in $1; do for s in $2; do t=$((t + $(section_size "$f" "$s"))); done; done; echo $t; }

# description of a relocatable object: sections (name, type, size; the
# group flag is left out: GNU ld's --force-group-allocation dissolves the
# note's COMDAT group, ld.lld keeps one), symbols, relocations
describe() {
	"$READELF" -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] //p' |
		awk '$1 != "NULL" && $1 != ".group" && $1 !~ /^\.(symtab|strtab|shstrtab|comment)$/ { print "section", $1, $2, $3, $5 }' |
		LC_ALL=C sort
	# (type n: ld.lld keeps the COMDAT group's signature symbol)
	$NM "$1" | awk '{ if (NF == 2) print "symbol", $2, $1; else if ($2 != "n") print "symbol", $3, $2, $1 }' | LC_ALL=C sort
	"$READELF" -rW "$1" | awk '/^Relocation section/ { s = $3 } /^[0-9a-f]+ / { print "reloc", s, $1, $3, $5 }'
}

for set in same mixed; do
	objs="$tmp/a.o $tmp/b.o $tmp/n1.o $tmp/n2.o"; [ $set = mixed ] && objs="$objs $tmp/nx.o"
	for l in bfd lld; do
		ld_with $l -r $LT_LPATH -T module.lds -o "$tmp/m-$set-$l.o" $objs > "$tmp/ld.out" 2>&1 ||
			{ cat "$tmp/ld.out"; die "$set: module link with $l failed"; }
		describe "$tmp/m-$set-$l.o" > "$tmp/m-$set-$l.txt"
	done
	diff -u "$tmp/m-$set-bfd.txt" "$tmp/m-$set-lld.txt" || bad "$arch $set: GNU ld and ld.lld modules differ (- GNU ld, + ld.lld)"

	for l in bfd lld; do
		m=$tmp/m-$set-$l.o
		for s in .data.percpu .bss.percpu; do
			n=$("$READELF" -SW "$m" | grep -c " $s ")
			[ "$n" = 1 ] || bad "$arch $set/$l: $n output sections named $s, want 1"
		done
		got=$(section_size "$m" .data.percpu)
		want=$(inputs_size "$tmp/a.o $tmp/b.o" ".data.percpu .data..percpu .data.percpu.read_mostly")
		# alignment padding between inputs (at most 31 bytes each: the
		# fixtures align to 32 at most) may add bytes, never drop any
		[ "$got" -ge "$want" ] && [ "$got" -le $((want + 5 * 31)) ] || bad "$arch $set/$l: .data.percpu is $got bytes, inputs $want"
		got=$(section_size "$m" .bss.percpu); want=$(inputs_size "$tmp/a.o $tmp/b.o" .bss.percpu)
		[ "$got" -ge "$want" ] && [ "$got" -le $((want + 2 * 31)) ] || bad "$arch $set/$l: .bss.percpu is $got bytes, inputs $want"
		"$READELF" -SW "$m" | grep -q ' \.data\.\.percpu \| \.data\.percpu\.' && bad "$arch $set/$l: a per-CPU input kept its own section"
		# per-CPU symbols are defined in the merged sections
		for v in mod_hits mod_table mod_linux mod_mostly mod_b_total; do
			"$READELF" -sW "$m" | awk -v v=$v '$8 == v { print $7 }' | grep -qx "$("$READELF" -SW "$m" | sed -n 's/^ *\[ *\([0-9]*\)\] \.data\.percpu .*/\1/p')" ||
				bad "$arch $set/$l: $v is not in .data.percpu"
		done
		# relocations against per-CPU symbols remain, and the kernel's export is undefined
		"$READELF" -rW "$m" | grep -Eq 'R_(386_32|X86_64_(PC32|32S|64)) .* mod_hits' || bad "$arch $set/$l: no relocation against mod_hits left"
		$NM "$m" | grep -q ' U kernel_counter$' || bad "$arch $set/$l: kernel_counter is not left undefined"
		# the record: contract.h's magic, version and word count, little
		# endian, not loaded
		[ "$CONTRACT_RECORD_WORDS" = 6 ] || bad "contract.h's record has $CONTRACT_RECORD_WORDS words, this test checks 6"
		want="$(printf '%08x %08x %08x %08x %08x %08x' $CONTRACT_RECORD_MAGIC $CONTRACT_RECORD_VERSION $PERCPU_SHIFT \
			$(section_size "$m" .data.percpu) $(section_size "$m" .bss.percpu) \
			$(section_size "$m" .note.percpu))"
		got=
		"$OBJCOPY" --dump-section .percpu.module="$tmp/rec.bin" "$m" "$tmp/scratch.o" &&
			got=$(od -An -tx4 -v --endian=little "$tmp/rec.bin" | xargs)
		[ "$got" = "$want" ] || bad "$arch $set/$l: .percpu.module holds '$got', want '$want'"
		"$READELF" -SW "$m" | sed -n 's/^ *\[ *[0-9]*\] //p' | awk '$1 == ".percpu.module" && $7 ~ /A/' | grep -q . &&
			bad "$arch $set/$l: .percpu.module is allocated"
		notes=$("$READELF" -nW "$m" | grep -c percpu-vm)
		want=1; [ $set = mixed ] && want=2
		[ "$notes" = $want ] || bad "$arch $set/$l: $notes stride notes, want $want (one per stride)"
	done
	echo "$set: .data.percpu $(section_size "$tmp/m-$set-bfd.o" .data.percpu) bytes, .bss.percpu $(section_size "$tmp/m-$set-bfd.o" .bss.percpu) bytes, $("$READELF" -nW "$tmp/m-$set-bfd.o" | grep -c percpu-vm) stride note(s)"
done
echo "$arch: module layouts agree"
done
exit $fail
