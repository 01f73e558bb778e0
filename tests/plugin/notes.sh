#!/bin/bash
# tests/plugin/notes.sh: .note.percpu and .bss.percpu.
#   - every object built with the plugin has exactly one note: owner
#     percpu-vm, type 0x50435055, format version 1 and the shift;
#   - linked (ld -r with GNU ld and ld.lld, and a final GNU ld link),
#     objects of one stride give one note, of two strides two;
#   - zero-initialised per-CPU variables are in .bss.percpu (NOBITS),
#     the others in .data.percpu.
. "$top_srcdir/tests/plugin/plugin-lib.sh"

code="$top_srcdir/tests/plugin/code"
other_shift=$(( PERCPU_SHIFT == 13 ? 14 : 13 ))

# expect_notes FILE "shift version type"...: exactly these notes.
expect_notes () {
	local file=$1; shift
	local want got
	want=$(printf '%s\n' "$@" | sort)
	got=$(notes "$file" | sort)
	if [ "$got" = "$want" ]; then
		pass "$tag: $(basename "$file"): notes: $(echo $got)"
	else
		fail "$tag: $(basename "$file"): want notes [$(echo $want)], got [$(echo $got)]"
	fi
}

note="$PERCPU_SHIFT 1 0x50435055"
other="$other_shift 1 0x50435055"
while read -r gcc so; do
	tag=$(basename "$gcc")
	for arch in i386 x86_64; do
		if [ $arch = i386 ]; then
			flags="$PLUGIN_TEST_I386"; emu=elf_i386
		else
			flags="-fno-pie"; emu=elf_x86_64
		fi
		flags="$flags -O2 -fchecking -fplugin=$so -DCONFIG_HAS_VM_PERCPU $PLUGIN_TEST_INCLUDES"
		d="$plugin_tmp/$tag-$arch"; mkdir -p "$d"
		$gcc $flags -c "$code/note-a.c" -o "$d/a.o" &&
		$gcc $flags -c "$code/note-b.c" -o "$d/b.o" &&
		$gcc $flags -fplugin-arg-percpu_plugin-shift=$other_shift -c "$code/note-c.c" -o "$d/c.o" ||
			{ fail "$tag $arch: compile"; continue; }
		expect_notes "$d/a.o" "$note"
		expect_notes "$d/b.o" "$note"
		expect_notes "$d/c.o" "$other"
		$READELF -gW "$d/a.o" | grep -q "COMDAT group section .*\[percpu_stride_$PERCPU_SHIFT\]" \
			&& pass "$tag $arch: the note is in COMDAT group percpu_stride_$PERCPU_SHIFT" \
			|| fail "$tag $arch: no COMDAT group percpu_stride_$PERCPU_SHIFT"

		$GNU_LD -m $emu -r "$d/a.o" "$d/b.o" -o "$d/ab-bfd.o" && expect_notes "$d/ab-bfd.o" "$note"
		$GNU_LD -m $emu -r "$d/a.o" "$d/b.o" "$d/c.o" -o "$d/abc-bfd.o" && expect_notes "$d/abc-bfd.o" "$note" "$other"
		$LD_LLD -r "$d/a.o" "$d/b.o" -o "$d/ab-lld.o" && expect_notes "$d/ab-lld.o" "$note"
		$LD_LLD -r "$d/a.o" "$d/b.o" "$d/c.o" -o "$d/abc-lld.o" && expect_notes "$d/abc-lld.o" "$note" "$other"
		$GNU_LD -m $emu -e 0 "$d/a.o" "$d/b.o" -o "$d/ab-exe" && expect_notes "$d/ab-exe" "$note"

		# Sections: zero-initialised per-CPU variables in .bss.percpu.
		for sym in zero_implicit zero_explicit zero_array; do
			s=$(section_of "$d/a.o" $sym)
			[ "$s" = .bss.percpu ] && pass "$tag $arch: $sym in .bss.percpu" \
				|| fail "$tag $arch: $sym in '$s', want .bss.percpu"
		done
		for sym in initialised part_initialised; do
			s=$(section_of "$d/a.o" $sym)
			[ "$s" = .data.percpu ] && pass "$tag $arch: $sym in .data.percpu" \
				|| fail "$tag $arch: $sym in '$s', want .data.percpu"
		done
		$READELF -SW "$d/a.o" | grep -q ' \.bss\.percpu  *NOBITS ' \
			&& pass "$tag $arch: .bss.percpu is NOBITS" \
			|| fail "$tag $arch: .bss.percpu is not NOBITS"
	done
done < <(plugin_compilers)
finish
