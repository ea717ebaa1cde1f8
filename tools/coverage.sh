#!/usr/bin/env bash
# Line and branch coverage of sim/ from a --coverage build whose tests have
# already run (lcov 1.16).
#
#   tools/coverage.sh BUILDDIR
#
# Writes BUILDDIR/coverage.info (sim/ only) and BUILDDIR/html/, and prints
# a one-line summary.  lcov's chatter goes to BUILDDIR/coverage.log.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILDDIR" >&2
	exit 2
fi
if [ ! -d "$1" ]; then
	echo "vfiosim: no such directory: $1" >&2
	exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
bdir=$(cd "$1" && pwd)
log=$bdir/coverage.log
raw=$bdir/coverage.raw.info
info=$bdir/coverage.info
html=$bdir/html
branch=(--rc lcov_branch_coverage=1)

run() {
	echo "+ $*" >>"$log"
	if ! "$@" >>"$log" 2>&1; then
		echo "vfiosim: coverage step failed: $1 (log: $log)" >&2
		tail -n 20 "$log" >&2
		exit 1
	fi
}

: >"$log"
rm -rf "$raw" "$info" "$html"
run lcov "${branch[@]}" --capture --directory "$bdir" --base-directory "$root" \
	--output-file "$raw"
# Only the model counts: drop the tests, their helpers and system headers.
run lcov "${branch[@]}" --extract "$raw" "$root/sim/*" --output-file "$info"
run genhtml "${branch[@]}" --branch-coverage --prefix "$root" --title vfiosim \
	--output-directory "$html" "$info"

awk -F: '
	$1 == "LF"  { lf += $2 }
	$1 == "LH"  { lh += $2 }
	$1 == "BRF" { bf += $2 }
	$1 == "BRH" { bh += $2 }
	function pct(hit, all) { return all ? 100 * hit / all : 0 }
	END {
		printf "coverage sim/: lines %.1f%% (%d/%d), branches %.1f%% (%d/%d)\n",
		       pct(lh, lf), lh, lf, pct(bh, bf), bh, bf
	}' "$info"
echo "html: $html/index.html"
