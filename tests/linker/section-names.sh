#!/bin/bash
# Per-CPU section names: the linker scripts and percpu-layout follow the one
# rule in percpu-vm/contract.h.  One object has a 4-byte variable in a
# section of every name in section-names.list; section-verdict (compiled
# against the header) says what each name is.  Linked with every script
# (the i386 kernel in VM and classic mode, module.lds, the hosted VM and
# classic scripts), with GNU ld and with ld.lld, exactly the per-CPU names
# land in the per-CPU output section: the initialised ones below
# __per_cpu_data_end, the page-aligned ones before the other initialised
# ones, the zero ones above (in a module: in .bss.percpu); every other name
# lands elsewhere.  percpu-layout counts exactly the per-CPU names.
# (tests/plugin/section-names.sh holds the plugin to the same verdicts.)
. "$top_srcdir/tests/linker/lib.sh"

verdict=$top_builddir/tests/linker/section-verdict
[ -x "$verdict" ] || die "$verdict is not built"
names=$(grep -v '^#' "$LT_SRC/section-names.list")
# "sn_N NAME KIND" per name, N counting from 1
"$verdict" $names | awk '{ print "sn_" NR, $1, $2 }' > "$tmp/verdicts"
[ "$(wc -l < "$tmp/verdicts")" = "$(echo "$names" | wc -l)" ] || die "section-verdict gave no verdict for some names"

# The object: sn_N in section NAME (NOBITS for .bss names, as a compiler
# makes them), and the _start the kernel script's ENTRY wants.
{
	printf '\t.text\n\t.globl _start\n_start:\n\tret\n'
	while read -r sym name kind; do
		case $name in
		.bss*) printf '\t.section "%s","aw",@nobits\n' "$name"; data='.zero 4' ;;
		*) printf '\t.section "%s","aw",@progbits\n' "$name"; data='.long 1' ;;
		esac
		printf '\t.globl %s\n\t.p2align 2\n%s:\n\t%s\n' "$sym" "$sym" "$data"
	done < "$tmp/verdicts"
} > "$tmp/names.s"
$CC -m32 -c "$tmp/names.s" -o "$tmp/names32.o" || die "cannot assemble the i386 object"
$CC -m64 -c "$tmp/names.s" -o "$tmp/names64.o" || die "cannot assemble the x86-64 object"

# placement FILE: "SYMBOL OUTPUT-SECTION VALUE" for every sn_N (value in
# decimal), then "mark __per_cpu_data_end - VALUE" when the symbol exists.
placement() {
	"$READELF" -SW "$1" | sed -n 's/^ *\[ *\([0-9]*\)\] \([^ ]*\) .*/\1 \2/p' > "$tmp/sections"
	"$READELF" -sW "$1" | awk 'NR == FNR { name[$1] = $2; next }
		$8 ~ /^sn_[0-9]+$/ { print $8, ($7 in name) ? name[$7] : $7, $2 }' "$tmp/sections" - |
		while read -r s sec v; do echo "$s $sec $(hexval "$v")"; done
	v=$(sym "$1" __per_cpu_data_end); [ -n "$v" ] && echo "mark __per_cpu_data_end - $(hexval "$v")"
}

# check WHAT FILE ZERO-SECTION: the placement in FILE against the verdicts;
# ZERO-SECTION is where zero-initialised per-CPU input goes.
check() { local what=$1 file=$2 zsec=$3
	placement "$file" > "$tmp/placed"
	awk -v what="$what" -v zsec="$zsec" '
		NR == FNR { kind[$1] = $3; name[$1] = $2; next }
		$1 == "mark" { dend = $4; have_dend = 1; next }
		{ sec[$1] = $2; val[$1] = $3 }
		END {
			bad = 0
			for (s in kind) {
				k = kind[s]; n = name[s]
				if (!(s in sec)) { print "FAIL: " what ": " s " (" n ") is missing"; bad = 1; continue }
				want = k == "none" ? "" : k == "zero" ? zsec : ".data.percpu"
				if (want == "" && (sec[s] == ".data.percpu" || sec[s] == zsec)) {
					print "FAIL: " what ": " n " (not per-CPU) landed in " sec[s]; bad = 1
				} else if (want != "" && sec[s] != want) {
					print "FAIL: " what ": " n " (" k ") landed in " sec[s] ", want " want; bad = 1
				} else if (have_dend && k ~ /^data/ && val[s] >= dend) {
					print "FAIL: " what ": " n " (" k ") is past __per_cpu_data_end"; bad = 1
				} else if (have_dend && k == "zero" && val[s] < dend) {
					print "FAIL: " what ": " n " (zero) is before __per_cpu_data_end"; bad = 1
				}
				if (k == "data") { if (!have_data || val[s] < first_data) first_data = val[s]; have_data = 1 }
				if (k == "data-page-aligned") { if (val[s] > last_page) last_page = val[s]; have_page = 1 }
			}
			if (have_page && have_data && last_page >= first_data) {
				print "FAIL: " what ": a page-aligned section is not before the other initialised ones"; bad = 1
			}
			exit bad
		}' "$tmp/verdicts" "$tmp/placed" || fail=1
}

# The i386 kernel (orphans allowed: some refused names match no pattern)
# and the module; the hosted scripts augment the default script, through
# the compiler driver like a hosted program's link.
for l in bfd lld; do
	case $l in bfd) ld=$GNU_LD fuse=-fuse-ld=bfd ;; lld) ld=$LD_LLD fuse=-fuse-ld=lld ;; esac
	for script in kernel-i386.lds kernel-i386-classic.lds; do
		"$ld" -m elf_i386 $LT_LPATH -T $script -o "$tmp/k.elf" "$tmp/names32.o" > "$tmp/ld.out" 2>&1 ||
			{ cat "$tmp/ld.out"; die "$script with $l: link failed"; }
		check "$script/$l" "$tmp/k.elf" .data.percpu
	done
	extra=; [ $l = bfd ] && extra=--force-group-allocation
	"$ld" -m elf_i386 -r $extra $LT_LPATH -T module.lds -o "$tmp/m.o" "$tmp/names32.o" \
		> "$tmp/ld.out" 2>&1 || { cat "$tmp/ld.out"; die "module.lds with $l: link failed"; }
	check "module.lds/$l" "$tmp/m.o" .bss.percpu
	for script in "$top_builddir/ldscripts/percpu-hosted.lds" "$top_srcdir/ldscripts/percpu-hosted-classic.lds"; do
		$CC -m64 $fuse -no-pie -nostdlib -Wl,-T,"$script" -o "$tmp/h.elf" "$tmp/names64.o" \
			> "$tmp/ld.out" 2>&1 || { cat "$tmp/ld.out"; die "$(basename "$script") with $l: link failed"; }
		check "$(basename "$script")/$l" "$tmp/h.elf" .data.percpu
	done
done

# percpu-layout counts exactly the per-CPU sections of the object.
"$top_builddir/tools/percpu-layout" --json "$tmp/names32.o" > "$tmp/layout.json" ||
	die "percpu-layout cannot read the object"
"$PYTHON3" -c 'import json, sys
for s in json.load(open(sys.argv[1]))["files"][0]["sections"]:
    print(s["name"])' "$tmp/layout.json" | LC_ALL=C sort > "$tmp/layout-names"
awk '$3 != "none" { print $2 }' "$tmp/verdicts" | LC_ALL=C sort > "$tmp/want-names"
diff -u "$tmp/want-names" "$tmp/layout-names" ||
	bad "percpu-layout's per-CPU sections differ from contract.h's (- header, + percpu-layout)"

echo "$(grep -vc ' none$' "$tmp/verdicts") per-CPU and $(grep -c ' none$' "$tmp/verdicts") other names; 5 scripts x 2 linkers, percpu-layout"
exit $fail
