#!/usr/bin/env bash
# make install-check: installs into a temporary DESTDIR with PREFIX=/usr,
# builds the README's C example (the "Using it from C" section) with
# nothing but pkg-config's flags for that copy, static and shared, under
# ASan+UBSan, runs both, checks what was installed, then that make
# uninstall takes all of it away.
#
#   tools/install-check.sh [BUILD-TREE]      (MAKE: the make to run)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:-build}
make=${MAKE:-make}
cc=${CC:-gcc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vfiosim-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root
cd "$root"

fail() {
	echo "install-check: $*" >&2
	exit 1
}

say() {
	printf '  %-6s %s\n' CHECK "$*"
}

"$make" --no-print-directory O="$tree" install DESTDIR="$dest" PREFIX=/usr

version_of() {
	sed -n "s/^#define VFIOSIM_VERSION_$1[[:space:]]*\([0-9][0-9]*\)$/\1/p" \
		"$dest/usr/include/vfiosim/vfiosim.h"
}
major=$(version_of MAJOR)
minor=$(version_of MINOR)
if [ -z "$major" ] || [ -z "$minor" ]; then
	fail "the installed vfiosim.h has no version"
fi
libdir=$dest/usr/lib

say "the shared library: libvfiosim.so.$major.$minor, soname libvfiosim.so.$major"
soname=$(readelf -d "$libdir/libvfiosim.so.$major.$minor" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libvfiosim.so.$major" ] || fail "soname is \"$soname\", not libvfiosim.so.$major"
if [ "$(readlink "$libdir/libvfiosim.so")" != "libvfiosim.so.$major" ] ||
   [ "$(readlink "$libdir/libvfiosim.so.$major")" != "libvfiosim.so.$major.$minor" ]; then
	fail "the links libvfiosim.so -> .so.$major -> .so.$major.$minor are wrong"
fi

# pkg-config finds the installed .pc files and nothing else, and prefixes
# every directory they name with DESTDIR.
export PKG_CONFIG_LIBDIR=$libdir/pkgconfig PKG_CONFIG_PATH='' PKG_CONFIG_SYSROOT_DIR=$dest
for pc in vfiosim vfiosim-uapi; do
	say "pkg-config $pc: version $major.$minor, every directory under DESTDIR"
	v=$(pkg-config --modversion "$pc") || fail "pkg-config does not find $pc"
	[ "$v" = "$major.$minor" ] || fail "$pc.pc says version $v, vfiosim.h $major.$minor"
	for flag in $(pkg-config --cflags --libs "$pc"); do
		case $flag in
		-I"$dest"/* | -L"$dest"/* | -l*) ;;
		*) fail "$pc.pc gives \"$flag\", not a directory under $dest" ;;
		esac
	done
done

say "the library exports the functions the installed headers declare, and only those"
# Declarations after the preprocessor, so that comments naming a function do not count.
# shellcheck disable=SC2046  # pkg-config's flags, one word each
# A static inline function is the header's own code, never the library's.
printf '#include <vfiosim.h>\n#include <vfiosim_client.h>\n#include <vfiosim_observer.h>\n#include <vfiosim_oracle.h>\n' |
	"$cc" -E -P $(pkg-config --cflags vfiosim-uapi) -x c - >"$tmp/headers.i"
grep -oE 'static inline[^;{(]*\bvfiosim_[a-z0-9_]+ *\(' "$tmp/headers.i" |
	grep -oE 'vfiosim_[a-z0-9_]+' | sort -u >"$tmp/inline"
grep -oE '\bvfiosim_[a-z0-9_]+ *\(' "$tmp/headers.i" | sed 's/ *($//' | sort -u |
	comm -23 - "$tmp/inline" >"$tmp/declared"
nm -D --defined-only "$libdir/libvfiosim.so.$major.$minor" | awk '{ print $3 }' | sort -u \
	>"$tmp/exported"
[ -s "$tmp/declared" ] || fail "no function found in the installed headers"
if ! diff "$tmp/declared" "$tmp/exported" >"$tmp/exports.diff"; then
	sed -n 's/^< /  declared, not exported: /p; s/^> /  exported, not declared: /p' \
		"$tmp/exports.diff" >&2
	fail "libvfiosim.so's exports differ from the contract"
fi

# The README's example: the first C block of its "Using it from C" section.
awk '/^## / { in_section = ($0 == "## Using it from C") }
     in_section && /^```c$/ && !done { in_code = 1; next }
     in_code && /^```$/ { in_code = 0; done = 1 }
     in_code' README.md >"$tmp/example.c"
[ -s "$tmp/example.c" ] || fail "README.md has no \`\`\`c block under \"## Using it from C\""

# shellcheck disable=SC2054  # commas inside one flag
cflags=(-std=c11 -Wall -Wextra -Werror -Wpedantic -g -O1 -fno-omit-frame-pointer
	-fsanitize=address,undefined -fno-sanitize-recover=all)
# build NAME PC LINK...: the example compiled with PC's --cflags, linked
# with LINK, its header dependencies in NAME.d.
build() {
	local name=$1 pc=$2
	shift 2
	# shellcheck disable=SC2046  # pkg-config's flags, one word each
	"$cc" "${cflags[@]}" -MD -MF "$tmp/$name.d" $(pkg-config --cflags "$pc") \
		"$tmp/example.c" "$@" -o "$tmp/$name" ||
		fail "the README's example does not build ($name)"
}
# run NAME [ENV...]: runs it; it must succeed and print nothing on stderr.
run() {
	local name=$1
	shift
	if ! env "$@" ASAN_OPTIONS=detect_leaks=1 "$tmp/$name" >"$tmp/$name.out" 2>"$tmp/$name.err"; then
		cat "$tmp/$name.out" "$tmp/$name.err" >&2
		fail "the README's example fails ($name)"
	fi
	if [ -s "$tmp/$name.err" ]; then
		cat "$tmp/$name.err" >&2
		fail "the README's example passes ($name) but prints the above on stderr"
	fi
	sed 's/^/         /' "$tmp/$name.out"
}
needed() {
	readelf -d "$tmp/$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
}
uses_header() {
	tr -s ' \134' '\n' <"$tmp/$1.d" | grep -qxF "$2"
}

say "the README's example, shared: $cc \$(pkg-config --cflags --libs vfiosim), ASan+UBSan"
# shellcheck disable=SC2046
build shared vfiosim $(pkg-config --libs vfiosim)
needed shared | grep -qxF "libvfiosim.so.$major" || fail "the shared build does not use libvfiosim.so.$major"
ldd_line=$(LD_LIBRARY_PATH=$libdir ldd "$tmp/shared" | grep "libvfiosim.so.$major ")
[[ $ldd_line == *"=> $libdir/libvfiosim.so.$major "* ]] ||
	fail "the shared build would load another libvfiosim: $ldd_line"
run shared LD_LIBRARY_PATH="$libdir"

say "the README's example, static: -Wl,-Bstatic \$(pkg-config --static --libs vfiosim), ASan+UBSan"
# shellcheck disable=SC2046
build static vfiosim -Wl,-Bstatic $(pkg-config --static --libs vfiosim) -Wl,-Bdynamic
! needed static | grep -q libvfiosim || fail "the static build still needs libvfiosim.so"
run static

# vfiosim.pc leaves <linux/vfio.h> to the program: the system's here.
uses_header static "$dest/usr/include/vfiosim/uapi/linux/vfio.h" &&
	fail "pkg-config vfiosim gave the program vfiosim's copy of <linux/vfio.h>"
say "the README's example with vfiosim-uapi: vfiosim's copy of <linux/vfio.h>"
# shellcheck disable=SC2046
build uapi vfiosim-uapi $(pkg-config --libs vfiosim-uapi)
uses_header uapi "$dest/usr/include/vfiosim/uapi/linux/vfio.h" ||
	fail "pkg-config vfiosim-uapi did not give the program vfiosim's <linux/vfio.h>"
run uapi LD_LIBRARY_PATH="$libdir"

say "the vfiosim command and its man page"
v=$("$dest/usr/bin/vfiosim" --version)
[ "$v" = "vfiosim $major.$minor" ] || fail "vfiosim --version says \"$v\""
page=$dest/usr/share/man/man1/vfiosim.1
MANWIDTH=80 man --warnings -l "$page" >"$tmp/man.txt" 2>"$tmp/man.err" ||
	fail "man -l $page fails: $(cat "$tmp/man.err")"
[ ! -s "$tmp/man.err" ] || fail "man -l $page warns: $(cat "$tmp/man.err")"
col -b <"$tmp/man.txt" >"$tmp/man.plain"
# Every command the help lists, with every option its own help lists.
for cmd in $("$dest/usr/bin/vfiosim" --help | sed -n 's/^  \([a-z][a-z0-9-]*\).*/\1/p'); do
	grep -q "^ *vfiosim $cmd " "$tmp/man.plain" || fail "the man page lacks \"vfiosim $cmd\""
	for opt in $("$dest/usr/bin/vfiosim" "$cmd" --help | sed -n 's/^  \(-[^ ,]*\).*/\1/p'); do
		grep -qF -- "$opt" "$tmp/man.plain" || fail "the man page lacks $cmd's option $opt"
	done
done

say "nothing installed names the build tree"
if grep -rlF "$root" "$dest/usr/include" "$dest/usr/lib/pkgconfig" "$page"; then
	fail "the files above name $root"
fi

"$make" --no-print-directory O="$tree" uninstall DESTDIR="$dest" PREFIX=/usr
say "make uninstall left nothing"
left=$(find "$dest" \( -type f -o -type l \) -print)
[ -z "$left" ] || fail "make uninstall left: $left"
[ ! -e "$dest/usr/include/vfiosim" ] || fail "make uninstall left $dest/usr/include/vfiosim"
echo "install-check: passed (vfiosim $major.$minor: static and shared, both <linux/vfio.h>)"
