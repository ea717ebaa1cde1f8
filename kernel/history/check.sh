#!/usr/bin/env bash
# Proves that kcheck catches the dirty-tracking bugs type1 had after v5.8:
# each kernel/history/NN-*.patch puts one fixed bug back into a tree's
# vfio_iommu_type1.c, and 'make kcheck' must then fail tests that pass on
# the unpatched tree.
#
#   kernel/history/check.sh [KSRC | X.Y]   a tree, or the cached Debian tree of
#                                          Linux X.Y (fetched if missing);
#                                          default 6.12.  The patches are
#                                          written against 6.12 and apply to
#                                          7.3 as they are (hunks without
#                                          context: patch finds the lines)
#
# Works on a copy of the few files kcheck reads, in a temporary directory,
# and builds into build/kernel-history/.  Prints one verdict per patch: the
# tests it makes fail that the unpatched tree passes.  Exits non-zero if the
# baseline fails (the patches are still judged against its failures), a
# patch does not apply or build, or one is not caught.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
arg=${1:-6.12}
if [[ $arg =~ ^[0-9]+\.[0-9]+$ ]]; then
	src=$(kernel/ksrc.sh tree "$arg" kernel/history/check.sh)
else
	src=$arg
fi
kernel/ksrc.sh check "$src"
ver=$(kernel/ksrc.sh version "$src")
out=build/kernel-history
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tree=$tmp/linux
mkdir -p "$out"

# fresh_tree: the pristine files of src, in the same place every time (kcheck
# keys its build to the content, kernel/ksrc.sh, not to the files' dates).
fresh_tree() {
	kernel/ksrc.sh copy "$src" "$tree"
}

# run_kcheck LOG: kcheck on the tree; 0 if it passed.
run_kcheck() {
	make --no-print-directory kcheck KSRC="$tree" KCHECK_O="$out" >"$1" 2>&1
}

# failing LOG: the tests a kcheck log reports failing, one per line.
failing() {
	{ grep -E '^(FAIL|XPASS) ' "$1" || true; } | sed -e 's/^[A-Z]* *//' -e 's/: .*//' | sort -u
}

status=0
fresh_tree
if run_kcheck "$out/baseline.log"; then
	echo "history: baseline (unpatched $ver) passes"
elif grep -q '^kcheck Linux' "$out/baseline.log"; then
	echo "history: baseline (unpatched $ver) FAILS $(failing "$out/baseline.log" | wc -l)" \
		"tests, see $out/baseline.log; patches are judged by the failures they add"
	status=1
else
	echo "history: baseline (unpatched $ver) does not build, see $out/baseline.log"
	exit 1
fi
failing "$out/baseline.log" >"$tmp/baseline"
for p in kernel/history/[0-9]*.patch; do
	name=$(basename "$p" .patch)
	fresh_tree
	if ! patch -s -p1 -d "$tree" <"$p" >"$tmp/patch.log" 2>&1; then
		echo "history: $name does not apply to $ver: $(head -n 1 "$tmp/patch.log")"
		status=1
		continue
	fi
	log=$out/$name.log
	if run_kcheck "$log"; then
		echo "history: $name NOT CAUGHT (kcheck passed), see $log"
		status=1
		continue
	fi
	if ! grep -q '^kcheck Linux' "$log"; then
		echo "history: $name does not build on $ver, see $log"
		status=1
		continue
	fi
	failing "$log" | comm -13 "$tmp/baseline" - >"$tmp/new"
	if [ ! -s "$tmp/new" ]; then
		echo "history: $name NOT CAUGHT (no test fails that the baseline passes), see $log"
		status=1
	else
		echo "history: $name caught: $(wc -l <"$tmp/new") failing test(s), first: $(head -n 1 "$tmp/new")"
	fi
done
exit "$status"
