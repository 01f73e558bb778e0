#!/bin/bash
# tests/plugin/check-mode.sh: mode=check (and disable) change nothing in
# the object.  Each unit is compiled without the plugin and with it in
# mode=check and with disable, with the same flags: the objects must be
# the same bytes (so the same sections, symbols, code and no note; the
# zero-initialised per-CPU variables stay in .data.percpu).  With -g the
# DWARF producer string records the command line, plugin flags included,
# so there the objects are compared without their debug sections.
. "$top_srcdir/tests/plugin/plugin-lib.sh"

code="$top_srcdir/tests/plugin/code"

# view OBJ: what a failure shows: sections, symbols, notes.
view () {
	$READELF -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] //p'
	$READELF -sW "$1" | sed 1,3d
	$READELF -nW "$1"
}

# same OBJ_WITHOUT OBJ_WITH WHAT DEBUG: the same bytes; with DEBUG=1 after
# objcopy --strip-debug on both.
same () {
	local a=$1 b=$2
	if [ "$4" = 1 ]; then
		$OBJCOPY --strip-debug "$1" "$1.nodebug" && a=$1.nodebug
		$OBJCOPY --strip-debug "$2" "$2.nodebug" && b=$2.nodebug
	fi
	if cmp -s "$a" "$b"; then
		pass "$tag: $3: the same object as without the plugin"
	else
		fail "$tag: $3: the object differs from the one built without the plugin:"$'\n'"$(diff <(view "$a") <(view "$b"))"
	fi
}

while read -r gcc so; do
	tag=$(basename "$gcc")
	n=0
	for unit in note-a.c report-unit.c asm-access.c percpu-attr-only.c; do
		for build in "i386 VM:$PLUGIN_TEST_I386 -DCONFIG_HAS_VM_PERCPU" \
			     "i386 classic:$PLUGIN_TEST_I386" \
			     "x86_64 VM:-fno-pie -DCONFIG_HAS_VM_PERCPU"; do
			for opt in -O0 -O2 "-O2 -g"; do
				n=$((n + 1)); d="$plugin_tmp/$tag-$n"; mkdir -p "$d"
				debug=0; [ "$opt" = "-O2 -g" ] && debug=1
				flags="${build#*:} $opt -fchecking $PLUGIN_CODE_INCLUDES"
				what="$unit ${build%%:*} $opt"
				$gcc $flags -c "$code/$unit" -o "$d/without.o" ||
					{ fail "$tag: $what: compile without the plugin"; continue; }
				$gcc $flags -fplugin="$so" -fplugin-arg-percpu_plugin-mode=check \
					-c "$code/$unit" -o "$d/check.o" ||
					{ fail "$tag: $what: compile with mode=check"; continue; }
				same "$d/without.o" "$d/check.o" "$what mode=check" $debug
				$gcc $flags -fplugin="$so" -fplugin-arg-percpu_plugin-disable \
					-c "$code/$unit" -o "$d/disable.o" ||
					{ fail "$tag: $what: compile with disable"; continue; }
				same "$d/without.o" "$d/disable.o" "$what disable" $debug
			done
		done
	done
	# Control: mode=lower does change the object (the comparison can fail).
	d="$plugin_tmp/$tag-lower"; mkdir -p "$d"
	flags="$PLUGIN_TEST_I386 -DCONFIG_HAS_VM_PERCPU -O2 -fchecking $PLUGIN_CODE_INCLUDES"
	$gcc $flags -c "$code/note-a.c" -o "$d/without.o" &&
	$gcc $flags -fplugin="$so" -c "$code/note-a.c" -o "$d/lower.o" &&
	[ "$(view "$d/without.o")" != "$(view "$d/lower.o")" ] \
		&& pass "$tag: control: mode=lower changes the object" \
		|| fail "$tag: control: mode=lower left the object as without the plugin"
done < <(plugin_compilers)
finish
