#!/usr/bin/env bash
# Fetches the kernel trees kcheck runs against: Debian's linux-source-X.Y
# packages, reduced to the few files kcheck reads.
#
#   kernel/fetch.sh [--for WHY] CACHE VERSION...
#       e.g. kernel/fetch.sh --for "make kcheck's default trees" ~/.cache/vfiosim 6.12 7.3
#
# For each version CACHE/linux-source-X.Y/ ends up holding the files
# kernel/ksrc.sh lists (Makefile, drivers/vfio/{vfio_iommu_type1.c,vfio.h});
# nothing is done when they are there already.  A tree left in the clone's
# build/ksrc-cache by an older vfiosim is moved over.  Otherwise the package
# comes from the apt cache if it is there, else from "apt-get download":
# with the machine's own package lists when they know it, else with a
# private apt configuration in CACHE/.apt (the suite of the table below,
# from the mirror the machine's apt sources already use), which never
# touches the system's package lists and needs no root.  Every download
# says what, why and how big; the package and its source tarball are
# deleted once the files are out.  WHY names what needs the tree.
set -euo pipefail

# Where Debian keeps linux-source-X.Y: its suites, the security ones served
# by the machine's security mirror.  The one table of versions and suites.
suites_of() {
	case $1 in
	5.10) echo "bullseye bullseye-security" ;;
	6.1) echo "bookworm bookworm-security" ;;
	6.12) echo "trixie trixie-security bookworm-security" ;;
	7.2) echo "sid" ;;
	7.3) echo "trixie-backports" ;;
	*) return 1 ;;
	esac
}

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

# have_tree DIR: DIR holds a tree kcheck can build (its files, Linux 5.10 on).
have_tree() {
	[ -d "$1" ] && "$here/ksrc.sh" check "$1" 2>/dev/null
}

need_tools() {
	local missing=()
	command -v dpkg-deb >/dev/null || missing+=(dpkg)
	command -v xz >/dev/null || missing+=(xz-utils)
	command -v apt-get >/dev/null || missing+=(apt)
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
		echo "kcheck: missing tools; run: apt-get install ${missing[*]}" >&2
		exit 1
	fi
	echo "kcheck: apt-get install ${missing[*]} (to unpack Debian's kernel source package)"
	apt-get install -y "${missing[@]}" >/dev/null
}

# --------------------------------------------- the private apt configuration

apt_dir=$cache/.apt
apt_private=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list"
	-o "Dir::Etc::sourceparts=$apt_dir/sources.list.d"
	-o "Dir::State::lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
	-o Acquire::Languages=none)
# As root apt fetches as _apt, who cannot enter a private home.
[ "$(id -u)" -ne 0 ] || apt_private+=(-o APT::Sandbox::User=root)

# machine_sources: "URI SUITE SIGNED-BY" for each deb suite of the machine's
# apt sources, deb822 (*.sources) and one-line (sources.list, *.list);
# SIGNED-BY is - when the entry names no keyring file.
machine_sources() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
		function flush(   n, u, s, i, j) {
			if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no") {
				n = split(uris, u, /[ \t]+/); m = split(suites, s, /[ \t]+/)
				for (i = 1; i <= n; i++) for (j = 1; j <= m; j++)
					if (u[i] != "" && s[j] != "") print u[i], s[j], (key ~ /^\// ? key : "-")
			}
			types = uris = suites = key = enabled = ""
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		/^[ \t]/ { next }	# a continued field (an inline key)
		{
			name = tolower($1); sub(/:$/, "", name); $1 = ""; sub(/^[ \t]+/, "")
			if (name == "types") types = $0
			else if (name == "uris") uris = $0
			else if (name == "suites") suites = $0
			else if (name == "signed-by") key = $0
			else if (name == "enabled") enabled = tolower($0)
		}
		END { flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n -e 's/#.*//' -e 's/^[[:space:]]*deb[[:space:]]\+//p' "$f" | awk '
		{
			key = "-"
			if ($1 ~ /^\[/) {
				while ($1 !~ /\]$/ && NF > 1) {
					if ($1 ~ /signed-by=/) { key = $1; sub(/.*signed-by=/, "", key) }
					$1 = ""; $0 = $0
				}
				if ($1 ~ /signed-by=/) { key = $1; sub(/.*signed-by=/, "", key) }
				sub(/\]$/, "", key); $1 = ""; $0 = $0
			}
			if (NF >= 2) print $1, $2, (key ~ /^\// ? key : "-")
		}'
	done
}

# mirror_for SUITE: "URI SIGNED-BY" of the machine's Debian mirror that
# would serve SUITE (its security mirror for a -security suite); fails if
# the machine uses none.
mirror_for() {
	local want=main
	[[ $1 == *-security ]] && want=security
	machine_sources | awk -v want="$want" '
	{
		base = $2; sub(/[-\/].*/, "", base)
		debian = base ~ /^(buster|bullseye|bookworm|trixie|forky|duke|sid|oldoldstable|oldstable|stable|testing|unstable|experimental)$/
		sec = ($2 ~ /-security$/ || $2 ~ /\/updates$/)
		if (debian && (want == "security") == sec) { print $1, $3; exit }
	}'
}

# private_apt VERSION: writes the private sources for VERSION's suites and
# updates the private lists.  Fails, saying why, if no mirror serves them.
private_apt() {
	local v=$1 suite mirror uri key lines=()
	for suite in $(suites_of "$v"); do
		mirror=$(mirror_for "$suite")
		if [ -z "$mirror" ]; then
			continue
		fi
		uri=${mirror%% *}
		key=${mirror#* }
		if [ "$key" = - ]; then
			lines+=("deb $uri $suite main")
		else
			lines+=("deb [signed-by=$key] $uri $suite main")
		fi
	done
	if [ ${#lines[@]} -eq 0 ]; then
		echo "kcheck: the machine's apt sources name no Debian mirror to fetch Linux $v" \
			"($(suites_of "$v")) from; give a tree: make kcheck KSRC=/path/to/linux" >&2
		exit 1
	fi
	mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
	printf '%s\n' "${lines[@]}" >"$apt_dir/sources.list"
	echo "kcheck: the machine's package lists lack linux-source-$v: reading" \
		"$(suites_of "$v" | sed 's/ /, /g') from its own mirror, with a private apt" \
		"configuration in $apt_dir"
	apt-get "${apt_private[@]}" -q update >"$apt_dir/update.log" 2>&1 || {
		echo "kcheck: apt-get update of the private lists failed, see $apt_dir/update.log" >&2
		exit 1
	}
}

# ---------------------------------------------------------------- download

# pkg_size PKG [APT OPTIONS...]: the package's download size as "~N MB",
# empty if apt does not know it.
pkg_size() {
	local pkg=$1 bytes
	shift
	bytes=$(apt-cache "$@" show --no-all-versions "$pkg" 2>/dev/null | sed -n 's/^Size: //p' |
		head -n 1)
	[ -n "$bytes" ] && echo "~$(( (bytes + 500000) / 1000000 )) MB"
	return 0
}

# download DIR PKG SIZE [APT OPTIONS...]: apt-get download into DIR, saying so.
download() {
	local dir=$1 pkg=$2 size=$3
	shift 3
	echo "kcheck: downloading $pkg (Debian package, $size) for $why;" \
		"kept: the few files kcheck reads, in $cache/$pkg"
	(cd "$dir" && apt-get "$@" -q download "$pkg" >"$dir/download.log" 2>&1)
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
	size=$(pkg_size "$pkg")
	if [ -n "$size" ] && download "$dir" "$pkg" "$size"; then
		return 0
	fi
	[ -z "$size" ] || echo "kcheck: the machine's package lists are out of date for $pkg"
	private_apt "$v"
	size=$(pkg_size "$pkg" "${apt_private[@]}")
	if [ -z "$size" ]; then
		echo "kcheck: $pkg is in none of $(suites_of "$v") on the machine's mirror" \
			"(see $apt_dir/update.log); give a tree: make kcheck KSRC=/path/to/linux" >&2
		exit 1
	fi
	download "$dir" "$pkg" "$size" "${apt_private[@]}" || {
		echo "kcheck: apt-get download $pkg failed, see $dir/download.log" >&2
		cp "$dir/download.log" "$apt_dir/download.log" 2>/dev/null || true
		exit 1
	}
}

for v in "$@"; do
	tree=$cache/linux-source-$v
	have_tree "$tree" && continue
	suites_of "$v" >/dev/null || {
		echo "kcheck: kernel/fetch.sh knows no Debian package of Linux $v" \
			"(it fetches 5.10, 6.1, 6.12, 7.2, 7.3); give a tree: make kcheck KSRC=/path/to/linux" >&2
		exit 1
	}
	old=$legacy/linux-source-$v
	if [ "$old" != "$tree" ] && have_tree "$old"; then
		echo "kcheck: moving Linux $v's files from $legacy to $cache"
		"$here/ksrc.sh" copy "$old" "$tree"
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
	# --occurrence: stop reading the stream once every member was found.  A
	# tree older than 5.19 has no drivers/vfio/vfio.h: tar then reads to the
	# end and says it is missing, which have_tree below judges.
	tar -xJf "$work/usr/src/linux-source-$v.tar.xz" -C "$work" --occurrence "${members[@]}" \
		2>/dev/null || true
	have_tree "$work/linux-source-$v" || {
		"$here/ksrc.sh" check "$work/linux-source-$v"
		exit 1
	}
	rm -rf "$tree"
	mv "$work/linux-source-$v" "$tree"
	rm -rf "$work"
	trap - EXIT
	echo "kcheck: Linux $v in $tree ($(du -sk "$tree" | cut -f1) KB kept; package deleted)"
done
