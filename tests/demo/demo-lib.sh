# demo-lib.sh: shared by the demo boot tests (sourced).  Boots a demo kernel
# under qemu with a timeout and checks what it reports on the serial port.
# shellcheck shell=bash

. "$top_builddir/tests/test-env.sh"

demo_fail=0
demo_logdir="$top_builddir/tests/demo/logs"
mkdir -p "$demo_logdir"

# demo_boot NAME KERNEL SMP [qemu args...]: boot, leave the serial output in
# $demo_log and qemu's exit status in $demo_status.
demo_boot() {
	local name=$1 kernel=$2 smp=$3
	shift 3
	demo_log="$demo_logdir/$name.log"
	demo_status=0
	timeout "${DEMO_TIMEOUT:-60}" "$QEMU_I386" -accel tcg -m 128 -display none \
		-serial stdio -no-reboot -monitor none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-smp "$smp" -kernel "$kernel" "$@" >"$demo_log" 2>&1 </dev/null || demo_status=$?
	tr -d '\r' <"$demo_log" >"$demo_log.tmp" && mv "$demo_log.tmp" "$demo_log"
	if [ "$demo_status" -eq 124 ]; then
		echo "FAIL: $name: qemu did not finish within ${DEMO_TIMEOUT:-60}s (hang); serial log: $demo_log"
	fi
}

# expect_status NAME CODE
expect_status() {
	if [ "$demo_status" -ne "$2" ]; then
		echo "FAIL: $1: qemu exit status $demo_status, expected $2; serial log ($demo_log):"
		sed 's/^/    | /' "$demo_log" | tail -40
		demo_fail=1
		return 1
	fi
	return 0
}

# expect_line NAME REGEX: some line of the report matches (grep -E).
expect_line() {
	if ! grep -Eq -- "$2" "$demo_log"; then
		echo "FAIL: $1: no report line matches /$2/ (log: $demo_log)"
		demo_fail=1
		return 1
	fi
	return 0
}

# expect_no_line NAME REGEX
expect_no_line() {
	if grep -Eq -- "$2" "$demo_log"; then
		echo "FAIL: $1: unexpected report line(s) matching /$2/:"
		grep -E -- "$2" "$demo_log" | sed 's/^/    | /' | head -10
		demo_fail=1
		return 1
	fi
	return 0
}
