#!/usr/bin/env bash
# What the build knows about a kernel source tree (kernel/README.md), in one
# place for kernel/kernel.mk, fuzz/fuzz.mk, bench/bench.mk and the scripts:
#
#   kernel/ksrc.sh cache              the directory fetched trees are kept in:
#                                     $VFIOSIM_KSRC_CACHE, else
#                                     $XDG_CACHE_HOME/vfiosim, else ~/.cache/vfiosim
#   kernel/ksrc.sh files              the files of a tree the build reads
#   kernel/ksrc.sh tree X.Y WHY       the cached Debian tree of Linux X.Y, fetched
#                                     first if missing (kernel/fetch.sh --for WHY,
#                                     its messages on stderr)
#   kernel/ksrc.sh copy FROM TO       copies those files of tree FROM to TO, dates kept
#   kernel/ksrc.sh stamp KSRC STAMP   writes STAMP: the tree's absolute path and a
#                                     hash of each of those files, only when that
#                                     differs from what STAMP holds.  Objects built
#                                     from the tree depend on STAMP, so make
#                                     rebuilds them when the tree or its content
#                                     changes, whatever the files' mtimes say.
#   kernel/ksrc.sh deps KSRC DEPFILE  fails if the compiler read a file of the
#                                     tree (DEPFILE: its -MD output) that the
#                                     stamp does not hash
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

files=(Makefile drivers/vfio/vfio_iommu_type1.c drivers/vfio/vfio.h)

die() {
	echo "kcheck: $*" >&2
	exit 1
}

# tree_dir KSRC: the tree's absolute path, as make's $(abspath) spells it.
tree_dir() {
	[ -d "$1" ] || die "$1 is not a directory (KSRC must be a kernel tree)"
	(cd "$1" && pwd)
}

# cache_dir: where fetched trees are kept.
cache_dir() {
	if [ -n "${VFIOSIM_KSRC_CACHE:-}" ]; then
		echo "$VFIOSIM_KSRC_CACHE"
	elif [[ ${XDG_CACHE_HOME:-} == /* ]]; then	# the spec ignores a relative one
		echo "$XDG_CACHE_HOME/vfiosim"
	else
		home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
		[ -n "$home" ] || die "no HOME to keep kernel sources in; set VFIOSIM_KSRC_CACHE"
		echo "$home/.cache/vfiosim"
	fi
}

case ${1:-} in
cache)
	cache_dir
	;;
files)
	printf '%s\n' "${files[@]}"
	;;
tree)
	[ $# -eq 3 ] || die "usage: $0 tree X.Y WHY"
	cache=$(cache_dir)
	"$here/fetch.sh" --for "$3" "$cache" "$2" >&2
	echo "$cache/linux-source-$2"
	;;
copy)
	[ $# -eq 3 ] || die "usage: $0 copy FROM TO"
	from=$(tree_dir "$2")
	rm -rf "$3"
	mkdir -p "$3"
	(cd "$from" && cp -p --parents -- "${files[@]}" "$(cd "$3" && pwd)/")
	;;
stamp)
	[ $# -eq 3 ] || die "usage: $0 stamp KSRC STAMP"
	tree=$(tree_dir "$2")
	stamp=$3
	for f in "${files[@]}"; do
		[ -f "$tree/$f" ] || die "$tree/$f is missing (a tree needs: ${files[*]})"
	done
	mkdir -p "$(dirname "$stamp")"
	new=$stamp.new.$$
	{
		echo "tree $tree"
		(cd "$tree" && sha256sum -- "${files[@]}")
	} >"$new"
	if cmp -s "$new" "$stamp"; then
		rm -f "$new"
	else
		mv -f "$new" "$stamp"
	fi
	;;
deps)
	[ $# -eq 3 ] || die "usage: $0 deps KSRC DEPFILE"
	tree=$(tree_dir "$2")
	# A depfile is "target: dep dep \" lines; one path per line, then the
	# tree's own ones.
	bad=$(tr -s '[:space:]\134' '[\n*]' <"$3" | grep -F "$tree/" | sed "s|^$tree/||" |
		sort -u | grep -vxF -f <(printf '%s\n' "${files[@]}") || true)
	[ -z "$bad" ] || die "the build read $(echo "$bad" | tr '\n' ' ')from $tree," \
		"which kernel/ksrc.sh does not hash: add it to its files"
	;;
*)
	echo "usage: $0 cache | files | tree X.Y WHY | copy FROM TO | stamp KSRC STAMP |" \
		"deps KSRC DEPFILE" >&2
	exit 2
	;;
esac
