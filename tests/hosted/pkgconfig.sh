#!/bin/bash
# pkg-config: with PKG_CONFIG_PATH=<builddir>, percpu-vm-uninstalled.pc
# gives cflags that alone compile against the headers (in both modes, the
# constants matching config.h: a mismatch would be a redefinition error),
# and an ldscriptdir that alone lets a kernel and a module link.  The
# installed percpu-vm.pc points at $(pkgdatadir)/ldscripts and the include
# folder.
set -u
. "$top_builddir/tests/test-env.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
export PKG_CONFIG_PATH=$top_builddir
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR

cflags=$(pkg-config --cflags percpu-vm) || { echo "FAIL: pkg-config --cflags percpu-vm"; exit 1; }
echo "cflags: $cflags"
case " $cflags " in *" -DPERCPU_SHIFT=$PERCPU_SHIFT "*) ;; *) bad "cflags lack -DPERCPU_SHIFT=$PERCPU_SHIFT";; esac
case " $cflags " in *" -DPERCPU_NR_CPUS=$PERCPU_NR_CPUS "*) ;; *) bad "cflags lack -DPERCPU_NR_CPUS";; esac
for mode in -DCONFIG_HAS_VM_PERCPU -UCONFIG_HAS_VM_PERCPU; do
	$CC -m32 -O2 -ffreestanding -fno-pie $mode -Wall -Wextra -Werror $cflags \
		-c "$top_srcdir/tests/hosted/api-usage.c" -o "$tmp/api.o" || bad "api-usage.c with the pkg-config cflags ($mode)"
done
# the constants really are checked against config.h
if $CC -m32 -ffreestanding $(echo "$cflags" | sed "s/-DPERCPU_SHIFT=[0-9]*/-DPERCPU_SHIFT=$((PERCPU_SHIFT + 1))/") \
	-Werror -c "$top_srcdir/tests/hosted/api-usage.c" -o "$tmp/api.o" 2>"$tmp/err"; then
	bad "a -DPERCPU_SHIFT that disagrees with config.h compiled"
elif ! grep -q '"PERCPU_SHIFT" redefined' "$tmp/err"; then
	bad "a disagreeing -DPERCPU_SHIFT failed for another reason:"; cat "$tmp/err"
fi

ldscriptdir=$(pkg-config --variable=ldscriptdir percpu-vm)
echo "ldscriptdir: $ldscriptdir"
for f in percpu.lds percpu-config.lds kernel-i386.lds module.lds percpu-hosted.lds percpu-hosted-classic.lds; do
	[ -f "$ldscriptdir/$f" ] || bad "$f missing from $ldscriptdir"
done
$CC -m32 -O2 -ffreestanding -fno-pie -fno-asynchronous-unwind-tables -DCONFIG_HAS_VM_PERCPU $cflags \
	-c "$top_srcdir/tests/linker/kern-main.c" -o "$tmp/main.o" &&
$CC -m32 -O2 -ffreestanding -fno-pie -fno-asynchronous-unwind-tables -DCONFIG_HAS_VM_PERCPU $cflags \
	-c "$top_srcdir/tests/linker/kern-data.c" -o "$tmp/data.o" ||
	bad "compiling the kernel fixture"
# The kernel side of the library: the glue and the runtime archives.
kernel_libs=$(pkg-config --variable=kernel_libs percpu-vm)
echo "kernel_libs: $kernel_libs"
for a in $kernel_libs; do [ -f "$a" ] || bad "kernel_libs names $a, which does not exist"; done
"$GNU_LD" -m elf_i386 -L "$ldscriptdir" -T kernel-i386.lds -o "$tmp/k.elf" "$tmp/main.o" "$tmp/data.o" \
	$kernel_libs || bad "kernel link with only -L \$ldscriptdir and \$kernel_libs"
$NM "$tmp/k.elf" | grep -q ' __per_cpu_offset$' || bad "the kernel_libs link did not bring __per_cpu_offset"
"$GNU_LD" -m elf_i386 -r -L "$ldscriptdir" -T "$ldscriptdir/module.lds" -o "$tmp/m.o" "$tmp/data.o" || bad "module link with module.lds from \$ldscriptdir"

# The installed file: ldscriptdir under the data folder, headers under includedir.
inst_scripts=$(pkg-config --variable=ldscriptdir "$top_builddir/percpu-vm.pc")
inst_cflags=$(pkg-config --cflags "$top_builddir/percpu-vm.pc")
case $inst_scripts in */share/percpu-vm/ldscripts) ;; *) bad "installed ldscriptdir is '$inst_scripts'";; esac
inst_libs=$(pkg-config --variable=kernel_libs "$top_builddir/percpu-vm.pc")
case $inst_libs in */lib/percpu-vm/libpercpu-glue-i386.a" "*/lib/percpu-vm/libpercpu-runtime-i386.a) ;;
	*) bad "installed kernel_libs is '$inst_libs'";; esac
case " $inst_cflags " in *" -I"*"/include "*) ;; *) bad "installed cflags lack the include folder: '$inst_cflags'";; esac
echo "installed: ldscriptdir $inst_scripts, cflags $inst_cflags"
exit $fail
