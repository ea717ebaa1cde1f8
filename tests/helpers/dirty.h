/* SPDX-License-Identifier: MIT */
/*
 * dirty.h - helpers of the dirty-tracking tests.
 *
 * Argument blocks laid out exactly as the kernel reads them, bit access on
 * user bitmaps of any alignment, and a checked GET_BITMAP (or UNMAP with
 * GET_DIRTY_BITMAP) that compares the whole user buffer with what the
 * kernel's copy-out is known to write.
 *
 * What the copy-out writes, per mapping whose first bit is f and which has
 * n bits: the u64 words from f / 64 to the one holding bit f + n - 1.  The
 * bits of the first word below f are read back from the user and kept; the
 * rest of those words is the kernel's.  Everything else in the buffer, and
 * everything past bitmap.size, is never written.  The checked GET fills
 * the positions nobody may write with a pattern and checks they survive,
 * and checks that the kernel's positions that hold no mapping come back 0.
 *
 * Like fixture.h, this uses vfiosim.h and <linux/vfio.h> only.
 */
#ifndef TESTS_DIRTY_H
#define TESTS_DIRTY_H

#include "fixture.h"

/* struct vfiosim_dirty_get_arg and struct vfiosim_dirty_unmap_arg, the bitmap sizes */
#include "vfiosim_client.h"

/* The header the kernel reads first (offsetofend of flags). */
#define DIRTY_HDR_SZ		8U
/* The largest bitmap the kernel accepts: INT_MAX pages in whole u64 words. */
#define DIRTY_BITMAP_MAX	(256ULL << 20)
/* Default bitmap.size slack of the checked helpers, past the range's words. */
#define DIRTY_EXTRA_MAX		16U
/* Bytes the checked helpers put after bitmap.size and check untouched. */
#define DIRTY_GUARD		32U

long dirty_get_raw(struct vfiosim_container *c, struct vfiosim_dirty_get_arg *a);
/* One GET_BITMAP with a well-formed argument block. */
long dirty_get(struct vfiosim_container *c, uint64_t iova, uint64_t size, uint64_t pgsize,
	       void *data, uint64_t bytes);

long dirty_unmap_raw(struct vfiosim_container *c, struct vfiosim_dirty_unmap_arg *a);

/* Bit i of a user bitmap (u64 words of native order), at any alignment. */
bool dirty_bit(const void *bm, uint64_t i);

/* vfio's dma_rw write of len bytes (a pattern) at iova; its return value. */
int dirty_write(struct fx *fx, uint64_t iova, size_t len);

/*
 * True if the fixture attached an IOMMU-backed group: until that group's
 * driver pins pages, every report calls all its mappings dirty.
 */
bool dirty_cfg_all_dirty(const struct fx *fx);

/*
 * What a failed call must leave as it was: pins, locked_vm, live
 * allocations, dma_avail and the page sizes.  Unlike fx_snap it keeps no
 * buffer, so sweeps may take and check it any number of times.
 */
struct dirty_snap {
	uint64_t pinned, locked, pgsizes;
	unsigned long live;
	uint32_t dma_avail;
};
#define dirty_snap_take(fx, s)	dirty_snap_at((fx), (s), NULL, __FILE__, __LINE__)
#define dirty_snap_check(fx, s)	dirty_snap_at((fx), NULL, (s), __FILE__, __LINE__)
void dirty_snap_at(struct fx *fx, struct dirty_snap *take, const struct dirty_snap *check,
		   const char *file, int line);

/*
 * What a GET over [iova, iova + size) should report.  The test says where
 * the mappings inside the range are and which pages it expects dirty; the
 * checked calls below do the rest.
 */
struct dirty_want {
	uint64_t iova, size, pgsize;	/* the range and the bitmap's page size */
	uint64_t npages;
	uint64_t extra;			/* bitmap.size beyond vfiosim_bitmap_bytes(npages),
					   at most DIRTY_EXTRA_MAX */
	unsigned char *want;		/* pages expected dirty */
	unsigned char *mapped;		/* pages covered by a mapping */
	unsigned char *buf;		/* the user buffer, reused */
	unsigned char *before;		/* its content before the call */
	size_t buf_len;
	size_t log_mark;		/* ground-truth entries already judged */
	/*
	 * Accept anything in the kernel's words past a mapping's last bit.
	 * The kernel keeps its per-mapping bitmap shifted onto the user's word
	 * grid after a copy and clears only the mapping's own bits, so a
	 * later report of a mapping not starting on a 64-page boundary of
	 * the range may carry stale bits into the hole after it.
	 */
	bool stale_tail_ok;
};

/* A want for [iova, iova + size) at the container's minimum page size. */
void dirty_want_init(struct fx *fx, struct dirty_want *w, uint64_t iova, uint64_t size);
/* A mapping covers [iova, iova + size). */
void dirty_want_map(struct dirty_want *w, uint64_t iova, uint64_t size);
/* Every page [iova, iova + len) touches is expected dirty. */
void dirty_want_set(struct dirty_want *w, uint64_t iova, uint64_t len);
/* Every mapped page dirty; nothing dirty. */
void dirty_want_all(struct dirty_want *w);
void dirty_want_none(struct dirty_want *w);

/*
 * The two-mapping layout of the scope tests: w over 128 pages at FX_IOVA,
 * mapping A of a_pages pages from the range's page 0 and mapping B of 8
 * pages from its page 64 (guest memory in that order), so that each owns
 * the u64 words of the user's bitmap it touches.  DIRTY_A(fx, p) and
 * DIRTY_B(fx, p) are their page p.
 */
#define DIRTY_A(fx, p)	(FX_IOVA + (uint64_t)(p) * (fx)->pgsize)
#define DIRTY_B(fx, p)	(FX_IOVA + (64 + (uint64_t)(p)) * (fx)->pgsize)
void dirty_map_ab(struct fx *fx, struct dirty_want *w, uint64_t a_pages);

/*
 * GET_BITMAP over the want's range into its buffer, which must succeed and
 * match: mapped pages exactly as wanted, nothing written where the kernel
 * never writes, the guard bytes intact.  Then every write in the ground
 * truth log since the previous check that hit a mapped page of the range
 * must be reported.  The buffer (w->buf) holds the report until the next call.
 */
#define dirty_expect(fx, w)	dirty_expect_at((fx), (w), __FILE__, __LINE__)
void dirty_expect_at(struct fx *fx, struct dirty_want *w, const char *file, int line);
/* The same through UNMAP_DMA with GET_DIRTY_BITMAP; *unmapped gets the size
 * written back.  The ground truth is judged as for a GET. */
#define dirty_expect_unmap(fx, w, unmapped) \
	dirty_expect_unmap_at((fx), (w), (unmapped), __FILE__, __LINE__)
void dirty_expect_unmap_at(struct fx *fx, struct dirty_want *w, uint64_t *unmapped,
			   const char *file, int line);

/*
 * Fills the want's buffer as the checked calls do (the pattern where the
 * kernel never writes, zeros where it does) and returns it, for a test
 * that makes a call itself: a refused one, or one that must not write.
 */
void *dirty_want_prepare(struct dirty_want *w);
/* The buffer must still hold exactly what dirty_want_prepare() put there. */
#define dirty_want_untouched(w)	dirty_want_untouched_at((w), __FILE__, __LINE__)
void dirty_want_untouched_at(struct dirty_want *w, const char *file, int line);

/* The want is exactly the pages holding these iovas (one page each). */
void dirty_want_pages(struct dirty_want *w, const uint64_t *iovas, unsigned int n);
#define DIRTY_WANT(w, ...)							\
	do {								\
		const uint64_t iovas_[] = { __VA_ARGS__ };			\
		dirty_want_pages((w), iovas_, sizeof(iovas_) / sizeof(iovas_[0]));	\
	} while (0)

/*
 * A test under the oracle: fx_setup_oracle() before it, and after it the
 * oracle's verdict (printed if it found anything, then failing the test)
 * before fx_teardown().
 */
int dirty_oracle_setup(void **state);
int dirty_oracle_teardown(void **state);
/* The oracle of the test running under them. */
struct vfiosim_oracle *dirty_test_oracle(void);
#define DIRTY_ORACLE_TEST(f, cfg)						\
	{ .name = #f "@" #cfg, .test_func = (f), .setup_func = dirty_oracle_setup,	\
	  .teardown_func = dirty_oracle_teardown, .initial_state = (void *)&(cfg) }

#endif /* TESTS_DIRTY_H */
