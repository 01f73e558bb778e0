# tests/layout/layout-lib.sh: sourced by the layout tool's shell tests.
#
# Builds the fixtures the way a kernel build would: the fixture units
# compiled by the real GCC with the real plugin (reports on), the kernel
# linked with ldscripts/kernel-i386.lds and the modules with
# ldscripts/module.lds, once with GNU ld (into $layout_tmp/ld) and once
# with ld.lld (into $layout_tmp/lld), under the same file names so the
# tool's output must match one golden file for both.
#
# The golden outputs hold addresses and strides, so the fixtures are built
# with the DEFAULT configuration whatever configure was given: a
# percpu-vm/config.h and percpu-config.lds with the defaults are generated
# into the scratch directory and searched first.

set -u
. "$top_builddir/tests/test-env.sh"
. "$top_srcdir/tests/test-config.sh"
export LC_ALL=C

LAYOUT_TOOL="$top_builddir/tools/percpu-layout"
LAYOUT_FIXTURES="$top_srcdir/tests/layout/fixtures"
LAYOUT_GOLDEN="$top_srcdir/tests/layout/expected"
LAYOUT_PLUGIN="$top_builddir/plugin/percpu_plugin.so"

layout_fail=0
fail () {
	echo "FAIL: $*" >&2
	layout_fail=1
}
pass () {
	echo "ok: $*"
}
finish () {
	if [ "$layout_fail" -ne 0 ]; then
		echo "some checks failed" >&2
		exit 1
	fi
	exit 0
}

layout_tmp=$(mktemp -d "${TMPDIR:-/tmp}/percpu-layout-test.XXXXXX")
trap 'rm -rf "$layout_tmp"' EXIT

for f in "$LAYOUT_TOOL" "$LAYOUT_PLUGIN"; do
	if [ ! -e "$f" ]; then
		echo "FAIL: $f is not built (run make first)" >&2
		exit 1
	fi
done

# layout_config DIR SHIFT: configure.ac's defaults, but for the stride.
layout_config () {
	test_config "$1" "$2" 64 0xc0000000 || { echo "FAIL: layout_config $1" >&2; exit 1; }
}
# The default configuration in $layout_tmp/config, a 64 KiB stride in
# $layout_tmp/config16 (for the mixed-stride fixtures).
layout_default_config () {
	layout_config "$layout_tmp/config" 20
	layout_config "$layout_tmp/config16" 16
}
LAYOUT_CONFIG_DIR=

LAYOUT_CFLAGS="-m32 -ffreestanding -fno-pie -fno-pic -fno-asynchronous-unwind-tables \
-fno-stack-protector -O2 -Wall -Wextra -Werror -DCONFIG_HAS_VM_PERCPU"

# Whether the objects carry their reports (.percpu.report): not by default,
# so the goldens show what the tool infers without them (and --reports
# what the side files add); embedded-reports.sh sets it to yes.
LAYOUT_EMBED=${LAYOUT_EMBED:-no}

# layout_cc SRC OBJ [FLAGS...]: compile a fixture from its own directory, so
# the reports name it by its bare file name, with the plugin and a report.
layout_cc () {
	src=$1 obj=$2
	shift 2
	mkdir -p "$layout_tmp/reports"
	(cd "$LAYOUT_FIXTURES" && $PLUGIN_GCC $LAYOUT_CFLAGS \
		-I"${LAYOUT_CONFIG_DIR:-$layout_tmp/config}" -I"$top_srcdir/kernel-glue/include" \
		-I"$top_srcdir/runtime/include" \
		-fplugin="$LAYOUT_PLUGIN" \
		-fplugin-arg-percpu_plugin-report="$layout_tmp/reports/${src%.c}.json" \
		-fplugin-arg-percpu_plugin-embed-report="$LAYOUT_EMBED" \
		"$@" -c "$src" -o "$obj")
}

# layout_cc_plain SRC OBJ [FLAGS...]: the same without the plugin, as code
# from a build that does not use it (the plugin refuses some fixtures).
layout_cc_plain () {
	src=$1 obj=$2
	shift 2
	(cd "$LAYOUT_FIXTURES" && $PLUGIN_GCC $LAYOUT_CFLAGS \
		-I"${LAYOUT_CONFIG_DIR:-$layout_tmp/config}" -I"$top_srcdir/kernel-glue/include" \
		-I"$top_srcdir/runtime/include" "$@" -c "$src" -o "$obj")
}

# layout_link_kernel LD OUT OBJS...: link with ldscripts/kernel-i386.lds.
layout_link_kernel () {
	ld=$1 out=$2
	shift 2
	"$ld" -m elf_i386 -L "$layout_tmp/config" -L "$top_srcdir/ldscripts" \
		-T "$top_srcdir/ldscripts/kernel-i386.lds" --orphan-handling=error \
		"$@" -o "$out"
}

# layout_link_module LD OUT OBJS...: ld -r with ldscripts/module.lds.
layout_link_module () {
	ld=$1 out=$2
	shift 2
	"$ld" -m elf_i386 -r -L "${LAYOUT_CONFIG_DIR:-$layout_tmp/config}" \
		-T "$top_srcdir/ldscripts/module.lds" "$@" -o "$out"
}

# Build everything into $layout_tmp/{ld,lld}: kernel.elf, net.ko, fs.ko.
layout_build_fixtures () {
	layout_default_config
	o=$layout_tmp/obj
	mkdir -p "$o" "$layout_tmp/ld" "$layout_tmp/lld"
	for u in kern-main kern-timer mod-net mod-fs; do
		layout_cc "$u.c" "$o/$u.o" || { echo "FAIL: compiling $u.c" >&2; exit 1; }
	done
	for pair in "ld:$GNU_LD" "lld:$LD_LLD"; do
		d=$layout_tmp/${pair%%:*} ld=${pair#*:}
		layout_link_kernel "$ld" "$d/kernel.elf" "$o/kern-main.o" "$o/kern-timer.o" &&
		layout_link_module "$ld" "$d/net.ko" "$o/mod-net.o" &&
		layout_link_module "$ld" "$d/fs.ko" "$o/mod-fs.o" ||
			{ echo "FAIL: linking the fixtures with $ld" >&2; exit 1; }
	done
}

# layout_run DIR ARGS...: run the tool in DIR (relative names in the output);
# stdout to $layout_out, stderr to $layout_err, status to $layout_status.
layout_out=$layout_tmp/out
layout_err=$layout_tmp/err
layout_run () {
	dir=$1
	shift
	layout_status=0
	(cd "$dir" && "$LAYOUT_TOOL" "$@") > "$layout_out" 2> "$layout_err" || layout_status=$?
}

# layout_golden NAME: compare $layout_out with expected/NAME.
layout_golden () {
	if diff -u "$LAYOUT_GOLDEN/$1" "$layout_out" > "$layout_tmp/diff"; then
		pass "$1 ($2)"
	else
		fail "$1 ($2) differs from the golden output:"
		cat "$layout_tmp/diff" >&2
	fi
}
