#!/bin/bash
# percpu.lds in zero-based mode (PERCPU_LAYOUT_ZERO_BASED = 1, Linux 6.1
# x86-64's layout), through the test's own kernel-zero-based.lds and
# objects compiled by the plugin: GNU ld and ld.lld give the same layout;
# .data.percpu is linked at 0 and loaded in the image at __per_cpu_load
# (physical: less the image's offset); __per_cpu_start is 0, __per_cpu_end
# the section's size; every per-CPU symbol's value is its offset, and the
# code's %gs displacement is that offset; .data/.bss stay in the image's
# segment.  Then the checks under both linkers: per-CPU data reaching into
# the guard page (at offset PERCPU_STRIDE - 4096) fails with the guard-page
# message and the marker's address, data exactly up to it links; an object
# aligned beyond a page fails; classic and zero-based both set fails; a
# .data..percpu..first object (Linux's DECLARE_PER_CPU_FIRST) is at 0.
. "$top_srcdir/tests/linker/lib.sh"
plugin=$top_builddir/plugin/percpu_plugin.so
[ -f "$plugin" ] || die "$plugin not built"
lt_arch x86_64
script=$LT_SRC/kernel-zero-based.lds
virt=$(hexval 0xffffffff80000000)
usable=$(( $(hexval $PERCPU_STRIDE) - CONTRACT_GUARD_SIZE ))
pcc() { local out=$1; shift
	$PLUGIN_GCC $LT_CFLAGS $LT_INC -DCONFIG_HAS_VM_PERCPU -fplugin="$plugin" "$@" \
		-c "$LT_SRC/kern-zero-based.c" -o "$out" || die "cannot compile kern-zero-based.c $*"; }
# link LINKER OUT OBJS...: with the zero-based script
link() { local l=$1 out=$2; shift 2; ld_with $l $LT_LPATH -T "$script" -o "$out" "$@"; }

pcc "$tmp/zb.o"
for l in bfd lld; do
	link $l "$tmp/k-$l.elf" "$tmp/zb.o" > "$tmp/ld.out" 2>&1 || { cat "$tmp/ld.out"; die "link with $l failed"; }
	[ -s "$tmp/ld.out" ] && { cat "$tmp/ld.out"; bad "link with $l printed warnings"; }
	layout "$tmp/k-$l.elf" > "$tmp/k-$l.layout"
done
diff -u "$tmp/k-bfd.layout" "$tmp/k-lld.layout" || bad "GNU ld and ld.lld layouts differ (- GNU ld, + ld.lld)"

for l in bfd lld; do
	k=$tmp/k-$l.elf
	start=$(hexval $(sym $k __per_cpu_start)); end=$(hexval $(sym $k __per_cpu_end))
	load=$(hexval $(sym $k __per_cpu_load)); size=$(hexval $(sym $k __per_cpu_size))
	text=$(hexval $(sym $k _start)); data=$(hexval $(sym $k zb_data))
	[ $start -eq 0 ] || bad "$l: __per_cpu_start $start, want 0"
	read -r vma secsize <<< "$("$READELF" -SW $k | sed -n 's/^ *\[ *[0-9]*\] //p' | awk '$1 == ".data.percpu" { print $3, $5 }')"
	[ "$vma" = 0000000000000000 ] || bad "$l: .data.percpu at $vma, want 0"
	[ $end -eq $(hexval $secsize) ] && [ $size -eq $end ] ||
		bad "$l: __per_cpu_end $end, __per_cpu_size $size, .data.percpu $((0x$secsize)) bytes"
	[ $((load % 4096)) -eq 0 ] && [ $load -gt $text ] && [ $load -lt $data ] ||
		bad "$l: __per_cpu_load $(printf '%#x' $load) not a page in the image between .text and .data"
	# the per-CPU segment: virtual 0, loaded at __per_cpu_load's physical address
	seg=$("$READELF" -lW $k | awk -v s=$(addr 0) '$1 == "LOAD" && $3 == s { print $4 }')
	[ -n "$seg" ] && [ $(hexval $seg) -eq $((load - virt)) ] ||
		bad "$l: no LOAD segment at 0 loaded at __per_cpu_load less the offset (got '$seg')"
	# every other segment is loaded at its address less the offset
	"$READELF" -lW $k | awk '$1 == "LOAD" && $3 != "'$(addr 0)'" { print $3, $4 }' | while read -r va pa; do
		[ $(($(hexval $va) - virt)) -eq $(hexval $pa) ] || exit 1
	done || bad "$l: a segment other than the per-CPU one is not loaded at its address less the offset"
	"$READELF" -lW $k | sed -n '/Section to Segment/,$p' | grep -q 'data.percpu.*\.\(bss\|data\)\b' &&
		bad "$l: .data or .bss put into the per-CPU segment"
	# every per-CPU variable's value is its offset: inside [0, size), the
	# page-aligned one first; ordinary data outside
	for v in zb_counter zb_array zb_zero zb_mostly zb_page; do
		a=$(sym $k $v); [ -n "$a" ] && [ $(hexval $a) -lt $end ] || bad "$l: $v at '$a', not an offset in [0, $end)"
	done
	[ $(hexval $(sym $k zb_page)) -eq 0 ] || bad "$l: page-aligned per-CPU object not at offset 0"
	[ $(hexval $(sym $k zb_zero)) -ge $(hexval $(sym $k __per_cpu_data_end)) ] || bad "$l: zb_zero not in the zero part"
	# the code's %gs displacement is the variable's offset
	want=$(printf '%%gs:0x%x' $(hexval $(sym $k zb_counter)))
	objdump -d $k | grep -q "incl *$want\$" || bad "$l: _start does not increment $want"
	n=$("$READELF" -nW $k | grep -c 'percpu-vm')
	[ "$n" = 1 ] || bad "$l: $n stride notes, want 1"
	echo "$l: per-CPU [0, $(printf '%#x' $end)), template at $(printf '%#x' $load), segment loaded at $seg"
done

# expect_fail NAME LINKER PATTERN... -- OBJS: the link fails, its output
# matching every pattern.
expect_fail() { local name=$1 l=$2; shift 2; local pats=()
	while [ "$1" != -- ]; do pats+=("$1"); shift; done; shift
	if link $l "$tmp/out.elf" "$@" > "$tmp/err" 2>&1; then
		bad "$name: the link with $l succeeded"; return
	fi
	for p in "${pats[@]}"; do
		grep -Eq -- "$p" "$tmp/err" || { bad "$name ($l): no message matching /$p/ in:"; cat "$tmp/err"; }
	done
	echo "$name ($l): $(grep -Em1 -- "${pats[0]}" "$tmp/err" | cut -c1-150)"
}

# Linux's DECLARE_PER_CPU_FIRST: a .data..percpu..first object goes before
# everything, the read-mostly data included (x86-64's fixed_percpu_data:
# the canary at %gs:40 must be at offset 0).
pcc "$tmp/zb-first.o" -DZB_FIRST
for l in bfd lld; do
	link $l "$tmp/first-$l.elf" "$tmp/zb-first.o" > "$tmp/err" 2>&1 || { cat "$tmp/err"; bad "$l: the link with a .data..percpu..first object failed"; continue; }
	[ "$(hexval $(sym "$tmp/first-$l.elf" zb_first))" -eq 0 ] &&
		[ "$(hexval $(sym "$tmp/first-$l.elf" zb_mostly))" -gt 0 ] ||
		bad "$l: the .data..percpu..first object at $(sym "$tmp/first-$l.elf" zb_first), the read-mostly one at $(sym "$tmp/first-$l.elf" zb_mostly): want the first at 0"
done

# The guard page: the per-CPU data with zb_big may take PERCPU_USABLE
# bytes and no more.  rest = what the other per-CPU data takes beside
# zb_big (measured with a small one; the sizes add up, all 32-byte aligned;
# small enough for the smallest stride's one usable page).
pcc "$tmp/zb-small.o" -DZB_BIG_BYTES=32
link bfd "$tmp/small.elf" "$tmp/zb-small.o" || die "link with a 32-byte zb_big"
rest=$(( $(hexval $(sym "$tmp/small.elf" __per_cpu_size)) - 32 ))
pcc "$tmp/zb-fits.o" -DZB_BIG_BYTES=$((usable - rest))
pcc "$tmp/zb-big.o" -DZB_BIG_BYTES=$((usable - rest + 32))
# the marker's address in the linkers' messages: PERCPU_USABLE, in hex
guard_hex=$(printf '%x' $usable)
guard_re="(0x0*|\[0*)(${guard_hex}|$(echo $guard_hex | tr a-f A-F))([^0-9a-fA-F]|\$)"
printf '.section .data.percpu,"aw"\n.balign 8192\n.long 1\n' > "$tmp/overaligned.s"
$CC -m64 -c "$tmp/overaligned.s" -o "$tmp/overaligned.o" || die "overaligned.s"
sed 's/^PERCPU_LAYOUT_ZERO_BASED = 1;/&\nPERCPU_LAYOUT_CLASSIC = 1;/' "$script" > "$tmp/both.lds"
for l in bfd lld; do
	link $l "$tmp/fits.elf" "$tmp/zb-fits.o" > "$tmp/err" 2>&1 || { cat "$tmp/err"; bad "data of exactly PERCPU_USABLE bytes: the link with $l failed"; }
	[ "$(hexval $(sym "$tmp/fits.elf" __per_cpu_size))" -eq $usable ] ||
		bad "$l: the fitting data is $(sym "$tmp/fits.elf" __per_cpu_size) bytes, not PERCPU_USABLE ($usable)"
	expect_fail over-guard $l \
		'per-CPU data .* reaches into the guard page at the end of the per-CPU stride' \
		'\.percpu\.stride_check' "$guard_re" -- "$tmp/zb-big.o"
	expect_fail overaligned $l 'aligned beyond a page' -- "$tmp/zb.o" "$tmp/overaligned.o"
	script=$tmp/both.lds
	expect_fail classic-and-zero-based $l 'PERCPU_LAYOUT_CLASSIC and PERCPU_LAYOUT_ZERO_BASED are both set' -- "$tmp/zb.o"
	script=$LT_SRC/kernel-zero-based.lds
done
exit $fail
