#!/bin/bash
# The x86-64 kernel arch part (percpu-vm/arch/x86_64.h), compiled as a
# kernel is (-m64 -mcmodel=kernel -mno-red-zone -O2): every this_cpu_*()
# is ONE %gs-relative instruction on the variable's own address (sizes 1,
# 2, 4 and 8 alike: mov, add, sub, and, or, inc, dec, xadd, cmpxchg; xchg a
# read and an unlocked cmpxchg loop), no this-CPU access reads the offset
# table, nothing is locked, the __this_cpu_/raw_cpu_ tiers are the same
# instructions, this_cpu_ptr() is one %gs load, and per_cpu() is integer
# arithmetic on __per_cpu_offset.  Also: the arch is chosen by the kernel
# code model or PERCPU_ARCH_X86_64 (the same code either way), and an
# x86-64 freestanding build that names no arch is an error, never the
# hosted part.  Checked on the disassembly of x86-codegen.c in VM and
# classic mode (the instructions are the same: only the GS base differs).
set -u
. "$top_builddir/tests/test-env.sh"
inc="-I$top_builddir/kernel-glue/include -I$top_srcdir/kernel-glue/include"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
. "$top_srcdir/tests/hosted/codegen-lib.sh"
src=$top_srcdir/tests/hosted/x86-codegen.c
kflags="-m64 -mcmodel=kernel -mno-red-zone -ffreestanding -fno-pie -fno-pic -fno-asynchronous-unwind-tables -Wall -Wextra -Werror"
# a per-CPU operand: %gs plus the variable's address, RIP-relative
G='%gs:0x0\(%rip\)' R='  \[R_X86_64_PC32'
for mode in -DCONFIG_HAS_VM_PERCPU -UCONFIG_HAS_VM_PERCPU; do
	$CC $kflags -O2 $mode $inc -c "$src" -o "$tmp/c.o" || exit 1
	expect t_inc       "incl $G$R counter-0x4\];ret;"
	expect t_dec       "decl $G$R counter-0x4\];ret;"
	expect t_read      "mov $G,%eax$R counter-0x4\];ret;"
	expect t_write     "movl \\\$0x2a,$G$R counter-0x8\];ret;"
	expect t_add       "addl \\\$0x5,$G$R counter-0x5\];ret;"
	expect t_byte_inc  "incb $G$R byte-0x4\];ret;"
	expect t_half_add  "addw \\\$0x3,$G$R half-0x5\];ret;"
	expect t_cpu       "mov $G,%eax$R pcpu_cpu_number-0x4\];ret;"
	# 8 bytes: the same single instructions, q-sized (no cmpxchg loop)
	expect t_wide_read "mov $G,%rax$R wide-0x4\];ret;"
	expect t_wide_write "mov %rdi,$G$R wide-0x4\];ret;"
	expect t_wide_add  "addq \\\$0x5,$G$R wide-0x5\];ret;"
	expect t_wide_inc  "incq $G$R wide-0x4\];ret;"
	# an immediate beyond 32 bits goes through a register, still one op
	expect t_wide_or_big "movabs \\\$0x100000000,%rax;or %rax,$G$R wide-0x4\];ret;"
	# integer arithmetic: the CPU's offset from the table, then one access
	expect t_per_cpu   'mov %edi,%edi;mov 0x0\(,%rdi,8\),%rax  \[R_X86_64_32S __per_cpu_offset\];mov 0x0\(%rax\),%eax  \[R_X86_64_32S counter\];ret;'
	# this_cpu_ptr: one %gs load of the offset, added to the pointer (an
	# array index folds into the access's address)
	expect t_this_ptr  "mov $G,%rax$R pcpu_this_cpu_off-0x4\];add \\\$0x0,%rax  \[R_X86_64_32S counter\];ret;"
	expect t_this_ptr_elem "mov $G,%rax$R pcpu_this_cpu_off-0x4\];add \\\$0x0,%rax  \[R_X86_64_32S quad\+0x8\];ret;"
	expect t_this_ptr_index "mov $G,%rax$R pcpu_this_cpu_off-0x4\];movslq %edi,%rdi;mov 0x0\(%rax,%rdi,4\),%eax  \[R_X86_64_32S quad\];ret;"
	expect t_this_ptr_dynamic "mov $G,%rax$R pcpu_this_cpu_off-0x4\];add %rdi,%rax;ret;"

	expect t_sub       "subl \\\$0x7,$G$R counter-0x5\];ret;"
	expect t_and       "andw \\\$0xff0,$G$R half-0x6\];ret;"
	expect t_or        "orb \\\$0x81,$G$R byte-0x5\];ret;"
	expect t_raw_add   "addl \\\$0x5,$G$R counter-0x5\];ret;"
	expect t_this_raw_inc "incb $G$R byte-0x4\];ret;"
	# add_return: xadd leaves the old value in the register, + the addend
	expect t_add_return "mov %edi,%eax;xadd %edi,$G$R counter-0x4\];add %edi,%eax;ret;"
	expect t_inc_return "([^;]*;)+xadd %ax,$G$R half-0x4\];add %edx,%eax;ret;"
	expect t_dec_return "[^;]*;xadd %al,$G$R byte-0x4\];sub \\\$0x1,%eax;ret;"
	expect t_wide_add_return "mov \\\$0x5,%eax;xadd %rax,$G$R wide-0x4\];add \\\$0x5,%rax;ret;"
	# cmpxchg: the accumulator is the expected value in and the value found out
	expect t_cmpxchg   "mov %edi,%eax;cmpxchg %esi,$G$R counter-0x4\];ret;"
	expect t_cmpxchg_byte "([^;%]*%e[a-d]x;){2}cmpxchg %dl,$G$R byte-0x4\];ret;"
	expect t_wide_cmpxchg "mov %rdi,%rax;cmpxchg %rsi,$G$R wide-0x4\];ret;"
	# xchg: a read, then an unlocked cmpxchg until it sticks (no xchg: locked)
	expect t_xchg      "mov $G,%eax$R counter-0x4\];cmpxchg %edi,$G$R counter-0x4\];jne [0-9a-f]+ <t_xchg\+0x[0-9a-f]+>;ret;"
	expect t_xchg_half "[^;]*;mov $G,%ax$R half-0x4\];cmpxchg %dx,$G$R half-0x4\];jne [^;]*;ret;"
	expect t_raw_xchg  "[^;]*;mov $G,%eax$R counter-0x4\];cmpxchg %edx,$G$R counter-0x4\];jne [^;]*;ret;"
	expect t_wide_xchg "mov $G,%rax$R wide-0x4\];cmpxchg %rdi,$G$R wide-0x4\];jne [^;]*;ret;"
	# no this-CPU access reads the offset table: only per_cpu() does
	users=$(objdump -dr "$tmp/c.o" | awk '/^[0-9a-f]+ <.*>:$/ { f = $2 } /R_X86_64.*__per_cpu_offset/ { print f }' | sort -u | tr '\n' ' ')
	[ "$users" = "<t_per_cpu>: " ] || { echo "FAIL: the offset table is read by '$users' ($mode), want only <t_per_cpu>:"; fail=1; }
	# no this_cpu op takes a bus lock: no lock prefix, no xchg with memory
	if objdump -d --no-show-raw-insn "$tmp/c.o" | grep -E '\block\b|[[:space:]]xchg[bwlq]? +[^ ]*%gs:'; then
		echo "FAIL: a locked instruction in the this_cpu ops ($mode)"; fail=1
	fi
	# -O0 emits every case of the size switches: it must assemble too
	$CC $kflags -O0 $mode $inc -c "$src" -o "$tmp/c0.o" || { echo "FAIL: -O0 ($mode)"; fail=1; }
	# PERCPU_ARCH_X86_64 names the same arch part the kernel code model picks
	$CC $kflags -O2 $mode -DPERCPU_ARCH_X86_64 $inc -c "$src" -o "$tmp/named.o" || { echo "FAIL: -DPERCPU_ARCH_X86_64 ($mode)"; fail=1; }
	cmp -s <(objdump -d "$tmp/c.o" | tail -n +3) <(objdump -d "$tmp/named.o" | tail -n +3) ||
		{ echo "FAIL: -DPERCPU_ARCH_X86_64 gives other code than -mcmodel=kernel alone ($mode)"; fail=1; }
done

# The arch part never comes from a guess: an x86-64 freestanding build that
# names none (here -mcmodel=large, as an unusual kernel might) is an error
# naming the macro, and a macro that contradicts the target is one too.
arch_error() { # expected message part, flags...
	local want=$1; shift
	if printf '#include <percpu-vm/percpu.h>\n' | $CC "$@" $inc -x c -c - -o "$tmp/e.o" 2>"$tmp/err"; then
		echo "FAIL: $* compiled, want an error"; fail=1
	elif ! grep -q "$want" "$tmp/err"; then
		echo "FAIL: $*: unexpected error:"; cat "$tmp/err"; fail=1
	fi
}
arch_error 'define PERCPU_ARCH_X86_64' -m64 -mcmodel=large -ffreestanding -fno-pie
arch_error 'define PERCPU_ARCH_X86_64' -m64 -D__KERNEL__
arch_error 'PERCPU_ARCH_X86_64 is defined, but the target is not x86-64' -m32 -DPERCPU_ARCH_X86_64
arch_error 'PERCPU_ARCH_HOSTED is the x86-64 user-space' -m32 -DPERCPU_ARCH_HOSTED
arch_error 'more than one of' -m64 -DPERCPU_ARCH_X86_64 -DPERCPU_ARCH_HOSTED
# a this_cpu op on a size x86-64 cannot move is a compile error naming the sizes
printf '#include <percpu-vm/percpu.h>\nstruct three { char c[3]; };\nDEFINE_PER_CPU(struct three, odd);\nstruct three get(void);\nstruct three get(void) { return this_cpu_read(odd); }\n' > "$tmp/bad.c"
if $CC $kflags -O2 -DCONFIG_HAS_VM_PERCPU $inc -c "$tmp/bad.c" -o "$tmp/bad.o" 2>"$tmp/err"; then
	echo "FAIL: this_cpu_read of a 3-byte object compiled"; fail=1
elif ! grep -q "on x86-64 takes a 1, 2, 4 or 8 byte object" "$tmp/err"; then
	echo "FAIL: unexpected error for a 3-byte this_cpu_read:"; cat "$tmp/err"; fail=1
fi
exit $fail
