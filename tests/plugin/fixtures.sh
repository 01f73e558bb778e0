#!/bin/bash
# tests/plugin/fixtures.sh: the diagnostic fixtures (tests/plugin/fixtures/)
# through run-fixtures.py, with every plugin build; then the runner's own
# check: each fixture in fixtures-wrong/ states a wrong expectation
# (missing, extra, misplaced, wrong kind) and the runner must reject it.
# Every fixture is also compiled as C++ with the matching g++.
. "$top_srcdir/tests/plugin/plugin-lib.sh"

runner="$PYTHON3 $top_srcdir/tests/plugin/run-fixtures.py"
# The garbage collector runs at every opportunity (the plugin must hold no
# tree it does not own across a collection).
flags="--flag=-DCONFIG_HAS_VM_PERCPU --flag=--param=ggc-min-expand=0 --flag=--param=ggc-min-heapsize=0"
for i in $PLUGIN_TEST_INCLUDES; do flags="$flags --flag=$i"; done

while read -r gcc so; do
	tag=$(basename "$gcc")
	if $runner --gcc "$gcc" --plugin "$so" $flags "$top_srcdir"/tests/plugin/fixtures/*.c; then
		pass "$tag: every fixture has exactly the diagnostics it expects"
	else
		fail "$tag: fixtures"
	fi
	# The same fixtures as C++ (g++ compiles .c files as C++): the plugin
	# sees the C++ front end's trees and must say the same.  configure
	# found this g++ to build the plugin with.
	cxx="$(dirname "$gcc")/$(basename "$gcc" | sed 's/gcc/g++/')"
	if $runner --gcc "$cxx" --plugin "$so" $flags "$top_srcdir"/tests/plugin/fixtures/*.c >"$plugin_tmp/cxx.log" 2>&1; then
		pass "$(basename "$cxx"): every fixture, as C++, has exactly the diagnostics it expects"
	else
		fail "$(basename "$cxx"): fixtures as C++"
		cat "$plugin_tmp/cxx.log"
	fi
	for wrong in "$top_srcdir"/tests/plugin/fixtures-wrong/*.c; do
		if $runner --gcc "$gcc" --plugin "$so" $flags "$wrong" >"$plugin_tmp/wrong.log" 2>&1; then
			fail "$tag: the runner accepted $(basename "$wrong"), whose expectation is wrong"
			cat "$plugin_tmp/wrong.log"
		else
			pass "$tag: the runner rejects $(basename "$wrong")"
		fi
	done
done < <(plugin_compilers)
finish
