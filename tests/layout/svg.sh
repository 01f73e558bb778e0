#!/bin/bash
# --svg: the picture parses as XML (python3 xml.etree), is SVG, names every
# variable (a text label and a tooltip each), every input's area, and
# draws one box per CPU and the page boundaries of the used pages.
. "$top_srcdir/tests/layout/layout-lib.sh"

layout_build_fixtures
d=$layout_tmp/lld

for args in "kernel.elf net.ko fs.ko" "net.ko" "--nr-cpus 5 kernel.elf fs.ko"; do
	# shellcheck disable=SC2086
	layout_run "$d" --json --svg picture.svg $args
	if [ "$layout_status" -ne 0 ]; then
		fail "--svg $args: exit $layout_status: $(cat "$layout_err")"
		continue
	fi
	if "$PYTHON3" "$top_srcdir/tests/layout/check-svg.py" "$d/picture.svg" "$layout_out"
	then
		pass "--svg $args: XML, every variable and area named, $(grep -c '<text' "$d/picture.svg") labels"
	else
		fail "--svg $args"
	fi
done

# Names that need escaping in XML stay well-formed.
cat > "$layout_tmp/odd.s" <<'ASM'
	.section .data.percpu,"aw",@progbits
	.globl "a<b&c>\"d'"
	.type "a<b&c>\"d'",@object
	.size "a<b&c>\"d'",4
"a<b&c>\"d'":
	.long 1
ASM
$CC -m32 -c "$layout_tmp/odd.s" -o "$layout_tmp/odd.o"
layout_run "$layout_tmp" --svg odd.svg odd.o
if [ "$layout_status" -eq 0 ] && "$PYTHON3" -c '
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
assert any("a<b&c>\"d'"'"'" in "".join(t.itertext()) for t in r.iter("{http://www.w3.org/2000/svg}text"))
' "$layout_tmp/odd.svg"; then
	pass "--svg escapes markup in symbol names"
else
	fail "--svg with markup in a symbol name"
fi

# A name that is not valid UTF-8 (symbol names are bytes): the JSON stays
# valid, with U+FFFD for the bad byte, and the SVG stays well-formed.
"$PYTHON3" -c '
n = b"\"a\xc3\xa9b\xffc\""
open("'"$layout_tmp"'/bytes.s", "wb").write(b"\t.section .data.percpu,\"aw\"\n\t.globl " + n +
    b"\n\t.type " + n + b",@object\n\t.size " + n + b",4\n" + n + b":\n\t.long 1\n")'
$CC -m32 -c "$layout_tmp/bytes.s" -o "$layout_tmp/bytes.o"
layout_run "$layout_tmp" --json --svg bytes.svg bytes.o
if [ "$layout_status" -eq 0 ] && "$PYTHON3" -c '
import json, sys, xml.etree.ElementTree as ET
name = json.load(open(sys.argv[1]))["files"][0]["variables"][0]["name"]
assert name == "a\u00e9b\ufffdc", repr(name)
ET.parse(sys.argv[2])
' "$layout_out" "$layout_tmp/bytes.svg"; then
	pass "a name that is not UTF-8: valid JSON and SVG"
else
	fail "a name that is not UTF-8"
fi

# --svg - writes the picture to stdout.
layout_run "$d" --svg - --check kernel.elf
if [ "$layout_status" -eq 0 ] && "$PYTHON3" -c 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' "$layout_out"; then
	pass "--svg - writes the picture to stdout"
else
	fail "--svg -: exit $layout_status"
fi
finish
