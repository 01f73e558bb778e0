#!/bin/bash
# tests/arch/bench-memory.sh: the memory benchmark's table is complete and
# every row meets the target (percpu-vm <= tight bound + one page per CPU
# per allocation class), and percpu-vm never uses more than the Linux-style
# first chunk, and the runtime's bookkeeping does not grow with the CPU
# count.  The bench runs the real runtime on the hosted backend.
set -u
out=$("$top_builddir/bench/bench-memory" 2>&1)
rc=$?
fail() { echo "bench-memory.sh: $*"; echo "$out"; exit 1; }
[ $rc -eq 0 ] || fail "bench exited with $rc"
rows=$(grep -E '^\((a|b|c)\) ' <<<"$out")
[ "$(wc -l <<<"$rows")" = 15 ] || fail "expected 15 rows"
[ "$(grep -c ' | PASS (' <<<"$rows")" = 15 ] || fail "a row misses the target"
# Columns: scenario(2 words) cpus | vm/cpu vm-total | ... | linux/cpu linux-total chunks | ...
while read -r _ _ cpus _ vm vmtot _ tight _ _ _ _ _ _ linux _ _; do
	awk -v vm="$vm" -v t="$tight" -v l="$linux" 'BEGIN { exit !(vm >= t && vm <= l) }' ||
		fail "$cpus CPUs: vm $vm KiB vs tight $tight, linux $linux"
done <<<"$rows"
grep -q '^bench-memory: 15 of 15 rows within the target$' <<<"$out" || fail "summary line"
# The runtime's bookkeeping: one line per CPU count, none growing beyond
# the online bitmap.
[ "$(grep -cE '^  bookkeeping +[0-9]+ cpus: [0-9]+ bytes .* PASS$' <<<"$out")" = 5 ] ||
	fail "bookkeeping lines missing or growing with the CPU count"
echo "bench-memory.sh: ok"
