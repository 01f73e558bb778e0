#!/bin/bash
# The i386 arch part's this_cpu_*() are single %fs-prefixed instructions on
# the variable's link-time address (sizes 1, 2 and 4), 8-byte reads are one
# cmpxchg8b %fs:, and per_cpu() is integer arithmetic on __per_cpu_offset.
# Checked on the disassembly of i386-codegen.c, -O2, in VM and classic mode
# (the instructions are the same: only the %fs base differs).
set -u
. "$top_builddir/tests/test-env.sh"
inc="-I$top_builddir/kernel-glue/include -I$top_srcdir/kernel-glue/include"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
body() { # function name -> its instructions, one per line, relocations inline
	objdump -dr --no-show-raw-insn "$tmp/c.o" | awk -v f="<$1>:" '
		$2 == f { on = 1; next } on && /^$/ { exit }
		on && /R_386/ { sub(/^[ \t]+/, ""); printf "  [%s %s]", $2, $3; next }
		on { sub(/^[ \t]*[0-9a-f]+:[ \t]*/, ""); gsub(/[ \t]+/, " "); printf "\n%s", $0 }'
}
expect() { # function, extended regex its instructions must match exactly
	got=$(body "$1" | grep -v '^$' | grep -v '^\(nop\|xchg %ax,%ax\|lea 0x0(%esi.*\)' | tr '\n' ';')
	if ! printf '%s' "$got" | grep -Eqx "$2"; then
		echo "FAIL: $1 ($mode): got '$got', want /$2/"; fail=1
	fi
}
for mode in -DCONFIG_HAS_VM_PERCPU -UCONFIG_HAS_VM_PERCPU; do
	$CC -m32 -O2 $mode -ffreestanding -fno-pie -fno-asynchronous-unwind-tables \
		-Wall -Wextra -Werror $inc -c "$top_srcdir/tests/hosted/i386-codegen.c" -o "$tmp/c.o" || exit 1
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
done
exit $fail
