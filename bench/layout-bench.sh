#!/bin/bash
# layout-bench.sh TOOL FILE...: instructions (callgrind) of `percpu-layout
# FILE` against `nm -S FILE` on the same file, and their ratio (target
# <= 1.0), plus wall-clock medians of repeated runs.  Output goes to
# /dev/null in both, so the figures compare reading, laying out and
# formatting, not the terminal.
set -u
tool=$1
shift
: "${VALGRIND:=valgrind}" "${NM:=nm}"
status=0

instructions () {
	$VALGRIND --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

# median_ms RUNS CMD...: median wall time of RUNS runs, in milliseconds.
median_ms () {
	runs=$1
	shift
	for _ in $(seq "$runs"); do
		s=$(date +%s%N)
		"$@" > /dev/null
		e=$(date +%s%N)
		echo $(( (e - s) / 1000 ))
	done | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] / 1000 }'
}

printf '%-42s %8s %14s %14s %7s %9s %9s\n' file symbols "percpu-layout" "nm -S" ratio "ms(tool)" "ms(nm)"
for f in "$@"; do
	vars=$("$tool" --json "$f" | grep -c '"align_source"')
	ours=$(instructions "$tool" "$f")
	# shellcheck disable=SC2086
	theirs=$(instructions $NM -S "$f")
	if [ -z "$ours" ] || [ -z "$theirs" ]; then
		echo "bench-layout: callgrind gave no count for $f" >&2
		exit 1
	fi
	ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.3f", a / b }')
	t_ours=$(median_ms 9 "$tool" "$f")
	# shellcheck disable=SC2086
	t_nm=$(median_ms 9 $NM -S "$f")
	printf '%-42s %8s %14s %14s %7s %9s %9s\n' "$(basename "$f")" "$vars" "$ours" "$theirs" \
		"$ratio" "$t_ours" "$t_nm"
	if awk -v r="$ratio" 'BEGIN { exit !(r > 1.0) }'; then
		echo "bench-layout: $f: ratio $ratio is above the 1.0 target" >&2
		status=1
	fi
done
exit $status
