// SPDX-License-Identifier: MIT
/*
 * dirty.c - dirty page tracking: VFIO_IOMMU_DIRTY_PAGES and the
 * per-mapping bitmaps behind it.
 *
 * While tracking, every mapping has a bitmap with one bit per page of the
 * container's smallest IOMMU page size, sized when it is allocated, plus
 * one spare word so that the bits can be shifted in place onto the user's
 * word grid.  A bit is set by a vendor driver's pin or dma_rw write; a
 * report hands the bits out and restarts from the pages still pinned.  As
 * long as some IOMMU-backed group has not declared itself through pinning,
 * every mapping present in the IOMMU is reported wholly dirty.
 *
 * The page size can change while tracking (a domain with other page sizes
 * comes or goes); the kernel then indexes its bitmaps with the new size,
 * past their end when it shrinks, and reports bits of the old size as if
 * they were of the new one.  Here a bitmap has room for one bit per CPU
 * page, the finest size the container can ever offer, and a change of
 * size re-expresses every bitmap in the new size without dropping a dirty
 * page.  Accesses stay bounded by the room the bitmap has; going beyond
 * it is a WARN.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>

#include "type1/type1.h"

/* Bytes of a user dirty bitmap for n pages: whole u64 words (wraps like the kernel's). */
static uint64_t t1_bitmap_bytes(uint64_t n)
{
	return ((n + 63) & ~(uint64_t)63) / 8;
}

/* The largest bitmap: bitmap_set() counts bits in an int. */
#define T1_BITMAP_PAGES_MAX	((uint64_t)INT_MAX)
#define T1_BITMAP_BYTES_MAX	(((T1_BITMAP_PAGES_MAX + 63) & ~(uint64_t)63) / 8)

/*
 * The page size DIRTY_PAGES_FLAG_START sizes bitmaps with.  The kernel
 * computes it as an int shift, 1 << __ffs(): x86 takes the count modulo
 * 32 and bit 31 comes out negative, sign-extended into size_t.  Only
 * exotic minimum IOMMU page sizes (2 GiB and up) see the difference.
 */
uint64_t t1_start_pgsize(uint64_t pgsize_bitmap)
{
	uint32_t bit = (uint32_t)1 << (t1_ffs(pgsize_bitmap) & 31);

	return (uint64_t)(int64_t)(int32_t)bit;
}

/* divergence: see docs/divergences.md (4) */
int t1_bitmap_alloc(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t pgsize)
{
	uint64_t pages = dma->size / pgsize;
	uint64_t room = t1_shr(dma->size, t1_page_shift(iommu));

	if (pages > T1_BITMAP_PAGES_MAX)
		return -EINVAL;
	if (room < pages)
		room = pages;
	dma->bitmap = host_alloc(iommu->h, t1_bitmap_bytes(room) + sizeof(uint64_t), true);
	if (!dma->bitmap)
		return -ENOMEM;
	dma->bitmap_pages = room;
	return 0;
}

/* Pages of pgshift size a mapping spans: a partial last page counts. */
static uint64_t t1_dirty_nbits(const struct t1_dma *dma, unsigned int pgshift)
{
	uint64_t n = t1_shr(dma->size, pgshift);

	if (pgshift < 64 && (dma->size & ((1ULL << pgshift) - 1)))
		n++;
	return n;
}

/* Coarser pages: a page is dirty if any of the smaller ones it holds is. */
static void t1_rescale_up(unsigned long *w, uint64_t old_n, uint64_t new_n, unsigned int r)
{
	uint64_t i;

	for (i = 0; i < new_n; i++) {
		uint64_t lo = i << r, hi = lo + (1ULL << r);

		if (hi > old_n)
			hi = old_n;
		if (find_next_bit(w, hi, lo) < hi)
			set_bit(i, w);
		else
			clear_bit(i, w);
	}
	if (old_n > new_n)
		bitmap_clear(w, new_n, old_n - new_n);
}

/* Finer pages: every small page of a dirty large one is dirty. */
static void t1_rescale_down(unsigned long *w, uint64_t old_n, uint64_t new_n, unsigned int r)
{
	uint64_t i = old_n;

	while (i--) {
		uint64_t lo = i << r, n = 1ULL << r;
		bool dirty = test_bit(i, w);

		if (lo >= new_n)
			continue;
		if (n > new_n - lo)
			n = new_n - lo;
		if (dirty)
			bitmap_set(w, lo, n);
		else
			bitmap_clear(w, lo, n);
	}
}

/*
 * The container's smallest page size went from 2^old_shift to 2^new_shift
 * while tracking: the bits keep their meaning, in the new unit.
 */
/* divergence: see docs/divergences.md (4) */
void t1_dirty_rescale(struct t1_iommu *iommu, unsigned int old_shift, unsigned int new_shift)
{
	struct t1_dma *dma;

	if (!iommu->tracking || old_shift == new_shift || old_shift >= 64 || new_shift >= 64)
		return;
	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma)) {
		uint64_t old_n = t1_dirty_nbits(dma, old_shift);
		uint64_t new_n = t1_dirty_nbits(dma, new_shift);

		if (!dma->bitmap)
			continue;
		if (old_n > dma->bitmap_pages)
			old_n = dma->bitmap_pages;
		if (new_n > dma->bitmap_pages) {
			HOST_WARN(iommu->h, "a %llu-page bitmap cannot hold %llu pages",
				  (unsigned long long)dma->bitmap_pages,
				  (unsigned long long)new_n);
			new_n = dma->bitmap_pages;
		}
		if (new_shift > old_shift)
			t1_rescale_up(dma->bitmap, old_n, new_n, new_shift - old_shift);
		else
			t1_rescale_down(dma->bitmap, old_n, new_n, old_shift - new_shift);
	}
}

void t1_bitmap_free(struct t1_iommu *iommu, struct t1_dma *dma)
{
	host_free(iommu->h, dma->bitmap);
	dma->bitmap = NULL;
	dma->bitmap_pages = 0;
}

/* Clips [first, first + *nbits) to the bitmap; false if nothing is left. */
static bool t1_dirty_clip(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t first,
			  uint64_t *nbits)
{
	if (!dma->bitmap || !*nbits)
		return false;
	if (first >= dma->bitmap_pages || *nbits > dma->bitmap_pages - first) {
		HOST_WARN(iommu->h, "dirty bits %llu+%llu past a %llu-page bitmap",
			  (unsigned long long)first, (unsigned long long)*nbits,
			  (unsigned long long)dma->bitmap_pages);
		if (first >= dma->bitmap_pages)
			return false;
		*nbits = dma->bitmap_pages - first;
	}
	return true;
}

void t1_dirty_mark(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t first,
		   uint64_t nbits)
{
	if (t1_dirty_clip(iommu, dma, first, &nbits))
		bitmap_set(dma->bitmap, first, nbits);
}

/* Pinned pages count as dirty for as long as they stay pinned. */
static void t1_dirty_mark_pinned(struct t1_iommu *iommu, struct t1_dma *dma,
				 unsigned int pgshift)
{
	struct rb_node *p;

	for (p = rb_first(&dma->pfns); p; p = rb_next(p)) {
		struct t1_pfn *vpfn = rb_entry(p, struct t1_pfn, node);

		t1_dirty_mark(iommu, dma, t1_shr(vpfn->iova - dma->iova, pgshift), 1);
	}
}

/* After a report: only what is pinned now stays dirty. */
static void t1_dirty_restart(struct t1_iommu *iommu, struct t1_dma *dma, unsigned int pgshift)
{
	uint64_t nbits = t1_dirty_nbits(dma, pgshift);

	if (t1_dirty_clip(iommu, dma, 0, &nbits))
		bitmap_clear(dma->bitmap, 0, nbits);
	t1_dirty_mark_pinned(iommu, dma, pgshift);
}

/* Every page of every mapping (or of those in the IOMMU) dirty. */
void t1_dirty_fill_all(struct t1_iommu *iommu, bool iommu_mapped_only)
{
	unsigned int pgshift = t1_ffs(iommu->pgsize_bitmap);
	struct t1_dma *dma;

	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma))
		if (!iommu_mapped_only || dma->iommu_mapped)
			t1_dirty_mark(iommu, dma, 0, t1_dirty_nbits(dma, pgshift));
}

static int t1_bitmap_alloc_all(struct t1_iommu *iommu, uint64_t pgsize)
{
	struct t1_dma *dma, *undo;
	int ret;

	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma)) {
		ret = t1_bitmap_alloc(iommu, dma, pgsize);
		if (ret) {
			for (undo = t1_dma_prev(dma); undo; undo = t1_dma_prev(undo))
				t1_bitmap_free(iommu, undo);
			return ret;
		}
		t1_dirty_mark_pinned(iommu, dma, t1_ffs(pgsize));
	}
	return 0;
}

static void t1_bitmap_free_all(struct t1_iommu *iommu)
{
	struct t1_dma *dma;

	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma))
		t1_bitmap_free(iommu, dma);
}

int t1_verify_bitmap_size(uint64_t npages, uint64_t bytes)
{
	if (!npages || !bytes || bytes > T1_BITMAP_BYTES_MAX || bytes < t1_bitmap_bytes(npages))
		return -EINVAL;
	return 0;
}

/* Undoes the in-place shift of t1_dirty_copy_out(), dropping the user's bits. */
static void t1_unshift(unsigned long *w, uint64_t nwords, unsigned int lead, uint64_t nbits)
{
	uint64_t i, keep = BITS_TO_LONGS(nbits);

	for (i = 0; i < nwords; i++) {
		w[i] >>= lead;
		if (i + 1 < nwords)
			w[i] |= w[i + 1] << (BITS_PER_LONG - lead);
	}
	if (nbits % BITS_PER_LONG)
		w[keep - 1] &= BITMAP_LAST_WORD_MASK(nbits);
	for (i = keep; i < nwords; i++)
		w[i] = 0;
}

/*
 * Writes the mapping's bits into the user's bitmap, whose bit 0 stands
 * for base_iova.  The bits are shifted in place onto the user's 64-bit
 * words (the spare word takes the overflow), the user's own bits in the
 * two edge words are merged in, everything goes out in one copy, and the
 * shift is undone: the caller decides when the bits may be dropped.
 */
int t1_dirty_copy_out(struct t1_iommu *iommu, uint64_t ubitmap, struct t1_dma *dma,
		      uint64_t base_iova, uint64_t pgsize)
{
	struct vfiosim_host *h = iommu->h;
	unsigned int pgshift = t1_ffs(pgsize), lead, tail;
	uint64_t nbits = t1_dirty_nbits(dma, pgshift);
	uint64_t first = t1_shr(dma->iova - base_iova, pgshift);
	uint64_t uaddr = ubitmap + first / BITS_PER_LONG * sizeof(uint64_t), nwords;
	unsigned long head = 0, end = 0, *w = dma->bitmap;
	int ret = 0;

	if (!t1_dirty_clip(iommu, dma, 0, &nbits))
		return 0;
	/* Devices that may write anywhere they are mapped make all of it dirty. */
	if (t1_scope_all_dirty(iommu, dma))
		bitmap_set(w, 0, nbits);

	lead = first % BITS_PER_LONG;
	tail = (lead + nbits) % BITS_PER_LONG;
	nwords = BITS_TO_LONGS(lead + nbits);
	if (lead && host_copy_from_user(h, &head, uaddr, sizeof(head)))
		return -EFAULT;
	if (tail && nwords == 1 && lead)
		end = head;
	else if (tail && host_copy_from_user(h, &end, uaddr + (nwords - 1) * sizeof(end),
					     sizeof(end)))
		return -EFAULT;

	if (lead)
		bitmap_shift_left(w, w, lead, (unsigned int)(lead + nbits));
	else if (tail)
		w[nwords - 1] &= BITMAP_LAST_WORD_MASK(nbits);
	w[0] |= head & ~BITMAP_FIRST_WORD_MASK(lead);
	if (tail)
		w[nwords - 1] |= end & BITMAP_FIRST_WORD_MASK(tail);
	if (host_copy_to_user(h, uaddr, w, nwords * sizeof(*w)))
		ret = -EFAULT;

	if (lead)
		t1_unshift(w, nwords, lead, nbits);
	else if (tail)
		w[nwords - 1] &= BITMAP_LAST_WORD_MASK(nbits);
	return ret;
}

/*
 * GET_BITMAP over [iova, iova + size), which must not cut a mapping.  The
 * kernel restarts each mapping's bitmap right after copying it, so when a
 * later copy faults the earlier mappings' dirty pages are lost.  Here the
 * bitmaps restart only after every copy went through.
 */
/* divergence: see docs/divergences.md (1) */
static int t1_dirty_get(struct t1_iommu *iommu, uint64_t ubitmap, uint64_t iova, uint64_t size,
			uint64_t pgsize)
{
	uint64_t last = iova + size - 1;
	struct t1_dma *dma;
	int ret;

	dma = t1_dma_find(iommu, iova, 1);
	if (dma && dma->iova != iova)
		return -EINVAL;
	dma = t1_dma_find(iommu, last, 0);
	if (dma && t1_dma_end(dma) != iova + size)
		return -EINVAL;

	for (dma = t1_dma_ceil(iommu, iova); dma && dma->iova <= last; dma = t1_dma_next(dma)) {
		ret = t1_dirty_copy_out(iommu, ubitmap, dma, iova, pgsize);
		if (ret)
			return ret;
	}
	for (dma = t1_dma_ceil(iommu, iova); dma && dma->iova <= last; dma = t1_dma_next(dma))
		t1_dirty_restart(iommu, dma, t1_ffs(pgsize));
	return 0;
}

static long t1_dirty_get_bitmap(struct t1_iommu *iommu, unsigned long arg, size_t minsz,
				uint32_t argsz)
{
	struct vfio_iommu_type1_dirty_bitmap_get req;
	uint64_t ubitmap, pgsize;
	int ret;

	if (argsz - minsz < sizeof(req))
		return -EINVAL;
	if (host_copy_from_user(iommu->h, &req, arg + minsz, sizeof(req)))
		return -EFAULT;
	if (req.size > UINT64_MAX - req.iova)
		return -EINVAL;
	ubitmap = (uint64_t)(uintptr_t)req.bitmap.data;
	if (!host_access_ok(iommu->h, ubitmap, req.bitmap.size))
		return -EINVAL;
	ret = t1_verify_bitmap_size(t1_shr(req.size, t1_ffs(req.bitmap.pgsize)), req.bitmap.size);
	if (ret)
		return ret;

	/* Only the smallest page size the container offers. */
	pgsize = t1_min_pgsize(iommu);
	if (req.bitmap.pgsize != pgsize)
		return -EINVAL;
	if (req.iova & (pgsize - 1))
		return -EINVAL;
	if (!req.size || (req.size & (pgsize - 1)))
		return -EINVAL;
	if (!iommu->tracking)
		return -EINVAL;
	return t1_dirty_get(iommu, ubitmap, req.iova, req.size, pgsize);
}

long t1_ioctl_dirty_pages(struct t1_iommu *iommu, unsigned long arg)
{
	const uint32_t known = VFIO_IOMMU_DIRTY_PAGES_FLAG_START |
			       VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP |
			       VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	const size_t minsz = offsetof(struct vfio_iommu_type1_dirty_bitmap, flags) +
			     sizeof(uint32_t);
	struct vfio_iommu_type1_dirty_bitmap hdr;
	int ret;

	if (!iommu->v2)
		return -EACCES;
	if (host_copy_from_user(iommu->h, &hdr, arg, minsz))
		return -EFAULT;
	if (hdr.argsz < minsz || (hdr.flags & ~known))
		return -EINVAL;

	/* Exactly one flag; none at all fails too, whatever __fls(0) gives. */
	switch (hdr.flags) {
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_START:
		if (iommu->tracking)
			return 0;
		ret = t1_bitmap_alloc_all(iommu, t1_start_pgsize(iommu->pgsize_bitmap));
		if (!ret)
			iommu->tracking = true;
		return ret;
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP:
		if (iommu->tracking) {
			iommu->tracking = false;
			t1_bitmap_free_all(iommu);
		}
		return 0;
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP:
		return t1_dirty_get_bitmap(iommu, arg, minsz, hdr.argsz);
	default:
		return -EINVAL;
	}
}
