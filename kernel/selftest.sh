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
# Before the last run, a tree whose type1 calls a function no kernel has (C)
# must stop at that first error with the sentence that names the function
# (kernel/first-error.sh), not with a wall of errors.
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

# unbuildable DIR: a copy of the tree in DIR whose type1 calls a made-up
# function must fail kcheck with one compiler error and the sentence naming it.
unbuildable() {
	local log=$out/c-unbuildable.log f=$1/drivers/vfio/vfio_iommu_type1.c errors
	kernel/ksrc.sh copy "$src" "$1"
	sed -i -e '0,/^\tvfio_batch_init(&batch);$/s//\tvfio_batch_init(\&batch);\n\tvfio_batch_frobnicate(\&batch);/' "$f"
	grep -q vfio_batch_frobnicate "$f" || {
		echo "kcheck-selftest: C: could not add the call to $f (has 6.12 changed?)"
		fails=$((fails + 1))
		return
	}
	if make --no-print-directory kcheck KSRC="$1" >"$log" 2>&1; then
		echo "kcheck-selftest: C (calls a function no kernel has): kcheck passed, see $log"
		fails=$((fails + 1))
		return
	fi
	errors=$(grep -cE ': (fatal )?error: ' "$log" || true)
	if [ "$errors" -ne 1 ] || ! grep -qx "kcheck: Linux 6.12's vfio_iommu_type1.c calls vfio_batch_frobnicate(), which kernel/include does not provide: see kernel/README.md, \"Adding a kernel version\"." "$log"; then
		echo "kcheck-selftest: C: $errors compiler errors, or no sentence naming vfio_batch_frobnicate(), see $log"
		fails=$((fails + 1))
		return
	fi
	echo "kcheck-selftest: C (calls a function no kernel has): stopped at its one error, named"
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
unbuildable "$tmp/c"
run 5-default "make kcheck (the Debian trees)" pass
same "make kcheck's 6.12" "$a_counts"

echo "kcheck-selftest: $((6 - fails)) of 6 runs reported what they should ($(( $(date +%s) - start )) s)"
[ "$fails" -eq 0 ]
