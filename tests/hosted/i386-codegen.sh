#!/bin/bash
# The i386 arch part's this_cpu_*() are single %fs-prefixed instructions on
# the variable's link-time address (sizes 1, 2 and 4: mov, add, sub, and,
# or, inc, dec, xadd, cmpxchg; xchg a read and an unlocked cmpxchg loop),
# 8-byte reads and cmpxchg are one cmpxchg8b %fs:, nothing is locked, the
# __this_cpu_/raw_cpu_ tiers are the same instructions, and per_cpu() is
# integer arithmetic on __per_cpu_offset.
# Checked on the disassembly of x86-codegen.c, -O2, in VM and classic mode
# (the instructions are the same: only the %fs base differs).
set -u
. "$top_builddir/tests/test-env.sh"
inc="-I$top_builddir/kernel-glue/include -I$top_srcdir/kernel-glue/include"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
. "$top_srcdir/tests/hosted/codegen-lib.sh"
for mode in -DCONFIG_HAS_VM_PERCPU -UCONFIG_HAS_VM_PERCPU; do
	$CC -m32 -O2 $mode -ffreestanding -fno-pie -fno-asynchronous-unwind-tables \
		-Wall -Wextra -Werror $inc -c "$top_srcdir/tests/hosted/x86-codegen.c" -o "$tmp/c.o" || exit 1
	expect t_inc       'incl %fs:0x0  \[R_386_32 counter\];ret;'
	expect t_dec       'decl %fs:0x0  \[R_386_32 counter\];ret;'
	expect t_read      'mov %fs:0x0,%eax  \[R_386_32 counter\];ret;'
	expect t_write     'movl \$0x2a,%fs:0x0  \[R_386_32 counter\];ret;'
	expect t_add       'addl \$0x5,%fs:0x0  \[R_386_32 counter\];ret;'
	expect t_byte_inc  'incb %fs:0x0  \[R_386_32 byte\];ret;'
	expect t_half_add  'addw \$0x3,%fs:0x0  \[R_386_32 half\];ret;'
	expect t_cpu       'mov %fs:0x0,%eax  \[R_386_32 pcpu_cpu_number\];ret;'
	# one cmpxchg8b on %fs:wide, surrounded by register set-up only
	expect t_wide_read '([^;%]*%e[a-d]x[^;]*;|push %ebx;|pop %ebx;)*cmpxchg8b %fs:0x0  \[R_386_32 wide\];(pop %ebx;)?ret;'
	# integer arithmetic: load the CPU's offset, then one access at counter+offset
	expect t_per_cpu   'mov 0x4\(%esp\),%eax;mov 0x0\(,%eax,4\),%eax  \[R_386_32 __per_cpu_offset\];mov 0x0\(%eax\),%eax  \[R_386_32 counter\];ret;'
	# this_cpu_ptr: one %fs load of the offset, added to the pointer (an
	# array index folds into the access's address)
	expect t_this_ptr  'mov %fs:0x0,%eax  \[R_386_32 pcpu_this_cpu_off\];add \$0x0,%eax  \[R_386_32 counter\];ret;'
	expect t_this_ptr_elem 'mov %fs:0x0,%eax  \[R_386_32 pcpu_this_cpu_off\];add \$0x8,%eax  \[R_386_32 quad\];ret;'
	expect t_this_ptr_index 'mov %fs:0x0,%eax  \[R_386_32 pcpu_this_cpu_off\];mov 0x4\(%esp\),%edx;mov 0x0\(%eax,%edx,4\),%eax  \[R_386_32 quad\];ret;'
	expect t_this_ptr_dynamic 'mov %fs:0x0,%eax  \[R_386_32 pcpu_this_cpu_off\];add 0x4\(%esp\),%eax;ret;'

	# the Linux ops: one %fs instruction where x86 has one
	expect t_sub       'subl \$0x7,%fs:0x0  \[R_386_32 counter\];ret;'
	expect t_and       'andw \$0xff0,%fs:0x0  \[R_386_32 half\];ret;'
	expect t_or        'orb \$0x81,%fs:0x0  \[R_386_32 byte\];ret;'
	expect t_raw_add   'addl \$0x5,%fs:0x0  \[R_386_32 counter\];ret;'
	expect t_this_raw_inc 'incb %fs:0x0  \[R_386_32 byte\];ret;'
	# add_return: xadd leaves the old value in the register, + the addend
	expect t_add_return 'mov 0x4\(%esp\),%eax;mov %eax,%edx;xadd %edx,%fs:0x0  \[R_386_32 counter\];add %edx,%eax;ret;'
	expect t_inc_return '[^;]*;xadd %ax,%fs:0x0  \[R_386_32 half\];add \$0x1,%eax;ret;'
	expect t_dec_return '[^;]*;xadd %al,%fs:0x0  \[R_386_32 byte\];sub \$0x1,%eax;ret;'
	# cmpxchg: %eax is the expected value in and the value found out
	expect t_cmpxchg   'mov 0x4\(%esp\),%eax;mov 0x8\(%esp\),%edx;cmpxchg %edx,%fs:0x0  \[R_386_32 counter\];ret;'
	expect t_cmpxchg_byte '([^;%]*%e[a-d]x;){2}cmpxchg %dl,%fs:0x0  \[R_386_32 byte\];ret;'
	# xchg: a read, then an unlocked cmpxchg until it sticks (no xchg: locked)
	expect t_xchg      'mov 0x4\(%esp\),%edx;mov %fs:0x0,%eax  \[R_386_32 counter\];cmpxchg %edx,%fs:0x0  \[R_386_32 counter\];jne [0-9a-f]+ <t_xchg\+0x[0-9a-f]+>;ret;'
	expect t_xchg_half '[^;]*;mov %fs:0x0,%ax  \[R_386_32 half\];cmpxchg %dx,%fs:0x0  \[R_386_32 half\];jne [^;]*;ret;'
	expect t_raw_xchg  '[^;]*;mov %fs:0x0,%eax  \[R_386_32 counter\];cmpxchg %edx,%fs:0x0  \[R_386_32 counter\];jne [^;]*;ret;'
	# 8 bytes: cmpxchg is one cmpxchg8b, xchg one cmpxchg8b retried in place
	expect t_wide_cmpxchg '(push %ebx;|mov [^;]*;)*cmpxchg8b %fs:0x0  \[R_386_32 wide\];pop %ebx;ret;'
	expect t_wide_xchg '(push %ebx;|xor [^;]*;|mov [^;]*;)*cmpxchg8b %fs:0x0  \[R_386_32 wide\];jne [0-9a-f]+ <t_wide_xchg\+0x[0-9a-f]+>;pop %ebx;ret;'
	# add_return of 8 bytes: a read and a cmpxchg8b loop, nothing locked
	n=$(body t_wide_add_return | grep -c 'cmpxchg8b %fs:0x0')
	[ "$n" = 2 ] || { echo "FAIL: t_wide_add_return ($mode): $n cmpxchg8b, want a read and one in the loop"; fail=1; }
	# no this_cpu op takes a bus lock: no lock prefix, no xchg with memory
	if objdump -d --no-show-raw-insn "$tmp/c.o" | grep -E '\block\b|[[:space:]]xchg[bwl]? +[^ ]*%fs:'; then
		echo "FAIL: a locked instruction in the this_cpu ops ($mode)"; fail=1
	fi
	# -O0 emits every case of the headers' size switches and keeps each
	# operand where it is: it must assemble too
	$CC -m32 -O0 $mode -ffreestanding -fno-pie -Wall -Wextra -Werror $inc \
		-c "$top_srcdir/tests/hosted/x86-codegen.c" -o "$tmp/c0.o" || { echo "FAIL: -O0 ($mode)"; fail=1; }
done
exit $fail
