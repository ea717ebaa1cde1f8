#!/usr/bin/env bash
# One-line mutations of Linux 6.12's vfio_iommu_type1.c, each of which kcheck
# must build and catch (a build failure is not a catch).  Several only draw
# warnings beyond the kernel's default set (-Wextra's empty-body, sign-compare,
# type-limits), which used to stop the build; the kernel's own warnings
# (unused variable, implicit fallthrough) are printed, never fatal
# (kernel/README.md, "Warnings").
#
#   kernel/mutants.sh [KSRC] [NAME...]   KSRC: a 6.12 tree (default: the kcheck
#                                        cache); NAMEs: a subset
#
# Each mutation is a sed script applied at run time to a copy of the tree; it
# must change exactly one line.  Builds into build/kernel-mutants/, logs there.
# Prints one verdict per mutation; exits non-zero if any is not caught.  About
# 12 s per mutation on two cores.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ $# -ge 1 ] && [ -d "$1" ]; then
	src=$1
	shift
else
	src=$(kernel/ksrc.sh tree 6.12 kernel/mutants.sh)
fi
out=build/kernel-mutants
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tree=$tmp/linux
type1=drivers/vfio/vfio_iommu_type1.c
mkdir -p "$out"

# name  sed script  (what it breaks)
mutants=(
	# empty bodies (-Wempty-body: -Wextra)
	"empty-body-scope	s#^\(\t*if (iommu->num_non_pinned_groups && dma->iommu_mapped)\)\$#\1 ;#"
	"empty-body-v1-unmap	s#^\(\t*if (!iommu->v2 && iova > dma->iova)\)\$#\1 ;#"
	# bitmap sizes and positions
	"bitmap-no-slack	s#kvzalloc(DIRTY_BITMAP_BYTES(npages) + sizeof(u64),#kvzalloc(DIRTY_BITMAP_BYTES(npages),#"
	"verify-size-short	s#(bitmap_size < DIRTY_BITMAP_BYTES(npages)))#(bitmap_size < DIRTY_BITMAP_BYTES(npages - 1)))#"
	"verify-size-max	s#(bitmap_size > DIRTY_BITMAP_SIZE_MAX)#(bitmap_size >= DIRTY_BITMAP_SIZE_MAX)#"
	"start-pgsize-double	s#pgsize = 1 << __ffs(iommu->pgsize_bitmap);#pgsize = 2 << __ffs(iommu->pgsize_bitmap);#"
	"leftover-short	s#&leftover, shift);#\&leftover, shift - 1);#"
	"populate-next-bit	s#(vpfn->iova - dma->iova) >> pgshift, 1);#((vpfn->iova - dma->iova) >> pgshift) + 1, 1);#"
	# dropped or short dirty marks
	"pin-no-dirty	s#^\([ \t]*(iova - dma->iova) >> pgshift, \)1);\$#\10);#"
	"rw-one-page-short	s#^\([ \t]*(offset >> pgshift)\) + 1);\$#\1);#"
	"scope-or	s#if (iommu->num_non_pinned_groups && dma->iommu_mapped)#if (iommu->num_non_pinned_groups || dma->iommu_mapped)#"
	"scope-count-up	/^static int vfio_iommu_type1_pin_pages/,/^}/s#^\(\t*iommu->num_non_pinned_groups\)--;\$#\1++;#"
	# unused variable (-Wunused-variable, the kernel's own): the clear after a read dropped
	"unused-no-clear	s#^\(\t*\)bitmap_clear(dma->bitmap, 0, dma->size >> pgshift);\$#\1unsigned long stale = dma->size >> pgshift;#"
	# missing break (-Wimplicit-fallthrough, the kernel's own): a v1 container opens as nesting v2
	"fallthrough-v1	/^\tcase VFIO_TYPE1_IOMMU:\$/{n;s#^\t\tbreak;\$##}"
	# signedness (-Wsign-compare, -Wtype-limits: -Wextra): pin errors ignored
	"sign-npage	/^static int vfio_pin_map_dma/,/^}/s#^\(\t*if (npage <= 0\)) {\$#\1UL) {#"
	"unsigned-ret	s#^\tlong ret, pinned = 0, lock_acct = 0;\$#\tunsigned long ret, pinned = 0, lock_acct = 0;#"
	# range ends and error numbers
	"unmap-end-inclusive	s#^\(\t*if (dma->iova \)>= iova + size)\$#\1> iova + size)#"
	"errno-dirty-v1	/^static int vfio_iommu_type1_dirty_pages/,/^}/s#^\(\t\treturn -\)EACCES;\$#\1EPERM;#"
	"errno-ioctl	s#^\(\t\treturn -\)ENOTTY;\$#\1EINVAL;#"
)

[ "$(kernel/ksrc.sh version "$src")" = 6.12 ] || { echo "mutants: $src is not Linux 6.12"; exit 2; }
status=0 caught=0 total=0
for m in "${mutants[@]}"; do
	name=${m%%	*}
	script=${m#*	}
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qxF "$name"; then
		continue
	fi
	total=$((total + 1))
	kernel/ksrc.sh copy "$src" "$tree"
	sed -i -e "$script" "$tree/$type1"
	changed=$(diff "$src/$type1" "$tree/$type1" | grep -c '^>' || true)
	if [ "$changed" -ne 1 ]; then
		echo "mutants: $name changed $changed lines, not 1 (has the tree moved on?)"
		status=1
		continue
	fi
	log=$out/$name.log
	rm -f "$out/kcheck.result"
	if make --no-print-directory kcheck KSRC="$tree" KCHECK_O="$out" >"$log" 2>&1; then
		verdict="NOT CAUGHT (kcheck passed)"
		status=1
	elif [ ! -f "$out/kcheck.result" ]; then
		verdict="NOT CAUGHT (the build failed)"
		status=1
	else
		verdict="caught: $(cut -d' ' -f2 "$out/kcheck.result") failing test(s), first:"
		verdict="$verdict $(grep -m1 -E '^(FAIL|XPASS) ' "$log" | sed 's/^[A-Z]* *//')"
		caught=$((caught + 1))
	fi
	warned=$(grep -F "$tree/$type1:" "$log" | grep -oE '\[-W[^]]+\]' | sort -u | paste -sd' ' || true)
	echo "mutants: $name (${warned:-no warning}): $verdict"
done
echo "mutants: $caught of $total caught"
exit "$status"
