# Sourced by the linker tests: build the fixtures, link them with GNU ld or
# ld.lld, and describe a linked file's layout in a linker-neutral form.
set -u
. "$top_builddir/tests/test-env.sh"

LT_SRC=$top_srcdir/tests/linker
LT_INC="-I$top_builddir/kernel-glue/include -I$top_srcdir/kernel-glue/include"
LT_CFLAGS="-m32 -O2 -ffreestanding -fno-pie -fno-pic -fno-asynchronous-unwind-tables -nostdlib -Wall -Wextra -Werror"
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
	     "$GNU_LD" -m elf_i386 --orphan-handling=error "$@" ;;
	lld) "$LD_LLD" -m elf_i386 --orphan-handling=error "$@" ;;
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
# hexval X: a hex string (with or without 0x) as a decimal number
hexval() { printf '%d' "0x${1#0x}"; }
