#!/bin/bash
# tests/install/installcheck.sh: `make installcheck` (also run by make
# distcheck).  The installed tree alone builds a kernel: the cflags, the
# plugin, the linker scripts and the i386 archives come from the installed
# percpu-vm.pc; the installed percpu-layout checks the result and reads
# the plugin's report; its man page is where man looks.
#   usage: installcheck.sh SRCDIR PKGCONFIGDIR BINDIR MANDIR CC GNU_LD LD_LLD
set -u
srcdir=$1 pcdir=$2 bindir=$3 mandir=$4 cc=$5 gnu_ld=$6 ld_lld=$7
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: installcheck: $*"; fail=1; }

export PKG_CONFIG_PATH=$pcdir
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
for v in ldscriptdir plugin plugin_cflags kernel_libs; do
	val=$(pkg-config --variable=$v percpu-vm)
	[ -n "$val" ] || bad "pkg-config --variable=$v percpu-vm is empty"
	eval "pc_$v=\$val"
done
cflags=$(pkg-config --cflags percpu-vm) || bad "pkg-config --cflags percpu-vm"
[ -f "$pc_plugin" ] || bad "the plugin $pc_plugin is not installed"
# contract.h, the rule the scripts follow, is installed beside the API.
printf '#include <percpu-vm/contract.h>\nint f(void) { return percpu_section_p(".bss..percpu"); }\n' |
	"$cc" -m32 -ffreestanding $cflags -x c -c - -o "$tmp/contract.o" || bad "percpu-vm/contract.h is not installed"

"$cc" -m32 -ffreestanding -fno-pie -fno-pic -fno-asynchronous-unwind-tables -O2 \
	-Wall -Wextra -Werror -fchecking -DCONFIG_HAS_VM_PERCPU $cflags $pc_plugin_cflags \
	-fplugin-arg-percpu_plugin-report="$tmp/kernel.json" \
	-c "$srcdir/tests/install/kernel.c" -o "$tmp/kernel.o" || bad "compiling with the installed flags"
libgcc=$("$cc" -m32 -print-libgcc-file-name)
for ld in "$gnu_ld" "$ld_lld"; do
	out=$tmp/kernel-$(basename "$ld").elf
	if ! "$ld" -m elf_i386 --orphan-handling=error -L "$pc_ldscriptdir" -T kernel-i386.lds \
		-o "$out" "$tmp/kernel.o" $pc_kernel_libs "$libgcc"; then
		bad "linking with $ld, the installed scripts and kernel_libs"; continue
	fi
	"$bindir/percpu-layout" --check --reports "$tmp/kernel.json" "$out" ||
		bad "the installed percpu-layout --check fails on the $ld kernel"
	"$bindir/percpu-layout" --reports "$tmp/kernel.json" "$out" >"$tmp/layout.txt" ||
		bad "the installed percpu-layout fails on the $ld kernel"
	# ic_slots from the template, ic_hits zero-filled (the plugin's
	# .bss.percpu), each with its site from the report.
	grep -q '^  0x00000000  *16  *4  *0 data .* ic_slots  (.*/kernel\.c:12, 1 access)$' "$tmp/layout.txt" &&
	grep -q '^  0x00000010  *4  *4  *0 zero .* ic_hits  (.*/kernel\.c:11, 1 access)$' "$tmp/layout.txt" &&
	grep -q 'this-cpu .*/kernel\.c:19:2 in _start$' "$tmp/layout.txt" ||
		{ bad "the layout of the $ld kernel is not what kernel.c says:"; cat "$tmp/layout.txt"; }
done
[ -f "$mandir/man1/percpu-layout.1" ] || bad "no man page in $mandir/man1"
[ $fail -eq 0 ] && echo "installcheck: the installed percpu-vm builds, links (GNU ld, ld.lld) and checks a kernel"
exit $fail
