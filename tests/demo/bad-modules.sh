#!/bin/bash
# Malformed modules are refused with a message naming the problem and leave
# nothing behind; and the pass/fail machinery itself works: a module that
# loads although the command line says it must be refused turns the run
# into a FAIL with qemu exit status 35.
. "$top_srcdir/tests/demo/demo-lib.sh"

kernel="$top_builddir/examples/demo-kernel-2level-bfd.elf"
mods="$top_builddir/examples/modules/bfd"
tmp="$top_builddir/tests/demo/bad-modules.tmp"
rm -rf "$tmp" && mkdir -p "$tmp"
head -c 700 "$mods/counter_mod.o" >"$tmp/truncated.o"
echo "this is not an ELF object" >"$tmp/text.o"
cp "$top_builddir/examples/demo-kernel-2level-bfd.elf" "$tmp/executable.o"

name=bad-modules
demo_boot "$name" "$kernel" 2 -append "iters=1000 loops=5" \
	-initrd "$tmp/truncated.o expect=refuse,$tmp/text.o expect=refuse,$tmp/executable.o expect=refuse,$mods/counter_mod.o"
if expect_status "$name" 33; then
	expect_line "$name" "^module truncated.o: section( header table| [0-9]+) extends past the end of the file \\(refused\\)"
	expect_line "$name" "^module text.o: not an ELF file \\(refused\\)"
	expect_line "$name" "^module executable.o: ELF type 2 is not a relocatable object \\(ET_REL\\)"
	for m in truncated text executable; do
		expect_line "$name" "^CHECK PASS: module $m.o: refused \\(bad object\\) and nothing leaked"
	done
	expect_line "$name" "^CHECK PASS: module counter_mod.o: loaded, run on 2 CPUs"
	expect_line "$name" "^RESULT: PASS"
	echo "ok: $name"
fi

name=wrongly-loaded
demo_boot "$name" "$kernel" 1 -append "iters=1000 loops=0" -initrd "$mods/counter_mod.o expect=refuse"
if expect_status "$name" 35; then
	expect_line "$name" "^CHECK FAIL: module counter_mod.o: loaded, but it should have been refused"
	expect_line "$name" "^RESULT: FAIL \\([0-9]+ checks passed, 1 failed\\)"
	echo "ok: $name (a failed check gives qemu exit status 35)"
fi
rm -rf "$tmp"
exit $demo_fail
