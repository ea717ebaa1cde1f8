#!/usr/bin/env bash
# Make sure the Debian packages one make target needs are installed.
#
#   tools/deps.sh WHAT...    WHAT: build | test | coverage | clang | fuzz | cflite |
#                            plot | install-check
#
# Silent when everything is there.  As root the missing packages are
# installed with apt-get, saying on the console what is installed, for which
# target and how much it took (full log in build/deps-apt.log); otherwise the
# command to run is printed and the script fails.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
log=$root/build/deps-apt.log
missing=()
# What each WHAT is needed for, for the console message.
declare -A why=([build]="building vfiosim" [test]="make test (cmocka, sanitizers)"
	[coverage]="make coverage" [clang]="make check-clang (clang, its sanitizers, cmocka)" [fuzz]="the AFL++ fuzzers"
	[cflite]="make fuzz-cflite (the ClusterFuzzLite build, libFuzzer)"
	[plot]="benchmark plots" [install-check]="make install-check (pkg-config, man)")

usage() {
	echo "usage: $0 build|test|coverage|clang|fuzz|cflite|plot|install-check..." >&2
	exit 2
}

# need PACKAGE TEST...: PACKAGE is missing unless the command TEST... succeeds.
need() {
	local pkg=$1
	shift
	"$@" >/dev/null 2>&1 || missing+=("$pkg")
}

have_cmd() {
	command -v "$1"
}

# ASan and UBSan runtimes ship with gcc's support library, not with gcc itself.
sanitizers_link() {
	local tmp rc=0
	tmp=$(mktemp -d)
	printf 'int main(void)\n{\n\treturn 0;\n}\n' >"$tmp/san.c"
	gcc -fsanitize=address,undefined "$tmp/san.c" -o "$tmp/san" >"$tmp/log" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ] && [ "${1:-}" = verbose ]; then
		cat "$tmp/log" >&2
	fi
	rm -rf "$tmp"
	return "$rc"
}

# try_build [verbose] COMMAND...: runs COMMAND in a scratch directory
# holding main.c (an empty program) and one.c (an empty libFuzzer target).
try_build() {
	local tmp rc=0 verbose=
	[ "$1" = verbose ] && { verbose=1; shift; }
	tmp=$(mktemp -d)
	printf 'int main(void)\n{\n\treturn 0;\n}\n' >"$tmp/main.c"
	printf '#include <stddef.h>\n#include <stdint.h>\n\n%s\n{\n\treturn !data && size;\n}\n' \
		'int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)' >"$tmp/one.c"
	(cd "$tmp" && "$@") >"$tmp/log" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] && [ -n "$verbose" ] && cat "$tmp/log" >&2
	rm -rf "$tmp"
	return "$rc"
}

# The libFuzzer build and clang's sanitizers need compiler-rt, which the
# clang package only recommends.
clang_sanitizers_link() {
	clang -fsanitize=address,undefined main.c -o san &&
		clang -fsanitize=fuzzer,address,undefined one.c -o fuzzer
}

# OSS-Fuzz links C fuzz targets with the C++ driver (libFuzzer is C++).
clangxx_links() {
	clang -fsanitize=fuzzer-no-link,address,undefined -c one.c -o one.o &&
		clang++ -fsanitize=fuzzer,address,undefined one.o -o fuzzer
}

# AFL++'s compiler instruments with passes built for one LLVM, and the
# afl-san build links that LLVM's sanitizers.
afl_builds() {
	AFL_QUIET=1 afl-clang-fast -fsanitize=address,undefined main.c -o san && ./san &&
		AFL_QUIET=1 AFL_LLVM_CMPLOG=1 afl-clang-fast main.c -o cmplog
}

# compiler-rt for the LLVM that CC runs (for a clang not installed yet, the
# one the distribution's clang package would bring).
clang_runtime_pkg() {
	local major
	major=$(AFL_QUIET=1 "$1" -dumpversion 2>/dev/null | cut -d. -f1)
	[ -n "$major" ] || major=$(apt-cache depends clang 2>/dev/null |
		sed -n 's/.*Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -n 1)
	echo "libclang-rt-${major:-14}-dev"
}

# clang++ links the libstdc++ of the newest gcc.
libstdcxx_pkg() {
	local major
	major=$(gcc -dumpversion 2>/dev/null | cut -d. -f1)
	echo "libstdc++-${major:-12}-dev"
}

gcc_runtime_pkg() {
	local major
	major=$(gcc -dumpversion 2>/dev/null | cut -d. -f1)
	echo "libgcc-${major:-12}-dev"
}

collect() {
	case $1 in
	build)
		need gcc have_cmd gcc
		need make have_cmd make
		;;
	test)
		need gcc have_cmd gcc
		need make have_cmd make
		need libcmocka-dev test -f /usr/include/cmocka.h
		;;
	coverage)
		need lcov have_cmd lcov
		need lcov have_cmd genhtml
		;;
	clang)
		# make check-clang runs the tests under clang's sanitizers too.
		need clang have_cmd clang
		need "$(clang_runtime_pkg clang)" try_build clang_sanitizers_link
		need libcmocka-dev test -f /usr/include/cmocka.h
		;;
	fuzz)
		need afl++ have_cmd afl-clang-fast
		need "$(clang_runtime_pkg clang)" try_build clang_sanitizers_link
		;;
	cflite)
		# fuzz/cflite-local.sh: the engine's build, its seed zips unpacked.
		need clang have_cmd clang
		need "$(clang_runtime_pkg clang)" try_build clang_sanitizers_link
		need "$(libstdcxx_pkg)" try_build clangxx_links
		need zip have_cmd zip
		need unzip have_cmd unzip
		;;
	install-check)
		# The programs tools/install-check.sh runs on the installed copy.
		need pkg-config have_cmd pkg-config
		need binutils have_cmd readelf
		need man-db have_cmd man
		need groff-base have_cmd groff
		need bsdextrautils have_cmd col
		;;
	plot)
		# gnuplot-nox: the plain "gnuplot" package would pull in Qt.
		need gnuplot-nox have_cmd gnuplot
		;;
	*)
		usage
		;;
	esac
}

apt_install() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" \
		>>"$log" 2>&1
}

# apt_summary LOG-OFFSET: apt's own size lines since that byte of the log,
# as "12.3 MB downloaded, 45.6 MB of disk".
apt_summary() {
	tail -c +"$1" "$log" | awk '
		/^Need to get / { sub(/^Need to get /, ""); sub(/ of archives\.$/, ""); get = $0 }
		/^After this operation, / { sub(/^After this operation, /, "");
			sub(/ of additional disk space will be used\.$/, ""); disk = $0 }
		END { n = split(get, part, "/")
		      if (n == 2) get = (part[1] == "0 B") ? part[2] " from the apt cache" : part[2]
		      else if (get != "") get = get " downloaded"
		      if (get != "") printf "%s", get
		      if (disk != "") printf "%s%s of disk", (get != "" ? ", " : ""), disk }'
}

# install_pkgs FOR PACKAGE...: as root install them, or tell the user how to.
install_pkgs() {
	local pkgs for=$1 start summary
	shift
	pkgs=$(printf '%s\n' "$@" | awk '!seen[$0]++' | tr '\n' ' ')
	pkgs=${pkgs% }
	if [ "$(id -u)" -ne 0 ]; then
		echo "vfiosim: missing packages for $for: $pkgs" >&2
		echo "run: sudo apt-get install -y --no-install-recommends $pkgs" >&2
		exit 1
	fi
	mkdir -p "$(dirname "$log")"
	echo "vfiosim: installing $pkgs with apt-get, needed for $for (log: $log)"
	echo "=== $(date '+%F %T') apt-get install $pkgs" >>"$log"
	start=$(($(stat -c %s "$log") + 1))
	# shellcheck disable=SC2086  # one word per package
	if ! apt_install $pkgs; then
		# A fresh machine has no package lists yet, or stale ones.
		if ! DEBIAN_FRONTEND=noninteractive apt-get update >>"$log" 2>&1 ||
		   ! apt_install $pkgs; then
			echo "vfiosim: could not install: $pkgs (log: $log)" >&2
			tail -n 20 "$log" >&2
			exit 1
		fi
	fi
	summary=$(apt_summary "$start")
	echo "vfiosim: installed $pkgs${summary:+ ($summary)}"
}

[ $# -ge 1 ] || usage
for what in "$@"; do
	collect "$what"
done
if [ ${#missing[@]} -gt 0 ]; then
	reasons=
	for what in "$@"; do
		reasons+=${reasons:+; }${why[$what]}
	done
	install_pkgs "$reasons" "${missing[@]}"
	missing=()
	for what in "$@"; do
		collect "$what"
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "vfiosim: still missing after install: ${missing[*]} (log: $log)" >&2
		exit 1
	fi
fi

for what in "$@"; do
	case $what in
	test)
		sanitizers_link && continue
		install_pkgs "gcc's ASan and UBSan runtimes (make test)" "$(gcc_runtime_pkg)"
		if ! sanitizers_link verbose; then
			echo "vfiosim: gcc cannot link -fsanitize=address,undefined" >&2
			exit 1
		fi
		;;
	fuzz)
		# AFL++ may run another LLVM than the default clang.
		try_build afl_builds && continue
		install_pkgs "AFL++'s sanitizer runtimes (the fuzzers)" "$(clang_runtime_pkg afl-clang-fast)"
		if ! try_build verbose afl_builds; then
			echo "vfiosim: afl-clang-fast cannot build an instrumented program" \
				"(ASan+UBSan, CMPLOG)" >&2
			exit 1
		fi
		;;
	esac
done
