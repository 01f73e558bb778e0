#!/bin/bash
# tests/plugin/embed.sh: the report inside the object (.percpu.report).
#   - mode=lower embeds one record: the header of percpu-vm/contract.h
#     (magic, version 1, encoding 0, the length) and the very document the
#     side file (report=FILE) holds; the section is not allocated;
#   - embed-report=no, mode=check and disable embed nothing, and
#     embed-report=yes with mode=check is refused (check changes nothing
#     in the object);
#   - -flto: the record survives the link-time compile (lto1 runs without
#     the plugin), one record per unit.
. "$top_srcdir/tests/plugin/plugin-lib.sh"

src="$top_srcdir/tests/plugin/code/report-unit.c"

# section_bytes OBJ OUT: .percpu.report's contents into OUT (empty if none).
section_bytes () {
	: > "$2"
	"$OBJCOPY" --dump-section .percpu.report="$2" "$1" "$plugin_tmp/dump.o" 2>/dev/null || : > "$2"
}

# has_section OBJ: whether OBJ has a .percpu.report section.
has_section () {
	"$READELF" -SW "$1" | grep -q ' \.percpu\.report '
}

while read -r gcc so; do
	tag=$(basename "$gcc")
	flags="$PLUGIN_TEST_I386 -O2 -fchecking -DCONFIG_HAS_VM_PERCPU $PLUGIN_CODE_INCLUDES -fplugin=$so"
	o=$plugin_tmp/$tag.o r=$plugin_tmp/$tag.json
	if ! $gcc $flags -fplugin-arg-percpu_plugin-report="$r" -c -o "$o" "$src"; then
		fail "$tag: compile"; continue
	fi
	section_bytes "$o" "$plugin_tmp/sec"
	want_header=$($PYTHON3 -c 'import os, struct, sys
n = os.path.getsize(sys.argv[1])
print((b"PCPUREPT" + struct.pack("<HHI", 1, 0, n)).hex())' "$r")
	header=$(head -c 16 "$plugin_tmp/sec" | od -An -tx1 | tr -d ' \n')
	tail -c +17 "$plugin_tmp/sec" > "$plugin_tmp/doc"
	if [ "$header" = "$want_header" ] && cmp -s "$plugin_tmp/doc" "$r"; then
		pass "$tag: one record: header $header, then the side file's document"
	else
		fail "$tag: record header '$header' (want $want_header) or document differs from $r"
	fi
	flags_sec=$("$READELF" -SW "$o" | sed -n 's/.* \.percpu\.report *PROGBITS *[0-9a-f]* [0-9a-f]* [0-9a-f]* [0-9a-f]* *\([A-Z]*\) .*/\1/p')
	[ -z "$flags_sec" ] && pass "$tag: .percpu.report is not allocated" \
		|| fail "$tag: .percpu.report has flags '$flags_sec'"

	for args in "-fplugin-arg-percpu_plugin-embed-report=no" \
		    "-fplugin-arg-percpu_plugin-mode=check" "-fplugin-arg-percpu_plugin-disable"; do
		if $gcc $flags $args -c -o "$plugin_tmp/no.o" "$src" && ! has_section "$plugin_tmp/no.o"; then
			pass "$tag: $args: no record"
		else
			fail "$tag: $args: compile failed or the object has a .percpu.report"
		fi
	done
	if $gcc $flags -fplugin-arg-percpu_plugin-mode=check -fplugin-arg-percpu_plugin-embed-report=yes \
		-c -o "$plugin_tmp/no.o" "$src" 2> "$plugin_tmp/err"; then
		fail "$tag: mode=check with embed-report=yes compiled"
	elif grep -q "'-fplugin-arg-percpu_plugin-embed-report=yes': mode=check changes nothing in the object" "$plugin_tmp/err"; then
		pass "$tag: mode=check with embed-report=yes is refused"
	else
		fail "$tag: mode=check with embed-report=yes: $(cat "$plugin_tmp/err")"
	fi

	# -flto: two units, linked by lto1 into one relocatable object.
	lto_ok=true
	for u in report-unit api-unit; do
		case $u in
		report-unit) s=$src ;;
		*) s=$top_srcdir/tests/plugin/code/$u.c ;;
		esac
		$gcc $flags -flto -c -o "$plugin_tmp/lto-$u.o" "$s" 2> "$plugin_tmp/err" || lto_ok=false
	done
	if $lto_ok && $gcc $PLUGIN_TEST_I386 -O2 -flto -nostdlib -r -flinker-output=nolto-rel \
		-o "$plugin_tmp/lto.o" "$plugin_tmp/lto-report-unit.o" "$plugin_tmp/lto-api-unit.o"; then
		section_bytes "$plugin_tmp/lto.o" "$plugin_tmp/sec"
		n=$(grep -c PCPUREPT "$plugin_tmp/sec" || true)
		[ "$n" = 2 ] && pass "$tag: -flto: two units, two records" \
			|| fail "$tag: -flto: $n records in the linked object"
	else
		fail "$tag: -flto build: $(cat "$plugin_tmp/err")"
	fi
done < <(plugin_compilers)
exit $plugin_fail
