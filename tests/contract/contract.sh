#!/bin/bash
# One shift range for every part (percpu-vm/contract.h): each part is fed
# the boundary shifts (the smallest and largest the header allows, and one
# past each) and must take exactly the header's range for strides:
#   plugin-arg     -fplugin-arg-percpu_plugin-shift=N
#   plugin-attr    __attribute__((percpu_offset_table(N)))
#   layout-option  percpu-layout --shift N
#   layout-note    percpu-layout --check on an object whose stride note says N
#   runtime        pcpu_runtime_init with shift N (contract-probe)
#   loader-record  the demo's module loader on a module whose module.lds
#   loader-note    record, or stride note, says N (loader-verdict; where
#                  configure builds the demo)
#   configure      ./configure --with-percpu-shift=N (and its --help)
# The range itself comes from the header (contract-probe values), never
# from this script.
set -u
. "$top_builddir/tests/test-env.sh"
export LC_ALL=C

tmp=$(mktemp -d "${TMPDIR:-/tmp}/percpu-contract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

probe=$top_builddir/tests/contract/contract-probe
eval "$("$probe" values)" || { echo "FAIL: contract-probe values"; exit 1; }
min=$CONTRACT_SHIFT_MIN max=$CONTRACT_SHIFT_MAX
echo "contract.h: shifts $min..$max, guard page $CONTRACT_GUARD_SIZE bytes"
[ "$min" -ge 13 ] || bad "PERCPU_SHIFT_MIN is $min: a stride of one page would be all guard page"

so=$top_builddir/plugin/percpu_plugin.so
inc="-I$top_builddir/kernel-glue/include -I$top_srcdir/kernel-glue/include"
echo 'int unit_is_not_empty;' > "$tmp/empty.c"
# An i386 object with per-CPU data, for percpu-layout.
echo 'int percpu_data __attribute__((section(".data.percpu"))) = 1;' > "$tmp/plain.c"
$CC -m32 -c "$tmp/plain.c" -o "$tmp/plain.o" || { echo "FAIL: cannot compile plain.c"; exit 1; }

# verdict PART SHIFT: "stride" or "not-a-stride" (anything else is a failure).
verdict() {
	local part=$1 s=$2 out
	case $part in
	plugin-arg)
		out=$("$PLUGIN_GCC" -fplugin="$so" -fplugin-arg-percpu_plugin-shift=$s \
			-c "$tmp/empty.c" -o "$tmp/out.o" 2>&1) && echo stride && return
		case $out in *"not a shift between $min and $max"*) echo not-a-stride;; *) echo "error: $out";; esac ;;
	plugin-attr)
		printf 'extern unsigned long __per_cpu_offset[4] __attribute__((percpu_offset_table(%s)));\n' \
			"$s" > "$tmp/attr.c"
		out=$("$PLUGIN_GCC" -fplugin="$so" -c "$tmp/attr.c" -o "$tmp/out.o" 2>&1) &&
			echo stride && return
		case $out in *"integer constant shift between $min and $max"*) echo not-a-stride;; *) echo "error: $out";; esac ;;
	layout-option)
		out=$("$top_builddir/tools/percpu-layout" --text --shift $s --nr-cpus 1 \
			--base 0x1000 "$tmp/plain.o" 2>&1) && echo stride && return
		case $out in *"--shift $s: want a number from $min to $max"*) echo not-a-stride;; *) echo "error: $out";; esac ;;
	layout-note)
		# the per-CPU object with a stride note, as ld -r would make it
		$CC -m32 -DSHIFT=$s -c "$top_srcdir/tests/linker/stride-note.S" -o "$tmp/note.o" &&
			"$GNU_LD" -m elf_i386 -r "$tmp/plain.o" "$tmp/note.o" -o "$tmp/noted.o" ||
			{ echo "error: cannot build an object with a stride note of shift $s"; return; }
		out=$("$top_builddir/tools/percpu-layout" --check --nr-cpus 1 --base 0x1000 \
			"$tmp/noted.o" 2>&1) && echo stride && return
		case $out in
		*"stride note says shift $s, outside $min..$max [bad-note]"*) echo not-a-stride;;
		*) echo "error: $out";;
		esac ;;
	runtime) "$probe" runtime $s ;;
	loader-record|loader-note)
		"$top_builddir/tests/loader/loader-verdict" ${part#loader-} $s \
			"$top_builddir/examples/modules/bfd/counter_mod.o" 2>&1 ;;
	configure)
		# --with-nr-cpus=x stops configure right after the shift check.
		out=$(cd "$tmp" && "$top_srcdir/configure" -C --with-percpu-shift=$s --with-nr-cpus=x 2>&1)
		case $out in
		*"--with-percpu-shift=$s: out of range $min..$max"*) echo not-a-stride;;
		*"--with-nr-cpus=x: not a positive decimal number"*) echo stride;;
		*) echo "error: $(echo "$out" | tail -3)";;
		esac ;;
	esac
}

parts="plugin-arg plugin-attr layout-option layout-note runtime"
if [ "$PERCPU_DEMO" = yes ]; then
	parts="$parts loader-record loader-note"
else
	echo "note: the loader is not checked: $PERCPU_DEMO_WHY"
fi
parts="$parts configure"

for s in $((min - 1)) $min $max $((max + 1)); do
	want=stride
	[ $s -ge $min ] && [ $s -le $max ] || want=not-a-stride
	line="shift $s ($want):"
	for part in $parts; do
		got=$(verdict $part $s)
		if [ "$got" = "$want" ]; then
			line="$line $part"
		else
			bad "shift $s: $part says '$got', contract.h says $want"
		fi
	done
	echo "$line"
done

# configure's help states the range too: it must be the header's.
help=$("$top_srcdir/configure" --help | grep -- '--with-percpu-shift')
case $help in
*" $min..$max "*) echo "configure --help: $help" | tr -s ' ' ;;
*) bad "configure --help does not give contract.h's range $min..$max: $help" ;;
esac
exit $fail
