#!/bin/bash
# tests/plugin/report.sh: the JSON report.
#   - it validates against report-schema.json (the documented schema) and
#     says what code/report-unit.c contains: variables with size, section,
#     place; accesses with function, line, kind, CPU, rewritten or not;
#   - mode=check: the same report with nothing rewritten, and the code
#     still reads the table;
#   - a unit with errors still gets its report;
#   - the validator rejects reports that break the schema.
. "$top_srcdir/tests/plugin/plugin-lib.sh"

schema="$top_srcdir/tests/plugin/report-schema.json"
validate="$PYTHON3 $top_srcdir/tests/plugin/validate-report.py $schema"
checker="$PYTHON3 $top_srcdir/tests/plugin/check-report.py"
src="$top_srcdir/tests/plugin/code/report-unit.c"

while read -r gcc so; do
	tag=$(basename "$gcc")
	# GCC's garbage collector at every opportunity: the report must not
	# hold a tree the collector may free.
	flags="$PLUGIN_TEST_I386 -O2 -fchecking -DCONFIG_HAS_VM_PERCPU $PLUGIN_CODE_INCLUDES -fplugin=$so
		--param ggc-min-expand=0 --param ggc-min-heapsize=0"
	for mode in lower check; do
		r="$plugin_tmp/$tag-$mode.json"
		if ! $gcc $flags -fplugin-arg-percpu_plugin-mode=$mode \
			-fplugin-arg-percpu_plugin-report="$r" -S -o "$plugin_tmp/$mode.s" "$src"; then
			fail "$tag: mode=$mode: compile"; continue
		fi
		$validate "$r" && pass "$tag: mode=$mode: the report is valid" \
			|| fail "$tag: mode=$mode: the report breaks the schema"
		$checker "$r" "$src" $mode && pass "$tag: mode=$mode: the report is right" \
			|| { fail "$tag: mode=$mode: the report is wrong"; cat "$r"; }
	done
	grep -q __per_cpu_offset "$plugin_tmp/check.s" \
		&& pass "$tag: mode=check changes no code" \
		|| fail "$tag: mode=check rewrote the table loads"
	! grep -q __per_cpu_offset "$plugin_tmp/lower.s" \
		|| fail "$tag: mode=lower left table loads"

	# Arches whose this_cpu_*() are C on per_cpu() (hosted, generic): the
	# current-CPU function carries percpu_this_cpu, so the site is still
	# reported as this-CPU, while a CPU from elsewhere stays variable.  Both
	# are rewritten in VM mode (hosted), neither in classic (generic).
	for arch in "hosted:True:-m64 -fno-pie" "generic:False:$PLUGIN_TEST_I386 -DPERCPU_ARCH_GENERIC"; do
		name=${arch%%:*} rest=${arch#*:}
		lowered=${rest%%:*} flags_arch=${rest#*:}
		r="$plugin_tmp/$tag-$name.json"
		if ! $gcc $flags_arch -O2 -fchecking -DCONFIG_HAS_VM_PERCPU $PLUGIN_CODE_INCLUDES \
			-fplugin="$so" -fplugin-arg-percpu_plugin-report="$r" -S -o /dev/null "$src"; then
			fail "$tag: $name: compile"; continue
		fi
		kinds=$($PYTHON3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
print(" ".join(sorted(set("%s=%s/%s" % (a["function"], a["kind"], a["rewritten"])
	for a in r["accesses"] if a["function"] in ("this_one", "remote")))))' "$r")
		[ "$kinds" = "remote=variable-cpu/$lowered this_one=this-cpu/$lowered" ] \
			&& pass "$tag: $name: this_cpu_read() is a this-CPU site ($kinds)" \
			|| fail "$tag: $name: sites are '$kinds'"
	done

	# A unit with an error still gets its report.
	r="$plugin_tmp/$tag-error.json"
	if $gcc -O2 -fchecking -DCONFIG_HAS_VM_PERCPU $PLUGIN_TEST_INCLUDES -fplugin="$so" \
		-fplugin-arg-percpu_plugin-report="$r" -c -o /dev/null \
		"$top_srcdir/tests/plugin/fixtures/not-percpu.c" 2>/dev/null; then
		fail "$tag: not-percpu.c compiled"
	elif $validate "$r" >/dev/null && grep -q '"variable": "plain"' "$r"; then
		pass "$tag: a unit with errors gets its report"
	else
		fail "$tag: no valid report for a unit with errors"
	fi
done < <(plugin_compilers)

# The validator must reject what breaks the schema.
good="$plugin_tmp/$(basename "$PLUGIN_GCC")-lower.json"
n=0
for edit in 's/"kind": "this-cpu"/"kind": "remote"/' \
	    's/"version": 1/"version": "1"/' \
	    's/"rewritten": true/"rewritten": 1/' \
	    's/"size": 64, //' \
	    's/"shift": [0-9]*/"shift": 4/' \
	    's/"mode": "lower"/"mode": "lower", "extra": 1/'; do
	n=$((n + 1))
	sed "$edit" "$good" >"$plugin_tmp/bad$n.json"
	if cmp -s "$good" "$plugin_tmp/bad$n.json"; then
		fail "validator check $n: the edit '$edit' changed nothing"
	elif $validate "$plugin_tmp/bad$n.json" >/dev/null; then
		fail "the validator accepted a report edited with '$edit'"
	else
		pass "the validator rejects a report edited with '$edit'"
	fi
done
finish
