// SPDX-License-Identifier: MIT
/*
 * test_dirty_strategies.c - every way the model copies dirty bits out
 * (type1/strategy.h) against the definition of a report and against each
 * other.
 *
 * One host holds one container per variant: each strategy, and the fast
 * one writing in place, and through bounce buffers of the default size,
 * of one and of three words, so that runs get cut at every place.  All receive the same seeded random sequence:
 * mappings with holes at every bit offset, pins held and released,
 * dma_rw writes, GET_BITMAP over ranges that start and end in holes,
 * UNMAP with the bitmap, new mappings in the freed space, and (in one
 * test) a read-only word in the user's bitmap.  Before each report the
 * expected bitmap is computed from the model's per-mapping bitmaps: the
 * caller's random bits outside the mappings kept, every page of a mapping
 * an IOMMU group outside the pinned scope may write set.  After it every
 * variant must have written exactly that (and nothing in the words past
 * the bitmap), left the same per-mapping bitmaps and pins, and kept each
 * block summary covering its bits; after a GET, only pinned pages stay.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "helpers/rand.h"
#include "type1/fast_internal.h"
#include "type1/strategy.h"

#define NV		5		/* variants */
#define MAXMAPS		1200
#define MAXPINS		64
#define REGION		(1U << 18)	/* pages the layout may use */
#define BIG		100000		/* pages of the largest mappings */
#define RANDMAPS	24		/* mappings of a random layout, at most */
#define SLACK		2		/* words after a user bitmap, never written */
#define IOVA_BASE	(1ULL << 40)	/* above the MSI window */
#define GUEST		(4ULL << 30)
#define RW		(VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE)
#define SZ_4K		0x1000ULL
#define SZ_64K		0x10000ULL
#define SZ_2M		0x200000ULL

static const struct variant {
	enum t1_copy_strategy strategy;
	unsigned int bounce;		/* words; 0: the default */
	bool bounced;			/* never in place */
} variants[NV] = {
	{ T1_COPY_KERNEL, 0, false },
	{ T1_COPY_FAST, 0, false },
	{ T1_COPY_FAST, 0, true },
	{ T1_COPY_FAST, 1, true },
	{ T1_COPY_FAST, 3, true },
};

struct cfg {
	uint64_t page;			/* CPU page = smallest IOMMU page */
	bool outside;			/* an IOMMU group outside the pinned scope */
	bool faults;			/* read-only words in the user's bitmap */
	bool units;			/* IOMMU groups that change the page size */
	bool joins;			/* the IOMMU group can pin, joining the scope */
	bool wonly;			/* a write-only word inside a mapping */
	unsigned int granule;		/* mapping sizes and offsets, in pages */
	unsigned int layouts;
};

struct map {
	uint64_t iova, pages;
};

struct pin {
	uint64_t iova;
	int n;
};

struct fx {
	const struct cfg *cfg;
	uint64_t pgsize;		/* the container's smallest IOMMU page */
	uint64_t rng;
	struct vfiosim_host *h;
	struct vfiosim_container *c[NV];
	struct vfiosim_group *emu[NV], *iommu[NV], *coarse[NV];
	struct map map[MAXMAPS];
	unsigned int nmaps;
	struct pin pin[MAXPINS];
	unsigned int npins;
	unsigned long *ubuf[NV], *want;
	unsigned long *snap;		/* every bitmap word, before a report */
	size_t nsnap;
	unsigned long reports, faults;
};

static uint64_t seed;

static uint64_t rnd(struct fx *f)
{
	return vfiosim_rand(&f->rng);
}

static uint64_t below(struct fx *f, uint64_t n)
{
	return n ? rnd(f) % n : 0;
}

static struct t1_iommu *iommu_of(struct fx *f, unsigned int v)
{
	return f->c[v]->data;
}

static void use(unsigned int v)
{
	t1_copy_strategy_set(variants[v].strategy);
	t1_copy_bounce_set(variants[v].bounce);
	t1_copy_in_place_set(!variants[v].bounced);
}

/* ------------------------------------------------------------ fixture */

static int setup(void **state)
{
	const struct cfg *cfg = *state;
	struct vfiosim_host_config hc = { .page_size = cfg->page };
	struct vfiosim_group_config ge = { .kind = VFIOSIM_GROUP_EMULATED };
	struct vfiosim_group_config gi = { .kind = VFIOSIM_GROUP_IOMMU };
	struct vfiosim_group_config gc = { .kind = VFIOSIM_GROUP_IOMMU };
	struct fx *f = calloc(1, sizeof(*f));
	unsigned int v;

	if (!f)
		return -1;
	f->cfg = cfg;
	f->pgsize = cfg->page;
	f->rng = seed;
	f->h = vfiosim_host_new(&hc);
	if (!f->h || vfiosim_mm_map(f->h, GUEST, 2 * REGION * cfg->page, RW))
		return -1;
	for (v = 0; v < NV; v++) {
		f->c[v] = vfiosim_container_new(f->h, VFIO_TYPE1v2_IOMMU);
		f->emu[v] = vfiosim_group_new(f->h, &ge);
		if (!f->c[v] || !f->emu[v] || vfiosim_container_attach(f->c[v], f->emu[v]))
			return -1;
		gi.has_dma_unmap = cfg->joins;
		if (cfg->units) {
			gi.pgsize_bitmap = SZ_4K | SZ_64K | SZ_2M;
			gi.has_dma_unmap = true;
			gc.pgsize_bitmap = SZ_64K | SZ_2M;
			gc.has_dma_unmap = true;
			f->coarse[v] = vfiosim_group_new(f->h, &gc);
			if (!f->coarse[v])
				return -1;
		}
		if (cfg->outside || cfg->units) {
			f->iommu[v] = vfiosim_group_new(f->h, &gi);
			if (!f->iommu[v] || vfiosim_container_attach(f->c[v], f->iommu[v]))
				return -1;
		}
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	unsigned int v, warnings = vfiosim_warnings(f->h);

	t1_copy_strategy_set(T1_COPY_FAST);
	t1_copy_bounce_set(0);
	t1_copy_in_place_set(true);
	for (v = 0; v < NV; v++) {
		vfiosim_container_free(f->c[v]);
		vfiosim_group_free(f->emu[v]);
		if (f->iommu[v])
			vfiosim_group_free(f->iommu[v]);
		if (f->coarse[v])
			vfiosim_group_free(f->coarse[v]);
		free(f->ubuf[v]);
	}
	free(f->want);
	free(f->snap);
	assert_int_equal(vfiosim_live_allocs(f->h), 0);
	vfiosim_host_free(f->h);
	free(f);
	assert_int_equal(warnings, 0);
	return 0;
}

/* ------------------------------------------------------- operations */

static void map_new(struct fx *f, uint64_t iova, uint64_t pages)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = GUEST + (iova - IOVA_BASE),
		.iova = iova,
		.size = pages * f->cfg->page,
	};
	unsigned int v, i;

	for (v = 0; v < NV; v++)
		assert_int_equal(vfiosim_ioctl(f->c[v], VFIO_IOMMU_MAP_DMA, &m), 0);
	for (i = f->nmaps; i && f->map[i - 1].iova > iova; i--)
		f->map[i] = f->map[i - 1];
	f->map[i].iova = iova;
	f->map[i].pages = pages;
	f->nmaps++;
}

/* Mappings at random offsets with random holes, in granules. */
static void layout(struct fx *f)
{
	uint64_t g = f->cfg->granule, p = below(f, 70) / g * g, n;
	unsigned int k, want = 1 + (unsigned int)below(f, 10);

	/*
	 * Mostly small mappings; some large enough for block summaries of
	 * many words and for bitmaps that go out without the bounce.
	 */
	for (k = 0; k < want; k++) {
		switch (below(f, 8)) {
		case 0:
		case 1:
			n = 1 + below(f, 8);
			break;
		case 2:
			n = 1 + below(f, BIG);
			break;
		default:
			n = 1 + below(f, 200);
			break;
		}
		n = n / g * g + g;
		if (p + n > REGION)
			break;
		map_new(f, IOVA_BASE + p * f->cfg->page, n);
		p += n + (below(f, 3) ? below(f, 130) / g * g : 0);
	}
}

/* A random page range inside a random mapping: *pages at most max. */
static uint64_t somewhere(struct fx *f, uint64_t max, uint64_t *pages)
{
	const struct map *m = &f->map[below(f, f->nmaps)];
	uint64_t first = below(f, m->pages);

	*pages = 1 + below(f, max);
	if (*pages > m->pages - first)
		*pages = m->pages - first;
	return m->iova + first * f->cfg->page;
}

static void pin(struct fx *f, bool keep)
{
	uint64_t pfns[4], n, iova = somewhere(f, 4, &n);
	unsigned int v;

	for (v = 0; v < NV; v++) {
		assert_int_equal(vfiosim_pin_pages(f->c[v], f->emu[v], iova, (int)n, RW, pfns),
				 (int)n);
		if (!keep)
			assert_int_equal(vfiosim_unpin_pages(f->c[v], f->emu[v], iova, (int)n), 0);
	}
	if (keep && f->npins < MAXPINS)
		f->pin[f->npins++] = (struct pin){ iova, (int)n };
	else if (keep)
		for (v = 0; v < NV; v++)
			vfiosim_unpin_pages(f->c[v], f->emu[v], iova, (int)n);
}

static void unpin(struct fx *f)
{
	unsigned int k, v;

	if (!f->npins)
		return;
	k = (unsigned int)below(f, f->npins);
	for (v = 0; v < NV; v++)
		assert_int_equal(vfiosim_unpin_pages(f->c[v], f->emu[v], f->pin[k].iova,
						     f->pin[k].n), 0);
	f->pin[k] = f->pin[--f->npins];
}

static void write_rw(struct fx *f)
{
	static unsigned char data[3 * 65536];
	uint64_t n, iova = somewhere(f, 3, &n), len;
	unsigned int v;

	/* Any byte length from one byte up, within the pages chosen. */
	len = 1 + below(f, n * f->cfg->page - 1);
	iova += below(f, n * f->cfg->page - len + 1);
	memset(data, 0x5a, sizeof(data));
	for (v = 0; v < NV; v++)
		assert_int_equal(vfiosim_dma_rw(f->c[v], iova, data, len, true), 0);
}

static void dirty_some(struct fx *f)
{
	unsigned int k, n = (unsigned int)below(f, 7);

	for (k = 0; k < n && f->nmaps; k++) {
		switch (below(f, 4)) {
		case 0:
			pin(f, true);
			break;
		case 1:
			unpin(f);
			break;
		case 2:
			pin(f, false);
			break;
		default:
			write_rw(f);
			break;
		}
	}
}

/* ----------------------------------------------------------- checks */

static bool bit(const unsigned long *w, uint64_t i)
{
	return w[i / 64] >> (i % 64) & 1;
}

static void put_bit(unsigned long *w, uint64_t i, bool v)
{
	if (v)
		w[i / 64] |= 1UL << (i % 64);
	else
		w[i / 64] &= ~(1UL << (i % 64));
}

/* The report of npages pages (of pgsize) from start that the model's state calls for. */
static void expect(struct fx *f, uint64_t start, uint64_t npages)
{
	struct t1_iommu *iommu = iommu_of(f, 0);
	uint64_t pg = f->pgsize, i;
	struct t1_dma *dma;

	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma)) {
		uint64_t first = (dma->iova - start) / pg;

		if (dma->iova < start || first >= npages)
			continue;
		for (i = 0; i < dma->size / pg; i++)
			put_bit(f->want, first + i,
				t1_scope_all_dirty(iommu, dma) || bit(dma->bitmap, i));
	}
}

static void pins_of(struct t1_dma *dma, uint64_t *iovas, unsigned int *n)
{
	struct rb_node *p;

	*n = 0;
	for (p = rb_first(&dma->pfns); p; p = rb_next(p))
		iovas[(*n)++] = rb_entry(p, struct t1_pfn, node)->iova;
}

/* All the bitmap words of variant v, in mapping order, into f->snap or compared with it. */
static void snapshot(struct fx *f, unsigned int v, bool compare)
{
	struct t1_dma *dma;
	size_t n = 0;
	uint64_t i;

	for (dma = t1_dma_first(iommu_of(f, v)); dma; dma = t1_dma_next(dma)) {
		for (i = 0; i < BITS_TO_LONGS(dma->bitmap_pages); i++, n++) {
			if (compare) {
				assert_true(n < f->nsnap);
				if (f->snap[n] != dma->bitmap[i])
					fail_msg("variant %u, mapping 0x%llx, word %llu: %#lx after"
						 " a failed report, %#lx before", v,
						 (unsigned long long)dma->iova,
						 (unsigned long long)i, dma->bitmap[i], f->snap[n]);
				continue;
			}
			if (!(n % 256)) {
				f->snap = realloc(f->snap, (n + 256) * sizeof(*f->snap));
				assert_non_null(f->snap);
			}
			f->snap[n] = dma->bitmap[i];
		}
	}
	if (compare)
		assert_int_equal(n, f->nsnap);
	else
		f->nsnap = n;
}

/* Every variant holds the same mappings, bits and pins as the first. */
static void same_state(struct fx *f, bool restarted, uint64_t start, uint64_t npages)
{
	uint64_t pa[MAXPINS * 4], pb[MAXPINS * 4], pg = f->pgsize, i;
	struct t1_dma *a, *b;
	unsigned int v, na, nb, k;
	char why[160];

	for (v = 0; v < NV; v++) {
		if (t1_fast_check(iommu_of(f, v), why, sizeof(why)))
			fail_msg("variant %u: %s", v, why);
		assert_int_equal(t1_dma_count(iommu_of(f, v)), f->nmaps);
	}
	for (v = 1; v < NV; v++) {
		for (a = t1_dma_first(iommu_of(f, 0)), b = t1_dma_first(iommu_of(f, v)); a && b;
		     a = t1_dma_next(a), b = t1_dma_next(b)) {
			assert_int_equal(a->iova, b->iova);
			assert_int_equal(a->size, b->size);
			assert_int_equal(a->bitmap_pages, b->bitmap_pages);
			for (i = 0; i < BITS_TO_LONGS(a->bitmap_pages) + 1; i++)
				if (a->bitmap[i] != b->bitmap[i])
					fail_msg("variant %u, mapping 0x%llx, word %llu: %#lx,"
						 " not %#lx",
						 v, (unsigned long long)a->iova,
						 (unsigned long long)i, b->bitmap[i], a->bitmap[i]);
			pins_of(a, pa, &na);
			pins_of(b, pb, &nb);
			assert_int_equal(na, nb);
			assert_memory_equal(pa, pb, na * sizeof(pa[0]));
		}
	}
	if (!restarted)
		return;
	/* Reported mappings keep their pinned pages and nothing else. */
	for (a = t1_dma_first(iommu_of(f, 0)); a; a = t1_dma_next(a)) {
		if (a->iova < start || (a->iova - start) / pg >= npages)
			continue;
		pins_of(a, pa, &na);
		for (i = 0, k = 0; i < BITS_TO_LONGS(a->bitmap_pages) * 64; i++) {
			bool pinned = false;

			/* Several CPU pages may share a bit. */
			for (; k < na && (pa[k] - a->iova) / pg == i; k++)
				pinned = true;
			assert_int_equal(bit(a->bitmap, i), pinned);
		}
	}
}

/* -------------------------------------------------------- reports */

#include "vfiosim_client.h"

static long report(struct fx *f, unsigned int v, bool unmap, uint64_t start, uint64_t npages)
{
	uint64_t pg = f->pgsize, bytes = BITS_TO_LONGS(npages) * 8;
	struct vfiosim_dirty_get_arg g = {
		.argsz = sizeof(g), .flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP,
		.get = { .iova = start, .size = npages * pg,
			 .bitmap = { .pgsize = pg, .size = bytes, .data = (void *)f->ubuf[v] } },
	};
	struct vfiosim_dirty_unmap_arg u = {
		.argsz = sizeof(u), .flags = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP,
		.iova = start, .size = npages * pg,
		.bitmap = { .pgsize = pg, .size = bytes, .data = (void *)f->ubuf[v] },
	};

	use(v);
	if (unmap)
		return vfiosim_ioctl(f->c[v], VFIO_IOMMU_UNMAP_DMA, &u);
	return vfiosim_ioctl(f->c[v], VFIO_IOMMU_DIRTY_PAGES, &g);
}

/* Mappings i..j with some of the holes around them. */
static void pick_range(struct fx *f, unsigned int i, unsigned int j, uint64_t *start,
		       uint64_t *npages)
{
	uint64_t pg = f->cfg->page, g = f->cfg->granule;
	uint64_t lo = i ? f->map[i - 1].iova + f->map[i - 1].pages * pg : IOVA_BASE;
	uint64_t end = f->map[j].iova + f->map[j].pages * pg;
	uint64_t hi = j + 1 < f->nmaps ? f->map[j + 1].iova : end + 64 * pg;

	*start = f->map[i].iova - below(f, (f->map[i].iova - lo) / pg / g + 1) * g * pg;
	end += below(f, (hi - end) / pg / g + 1) * g * pg;
	*npages = (end - *start) / f->pgsize;
}

/*
 * A word of the report's bitmap (not ro when taken) that no mapping has a
 * bit in, below the last mapping's words; UINT64_MAX if there is none.
 */
static uint64_t hole_word(struct fx *f, uint64_t start, uint64_t npages, uint64_t ro, bool taken)
{
	uint64_t pg = f->pgsize, cand[64], n = 0, w, end = 0;
	unsigned int k;

	for (k = 0; k < f->nmaps; k++)
		if (f->map[k].iova >= start && (f->map[k].iova - start) / pg < npages)
			end = (f->map[k].iova - start) / pg + f->map[k].pages * f->cfg->page / pg;
	for (w = 0; w < BITS_TO_LONGS(end) && n < 64; w++) {
		bool used = taken && w == ro;

		for (k = 0; k < f->nmaps && !used; k++) {
			uint64_t first = (f->map[k].iova - start) / pg;
			uint64_t last = first + f->map[k].pages * f->cfg->page / pg - 1;

			used = f->map[k].iova >= start && first < npages &&
			       first / 64 <= w && w <= last / 64;
		}
		if (!used)
			cand[n++] = w;
	}
	return n ? cand[below(f, n)] : UINT64_MAX;
}

/* A word of the report's bitmap inside one mapping's bits; UINT64_MAX if there is none. */
static uint64_t inner_word(struct fx *f, uint64_t start, uint64_t npages)
{
	uint64_t pg = f->pgsize, cand[64], n = 0, first, end, w;
	unsigned int k;

	for (k = 0; k < f->nmaps && n < 64; k++) {
		if (f->map[k].iova < start || (f->map[k].iova - start) / pg >= npages)
			continue;
		first = (f->map[k].iova - start) / pg;
		end = first + f->map[k].pages * f->cfg->page / pg;
		for (w = (first + 63) / 64; (w + 1) * 64 <= end && n < 64; w++)
			cand[n++] = w;
	}
	return n ? cand[below(f, n)] : UINT64_MAX;
}

/* A report of mappings i..j and some holes around, by every variant, checked. */
static void report_range(struct fx *f, unsigned int i, unsigned int j, bool unmap)
{
	uint64_t start, npages, words, w, ro = 0, hole;
	bool fault = f->cfg->faults && !below(f, 3);
	unsigned int v, k;
	long ret[NV];

	pick_range(f, i, j, &start, &npages);
	words = BITS_TO_LONGS(npages) + SLACK;
	f->want = realloc(f->want, words * 8);
	assert_non_null(f->want);
	/* The caller's bitmap holds garbage, which only holes may keep. */
	for (w = 0; w < words; w++)
		f->want[w] = rnd(f);
	for (v = 0; v < NV; v++) {
		free(f->ubuf[v]);
		f->ubuf[v] = malloc(words * 8);
		assert_non_null(f->ubuf[v]);
		memcpy(f->ubuf[v], f->want, words * 8);
	}
	expect(f, start, npages);
	/* A read-only word somewhere in the report's words: -EFAULT. */
	if (fault) {
		ro = below(f, BITS_TO_LONGS(npages));
		snapshot(f, 0, false);
	}
	/* A word no mapping touches is neither read nor written: reads ahead stop short. */
	hole = f->cfg->faults ? hole_word(f, start, npages, ro, fault) : UINT64_MAX;
	/*
	 * A word all of whose bits are a mapping's need not be read: reading a
	 * stretch at once comes short there, and the report reads only what
	 * it needs instead.
	 */
	if (f->cfg->wonly && below(f, 2))
		hole = inner_word(f, start, npages);
	for (v = 0; v < NV; v++) {
		/* A word only in holes is never written: that report succeeds. */
		if (fault)
			assert_int_equal(vfiosim_user_add(f->h, &f->ubuf[v][ro], 8,
							  VFIOSIM_PROT_READ), 0);
		if (hole != UINT64_MAX)
			assert_int_equal(vfiosim_user_add(f->h, &f->ubuf[v][hole], 8,
							  f->cfg->wonly ? VFIOSIM_PROT_WRITE : 0),
					 0);
	}
	for (v = 0; v < NV; v++) {
		ret[v] = report(f, v, unmap, start, npages);
		if (fault)
			assert_int_equal(vfiosim_user_del(f->h, &f->ubuf[v][ro]), 0);
		if (hole != UINT64_MAX)
			assert_int_equal(vfiosim_user_del(f->h, &f->ubuf[v][hole]), 0);
	}
	f->reports++;
	for (v = 0; v < NV; v++) {
		if (ret[v] != ret[0])
			fail_msg("variant %u returned %ld, variant 0 %ld", v, ret[v], ret[0]);
		if (ret[v])
			continue;
		for (w = 0; w < words; w++)
			if (f->ubuf[v][w] != f->want[w])
				fail_msg("variant %u, %s [0x%llx, +%llu pages): word %llu is %#lx, "
					 "not %#lx", v, unmap ? "unmap" : "get",
					 (unsigned long long)start, (unsigned long long)npages,
					 (unsigned long long)w, f->ubuf[v][w], f->want[w]);
	}
	if (ret[0]) {
		/* Only a word that cannot be written fails a report. */
		assert_true(fault);
		assert_int_equal(ret[0], -EFAULT);
		f->faults++;
		for (v = 1; v < NV; v++)
			assert_memory_equal(f->ubuf[v], f->ubuf[0], words * 8);
		/* Nothing restarted, nothing unmapped (docs/divergences.md 1, 2). */
		for (v = 0; v < NV; v++)
			snapshot(f, v, true);
		same_state(f, false, 0, 0);
		return;
	}
	if (unmap) {
		/* The devices let go of their pins in the range first. */
		for (k = 0; k < f->npins;)
			if (f->pin[k].iova >= start && f->pin[k].iova - start < npages * f->pgsize)
				f->pin[k] = f->pin[--f->npins];
			else
				k++;
		memmove(&f->map[i], &f->map[j + 1], (f->nmaps - j - 1) * sizeof(f->map[0]));
		f->nmaps -= j - i + 1;
	}
	same_state(f, !unmap, start, npages);
}

static void one_report(struct fx *f, bool unmap)
{
	unsigned int i = (unsigned int)below(f, f->nmaps);

	report_range(f, i, i + (unsigned int)below(f, f->nmaps - i), unmap);
}

/* A new mapping in some hole of the layout, when there is one. */
static void map_in_hole(struct fx *f)
{
	uint64_t pg = f->cfg->page, g = f->cfg->granule, lo, hi, n, at;
	unsigned int k = (unsigned int)below(f, f->nmaps + 1);

	lo = k ? f->map[k - 1].iova + f->map[k - 1].pages * pg : IOVA_BASE;
	hi = k < f->nmaps ? f->map[k].iova : IOVA_BASE + REGION * pg;
	if (hi <= lo || f->nmaps == RANDMAPS)
		return;
	n = (hi - lo) / pg / g;
	if (!n)
		return;
	at = below(f, n);
	n = 1 + below(f, n - at);
	map_new(f, lo + at * g * pg, n * g);
}

/* DIRTY_PAGES START or STOP in every container. */
static void dirty_flag(struct fx *f, uint32_t flag)
{
	struct vfio_iommu_type1_dirty_bitmap d = { .argsz = sizeof(d), .flags = flag };
	unsigned int v;

	for (v = 0; v < NV; v++)
		assert_int_equal(vfiosim_ioctl(f->c[v], VFIO_IOMMU_DIRTY_PAGES, &d), 0);
}

static void run(struct fx *f)
{
	unsigned int l, r, v;

	for (l = 0; l < f->cfg->layouts; l++) {
		layout(f);
		dirty_flag(f, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
		for (r = 0; r < 10 && f->nmaps; r++) {
			dirty_some(f);
			one_report(f, below(f, 4) == 0);
			if (!below(f, 3))
				map_in_hole(f);
		}
		/* Unpin everything and take the layout down for the next one. */
		while (f->npins)
			unpin(f);
		if (f->nmaps)
			one_report(f, true);
		while (f->nmaps) {
			for (v = 0; v < NV; v++)
				assert_int_equal(vfiosim_ioctl(f->c[v], VFIO_IOMMU_UNMAP_DMA,
					&(struct vfio_iommu_type1_dma_unmap){
						.argsz = sizeof(struct vfio_iommu_type1_dma_unmap),
						.iova = f->map[0].iova,
						.size = f->map[0].pages * f->cfg->page }), 0);
			memmove(&f->map[0], &f->map[1], --f->nmaps * sizeof(f->map[0]));
		}
		dirty_flag(f, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP);
	}
	print_message("%lu reports compared, %lu of them faulted\n", f->reports, f->faults);
	assert_true(f->reports > f->cfg->layouts);
}

/* ------------------------------------------------------------ tests */

static void test_strategies_agree_in_pinned_scope(void **state)
{
	run(*state);
}

static void test_strategies_agree_outside_pinned_scope(void **state)
{
	run(*state);
}

static void test_strategies_agree_with_64k_pages(void **state)
{
	run(*state);
}

/*
 * Mappings, holes and reports of whole user words: marked bitmaps and
 * quiet stretches that go on a run word-aligned, which writing in place
 * takes a shorter way through.
 */
static void test_strategies_agree_on_whole_words(void **state)
{
	run(*state);
}

static void test_strategies_fail_alike_and_keep_every_bit(void **state)
{
	struct fx *f = *state;

	run(f);
	assert_true(f->faults > 0);
}

/*
 * More mappings with bits than the fast strategy notes on its way: the
 * restart walks the tree instead, and must reach every one of them.
 */
static void test_strategies_agree_with_more_marked_mappings_than_noted(void **state)
{
	uint64_t pfns[1];
	struct fx *f = *state;
	unsigned int k, v;

	for (k = 0; k < 1100; k++)
		map_new(f, IOVA_BASE + (4 * k + k % 3) * f->cfg->page, 1 + k % 2);
	dirty_flag(f, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	for (k = 0; k < f->nmaps; k += 1 + (k % 100 == 50))
		for (v = 0; v < NV; v++) {
			assert_int_equal(vfiosim_pin_pages(f->c[v], f->emu[v], f->map[k].iova, 1,
							   RW, pfns), 1);
			assert_int_equal(vfiosim_unpin_pages(f->c[v], f->emu[v], f->map[k].iova,
							     1), 0);
		}
	pin(f, true);
	report_range(f, 0, f->nmaps - 1, false);
	report_range(f, 0, f->nmaps - 1, false);
	report_range(f, 1, f->nmaps - 2, true);
	while (f->npins)
		unpin(f);
}

/*
 * A group whose IOMMU has no 4 KiB pages comes and goes while tracking:
 * every bitmap is re-expressed in 64 KiB pages and back, and the block
 * summaries follow (docs/divergences.md 4).
 */
static void test_strategies_agree_across_a_change_of_page_size(void **state)
{
	struct fx *f = *state;
	unsigned int l, r, v;
	uint64_t pfn;

	for (l = 0; l < 12; l++) {
		layout(f);
		dirty_flag(f, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
		/* The IOMMU group joins the pinned scope by pinning. */
		for (v = 0; v < NV; v++)
			assert_int_equal(vfiosim_pin_pages(f->c[v], f->iommu[v], f->map[0].iova, 1,
							   RW, &pfn), 1);
		report_range(f, 0, f->nmaps - 1, false);
		for (r = 0; r < 8 && f->nmaps; r++) {
			dirty_some(f);
			if (r == 2 || r == 5) {
				for (v = 0; v < NV; v++) {
					if (r == 2)
						assert_int_equal(vfiosim_container_attach(f->c[v],
								 f->coarse[v]), 0);
					else
						assert_int_equal(vfiosim_container_detach(f->c[v],
								 f->coarse[v]), 0);
				}
				f->pgsize = r == 2 ? SZ_64K : SZ_4K;
				assert_int_equal(t1_min_pgsize(iommu_of(f, 0)), f->pgsize);
			}
			if (r == 3)
				for (v = 0; v < NV; v++)
					assert_int_equal(vfiosim_pin_pages(f->c[v], f->coarse[v],
							 f->map[0].iova, 1, RW, &pfn), 1);
			one_report(f, false);
		}
		while (f->npins)
			unpin(f);
		report_range(f, 0, f->nmaps - 1, true);
		f->nmaps = 0;
		dirty_flag(f, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP);
	}
	print_message("%lu reports compared\n", f->reports);
}

/* Mappings of variant v whose index entry says quiet, if the index is up to date. */
static unsigned long quiet_entries(struct fx *f, unsigned int v)
{
	struct t1_iommu *iommu = iommu_of(f, v);
	unsigned long i, n = 0;

	if (!iommu->dma_index.ok)
		return 0;
	for (i = 0; i < iommu->dma_index.len; i++)
		n += !!(iommu->dma_index.ents[i].flags & T1_ENT_QUIET);
	return n;
}

/*
 * Runs of contiguous mappings, most of them quiet (nothing marked, nothing
 * pinned), which the fast copy-out places from its index alone and joins
 * into one stretch of ones (outside the pinned scope) or zeros (inside),
 * cut by mappings with marks, pins and holes.  Between reports the index
 * goes stale (new mappings, unmaps) or is kept and updated in place
 * (pins, unpins, writes); every report is checked against the definition
 * and the model's check compares the index with the tree each time.
 */
static void test_quiet_runs_from_the_index_agree(void **state)
{
	struct fx *f = *state;
	uint64_t pg = f->cfg->page, p = 0, pfn;
	unsigned int k, r, v;

	/* Contiguous runs of 1 to 80 mappings of 1 to 150 pages, a hole between runs. */
	while (f->nmaps < 400) {
		unsigned int run = 1 + (unsigned int)below(f, 80);

		for (k = 0; k < run && f->nmaps < 400; k++) {
			uint64_t n = 1 + below(f, 150);

			map_new(f, IOVA_BASE + p * pg, n);
			p += n;
		}
		p += 1 + below(f, 70);
	}
	dirty_flag(f, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	for (r = 0; r < 60; r++) {
		/* The IOMMU group joins the pinned scope halfway: zeros from then on. */
		if (r == 30)
			for (v = 0; v < NV; v++)
				assert_int_equal(vfiosim_pin_pages(f->c[v], f->iommu[v],
								   f->map[0].iova, 1, RW, &pfn), 1);
		switch (below(f, 4)) {
		case 0:
			dirty_some(f);
			break;
		case 1:
			map_in_hole(f);
			break;
		default:
			break;
		}
		if (!below(f, 5) && f->nmaps > 3) {
			/* A few mappings go, with their bits: the index goes stale. */
			k = (unsigned int)below(f, f->nmaps - 3);
			report_range(f, k, k + (unsigned int)below(f, 3), true);
		}
		if (below(f, 3))
			report_range(f, 0, f->nmaps - 1, false);
		else
			one_report(f, false);
		/* A GET leaves the index up to date, quiet mappings marked so. */
		for (v = 1; v < NV; v++)
			if (iommu_of(f, v)->dma_index.ok)
				assert_int_equal(quiet_entries(f, v), quiet_entries(f, 1));
	}
	for (v = 1; v < NV; v++)
		assert_true(iommu_of(f, v)->dma_index.ok);
	assert_true(quiet_entries(f, 1) > 0);
	while (f->npins)
		unpin(f);
	if (f->nmaps)
		report_range(f, 0, f->nmaps - 1, true);
	f->nmaps = 0;
	dirty_flag(f, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP);
	print_message("%lu reports compared\n", f->reports);
}

/*
 * Quiet mappings parted by gaps of less than a word, which the fast
 * copy-out joins into stretches read from the user in one copy and set
 * over (all dirty outside the pinned scope, clean inside, marked ones
 * among them), with write-only words inside mappings that make that read
 * come short: every report is checked against the definition, with
 * bounces of every size.
 */
static void test_stretches_across_gaps_agree(void **state)
{
	struct fx *f = *state;
	uint64_t pg = f->cfg->page, p = 1 + below(f, 63), pfn;
	unsigned int r, v;

	while (f->nmaps < 300) {
		uint64_t n = 1 + below(f, below(f, 4) ? 200 : 2000);

		map_new(f, IOVA_BASE + p * pg, n);
		/* Mostly a gap inside a word, now and then none or a whole word. */
		p += n + (below(f, 8) ? 1 + below(f, 40) : below(f, 2) * 130);
	}
	dirty_flag(f, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	for (r = 0; r < 40; r++) {
		if (r == 20)
			for (v = 0; v < NV; v++)
				assert_int_equal(vfiosim_pin_pages(f->c[v], f->iommu[v],
								   f->map[0].iova, 1, RW, &pfn), 1);
		if (below(f, 2))
			dirty_some(f);
		if (below(f, 3))
			report_range(f, 0, f->nmaps - 1, false);
		else
			one_report(f, false);
	}
	while (f->npins)
		unpin(f);
	report_range(f, 0, f->nmaps - 1, true);
	f->nmaps = 0;
	dirty_flag(f, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP);
	print_message("%lu reports compared\n", f->reports);
}

/* Mapping k of variant v. */
static struct t1_dma *dma_of(struct fx *f, unsigned int v, unsigned int k)
{
	return t1_dma_find(iommu_of(f, v), f->map[k].iova, f->map[k].iova);
}

static bool exact(struct fx *f, unsigned int v, unsigned int k)
{
	return dma_of(f, v, k)->fast.exact;
}

static void pin_one(struct fx *f, uint64_t iova, bool pin)
{
	uint64_t pfn;
	unsigned int v;

	for (v = 0; v < NV; v++) {
		if (pin)
			assert_int_equal(vfiosim_pin_pages(f->c[v], f->emu[v], iova, 1, RW, &pfn), 1);
		else
			assert_int_equal(vfiosim_unpin_pages(f->c[v], f->emu[v], iova, 1), 0);
	}
}

/*
 * A restart is skipped while a bitmap holds exactly the pinned pages'
 * bits; a pin keeps that so, an unpin or a write through dma_rw does not,
 * and the next report must then drop or keep the right bits.  Every
 * report is checked against the definition (report_range()), and after
 * each the model's check verifies the bitmaps said to be exact are.
 */
static void test_restart_skipped_only_while_the_bitmap_holds_the_pins(void **state)
{
	static unsigned char data[8];
	struct fx *f = *state;
	uint64_t pg = f->cfg->page;
	unsigned int v, k, r;

	for (k = 0; k < 6; k++)
		map_new(f, IOVA_BASE + k * 300 * pg, 200 + k);
	dirty_flag(f, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	for (v = 0; v < NV; v++)
		for (k = 0; k < 6; k++)
			assert_true(exact(f, v, k));
	pin_one(f, f->map[1].iova + 5 * pg, true);
	pin_one(f, f->map[1].iova + 70 * pg, true);
	pin_one(f, f->map[3].iova, true);
	for (r = 0; r < 3; r++) {
		report_range(f, 0, 5, false);
		for (v = 0; v < NV; v++)
			for (k = 0; k < 6; k++)
				assert_true(exact(f, v, k));
	}
	/* A new pin marks its own bit: still exact, and the bit is reported. */
	pin_one(f, f->map[1].iova + 100 * pg, true);
	/* Pinned again: no mark, still exact. */
	pin_one(f, f->map[1].iova + 100 * pg, true);
	pin_one(f, f->map[1].iova + 100 * pg, false);
	for (v = 0; v < NV; v++)
		assert_true(exact(f, v, 1));
	/* The last reference goes: the bit is dirty once more, then gone. */
	pin_one(f, f->map[3].iova, false);
	/* A device write to a page not pinned, and to one that is. */
	for (v = 0; v < NV; v++) {
		assert_int_equal(vfiosim_dma_rw(f->c[v], f->map[4].iova + 7 * pg, data, 1, true), 0);
		assert_int_equal(vfiosim_dma_rw(f->c[v], f->map[1].iova + 5 * pg, data, 1, true), 0);
		assert_false(exact(f, v, 3));
		assert_false(exact(f, v, 4));
		assert_false(exact(f, v, 1));
		assert_true(exact(f, v, 0));
	}
	for (r = 0; r < 2; r++) {
		report_range(f, 0, 5, false);
		for (v = 0; v < NV; v++)
			for (k = 0; k < 6; k++)
				assert_true(exact(f, v, k));
	}
	/* Only the pins are left in mappings 3 and 4 (none), 1 keeps three. */
	for (v = 0; v < NV; v++) {
		assert_false(dma_of(f, v, 3)->fast.marked && dma_of(f, v, 3)->bitmap[0]);
		assert_int_equal(bitmap_weight(dma_of(f, v, 1)->bitmap, 200 + 1), 3);
	}
	pin_one(f, f->map[1].iova + 5 * pg, false);
	pin_one(f, f->map[1].iova + 70 * pg, false);
	pin_one(f, f->map[1].iova + 100 * pg, false);
	report_range(f, 0, 5, false);
	report_range(f, 0, 5, true);
	dirty_flag(f, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP);
}

/*
 * A user bitmap over one of the model's own bitmaps, which a permissive
 * host lets through: the in-place report fails with -EFAULT when it
 * reaches that mapping, and the mappings before it, whose bits already
 * went out, must not have been restarted: the next report has their pages.
 */
static void test_bitmap_over_the_model_own_loses_no_page(void **state)
{
	struct fx *f = *state;
	uint64_t pg = f->cfg->page, nbits = 2 + 65536, k;
	const uint64_t dirty[] = { 0, 1, 2 + 100 };
	struct vfiosim_dirty_get_arg a;
	unsigned long *u = calloc(BITS_TO_LONGS(nbits), sizeof(*u));
	unsigned int v = 1;

	assert_non_null(u);
	assert_true(variants[v].strategy == T1_COPY_FAST && !variants[v].bounced);
	map_new(f, IOVA_BASE, 1);
	map_new(f, IOVA_BASE + pg, 1);
	/* Its bitmap (spare word and summary included) holds the whole report's words. */
	map_new(f, IOVA_BASE + 2 * pg, 65536);
	dirty_flag(f, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	for (k = 0; k < 3; k++) {
		pin_one(f, IOVA_BASE + dirty[k] * pg, true);
		pin_one(f, IOVA_BASE + dirty[k] * pg, false);
	}
	use(v);
	vfiosim_get_bitmap_arg(&a, IOVA_BASE, nbits * pg, pg, dma_of(f, v, 2)->bitmap,
			       BITS_TO_LONGS(nbits) * sizeof(*u));
	assert_int_equal(vfiosim_ioctl(f->c[v], VFIO_IOMMU_DIRTY_PAGES, &a), -EFAULT);
	vfiosim_get_bitmap_arg(&a, IOVA_BASE, nbits * pg, pg, u, BITS_TO_LONGS(nbits) * sizeof(*u));
	assert_int_equal(vfiosim_ioctl(f->c[v], VFIO_IOMMU_DIRTY_PAGES, &a), 0);
	for (k = 0; k < 3; k++)
		assert_true(test_bit(dirty[k], u));
	free(u);
}

static int by_bitmap(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)(*(struct t1_dma *const *)a)->bitmap;
	uintptr_t y = (uintptr_t)(*(struct t1_dma *const *)b)->bitmap;

	return x < y ? -1 : x > y;
}

/*
 * A user bitmap the heap placed among the model's bitmaps, apart from all
 * of them (what an allocator that reuses an earlier container's memory
 * does), still lets a report restart each mapping as its bits go out:
 * the index tells it apart from a window that meets a bitmap, keeps the
 * answer until it is rebuilt, and its check catches a kept answer that
 * is wrong.
 */
static void test_window_among_the_bitmaps_told_apart(void **state)
{
	struct fx *f = *state;
	struct t1_dma *by[8];
	struct t1_fast_index *ix;
	uintptr_t a = 0, z = 0, lo, hi;
	unsigned int k, v = 1;
	unsigned long n;
	char why[256];

	for (k = 0; k < 8; k++)
		map_new(f, IOVA_BASE + k * 200 * f->cfg->page, 100 + k);
	dirty_flag(f, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	assert_non_null(t1_fast_index(iommu_of(f, v), &n));
	ix = &iommu_of(f, v)->dma_index;
	assert_int_equal(n, 8);
	for (k = 0; k < 8; k++)
		by[k] = ix->ents[k].dma;
	qsort(by, 8, sizeof(by[0]), by_bitmap);
	/* Between two bitmaps in memory lies at least the allocator's header. */
	for (k = 0; k + 1 < 8 && a == z; k++)
		if (t1_bitmap_end(by[k]) < (uintptr_t)by[k + 1]->bitmap) {
			a = t1_bitmap_end(by[k]);
			z = (uintptr_t)by[k + 1]->bitmap;
		}
	assert_true(a < z && ix->lo < a && z < ix->hi);
	lo = ix->apart_lo;
	hi = ix->apart_hi;
	/* Outside the span: answered by it, nothing kept. */
	assert_true(t1_fast_index_apart(ix, ix->hi, ix->hi + 64));
	assert_true(t1_fast_index_apart(ix, ix->lo - 64, ix->lo));
	assert_true(ix->apart_lo == lo && ix->apart_hi == hi);
	/* Meeting a bitmap by a byte, at either end or inside it. */
	assert_false(t1_fast_index_apart(ix, a - 1, z));
	assert_false(t1_fast_index_apart(ix, a, z + 1));
	assert_false(t1_fast_index_apart(ix, (uintptr_t)by[0]->bitmap + 8,
					  (uintptr_t)by[0]->bitmap + 16));
	assert_true(ix->apart_lo == lo && ix->apart_hi == hi);
	/* Among them, apart: kept, and any part of it answered from what was kept. */
	assert_true(t1_fast_index_apart(ix, a, z));
	assert_true(ix->apart_lo == a && ix->apart_hi == z);
	assert_true(t1_fast_index_apart(ix, a + (z - a) / 2, z));
	assert_int_equal(t1_fast_index_check(iommu_of(f, v), why, sizeof(why)), 0);
	/* A kept answer that is wrong is caught. */
	ix->apart_hi = z + 1;
	assert_int_not_equal(t1_fast_index_check(iommu_of(f, v), why, sizeof(why)), 0);
	assert_non_null(strstr(why, "apart"));
	ix->apart_hi = z;
	/* A rebuild forgets it: a new bitmap may lie there. */
	map_new(f, IOVA_BASE + 8 * 200 * f->cfg->page, 10);
	assert_non_null(t1_fast_index(iommu_of(f, v), &n));
	assert_int_equal(n, 9);
	assert_true(ix->apart_lo == 0 && ix->apart_hi == 0);
	dirty_flag(f, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP);
}

static const struct cfg cfg_pinned = { .page = 4096, .granule = 1, .layouts = 100 };
static const struct cfg cfg_outside = { .page = 4096, .outside = true, .granule = 1,
					.layouts = 80 };
static const struct cfg cfg_64k = { .page = 65536, .outside = true, .granule = 1,
				    .layouts = 40 };
static const struct cfg cfg_faults = { .page = 4096, .faults = true, .granule = 1,
				       .layouts = 100 };

static const struct cfg cfg_many = { .page = 4096, .granule = 1 };
static const struct cfg cfg_words = { .page = 4096, .granule = 64, .layouts = 60 };
static const struct cfg cfg_units = { .page = 4096, .units = true, .granule = 16 };
static const struct cfg cfg_runs = { .page = 4096, .outside = true, .joins = true,
				     .granule = 1 };
static const struct cfg cfg_gaps = { .page = 4096, .outside = true, .joins = true,
				     .wonly = true, .granule = 1 };

#define T(fn, cfg) cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, (void *)&cfg)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_strategies_agree_in_pinned_scope, cfg_pinned),
		T(test_strategies_agree_outside_pinned_scope, cfg_outside),
		T(test_strategies_agree_with_64k_pages, cfg_64k),
		T(test_strategies_agree_on_whole_words, cfg_words),
		T(test_strategies_fail_alike_and_keep_every_bit, cfg_faults),
		T(test_strategies_agree_with_more_marked_mappings_than_noted, cfg_many),
		T(test_strategies_agree_across_a_change_of_page_size, cfg_units),
		T(test_restart_skipped_only_while_the_bitmap_holds_the_pins, cfg_many),
		T(test_quiet_runs_from_the_index_agree, cfg_runs),
		T(test_stretches_across_gaps_agree, cfg_gaps),
		T(test_bitmap_over_the_model_own_loses_no_page, cfg_many),
		T(test_window_among_the_bitmaps_told_apart, cfg_many),
	};

	seed = fx_seed("dirty strategies");
	return cmocka_run_group_tests_name("dirty_strategies", tests, NULL, NULL);
}
