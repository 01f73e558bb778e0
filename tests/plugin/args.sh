#!/bin/bash
# tests/plugin/args.sh: the plugin's arguments and how it loads.
#   - an unknown, malformed or repeated argument is an error naming it;
#   - help prints every argument the plugin knows; disable keeps the attributes but changes
#     nothing (no rewrite, no note, no diagnostics);
#   - a plugin built for another GCC is refused with a message naming
#     both versions;
#   - -E and -save-temps work with the plugin loaded.
. "$top_srcdir/tests/plugin/plugin-lib.sh"

src="$plugin_tmp/unit.c"
cat >"$src" <<'C'
#include <percpu-vm/percpu.h>
#if !__has_attribute(percpu) || !__has_attribute(percpu_offset_table)
#error "the plugin's attributes are not registered"
#endif
DEFINE_PER_CPU(int, counter);
int get(unsigned cpu) { return per_cpu(counter, cpu); }
int direct(void) { return counter; }
C

# expect_error GCC SO "message part" ARG...: compiling fails, naming it.
expect_error () {
	local gcc=$1 so=$2 want=$3; shift 3
	local out
	if out=$($gcc -c -o "$plugin_tmp/x.o" -fchecking -fplugin="$so" "$@" $PLUGIN_TEST_INCLUDES "$src" 2>&1); then
		fail "$tag: $* was accepted"
	elif grep -qF -- "$want" <<<"$out"; then
		pass "$tag: $* is refused: $(grep -F -- "$want" <<<"$out" | head -1)"
	else
		fail "$tag: $* refused without saying \"$want\": $out"
	fi
}

P=-fplugin-arg-percpu_plugin
while read -r gcc so; do
	tag=$(basename "$gcc")
	expect_error "$gcc" "$so" "unknown argument '$P-colour=red'" $P-colour=red
	expect_error "$gcc" "$so" "unknown argument '$P-dsable'" $P-dsable
	expect_error "$gcc" "$so" "'$P-shift=abc': not a shift" $P-shift=abc
	expect_error "$gcc" "$so" "'$P-shift=5': not a shift" $P-shift=5
	expect_error "$gcc" "$so" "'$P-shift' needs a value" $P-shift
	expect_error "$gcc" "$so" "'$P-mode=fast': unknown mode" $P-mode=fast
	expect_error "$gcc" "$so" "'$P-report' needs a value" $P-report
	expect_error "$gcc" "$so" "'$P-disable' takes no value" $P-disable=yes
	expect_error "$gcc" "$so" "'$P-unmarked-table=loud': unknown setting (use 'warn' or 'silent')" \
		$P-unmarked-table=loud
	expect_error "$gcc" "$so" "cannot write the report to '/nonexistent/dir/r.json'" \
		$P-report=/nonexistent/dir/r.json
	# Given twice: an error naming it, whether or not the values differ
	# (which one would count depends on the order of the flags).
	expect_error "$gcc" "$so" "'$P-shift' is given twice ('shift=$PERCPU_SHIFT', then 'shift=21')" \
		$P-shift=$PERCPU_SHIFT $P-shift=21
	expect_error "$gcc" "$so" "'$P-report' is given twice ('report=a.json', then 'report=b.json')" \
		$P-report=a.json $P-report=b.json
	expect_error "$gcc" "$so" "'$P-mode' is given twice ('mode=check', then 'mode=lower')" \
		$P-mode=check $P-mode=lower
	expect_error "$gcc" "$so" "'$P-mode' is given twice ('mode=check', then 'mode=check')" \
		$P-mode=check $P-mode=check
	expect_error "$gcc" "$so" "'$P-unmarked-table' is given twice" \
		$P-unmarked-table=warn $P-unmarked-table=silent
	expect_error "$gcc" "$so" "'$P-disable' is given twice" $P-disable $P-disable

	# help: the text, and the unit still compiles.  Every argument the
	# unknown-argument error lists as known has its line in the help.
	if out=$($gcc -c -o "$plugin_tmp/h.o" -fchecking -fplugin="$so" $P-help $PLUGIN_TEST_INCLUDES "$src" 2>&1) \
	   && grep -q "mode=lower|check" <<<"$out" && grep -q "report=FILE" <<<"$out"; then
		pass "$tag: help lists the arguments"
	else
		fail "$tag: help: $out"
	fi
	known=$($gcc -c -o "$plugin_tmp/x.o" -fplugin="$so" $P-nosuch "$src" 2>&1 |
		sed -n "s/.*(known: \(.*\))\$/\1/p" | tr -d "',=")
	[ -n "$known" ] || fail "$tag: the unknown-argument error lists no known arguments"
	for key in $known; do
		grep -Eq "^  $key(=| |\$)" <<<"$out" \
			&& pass "$tag: help describes '$key'" \
			|| fail "$tag: '$key' is known but not in the help"
	done

	# disable: attributes known (the #error above), nothing rewritten or
	# diagnosed, no note.
	flags="$PLUGIN_TEST_I386 -O2 -DCONFIG_HAS_VM_PERCPU $PLUGIN_TEST_INCLUDES"
	if out=$($gcc $flags -fchecking -fplugin="$so" $P-disable -S -o "$plugin_tmp/d.s" "$src" 2>&1); then
		if [ -n "$out" ]; then fail "$tag: disable: diagnostics: $out"; fi
		grep -q __per_cpu_offset "$plugin_tmp/d.s" \
			|| fail "$tag: disable: the table load was rewritten"
		! grep -q note.percpu "$plugin_tmp/d.s" || fail "$tag: disable: a note was emitted"
		pass "$tag: disable compiles annotated code and changes nothing"
	else
		fail "$tag: disable: $out"
	fi

	# shift= that agrees with the headers is fine.
	$gcc $flags -fchecking -fplugin="$so" $P-shift=$PERCPU_SHIFT -c -o "$plugin_tmp/s.o" "$src" 2>/dev/null \
		&& pass "$tag: shift=$PERCPU_SHIFT agrees with the headers" \
		|| fail "$tag: shift=$PERCPU_SHIFT (the configured shift) refused"

	# -E and -save-temps (where a cpp_define from the plugin would break).
	if $gcc -E -fchecking -fplugin="$so" $PLUGIN_TEST_INCLUDES "$src" -o "$plugin_tmp/e.i" \
	   && grep -q "per_cpu_offset" "$plugin_tmp/e.i"; then
		pass "$tag: -E works with the plugin"
	else
		fail "$tag: -E with the plugin"
	fi
	if (cd "$plugin_tmp" && $gcc -save-temps -fchecking -fplugin="$so" -DCONFIG_HAS_VM_PERCPU \
		$PLUGIN_TEST_INCLUDES -c unit.c -o unit.o 2>/dev/null) && [ -f "$plugin_tmp/unit.i" ] && [ -f "$plugin_tmp/unit.o" ]; then
		pass "$tag: -save-temps works with the plugin"
	else
		fail "$tag: -save-temps with the plugin"
	fi
done < <(plugin_compilers)

# A plugin built for another GCC: refused by the strict version check,
# with both versions named.
if [ -n "$EXTRA_PLUGIN_GCC" ]; then
	extra_so="$top_builddir/plugin/gcc-$EXTRA_PLUGIN_VERSION/percpu_plugin.so"
	main_so="$top_builddir/plugin/percpu_plugin.so"
	tag=$(basename "$PLUGIN_GCC")
	expect_error "$PLUGIN_GCC" "$extra_so" "built for GCC $EXTRA_PLUGIN_VERSION." 
	expect_error "$PLUGIN_GCC" "$extra_so" "rebuild the plugin with this GCC"
	tag=$(basename "$EXTRA_PLUGIN_GCC")
	expect_error "$EXTRA_PLUGIN_GCC" "$main_so" "built for GCC $PLUGIN_VERSION."
	expect_error "$EXTRA_PLUGIN_GCC" "$main_so" "loaded by GCC $EXTRA_PLUGIN_VERSION."
fi
finish
