// SPDX-License-Identifier: MIT
/*
 * dirty.c - dirty page tracking: VFIO_IOMMU_DIRTY_PAGES, the per-mapping
 * bitmaps behind it, and the report that hands their bits to the user.
 *
 * While tracking, every mapping has a bitmap with one bit per page of the
 * container's smallest IOMMU page size, sized when it is allocated, plus
 * a spare word (type1.h).  A bit is set by a vendor driver's pin or dma_rw
 * write; a report hands the bits out and restarts from the pages still
 * pinned.  As long as some IOMMU-backed group has not declared itself
 * through pinning, every mapping present in the IOMMU is reported wholly
 * dirty.  Every bit is set through here, and every change to a bitmap is
 * told to the fast copy-out's bookkeeping (fast.h).
 *
 * The page size can change while tracking (a domain with other page sizes
 * comes or goes); the kernel then indexes its bitmaps with the new size,
 * past their end when it shrinks, and reports bits of the old size as if
 * they were of the new one.  Here a bitmap has room for one bit per CPU
 * page, the finest size the container can ever offer, and a change of
 * size re-expresses every bitmap in the new size without dropping a dirty
 * page.  Accesses stay bounded by the room the bitmap has; going beyond
 * it is a WARN.
 *
 * What GET_BITMAP's arguments must be is in bitmap_args.c, with UNMAP's.
 */
#include <errno.h>
#include <stddef.h>

#include "type1/strategy.h"
#include "type1/type1.h"

/*
 * Building with -DT1_COPY_DEFAULT=T1_COPY_KERNEL runs every test through
 * the kernel's algorithm.
 */
#ifndef T1_COPY_DEFAULT
#define T1_COPY_DEFAULT		T1_COPY_FAST
#endif

static enum t1_copy_strategy t1_strategy = T1_COPY_DEFAULT;

void t1_copy_strategy_set(enum t1_copy_strategy s)
{
	if (s < T1_COPY_NR)
		t1_strategy = s;
}

enum t1_copy_strategy t1_copy_strategy_get(void)
{
	return t1_strategy;
}

const char *t1_copy_strategy_name(enum t1_copy_strategy s)
{
	static const char *const names[T1_COPY_NR] = {
		[T1_COPY_FAST] = "fast",
		[T1_COPY_KERNEL] = "kernel-alg",
	};

	return s < T1_COPY_NR ? names[s] : NULL;
}

/*
 * The page size the START branch of vfio_iommu_type1_dirty_pages() sizes
 * bitmaps with.  The kernel computes it as an int shift, 1 << __ffs(): x86
 * takes the count modulo 32 and bit 31 comes out negative, sign-extended
 * into size_t.  Only exotic minimum IOMMU page sizes (2 GiB and up) see the
 * difference.
 */
uint64_t t1_start_pgsize(uint64_t pgsize_bitmap)
{
	uint32_t bit = (uint32_t)1 << (t1_ffs(pgsize_bitmap) & 31);

	return (uint64_t)(int64_t)(int32_t)bit;
}

/*
 * vfio_dma_bitmap_alloc(), with room for a bit per CPU page however large
 * pgsize is, and the fast copy-out's words behind it.
 */
/* divergence: see docs/divergences.md (4) */
int t1_bitmap_alloc(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t pgsize)
{
	uint64_t pages = dma->size / pgsize, words;
	uint64_t room = t1_shr(dma->size, t1_page_shift(iommu));

	if (pages > T1_BITMAP_PAGES_MAX)
		return -EINVAL;
	if (room < pages)
		room = pages;
	words = t1_bitmap_words(room) + t1_fast_summary_words(room);
	dma->bitmap = host_alloc(iommu->h, words * sizeof(uint64_t), true);
	if (!dma->bitmap)
		return -ENOMEM;
	dma->bitmap_pages = room;
	t1_fast_bitmap_reset(iommu, dma);
	return 0;
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
 * while tracking: the bits keep their meaning, in the new unit.  (After
 * vfio_update_pgsize_bitmap() the kernel leaves its bitmaps as they are.)
 */
/* divergence: see docs/divergences.md (4) */
void t1_dirty_rescale(struct t1_iommu *iommu, unsigned int old_shift, unsigned int new_shift)
{
	struct t1_dma *dma;

	/* The index counts bits in the old size; the summaries are rebuilt. */
	t1_fast_stale(iommu);
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
		t1_fast_rewritten(dma);
	}
}

/* vfio_dma_bitmap_free() */
void t1_bitmap_free(struct t1_iommu *iommu, struct t1_dma *dma)
{
	host_free(iommu->h, dma->bitmap);
	dma->bitmap = NULL;
	dma->bitmap_pages = 0;
	t1_fast_bitmap_reset(iommu, dma);
}

/* Every access to a bitmap is bounded by its room (type1.h). */
bool t1_dirty_clip(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t first,
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

/*
 * The bitmap_set() of vfio_iommu_type1_pin_pages() and of
 * vfio_iommu_type1_dma_rw_chunk(), bounded by the bitmap's room: beyond it
 * is a WARN.
 */
void t1_dirty_mark(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t first,
		   uint64_t nbits)
{
	if (t1_dirty_clip(iommu, dma, first, &nbits))
		bitmap_set(dma->bitmap, first, nbits);
	else
		nbits = 0;
	t1_fast_marked(iommu, dma, first, nbits);
}

/*
 * vfio_dma_populate_bitmap(): pinned pages count as dirty for as long as
 * they stay pinned.  False if one of them has no bit in the bitmap (a
 * WARN).  The caller tells the fast copy-out's bookkeeping when done
 * (t1_fast_repopulated()).
 */
bool t1_dirty_mark_pinned(struct t1_iommu *iommu, struct t1_dma *dma, unsigned int pgshift)
{
	bool all = true;
	struct rb_node *p;

	for (p = rb_first(&dma->pfns); p; p = rb_next(p)) {
		struct t1_pfn *vpfn = rb_entry(p, struct t1_pfn, node);
		uint64_t bit = t1_shr(vpfn->iova - dma->iova, pgshift);

		/* One bit at a time, on every report: no clipping in the common case. */
		if (dma->bitmap && bit < dma->bitmap_pages) {
			set_bit(bit, dma->bitmap);
			t1_fast_marked_bit(dma, bit);
		} else {
			t1_dirty_mark(iommu, dma, bit, 1);
			all = false;
		}
	}
	return all;
}

/*
 * vfio_iommu_populate_bitmap_full(): every page of every mapping dirty;
 * with iommu_mapped_only, of those in the IOMMU (divergence 3, scope.c).
 */
void t1_dirty_fill_all(struct t1_iommu *iommu, bool iommu_mapped_only)
{
	unsigned int pgshift = t1_ffs(iommu->pgsize_bitmap);
	struct t1_dma *dma;

	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma))
		if (!iommu_mapped_only || dma->iommu_mapped)
			t1_dirty_mark(iommu, dma, 0, t1_dirty_nbits(dma, pgshift));
}

/* vfio_dma_bitmap_alloc_all() */
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
		t1_fast_repopulated(iommu, dma, t1_dirty_mark_pinned(iommu, dma, t1_ffs(pgsize)));
	}
	return 0;
}

/* vfio_dma_bitmap_free_all() */
static void t1_bitmap_free_all(struct t1_iommu *iommu)
{
	struct t1_dma *dma;

	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma))
		t1_bitmap_free(iommu, dma);
}

/*
 * vfio_iova_dirty_bitmap() with update_user_bitmap(): writes the bits of
 * every mapping that starts in [iova, iova + size) into the user's bitmap,
 * whose bit 0 stands for iova, through the copy-out chosen (strategy.h).
 * With restart (a GET) the mappings then start over from their pinned
 * pages; without (an UNMAP) the caller removes them.  Unlike the kernel,
 * nothing changes before every copy went through: on -EFAULT every bit is
 * still there for the next report.
 */
/* divergence: see docs/divergences.md (1, 2, 5) */
int t1_dirty_report(struct t1_iommu *iommu, uint64_t ubitmap, uint64_t iova, uint64_t size,
		    uint64_t pgsize, bool restart)
{
	unsigned int pgshift = t1_ffs(pgsize);

	t1_provider_harvest(iommu, iova, iova + size - 1);
	if (t1_strategy == T1_COPY_KERNEL)
		return t1_report_kernel(iommu, ubitmap, iova, iova + size - 1, pgshift, restart);
	return t1_fast_report(iommu, ubitmap, iova, size, pgshift, restart);
}

/* The GET_BITMAP branch of vfio_iommu_type1_dirty_pages(). */
static long t1_dirty_get_bitmap(struct t1_iommu *iommu, unsigned long arg, size_t minsz,
				uint32_t argsz)
{
	struct vfio_iommu_type1_dirty_bitmap_get req;
	uint64_t pgsize;
	int ret;

	if (argsz - minsz < sizeof(req))
		return -EINVAL;
	if (host_copy_from_user(iommu->h, &req, arg + minsz, sizeof(req)))
		return -EFAULT;
	/*
	 * A range may end at 2^64 (Linux before 6.19 refuses one: docs/
	 * divergences.md 8); one that wraps is -EOVERFLOW since, after
	 * refusing size 0.
	 */
	if (t1_since(iommu, T1_EOVERFLOW) && !req.size)
		return -EINVAL;
	if (req.iova + req.size - 1 < req.iova && req.size)
		return t1_since(iommu, T1_EOVERFLOW) ? -EOVERFLOW : -EINVAL;
	ret = t1_bitmap_arg_check(iommu, &req.bitmap, req.size);
	if (ret)
		return ret;

	/* Each of these is -EINVAL: their order does not show. */
	ret = t1_bitmap_unit_check(iommu, req.bitmap.pgsize);
	if (ret)
		return ret;
	pgsize = t1_min_pgsize(iommu);
	if (req.iova & (pgsize - 1))
		return -EINVAL;
	if (!req.size || (req.size & (pgsize - 1)))
		return -EINVAL;
	/* vfio_iova_dirty_bitmap(): the range must not cut a mapping. */
	if (t1_range_cuts_dma(iommu, req.iova, req.iova + req.size - 1))
		return -EINVAL;
	return t1_dirty_report(iommu, (uint64_t)(uintptr_t)req.bitmap.data, req.iova, req.size,
			       pgsize, true);
}

/* vfio_iommu_type1_dirty_pages(). */
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
		if (!ret) {
			iommu->tracking = true;
			t1_provider_tracking(iommu);
		}
		return ret;
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP:
		if (iommu->tracking) {
			iommu->tracking = false;
			t1_bitmap_free_all(iommu);
			t1_provider_tracking(iommu);
		}
		return 0;
	case VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP:
		return t1_dirty_get_bitmap(iommu, arg, minsz, hdr.argsz);
	default:
		return -EINVAL;
	}
}
