#!/usr/bin/env bash
# Proves that every kcheck run tests the tree it was given, however the trees'
# mtimes compare with the build's (make kcheck-selftest, run by CI):
#
#   A   a copy of Debian's 6.12 tree (cp -a: its files keep their old mtimes)
#   B   another copy with one line changed so that dirty pages are lost, its
#       files dated 2001, older than anything built from A
#
# kcheck runs on A (passes), B (fails), A again (passes, as the first time),
# then B's content copied over A's path with B's old date (fails, as B did:
# the same path with other content), and last plain `make kcheck` (the
# Debian trees pass, 6.12 as A did).  All in the default build directory,
# build/kernel-6.12, as a developer would run them; logs in build/kcheck-selftest/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
start=$(date +%s)
src=$(kernel/ksrc.sh tree 6.12 "make kcheck-selftest")
mapfile -t files < <(kernel/ksrc.sh files)
out=build/kcheck-selftest
result=build/kernel-6.12/kcheck.result
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

# One changed line: populating a whole mapping's bitmap (vfio_dma_populate_bitmap_full:
# a mapping outside the pinned scope is all dirty) sets only its first half.
break_tree() {
	local f=$1/drivers/vfio/vfio_iommu_type1.c changed
	sed -i -e 's|^\(\t*bitmap_set(dma->bitmap, 0, \)dma->size >> pgshift);$|\1(dma->size >> pgshift) / 2);|' "$f"
	changed=$(diff "$src/drivers/vfio/vfio_iommu_type1.c" "$f" | grep -c '^>' || true)
	[ "$changed" -eq 1 ] || {
		echo "kcheck-selftest: the mutation changed $changed lines of $f, not 1 (has 6.12 changed?)"
		exit 1
	}
	touch -d 2001-01-01 "${files[@]/#/$1/}"
}

fails=0
# run LOG NAME EXPECT [KSRC]: kcheck on KSRC (the default trees without it),
# its output in $out/LOG.log; EXPECT pass or fail.  Prints the verdict and the
# counts of build/kernel-6.12.
run() {
	local log=$out/$1.log name=$2 expect=$3 ksrc=${4:-} got counts
	rm -f "$result"
	if make --no-print-directory kcheck ${ksrc:+KSRC="$ksrc"} >"$log" 2>&1; then
		got=pass
	else
		got=fail
	fi
	counts=$(cat "$result" 2>/dev/null || echo "no result")
	if [ ! -f "$result" ]; then
		echo "kcheck-selftest: $name: no result (build failed?), see $log"
		fails=$((fails + 1))
	elif [ "$got" != "$expect" ]; then
		echo "kcheck-selftest: $name: expected $expect, got $got ($counts), see $log"
		fails=$((fails + 1))
	else
		echo "kcheck-selftest: $name: $got as expected (passed failed skipped: $counts)"
	fi
	last=$counts
}

# same NAME COUNTS: the last run's counts are COUNTS.
same() {
	if [ "$last" != "$2" ]; then
		echo "kcheck-selftest: $1 reported \"$last\", not \"$2\": a stale build"
		fails=$((fails + 1))
	fi
}

kernel/ksrc.sh copy "$src" "$tmp/a"
kernel/ksrc.sh copy "$src" "$tmp/b"
break_tree "$tmp/b"

run 1-a "A (Debian 6.12, copied)" pass "$tmp/a"
a_counts=$last
run 2-b "B (one line broken, older mtimes)" fail "$tmp/b"
b_counts=$last
run 3-a "A again" pass "$tmp/a"
same "A again" "$a_counts"
kernel/ksrc.sh copy "$tmp/b" "$tmp/a"
run 4-b-at-a "B's content at A's path, older mtimes" fail "$tmp/a"
same "B's content at A's path" "$b_counts"
run 5-default "make kcheck (the Debian trees)" pass
same "make kcheck's 6.12" "$a_counts"

echo "kcheck-selftest: $((5 - fails)) of 5 runs reported their own tree ($(( $(date +%s) - start )) s)"
[ "$fails" -eq 0 ]
