# tests/plugin/plugin-lib.sh: sourced by the plugin's shell tests.
#
# Every plugin test runs once per GCC the plugin is built for: the main
# one ($PLUGIN_GCC) and, when configure found it, the extra one
# ($EXTRA_PLUGIN_GCC, GCC 11).  Each compile with the plugin uses
# -fchecking: Debian's GCC runs its IL verifiers only then.

set -u
. "$top_builddir/tests/test-env.sh"
. "$top_srcdir/tests/test-config.sh"
export LC_ALL=C   # plain quotes in diagnostics

# "GCC PLUGIN_SO" pairs, one per line.
plugin_compilers () {
	echo "$PLUGIN_GCC $top_builddir/plugin/percpu_plugin.so"
	if [ -n "$EXTRA_PLUGIN_GCC" ]; then
		echo "$EXTRA_PLUGIN_GCC $top_builddir/plugin/gcc-$EXTRA_PLUGIN_VERSION/percpu_plugin.so"
	fi
}

# Include flags for the kernel-glue API headers and the runtime.
PLUGIN_TEST_INCLUDES="-I$top_builddir/kernel-glue/include -I$top_srcdir/kernel-glue/include -I$top_srcdir/runtime/include"

# Flags for i386 kernel code (Debian's default PIE would go through the GOT).
PLUGIN_TEST_I386="-m32 -ffreestanding -fno-pie -fno-pic -fno-asynchronous-unwind-tables -fno-stack-protector"

plugin_fail=0
fail () {
	echo "FAIL: $*" >&2
	plugin_fail=1
}
pass () {
	echo "ok: $*"
}

# A scratch directory removed on exit.
plugin_tmp=$(mktemp -d "${TMPDIR:-/tmp}/percpu-plugin-test.XXXXXX")
trap 'rm -rf "$plugin_tmp"' EXIT

# The test programs in code/ are self-contained (run-main.c even defines
# its own offset table) and name constant CPUs up to 7, which the plugin
# rightly rejects when NR_CPUS is smaller.  They are compiled against a
# config.h of their own: the configured shift and base (the plugin is tested
# with the configured stride) and the configured NR_CPUS, but at least 8.
# (The fixtures keep the configured config.h: cpu-range.c checks its bound.)
PLUGIN_TEST_NR_CPUS=$((PERCPU_NR_CPUS > 8 ? PERCPU_NR_CPUS : 8))
test_config "$plugin_tmp/config" "$PERCPU_SHIFT" "$PLUGIN_TEST_NR_CPUS" "$PERCPU_BASE" ||
	{ echo "FAIL: cannot write the test programs' config.h" >&2; exit 1; }
PLUGIN_CODE_INCLUDES="-I$plugin_tmp/config $PLUGIN_TEST_INCLUDES"

finish () {
	if [ "$plugin_fail" -ne 0 ]; then
		echo "some checks failed" >&2
		exit 1
	fi
	exit 0
}

# The instructions of function $2 in assembly file $1: no labels,
# directives or #APP markers; one instruction per line, tabs squeezed.
asm_body () {
	awk -v fn="$2" '
		$0 == fn ":" { inside = 1; next }
		inside && /^\t\.size\t/ { exit }
		inside && /^[^ \t#.][^ \t]*:$/ { exit }
		inside && /^\t[a-z]/ { sub(/^\t/, ""); gsub(/\t/, " "); print }
	' "$1"
}

# expect_body FILE FUNCTION LINE...: the function is exactly these
# instructions ($tag names the run in the messages).
expect_body () {
	local file=$1 fn=$2; shift 2
	local want got
	want=$(printf '%s\n' "$@")
	got=$(asm_body "$file" "$fn")
	if [ "$got" = "$want" ]; then
		pass "$tag: $fn is: $(echo $got | tr '\n' ';')"
	else
		fail "$tag: $fn: expected"$'\n'"$want"$'\n'"got"$'\n'"$got"
	fi
}

# section_of OBJ SYMBOL: the section name of a defined symbol.
section_of () {
	local ndx
	ndx=$($READELF -sW "$1" | awk -v s="$2" '$8 == s { print $7 }')
	$READELF -SW "$1" | sed -n "s/^ *\[ *$ndx\] \([^ ]*\) .*/\1/p"
}

# notes FILE: one "shift version type" line per percpu-vm note.
notes () {
	local type data
	$READELF -nW "$1" | sed -n 's/^ *percpu-vm .*(\(0x[0-9a-f]*\)).*description data: \(.*\)$/\1 \2/p' |
	while read -r type b0 b1 b2 b3 b4 b5 b6 b7; do
		# little-endian u32 format version, u32 shift
		echo "$((16#$b7$b6$b5$b4)) $((16#$b3$b2$b1$b0)) $type"
	done
}
