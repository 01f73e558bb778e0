# Sourced by i386-codegen.sh and x86_64-codegen.sh: a function's
# instructions from the disassembly of $tmp/c.o, and a check of them.
# The caller sets tmp, mode and fail.

# body FUNCTION: its instructions, one per line, relocations inline as
# "  [TYPE SYMBOL]", objdump's "# address <symbol>" comments left out
body() {
	objdump -dr --no-show-raw-insn "$tmp/c.o" | awk -v f="<$1>:" '
		$2 == f { on = 1; next } on && /^$/ { exit }
		on && /R_386|R_X86_64/ { sub(/^[ \t]+/, ""); printf "  [%s %s]", $2, $3; next }
		on { sub(/^[ \t]*[0-9a-f]+:[ \t]*/, ""); sub(/[ \t]*#.*/, ""); gsub(/[ \t]+/, " "); printf "\n%s", $0 }'
}
# expect FUNCTION REGEX: its instructions (padding left out) match REGEX exactly
expect() {
	got=$(body "$1" | grep -v '^$' | grep -v '^\(nop\|xchg %ax,%ax\|lea 0x0(%esi.*\|data16 .*\|cs nopw.*\)' | tr '\n' ';')
	if ! printf '%s' "$got" | grep -Eqx "$2"; then
		echo "FAIL: $1 ($mode): got '$got', want /$2/"; fail=1
	fi
}
