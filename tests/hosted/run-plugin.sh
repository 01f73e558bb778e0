#!/bin/bash
# The hosted run test's VM-mode program built with the GCC plugin: the
# header's percpu / percpu_offset_table attributes reach the plugin, which
# moves zero-initialised per-CPU variables to .bss.percpu and replaces the
# __per_cpu_offset loads by shifts; linked with percpu-hosted.lds, the
# program prints run.expected (for fewer configured CPUs, the file for that
# count) like the plain build.
set -u
. "$top_builddir/tests/test-env.sh"
. "$top_srcdir/tests/hosted/run-expected.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
plugin=$top_builddir/plugin/percpu_plugin.so
[ -f "$plugin" ] || { echo "FAIL: $plugin not built"; exit 1; }
inc="-I$top_builddir/kernel-glue/include -I$top_srcdir/kernel-glue/include -I$top_srcdir/runtime/include"
san=; $NM "$top_builddir/runtime/.libs/libpercpu-runtime.a" 2>/dev/null | grep -q ' U __asan_' && san="-fsanitize=address,undefined"
cflags="-O2 -mcmodel=large -fno-pie -fplugin=$plugin -DCONFIG_HAS_VM_PERCPU -D_FORTIFY_SOURCE=2
	-Wall -Wextra -Warray-bounds=2 -Wstringop-overflow -Werror $san $inc"
objs=
for src in tests/hosted/run-main.c tests/hosted/run-other.c tests/hosted/run-api.c kernel-glue/percpu_offsets.c \
	kernel-glue/percpu_alloc.c kernel-glue/percpu_classic.c kernel-glue/percpu_cpumask.c \
	kernel-glue/arch/hosted/percpu_hosted.c; do
	o=$tmp/$(basename "$src" .c).o
	$PLUGIN_GCC $cflags -c "$top_srcdir/$src" -o "$o" || { echo "FAIL: $src with the plugin"; exit 1; }
	objs="$objs $o"
done
$PLUGIN_GCC -no-pie $san -Wl,-T,"$top_builddir/ldscripts/percpu-hosted.lds" $objs \
	"$top_builddir/runtime/.libs/libpercpu-runtime.a" -lpthread -o "$tmp/run-plugin" || { echo "FAIL: link"; exit 1; }

if ! "$tmp/run-plugin" > "$tmp/out" 2> "$tmp/err"; then
	echo "FAIL: the plugin-built program exited with an error:"; cat "$tmp/err"; fail=1
fi
diff -u "$HOSTED_RUN_EXPECTED" "$tmp/out" || { echo "FAIL: output differs (- expected, + got)"; fail=1; }

# what the plugin did: zero-initialised per-CPU data in .bss.percpu, and no
# table loads left in the unit that only reads per-CPU data by CPU number
"$READELF" -SW "$tmp/run-other.o" | grep -q ' \.bss\.percpu ' || { echo "FAIL: no .bss.percpu in run-other.o"; fail=1; }
"$READELF" -rW "$tmp/run-other.o" | grep -q '__per_cpu_offset' &&
	{ echo "FAIL: run-other.o still loads __per_cpu_offset"; fail=1; }
start=$($NM "$tmp/run-plugin" | awk '$3 == "__per_cpu_data_end" { print $1 }')
end=$($NM "$tmp/run-plugin" | awk '$3 == "__per_cpu_end" { print $1 }')
[ -n "$start" ] && [ $((0x$end)) -gt $((0x$start)) ] || { echo "FAIL: the linked zero part is empty"; fail=1; }
[ $fail = 0 ] && echo "plugin build printed the expected output; zero part $((0x$end - 0x$start)) bytes"
exit $fail
