#!/bin/bash
# tests/plugin/kbuild-doc.sh: the Kbuild-style Makefile in docs/plugin.md
# works as documented: with CONFIG_PERCPU_PLUGIN=y an ordinary object is
# rewritten, the `foreign` one is checked only (table loads kept, report
# written), the `early` one untouched; without it all three build and
# nothing is rewritten.
. "$top_srcdir/tests/plugin/plugin-lib.sh"

d="$plugin_tmp/kbuild"; mkdir -p "$d"
awk '/^```make$/ { f = 1; next } /^```$/ { f = 0 } f' "$top_srcdir/docs/plugin.md" >"$d/Makefile"
[ -s "$d/Makefile" ] || { fail "no make snippet in docs/plugin.md"; finish; }
for unit in main foreign early; do
	cat >"$d/$unit.c" <<'C'
#include <percpu-vm/percpu.h>
DEFINE_PER_CPU(int, counter);
int get(unsigned cpu) { return per_cpu(counter, cpu); }
C
done
export PKG_CONFIG_PATH="$top_builddir"

# loads OBJECT: does it still load __per_cpu_offset?
loads () { $READELF -rW "$d/$1" | grep -q __per_cpu_offset; }

if make -s -C "$d" CC="$PLUGIN_GCC -fchecking" CONFIG_PERCPU_PLUGIN=y main.o foreign.o early.o >"$d/log" 2>&1; then
	loads main.o && fail "main.o was not rewritten" || pass "main.o: rewritten"
	loads foreign.o && pass "foreign.o: mode=check kept the table loads" || fail "foreign.o was rewritten"
	[ -s "$d/foreign.percpu.json" ] && pass "foreign.o: report written" || fail "foreign.o: no report"
	loads early.o && pass "early.o: disabled" || fail "early.o was rewritten"
	$READELF -nW "$d/main.o" | grep -q percpu-vm && pass "main.o: note" || fail "main.o: no note"
else
	fail "the documented Makefile fails: $(cat "$d/log")"
fi
rm -f "$d"/*.o
if make -s -C "$d" CC="$PLUGIN_GCC -fchecking" main.o foreign.o early.o >"$d/log" 2>&1; then
	loads main.o && loads foreign.o && loads early.o \
		&& pass "without CONFIG_PERCPU_PLUGIN: every object builds, none rewritten" \
		|| fail "rewritten without the plugin"
else
	fail "the documented Makefile fails without the plugin: $(cat "$d/log")"
fi
finish
