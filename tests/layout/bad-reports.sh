#!/bin/bash
# Bad --reports input: a path that is not a regular file (FIFO, device, or
# such a *.json in a directory) is refused at once, never read (a FIFO
# without a writer would block: each run has a timeout, so a regression
# fails instead of hanging); a report with a syntax error, a wrong
# version, a missing key, a value of the wrong type or a key written twice
# is one error line naming FILE:LINE:COL of the culprit.
. "$top_srcdir/tests/layout/layout-lib.sh"

layout_default_config
r=$layout_tmp/bad-reports
mkdir -p "$r" "$layout_tmp/obj"
layout_cc mod-net.c "$layout_tmp/obj/mod-net.o" || { echo "FAIL: compiling mod-net.c" >&2; exit 1; }
layout_link_module "$GNU_LD" "$r/net.ko" "$layout_tmp/obj/mod-net.o"

# expect_refused NAME LINE ARGS...: exit 2 within the timeout, stderr is
# exactly LINE, nothing on stdout.
expect_refused () {
	name=$1 want=$2
	shift 2
	layout_status=0
	(cd "$r" && timeout 20 "$LAYOUT_TOOL" "$@") > "$layout_out" 2> "$layout_err" ||
		layout_status=$?
	if [ "$layout_status" -eq 124 ]; then
		fail "$name: still waiting after 20 s (reading a FIFO?)"
	elif [ "$layout_status" -ne 2 ] || [ -s "$layout_out" ] ||
	     [ "$(cat "$layout_err")" != "$want" ]; then
		fail "$name: exit $layout_status, stderr: $(cat "$layout_err"); want exit 2 and: $want"
	else
		pass "$name: $want"
	fi
}

mkfifo "$r/r.fifo"
expect_refused "FIFO as a report" \
	"percpu-layout: r.fifo: not a regular file (a FIFO): give a plugin report or a directory of them" \
	--reports r.fifo net.ko
expect_refused "character device as a report" \
	"percpu-layout: /dev/null: not a regular file (a character device): give a plugin report or a directory of them" \
	--reports /dev/null net.ko
mkdir "$r/dir"
mkfifo "$r/dir/unit.json"
expect_refused "FIFO named *.json in a report directory" \
	"percpu-layout: dir/unit.json: not a regular file (a FIFO): give a plugin report or a directory of them" \
	--reports dir net.ko
expect_refused "FIFO as an object" "percpu-layout: r.fifo: not a regular file (a FIFO)" r.fifo

# A valid report, written by hand so every position below is known.
cat > "$r/good.json" <<'JSON'
{"format": "percpu-vm-report", "version": 1, "unit": "mod-net.c",
 "compiler": "GCC 12.2.0", "mode": "lower", "shift": 20,
 "variables": [
  {"name": "net_queue", "size": 2, "align": 32, "section": ".bss.percpu",
   "defined": true, "global": true, "file": "mod-net.c", "line": 10, "column": 1}
 ],
 "accesses": [
  {"function": "net_rx", "file": "mod-net.c", "line": 17, "column": 2,
   "kind": "this-cpu", "variable": "net_queue", "cpu": null, "rewritten": false}
 ]}
JSON
layout_run "$r" --reports good.json net.ko
if [ "$layout_status" -eq 0 ] && grep -q 'net_queue  (mod-net.c:10, 1 access)' "$layout_out"; then
	pass "the hand-written report merges"
else
	fail "the hand-written report: exit $layout_status: $(cat "$layout_err")"
fi

# An integer above 2^53 (a double would round 2^53 + 1) is read exactly
# as jansson's 64-bit integer, not refused.
sed -e 's/"size": 2/"size": 9007199254740993/' "$r/good.json" > "$r/size-2p53.json"
layout_run "$r" --reports size-2p53.json net.ko
if [ "$layout_status" -eq 0 ] && grep -q 'net_queue  (mod-net.c:10, 1 access)' "$layout_out"; then
	pass "a report with a size of 2^53 + 1 merges"
else
	fail "a report with a size of 2^53 + 1: exit $layout_status: $(cat "$layout_err")"
fi

# bad NAME SED-EXPR LINE: good.json edited by SED-EXPR is refused with LINE.
bad () {
	sed -e "$2" "$r/good.json" > "$r/$1"
	if cmp -s "$r/$1" "$r/good.json"; then
		fail "$1: the edit '$2' changed nothing"
		return
	fi
	expect_refused "$1" "percpu-layout: $3" --reports "$1" net.ko
}
bad version.json 's/"version": 1/"version": 2/' \
	'version.json:1:43: report version 2, this tool reads version 1'
bad no-version.json 's/ "version": 1,//' 'no-version.json:1:1: the report has no "version"'
bad line-string.json 's/"line": 10/"line": "10"/' \
	'line-string.json:5:66: "line" of variable 1 is a string, want a non-negative integer'
bad column-fraction.json 's/"column": 1}/"column": 1.5}/' \
	'column-fraction.json:5:80: "column" of variable 1 is a number that is not an integer, want a non-negative integer'
bad line-too-big.json 's/"line": 10/"line": 4294967296/' \
	'line-too-big.json:5:66: "line" of variable 1 is 4294967296, more than 4294967295'
# jansson's integers are 64-bit signed (json_int_t): 2^63 and up are refused
bad size-2p63.json 's/"size": 2/"size": 9223372036854775808/' \
	"size-2p63.json:4:51: too big integer near '9223372036854775808'"
bad align.json 's/"align": 32/"align": 24/' \
	'align.json:4:45: "align" of variable 1 is 24, not a power of two'
# an alignment beyond the largest stride (2^31), here 2^54: no per-CPU
# object has it, and --json promises integers below 2^53
bad align-2p54.json 's/"align": 32/"align": 18014398509481984/' \
	'align-2p54.json:4:45: "align" of variable 1 is 18014398509481984, more than 2147483648'
bad no-kind.json 's/"kind": "this-cpu", //' 'no-kind.json:8:3: access 1 has no "kind"'
bad cpu-string.json 's/"cpu": null/"cpu": "3"/' \
	'cpu-string.json:9:56: "cpu" of access 1 is a string, want an integer or null'
bad variables-object.json 's/"variables": \[/"variables": [7, /' \
	'variables-object.json:3:16: variable 1 is an integer, want an object'
bad duplicate.json 's/"section": ".bss.percpu",/"section": ".bss.percpu", "name": "x",/' \
	'duplicate.json:4:75: duplicate key "name" (first at 4:4)'
printf '{"format": "percpu-vm-report", "version": 1,\n  "variables": [,]}\n' > "$r/syntax.json"
expect_refused syntax.json "percpu-layout: syntax.json:2:17: unexpected token near ','" \
	--reports syntax.json net.ko
printf '{"format": "something-else"}' > "$r/other.json"
expect_refused other.json \
	'percpu-layout: other.json:1:12: not a percpu-vm plugin report (no "format": "percpu-vm-report")' \
	--reports other.json net.ko

# Reports of the fuzz corpus: merged, or refused in one line.
for f in "$top_srcdir"/tests/layout/corpus/*.json; do
	layout_run "$r" --reports "$f" net.ko
	if [ "$layout_status" -ne 0 ] && { [ "$layout_status" -ne 2 ] ||
	   [ "$(wc -l < "$layout_err")" -ne 1 ] || ! grep -q "^percpu-layout: $f:" "$layout_err"; }; then
		fail "corpus $(basename "$f"): exit $layout_status: $(cat "$layout_err")"
	else
		pass "corpus $(basename "$f"): exit $layout_status"
	fi
done
finish
