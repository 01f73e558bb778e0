#!/bin/bash
# Bad input: every unreadable file gets exit status 2 and ONE line on stderr
# naming the file and the problem, nothing on stdout, never a crash.  Then
# the fuzz corpus (inputs libFuzzer found crashing, since fixed) is replayed.
. "$top_srcdir/tests/layout/layout-lib.sh"

layout_build_fixtures
m=$layout_tmp/bad
mkdir -p "$m"
cp "$layout_tmp/ld/net.ko" "$layout_tmp/ld/kernel.elf" "$m/"

# expect_error FILE PATTERN [ARGS...]: percpu-layout ARGS FILE fails as it should.
expect_error () {
	file=$1 pattern=$2
	shift 2
	layout_run "$m" "$@" "$file"
	lines=$(wc -l < "$layout_err")
	if [ "$layout_status" -ne 2 ]; then
		fail "$file: exit status $layout_status, want 2 ($(cat "$layout_err"))"
	elif [ "$lines" -ne 1 ] || [ -s "$layout_out" ]; then
		fail "$file: want one line on stderr and none on stdout, got:"
		cat "$layout_err" "$layout_out" >&2
	elif ! grep -q -E "^percpu-layout: $file: .*$pattern" "$layout_err"; then
		fail "$file: message does not match '$pattern': $(cat "$layout_err")"
	else
		pass "$(cat "$layout_err")"
	fi
}

expect_error missing.o "No such file or directory"
mkdir "$m/dir.o"
expect_error dir.o "is a directory"
: > "$m/empty.o"
expect_error empty.o "empty file"
echo "this is not an object file" > "$m/text.o"
expect_error text.o "not an ELF object \(file format not recognized\)"
head -c 52 "$m/net.ko" > "$m/header-only.o"
expect_error header-only.o "not an ELF object|truncated or corrupt"
size=$(stat -c %s "$m/kernel.elf")
head -c $((size - 300)) "$m/kernel.elf" > "$m/truncated.elf"
expect_error truncated.elf "truncated or corrupt|not an ELF object|file format not recognized"
head -c $((size / 2)) "$m/kernel.elf" > "$m/half.elf"
expect_error half.elf "truncated or corrupt|not an ELF object|file format not recognized"

# Corrupt fields in an otherwise whole ELF file (python edits the headers).
corrupt () {
	"$PYTHON3" - "$@" <<'PY'
import struct, sys
src, dst, what = sys.argv[1:4]
b = bytearray(open(src, "rb").read())
shoff, = struct.unpack_from("<I", b, 0x20)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", b, 0x2e)
def sh(i): return shoff + i * shentsize
stroff, = struct.unpack_from("<I", b, sh(shstrndx) + 16)
def name(i):
    n, = struct.unpack_from("<I", b, sh(i))
    return bytes(b[stroff + n:b.index(b"\0", stroff + n)]).decode()
idx = {name(i): i for i in range(shnum)}
if what == "data-size":      # .data.percpu claims 1 GiB of contents
    struct.pack_into("<I", b, sh(idx[".data.percpu"]) + 20, 1 << 30)
elif what == "data-offset":  # .data.percpu's contents start past the end
    struct.pack_into("<I", b, sh(idx[".data.percpu"]) + 16, len(b) + 4096)
elif what == "note-namesz":  # the note's name runs past its section
    off, = struct.unpack_from("<I", b, sh(idx[".note.percpu"]) + 16)
    struct.pack_into("<I", b, off, 0x10000)
elif what == "note-type":    # our owner, another type
    off, = struct.unpack_from("<I", b, sh(idx[".note.percpu"]) + 16)
    struct.pack_into("<I", b, off + 8, 7)
elif what == "shoff":        # section headers past the end
    struct.pack_into("<I", b, 0x20, len(b) * 4)
elif what == "symtab-size":  # a symbol table bigger than the file
    struct.pack_into("<I", b, sh(idx[".symtab"]) + 20, 0x7ffffff0)
open(dst, "wb").write(b)
PY
}
corrupt "$m/net.ko" "$m/data-size.ko" data-size
expect_error data-size.ko "section .data.percpu: .* run past the end of the file|truncated or corrupt"
corrupt "$m/net.ko" "$m/data-offset.ko" data-offset
expect_error data-offset.ko "section .data.percpu: .* run past the end of the file|truncated or corrupt"
corrupt "$m/net.ko" "$m/note-namesz.ko" note-namesz
expect_error note-namesz.ko "section .note.percpu: note at byte 0 .* runs past the section end"
corrupt "$m/net.ko" "$m/note-type.ko" note-type
expect_error note-type.ko "section .note.percpu: note at byte 0: owner percpu-vm but type 0x7"
corrupt "$m/net.ko" "$m/shoff.ko" shoff
expect_error shoff.ko "not an ELF object|truncated or corrupt|file format not recognized"
corrupt "$m/net.ko" "$m/symtab-size.ko" symtab-size
expect_error symtab-size.ko "truncated or corrupt|symbol table"

# Well-formed files that are not what the tool reads.
echo 'int plain_data = 1;' > "$layout_tmp/plain.c"
$CC -m32 -c "$layout_tmp/plain.c" -o "$m/plain.o"
expect_error plain.o "no per-CPU section \(.data.percpu, .bss.percpu or .data..percpu\)"
ar rc "$m/lib.a" "$m/net.ko"
expect_error lib.a "an archive: give the objects inside it instead"
$OBJCOPY -O srec "$m/net.ko" "$m/net.srec"
expect_error net.srec "not an ELF object \(libbfd reads it as srec\)"

# Usage: an image after the first input (bad reports: bad-reports.sh).
layout_run "$m" net.ko kernel.elf
if [ "$layout_status" -eq 2 ] && grep -q "kernel.elf: a linked image can only be the first input" "$layout_err"; then
	pass "$(cat "$layout_err")"
else
	fail "image as a module: exit $layout_status: $(cat "$layout_err")"
fi
# The fuzz corpus: each input is read, or refused in one line; no crash.
n=0
for f in "$top_srcdir"/tests/layout/corpus/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	layout_run "$m" "$f"
	case $layout_status in
	0) ;;
	2) [ "$(wc -l < "$layout_err")" -eq 1 ] && grep -q "^percpu-layout: $f: " "$layout_err" ||
		fail "corpus $(basename "$f"): not one line naming the file: $(cat "$layout_err")" ;;
	*) fail "corpus $(basename "$f"): exit status $layout_status: $(cat "$layout_err")" ;;
	esac
done
[ "$n" -gt 0 ] || fail "no fuzz corpus in tests/layout/corpus"
pass "fuzz corpus: $n inputs replayed"
finish
