#!/usr/bin/env bash
# Fetches the kernel trees kcheck runs against: Debian's linux-source-X.Y
# packages, reduced to the few files kcheck reads.
#
#   kernel/fetch.sh CACHE VERSION...      e.g. kernel/fetch.sh build/ksrc-cache 6.12 6.1
#
# For each version CACHE/linux-source-X.Y/ ends up holding Makefile (the
# version) and drivers/vfio/{vfio_iommu_type1.c,vfio.h}; nothing is done
# when they are there already.  The package comes from the apt cache if it
# is there, else from "apt-get download" (as root; otherwise the command to
# run is printed and the script fails).  The package and its 150 MB source
# tarball are deleted once the files are out.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 CACHE VERSION..." >&2; exit 2; }
cache=$1
shift
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

files=(Makefile drivers/vfio/vfio_iommu_type1.c drivers/vfio/vfio.h)

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
	apt-get install -y "${missing[@]}" >/dev/null
}

# fetch_deb VERSION DIR: leaves linux-source-VERSION_*.deb in DIR.
fetch_deb() {
	local v=$1 dir=$2 pkg=linux-source-$1 deb
	for deb in /var/cache/apt/archives/"${pkg}"_*.deb; do
		if [ -f "$deb" ]; then
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
	echo "kcheck: downloading $pkg"
	if ! (cd "$dir" && apt-get download "$pkg" >/dev/null 2>&1); then
		apt-get update >/dev/null
		(cd "$dir" && apt-get download "$pkg" >/dev/null)
	fi
}

for v in "$@"; do
	tree=$cache/linux-source-$v
	have_tree "$tree" && continue
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
done
