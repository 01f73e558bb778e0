#!/bin/bash
# tests/plugin/asm-i386.sh: the code the plugin makes, on i386 -O2.
#   - remote per_cpu() has no reference to the offset table: cpu << shift;
#   - a constant CPU is one absolute operand (var + cpu * stride);
#   - pointer arithmetic on the table (`*(__per_cpu_offset + cpu)`) gives
#     the same code as per_cpu();
#   - each this_cpu_* op is one %fs-prefixed instruction;
#   - in classic mode the plugin changes no code;
#   - without the plugin (control) the table is read, so the checks above
#     do test the plugin.
. "$top_srcdir/tests/plugin/plugin-lib.sh"

src="$top_srcdir/tests/plugin/code/asm-access.c"
stride=$((1 << PERCPU_SHIFT))

# no_table FILE FUNCTION: the body does not mention __per_cpu_offset.
no_table () {
	if asm_body "$1" "$2" | grep -q __per_cpu_offset; then
		fail "$tag: $2 still reads __per_cpu_offset: $(asm_body "$1" "$2" | tr '\n' ';')"
	else
		pass "$tag: $2 does not read the offset table"
	fi
}

while read -r gcc so; do
	tag=$(basename "$gcc")
	flags="$PLUGIN_TEST_I386 -O2 $PLUGIN_CODE_INCLUDES"
	vm="$plugin_tmp/$tag-vm.s"; ctl="$plugin_tmp/$tag-ctl.s"
	cl="$plugin_tmp/$tag-classic.s"; clctl="$plugin_tmp/$tag-classic-ctl.s"
	$gcc $flags -fchecking -fplugin="$so" -DCONFIG_HAS_VM_PERCPU -S "$src" -o "$vm" \
		|| { fail "$tag: VM-mode compile with the plugin"; continue; }
	$gcc $flags -DCONFIG_HAS_VM_PERCPU -S "$src" -o "$ctl" \
		|| { fail "$tag: VM-mode compile without the plugin"; continue; }

	for fn in remote_read remote_write remote_elem remote_ptr sum_all \
		  const_read const_write const_elem ptr_read ptr_next_read \
		  ptr_const_read hidden_read; do
		no_table "$vm" $fn
	done
	asm_body "$ctl" remote_read | grep -q __per_cpu_offset \
		|| fail "$tag: control: without the plugin remote_read should read the table"
	asm_body "$vm" remote_read | grep -q "^sall \$$PERCPU_SHIFT, " \
		|| fail "$tag: remote_read: no shift by $PERCPU_SHIFT"

	# Pointer arithmetic on the table lowers exactly like an index.
	for pair in ptr_read:remote_read ptr_next_read:remote_next_read ptr_const_read:const_read; do
		expect_body "$vm" ${pair%%:*} "$(asm_body "$vm" ${pair#*:})"
	done
	asm_body "$ctl" ptr_read | grep -q __per_cpu_offset \
		|| fail "$tag: control: without the plugin ptr_read should read the table"
	# At -O0 too: the dead address computation (&__per_cpu_offset + ...)
	# is removed with the load.
	$gcc $PLUGIN_TEST_I386 -O0 $PLUGIN_CODE_INCLUDES -fchecking -fplugin="$so" -DCONFIG_HAS_VM_PERCPU \
		-S "$src" -o "$plugin_tmp/$tag-O0.s" || fail "$tag: -O0 compile with the plugin"
	for fn in ptr_read ptr_next_read hidden_read; do
		no_table "$plugin_tmp/$tag-O0.s" $fn
	done
	expect_body "$vm" const_read "movl counter+$((3 * stride)), %eax" "ret"
	expect_body "$vm" const_write "movl \$7, counter+$((5 * stride))" "ret"
	expect_body "$vm" const_elem "movl table+$((2 * stride + 16)), %eax" "ret"

	expect_body "$vm" tc_read "movl %fs:counter, %eax" "ret"
	expect_body "$vm" tc_write "movl \$5, %fs:counter" "ret"
	expect_body "$vm" tc_add "addl \$9, %fs:counter" "ret"
	expect_body "$vm" tc_inc "incl %fs:counter" "ret"
	expect_body "$vm" tc_dec "decl %fs:counter" "ret"
	expect_body "$vm" tc_read16 "movw %fs:half, %ax" "ret"
	expect_body "$vm" tc_inc8 "incb %fs:byte" "ret"

	# Classic mode: the table is not the plugin's to replace.  The text is
	# the same as without the plugin (sections aside: .bss.percpu).
	$gcc $flags -fchecking -fplugin="$so" -S "$src" -o "$cl" \
		|| { fail "$tag: classic-mode compile with the plugin"; continue; }
	$gcc $flags -S "$src" -o "$clctl" \
		|| { fail "$tag: classic-mode compile without the plugin"; continue; }
	for fn in remote_read remote_write remote_elem const_read sum_all tc_add; do
		if [ "$(asm_body "$cl" $fn)" = "$(asm_body "$clctl" $fn)" ]; then
			pass "$tag: classic mode: $fn unchanged"
		else
			fail "$tag: classic mode: the plugin changed $fn"
		fi
	done
	asm_body "$cl" const_read | grep -q __per_cpu_offset \
		|| fail "$tag: classic mode: const_read should read the table"
done < <(plugin_compilers)
finish
