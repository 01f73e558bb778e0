#!/bin/bash
# configure's per-arch windows: --with-percpu-base (i386) and
# --with-percpu-base-x86-64 refuse a bad value with an error naming the
# option and the reason: an x86-64 base outside the top 2 GiB, a window
# running past 2^64, a misaligned or non-hexadecimal one, a 64-bit base
# given for i386.  A good x86-64 base is taken, including the highest one
# (the window ending exactly at 2^64).  Each run stops early: at the error,
# or, for a good base, at the bad --with-hosted-percpu-base checked next.
set -u
. "$top_builddir/tests/test-env.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
# The build's own CPU count and shift, which the window checks depend on
# (configure's defaults would not match a build configured otherwise).
run() { (cd "$tmp" && "$top_srcdir/configure" -C --with-nr-cpus="$PERCPU_NR_CPUS" \
	--with-percpu-shift="$PERCPU_SHIFT" "$@" 2>&1); }
refused() { # message part, options...
	local want=$1 out; shift
	out=$(run "$@") && { echo "FAIL: configure $* succeeded"; fail=1; return; }
	case $out in *"$want"*) echo "ok: $* -> $want";; *) echo "FAIL: configure $*: want '$want', got:"; echo "$out" | tail -3; fail=1;; esac
}
taken() { # options... (the x86-64 base must pass; the hosted base then stops configure)
	local out
	out=$(run "$@" --with-hosted-percpu-base=zz)
	case $out in *"--with-hosted-percpu-base=zz"*) echo "ok: $* taken";; *) echo "FAIL: configure $*: not taken:"; echo "$out" | tail -3; fail=1;; esac
}
x=--with-percpu-base-x86-64
refused "$x=0xffffffff00000000: not in the top 2 GiB" $x=0xffffffff00000000
refused "$x=0x7fffffffc0000000: not in the top 2 GiB" $x=0x7fffffffc0000000
refused "$x=0xc0000000: not in the top 2 GiB" $x=0xc0000000
refused "$x=0xffffffffc0000800: not page aligned" $x=0xffffffffc0000800
refused "$x=1234: not a hexadecimal address" $x=1234
refused "$x=0xfffffffffg000000: not a hexadecimal address" $x=0xfffffffffg000000
# the last window that fits ends at 2^64; one page higher runs past it
size=$((PERCPU_NR_CPUS << PERCPU_SHIFT))
highest=$(printf '0x%x' $((-size)))
over=$(printf '0x%x' $((-size + 4096)))
refused "$x=$over with --with-nr-cpus=$PERCPU_NR_CPUS and --with-percpu-shift=$PERCPU_SHIFT: the window" $x=$over
taken $x=$highest
taken $x=0xffffffff80000000
taken $x=0XFFFFFFFFC0000000
refused "--with-percpu-base=0xffffffffc0000000: above 4 GiB, not an i386 address" --with-percpu-base=0xffffffffc0000000
refused "--with-percpu-base=0xc0000800: not page aligned" --with-percpu-base=0xc0000800
exit $fail
