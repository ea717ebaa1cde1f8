// SPDX-License-Identifier: MIT
/*
 * test_dirty_providers.c - the dirty-provider extension, a vfiosim model
 * extension outside Linux's UAPI (docs/dirty-providers.md).
 *
 * A group that never pins makes type1 report every mapped page dirty.
 * With a provider chosen (VFIOSIM_IOMMU_DIRTY_PROVIDER), the IOMMU's dirty
 * bits or the device's own tracker say what it wrote instead: a report
 * holds those pages (a whole IOMMU entry, a whole tracker page), pinned
 * pages and dma_rw writes.  A group nobody records (an IOMMU without dirty
 * bits, a tracker that overflowed or was written outside its ranges)
 * brings back type1's rule; getting rid of it makes the next report full.
 *
 * Every test checks exact bitmaps and the ground truth (helpers/dirty.h)
 * and runs under the oracle, whose verdict teardown checks.  A backend
 * without the extension (every kernel) answers the request -ENOTTY: the
 * tests then skip.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "helpers/dirty.h"
#include "helpers/rand.h"
#include "vfiosim_oracle.h"

#define IOVA	FX_IOVA
#define START	VFIO_IOMMU_DIRTY_PAGES_FLAG_START
#define STOP	VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP
#define RW	(VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE)

#define P_PINNED	VFIOSIM_DIRTY_PROVIDER_PINNED
#define P_IOMMU		VFIOSIM_DIRTY_PROVIDER_IOMMU
#define P_DEVICE	VFIOSIM_DIRTY_PROVIDER_DEVICE
#define P_AUTO		VFIOSIM_DIRTY_PROVIDER_AUTO

/* ------------------------------------------------------------ fixture */

#define PV_TEST(f, cfg)		DIRTY_ORACLE_TEST(f, cfg)

/* An IOMMU-backed group whose IOMMU keeps dirty bits. */
#define PV_HW(pgs)		{ .kind = VFIOSIM_GROUP_IOMMU, .pgsize_bitmap = (pgs), \
				  .dirty_tracking = true }
/* One whose device has a tracker of n ranges, pages of pgsize, capacity cap. */
#define PV_DEV(pgs, n, pgsize, cap)						\
	{ .kind = VFIOSIM_GROUP_IOMMU, .pgsize_bitmap = (pgs), .tracker_ranges = (n), \
	  .tracker_pgsize = (pgsize), .tracker_capacity = (cap) }

static const struct fx_config pv_hw_4k =
	FX_CONFIG("v2, IOMMU 4K with dirty bits", VFIO_TYPE1v2_IOMMU, PV_HW(SZ_4K));
static const struct fx_config pv_hw_2m =
	FX_CONFIG("v2, IOMMU 4K|2M|1G with dirty bits", VFIO_TYPE1v2_IOMMU,
		  PV_HW(SZ_4K | SZ_2M | SZ_1G));
static const struct fx_config pv_hw_64k = {
	FX_CONFIG_OF("v2, 64K CPU pages, IOMMU 64K|512M with dirty bits", VFIO_TYPE1v2_IOMMU,
		     PV_HW(SZ_64K | SZ_512M)),
	.host = { .page_size = SZ_64K },
};
/* Beside a group that pins, whose IOMMU has no dirty bits. */
static const struct fx_config pv_hw_pin =
	FX_CONFIG("v2, IOMMU 4K with dirty bits + IOMMU 4K device pins", VFIO_TYPE1v2_IOMMU,
		  PV_HW(SZ_4K), FX_PINNING(SZ_4K));
static const struct fx_config pv_dev_4k =
	FX_CONFIG("v2, IOMMU 4K, device tracker (4 ranges)", VFIO_TYPE1v2_IOMMU,
		  PV_DEV(SZ_4K, 4, 0, 0));
static const struct fx_config pv_dev_2m =
	FX_CONFIG("v2, IOMMU 4K|2M|1G, device tracker (4 ranges)", VFIO_TYPE1v2_IOMMU,
		  PV_DEV(SZ_4K | SZ_2M | SZ_1G, 4, 0, 0));
static const struct fx_config pv_dev_64k = {
	FX_CONFIG_OF("v2, 64K CPU pages, IOMMU 64K|512M, device tracker", VFIO_TYPE1v2_IOMMU,
		     PV_DEV(SZ_64K | SZ_512M, 4, 0, 0)),
	.host = { .page_size = SZ_64K },
};
/* A tracker of 64K pages on a 4K IOMMU. */
static const struct fx_config pv_dev_coarse =
	FX_CONFIG("v2, IOMMU 4K, device tracker of 64K pages", VFIO_TYPE1v2_IOMMU,
		  PV_DEV(SZ_4K, 4, SZ_64K, 0));
/* A tracker of one range that holds 4 dirty pages. */
static const struct fx_config pv_dev_small =
	FX_CONFIG("v2, IOMMU 4K, device tracker (1 range, 4 pages)", VFIO_TYPE1v2_IOMMU,
		  PV_DEV(SZ_4K, 1, 0, 4));
/* Both kinds, for AUTO. */
static const struct fx_config pv_mixed =
	FX_CONFIG("v2, IOMMU 4K with dirty bits + IOMMU 4K device tracker", VFIO_TYPE1v2_IOMMU,
		  PV_HW(SZ_4K), PV_DEV(SZ_4K, 4, 0, 0));
/* A group that pins, recorded by its IOMMU or its tracker, beside one with dirty bits. */
static const struct fx_config pv_hw_pinner =
	FX_CONFIG("v2, IOMMU 4K with dirty bits, device pins + IOMMU 4K with dirty bits",
		  VFIO_TYPE1v2_IOMMU,
		  { .kind = VFIOSIM_GROUP_IOMMU, .pgsize_bitmap = SZ_4K, .dirty_tracking = true,
		    .has_dma_unmap = true },
		  PV_HW(SZ_4K));
static const struct fx_config pv_dev_pinner =
	FX_CONFIG("v2, IOMMU 4K, device tracker, device pins + IOMMU 4K with dirty bits",
		  VFIO_TYPE1v2_IOMMU,
		  { .kind = VFIOSIM_GROUP_IOMMU, .pgsize_bitmap = SZ_4K, .tracker_ranges = 4,
		    .has_dma_unmap = true },
		  PV_HW(SZ_4K));
static const struct fx_config pv_v1 =
	FX_CONFIG("v1, IOMMU 4K with dirty bits", VFIO_TYPE1_IOMMU, PV_HW(SZ_4K));

/* ------------------------------------------------------------ helpers */

#define A(p)	DIRTY_A(fx, p)
#define B(p)	DIRTY_B(fx, p)

/* Chooses a provider; a backend without the extension skips the test. */
static void provider(struct fx *fx, unsigned int p)
{
	long ret = vfiosim_container_set_dirty_provider(fx->c, p);

	if (ret == -ENOTTY) {
		print_message("    (%s has no dirty-provider extension)\n",
			      vfiosim_backend_name());
		skip();
	}
	expect_ok(ret);
}

#define WANT(w, ...)	DIRTY_WANT(w, __VA_ARGS__)

static const struct vfiosim_iommu_type1_info_cap_dirty_provider *
provider_cap(struct fx *fx)
{
	return fx_find_cap(fx_get_info(fx), VFIOSIM_IOMMU_TYPE1_INFO_CAP_DIRTY_PROVIDER);
}

/* A group attached to the container now (freed by teardown). */
static struct vfiosim_group *join(struct fx *fx, const struct vfiosim_group_config *cfg)
{
	struct vfiosim_group *g = fx_group(fx, cfg);

	expect_ok(vfiosim_container_attach(fx->c, g));
	return g;
}

/* ---------------------------------------------------- the request itself */

/*
 * Nothing changes until a provider is chosen: GET_INFO has no capability
 * of the extension and reports are type1's.  Bad requests are refused.
 */
static void test_provider_request_and_capability(void **state)
{
	struct fx *fx = *state;
	const struct vfiosim_iommu_type1_info_cap_dirty_provider *cap;
	struct vfiosim_iommu_dirty_provider req = { .argsz = sizeof(req) };
	struct dirty_want w;

	assert_null(provider_cap(fx));
	provider(fx, P_PINNED);
	cap = provider_cap(fx);
	assert_non_null(cap);
	assert_int_equal(cap->header.version, 1);
	assert_int_equal(cap->provider, P_PINNED);
	assert_int_equal(cap->flags, 0);

	expect_err(vfiosim_container_set_dirty_provider(fx->c, P_AUTO + 1), EINVAL);
	fx_user_add(fx, &req, sizeof(req), RW);
	req.flags = 1;
	expect_err(vfiosim_ioctl(fx->c, VFIOSIM_IOMMU_DIRTY_PROVIDER, &req), EINVAL);
	req.flags = 0;
	req.argsz = sizeof(req) - 1;
	expect_err(vfiosim_ioctl(fx->c, VFIOSIM_IOMMU_DIRTY_PROVIDER, &req), EINVAL);
	fx_user_del(fx, &req);

	/* PINNED is type1: the group that never pins makes everything dirty. */
	dirty_map_ab(fx, &w, 16);
	expect_ok(fx_dirty(fx->c, START));
	expect_ok(vfiosim_device_write(fx->g[0], A(3), 1));
	dirty_want_all(&w);
	dirty_expect(fx, &w);
	dirty_expect(fx, &w);

	provider(fx, P_IOMMU);
	cap = provider_cap(fx);
	assert_int_equal(cap->provider, P_IOMMU);
	assert_int_equal(cap->flags, VFIOSIM_DIRTY_PROVIDER_FLAG_COVERED);
	assert_int_equal(cap->iommu_groups, 1);
	assert_int_equal(cap->device_groups, 0);
}

/* A v1 container cannot track dirty pages, nor choose who does. */
static void test_provider_v1_eacces(void **state)
{
	struct fx *fx = *state;
	long ret = vfiosim_container_set_dirty_provider(fx->c, P_IOMMU);

	if (ret == -ENOTTY)
		skip();
	expect_err(ret, EACCES);
}

/* ------------------------------------------------------ IOMMU dirty bits */

/* Only what the device wrote, then nothing; the same through UNMAP. */
static void test_provider_iommu_reports_what_was_written(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;
	uint64_t unmapped = 0;

	provider(fx, P_IOMMU);
	dirty_map_ab(fx, &w, 16);
	expect_ok(fx_dirty(fx->c, START));
	dirty_want_none(&w);
	dirty_expect(fx, &w);

	expect_ok(vfiosim_device_write(fx->g[0], A(3), 100));
	expect_ok(vfiosim_device_write(fx->g[0], B(7), fx->pgsize));
	expect_ok(vfiosim_device_write(fx->g[0], A(9) - 1, 2));	/* two pages */
	expect_ok(dirty_write(fx, B(1), 1));			/* dma_rw, as ever */
	WANT(&w, A(3), A(8), A(9), B(1), B(7));
	dirty_expect(fx, &w);
	dirty_want_none(&w);
	dirty_expect(fx, &w);

	expect_ok(vfiosim_device_write(fx->g[0], A(15), 1));
	WANT(&w, A(15));
	dirty_expect_unmap(fx, &w, &unmapped);
	expect_u64(unmapped, 16 * fx->pgsize + 8 * fx->pgsize);
}

/* A 2M entry is dirty as a whole: the report blurs to it, no further. */
static void test_provider_iommu_large_entry_blurs(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;

	provider(fx, P_IOMMU);
	dirty_want_init(fx, &w, IOVA, 2 * SZ_2M);
	dirty_want_map(&w, IOVA, 2 * SZ_2M);
	expect_ok(fx_map(fx, fx->guest, IOVA, 2 * SZ_2M, FX_RW));
	expect_u64(vfiosim_group_iommu_page(fx->g[0], IOVA + SZ_2M), SZ_2M);
	expect_ok(fx_dirty(fx->c, START));
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + SZ_2M + 5 * SZ_4K, 1));
	dirty_want_none(&w);
	dirty_want_set(&w, IOVA + SZ_2M, SZ_2M);
	dirty_expect(fx, &w);
	dirty_want_none(&w);
	dirty_expect(fx, &w);
}

/*
 * A group whose IOMMU has no dirty bits brings type1's rule back: all
 * dirty while it is there.  Once it leaves, the next report is full (what
 * it wrote before leaving was recorded by nobody), then narrow again.
 */
static void test_provider_iommu_group_without_bits_comes_and_goes(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config plain = FX_IOMMU(SZ_4K);
	struct vfiosim_group *g;
	struct dirty_want w;

	provider(fx, P_IOMMU);
	dirty_map_ab(fx, &w, 16);
	expect_ok(fx_dirty(fx->c, START));
	expect_ok(vfiosim_device_write(fx->g[0], A(1), 1));
	WANT(&w, A(1));
	dirty_expect(fx, &w);

	g = join(fx, &plain);
	assert_int_equal(provider_cap(fx)->flags, 0);
	expect_ok(vfiosim_device_write(g, B(2), 1));
	dirty_want_all(&w);
	dirty_expect(fx, &w);
	expect_ok(vfiosim_device_write(g, B(3), 1));
	expect_ok(vfiosim_container_detach(fx->c, g));
	dirty_expect(fx, &w);				/* full once more */
	expect_ok(vfiosim_device_write(fx->g[0], B(4), 1));
	WANT(&w, B(4));
	dirty_expect(fx, &w);
}

/*
 * Beside a group that pins, on an IOMMU without dirty bits: all dirty
 * until it pins, then the next report full and then narrow, to the dirty
 * bits and the pinned pages.
 */
static void test_provider_iommu_with_a_pinning_group(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;
	uint64_t pfn = 0;

	provider(fx, P_IOMMU);
	dirty_map_ab(fx, &w, 16);
	expect_ok(fx_dirty(fx->c, START));
	expect_ok(vfiosim_device_write(fx->g[0], A(5), 1));
	dirty_want_all(&w);
	dirty_expect(fx, &w);
	expect_ok(vfiosim_device_write(fx->g[1], A(6), 1));
	expect_ret(vfiosim_pin_pages(fx->c, fx->g[1], B(0), 1, RW, &pfn), 1);
	dirty_expect(fx, &w);				/* the switch: full */
	expect_ok(vfiosim_device_write(fx->g[0], A(7), 1));
	WANT(&w, A(7), B(0));
	dirty_expect(fx, &w);
	expect_ok(vfiosim_unpin_pages(fx->c, fx->g[1], B(0), 1));
	WANT(&w, B(0));					/* pinned at the last report */
	dirty_expect(fx, &w);
	dirty_want_none(&w);
	dirty_expect(fx, &w);
}

/*
 * A group in the pinned scope that wrote a page it did not pin, then
 * left: its IOMMU's bits (its domain goes with it) or its tracker's
 * records are kept first, so the next report still has the page.
 */
static void test_provider_leaving_group_keeps_its_writes(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;
	uint64_t pfn = 0;

	provider(fx, P_AUTO);
	dirty_map_ab(fx, &w, 16);
	expect_ok(fx_dirty(fx->c, START));
	expect_ret(vfiosim_pin_pages(fx->c, fx->g[0], A(0), 1, RW, &pfn), 1);
	expect_ok(vfiosim_device_write(fx->g[0], A(5), 1));
	expect_ok(vfiosim_device_write(fx->g[1], B(3), 1));
	expect_ok(vfiosim_container_detach(fx->c, fx->g[0]));
	WANT(&w, A(0), A(5), B(3));
	dirty_expect(fx, &w);
	dirty_want_none(&w);
	dirty_expect(fx, &w);
}

/* Choosing a provider while tracking: the next report is full. */
static void test_provider_change_while_tracking(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;

	dirty_map_ab(fx, &w, 16);
	expect_ok(fx_dirty(fx->c, START));
	provider(fx, P_PINNED);
	dirty_want_all(&w);
	dirty_expect(fx, &w);
	expect_ok(vfiosim_device_write(fx->g[0], A(2), 1));
	provider(fx, P_IOMMU);
	dirty_expect(fx, &w);
	expect_ok(vfiosim_device_write(fx->g[0], A(4), 1));
	WANT(&w, A(4));
	dirty_expect(fx, &w);
	provider(fx, P_PINNED);
	dirty_want_all(&w);
	dirty_expect(fx, &w);
	dirty_expect(fx, &w);
	/* Tracking again from scratch: no transition, nothing full. */
	provider(fx, P_IOMMU);
	expect_ok(fx_dirty(fx->c, STOP));
	expect_ok(fx_dirty(fx->c, START));
	dirty_want_none(&w);
	dirty_expect(fx, &w);
}

/* ------------------------------------------------------- device trackers */

static void test_provider_device_reports_what_was_written(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;

	provider(fx, P_DEVICE);
	dirty_map_ab(fx, &w, 16);
	expect_ok(fx_dirty(fx->c, START));
	assert_int_equal(provider_cap(fx)->device_groups, 1);
	dirty_want_none(&w);
	dirty_expect(fx, &w);
	expect_ok(vfiosim_device_write(fx->g[0], A(0), 1));
	expect_ok(vfiosim_device_write(fx->g[0], B(6), 2 * fx->pgsize));
	WANT(&w, A(0), B(6), B(7));
	dirty_expect(fx, &w);
	dirty_want_none(&w);
	dirty_expect(fx, &w);
	/* IOMMU alone records nothing here: type1's rule. */
	provider(fx, P_IOMMU);
	dirty_want_all(&w);
	dirty_expect(fx, &w);
	dirty_expect(fx, &w);
}

/* A tracker's page is its unit: a write blurs to the whole 64K page. */
static void test_provider_device_pages_blur(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;

	provider(fx, P_DEVICE);
	dirty_map_ab(fx, &w, 16);
	expect_ok(fx_dirty(fx->c, START));
	expect_ok(vfiosim_device_write(fx->g[0], A(3), 1));
	dirty_want_none(&w);
	dirty_want_set(&w, A(0), SZ_64K);
	dirty_expect(fx, &w);
	dirty_want_none(&w);
	dirty_expect(fx, &w);
}

/* More dirty pages than the tracker holds: all dirty, until it restarts. */
static void test_provider_device_overflow_falls_back(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;
	unsigned int i;

	provider(fx, P_DEVICE);
	dirty_map_ab(fx, &w, 16);
	expect_ok(fx_dirty(fx->c, START));
	for (i = 0; i < 4; i++)
		expect_ok(vfiosim_device_write(fx->g[0], A(i), 1));
	WANT(&w, A(0), A(1), A(2), A(3));
	dirty_expect(fx, &w);
	for (i = 0; i < 5; i++)
		expect_ok(vfiosim_device_write(fx->g[0], B(i), 1));
	dirty_want_all(&w);
	dirty_expect(fx, &w);
	assert_int_equal(provider_cap(fx)->flags, 0);
	dirty_expect(fx, &w);
	expect_ok(fx_dirty(fx->c, STOP));
	expect_ok(fx_dirty(fx->c, START));
	expect_ok(vfiosim_device_write(fx->g[0], B(1), 1));
	WANT(&w, B(1));
	dirty_expect(fx, &w);
}

/*
 * A mapping made while tracking is outside the tracker's ranges: a write
 * there fails it, and the group falls back to all dirty, the write
 * included.
 */
static void test_provider_device_range_it_cannot_cover(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;

	provider(fx, P_DEVICE);
	dirty_want_init(fx, &w, IOVA, 128 * fx->pgsize);
	dirty_want_map(&w, A(0), 16 * fx->pgsize);
	expect_ok(fx_map(fx, fx->guest, A(0), 16 * fx->pgsize, FX_RW));
	expect_ok(fx_dirty(fx->c, START));
	expect_ok(vfiosim_device_write(fx->g[0], A(2), 1));
	WANT(&w, A(2));
	dirty_expect(fx, &w);

	dirty_want_map(&w, B(0), 8 * fx->pgsize);
	expect_ok(fx_map(fx, fx->guest + 16 * fx->pgsize, B(0), 8 * fx->pgsize, FX_RW));
	dirty_want_none(&w);
	dirty_expect(fx, &w);
	expect_ok(vfiosim_device_write(fx->g[0], B(5), 1));
	dirty_want_all(&w);
	dirty_expect(fx, &w);
}

/*
 * What a tracker recorded of a mapping goes with the mapping: mapped again
 * at the same place, it starts clean.
 */
static void test_provider_device_unmap_forgets(void **state)
{
	struct fx *fx = *state;
	struct dirty_want w;

	provider(fx, P_DEVICE);
	dirty_map_ab(fx, &w, 16);
	expect_ok(fx_dirty(fx->c, START));
	expect_ok(vfiosim_device_write(fx->g[0], A(2), 1));
	expect_ok(fx_unmap(fx, A(0), 16 * fx->pgsize, 0, NULL));
	expect_ok(fx_map(fx, fx->guest, A(0), 16 * fx->pgsize, FX_RW));
	/* That write went with its mapping: the ground truth starts after it. */
	w.log_mark = vfiosim_log_count(fx->h);
	expect_ok(vfiosim_device_write(fx->g[0], B(2), 1));
	WANT(&w, B(2));
	dirty_expect(fx, &w);
}

/* AUTO: the IOMMU's bits for one group, the device's tracker for the other. */
static void test_provider_auto_mixes_both(void **state)
{
	struct fx *fx = *state;
	const struct vfiosim_iommu_type1_info_cap_dirty_provider *cap;
	struct dirty_want w;

	provider(fx, P_AUTO);
	dirty_map_ab(fx, &w, 16);
	expect_ok(fx_dirty(fx->c, START));
	cap = provider_cap(fx);
	assert_int_equal(cap->iommu_groups, 1);
	assert_int_equal(cap->device_groups, 1);
	assert_int_equal(cap->flags, VFIOSIM_DIRTY_PROVIDER_FLAG_COVERED);
	expect_ok(vfiosim_device_write(fx->g[0], A(1), 1));
	expect_ok(vfiosim_device_write(fx->g[1], B(1), 1));
	WANT(&w, A(1), B(1));
	dirty_expect(fx, &w);
	/* DEVICE alone leaves the first group unrecorded. */
	provider(fx, P_DEVICE);
	dirty_want_all(&w);
	dirty_expect(fx, &w);
	dirty_expect(fx, &w);
	/* The tracker's group leaves: the other still has no provider. */
	expect_ok(vfiosim_container_detach(fx->c, fx->g[1]));
	dirty_expect(fx, &w);
}

/* ------------------------------------------------------------ random walk */

/* IOMMU bits (4K|2M), a tracker (4 ranges, 512 pages), a plain group that pins. */
static const struct fx_config pv_walk =
	FX_CONFIG("v2, dirty bits + device tracker + a plain pinning group", VFIO_TYPE1v2_IOMMU,
		  PV_HW(SZ_4K | SZ_2M), PV_DEV(SZ_4K, 4, 0, 512), FX_PINNING(SZ_4K));
static const struct fx_config pv_walk_64k = {
	FX_CONFIG_OF("v2, 64K CPU pages, dirty bits + device tracker + a plain pinning group",
		     VFIO_TYPE1v2_IOMMU, PV_HW(SZ_64K | SZ_512M), PV_DEV(SZ_64K, 4, 0, 64),
		     FX_PINNING(SZ_64K)),
	.host = { .page_size = SZ_64K },
};

#define WALK_SLOTS	8
#define WALK_STEPS	3000

struct walk {
	uint64_t rng;
	uint64_t size[WALK_SLOTS];	/* 0: slot unmapped */
	bool tracking, g2_in, g2_pinned;
	unsigned char buf[WALK_SLOTS * SZ_2M / SZ_4K / 8];	/* 4K pages at the least */
};

static uint64_t walk_iova(unsigned int slot)
{
	return IOVA + (uint64_t)slot * SZ_2M;
}

/* A mapped iova (slot's start if none is mapped: the write then faults). */
static uint64_t walk_somewhere(struct walk *w)
{
	unsigned int slot = (unsigned int)(vfiosim_rand(&w->rng) % WALK_SLOTS);
	uint64_t size = w->size[slot] ? w->size[slot] : 1;

	return walk_iova(slot) + vfiosim_rand(&w->rng) % size;
}

static void walk_step(struct fx *fx, struct walk *w)
{
	unsigned int slot = (unsigned int)(vfiosim_rand(&w->rng) % WALK_SLOTS);
	uint64_t iova = walk_somewhere(w), pfn, unmapped;
	struct vfiosim_dirty_unmap_arg ua;
	long ret;

	switch (vfiosim_rand(&w->rng) % 12) {
	case 0:
	case 1:
		if (w->size[slot])
			break;
		w->size[slot] = vfiosim_rand(&w->rng) % 2 ? SZ_2M : 16 * fx->pgsize;
		expect_ok(fx_map(fx, fx->guest + (uint64_t)slot * SZ_2M, walk_iova(slot),
				 w->size[slot], FX_RW));
		break;
	case 2:
		if (!w->size[slot])
			break;
		if (w->tracking && vfiosim_rand(&w->rng) % 2) {
			memset(w->buf, 0, sizeof(w->buf));
			vfiosim_unmap_bitmap_arg(&ua, walk_iova(slot), w->size[slot], fx->pgsize,
						 w->buf,
						 vfiosim_bitmap_bytes(w->size[slot] / fx->pgsize));
			expect_ok(dirty_unmap_raw(fx->c, &ua));
		} else {
			expect_ok(fx_unmap(fx, walk_iova(slot), w->size[slot], 0, &unmapped));
		}
		w->size[slot] = 0;
		break;
	case 3:
	case 4:
	case 5:
		/*
		 * The plain group writes only until it pins: after, a write to a
		 * page it did not pin breaks the promise of the pinned scope, and
		 * the oracle would rightly call it missed.
		 */
		ret = vfiosim_device_write(fx->g[vfiosim_rand(&w->rng) %
						 (w->g2_in && !w->g2_pinned ? 3 : 2)], iova,
					   1 + vfiosim_rand(&w->rng) % (3 * fx->pgsize));
		assert_true(ret == 0 || ret == -EFAULT || ret == -EPERM);
		break;
	case 6:
		if (!w->g2_in)
			break;
		iova &= ~(fx->pgsize - 1);
		slot = (unsigned int)((iova - IOVA) / SZ_2M);
		if (vfiosim_rand(&w->rng) % 2)
			w->g2_pinned |= vfiosim_pin_pages(fx->c, fx->g[2], iova, 1, RW, &pfn) >= 0;
		/* Only what it holds: an unmap or a detach gave back the rest. */
		else if (w->size[slot] && iova - walk_iova(slot) < w->size[slot] &&
			 vfiosim_mm_pin_count(fx->h, fx->guest + (iova - IOVA)) > 0)
			expect_ok(vfiosim_unpin_pages(fx->c, fx->g[2], iova, 1));
		break;
	case 7:
		dirty_write(fx, iova, 1 + vfiosim_rand(&w->rng) % 64);
		break;
	case 8:
		if (w->tracking) {
			memset(w->buf, 0, sizeof(w->buf));
			expect_ok(dirty_get(fx->c, IOVA, WALK_SLOTS * SZ_2M, fx->pgsize, w->buf,
					    vfiosim_bitmap_bytes(WALK_SLOTS * SZ_2M / fx->pgsize)));
		}
		break;
	case 9:
		provider(fx, (unsigned int)(vfiosim_rand(&w->rng) % (P_AUTO + 1)));
		break;
	case 10:
		w->tracking = !w->tracking;
		expect_ok(fx_dirty(fx->c, w->tracking ? START : STOP));
		break;
	case 11:
		if (w->g2_in)
			expect_ok(vfiosim_container_detach(fx->c, fx->g[2]));
		else
			expect_ok(vfiosim_container_attach(fx->c, fx->g[2]));
		w->g2_in = !w->g2_in;
		w->g2_pinned = false;
		break;
	}
}

/*
 * Random maps, unmaps (with and without bitmap), device writes by every
 * group, pins, dma_rw, reports, provider changes, tracking on and off and
 * the plain group coming and going: the oracle judges every report.
 */
static void test_provider_random_walk(void **state)
{
	struct fx *fx = *state;
	struct walk *w = fx_alloc(fx, sizeof(*w));
	struct vfiosim_oracle_stats st;
	unsigned int step;

	w->rng = fx_seed("test_provider_random_walk");
	w->g2_in = true;
	provider(fx, P_AUTO);
	for (step = 0; step < WALK_STEPS; step++) {
		walk_step(fx, w);
		if (step % 32 == 0)
			expect_consistent(fx->c);
	}
	/* The walk is only worth its oracle if reports were judged. */
	assert_int_equal(vfiosim_oracle_status(dirty_test_oracle(), &st), 0);
	assert_true(st.reports > WALK_STEPS / 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PV_TEST(test_provider_request_and_capability, pv_hw_4k),
		PV_TEST(test_provider_v1_eacces, pv_v1),
		PV_TEST(test_provider_iommu_reports_what_was_written, pv_hw_4k),
		PV_TEST(test_provider_iommu_reports_what_was_written, pv_hw_2m),
		PV_TEST(test_provider_iommu_reports_what_was_written, pv_hw_64k),
		PV_TEST(test_provider_iommu_large_entry_blurs, pv_hw_2m),
		PV_TEST(test_provider_iommu_group_without_bits_comes_and_goes, pv_hw_4k),
		PV_TEST(test_provider_iommu_group_without_bits_comes_and_goes, pv_hw_2m),
		PV_TEST(test_provider_iommu_with_a_pinning_group, pv_hw_pin),
		PV_TEST(test_provider_leaving_group_keeps_its_writes, pv_hw_pinner),
		PV_TEST(test_provider_leaving_group_keeps_its_writes, pv_dev_pinner),
		PV_TEST(test_provider_change_while_tracking, pv_hw_4k),
		PV_TEST(test_provider_change_while_tracking, pv_hw_64k),
		PV_TEST(test_provider_device_reports_what_was_written, pv_dev_4k),
		PV_TEST(test_provider_device_reports_what_was_written, pv_dev_2m),
		PV_TEST(test_provider_device_reports_what_was_written, pv_dev_64k),
		PV_TEST(test_provider_device_pages_blur, pv_dev_coarse),
		PV_TEST(test_provider_device_overflow_falls_back, pv_dev_small),
		PV_TEST(test_provider_device_range_it_cannot_cover, pv_dev_small),
		PV_TEST(test_provider_device_range_it_cannot_cover, pv_dev_4k),
		PV_TEST(test_provider_device_unmap_forgets, pv_dev_4k),
		PV_TEST(test_provider_auto_mixes_both, pv_mixed),
		PV_TEST(test_provider_random_walk, pv_walk),
		PV_TEST(test_provider_random_walk, pv_walk_64k),
	};

	return cmocka_run_group_tests_name("dirty_providers", tests, NULL, NULL);
}
