#!/bin/bash
# Stride notes are found by owner and type in every note section, not by
# the section's name: a Linux-style link (notes-kernel.lds) merges every
# .note.* into one ".notes", beside the GNU build ID and foreign notes of
# odd sizes, and an 8-aligned note section is walked with 8-byte padding.
# A malformed note there is an error naming the file and the section.
. "$top_srcdir/tests/layout/layout-lib.sh"

o=$layout_tmp/obj n=$layout_tmp/notes
mkdir -p "$o" "$n"
# Built for shift 25, 4 CPUs (a window of 128 MiB fits in 32 bits).
test_config "$layout_tmp/config25" 25 4 0xc0000000 || { echo "FAIL: test_config" >&2; exit 1; }
for u in kern-main kern-timer; do
	LAYOUT_CONFIG_DIR=$layout_tmp/config25 layout_cc "$u.c" "$o/$u.o" ||
		{ echo "FAIL: compiling $u.c" >&2; exit 1; }
done
$CC -m32 -c "$LAYOUT_FIXTURES/foreign-notes.s" -o "$o/foreign-notes.o"

# expect_check NAME STATUS PATTERN ARGS...: --check exits STATUS, and its
# stderr matches PATTERN (empty: stays silent).
expect_check () {
	name=$1 want=$2 pattern=$3
	shift 3
	layout_run "$n" --check "$@"
	if [ "$layout_status" -ne "$want" ]; then
		fail "$name: exit status $layout_status, want $want: $(cat "$layout_err")"
	elif [ -z "$pattern" ] && [ -s "$layout_err" ]; then
		fail "$name: want no problem: $(cat "$layout_err")"
	elif [ -n "$pattern" ] && { [ "$(wc -l < "$layout_err")" -ne 1 ] ||
					! grep -q -E "$pattern" "$layout_err"; }; then
		fail "$name: want one line matching '$pattern': $(cat "$layout_err")"
	else
		pass "$name: exit $want ${pattern:+($(cat "$layout_err"))}"
	fi
}

for pair in "ld:$GNU_LD" "lld:$LD_LLD"; do
	k=kernel-${pair%%:*}.elf ld=${pair#*:}
	"$ld" -m elf_i386 --build-id=sha1 -L "$layout_tmp/config25" -L "$top_srcdir/ldscripts" \
		-T "$LAYOUT_FIXTURES/notes-kernel.lds" "$o/foreign-notes.o" "$o/kern-main.o" \
		"$o/kern-timer.o" -o "$n/$k" || { fail "linking $k"; continue; }
	# The fixture is what it claims: one .notes holding the stride note
	# behind the foreign ones, and no .note.percpu section.
	$READELF -n -W "$n/$k" | awk '/^Displaying notes found in/ { sec = $NF }
		/^  [a-zA-Z]/ && $1 != "Owner" && sec == ".notes" { print $1 }' | tr '\n' ' ' > "$layout_tmp/owners"
	case $(cat "$layout_tmp/owners") in
	"ab xyz "*percpu-vm*) ;;
	*) fail "$k: .notes holds [$(cat "$layout_tmp/owners")]" ;;
	esac
	if $READELF -S -W "$n/$k" | grep -q ' \.note\.percpu '; then
		fail "$k: has a .note.percpu section"
	fi

	expect_check "$k against shift 20" 1 \
		"^percpu-layout: $k: built for shift 25, but the window uses shift 20 \(from option\) \[mixed-strides\]$" \
		--shift 20 "$k"
	expect_check "$k against shift 25" 0 "" --shift 25 "$k"
	layout_run "$n" --json "$k"
	if "$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["window"]["shift"] == 25 and d["window"]["shift_source"] == "note", d["window"]
assert d["files"][0]["notes"] == [{"version": 1, "shift": 25}], d["files"][0]["notes"]
' "$layout_out"; then
		pass "$k: the note in .notes gives the window's shift"
	else
		fail "$k: the window does not take its shift from the note in .notes"
	fi
done

# An 8-aligned note section in a 64-bit object.
$CC -m64 -c "$LAYOUT_FIXTURES/note-align8.s" -o "$n/align8.o"
expect_check "8-aligned note section" 1 \
	"^percpu-layout: align8.o: built for shift 21, but the window uses shift 20 \(from option\) \[mixed-strides\]$" \
	--shift 20 align8.o
expect_check "8-aligned note section, right shift" 0 "" --shift 21 align8.o

# Malformed notes in .notes: the first (foreign) note's name runs past the
# section; the stride note has another type.  Each is one error line.
# patch_note FILE WHAT READELF: python edits the ELF file in place.
patch_note () {
	"$PYTHON3" - "$@" <<'PY'
import struct, subprocess, sys
path, what, readelf = sys.argv[1:4]
b = bytearray(open(path, "rb").read())
if what == "first-namesz":
    out = subprocess.run([readelf, "-S", "-W", path], capture_output=True, text=True).stdout
    line = next(l for l in out.splitlines() if " .notes " in l)
    off = int(line.split(".notes")[1].split()[2], 16)
    struct.pack_into("<I", b, off, 0x10000)
elif what == "pcpu-type":
    off = b.index(struct.pack("<III", 10, 8, 0x50435055) + b"percpu-vm\0")
    struct.pack_into("<I", b, off + 8, 7)
open(path, "wb").write(b)
PY
}
expect_bad () {
	file=$1 pattern=$2
	layout_run "$n" "$file"
	if [ "$layout_status" -ne 2 ] || [ "$(wc -l < "$layout_err")" -ne 1 ] || [ -s "$layout_out" ] ||
	   ! grep -q -E "^percpu-layout: $file: $pattern" "$layout_err"; then
		fail "$file: want exit 2 and one line '$pattern', got exit $layout_status: $(cat "$layout_err")"
	else
		pass "$(cat "$layout_err")"
	fi
}
cp "$n/kernel-ld.elf" "$n/namesz.elf"
patch_note "$n/namesz.elf" first-namesz "$READELF"
expect_bad namesz.elf "section \.notes: note at byte 0 \(name 65536 bytes, descriptor 5 bytes\) runs past the section end"
cp "$n/kernel-lld.elf" "$n/type.elf"
patch_note "$n/type.elf" pcpu-type "$READELF"
expect_bad type.elf "section \.notes: note at byte [0-9]+: owner percpu-vm but type 0x7"
finish
