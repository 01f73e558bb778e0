#!/bin/bash
# tests/plugin/pkgconfig.sh: pkg-config's plugin variables, from the
# uninstalled tree: `plugin` is the built plugin, `plugin_cflags` loads it
# with the configured shift, and a unit compiled Kbuild-style with
# --cflags and plugin_cflags is rewritten and carries the note.
. "$top_srcdir/tests/plugin/plugin-lib.sh"

export PKG_CONFIG_PATH="$top_builddir"
plugin=$(pkg-config --variable=plugin percpu-vm) || fail "pkg-config --variable=plugin"
cflags=$(pkg-config --variable=plugin_cflags percpu-vm) || fail "pkg-config --variable=plugin_cflags"
[ "$plugin" -ef "$top_builddir/plugin/percpu_plugin.so" ] \
	&& pass "plugin is $plugin" || fail "plugin is '$plugin', not the built plugin"
[ "$cflags" = "-fplugin=$plugin -fplugin-arg-percpu_plugin-shift=$PERCPU_SHIFT" ] \
	&& pass "plugin_cflags is '$cflags'" || fail "plugin_cflags is '$cflags'"

# The unit uses only CPUs every configuration has (pkg-config's flags give
# the configured config.h, with as few as one CPU).
src="$plugin_tmp/unit.c"
cat >"$src" <<'C'
#include <percpu-vm/percpu.h>
DEFINE_PER_CPU(int, counter);
int get(unsigned cpu) { return per_cpu(counter, cpu); }
int last(void) { return per_cpu(counter, NR_CPUS - 1); }
void bump(void) { this_cpu_inc(counter); }
C
if $PLUGIN_GCC $PLUGIN_TEST_I386 -O2 -fchecking -DCONFIG_HAS_VM_PERCPU \
	$(pkg-config --cflags percpu-vm) $cflags -c "$src" -o "$plugin_tmp/a.o"; then
	$READELF -rW "$plugin_tmp/a.o" | grep -q __per_cpu_offset \
		&& fail "the pkg-config build still loads __per_cpu_offset" \
		|| pass "the pkg-config build has no offset-table load"
	$READELF -nW "$plugin_tmp/a.o" | grep -q percpu-vm \
		&& pass "the pkg-config build has the note" || fail "no .note.percpu"
else
	fail "compile with pkg-config's flags"
fi
finish
