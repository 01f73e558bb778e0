#!/bin/bash
# tests/plugin/asm-x86_64.sh: the code the plugin makes for x86-64 kernel
# code (-m64 -mcmodel=kernel -mno-red-zone -fno-pie), at -O2 and -O0, at
# shift 20 and at the largest shift, 31:
#   - remote per_cpu() has no reference to the offset table: the CPU,
#     zero- or sign-extended to 64 bits by its own type as the table index
#     would be, shifted in 64 bits;
#   - a constant CPU is one operand, var + cpu * stride: a 32-bit
#     displacement while cpu * stride < 2^31 (the kernel code model's
#     symbols are in the top 2 GiB), a 64-bit absolute address above;
#   - pointer arithmetic on the table (8-byte entries) lowers like an index;
#   - zero per-CPU variables go to .bss.percpu, and the object carries the
#     stride note;
#   - without the plugin (control) the table is read, so the checks above
#     do test the plugin.
# The unit (code/asm-x86_64.c) declares its own table and accessors
# (code/x86_64-accessors.h): the kernel-glue x86-64 headers are not this
# test's subject.
. "$top_srcdir/tests/plugin/plugin-lib.sh"

code="$top_srcdir/tests/plugin/code"
src="$code/asm-x86_64.c"
x86_64_flags="-m64 -mcmodel=kernel -mno-red-zone -fno-pie -fno-pic -ffreestanding \
-fno-asynchronous-unwind-tables -fno-stack-protector -I$code"

all_fns="remote_read remote_read_int remote_read_long remote_read_char remote_write
	remote_elem remote_ptr remote_next_read remote_next_read_long sum_all ptr_read
	ptr_next_read ptr_const_read const_read const_write const_elem const_wide"

while read -r gcc so; do
	for shift in 20 31; do
		tag="$(basename "$gcc") shift $shift"
		vm="$plugin_tmp/vm.s"; ctl="$plugin_tmp/ctl.s"; o0="$plugin_tmp/O0.s"
		$gcc $x86_64_flags -DTEST_SHIFT=$shift -O2 -fchecking -fplugin="$so" -S "$src" -o "$vm" \
			|| { fail "$tag: -O2 compile with the plugin"; continue; }
		$gcc $x86_64_flags -DTEST_SHIFT=$shift -O0 -fchecking -fplugin="$so" -S "$src" -o "$o0" \
			|| { fail "$tag: -O0 compile with the plugin"; continue; }
		$gcc $x86_64_flags -DTEST_SHIFT=$shift -O2 -S "$src" -o "$ctl" \
			|| { fail "$tag: compile without the plugin"; continue; }

		for f in "$vm" "$o0"; do
			for fn in $all_fns; do
				if asm_body "$f" $fn | grep -q __per_cpu_offset; then
					fail "$tag: $(basename "$f"): $fn reads __per_cpu_offset: $(asm_body "$f" $fn | tr '\n' ';')"
				fi
			done
		done
		pass "$tag: no function reads the offset table at -O2 or -O0"
		for fn in remote_read const_read ptr_read; do
			asm_body "$ctl" $fn | grep -q __per_cpu_offset \
				|| fail "$tag: control: without the plugin $fn should read the table"
		done

		# The CPU's type decides its extension, then a 64-bit shift.
		expect_body "$vm" remote_read "movl %edi, %edi" "salq \$$shift, %rdi" "movl counter(%rdi), %eax" "ret"
		expect_body "$vm" remote_read_int "movslq %edi, %rdi" "salq \$$shift, %rdi" "movl counter(%rdi), %eax" "ret"
		expect_body "$vm" remote_read_long "salq \$$shift, %rdi" "movl counter(%rdi), %eax" "ret"
		expect_body "$vm" remote_read_char "movzbl %dil, %edi" "salq \$$shift, %rdi" "movl counter(%rdi), %eax" "ret"
		expect_body "$vm" remote_write "movl %edi, %edi" "salq \$$shift, %rdi" "movq %rsi, wide(%rdi)" "ret"
		# Pointer arithmetic on the table is an index: entry cpu, entry
		# cpu + 1 counted in 64 bits, entry 3.
		expect_body "$vm" ptr_read "$(asm_body "$vm" remote_read)"
		expect_body "$vm" ptr_next_read "$(asm_body "$vm" remote_next_read_long)"
		expect_body "$vm" ptr_const_read "$(asm_body "$vm" const_read)"

		# A constant CPU: one operand.
		if [ $shift = 20 ]; then
			expect_body "$vm" const_read "movl counter+$((3 << 20))(%rip), %eax" "ret"
			expect_body "$vm" const_write "movl \$7, counter+$((5 << 20))(%rip)" "ret"
			expect_body "$vm" const_elem "movl table+$(((2 << 20) + 16))(%rip), %eax" "ret"
			expect_body "$vm" const_wide "movq wide+$((7 << 20))(%rip), %rax" "ret"
		else
			# 3 << 31 is no 32-bit displacement: a 64-bit address.
			expect_body "$vm" const_read "movabsl counter+$((3 << 31)), %eax" "ret"
			expect_body "$vm" const_elem "movabsl table+$(((2 << 31) + 16)), %eax" "ret"
			expect_body "$vm" const_wide "movabsq wide+$((7 << 31)), %rax" "ret"
		fi

		# The object: .bss.percpu for the zero variables, the stride note.
		obj="$plugin_tmp/unit.o"
		$gcc $x86_64_flags -DTEST_SHIFT=$shift -O2 -fchecking -fplugin="$so" -c "$src" -o "$obj" \
			|| { fail "$tag: compile to an object"; continue; }
		$READELF -hW "$obj" | grep -q 'Machine: *Advanced Micro Devices X86-64' \
			|| fail "$tag: not an x86-64 object"
		for v in counter:.bss.percpu wide:.bss.percpu table:.bss.percpu initialised:.data.percpu; do
			got=$(section_of "$obj" ${v%%:*})
			[ "$got" = "${v#*:}" ] && pass "$tag: ${v%%:*} in $got" \
				|| fail "$tag: ${v%%:*} is in '$got', want ${v#*:}"
		done
		got=$(notes "$obj")
		[ "$got" = "$shift 1 0x50435055" ] && pass "$tag: stride note: $got" \
			|| fail "$tag: want one stride note '$shift 1 0x50435055', got '$got'"
	done
done < <(plugin_compilers)
finish
