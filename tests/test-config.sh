# tests/test-config.sh: sourced by test scripts whose fixtures fix their own
# per-CPU constants instead of taking the configured ones.
#
# test_config DIR SHIFT NR_CPUS BASE: DIR/percpu-vm/config.h and
# DIR/percpu-config.lds as configure writes them (from the same .in files),
# but for these constants; the hosted and x86-64 window bases are the
# configured ones.
# Search DIR first (-I DIR, -L DIR) to build against them.
test_config () {
	local subst
	subst="s/@PERCPU_SHIFT@/$2/; s/@PERCPU_STRIDE@/$((1 << $2))/; s/@PERCPU_NR_CPUS@/$3/;"
	subst="$subst s/@PERCPU_BASE@/$4/; s/@PERCPU_HOSTED_BASE@/$PERCPU_HOSTED_BASE/;"
	subst="$subst s/@PERCPU_X86_64_BASE@/$PERCPU_X86_64_BASE/"
	mkdir -p "$1/percpu-vm" &&
	sed -e "$subst" "$top_srcdir/kernel-glue/include/percpu-vm/config.h.in" > "$1/percpu-vm/config.h" &&
	sed -e "$subst" "$top_srcdir/ldscripts/percpu-config.lds.in" > "$1/percpu-config.lds" || return 1
	# a constant configure substitutes that this list does not would be left as @NAME@
	if grep -q '@[A-Z_]*@' "$1/percpu-vm/config.h" "$1/percpu-config.lds"; then
		echo "test_config: $1: unsubstituted: $(grep -ho '@[A-Z_]*@' "$1/percpu-vm/config.h" "$1/percpu-config.lds" | sort -u | tr '\n' ' ')" >&2
		return 1
	fi
}
