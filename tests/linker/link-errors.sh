#!/bin/bash
# Bad per-CPU layouts fail the link under both GNU ld and ld.lld, each with
# its own message: per-CPU data reaching into the guard page at the end of
# the stride (the message says so, and both linkers print the overlapping
# address ranges, i.e. the sizes; data filling the stride up to the guard
# page links), a misaligned PERCPU_BASE, an object aligned beyond a page, and a
# -fdata-sections global named `percpu` (kernel script, module.lds and the
# hosted scripts); and a module whose per-CPU data does not fit in the
# stride less its 4 KiB guard page (module.lds), one byte over and exactly
# at the limit.
. "$top_srcdir/tests/linker/lib.sh"

cc "$tmp/offsets.o" "$top_srcdir/kernel-glue/percpu_offsets.c" -DCONFIG_HAS_VM_PERCPU
cc "$tmp/good.o" "$LT_SRC/kern-data.c" -DCONFIG_HAS_VM_PERCPU
cc "$tmp/main.o" "$LT_SRC/kern-main.c" -DCONFIG_HAS_VM_PERCPU
cc "$tmp/cpu.o" "$top_srcdir/kernel-glue/arch/i386/percpu_cpu.c" -DCONFIG_HAS_VM_PERCPU
usable=$(( $(hexval $PERCPU_STRIDE) - CONTRACT_GUARD_SIZE ))
cc "$tmp/big.o" "$LT_SRC/kern-big.c" -DCONFIG_HAS_VM_PERCPU -DLT_PERCPU_BYTES=$((usable + 16))
cc "$tmp/fits.o" "$LT_SRC/kern-big.c" -DCONFIG_HAS_VM_PERCPU -DLT_PERCPU_BYTES=$usable
cc "$tmp/stray.o" "$LT_SRC/kern-stray.c" -fdata-sections
cc "$tmp/overaligned.o" "$LT_SRC/kern-overaligned.c" -DCONFIG_HAS_VM_PERCPU

# expect_fail NAME LINKER "grep -E pattern"... -- link args
expect_fail() { local name=$1 l=$2; shift 2; local pats=()
	while [ "$1" != -- ]; do pats+=("$1"); shift; done; shift
	if ld_with $l "$@" -o "$tmp/out.elf" > "$tmp/err" 2>&1; then
		bad "$name: the link with $l succeeded"; return
	fi
	for p in "${pats[@]}"; do
		grep -Eq -- "$p" "$tmp/err" || { bad "$name ($l): no message matching /$p/ in:"; cat "$tmp/err"; }
	done
	echo "$name ($l): $(grep -Em1 -- "${pats[0]}" "$tmp/err" | cut -c1-150)"
}

# Data 16 bytes into the guard page (the stride's last): the assertion, and
# the overlap with the marker at the guard page's start, whose address range
# gives both sizes.  The guard page is below the window's end, so the marker
# always has an address.
guard=$(printf '0x%X' $(( $(hexval $PERCPU_BASE) + usable )))
big_end=$(printf '0x%X' $(( $(hexval $PERCPU_BASE) + usable + 16 - 1 )))
over_stride_ranges=("$(printf '%s' "$big_end" | tr 'A-F' 'a-f' | sed 's/^0x//')|$big_end"
		    "$(printf '%s' "$guard" | tr 'A-F' 'a-f' | sed 's/^0x//')|$guard")
for l in bfd lld; do
	expect_fail over-stride $l \
		'per-CPU data .* reaches into the guard page at the end of the per-CPU stride' \
		"${over_stride_ranges[@]}" \
		-- $LT_LPATH -T kernel-i386.lds "$tmp/big.o" "$tmp/offsets.o"
	expect_fail overaligned $l 'aligned beyond a page' \
		-- $LT_LPATH -T kernel-i386.lds "$tmp/overaligned.o" "$tmp/offsets.o"
	expect_fail stray-percpu-global $l "global symbol named 'percpu' is inside the per-CPU section" \
		-- $LT_LPATH -T kernel-i386.lds "$tmp/stray.o"
	expect_fail stray-percpu-module $l "module defines a global symbol named 'percpu'" \
		-- -r $LT_LPATH -T module.lds "$tmp/stray.o"
done

# Modules: .data.percpu + .bss.percpu may take the stride less its last
# page (the guard the runtime never hands out, contract.h's size), not a
# byte more.
limit=$usable
for n in $limit $((limit + 1)); do
	printf '.section .data.percpu,"aw"\n.long 1\n.section .bss.percpu,"aw",@nobits\n.skip %d\n' \
		$((n - 4)) > "$tmp/mod-$n.s"
	$CC -m32 -c "$tmp/mod-$n.s" -o "$tmp/mod-$n.o" || die "mod-$n.s"
done
for l in bfd lld; do
	ld_with $l -r $LT_LPATH -T module.lds -o "$tmp/mod-limit.o" "$tmp/mod-$limit.o" ||
		bad "module of stride - $CONTRACT_GUARD_SIZE bytes of per-CPU data: the link with $l failed"
	expect_fail module-over-guard $l \
		"module.lds: the module's per-CPU data \(.data.percpu \+ .bss.percpu\) is larger than the per-CPU stride less its 4 KiB guard page" \
		-- -r $LT_LPATH -T module.lds "$tmp/mod-$((limit + 1)).o"
done

# The hosted scripts refuse the stray global too (x86-64 user space).
printf 'int percpu = 1;\nint main(void) { return percpu - 1; }\n' > "$tmp/stray-hosted.c"
$CC -O2 -fdata-sections -mcmodel=large -fno-pie -c "$tmp/stray-hosted.c" -o "$tmp/stray-hosted.o" || die "stray-hosted.c"
for script in "$top_builddir/ldscripts/percpu-hosted.lds" "$top_srcdir/ldscripts/percpu-hosted-classic.lds"; do
	if $CC -no-pie -Wl,-T,"$script" "$tmp/stray-hosted.o" -o "$tmp/stray-hosted" > "$tmp/err" 2>&1; then
		bad "$(basename "$script"): a -fdata-sections global named percpu linked"
	elif ! grep -q "global symbol named 'percpu' is inside the per-CPU section" "$tmp/err"; then
		bad "$(basename "$script"): unexpected failure:"; cat "$tmp/err"
	else
		echo "stray-percpu-hosted ($(basename "$script")): $(grep -m1 "percpu'" "$tmp/err" | cut -c1-120)"
	fi
done

# A misaligned base: a configuration of our own, found first on the path.
mkdir -p "$tmp/cfg"
sed 's/^PERCPU_BASE = .*/PERCPU_BASE = 0xC0000800;/' "$top_builddir/ldscripts/percpu-config.lds" > "$tmp/cfg/percpu-config.lds"
grep -q 'PERCPU_BASE = 0xC0000800;' "$tmp/cfg/percpu-config.lds" || die "could not write a misaligned configuration"
for l in bfd lld; do
	expect_fail misaligned-base $l 'PERCPU_BASE is not page aligned' \
		-- -L "$tmp/cfg" $LT_LPATH -T kernel-i386.lds "$tmp/main.o" "$tmp/good.o" "$tmp/offsets.o" "$tmp/cpu.o"
done

# The same objects without the faults link: the failures above are the
# assertions', not something else in the fixtures.  Data filling the
# stride exactly up to its guard page links too.
for l in bfd lld; do
	ld_with $l $LT_LPATH -T kernel-i386.lds -o "$tmp/ok.elf" "$tmp/fits.o" "$tmp/offsets.o" ||
		bad "per-CPU data of exactly the stride less its guard page does not link with $l"
	[ $(( 0x$(sym "$tmp/ok.elf" __per_cpu_end) - 0x$(sym "$tmp/ok.elf" __per_cpu_start) )) -eq $usable ] ||
		bad "$l: the per-CPU data filling the stride is not $usable bytes"
	ld_with $l $LT_LPATH -T kernel-i386.lds -o "$tmp/ok.elf" "$tmp/main.o" "$tmp/good.o" "$tmp/offsets.o" "$tmp/cpu.o" ||
		bad "the good kernel does not link with $l"
	cc "$tmp/stray-ok.o" "$LT_SRC/kern-stray.c"
	ld_with $l $LT_LPATH -T kernel-i386.lds -o "$tmp/ok.elf" "$tmp/stray-ok.o" ||
		bad "a global named percpu in .data (no -fdata-sections) is refused by $l"
done
exit $fail
