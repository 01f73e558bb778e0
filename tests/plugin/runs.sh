#!/bin/bash
# tests/plugin/runs.sh: programs built with the plugin run correctly.
# code/run-*.c (two units, hosted x86-64, VM mode, its own window) is built
#   - without the plugin at -O0: the reference output;
#   - with it at -O0, -O1, -O2, -O3, -Os, -Og, -O2 -g, and with -flto (the link line
#     without -fplugin, and with it);
#   - as a mix: one unit with the plugin, the other without;
# and every build must print the reference output with no new warning
# (-Wall -Wextra, _FORTIFY_SOURCE=2 when optimising).  Builds where both
# units had the plugin also run with the offset table overwritten by
# garbage ("poison"): they must not care, which proves every table load
# was replaced, at every level and through the LTO link.
. "$top_srcdir/tests/plugin/plugin-lib.sh"

code="$top_srcdir/tests/plugin/code"
base="-Wall -Wextra -no-pie -fno-pie -DCONFIG_HAS_VM_PERCPU $PLUGIN_CODE_INCLUDES -I$code"
link="-Wl,-T,$code/run-window.lds"

# build NAME "FLAGS main" "FLAGS work" "LINK FLAGS": compile and link; a
# warning is a failure.
build () {
	local name=$1 main_flags=$2 work_flags=$3 link_flags=$4 d=$plugin_tmp/$tag
	mkdir -p "$d"
	if ! $gcc $base $main_flags -c "$code/run-main.c" -o "$d/$name-main.o" 2>"$d/$name.err" ||
	   ! $gcc $base $work_flags -c "$code/run-work.c" -o "$d/$name-work.o" 2>>"$d/$name.err" ||
	   ! $gcc $link_flags -no-pie "$d/$name-main.o" "$d/$name-work.o" $link -o "$d/$name" 2>>"$d/$name.err"; then
		fail "$tag: $name: build failed: $(cat "$d/$name.err")"
		return 1
	fi
	if [ -s "$d/$name.err" ]; then
		fail "$tag: $name: warnings: $(cat "$d/$name.err")"
		return 1
	fi
	return 0
}

# check_run NAME [poison]: the program prints the reference output.
check_run () {
	local name=$1 d=$plugin_tmp/$tag out
	out=$("$d/$name" ${2:-} 2>&1)
	if [ $? -eq 0 ] && [ "$out" = "$ref" ]; then
		pass "$tag: $name${2:+ ($2)}: reference output"
	else
		fail "$tag: $name${2:+ ($2)}: output differs:"$'\n'"$out"$'\n'"want:"$'\n'"$ref"
	fi
}

while read -r gcc so; do
	tag=$(basename "$gcc")
	plugin="-fchecking -fplugin=$so"
	build ref "-O0" "-O0" "" || continue
	ref=$("$plugin_tmp/$tag/ref") || { fail "$tag: the reference build fails its own checks"; continue; }
	grep -q "^failures 0$" <<<"$ref" || fail "$tag: reference: $ref"
	# The poison must break a build that reads the table (else it proves nothing).
	# (In a child shell: it is expected to crash, quietly.)
	if bash -c '"$1" poison; exit $?' crash "$plugin_tmp/$tag/ref" >/dev/null 2>&1; then
		fail "$tag: the reference build survives a poisoned table"
	fi

	for opt in -O0 -O1 -O2 -O3 -Os -Og "-O2 -g"; do
		fortify=; [ "$opt" != -O0 ] && fortify=-D_FORTIFY_SOURCE=2
		name=plugin$(echo $opt | tr -d ' ')
		build $name "$opt $fortify $plugin" "$opt $fortify $plugin" "$opt" &&
			{ check_run $name; check_run $name poison; }
	done

	lto="-O2 -flto -D_FORTIFY_SOURCE=2"
	if build lto "$lto $plugin" "$lto $plugin" "-O2 -flto"; then
		check_run lto; check_run lto poison
		$READELF -nW "$plugin_tmp/$tag/lto" | grep -q "percpu-vm" \
			&& pass "$tag: lto: the note reached the LTO link" \
			|| fail "$tag: lto: no .note.percpu in the linked program"
	fi
	if build lto-plugin-link "$lto $plugin" "$lto $plugin" "-O2 -flto -fplugin=$so"; then
		check_run lto-plugin-link; check_run lto-plugin-link poison
	fi

	build mix1 "-O2 $plugin" "-O2" "-O2" && check_run mix1
	build mix2 "-O2" "-O2 $plugin" "-O2" && check_run mix2
	build mix-lto "$lto $plugin" "$lto" "-O2 -flto" && check_run mix-lto
done < <(plugin_compilers)
finish
