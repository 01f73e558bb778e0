#!/bin/bash
# tests/plugin/section-names.sh: the plugin takes a section for per-CPU
# exactly when percpu-vm/contract.h does (the rule the linker scripts
# follow, tests/linker/section-names.sh).  For every name in
# tests/linker/section-names.list, fixtures are generated from the header's
# verdict (tests/linker/section-verdict): a variable with
# __attribute__((percpu, section(NAME))) is an error exactly for the names
# that are not per-CPU, and per_cpu() of a variable with only the section
# attribute is an error ("not a per-CPU variable") exactly for those too.
# run-fixtures.py compiles them with every plugin build, as C and as C++.
. "$top_srcdir/tests/plugin/plugin-lib.sh"

verdict=$top_builddir/tests/linker/section-verdict
[ -x "$verdict" ] || { echo "FAIL: $verdict is not built" >&2; exit 1; }
# Two fixtures: a declaration error stops GCC before the passes that check
# per_cpu() run.
names=$("$verdict" $(grep -v '^#' "$top_srcdir/tests/linker/section-names.list"))
[ -n "$names" ] || { echo "FAIL: no verdicts" >&2; exit 1; }
n=0
while read -r name kind; do
	n=$((n + 1))
	if [ "$kind" = none ]; then
		printf '__attribute__((percpu, section("%s"))) int sa_%d; /* expect-error: is placed in section '\''%s'\'' */\n' "$name" $n "$name" >&3
		printf 'int sp_%d __attribute__((section("%s"))); /* expect-note: declared here */\n' $n "$name" >&4
		printf 'int get_%d(unsigned cpu) { return per_cpu(sp_%d, cpu); } /* expect-error: '\''sp_%d'\'' is not a per-CPU variable */\n' $n $n $n >&4
	else
		printf '__attribute__((percpu, section("%s"))) int sa_%d;\n' "$name" $n >&3
		printf 'int sp_%d __attribute__((section("%s")));\n' $n "$name" >&4
		printf 'int get_%d(unsigned cpu) { return per_cpu(sp_%d, cpu); }\n' $n $n >&4
	fi
done <<< "$names" 3> "$plugin_tmp/attr.body" 4> "$plugin_tmp/access.body"
for f in attr access; do
	{ echo '#include <percpu-vm/percpu.h>'; cat "$plugin_tmp/$f.body"; } > "$plugin_tmp/section-names-$f.c"
done

runner="$PYTHON3 $top_srcdir/tests/plugin/run-fixtures.py"
flags="--flag=-DCONFIG_HAS_VM_PERCPU"
for i in $PLUGIN_TEST_INCLUDES; do flags="$flags --flag=$i"; done
while read -r gcc so; do
	cxx="$(dirname "$gcc")/$(basename "$gcc" | sed 's/gcc/g++/')"
	for compiler in "$gcc" "$cxx"; do
		if $runner --gcc "$compiler" --plugin "$so" $flags "$plugin_tmp"/section-names-attr.c "$plugin_tmp"/section-names-access.c > "$plugin_tmp/run.log" 2>&1; then
			pass "$(basename "$compiler"): the plugin's per-CPU sections are contract.h's"
		else
			fail "$(basename "$compiler"): the plugin and contract.h disagree on section names"
			cat "$plugin_tmp/run.log"
		fi
	done
done < <(plugin_compilers)
finish
