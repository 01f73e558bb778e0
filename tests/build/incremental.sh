#!/bin/bash
# tests/build/incremental.sh: the freestanding objects (the i386 runtime and
# glue archives, the demo kernels and modules) are rebuilt one by one.
# Nothing is touched: make is asked what it would remake (-n --debug=b) if
# one file were newer than everything else (-W), on the built tree.
#  1. with nothing changed, every freestanding target is up to date;
#  2. a kernel source (smp.c): its object in each paging flavour, and the
#     four kernels that link it, nothing else;
#  3. a kernel header that a single kernel source includes: that source's
#     objects and the kernels, nothing else;
#  4. percpu.h: exactly the objects whose compiler-written dependencies
#     (<object>.d) name it, and not the others;
#  5. a runtime source: its object, the runtime archive and the kernels;
#  6. a module source: its object and its two links, nothing else.
set -u
source "$top_builddir/tests/test-env.sh"
cd "$top_builddir" || exit 1
fail=0
err() { echo "incremental.sh: $*" >&2; fail=1; }

# The make that built the tree (configure checked it is GNU make), without
# the flags of the make running this test (jobserver, -k, variables).
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES "${MAKE:-make}" "$@"; }
# A variable of the generated Makefile, as make expands it.
mkvar() { printf 'pcpu-incremental-print:\n\t@echo $(%s)\n' "$1" |
	mk -s -f Makefile -f - pcpu-incremental-print; }
# srcdir as the Makefile names it: -W must name a file the way the rules do.
srcdir=$(mkvar srcdir)

kernels=
modules=
if [ "$PERCPU_DEMO" = yes ]; then
	kernels=$(mkvar DEMO_KERNELS)
	modules=$(mkvar DEMO_MODULE_OBJS)
fi
archives="runtime/libpercpu-runtime-i386.a kernel-glue/libpercpu-glue-i386.a"
targets="$archives $kernels $modules"

if ! mk -q $targets; then
	echo "incremental.sh: the freestanding targets are not up to date; run make first" >&2
	mk -q -n --debug=b $targets 2>&1 | grep 'Must remake' >&2
	exit 1
fi

# remade FILE: the targets make would remake were FILE newer, one a line.
remade() {
	mk -n --debug=b -W "$1" $targets 2>&1 |
		sed -n "s/^ *Must remake target '\(.*\)'\.\$/\1/p" | sort -u
}
lines() { tr ' ' '\n' | sed '/^$/d' | sort -u; }
# expect WHAT FILE EXPECTED...: make would remake exactly EXPECTED.
expect() {
	local what=$1 file=$2
	shift 2
	local got want
	got=$(remade "$file")
	want=$(echo "$@" | lines)
	if [ "$got" != "$want" ]; then
		err "$what ($file): make would remake"
		diff <(echo "$want") <(echo "$got") | sed -n 's/^</  missing:/p; s/^>/  extra:/p' >&2
	fi
}

if [ "$PERCPU_DEMO" = yes ]; then
	expect "a kernel source" "$srcdir/examples/kernel/smp.c" \
		examples/kernel/2level/smp.o examples/kernel/pae/smp.o $kernels

	# A header exactly one kernel C file includes (by name, from the source
	# text: the expectation does not come from the .d files under test).
	single=
	for h in "$srcdir"/examples/kernel/*.h; do
		users=$(grep -l "^#include \"$(basename "$h")\"" \
			"$srcdir"/examples/kernel/*.[chS] "$srcdir"/examples/modules/*.c)
		if [ "$(echo "$users" | wc -l)" -eq 1 ] && [ "${users%.c}" != "$users" ]; then
			single=$h
			break
		fi
	done
	if [ -z "$single" ]; then
		err "no kernel header has a single user: pick another header for check 3"
	else
		user=$(basename "$users" .c)
		expect "a header of one source" "$single" \
			"examples/kernel/2level/$user.o" "examples/kernel/pae/$user.o" $kernels
	fi

	m=$(mkvar DEMO_MODULES | lines | head -n 1)
	expect "a module source" "$srcdir/examples/modules/$m.c" \
		"examples/modules/obj/$m.o" "examples/modules/bfd/$m.o" "examples/modules/lld/$m.o"
fi

expect "a runtime source" "$srcdir/runtime/mem.c" \
	runtime/i386/mem.o runtime/libpercpu-runtime-i386.a $kernels

# percpu.h: the compiled objects make would remake (not the archives and
# links) are exactly those whose dependency files name it; there are some
# in the glue (and the demo kernel), and some that do not include it.
percpu_h="$srcdir/kernel-glue/include/percpu-vm/percpu.h"
objects="$(mkvar RUNTIME_I386_OBJECTS) $(mkvar GLUE_I386_OBJECTS)"
[ "$PERCPU_DEMO" = yes ] && objects="$objects $(mkvar DEMO_KERNEL_2LEVEL_OBJS)
	$(mkvar DEMO_KERNEL_PAE_OBJS) $(mkvar DEMO_MODULE_COMPILED)"
users=
for o in $objects; do
	[ -f "${o%.o}.d" ] || { err "${o%.o}.d: missing (the object's dependencies)"; continue; }
	# (make and GCC may name it with or without a leading ./ in-tree)
	tr ' \\' '\n\n' <"${o%.o}.d" | sed 's,^\./,,' | grep -Fxq "${percpu_h#./}" &&
		users="$users $o"
done
users=$(echo "$users" | lines)
compiled=$(remade "$percpu_h" | grep '\.o$' | grep -v '^examples/modules/\(bfd\|lld\)/')
[ "$compiled" = "$users" ] ||
	err "percpu.h: make would recompile [$(echo $compiled)], the .d files name [$(echo $users)]"
grep -q '^kernel-glue/i386/' <<<"$users" || err "percpu.h: no glue object depends on it"
if [ "$PERCPU_DEMO" = yes ]; then
	grep -q '^examples/kernel/pae/' <<<"$users" || err "percpu.h: no kernel object depends on it"
	grep -q '^examples/kernel/2level/boot.o$' <<<"$compiled" && err "percpu.h: boot.o would be rebuilt"
fi
grep -q '^runtime/i386/mem.o$' <<<"$compiled" && err "percpu.h: runtime/i386/mem.o would be rebuilt"

exit $fail
