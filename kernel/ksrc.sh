#!/usr/bin/env bash
# What the build knows about a kernel source tree (kernel/README.md), in one
# place for kernel/kernel.mk, fuzz/fuzz.mk, bench/bench.mk and the scripts:
#
#   kernel/ksrc.sh cache              the directory fetched trees are kept in:
#                                     $VFIOSIM_KSRC_CACHE, else
#                                     $XDG_CACHE_HOME/vfiosim, else ~/.cache/vfiosim
#   kernel/ksrc.sh files              the files of a tree the build reads; the
#                                     last, drivers/vfio/vfio.h, only trees from
#                                     Linux 5.19 on have (Debian's 5.10 lacks it)
#   kernel/ksrc.sh version KSRC       the tree's Linux version, X.Y, from its
#                                     Makefile's VERSION and PATCHLEVEL (the one
#                                     parser kernel/kernel.mk, fuzz/fuzz.mk,
#                                     bench/bench.mk and tools/vfiosim use)
#   kernel/ksrc.sh release KSRC       X.Y.Z and EXTRAVERSION (7.4.0-rc2), for messages
#   kernel/ksrc.sh check KSRC         fails, saying why, unless KSRC is a tree
#                                     kcheck can build: its files, Linux 5.10 on
#   kernel/ksrc.sh xfail X.Y          the expected failures of Linux X.Y: its
#                                     kernel/xfail/X.Y.txt, else the list of the
#                                     nearest version above with one, else the
#                                     newest list
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
#   kernel/ksrc.sh deps KSRC RAW DEPFILE
#                                     fails if the compiler read a file of the
#                                     tree (RAW: its -MMD -MP output, removed)
#                                     that the stamp does not hash; else writes
#                                     DEPFILE: RAW without the tree's files, for
#                                     make to include (the stamp tracks those)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

files=(Makefile drivers/vfio/vfio_iommu_type1.c drivers/vfio/vfio.h)
# How many of them every tree has; the rest are hashed when present.
required=2

die() {
	echo "kcheck: $*" >&2
	exit 1
}

# tree_dir KSRC: the tree's absolute path, as make's $(abspath) spells it.
tree_dir() {
	[ -d "$1" ] || die "$1 is not a directory (KSRC must be a kernel tree)"
	(cd "$1" && pwd)
}

# mk_var KSRC NAME: the value of "NAME = value" in the tree's Makefile.
mk_var() {
	sed -n -e "s/^$2[[:space:]]*=[[:space:]]*\\([^[:space:]]*\\)[[:space:]]*\$/\\1/p" "$1/Makefile" |
		head -n 1
}

# version KSRC: X.Y, or a message and failure when the Makefile gives none.
version() {
	local major minor
	[ -f "$1/Makefile" ] || die "$1 has no Makefile (KSRC must be a kernel tree)"
	major=$(mk_var "$1" VERSION)
	minor=$(mk_var "$1" PATCHLEVEL)
	[[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ ]] ||
		die "$1/Makefile gives no VERSION and PATCHLEVEL (not a kernel tree?)"
	echo "$major.$minor"
}

# vcode X.Y: a number that orders versions.
vcode() {
	echo $(( ${1%%.*} * 256 + ${1#*.} ))
}

oldest=5.10

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
version)
	[ $# -eq 2 ] || die "usage: $0 version KSRC"
	version "$2"
	;;
release)
	[ $# -eq 2 ] || die "usage: $0 release KSRC"
	echo "$(version "$2").$(mk_var "$2" SUBLEVEL)$(mk_var "$2" EXTRAVERSION)"
	;;
check)
	[ $# -eq 2 ] || die "usage: $0 check KSRC"
	tree=$(tree_dir "$2")
	v=$(version "$tree")
	[ "$(vcode "$v")" -ge "$(vcode $oldest)" ] ||
		die "Linux $v ($tree) is older than $oldest, the oldest kernel kcheck supports"
	for f in "${files[@]:0:required}"; do
		[ -f "$tree/$f" ] || die "$tree/$f is missing (a tree needs: ${files[*]:0:required})"
	done
	;;
xfail)
	[ $# -eq 2 ] || die "usage: $0 xfail X.Y"
	[[ $2 =~ ^[0-9]+\.[0-9]+$ ]] || die "xfail: $2 is not a version X.Y"
	best='' newest=''
	for f in "$here"/xfail/*.txt; do
		v=$(basename "$f" .txt)
		[[ $v =~ ^[0-9]+\.[0-9]+$ ]] || continue
		c=$(vcode "$v")
		if [ "$c" -ge "$(vcode "$2")" ] && { [ -z "$best" ] || [ "$c" -lt "$(vcode "$best")" ]; }; then
			best=$v
		fi
		if [ -z "$newest" ] || [ "$c" -gt "$(vcode "$newest")" ]; then
			newest=$v
		fi
	done
	[ -n "${best:-$newest}" ] || die "no list in $here/xfail"
	echo "kernel/xfail/${best:-$newest}.txt"
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
	to=$(cd "$3" && pwd)
	for f in "${files[@]}"; do
		[ ! -f "$from/$f" ] || (cd "$from" && cp -p --parents -- "$f" "$to/")
	done
	;;
stamp)
	[ $# -eq 3 ] || die "usage: $0 stamp KSRC STAMP"
	tree=$(tree_dir "$2")
	stamp=$3
	for f in "${files[@]:0:required}"; do
		[ -f "$tree/$f" ] || die "$tree/$f is missing (a tree needs: ${files[*]:0:required})"
	done
	mkdir -p "$(dirname "$stamp")"
	new=$stamp.new.$$
	{
		echo "tree $tree"
		for f in "${files[@]}"; do
			if [ -f "$tree/$f" ]; then
				(cd "$tree" && sha256sum -- "$f")
			else
				echo "absent $f"
			fi
		done
	} >"$new"
	if cmp -s "$new" "$stamp"; then
		rm -f "$new"
	else
		mv -f "$new" "$stamp"
	fi
	;;
deps)
	[ $# -eq 4 ] || die "usage: $0 deps KSRC RAW DEPFILE"
	tree=$(tree_dir "$2")
	# A depfile is "target: dep dep \" lines (and -MP's "dep:"); one path
	# per line, then the tree's own ones.
	bad=$(tr -s '[:space:]\134' '[\n*]' <"$3" | sed -n "s|^$tree/||p" | sed 's/:$//' |
		sort -u | grep -vxF -f <(printf '%s\n' "${files[@]}") || true)
	[ -z "$bad" ] || die "the build read $(echo "$bad" | tr '\n' ' ')from $tree," \
		"which kernel/ksrc.sh does not hash: add it to its files"
	# Each rule on one line, without the words that name the tree's files.
	awk -v t="$tree/" '
		/\\$/ { sub(/\\$/, ""); rule = rule $0 " "; next }
		{
			n = split(rule $0, w, /[ \t]+/); rule = ""; out = ""
			for (i = 1; i <= n; i++)
				if (w[i] != "" && index(w[i], t) != 1)
					out = out (out == "" ? "" : " ") w[i]
			if (out ~ /:/)
				print out
		}' "$3" >"$4.new"
	mv -f "$4.new" "$4"
	rm -f "$3"
	;;
*)
	echo "usage: $0 cache | files | version KSRC | release KSRC | check KSRC |" \
		"xfail X.Y | tree X.Y WHY | copy FROM TO | stamp KSRC STAMP |" \
		"deps KSRC RAW DEPFILE" >&2
	exit 2
	;;
esac
