#!/bin/bash
# tests/plugin/same-outcome.sh: the plugin never makes a unit fail that
# compiles without it, nor makes a failing unit compile.
#   - const per-CPU variables: GCC gives a section's variables one set of
#     flags (read-only or writable), so moving zero-initialised variables
#     to .bss.percpu could create or resolve a "section type conflict";
#     each unit below must compile with the plugin (mode=lower and
#     mode=check) exactly when it compiles without, and where it compiles
#     its variables are where the docs say;
#   - foreign code with its own __per_cpu_offset (no attribute) compiles
#     with the plugin, also under -Werror with unmarked-table=silent.
. "$top_srcdir/tests/plugin/plugin-lib.sh"

# unit NAME: one of the units, on stdout.  Each defines the variables it
# names and reads them all (so -O2 keeps them).  "by hand" is a variable
# its author put in .bss.percpu himself.
unit () {
	echo '#include <percpu-vm/percpu.h>'
	echo 'static int target;'
	echo '#define BY_HAND(type, name) __attribute__((section(".bss.percpu"))) type name'
	case $1 in
	const0-writable0) echo 'DEFINE_PER_CPU(const int, a); DEFINE_PER_CPU(int, b);' ;;
	writable0-const0) echo 'DEFINE_PER_CPU(int, a); DEFINE_PER_CPU(const int, b) = 0;' ;;
	const5-writable0) echo 'DEFINE_PER_CPU(const int, a) = 5; DEFINE_PER_CPU(int, b);' ;;
	writable1-const0) echo 'DEFINE_PER_CPU(int, a) = 1; DEFINE_PER_CPU(const int, b);' ;;
	constptr-writable0) echo 'DEFINE_PER_CPU(int *const, a) = &target; DEFINE_PER_CPU(int, b);' ;;
	const0-writable-by-hand) echo 'DEFINE_PER_CPU(const int, a); BY_HAND(int, b);' ;;
	writable0-const-by-hand) echo 'DEFINE_PER_CPU(int, a); BY_HAND(const int, b);' ;;
	const0-const3) echo 'DEFINE_PER_CPU(const int, a); DEFINE_PER_CPU(const int, b) = 3;' ;;
	writable0-writable3) echo 'DEFINE_PER_CPU(int, a); DEFINE_PER_CPU(int, b) = 3;' ;;
	esac
	echo 'long get(unsigned c) { return (long)per_cpu(a, c) + per_cpu(b, c) + target; }'
}

# Where `a` is with the plugin in mode=lower, for the units that compile:
# zero-initialised a moves to .bss.percpu only when every variable of the
# unit in .data.percpu and .bss.percpu is alike (all const or all
# writable).
where_a () {
	case $1 in
	const0-writable-by-hand|writable0-const-by-hand) echo .data.percpu ;;
	const0-const3|writable0-writable3) echo .bss.percpu ;;
	esac
}

units="const0-writable0 writable0-const0 const5-writable0 writable1-const0
	constptr-writable0 const0-writable-by-hand writable0-const-by-hand
	const0-const3 writable0-writable3"

# compiles GCC FLAGS... : 0 or 1, and nothing else on stdout.
compiles () {
	local gcc=$1; shift
	if $gcc "$@" >/dev/null 2>&1; then echo 1; else echo 0; fi
}

P=-fplugin-arg-percpu_plugin
while read -r gcc so; do
	tag=$(basename "$gcc")
	for u in $units; do
		unit $u >"$plugin_tmp/$u.c"
		for arch in "i386:$PLUGIN_TEST_I386" "x86_64-fPIC:-fPIC"; do
			for opt in -O0 -O2; do
				flags="${arch#*:} $opt -fchecking -DCONFIG_HAS_VM_PERCPU $PLUGIN_TEST_INCLUDES -c $plugin_tmp/$u.c"
				what="$u (${arch%%:*} $opt)"
				without=$(compiles $gcc $flags -o "$plugin_tmp/without.o")
				for mode in lower check; do
					with=$(compiles $gcc $flags -fplugin="$so" $P-mode=$mode -o "$plugin_tmp/$mode.o")
					if [ "$with" = "$without" ]; then
						pass "$tag: $what mode=$mode: $([ $with = 1 ] && echo compiles || echo fails), as without the plugin"
					else
						fail "$tag: $what mode=$mode: $([ $with = 1 ] && echo compiles || echo fails) with the plugin, $([ $without = 1 ] && echo compiles || echo fails) without"
					fi
				done
				want=$(where_a $u)
				[ "$without" = 1 ] && [ -n "$want" ] || continue
				got=$(section_of "$plugin_tmp/lower.o" a)
				[ "$got" = "$want" ] && pass "$tag: $what: a is in $got" \
					|| fail "$tag: $what: a is in '$got', want $want"
			done
		done
	done

	# Foreign code: its own offset table, no attribute, an "accessor" of
	# a plain array.  Compiles with the plugin in both modes (warnings
	# allowed); with unmarked-table=silent also under -Werror, silently.
	cat >"$plugin_tmp/foreign.c" <<'C'
unsigned long __per_cpu_offset[4];
int slots[4];
int *slot_of(unsigned cpu) { return (int *)((unsigned long)&slots + __per_cpu_offset[cpu]); }
C
	flags="-O2 -fchecking -Wall -c $plugin_tmp/foreign.c -o $plugin_tmp/foreign.o"
	[ "$(compiles $gcc $flags -Werror)" = 1 ] || fail "$tag: foreign.c: does not compile without the plugin"
	for mode in lower check; do
		[ "$(compiles $gcc $flags -fplugin="$so" $P-mode=$mode)" = 1 ] \
			&& pass "$tag: foreign.c mode=$mode: compiles, as without the plugin" \
			|| fail "$tag: foreign.c mode=$mode: fails with the plugin"
		if out=$($gcc $flags -Werror -fplugin="$so" $P-mode=$mode $P-unmarked-table=silent 2>&1) && [ -z "$out" ]; then
			pass "$tag: foreign.c mode=$mode unmarked-table=silent: compiles under -Werror, silently"
		else
			fail "$tag: foreign.c mode=$mode unmarked-table=silent -Werror: $out"
		fi
	done
done < <(plugin_compilers)
finish
