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
# An x86-64 object.
echo 'int x86_64_value = 1;' | $CC -x c -c -o "$tmp/x86_64.o" - || demo_fail=1
# counter_mod linked with an object built by the plugin for twice the
# stride: the module then carries two .note.percpu notes.
cat >"$tmp/other_stride.c" <<'SRC'
__attribute__((section(".data.percpu"), percpu)) unsigned long other_stride_value = 1;
SRC
"$PLUGIN_GCC" -m32 -fno-pie -O2 -fplugin="$top_builddir/plugin/percpu_plugin.so" \
	-fplugin-arg-percpu_plugin-shift=$demo_other_shift -c "$tmp/other_stride.c" \
	-o "$tmp/other_stride.o" || demo_fail=1
ldscripts="-L $top_builddir/ldscripts -T $top_srcdir/ldscripts/module.lds"
"$GNU_LD" -m elf_i386 -r --force-group-allocation $ldscripts \
	-o "$tmp/mixed_mod.o" "$top_builddir/examples/modules/obj/counter_mod.o" "$tmp/other_stride.o" ||
	demo_fail=1
# Sizes: 2.25 GiB of zero-initialised per-CPU data (no file bytes) is more
# than the loader's sums may hold; a 32 MiB .bss is more than the image may.
# (module.lds refuses to link the first, so it is linked without and
# carries a record made by hand that agrees with it.)
printf '.section .bss.percpu,"aw",@nobits\nhuge_pc: .skip 0x90000000\n' >"$tmp/huge_percpu.s"
printf '.section .percpu.module,"",@progbits\n.long 0x55504350, 1, %d, 0, 0x90000000, 0\n' \
	"$PERCPU_SHIFT" >>"$tmp/huge_percpu.s"
printf '.section .bss,"aw",@nobits\nhuge_img: .skip 0x2000000\n' >"$tmp/huge_image.s"
$CC -m32 -c "$tmp/huge_percpu.s" -o "$tmp/huge_percpu.o" || demo_fail=1
$CC -m32 -c "$tmp/huge_image.s" -o "$tmp/huge_image.in.o" &&
	"$GNU_LD" -m elf_i386 -r $ldscripts -o "$tmp/huge_image.o" "$tmp/huge_image.in.o" || demo_fail=1

name=bad-modules
demo_boot "$name" "$kernel" 2 -append "iters=1000 loops=5" \
	-initrd "$tmp/truncated.o expect=refuse,$tmp/text.o expect=refuse,$tmp/executable.o expect=refuse,$tmp/x86_64.o expect=refuse,$tmp/mixed_mod.o expect=refuse,$tmp/huge_percpu.o expect=refuse,$tmp/huge_image.o expect=refuse,$mods/counter_mod.o"
if expect_status "$name" 33; then
	expect_line "$name" "^module truncated.o: section( header table| [0-9]+) extends past the end of the file \\(refused\\)"
	expect_line "$name" "^module text.o: not an ELF file \\(refused\\)"
	expect_line "$name" "^module executable.o: ELF type 2 is not a relocatable object \\(ET_REL\\)"
	expect_line "$name" "^module x86_64.o: not a 32-bit little-endian ELF object \\(refused\\)"
	expect_line "$name" "^module mixed_mod.o: objects built for two per-CPU strides \\(2\\^$((PERCPU_SHIFT < demo_other_shift ? PERCPU_SHIFT : demo_other_shift)) and 2\\^$((PERCPU_SHIFT > demo_other_shift ? PERCPU_SHIFT : demo_other_shift))\\) were linked together"
	expect_line "$name" "^module huge_percpu.o: per-CPU sections of more than 2147483648 bytes \\(\\.bss\\.percpu\\) \\(refused\\)"
	expect_line "$name" "^module huge_image.o: section [0-9]+ is 33554432 bytes \\(a module may have at most 16777216\\) \\(refused\\)"
	for m in truncated text executable x86_64 huge_percpu huge_image; do
		expect_line "$name" "^CHECK PASS: module $m.o: refused \\(bad object\\) and nothing leaked"
	done
	expect_line "$name" "^CHECK PASS: module mixed_mod.o: refused \\(built for another per-CPU stride\\) and nothing leaked"
	expect_line "$name" "^CHECK PASS: module counter_mod.o: loaded, run on $(demo_started 2) CPUs"
	expect_line "$name" "^RESULT: PASS"
	echo "ok: $name"
fi

# module.lds's record (.percpu.module): a module without one is refused
# unless the kernel opts in (allow=unstamped on its command line); one whose
# sections no longer have the recorded sizes (big_mod's .bss.percpu renamed
# .bss: almost a stride of would-be per-CPU data loaded as ordinary data;
# stride_mod's note deleted: code for another stride) is refused; so is one
# linked for another stride, also without the plugin (noplugin_mod has no
# note: only the record knows).
"$OBJCOPY" --remove-section .percpu.module "$mods/counter_mod.o" "$tmp/unstamped.o" &&
	cp "$tmp/unstamped.o" "$tmp/unstamped_ok.o" &&
	"$OBJCOPY" --rename-section .bss.percpu=.bss "$mods/big_mod.o" "$tmp/renamed.o" &&
	"$OBJCOPY" --remove-section .note.percpu "$mods/stride_mod.o" "$tmp/nonote.o" || demo_fail=1
. "$top_srcdir/tests/test-config.sh"
test_config "$tmp/other" "$demo_other_shift" "$PERCPU_NR_CPUS" "$PERCPU_BASE" &&
	"$GNU_LD" -m elf_i386 -r -L "$tmp/other" $ldscripts -o "$tmp/wrong_stride.o" \
		"$top_builddir/examples/modules/obj/noplugin_mod.o" || demo_fail=1
name=module-record
demo_boot "$name" "$kernel" 2 -append "iters=1000 loops=5" \
	-initrd "$tmp/unstamped.o expect=refuse,$tmp/renamed.o expect=refuse,$tmp/nonote.o expect=refuse,$tmp/wrong_stride.o expect=refuse,$tmp/unstamped_ok.o allow=unstamped"
if expect_status "$name" 33; then
	expect_line "$name" "^module unstamped.o: no \\.percpu\\.module record: not linked with ldscripts/module\\.lds, so the stride it was built for and its per-CPU sections cannot be checked \\(refused\\)"
	expect_line "$name" "^module renamed.o: \\.bss\\.percpu had $((PERCPU_STRIDE - 4100)) bytes when linked \\(\\.percpu\\.module\\), the module has 0: a section was renamed, removed or changed after the link \\(refused\\)"
	expect_line "$name" "^module nonote.o: \\.note\\.percpu had 32 bytes when linked \\(\\.percpu\\.module\\), the module has 0"
	expect_line "$name" "^module wrong_stride.o: linked for per-CPU stride 2\\^$demo_other_shift, this kernel uses 2\\^$PERCPU_SHIFT .* \\(\\.percpu\\.module\\) \\(refused\\)"
	for m in unstamped renamed nonote; do
		expect_line "$name" "^CHECK PASS: module $m.o: refused \\(bad object\\) and nothing leaked"
	done
	expect_line "$name" "^CHECK PASS: module wrong_stride.o: refused \\(built for another per-CPU stride\\) and nothing leaked"
	expect_line "$name" "^CHECK PASS: module unstamped_ok.o: loaded, run on $(demo_started 2) CPUs"
	expect_line "$name" "^CHECK PASS: module unstamped_ok.o: after unload its pages are unmapped and given back"
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
