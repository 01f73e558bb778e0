#!/bin/bash
# The reports the plugin puts into each object (.percpu.report records),
# read by percpu-layout from objects, modules and linked images:
#   - through ccache: the second compile is a cache hit, has no side file,
#     and its object gives the same per-variable access listing as the
#     first compile's, and as that compile's side file;
#   - a kernel image and modules alone (GNU ld and ld.lld; the demo kernel
#     when it is built) give the listing the side files give;
#   - the section stripped: a note that there are no access records;
#   - malformed records: one error naming the file, the section and the
#     record (and LINE:COL inside the record for JSON errors).
LAYOUT_EMBED=yes
. "$top_srcdir/tests/layout/layout-lib.sh"

layout_build_fixtures
side=$layout_tmp/reports

# same_as_side NAME DIR FILES...: the tool on FILES alone (their records)
# prints what it prints with --reports of the side files.
same_as_side () {
	name=$1 dir=$2 sidedir=$3
	shift 3
	layout_run "$dir" --reports "$sidedir" "$@"
	cp "$layout_out" "$layout_tmp/with-side"
	layout_run "$dir" "$@"
	if [ "$layout_status" -ne 0 ]; then
		fail "$name: exit $layout_status: $(cat "$layout_err")"
	elif ! grep -Eq '(this|variable|constant)-cpu ' "$layout_out"; then
		fail "$name: no access sites listed from the records"
	elif diff -u "$layout_tmp/with-side" "$layout_out" > "$layout_tmp/diff"; then
		pass "$name: the records give the side files' listing ($(grep -Ec '(this|variable|constant)-cpu ' "$layout_out") access lines)"
	else
		fail "$name: the records' listing differs from the side files':"
		cat "$layout_tmp/diff" >&2
	fi
}

for l in ld lld; do
	same_as_side "$l: kernel image and modules" "$layout_tmp/$l" "$side" kernel.elf net.ko fs.ko
done

# The demo kernel, whose build writes side files too (examples/Makefile.inc).
demo=$top_builddir/examples/demo-kernel-2level-bfd.elf
if [ -f "$demo" ] && [ -d "$top_builddir/examples/kernel/2level/reports" ]; then
	same_as_side "demo kernel image" "$top_builddir" examples/kernel/2level/reports \
		examples/demo-kernel-2level-bfd.elf
fi

# ccache: the same compile twice; the second comes from the cache.
if command -v ccache > /dev/null; then
	c=$layout_tmp/ccache
	mkdir -p "$c/obj"
	export CCACHE_DIR=$c/dir CCACHE_NOHASHDIR=1 CCACHE_BASEDIR=$LAYOUT_FIXTURES
	export CCACHE_TEMPDIR=$c/tmp
	ccache_cc () {
		(cd "$LAYOUT_FIXTURES" && ccache $PLUGIN_GCC $LAYOUT_CFLAGS \
			-I"$layout_tmp/config" -I"$top_srcdir/kernel-glue/include" \
			-I"$top_srcdir/runtime/include" -fplugin="$LAYOUT_PLUGIN" \
			-fplugin-arg-percpu_plugin-report="$c/kern-main.json" \
			-c kern-main.c -o "$c/obj/kern-main.o")
	}
	ccache -z > /dev/null
	ccache_cc || fail "ccache: first compile"
	layout_run "$c" --reports kern-main.json obj/kern-main.o
	cp "$layout_out" "$c/side.txt"
	layout_run "$c" obj/kern-main.o
	cp "$layout_out" "$c/first.txt"
	rm -f "$c/obj/kern-main.o" "$c/kern-main.json"
	ccache_cc || fail "ccache: second compile"
	hits=$(ccache --print-stats | awk '$1 == "direct_cache_hit" || $1 == "preprocessed_cache_hit" { n += $2 } END { print n + 0 }')
	if [ "$hits" -ne 1 ]; then
		fail "ccache: the second compile was not a cache hit ($hits hits)"
	elif [ -e "$c/kern-main.json" ]; then
		fail "ccache: the cache hit wrote the side file (so this test shows nothing)"
	else
		layout_run "$c" obj/kern-main.o
		if [ "$layout_status" -eq 0 ] && grep -Eq '(this|variable|constant)-cpu ' "$layout_out" &&
		   cmp -s "$layout_out" "$c/first.txt" && cmp -s "$layout_out" "$c/side.txt"; then
			pass "ccache: the cache hit (no side file) lists the same access sites as the first compile"
		else
			fail "ccache: the cache hit's listing differs:"
			diff -u "$c/side.txt" "$layout_out" >&2
		fi
	fi
else
	fail "ccache is not installed (Debian package ccache)"
fi

# Stripped: the image still has its stride note, so the plugin lowered it,
# but no records.
"$OBJCOPY" --remove-section .percpu.report "$layout_tmp/ld/kernel.elf" "$layout_tmp/stripped.elf"
layout_run "$layout_tmp" stripped.elf
if [ "$layout_status" -eq 0 ] &&
   grep -qx '  access records: none (no .percpu.report section: built with embed-report=no, or stripped; --reports reads side files)' "$layout_out" &&
   ! grep -Eq '(this|variable|constant)-cpu ' "$layout_out"; then
	pass "stripped image: the output says there are no access records"
else
	fail "stripped image: exit $layout_status: $(cat "$layout_out" "$layout_err")"
fi

# bad_record NAME BYTES-FILE WANT: the kernel with its section replaced by
# BYTES-FILE is refused with WANT.
bad_record () {
	"$OBJCOPY" --update-section .percpu.report="$2" "$layout_tmp/ld/kernel.elf" "$layout_tmp/$1.elf"
	layout_run "$layout_tmp" "$1.elf"
	if [ "$layout_status" -eq 2 ] && [ ! -s "$layout_out" ] &&
	   [ "$(cat "$layout_err")" = "percpu-layout: $1.elf: $3" ]; then
		pass "$1: $3"
	else
		fail "$1: exit $layout_status, stderr: $(cat "$layout_err"); want: $3"
	fi
}
# record TEXT [LENGTH [MAGIC]]: one record's bytes.
record () {
	$PYTHON3 -c 'import struct, sys
doc = sys.argv[1].encode()
n = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] else len(doc)
magic = sys.argv[3].encode() if len(sys.argv) > 3 else b"PCPUREPT"
sys.stdout.buffer.write(magic + struct.pack("<HHI", 1, 0, n) + doc)' "$@"
}
"$OBJCOPY" --dump-section .percpu.report="$layout_tmp/good.bin" "$layout_tmp/ld/kernel.elf" "$layout_tmp/junk.o"
good_size=$(stat -c %s "$layout_tmp/good.bin")

head -c $((good_size - 7)) "$layout_tmp/good.bin" > "$layout_tmp/truncated.bin"
last=$($PYTHON3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read(); p = 0; n = 0
while p < len(d):
    n += 1; last = (n, p); p += 16 + struct.unpack_from("<I", d, p + 12)[0]
print("%d %d %d" % (last[0], last[1], len(d) - last[1] - 16 - 7))' "$layout_tmp/good.bin")
set -- $last
bad_record truncated "$layout_tmp/truncated.bin" \
	"section .percpu.report: record $1 at byte $2: length $(($3 + 7)) runs past the section's end ($3 bytes left after the header)"
{ cat "$layout_tmp/good.bin"; printf 'PCPU'; } > "$layout_tmp/short-header.bin"
bad_record short-header "$layout_tmp/short-header.bin" \
	"section .percpu.report: record $(($1 + 1)) at byte $good_size: 4 bytes left, a record header is 16: truncated"
record '{}' '' 'PCPUXXXX' > "$layout_tmp/magic.bin"
bad_record bad-magic "$layout_tmp/magic.bin" \
	'section .percpu.report: record 1 at byte 0: no record magic "PCPUREPT" (a truncated record before it, or not the plugin'"'"'s section)'
record '{}' 4000 > "$layout_tmp/length.bin"
bad_record bad-length "$layout_tmp/length.bin" \
	"section .percpu.report: record 1 at byte 0: length 4000 runs past the section's end (2 bytes left after the header)"
{ cat "$layout_tmp/good.bin"; record $'{"format": "percpu-vm-report",\n "version": 1,,}'; } > "$layout_tmp/json.bin"
bad_record bad-json "$layout_tmp/json.bin" \
	"section .percpu.report, record $(($1 + 1)) at byte $good_size: 2:15: string or '}' expected near ','"
record $'{"format": "percpu-vm-report", "version": 1, "unit": "x.c",\n "compiler": "GCC", "mode": "lower", "shift": 20,\n "variables": [], "accesses": [{"function": "f"}]}' > "$layout_tmp/semantic.bin"
bad_record missing-key "$layout_tmp/semantic.bin" \
	'section .percpu.report, record 1 at byte 0: 3:32: access 1 has no "file"'
finish
