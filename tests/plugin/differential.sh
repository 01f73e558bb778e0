#!/bin/bash
# tests/plugin/differential.sh: the hosted run test of the headers
# (tests/hosted/run-*.c with the kernel glue, on the real hosted runtime,
# VM mode, linked with ldscripts/percpu-hosted.lds) built
#   - without the plugin,
#   - with it (every object),
#   - as two mixes (alternate objects with and without it),
# with each GCC the plugin is built for: all print tests/hosted/run.expected
# (for fewer configured CPUs, the file run-expected.sh picks) and the
# plugin adds no warning (-Wall -Wextra -Warray-bounds=2
# -Wstringop-overflow, _FORTIFY_SOURCE=2).
. "$top_srcdir/tests/plugin/plugin-lib.sh"
. "$top_srcdir/tests/hosted/run-expected.sh"

runtime_lib="$top_builddir/runtime/.libs/libpercpu-runtime.a"
lds="$top_builddir/ldscripts/percpu-hosted.lds"
for need in "$runtime_lib" "$lds" "$HOSTED_RUN_EXPECTED"; do
	[ -f "$need" ] || { fail "missing $need (build the tree first)"; finish; }
done
# A sanitized runtime (--enable-sanitizers) needs the programs linked alike.
san=
$NM "$runtime_lib" 2>/dev/null | grep -q ' U __asan_' && san="-fsanitize=address,undefined"

sources="tests/hosted/run-main.c tests/hosted/run-other.c kernel-glue/percpu_offsets.c
	kernel-glue/percpu_alloc.c kernel-glue/percpu_classic.c kernel-glue/arch/hosted/percpu_hosted.c
	tests/hosted/run-api.c kernel-glue/percpu_cpumask.c"
cflags="-O2 -mcmodel=large -fno-pie -DCONFIG_HAS_VM_PERCPU -D_FORTIFY_SOURCE=2
	-Wall -Wextra -Warray-bounds=2 -Wstringop-overflow $san $PLUGIN_TEST_INCLUDES"

# build NAME PATTERN: object i gets the plugin when character i of PATTERN
# is P (with) rather than - (without).  Compiler messages go to NAME.warn.
build () {
	local name=$1 pattern=$2 i=0 objs= src o flags
	local d="$plugin_tmp/$tag/$name"; mkdir -p "$d"
	: >"$d.warn"
	for src in $sources; do
		o="$d/$(basename "$src" .c).o"
		flags=$cflags
		[ "${pattern:$i:1}" = P ] && flags="$flags -fchecking -fplugin=$so"
		$gcc $flags -c "$top_srcdir/$src" -o "$o" 2>>"$d.warn" \
			|| { fail "$tag: $name: $src does not compile: $(cat "$d.warn")"; return 1; }
		objs="$objs $o"; i=$((i + 1))
	done
	$gcc -no-pie $san -Wl,-T,"$lds" $objs "$runtime_lib" -lpthread -o "$d/run" 2>>"$d.warn" \
		|| { fail "$tag: $name: link: $(cat "$d.warn")"; return 1; }
}

# run NAME: the output is the expected one.
run () {
	local d="$plugin_tmp/$tag/$1"
	if "$d/run" >"$d.out" 2>"$d.err" && cmp -s "$HOSTED_RUN_EXPECTED" "$d.out"; then
		pass "$tag: $1: prints $(basename "$HOSTED_RUN_EXPECTED")"
	else
		fail "$tag: $1: output differs: $(diff "$HOSTED_RUN_EXPECTED" "$d.out" | head -20) $(cat "$d.err")"
	fi
}

while read -r gcc so; do
	tag=$(basename "$gcc")
	build without -------- && run without
	build with PPPPPPPP && run with
	build mix1 P-P-P-P- && run mix1
	build mix2 -P-P-P-P && run mix2
	for name in with mix1 mix2; do
		if cmp -s "$plugin_tmp/$tag/without.warn" "$plugin_tmp/$tag/$name.warn"; then
			pass "$tag: $name: no new warnings"
		else
			fail "$tag: $name: the plugin changed the warnings:"$'\n'"$(diff "$plugin_tmp/$tag/without.warn" "$plugin_tmp/$tag/$name.warn")"
		fi
	done
	# The plugin did rewrite: no table load left in run-other.o.
	$READELF -rW "$plugin_tmp/$tag/with/run-other.o" | grep -q __per_cpu_offset \
		&& fail "$tag: with: run-other.o still loads __per_cpu_offset" \
		|| pass "$tag: with: run-other.o reads no offset table"
	$READELF -rW "$plugin_tmp/$tag/without/run-other.o" | grep -q __per_cpu_offset \
		|| fail "$tag: without: run-other.o should load __per_cpu_offset"
done < <(plugin_compilers)
finish
