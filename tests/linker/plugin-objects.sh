#!/bin/bash
# The linker scripts with objects compiled by the GCC plugin (real
# .note.percpu notes in COMDAT groups, zero-initialised per-CPU data moved
# to .bss.percpu): GNU ld and ld.lld give equal layouts, the kernel keeps
# one note of the configured shift, .bss.percpu lands in the zero part, and
# a module mixing two strides keeps both notes for the loader to refuse.
. "$top_srcdir/tests/linker/lib.sh"
plugin=$top_builddir/plugin/percpu_plugin.so
[ -f "$plugin" ] || die "$plugin not built"
pcc() { local out=$1 src=$2; shift 2
	$PLUGIN_GCC $LT_CFLAGS $LT_INC -fplugin="$plugin" "$@" -c "$src" -o "$out" || die "cannot compile $src with the plugin"; }

pcc "$tmp/main.o" "$LT_SRC/kern-main.c" -DCONFIG_HAS_VM_PERCPU
pcc "$tmp/data.o" "$LT_SRC/kern-data.c" -DCONFIG_HAS_VM_PERCPU
pcc "$tmp/offsets.o" "$top_srcdir/kernel-glue/percpu_offsets.c" -DCONFIG_HAS_VM_PERCPU
pcc "$tmp/cpu.o" "$top_srcdir/kernel-glue/arch/i386/percpu_cpu.c" -DCONFIG_HAS_VM_PERCPU
objs="$tmp/main.o $tmp/data.o $tmp/offsets.o $tmp/cpu.o"
"$READELF" -SW "$tmp/cpu.o" | grep -q ' \.bss\.percpu ' || bad "the plugin did not move pcpu_cpu_number to .bss.percpu"

for l in bfd lld; do
	ld_with $l $LT_LPATH -T kernel-i386.lds -o "$tmp/k-$l.elf" $objs || die "kernel link with $l"
	layout "$tmp/k-$l.elf" > "$tmp/k-$l.layout"
done
diff -u "$tmp/k-bfd.layout" "$tmp/k-lld.layout" || bad "kernel: GNU ld and ld.lld layouts differ"
k=$tmp/k-bfd.elf
notes=$("$READELF" -nW "$k" | grep -c 'percpu-vm')
[ "$notes" = 1 ] || bad "kernel: $notes stride notes from 4 plugin objects, want 1"
dend=$(hexval $(sym $k __per_cpu_data_end)); end=$(hexval $(sym $k __per_cpu_end))
a=$(hexval $(sym $k pcpu_cpu_number))
[ $a -ge $dend ] && [ $a -lt $end ] || bad "kernel: pcpu_cpu_number (zero-initialised) not in the zero part"
[ $end -gt $dend ] || bad "kernel: empty zero part"

other=$((PERCPU_SHIFT == 13 ? 14 : PERCPU_SHIFT - 1))  # another valid shift (13..31)
pcc "$tmp/a.o" "$LT_SRC/mod-a.c" -DCONFIG_HAS_VM_PERCPU
pcc "$tmp/b.o" "$LT_SRC/mod-b.c" -fplugin-arg-percpu_plugin-shift=$other
for l in bfd lld; do
	ld_with $l -r $LT_LPATH -T module.lds -o "$tmp/m-$l.o" "$tmp/a.o" "$tmp/b.o" || die "module link with $l"
	n=$("$READELF" -nW "$tmp/m-$l.o" | grep -c 'percpu-vm')
	[ "$n" = 2 ] || bad "module ($l): $n stride notes for two strides, want 2"
done
[ "$("$READELF" -SW "$tmp/m-bfd.o" | awk '$2 == ".data.percpu" || $2 == ".bss.percpu" { print $2, $6 }')" = \
  "$("$READELF" -SW "$tmp/m-lld.o" | awk '$2 == ".data.percpu" || $2 == ".bss.percpu" { print $2, $6 }')" ] ||
	bad "module: per-CPU section sizes differ between GNU ld and ld.lld"
[ $fail = 0 ] && echo "plugin objects: equal layouts, 1 kernel note, zero part $((end - dend)) bytes, 2 notes in the mixed module"
exit $fail
