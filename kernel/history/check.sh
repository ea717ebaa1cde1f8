#!/usr/bin/env bash
# Proves that kcheck catches the dirty-tracking bugs type1 had after v5.8:
# each kernel/history/NN-*.patch puts one fixed bug back into Linux 6.12's
# vfio_iommu_type1.c, and 'make kcheck' must then fail; the unpatched tree
# must pass.
#
#   kernel/history/check.sh [KSRC]      KSRC: a 6.12 tree (default: the kcheck
#                                       cache, fetched if missing)
#
# Works on a copy of the few files kcheck reads, in a temporary directory,
# and builds into build/kernel-history/.  Prints one verdict per patch and
# exits non-zero if the baseline fails or any patch is not caught.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
src=${1:-$(kernel/ksrc.sh tree 6.12 kernel/history/check.sh)}
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

# run_kcheck LOG: 0 if kcheck passed.
run_kcheck() {
	make --no-print-directory kcheck KSRC="$tree" KCHECK_O="$out" >"$1" 2>&1
}

status=0
fresh_tree
grep -q '^PATCHLEVEL = 12$' "$tree/Makefile" || { echo "history: $src is not Linux 6.12"; exit 2; }
if run_kcheck "$out/baseline.log"; then
	echo "history: baseline (unpatched 6.12) passes"
else
	echo "history: baseline FAILS, see $out/baseline.log"
	exit 1
fi
for p in kernel/history/[0-9]*.patch; do
	name=$(basename "$p" .patch)
	fresh_tree
	if ! patch -s -p1 -d "$tree" <"$p"; then
		echo "history: $name does not apply"
		status=1
		continue
	fi
	log=$out/$name.log
	if run_kcheck "$log"; then
		echo "history: $name NOT CAUGHT (kcheck passed), see $log"
		status=1
	else
		caught=$(grep -cE '^(FAIL|XPASS) ' "$log" || true)
		echo "history: $name caught: $caught failing test(s), first: $(grep -m1 -E '^(FAIL|XPASS) ' "$log" || echo '(build)')"
	fi
done
exit "$status"
