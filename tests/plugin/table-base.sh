#!/bin/bash
# tests/plugin/table-base.sh: the offset table's optional base,
# percpu_offset_table(SHIFT, BASE), as a zero-based layout (Linux
# x86-64's) declares it: entry n is BASE + (n << SHIFT).  For x86-64 (-m64,
# Linux's window base, shifts 21 and 31) and i386 (-m32, a 32-bit base,
# shifts 20 and 28), at -O0 and -O2, with each plugin build:
#   - code/table-base-work.c, compiled with the plugin, has no function
#     that refers to the table (its control, without the plugin, does);
#   - a constant CPU is one constant: the whole function is one move of
#     counter + BASE + (3 << SHIFT), wrapped to the entries' width, and
#     a return;
#   - linked with code/table-base-main.c (no plugin: it fills the table and
#     reads it), every accessor gives what the table gives, also after the
#     table is overwritten with garbage; at shift 31 (-m64) and 28 (-m32)
#     the last CPU's entry wraps around, as the sum of a kernel address
#     and a zero-based offset does.
# The main unit and the link use $PLUGIN_GCC (GCC 11 has no 32-bit libgcc
# here); the work unit each plugin's own GCC.
. "$top_srcdir/tests/plugin/plugin-lib.sh"

code="$top_srcdir/tests/plugin/code"
common="-Wall -Wextra -Werror -fno-pie -fno-asynchronous-unwind-tables -I$code"

# run_case ARCH_FLAG SHIFT BASE
run_case () {
	local m=$1 shift=$2 base=$3 bits d opt
	local defs="-DTEST_SHIFT=$shift -DTEST_BASE=${base}UL"
	d="$plugin_tmp/$(basename "$gcc")$m-$shift"
	mkdir -p "$d"
	bits=$([ $m = -m64 ] && echo 64 || echo 32)
	# What main prints: entries 1 and 7 in the entries' width.
	local mask=$(( bits == 64 ? -1 : 0xffffffff ))
	local want
	want=$(printf 'entry 1 %#x entry 7 %#x\nfailures 0' \
		$(( (base + (1 << shift)) & mask )) $(( (base + (7 << shift)) & mask )))

	$PLUGIN_GCC $m $common $defs -O2 -c "$code/table-base-main.c" -o "$d/main.o" 2>"$d/err" \
		|| { fail "$tag: main unit: $(cat "$d/err")"; return; }
	$gcc $m $common $defs -O2 -S "$code/table-base-work.c" -o "$d/control.s" 2>"$d/err" \
		|| { fail "$tag: control: $(cat "$d/err")"; return; }
	asm_body "$d/control.s" remote | grep -q __per_cpu_offset \
		|| fail "$tag: control: without the plugin remote should read the table"
	for opt in -O0 -O2; do
		local s="$d/work$opt.s"
		if ! $gcc $m $common $defs $opt -fchecking -fplugin="$so" -S "$code/table-base-work.c" \
			-o "$s" 2>"$d/err"; then
			fail "$tag $opt: compile with the plugin: $(cat "$d/err")"
			continue
		fi
		if grep -q __per_cpu_offset "$s"; then
			fail "$tag $opt: the lowered unit refers to the table: $(grep __per_cpu_offset "$s" | tr '\n' ';')"
		else
			pass "$tag $opt: no function refers to __per_cpu_offset"
		fi
		$gcc $m $common $defs $opt -fchecking -fplugin="$so" -c "$code/table-base-work.c" \
			-o "$d/work$opt.o" 2>"$d/err" || { fail "$tag $opt: object: $(cat "$d/err")"; continue; }
		if ! $PLUGIN_GCC $m -no-pie "$d/main.o" "$d/work$opt.o" -o "$d/prog$opt" 2>"$d/err"; then
			fail "$tag $opt: link: $(cat "$d/err")"
			continue
		fi
		local out
		out=$("$d/prog$opt" 2>&1)
		if [ $? -eq 0 ] && [ "$out" = "$want" ]; then
			pass "$tag $opt: every accessor gives base + (cpu << $shift), poisoned table too"
		else
			fail "$tag $opt: program output:"$'\n'"$out"$'\n'"want:"$'\n'"$want"
		fi
	done
	# A constant CPU: one constant operand, counter + base + (3 << shift).
	local off=$(( (base + (3 << shift)) & mask ))
	if [ $bits = 32 ]; then
		off=$(( off >= 0x80000000 ? off - 0x100000000 : off ))
		expect_body "$d/work-O2.s" const_third "movl \$counter$(printf '%+d' $off), %eax" "ret"
	elif [ $shift = 21 ]; then
		expect_body "$d/work-O2.s" const_third "movq \$counter$(printf '%+d' $off), %rax" "ret"
	else
		expect_body "$d/work-O2.s" const_third "movabsq \$counter$(printf '%+d' $off), %rax" "ret"
	fi
}

while read -r gcc so; do
	for c in "-m64 21 0xffffffffc0000000" "-m64 31 0xffffffffc0000000" \
		 "-m32 20 0xc0000000" "-m32 28 0xc0000000"; do
		set -- $c
		tag="$(basename "$gcc") $1 shift $2 base $3"
		run_case "$@"
	done
done < <(plugin_compilers)
finish
