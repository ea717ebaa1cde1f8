#!/usr/bin/env bash
# Fetches the kernel trees kcheck runs against: Debian's linux-source-X.Y
# packages, reduced to the few files kcheck reads.
#
#   kernel/fetch.sh [--for WHY] CACHE VERSION...
#       e.g. kernel/fetch.sh --for "make kcheck's default trees" ~/.cache/vfiosim 6.12 6.1
#
# For each version CACHE/linux-source-X.Y/ ends up holding the files
# kernel/ksrc.sh lists (Makefile, drivers/vfio/{vfio_iommu_type1.c,vfio.h});
# nothing is done when they are there already.  A tree left in the clone's
# build/ksrc-cache by an older vfiosim is moved over.  Otherwise the package
# comes from the apt cache if it is there, else from "apt-get download" (as
# root; otherwise the command to run is printed and the script fails).  Every
# download says what, why and how big; the package and its 150 MB source
# tarball are deleted once the files are out.  WHY names what needs the tree.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
why="the kernel backend"
if [ "${1:-}" = --for ]; then
	[ $# -ge 2 ] || { echo "usage: $0 [--for WHY] CACHE VERSION..." >&2; exit 2; }
	why=$2
	shift 2
fi
[ $# -ge 2 ] || { echo "usage: $0 [--for WHY] CACHE VERSION..." >&2; exit 2; }
cache=$1
shift
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
legacy=$(cd "$here/.." && pwd)/build/ksrc-cache

mapfile -t files < <("$here/ksrc.sh" files)

have_tree() {
	local f
	for f in "${files[@]}"; do
		[ -f "$1/$f" ] || return 1
	done
}

need_tools() {
	local missing=()
	command -v dpkg-deb >/dev/null || missing+=(dpkg)
	command -v xz >/dev/null || missing+=(xz-utils)
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "kcheck: missing tools; run: apt-get install ${missing[*]}" >&2
		exit 1
	fi
	echo "kcheck: apt-get install ${missing[*]} (to unpack Debian's kernel source package)"
	apt-get install -y "${missing[@]}" >/dev/null
}

# pkg_size PKG: the package's download size as "~N MB", empty if apt does
# not know it.
pkg_size() {
	local bytes
	bytes=$(apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n 's/^Size: //p' | head -n 1)
	[ -n "$bytes" ] && echo "~$(( (bytes + 500000) / 1000000 )) MB"
	return 0
}

# fetch_deb VERSION DIR: leaves linux-source-VERSION_*.deb in DIR.
fetch_deb() {
	local v=$1 dir=$2 pkg=linux-source-$1 deb size
	for deb in /var/cache/apt/archives/"${pkg}"_*.deb; do
		if [ -f "$deb" ]; then
			echo "kcheck: using $(basename "$deb") from the apt cache for $why"
			cp "$deb" "$dir/"
			return 0
		fi
	done
	if [ "$(id -u)" -ne 0 ]; then
		echo "kcheck: Linux $v sources are not in $cache; as root run:" >&2
		echo "  (cd $dir && apt-get download $pkg)" >&2
		echo "or run 'make kcheck' as root, or give a tree: make kcheck KSRC=/path/to/linux" >&2
		exit 1
	fi
	size=$(pkg_size "$pkg")
	if [ -z "$size" ]; then
		echo "kcheck: apt-get update (the package lists do not know $pkg)"
		apt-get update >/dev/null
		size=$(pkg_size "$pkg")
	fi
	echo "kcheck: downloading $pkg (Debian package, ${size:-size unknown}) for $why;" \
		"kept: ${#files[@]} files in $cache/$pkg"
	if ! (cd "$dir" && apt-get download "$pkg" >/dev/null 2>&1); then
		echo "kcheck: apt-get update (the package lists are out of date), then again"
		apt-get update >/dev/null
		(cd "$dir" && apt-get download "$pkg" >/dev/null)
	fi
}

for v in "$@"; do
	tree=$cache/linux-source-$v
	have_tree "$tree" && continue
	old=$legacy/linux-source-$v
	if [ "$old" != "$tree" ] && have_tree "$old"; then
		echo "kcheck: moving Linux $v's files from $legacy to $cache"
		rm -rf "$tree"
		mkdir -p "$tree"
		(cd "$old" && cp --parents -p "${files[@]}" "$tree/")
		rm -rf "$old"
		rmdir "$legacy" 2>/dev/null || true
		continue
	fi
	need_tools
	work=$(mktemp -d "$cache/.fetch-$v.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	fetch_deb "$v" "$work"
	deb=$(ls "$work"/linux-source-"$v"_*.deb | head -n 1)
	echo "kcheck: extracting Linux $v from $(basename "$deb")"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$work" "./usr/src/linux-source-$v.tar.xz"
	rm -f "$deb"
	members=()
	for f in "${files[@]}"; do
		members+=("linux-source-$v/$f")
	done
	# --occurrence: stop reading the stream once every member was found.
	tar -xJf "$work/usr/src/linux-source-$v.tar.xz" -C "$work" --occurrence "${members[@]}"
	rm -rf "$tree"
	mv "$work/linux-source-$v" "$tree"
	rm -rf "$work"
	trap - EXIT
	have_tree "$tree" || { echo "kcheck: $tree is incomplete" >&2; exit 1; }
	echo "kcheck: Linux $v in $tree ($(du -sk "$tree" | cut -f1) KB kept; package deleted)"
done
