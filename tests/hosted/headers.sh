#!/bin/bash
# The API headers compile warning-free wherever a kernel might include them:
# C11 and gnu89, i386, the x86-64 kernel part (-mcmodel=kernel) and the
# hosted one (-m64 -DPERCPU_ARCH_HOSTED), freestanding, VM and classic mode, -O0 and
# -O2, with -Wall -Wextra -Wpedantic -Werror; with GCC and, when installed,
# clang.  api-usage.c uses every macro of percpu.h.  Also checks that the
# mode really follows CONFIG_HAS_VM_PERCPU / __ARCH_HAS_VM_PERCPU.  And
# contract.h alone, as C and as C++, with no other header available.
set -u
. "$top_builddir/tests/test-env.sh"
src=$top_srcdir/tests/hosted/api-usage.c
inc="-I$top_builddir/kernel-glue/include -I$top_srcdir/kernel-glue/include -I$top_srcdir/runtime/include"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

compilers=$CC
command -v clang >/dev/null 2>&1 && compilers="$compilers clang"
fail=0 n=0
for cc in $compilers; do
 for arch in -m32 "-m64 -mcmodel=kernel -mno-red-zone" "-m64 -DPERCPU_ARCH_HOSTED"; do
  for std in c11 gnu89; do
   for mode in -DCONFIG_HAS_VM_PERCPU -UCONFIG_HAS_VM_PERCPU; do
    for opt in -O0 -O2; do
	n=$((n + 1))
	if ! $cc $arch -std=$std $mode $opt -ffreestanding -fno-pie -nostdlib \
		-Wall -Wextra -Wpedantic -Werror $inc -c "$src" -o "$tmp/a.o" 2>"$tmp/err"; then
		echo "FAIL: $cc $arch -std=$std $mode $opt:"; cat "$tmp/err"; fail=1
	fi
    done
   done
  done
 done
done
# the generic arch part (classic only, smp_processor_id() from the kernel)
for arch in -m32 -m64; do
	n=$((n + 1))
	$CC $arch -std=gnu89 -O2 -DPERCPU_ARCH_GENERIC -DCONFIG_HAS_VM_PERCPU -ffreestanding -fno-pie -nostdlib \
		-Wall -Wextra -Wpedantic -Werror $inc -c "$src" -o "$tmp/a.o" 2>"$tmp/err" ||
		{ echo "FAIL: generic arch part $arch:"; cat "$tmp/err"; fail=1; }
done
# contract.h (the facts the parts share) needs no other header at all
# (-nostdinc) and is C and C++: the plugin includes it as C++.
printf '#include <percpu-vm/contract.h>\nint f(const char *n);\nint f(const char *n) { return (int)percpu_section_classify(n) + percpu_section_linux_naming_p(n) + (percpu_section_kind_name(PERCPU_SECTION_ZERO)[0] == 122); }\n' > "$tmp/contract.c"
for cc in $compilers; do
	cxx=$(echo "$cc" | sed 's/gcc/g++/; s/clang$/clang++/')
	for lang in "$cc -x c -std=c99" "$cc -x c -std=gnu89" "$cc -x c -std=c11" "$cxx -x c++ -std=c++11" "$cxx -x c++ -std=c++17"; do
		n=$((n + 1))
		$lang -m32 -O2 -ffreestanding -nostdinc -Wall -Wextra -Wpedantic -Werror \
			-I$top_srcdir/kernel-glue/include -c "$tmp/contract.c" -o "$tmp/c.o" 2>"$tmp/err" ||
			{ echo "FAIL: contract.h with $lang:"; cat "$tmp/err"; fail=1; }
	done
done
echo "compiled api-usage.c and contract.h in $n configurations"

# The mode switch: VM only when both macros are defined.
mode_of() { printf '#include <percpu-vm/percpu.h>\nint mode = PERCPU_VM_MODE;\n' |
	$CC "$@" $inc -x c -E - | sed -n 's/^int mode = \(.*\);/\1/p'; }
check_mode() { want=$1; shift; got=$(mode_of "$@")
	if [ "$got" != "$want" ]; then echo "FAIL: PERCPU_VM_MODE is '$got' with $*, want $want"; fail=1; fi; }
check_mode 1 -m32 -DCONFIG_HAS_VM_PERCPU
check_mode 0 -m32
check_mode 1 -m64 -DCONFIG_HAS_VM_PERCPU
check_mode 1 -m64 -mcmodel=kernel -fno-pie -DCONFIG_HAS_VM_PERCPU
check_mode 0 -m64 -mcmodel=kernel -fno-pie
check_mode 0 -m64 -DCONFIG_HAS_VM_PERCPU -DPERCPU_ARCH_GENERIC
check_mode 0 -m64 -DPERCPU_ARCH_GENERIC

# A this_cpu op on an object of a size i386 cannot move is a compile error
# naming the sizes, not silent bad code.
cat > "$tmp/bad.c" <<'C'
#include <percpu-vm/percpu.h>
struct three { char c[3]; };
DEFINE_PER_CPU(struct three, odd);
struct three get(void) { return this_cpu_read(odd); }
C
if $CC -m32 -O2 -DCONFIG_HAS_VM_PERCPU -ffreestanding $inc -c "$tmp/bad.c" -o "$tmp/bad.o" 2>"$tmp/err"; then
	echo "FAIL: this_cpu_read of a 3-byte object compiled"; fail=1
elif ! grep -q "takes a 1, 2, 4 or 8 byte object" "$tmp/err"; then
	echo "FAIL: unexpected error for a 3-byte this_cpu_read:"; cat "$tmp/err"; fail=1
fi
# NR_CPUS beyond the configured window is refused.
if printf '#include <percpu-vm/percpu.h>\n' | $CC -DNR_CPUS=$((PERCPU_NR_CPUS + 1)) $inc -x c -c - -o "$tmp/n.o" 2>"$tmp/err"; then
	echo "FAIL: NR_CPUS larger than PERCPU_NR_CPUS accepted"; fail=1
elif ! grep -q "NR_CPUS is larger than the per-CPU window" "$tmp/err"; then
	echo "FAIL: unexpected error for a too large NR_CPUS:"; cat "$tmp/err"; fail=1
fi
exit $fail
