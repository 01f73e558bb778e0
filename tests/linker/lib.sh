# Sourced by the linker tests: build the fixtures, link them with GNU ld or
# ld.lld, and describe a linked file's layout in a linker-neutral form.
set -u
. "$top_builddir/tests/test-env.sh"

LT_SRC=$top_srcdir/tests/linker
LT_INC="-I$top_builddir/kernel-glue/include -I$top_srcdir/kernel-glue/include"
# The target: lt_arch i386 (the default) or lt_arch x86_64 switches the
# compiler flags, the linker emulation and the address width below.
LT_CFLAGS_COMMON="-O2 -ffreestanding -fno-pie -fno-pic -fno-asynchronous-unwind-tables -nostdlib -Wall -Wextra -Werror"
lt_arch() {
	LT_ARCH=$1
	case $1 in
	i386)   LT_CFLAGS="-m32 $LT_CFLAGS_COMMON" LT_EMUL=elf_i386 LT_AS=-m32 LT_ADDR_DIGITS=8 ;;
	x86_64) LT_CFLAGS="-m64 -mcmodel=kernel -mno-red-zone $LT_CFLAGS_COMMON" LT_EMUL=elf_x86_64 LT_AS=-m64 LT_ADDR_DIGITS=16 ;;
	esac
}
lt_arch i386
# Scripts come from the source tree, percpu-config.lds from the build tree.
LT_LPATH="-L $top_builddir/ldscripts -L $top_srcdir/ldscripts"
# The facts the scripts restate (they cannot include C): the guard page,
# the module record's magic, version and length, from contract.h itself.
eval "$("$top_builddir/tests/contract/contract-probe" values)" || { echo "FAIL: contract-probe"; exit 1; }
tmp=${LT_KEEP:-$(mktemp -d)}; [ -n "${LT_KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
fail=0

die() { echo "FAIL: $*"; exit 1; }
bad() { echo "FAIL: $*"; fail=1; }

# cc OUT SRC [flags...]: compile a fixture for the i386 kernel.
cc() { local out=$1 src=$2; shift 2
	$CC $LT_CFLAGS $LT_INC "$@" -c "$src" -o "$out" || die "cannot compile $src"; }

# ld_with LINKER ARGS...: run GNU ld or ld.lld (same options: both accept
# -m elf_i386, -T, -L, --orphan-handling=error, -r, --defsym).  GNU ld's
# relocatable links also need --force-group-allocation (see module.lds).
ld_with() { local which=$1; shift
	case $which in
	bfd) case " $* " in *" -r "*) set -- --force-group-allocation "$@";; esac
	     "$GNU_LD" -m $LT_EMUL --orphan-handling=error "$@" ;;
	lld) "$LD_LLD" -m $LT_EMUL --orphan-handling=error "$@" ;;
	esac
}

# layout FILE: program headers, allocated sections and symbols, one per
# line, in a form both linkers' outputs can be compared in.  Zero-sized
# sections are left out (their type is not meaningful: GNU ld calls an
# empty NOLOAD section PROGBITS, ld.lld NOBITS), and so are non-allocated
# ones (.comment names the linker, .symtab lists linker-specific symbols).
layout() {
	"$READELF" -lW "$1" | awk '$1 == "LOAD" { print "segment", $3, $4, $5, $6, substr($0, index($0, $7)) }' |
		sed 's/ 0x[0-9a-f]*$//'
	"$READELF" -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] //p' | awk '
		$1 != "NULL" && $5 != "000000" && $7 ~ /A/ { print "section", $1, $2, $3, $5, $7 }'
	$NM "$1" | awk '$2 ~ /^[A-Za-z]$/ && $2 != "a" { print "symbol", $3, $1, toupper($2) }' | LC_ALL=C sort
}

# sym FILE NAME: a symbol's value (hex, no 0x), empty if undefined.
sym() { $NM "$1" | awk -v n="$2" '$3 == n { print $1; exit }'; }
# hexval X: a hex string (with or without 0x) as a decimal number; a 64-bit
# address above 2^63 comes out negative (two's complement), which keeps the
# order of addresses within the top 2 GiB, where x86-64 kernels live
hexval() { echo $((0x${1#0x})); }
# addr N: a number as readelf prints an address of the current target
addr() { printf "0x%0${LT_ADDR_DIGITS}x" "$1"; }
