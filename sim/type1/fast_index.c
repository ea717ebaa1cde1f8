// SPDX-License-Identifier: MIT
/*
 * fast_index.c - the fast copy-out's index of the mappings (fast.h).
 *
 * Walking thousands of tree nodes costs a cache miss or more per node,
 * every step depending on the last.  Reports walk an index instead: an
 * array of the mappings in order, rebuilt on the first walk after the
 * tree changed, whose entries can be fetched ahead.  Its entries are
 * values: a report places a quiet mapping (nothing marked, nothing
 * pinned) from its entry alone, and reads the bitmap of any other with
 * room for its bits through the entry, without a cache miss on the
 * mapping: the mappings' work overlaps when no step waits for one.
 * Whatever changes what an entry says makes the index stale
 * (t1_fast_stale()), or (marks and pins, too frequent for a rebuild)
 * updates the entry (t1_fast_note()); t1_fast_check() compares the two.
 * It is the simulator's own aid, not kernel state: plain malloc, out of
 * the reach of fault injection, and a walk without it (no memory) takes
 * the tree.
 */
#include <stdlib.h>

#include "type1/fast_internal.h"

void t1_fast_stale(struct t1_iommu *iommu)
{
	iommu->dma_index.ok = false;
}

/*
 * What an entry says of a mapping, its bits counted in pages of 2^shift
 * bytes.  With T1_ENT_NEXT the next mapping's bits follow its bits in any
 * report, wherever the report starts.
 */
static unsigned int t1_ent_flags(const struct t1_dma *dma, const struct t1_dma *next,
				 uint64_t nbits, unsigned int shift)
{
	unsigned int f = t1_fast_quiet(dma) ? T1_ENT_QUIET : 0;

	if (t1_dirty_room(dma, nbits))
		f |= T1_ENT_ROOM;
	if (dma->iommu_mapped)
		f |= T1_ENT_MAPPED;
	if (dma->fast.exact)
		f |= T1_ENT_EXACT;
	if (!RB_EMPTY_ROOT(&dma->pfns))
		f |= T1_ENT_PINNED;
	if (next && next->iova - 1 == t1_dma_last(dma) && shift < 64 &&
	    !(dma->size & ((1ULL << shift) - 1)))
		f |= T1_ENT_NEXT;
	return f;
}

/* The index's span of bitmaps takes in dma's. */
static void t1_ent_span(struct t1_fast_index *ix, const struct t1_dma *dma)
{
	uintptr_t a = (uintptr_t)dma->bitmap;

	if (!dma->bitmap)
		return;
	ix->lo = a < ix->lo ? a : ix->lo;
	a = t1_bitmap_end(dma);
	ix->hi = a > ix->hi ? a : ix->hi;
}

/* The first mapping of the index whose bitmap meets [a, z), else NULL. */
static const struct t1_dma *t1_index_meets(const struct t1_fast_index *ix, uintptr_t a,
					   uintptr_t z)
{
	const struct t1_dma *dma;
	unsigned long i;

	for (i = 0; i < ix->len; i++) {
		dma = ix->ents[i].dma;
		if (dma->bitmap && (uintptr_t)dma->bitmap < z && a < t1_bitmap_end(dma))
			return dma;
	}
	return NULL;
}

/*
 * The span answers for a window outside it.  One inside it, a buffer the
 * heap placed among the bitmaps (the allocator reuses what an earlier
 * container freed), is compared with each bitmap, once: a window found
 * apart is kept until the next rebuild, and the reports after it to the
 * same buffer are answered at once.
 */
bool t1_fast_index_apart(struct t1_fast_index *ix, uintptr_t a, uintptr_t z)
{
	if (z <= ix->lo || a >= ix->hi || (ix->apart_lo <= a && z <= ix->apart_hi))
		return true;
	if (t1_index_meets(ix, a, z))
		return false;
	ix->apart_lo = a;
	ix->apart_hi = z;
	return true;
}

/* Entries after v[i] linked to it end to end with the same static flags (fast_internal.h). */
static unsigned int t1_ent_chain(const struct t1_dma_ent *v, unsigned long i, unsigned long n)
{
	if (i + 1 >= n || !(v[i].flags & T1_ENT_NEXT) ||
	    (v[i].flags & T1_ENT_STATIC) != (v[i + 1].flags & T1_ENT_STATIC))
		return 0;
	return v[i + 1].chain + 1;
}

/*
 * The mappings in the tree's order, *len of them, each at its index_pos;
 * NULL without memory for it.  The entries' bits are counted in the
 * container's smallest page size of the moment.
 */
struct t1_dma_ent *t1_fast_index(struct t1_iommu *iommu, unsigned long *len)
{
	struct t1_fast_index *ix = &iommu->dma_index;
	unsigned int shift = t1_ffs(iommu->pgsize_bitmap);
	struct t1_dma *dma, *next;
	unsigned long n = 0, i, *loud;
	struct t1_dma_ent *v;

	if (!ix->ok) {
		n = t1_dma_count(iommu);
		if (n > ix->cap) {
			v = realloc(ix->ents, n * sizeof(*v));
			if (!v)
				return NULL;
			ix->ents = v;
			loud = realloc(ix->loud, BITS_TO_LONGS(n) * sizeof(*loud));
			if (!loud)
				return NULL;
			ix->loud = loud;
			ix->cap = n;
		}
		if (n)
			bitmap_zero(ix->loud, n);
		ix->lo = UINTPTR_MAX;
		ix->hi = 0;
		ix->apart_lo = ix->apart_hi = 0;
		n = 0;
		for (dma = t1_dma_first(iommu); dma; dma = next) {
			next = t1_dma_next(dma);
			v = ix->ents + n;
			dma->fast.index_pos = n++;
			v->iova = dma->iova;
			v->nbits = t1_dirty_nbits(dma, shift);
			v->dma = dma;
			v->flags = t1_ent_flags(dma, next, v->nbits, shift);
			v->bitmap = v->flags & T1_ENT_ROOM ? dma->bitmap : NULL;
			v->sum = v->bitmap ? t1_summary(dma) : NULL;
			if (!(v->flags & T1_ENT_QUIET))
				set_bit(n - 1, ix->loud);
			t1_ent_span(ix, dma);
		}
		for (i = n; i--;)
			ix->ents[i].chain = t1_ent_chain(ix->ents, i, n);
		ix->len = n;
		ix->shift = shift;
		ix->ok = true;
	}
	*len = ix->len;
	return ix->ents;
}

/* An index said to be up to date says of every mapping what it would if rebuilt. */
int t1_fast_index_check(struct t1_iommu *iommu, char *why, size_t len)
{
	const struct t1_fast_index *ix = &iommu->dma_index;
	struct t1_fast_index span = { .lo = UINTPTR_MAX };
	const struct t1_dma *meets;
	const struct t1_dma_ent *e;
	unsigned long i = 0;
	struct t1_dma *dma;

	if (!ix->ok)
		return 0;
	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma), i++) {
		t1_ent_span(&span, dma);
		if (i >= ix->len)
			return host_check_fail(why, len, "index of %lu mappings, the tree has more",
					       ix->len);
		e = ix->ents + i;
		if (e->dma != dma || dma->fast.index_pos != i || e->iova != dma->iova ||
		    e->nbits != t1_dirty_nbits(dma, ix->shift) ||
		    e->flags != t1_ent_flags(dma, t1_dma_next(dma), e->nbits, ix->shift) ||
		    e->bitmap != (e->flags & T1_ENT_ROOM ? dma->bitmap : NULL) ||
		    e->sum != (e->bitmap ? t1_summary(dma) : NULL) ||
		    test_bit(i, ix->loud) != !(e->flags & T1_ENT_QUIET))
			return host_check_fail(why, len, "index entry %lu (0x%llx, %llu bits, flags"
					       " %u) does not match mapping 0x%llx", i,
					       (unsigned long long)e->iova,
					       (unsigned long long)e->nbits, e->flags,
					       (unsigned long long)dma->iova);
	}
	if (i != ix->len)
		return host_check_fail(why, len, "index of %lu mappings, the tree has %lu",
				       ix->len, i);
	if (span.lo != ix->lo || span.hi != ix->hi)
		return host_check_fail(why, len, "index: the bitmaps lie in [%#lx, %#lx), not"
				       " [%#lx, %#lx)", (unsigned long)span.lo,
				       (unsigned long)span.hi, (unsigned long)ix->lo,
				       (unsigned long)ix->hi);
	meets = ix->apart_lo < ix->apart_hi ? t1_index_meets(ix, ix->apart_lo, ix->apart_hi) : NULL;
	if (meets)
		return host_check_fail(why, len, "index: [%#lx, %#lx), said to lie apart from the"
				       " bitmaps, meets mapping 0x%llx's",
				       (unsigned long)ix->apart_lo, (unsigned long)ix->apart_hi,
				       (unsigned long long)meets->iova);
	for (i = 0; i < ix->len; i++)
		if (ix->ents[i].chain != t1_ent_chain(ix->ents, i, ix->len))
			return host_check_fail(why, len, "index entry %lu: a chain of %u entries,"
					       " not %u", i, ix->ents[i].chain,
					       t1_ent_chain(ix->ents, i, ix->len));
	return 0;
}

void t1_fast_free(struct t1_iommu *iommu)
{
	struct t1_fast_index *ix = &iommu->dma_index;

	free(ix->ents);
	free(ix->loud);
	ix->ents = NULL;
	ix->loud = NULL;
	ix->len = ix->cap = 0;
	ix->ok = false;
}
