#!/bin/bash
# tests/plugin/api-report.sh: the Linux-style accessors of percpu.h
# (code/api-unit.c) through the plugin, VM mode, lower mode:
#   - those that index the offset table (per_cpu_ptr of an array or an
#     array member, a char CPU, for_each_possible_cpu, the placed
#     definitions, get_cpu) are lowered: no table load is left in the asm
#     (without the plugin, the control, there are);
#   - the report lists every site once, with the right kind, variable, CPU
#     and rewritten flag: i386 this_cpu ops (xchg, cmpxchg, add_return,
#     8 bytes, the __this_cpu/raw_cpu tiers) are this-CPU sites of the
#     variable; on the hosted arch part, whose this_cpu ops are C, get_cpu()
#     and this_cpu_ptr() of an array are this-CPU sites too, and lowered;
#   - this_cpu_ptr() of an array, a scalar, an array element, a struct and
#     a struct member is a this-CPU site of that variable on both arch
#     parts (i386: not of pcpu_this_cpu_off, the offset it reads), of
#     `null` for a dynamic pointer; a read of pcpu_this_cpu_off itself is
#     one of pcpu_this_cpu_off.
# At -O2 and -O0: the sites do not depend on the optimisation level.
. "$top_srcdir/tests/plugin/plugin-lib.sh"

src="$top_srcdir/tests/plugin/code/api-unit.c"

# check_sites REPORT WANT: the report's sites (function kind variable cpu
# rewritten, one per line) are exactly WANT's, each once and on its
# function's line.
check_sites () {
	$PYTHON3 - "$1" "$src" "$2" <<'PY'
import json, re, sys
report, src, want = sys.argv[1], sys.argv[2], sys.argv[3]
r = json.load(open(report))
lines = open(src).read().splitlines()
got = sorted("%s %s %s %s %s" % (a["function"], a["kind"], a["variable"], a["cpu"], a["rewritten"])
             for a in r["accesses"])
want = sorted(l.strip() for l in want.strip().splitlines())
bad = False
if got != want:
    print("sites differ:\n  got:  %s\n  want: %s" % ("\n        ".join(got), "\n        ".join(want)))
    bad = True
for a in r["accesses"]:
    fn_line = next(i + 1 for i, l in enumerate(lines) if re.search(r"[ *]%s\(" % a["function"], l))
    if a["line"] != fn_line:
        print("%s: site at line %d, want %d" % (a["function"], a["line"], fn_line))
        bad = True
sys.exit(1 if bad else 0)
PY
}

# the table-indexing sites, the same on both arch parts
table_sites="arr_elem variable-cpu api_arr None True
member_arr variable-cpu api_s None True
member_const constant-cpu api_s 2 True
char_cpu variable-cpu api_int None True
possible_sum variable-cpu api_mostly None True
page_elem variable-cpu api_page None True
page_elem variable-cpu api_shared None True"
# i386: this_cpu ops are asm on the variable (nothing to rewrite);
# get_cpu() reads pcpu_cpu_number; this_cpu_ptr() reads pcpu_this_cpu_off
# but is reported for the object it is applied to
i386_sites="$table_sites
got_cpu this-cpu pcpu_cpu_number None False
got_cpu variable-cpu api_int None True
t_offset this-cpu pcpu_this_cpu_off None False"
hosted_sites="$table_sites
got_cpu this-cpu api_int None True"
for fn in this_arr:api_arr this_scalar:api_int this_elem:api_arr this_struct:api_s this_member:api_s \
	  this_dynamic:None; do
	i386_sites="$i386_sites"$'\n'"${fn%%:*} this-cpu ${fn#*:} None False"
	hosted_sites="$hosted_sites"$'\n'"${fn%%:*} this-cpu ${fn#*:} None True"
done
# the ops: t_wide has two sites on one line (xchg, inc_return)
for fn in t_xchg:api_int t_cmpxchg:api_short t_add_return:api_byte t_wide:api_wide t_wide:api_wide \
	  t_sub:api_int t_raw:api_int; do
	i386_sites="$i386_sites"$'\n'"${fn%%:*} this-cpu ${fn#*:} None False"
	hosted_sites="$hosted_sites"$'\n'"${fn%%:*} this-cpu ${fn#*:} None True"
done

while read -r gcc so; do
	tag=$(basename "$gcc")
	for arch in "i386:$PLUGIN_TEST_I386" "hosted:-m64 -fno-pie -mcmodel=large"; do
	for opt in -O2 -O0; do
		name="${arch%%:*}$opt" flags="${arch#*:} $opt -Wall -Wextra -Werror -DCONFIG_HAS_VM_PERCPU $PLUGIN_CODE_INCLUDES"
		s="$plugin_tmp/$tag-$name.s" r="$plugin_tmp/$tag-$name.json"
		if ! $gcc $flags -fchecking -fplugin="$so" -fplugin-arg-percpu_plugin-report="$r" -S -o "$s" "$src"; then
			fail "$tag: $name: compile with the plugin"; continue
		fi
		$gcc $flags -S -o "$s.ctl" "$src" || { fail "$tag: $name: compile without the plugin"; continue; }
		grep -q __per_cpu_offset "$s.ctl" || fail "$tag: $name: control: without the plugin the table should be read"
		if grep -q __per_cpu_offset "$s"; then
			fail "$tag: $name: table loads left: $(grep -B3 __per_cpu_offset "$s" | tr '\n' ';')"
		else
			pass "$tag: $name: every table load lowered"
		fi
		want=$i386_sites; [ "${name%-O*}" = hosted ] && want=$hosted_sites
		check_sites "$r" "$want" && pass "$tag: $name: every site reported once, with its kind" \
			|| fail "$tag: $name: the report is wrong"
	done
	done
	[ "$(grep -c cmpxchg8b "$plugin_tmp/$tag-i386-O2.s")" -ge 2 ] || fail "$tag: i386: t_wide has no cmpxchg8b"
done < <(plugin_compilers)
finish
