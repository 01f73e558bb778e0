#!/usr/bin/env bash
# prepare-source.sh: the patched Linux tree at <builddir>/linux/src.
#
#   prepare-source.sh TARBALL PATCHDIR SRCDIR
#
# Extracts Debian's linux-source-6.1 tarball (TARBALL) into SRCDIR and applies
# PATCHDIR/*.patch in name order.  The tree is cached: SRCDIR/.percpu-vm/
# keeps a copy of the series it carries and the tarball's identity, so
#  - same tarball, same series: nothing is done (the kernels' O= folders
#    stay up to date and rebuild nothing);
#  - same tarball, another series: the old series is reversed from its kept
#    copy and the new one applied, so only the files the patches touch get
#    new times and an incremental build recompiles only what they affect;
#  - another tarball, or a tree that no longer reverses cleanly: extracted
#    afresh.
# A patch that does not apply stops the script with its name; the tree is
# then left marked as carrying no series, so the next run starts afresh.
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 TARBALL PATCHDIR SRCDIR" >&2; exit 2; }
tarball=$1 patchdir=$2 src=$3

[ -f "$tarball" ] || {
	echo "prepare-source: $tarball: no such file (Debian package linux-source-6.1; configure --with-linux-source=FILE)" >&2
	exit 1
}
command -v patch >/dev/null || { echo "prepare-source: 'patch' not found (Debian package patch)" >&2; exit 1; }

state=$src/.percpu-vm
tar_id=$(stat -c '%n %s %Y' "$tarball")
shopt -s nullglob
patches=("$patchdir"/*.patch)
shopt -u nullglob

series_sum() { # the series a folder holds, as one checksum over names and contents
	local d=$1 f
	for f in "$d"/*.patch; do
		[ -f "$f" ] || continue
		printf '%s\n' "$(basename "$f")"
		cat "$f"
	done | sha256sum | cut -d' ' -f1
}

extract() {
	echo "prepare-source: extracting $tarball into $src"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
	mkdir -p "$src.tmp/.percpu-vm/applied"
	printf '%s\n' "$tar_id" > "$src.tmp/.percpu-vm/tarball"
	mv "$src.tmp" "$src"
}

# Reverse the patches the tree carries from the first one that is not the
# new series' patch at the same place (same name, same text); false if they
# do not reverse cleanly.  The patches before it stay applied.
unapply() {
	local applied=("$state"/applied/*.patch) i keep=0
	[ -e "${applied[0]}" ] || return 0
	while [ $keep -lt ${#applied[@]} ] && [ $keep -lt ${#patches[@]} ] &&
		[ "$(basename "${applied[keep]}")" = "$(basename "${patches[keep]}")" ] &&
		cmp -s "${applied[keep]}" "${patches[keep]}"; do
		keep=$((keep + 1))
	done
	for ((i = ${#applied[@]} - 1; i >= keep; i--)); do
		echo "prepare-source: reversing $(basename "${applied[i]}")"
		patch -d "$src" -p1 -R -s --batch --no-backup-if-mismatch < "${applied[i]}" || return 1
		rm -f "${applied[i]}"
	done
}

if [ ! -f "$state/tarball" ] || [ "$(cat "$state/tarball")" != "$tar_id" ]; then
	extract
elif [ "$(series_sum "$state/applied")" = "$(series_sum "$patchdir")" ] && [ -f "$state/complete" ]; then
	exit 0
else
	rm -f "$state/complete"
	unapply || extract
fi

rm -f "$state/complete"
for p in "${patches[@]}"; do
	cmp -s "$p" "$state/applied/$(basename "$p")" && continue # kept by unapply
	echo "prepare-source: applying $(basename "$p")"
	if ! patch -d "$src" -p1 -s -N --batch --no-backup-if-mismatch < "$p"; then
		echo "prepare-source: $p does not apply to $src (the tree is re-extracted on the next run)" >&2
		rm -f "$state/tarball"
		exit 1
	fi
	cp "$p" "$state/applied/"
done
touch "$state/complete"
