// SPDX-License-Identifier: MIT
/*
 * test_oracle.c - the ground-truth dirty-page oracle: it passes on the
 * normal flows of dirty tracking (IOMMU-backed groups dirtying whole
 * mappings, emulated groups reporting exactly their pins and dma_rw
 * writes, scope changes, unmap with a bitmap, holes and unaligned bit
 * offsets, report pages larger than CPU pages, failed calls), it catches
 * each kind of bad report (a report corrupted on purpose between the
 * backend and the checks), it keeps up with 64 GiB reports, and it stays
 * silent through long seeded random sequences of every operation.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helpers/fixture.h"
#include "helpers/rand.h"
#include "vfiosim_oracle.h"

#define IOVA	FX_IOVA
#define P	SZ_4K

/* The oracle of the running test, made by setup on the fixture's container. */
static struct vfiosim_oracle *oracle;
/* The test provokes violations: teardown does not hold them against it. */
static bool expect_violations;

static int orc_setup(void **state)
{
	expect_violations = false;
	oracle = fx_setup_oracle(state);
	return oracle ? 0 : -1;
}

/* The container goes first: the oracle must survive it. */
static int orc_teardown(void **state)
{
	struct vfiosim_oracle_stats st;
	int bad = fx_teardown(state);

	if (vfiosim_oracle_status(oracle, &st) && !expect_violations) {
		print_error("teardown: oracle: %s\n", st.first);
		bad = -1;
	}
	vfiosim_oracle_free(oracle);
	oracle = NULL;
	return bad;
}

#define ORC_TEST(f, cfg)							\
	{ .name = #f "@" #cfg, .test_func = (f), .setup_func = orc_setup,	\
	  .teardown_func = orc_teardown, .initial_state = (void *)&(cfg) }

/* v2, one IOMMU-backed group whose driver can pin (4K pages). */
static const struct fx_config cfg_iommu =
	FX_CONFIG("v2, pinning IOMMU group 4K", VFIO_TYPE1v2_IOMMU, FX_PINNING(SZ_4K));

/* v2, a pinning IOMMU-backed group and an emulated one. */
static const struct fx_config cfg_mixed =
	FX_CONFIG("v2, pinning IOMMU group + emulated group", VFIO_TYPE1v2_IOMMU, FX_PINNING(SZ_4K),
		  FX_EMULATED);

/* 4 KiB CPU pages under an IOMMU whose smallest page is 64 KiB. */
static const struct fx_config cfg_fold =
	FX_CONFIG("v2, 4K CPU pages, pinning IOMMU group 64K + emulated group", VFIO_TYPE1v2_IOMMU,
		  FX_PINNING(SZ_64K), FX_EMULATED);

/* Groups are made by the random test itself. */
static const struct fx_config cfg_rand_v2 = {
	.name = "v2 container, groups come and go",
	.type = VFIO_TYPE1v2_IOMMU,
};

static const struct fx_config cfg_rand_bare = {
	.name = "bare container, SET_IOMMU(v2) whenever it has groups",
	.type = 0,
};

/* ------------------------------------------------------------ helpers */

static void expect_clean_at(const char *file, int line)
{
	struct vfiosim_oracle_stats st;

	if (!vfiosim_oracle_status(oracle, &st))
		return;
	print_error("%s:%d: oracle: %s\n", file, line, st.first);
	_fail(file, line);
}
#define expect_clean()	expect_clean_at(__FILE__, __LINE__)

static struct vfiosim_oracle_stats stats(void)
{
	struct vfiosim_oracle_stats st;

	vfiosim_oracle_status(oracle, &st);
	return st;
}

static void expect_first_has(const char *a, const char *b)
{
	struct vfiosim_oracle_stats st = stats();

	if (strstr(st.first, a) && (!b || strstr(st.first, b)))
		return;
	fail_msg("oracle's first violation \"%s\" lacks \"%s\"%s%s", st.first, a,
		 b ? " or " : "", b ? b : "");
}

/* A zeroed bitmap for nbits pages plus one spare word. */
static uint64_t *bitmap_new(struct fx *fx, uint64_t nbits)
{
	return fx_alloc(fx, (nbits + 63) / 64 * 8 + 8);
}

/* The ioctl argument headers end in a flexible array: built in words. */
static long get_bitmap_in(struct vfiosim_container *c, uint64_t iova, uint64_t size,
			  uint64_t pgsize, uint64_t *bm)
{
	struct vfio_iommu_type1_dirty_bitmap hdr = {
		.argsz = sizeof(hdr) + sizeof(struct vfio_iommu_type1_dirty_bitmap_get),
		.flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP,
	};
	struct vfio_iommu_type1_dirty_bitmap_get get = {
		.iova = iova, .size = size,
		.bitmap = { .pgsize = pgsize, .size = (size / pgsize + 63) / 64 * 8,
			    .data = (__u64 *)bm },
	};
	uint64_t arg[(sizeof(hdr) + sizeof(get)) / 8];

	memcpy(arg, &hdr, sizeof(hdr));
	memcpy((char *)arg + sizeof(hdr), &get, sizeof(get));
	return vfiosim_ioctl(c, VFIO_IOMMU_DIRTY_PAGES, arg);
}

static long get_bitmap(struct fx *fx, uint64_t iova, uint64_t size, uint64_t *bm)
{
	return get_bitmap_in(fx->c, iova, size, fx->pgsize, bm);
}

static long unmap_bitmap(struct fx *fx, uint64_t iova, uint64_t size, uint64_t *bm,
			 uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap hdr = {
		.argsz = sizeof(hdr) + sizeof(struct vfio_bitmap),
		.flags = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP,
		.iova = iova, .size = size,
	};
	struct vfio_bitmap vb = {
		.pgsize = fx->pgsize, .size = (size / fx->pgsize + 63) / 64 * 8,
		.data = (__u64 *)bm,
	};
	uint64_t arg[(sizeof(hdr) + sizeof(vb)) / 8];
	long ret;

	memcpy(arg, &hdr, sizeof(hdr));
	memcpy((char *)arg + sizeof(hdr), &vb, sizeof(vb));
	ret = vfiosim_ioctl(fx->c, VFIO_IOMMU_UNMAP_DMA, arg);
	if (unmapped) {
		memcpy(&hdr, arg, sizeof(hdr));
		*unmapped = hdr.size;
	}
	return ret;
}

/*
 * The bitmap's first nbits bits must be exactly those listed in `want`,
 * "a-b,c,..." (inclusive ranges); the bitmap is zeroed afterwards.
 */
static void expect_bits_at(uint64_t *bm, uint64_t nbits, const char *want, const char *file,
			   int line)
{
	uint64_t i, *exp = calloc((nbits + 63) / 64 + 1, 8);
	const char *s = want;
	bool bad = false;

	assert_non_null(exp);
	while (*s) {
		char *end;
		uint64_t a = strtoull(s, &end, 10), b = a;

		if (*end == '-')
			b = strtoull(end + 1, &end, 10);
		for (i = a; i <= b && i < nbits; i++)
			exp[i / 64] |= 1ULL << (i % 64);
		s = *end == ',' ? end + 1 : end;
		if (end == s && *s) {
			fail_msg("bad bit list \"%s\"", want);
		}
	}
	for (i = 0; i < nbits; i++) {
		bool got = bm[i / 64] >> (i % 64) & 1, w = exp[i / 64] >> (i % 64) & 1;

		if (got != w) {
			if (!bad)
				print_error("%s:%d: bitmap differs from {%s}:\n", file, line, want);
			print_error("    bit %" PRIu64 ": got %d\n", i, got);
			bad = true;
		}
	}
	free(exp);
	memset(bm, 0, (nbits + 63) / 64 * 8);
	if (bad)
		_fail(file, line);
}
#define expect_bits(bm, nbits, want)	expect_bits_at((bm), (nbits), (want), __FILE__, __LINE__)

static void pin(struct fx *fx, struct vfiosim_group *g, uint64_t iova, int npage)
{
	uint64_t pfns[16];

	assert_true(npage <= 16);
	expect_ret(vfiosim_pin_pages(fx->c, g, iova, npage,
				     VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE, pfns), npage);
}

static void dma_write(struct fx *fx, uint64_t iova, size_t len)
{
	static unsigned char junk[4 * SZ_4K];

	assert_true(len <= sizeof(junk));
	expect_ok(vfiosim_dma_rw(fx->c, iova, junk, len, true));
}

/* --------------------------------------------------------- normal flows */

/* Three mappings with holes, the range [IOVA, IOVA + 128 pages). */
static void map_three(struct fx *fx)
{
	expect_ok(fx_map(fx, fx->guest, IOVA, 5 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 8 * P, IOVA + 8 * P, 70 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 100 * P, IOVA + 100 * P, 3 * P, FX_RW));
}

static void test_iommu_group_outside_scope_dirties_everything(void **state)
{
	struct fx *fx = *state;
	uint64_t *bm = bitmap_new(fx, 128);

	map_three(fx);
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + 9 * P, 100));
	expect_ok(get_bitmap(fx, IOVA, 128 * P, bm));
	expect_bits(bm, 128, "0-4,8-77,100-102");
	/* Still outside the scope: everything again. */
	expect_ok(get_bitmap(fx, IOVA, 128 * P, bm));
	expect_bits(bm, 128, "0-4,8-77,100-102");
	expect_clean();
	assert_int_equal(stats().reports, 2);
}

static void test_emulated_group_reports_pins_and_dma_rw_exactly(void **state)
{
	struct fx *fx = *state;
	uint64_t *bm = bitmap_new(fx, 16);

	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * P, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	pin(fx, fx->g[0], IOVA + 3 * P, 1);
	pin(fx, fx->g[0], IOVA + 9 * P, 1);
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + 3 * P + 8, 64));
	/* Two bytes across the boundary of pages 5 and 6. */
	dma_write(fx, IOVA + 6 * P - 1, 2);
	expect_ok(get_bitmap(fx, IOVA, 16 * P, bm));
	expect_bits(bm, 16, "3,5-6,9");
	/* Pinned at the report: reported once more after the unpin. */
	expect_ok(vfiosim_unpin_pages(fx->c, fx->g[0], IOVA + 3 * P, 1));
	expect_ok(get_bitmap(fx, IOVA, 16 * P, bm));
	expect_bits(bm, 16, "3,9");
	expect_ok(get_bitmap(fx, IOVA, 16 * P, bm));
	expect_bits(bm, 16, "9");
	expect_clean();
	assert_int_equal(stats().reports, 3);
}

static void test_scope_transitions(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config gc = { .kind = VFIOSIM_GROUP_IOMMU, .pgsize_bitmap = SZ_4K };
	struct vfiosim_group *iommu = fx->g[0], *emul = fx->g[1], *extra;
	uint64_t *bm = bitmap_new(fx, 32);

	expect_ok(fx_map(fx, fx->guest, IOVA, 8 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 16 * P, IOVA + 16 * P, 8 * P, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	expect_ok(get_bitmap(fx, IOVA, 32 * P, bm));
	expect_bits(bm, 32, "0-7,16-23");
	/* The emulated group was in the scope all along. */
	pin(fx, emul, IOVA + 17 * P, 1);
	expect_ok(get_bitmap(fx, IOVA, 32 * P, bm));
	expect_bits(bm, 32, "0-7,16-23");
	/* The last group outside pins: one more whole report (the model's
	 * choice, which the oracle demands), then the pinned pages only. */
	expect_ok(vfiosim_device_write(iommu, IOVA + 5 * P, 8));
	pin(fx, iommu, IOVA + 2 * P, 1);
	expect_ok(get_bitmap(fx, IOVA, 32 * P, bm));
	expect_bits(bm, 32, "0-7,16-23");
	expect_ok(get_bitmap(fx, IOVA, 32 * P, bm));
	expect_bits(bm, 32, "2,17");
	/* A new IOMMU-backed group is outside the scope ... */
	extra = fx_group(fx, &gc);
	expect_ok(vfiosim_container_attach(fx->c, extra));
	expect_ok(get_bitmap(fx, IOVA, 32 * P, bm));
	expect_bits(bm, 32, "0-7,16-23");
	/* ... and leaving dirties everything once more. */
	expect_ok(vfiosim_device_write(extra, IOVA + 20 * P, 8));
	expect_ok(vfiosim_container_detach(fx->c, extra));
	expect_ok(get_bitmap(fx, IOVA, 32 * P, bm));
	expect_bits(bm, 32, "0-7,16-23");
	expect_ok(get_bitmap(fx, IOVA, 32 * P, bm));
	expect_bits(bm, 32, "2,17");
	/* A group in the scope leaves: its pins went with it, reported once. */
	expect_ok(vfiosim_container_detach(fx->c, emul));
	expect_ok(get_bitmap(fx, IOVA, 32 * P, bm));
	expect_bits(bm, 32, "2,17");
	expect_ok(get_bitmap(fx, IOVA, 32 * P, bm));
	expect_bits(bm, 32, "2");
	expect_clean();
}

/*
 * Before 6.19 type1 lets a pin of no pages (npage < 0) through, and it
 * joins the scope; since, it is refused (-EINVAL) and the group stays out.
 */
static void test_pin_of_no_pages_still_joins_the_scope(void **state)
{
	struct fx *fx = *state;
	uint64_t *bm = bitmap_new(fx, 8), pfn = 0;
	bool refused = fx_since(fx, FX_K_PIN_NPAGE);

	expect_ok(fx_map(fx, fx->guest, IOVA, 8 * P, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	expect_ret(vfiosim_pin_pages(fx->c, fx->g[0], IOVA, -1, VFIOSIM_PROT_READ, &pfn),
		   refused ? -EINVAL : 0);
	expect_ok(get_bitmap(fx, IOVA, 8 * P, bm));
	expect_bits(bm, 8, "0-7");
	expect_ok(get_bitmap(fx, IOVA, 8 * P, bm));
	expect_bits(bm, 8, refused ? "0-7" : "");
	expect_clean();
}

static void test_unmap_with_bitmap_reports_and_removes(void **state)
{
	struct fx *fx = *state;
	uint64_t *bm = bitmap_new(fx, 24), unmapped = 0;

	expect_ok(fx_map(fx, fx->guest, IOVA, 8 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 12 * P, IOVA + 12 * P, 12 * P, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	/* The pin goes when the unmap asks the device to let go. */
	pin(fx, fx->g[0], IOVA + 1 * P, 1);
	dma_write(fx, IOVA + 16 * P, P);
	expect_ok(unmap_bitmap(fx, IOVA, 24 * P, bm, &unmapped));
	expect_u64(unmapped, 20 * P);
	expect_bits(bm, 24, "1,16");
	expect_ok(get_bitmap(fx, IOVA, 24 * P, bm));
	expect_bits(bm, 24, "");
	expect_clean();
	assert_int_equal(stats().reports, 2);
}

/*
 * Mappings at bit offsets 3, 70 and 131 of a 250-page range; the bits
 * above the range in its last word are the caller's and must stay.
 */
static void test_holes_and_unaligned_bit_offsets(void **state)
{
	struct fx *fx = *state;
	uint64_t *bm = bitmap_new(fx, 256);

	expect_ok(fx_map(fx, fx->guest, IOVA + 3 * P, 5 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 8 * P, IOVA + 70 * P, 61 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 70 * P, IOVA + 131 * P, 100 * P, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	pin(fx, fx->g[0], IOVA + 7 * P, 1);
	pin(fx, fx->g[0], IOVA + 127 * P, 4);
	dma_write(fx, IOVA + 70 * P, 3);
	dma_write(fx, IOVA + 192 * P - 2, 4);
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + 128 * P, 2 * P));
	bm[3] = 0xfc00000000000000ULL;		/* bits 250-255 */
	expect_ok(get_bitmap(fx, IOVA, 250 * P, bm));
	expect_u64(bm[3] & 0xfc00000000000000ULL, 0xfc00000000000000ULL);
	bm[3] &= ~0xfc00000000000000ULL;
	expect_bits(bm, 250, "7,70,127-130,191-192");
	expect_ok(get_bitmap(fx, IOVA, 250 * P, bm));
	expect_bits(bm, 250, "7,127-130");
	expect_clean();
}

/* Report pages of 64 KiB over 4 KiB CPU pages: a report page is dirty if
 * any of its CPU pages is. */
static void test_report_pages_larger_than_cpu_pages(void **state)
{
	struct fx *fx = *state;
	uint64_t *bm = bitmap_new(fx, 8);

	assert_int_equal(fx->pgsize, SZ_64K);
	/* type1 WARNs at each map: it assumes IOMMU pages no larger than PAGE_SIZE. */
	fx_expect_warnings(fx, 2);
	expect_ok(fx_map(fx, fx->guest, IOVA, 2 * SZ_64K, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 4 * SZ_64K, IOVA + 4 * SZ_64K, 4 * SZ_64K, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	expect_ok(get_bitmap(fx, IOVA, 8 * SZ_64K, bm));
	expect_bits(bm, 8, "0-1,4-7");
	pin(fx, fx->g[0], IOVA + SZ_64K + 15 * P, 1);
	expect_ok(get_bitmap(fx, IOVA, 8 * SZ_64K, bm));
	expect_bits(bm, 8, "0-1,4-7");
	pin(fx, fx->g[1], IOVA + 5 * SZ_64K + 3 * P, 2);
	dma_write(fx, IOVA + 7 * SZ_64K - 1, 2);
	expect_ok(get_bitmap(fx, IOVA, 8 * SZ_64K, bm));
	expect_bits(bm, 8, "1,5-7");
	expect_ok(get_bitmap(fx, IOVA, 8 * SZ_64K, bm));
	expect_bits(bm, 8, "1,5");
	expect_clean();
}

/*
 * A GET that faults on its second mapping: the model restarts nothing,
 * Linux restarts the first mapping.  The oracle accepts either in what it
 * allows (MAY) but still wants the written page.
 */
static void test_failed_get_still_owes_written_pages(void **state)
{
	struct fx *fx = *state;
	uint64_t *bm = bitmap_new(fx, 80);

	expect_ok(fx_map(fx, fx->guest, IOVA, 5 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 8 * P, IOVA + 70 * P, 10 * P, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	pin(fx, fx->g[0], IOVA + 1 * P, 1);
	dma_write(fx, IOVA + 72 * P, 1);
	dma_write(fx, IOVA + 3 * P, 1);
	/* The second mapping's word of the user bitmap is read-only: the first
	 * mapping's copy succeeds, the second's faults, on any backend. */
	fx_user_add(fx, &bm[1], sizeof(bm[1]), VFIOSIM_PROT_READ);
	expect_err(get_bitmap(fx, IOVA, 80 * P, bm), EFAULT);
	fx_user_del(fx, &bm[1]);
	memset(bm, 0, 16);
	expect_ok(get_bitmap(fx, IOVA, 80 * P, bm));
	expect_bits(bm, 80, "1,3,72");
	expect_clean();
	/* A backend that lost the written page of the second mapping is caught. */
	dma_write(fx, IOVA + 72 * P, 1);
	fx_user_add(fx, &bm[1], sizeof(bm[1]), VFIOSIM_PROT_READ);
	expect_err(get_bitmap(fx, IOVA, 80 * P, bm), EFAULT);
	fx_user_del(fx, &bm[1]);
	memset(bm, 0, 16);
	vfiosim_oracle_corrupt_next_report(oracle, 72);
	expect_ok(get_bitmap(fx, IOVA, 80 * P, bm));
	assert_int_equal(stats().missed, 1);
	expect_first_has("written but not reported", "page 0x40048000 (bit 72)");
	expect_violations = true;
}

/*
 * A failed unmap may or may not have removed its mappings: the oracle
 * holds them as ghosts until a report shows them (bits set) or a map
 * lands on them.
 */
static void test_failed_unmap_leaves_ghosts_until_settled(void **state)
{
	struct fx *fx = *state;
	uint64_t *bm = bitmap_new(fx, 80);
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .iova = IOVA, .size = 4 * P,
	};

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 8 * P, IOVA + 72 * P, 4 * P, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	dma_write(fx, IOVA + 1 * P, 1);
	dma_write(fx, IOVA + 73 * P, 1);
	/* The second mapping's word of the user bitmap is read-only: its copy
	 * faults after the first mapping's went through. */
	fx_user_add(fx, &bm[1], sizeof(bm[1]), VFIOSIM_PROT_READ);
	expect_err(unmap_bitmap(fx, IOVA, 80 * P, bm, NULL), EFAULT);
	fx_user_del(fx, &bm[1]);
	memset(bm, 0, 16);
	/* Both are still there (the model removes none): reported in full. */
	expect_ok(get_bitmap(fx, IOVA, 80 * P, bm));
	expect_bits(bm, 80, "1,73");
	/* The size cannot be written back, but the mapping went. */
	fx_user_add(fx, &u, sizeof(u), VFIOSIM_PROT_READ);
	expect_err(vfiosim_ioctl(fx->c, VFIO_IOMMU_UNMAP_DMA, &u), EFAULT);
	fx_user_del(fx, &u);
	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	pin(fx, fx->g[0], IOVA + 2 * P, 1);
	expect_ok(get_bitmap(fx, IOVA, 80 * P, bm));
	expect_bits(bm, 80, "2");
	expect_clean();
	assert_int_equal(stats().desync, 0);
	assert_int_equal(stats().reports, 2);
}

static void test_failed_pin_leaves_its_pages_uncertain(void **state)
{
	struct fx *fx = *state;
	uint64_t *bm = bitmap_new(fx, 8), pfns[8];

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	/* Pages 4 and 5 are not mapped: the call unwinds the first four. */
	expect_err(vfiosim_pin_pages(fx->c, fx->g[0], IOVA + 2 * P, 4,
				     VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE, pfns), EINVAL);
	expect_ok(get_bitmap(fx, IOVA, 8 * P, bm));
	memset(bm, 0, 16);
	expect_ok(get_bitmap(fx, IOVA, 8 * P, bm));
	expect_bits(bm, 8, "");
	expect_clean();
}

/* Nothing to judge on v1: no tracking, no reports, no complaints. */
static void test_v1_container_is_left_alone(void **state)
{
	struct fx *fx = *state;

	expect_ok(fx_map(fx, fx->guest, IOVA, 8 * P, FX_RW));
	expect_ok(vfiosim_device_write(fx->g[0], IOVA, 8));
	expect_err(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START), EACCES);
	expect_ok(fx_unmap(fx, IOVA, 8 * P, 0, NULL));
	expect_clean();
	assert_int_equal(stats().reports, 0);
}

static void test_new_refuses_what_it_cannot_follow(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config ge = { .kind = VFIOSIM_GROUP_EMULATED };
	struct vfiosim_container *c;
	struct vfiosim_group *g;
	uint64_t pfn;

	errno = 0;
	assert_null(vfiosim_oracle_new(NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(vfiosim_oracle_new(fx->c));
	assert_int_equal(errno, EBUSY);
	/* Pins made before it watched. */
	c = fx_container(fx, VFIO_TYPE1v2_IOMMU);
	assert_non_null(c);
	g = fx_group(fx, &ge);
	expect_ok(vfiosim_container_attach(c, g));
	expect_ok(fx_map_in(c, fx->guest, IOVA, 4 * P, FX_RW));
	expect_ret(vfiosim_pin_pages(c, g, IOVA, 1, VFIOSIM_PROT_READ, &pfn), 1);
	assert_null(vfiosim_oracle_new(c));
	assert_int_equal(errno, EBUSY);
}

/* The container may go first; the oracle keeps its verdict. */
static void test_oracle_outlives_its_container(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config ge = { .kind = VFIOSIM_GROUP_EMULATED };
	struct vfiosim_group *g = fx_group(fx, &ge);
	struct vfiosim_container *c = vfiosim_container_new(fx->h, VFIO_TYPE1v2_IOMMU);
	struct vfiosim_oracle *o;
	struct vfiosim_oracle_stats st;
	uint64_t *bm = bitmap_new(fx, 4);

	assert_non_null(c);
	o = vfiosim_oracle_new(c);
	assert_non_null(o);
	expect_ok(vfiosim_container_attach(c, g));
	expect_ok(fx_map_in(c, fx->guest, IOVA, 4 * P, FX_RW));
	expect_ok(fx_dirty(c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	vfiosim_oracle_corrupt_next_report(o, 1);
	expect_ok(get_bitmap_in(c, IOVA, 4 * P, P, bm));
	vfiosim_container_free(c);
	assert_int_equal(vfiosim_oracle_status(o, &st), -EUCLEAN);
	assert_int_equal(st.inexact, 1);
	vfiosim_oracle_free(o);
}

/* 64 GiB of mappings, all dirty: the report is checked in well under a second. */
static void test_large_report_is_checked_fast(void **state)
{
	struct fx *fx = *state;
	const uint64_t G = SZ_1G, base = 1ULL << 40, iova = 1ULL << 36;
	uint64_t nbits = (64 * G) >> 12, *bm = bitmap_new(fx, nbits), i;
	struct timespec t0, t1;
	char page[64];
	double secs;

	fx_mm_map(fx, base, 64 * G, VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE, 0);
	for (i = 0; i < 4; i++)
		expect_ok(fx_map(fx, base + i * 16 * G, iova + i * 16 * G, 16 * G, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	expect_ok(vfiosim_device_write(fx->g[0], iova + 33 * G, 3 * P));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect_ok(get_bitmap(fx, iova, 64 * G, bm));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	print_message("GET_BITMAP of 64 GiB, backend and oracle: %.3f s\n", secs);
	assert_true(secs < 1.0);
	for (i = 0; i < nbits / 64; i++)
		if (bm[i] != ~0ULL)
			fail_msg("word %" PRIu64 " of the all-dirty report: 0x%" PRIx64, i, bm[i]);
	expect_clean();
	/* And it is really looked at. */
	vfiosim_oracle_corrupt_next_report(oracle, nbits - 3);
	expect_ok(get_bitmap(fx, iova, 64 * G, bm));
	assert_int_equal(stats().inexact, 1);
	snprintf(page, sizeof(page), "page 0x%" PRIx64 " ", (uint64_t)(iova + (nbits - 3) * P));
	expect_first_has("must be reported (an IOMMU-backed group is outside the pinned scope)",
			 page);
	expect_violations = true;
}

/* ------------------------------------------------- catching bad reports */

/* An emulated device wrote a pinned page; the report leaves it out. */
static void test_catches_missed_written_page(void **state)
{
	struct fx *fx = *state;
	uint64_t *bm = bitmap_new(fx, 8);

	expect_ok(fx_map(fx, fx->guest, IOVA, 8 * P, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	pin(fx, fx->g[0], IOVA + 2 * P, 1);
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + 2 * P, 16));
	vfiosim_oracle_set_exact(oracle, false);
	vfiosim_oracle_corrupt_next_report(oracle, 2);
	expect_ok(get_bitmap(fx, IOVA, 8 * P, bm));
	assert_int_equal(vfiosim_oracle_status(oracle, NULL), -EUCLEAN);
	assert_int_equal(stats().missed, 1);
	assert_int_equal(stats().inexact, 0);
	assert_int_equal(stats().spurious, 0);
	expect_first_has("GET_BITMAP [0x40000000, 0x40007fff] pgsize 0x1000: page 0x40002000 "
			 "(bit 2) written but not reported", NULL);
	/* Still owed: the next report that leaves it out misses it again. */
	vfiosim_oracle_set_exact(oracle, true);
	vfiosim_oracle_corrupt_next_report(oracle, 2);
	expect_ok(get_bitmap(fx, IOVA, 8 * P, bm));
	assert_int_equal(stats().missed, 2);
	assert_int_equal(stats().inexact, 1);
	/* Once reported it is paid. */
	expect_ok(get_bitmap(fx, IOVA, 8 * P, bm));
	assert_int_equal(stats().missed, 2);
	assert_int_equal(stats().reports, 3);
	expect_violations = true;
}

static void test_catches_bit_in_a_hole(void **state)
{
	struct fx *fx = *state;
	uint64_t *bm = bitmap_new(fx, 16);

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 8 * P, IOVA + 8 * P, 4 * P, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	vfiosim_oracle_corrupt_next_report(oracle, 5);
	expect_ok(get_bitmap(fx, IOVA, 16 * P, bm));
	assert_int_equal(stats().spurious, 1);
	assert_int_equal(stats().missed, 0);
	assert_int_equal(stats().inexact, 0);
	expect_first_has("page 0x40005000 (bit 5) set in a hole of the range", NULL);
	expect_violations = true;
}

static void test_catches_bit_beyond_the_range(void **state)
{
	struct fx *fx = *state;
	uint64_t *bm = bitmap_new(fx, 12);

	expect_ok(fx_map(fx, fx->guest, IOVA, 12 * P, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	vfiosim_oracle_corrupt_next_report(oracle, 40);
	expect_ok(get_bitmap(fx, IOVA, 12 * P, bm));
	assert_int_equal(stats().spurious, 1);
	assert_int_equal(stats().inexact, 0);
	expect_first_has("(bit 40) beyond the range changed", NULL);
	expect_violations = true;
}

/*
 * A real write, not a corrupted copy: the unmapped size written back into
 * the UNMAP argument, which the caller put inside its own bitmap, half a
 * GiB of pages past the only mapping.  Nothing but the write itself tells
 * the oracle to look at that word.
 */
static void test_catches_write_in_a_hole_word_far_from_mappings(void **state)
{
	struct fx *fx = *state;
	const uint64_t npages = SZ_1G / P, nwords = npages / 64, at = nwords / 2;
	uint64_t *bm = bitmap_new(fx, npages);
	struct vfio_iommu_type1_dma_unmap hdr = {
		.argsz = sizeof(hdr) + sizeof(struct vfio_bitmap),
		.flags = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP,
		.iova = IOVA, .size = SZ_1G,
	};
	struct vfio_bitmap vb = { .pgsize = P, .size = nwords * 8, .data = (__u64 *)bm };
	/* size (SZ_1G before, P after) is the argument's third word: bit 12 appears. */
	const uint64_t bit = (at + offsetof(struct vfio_iommu_type1_dma_unmap, size) / 8) * 64 + 12;
	char want[96];

	expect_ok(fx_map(fx, fx->guest, IOVA, P, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	memcpy(bm + at, &hdr, sizeof(hdr));
	memcpy((char *)(bm + at) + sizeof(hdr), &vb, sizeof(vb));
	expect_ok(vfiosim_ioctl(fx->c, VFIO_IOMMU_UNMAP_DMA, bm + at));
	memcpy(&hdr, bm + at, sizeof(hdr));
	expect_u64(hdr.size, P);
	assert_int_equal(stats().reports, 1);
	assert_int_equal(stats().spurious, 1);
	assert_int_equal(stats().missed + stats().inexact + stats().desync, 0);
	snprintf(want, sizeof(want), "page 0x%" PRIx64 " (bit %" PRIu64 ") set in a hole",
		 (uint64_t)(IOVA + bit * P), bit);
	expect_first_has(want, NULL);
	/* Only the mapping's word and the argument's three were read back. */
	assert_true(stats().words_read <= 4);
	expect_violations = true;
}

/*
 * The caller claims 1 TiB of pages (a 32 MiB bitmap) but only the first
 * page of its buffer can be read: the report is still checked, from the
 * words of the one mapping alone.
 */
static void test_claimed_bitmap_is_read_only_where_mappings_are(void **state)
{
	struct fx *fx = *state;
	const uint64_t npages = 1ULL << 28;
	char *buf = fx_alloc(fx, 2 * P);
	uint64_t *bm = (uint64_t *)buf;

	/* Past the first page the buffer may be written, never read. */
	fx_user_add(fx, buf + P, P, VFIOSIM_PROT_WRITE);
	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	expect_ok(get_bitmap(fx, IOVA, npages * P, bm));
	expect_u64(bm[0], 0xf);
	assert_int_equal(stats().reports, 1);
	assert_int_equal(stats().unchecked, 0);
	assert_true(stats().words_read <= 1);
	expect_clean();
	/* And it is really looked at. */
	vfiosim_oracle_corrupt_next_report(oracle, 2);
	expect_ok(get_bitmap(fx, IOVA, npages * P, bm));
	assert_int_equal(stats().inexact, 1);
	expect_first_has("(bit 2) must be reported", NULL);
	expect_violations = true;
}

static void test_catches_clean_page_reported(void **state)
{
	struct fx *fx = *state;
	uint64_t *bm = bitmap_new(fx, 8);

	expect_ok(fx_map(fx, fx->guest, IOVA, 8 * P, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	/* Not exact: a page too many is no harm. */
	vfiosim_oracle_set_exact(oracle, false);
	vfiosim_oracle_corrupt_next_report(oracle, 3);
	expect_ok(get_bitmap(fx, IOVA, 8 * P, bm));
	expect_clean();
	vfiosim_oracle_set_exact(oracle, true);
	vfiosim_oracle_corrupt_next_report(oracle, 3);
	expect_ok(get_bitmap(fx, IOVA, 8 * P, bm));
	assert_int_equal(stats().inexact, 1);
	assert_int_equal(stats().missed, 0);
	assert_int_equal(stats().spurious, 0);
	expect_first_has("page 0x40003000 (bit 3) reported but nothing dirtied it", NULL);
	expect_violations = true;
}

static void test_catches_pinned_page_left_out(void **state)
{
	struct fx *fx = *state;
	uint64_t *bm = bitmap_new(fx, 8);

	expect_ok(fx_map(fx, fx->guest, IOVA, 8 * P, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	pin(fx, fx->g[0], IOVA + 6 * P, 1);
	vfiosim_oracle_corrupt_next_report(oracle, 6);
	expect_ok(get_bitmap(fx, IOVA, 8 * P, bm));
	assert_int_equal(stats().inexact, 1);
	assert_int_equal(stats().missed, 0);
	expect_first_has("page 0x40006000 (bit 6) must be reported (pinned", NULL);
	expect_violations = true;
}

static void test_catches_scope_page_left_out_of_unmap(void **state)
{
	struct fx *fx = *state;
	uint64_t *bm = bitmap_new(fx, 8);

	expect_ok(fx_map(fx, fx->guest, IOVA, 8 * P, FX_RW));
	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + 4 * P, 8));
	vfiosim_oracle_corrupt_next_report(oracle, 4);
	expect_ok(unmap_bitmap(fx, IOVA, 8 * P, bm, NULL));
	assert_int_equal(stats().missed, 1);
	assert_int_equal(stats().inexact, 1);
	expect_first_has("UNMAP_DMA [0x40000000, 0x40007fff]",
			 "page 0x40004000 (bit 4) written but not reported");
	expect_violations = true;
}

/* ------------------------------------------------------ random sequences */

#define R_SLOTS		24		/* mapping slots of 64 pages */
#define R_SLOT		(64 * P)
#define R_GROUPS	5		/* 2 pinning IOMMU, 1 plain IOMMU, 2 emulated */
#define R_PINS		512
#define R_MAPS		32		/* recent successful maps, to aim at */
#define R_STEPS		8000

struct rpin {
	unsigned int group;
	uint64_t iova;
	bool write;
};

struct rrun {
	struct fx *fx;
	uint64_t seed, rng;
	unsigned int step;
	char op[128];
	struct vfiosim_group *g[R_GROUPS];
	bool attached[R_GROUPS], promoted[R_GROUPS];
	struct rpin pins[R_PINS];
	unsigned int nr_pins;
	struct { uint64_t iova, pages; } maps[R_MAPS];
	unsigned int nr_maps;
	uint64_t *bm;
	unsigned long calls[16], fails[16];
};

static uint64_t r_rand(struct rrun *r)
{
	return vfiosim_rand(&r->rng);
}

static unsigned int r_below(struct rrun *r, unsigned int n)
{
	return (unsigned int)(r_rand(r) % n);
}

static bool r_emulated(unsigned int i)
{
	return i >= 3;
}

static bool r_any_attached(struct rrun *r)
{
	unsigned int i;

	for (i = 0; i < R_GROUPS; i++)
		if (r->attached[i])
			return true;
	return false;
}

/* A page-aligned IOVA, mostly inside a recent mapping (it may be gone). */
static uint64_t r_iova(struct rrun *r)
{
	unsigned int k;

	if (!r->nr_maps || !r_below(r, 5))
		return IOVA + (uint64_t)r_below(r, R_SLOTS * 64) * P;
	k = r_below(r, r->nr_maps < R_MAPS ? r->nr_maps : R_MAPS);
	if (!r->maps[k].pages)
		return IOVA + (uint64_t)r_below(r, R_SLOTS * 64) * P;
	return r->maps[k].iova + r_below(r, (unsigned int)r->maps[k].pages) * P;
}

/* Forget the test's own pin records in [iova, iova + size): a failed or
 * successful unmap may have had them released. */
static void r_forget_pins(struct rrun *r, uint64_t iova, uint64_t size)
{
	unsigned int i;

	for (i = 0; i < r->nr_pins;) {
		if (r->pins[i].iova - iova < size)
			r->pins[i] = r->pins[--r->nr_pins];
		else
			i++;
	}
}

/* The test's list of recent mappings forgets those an unmap took. */
static void r_forget_maps(struct rrun *r, uint64_t iova, uint64_t size)
{
	unsigned int k, n = r->nr_maps < R_MAPS ? r->nr_maps : R_MAPS;

	for (k = 0; k < n; k++)
		if (r->maps[k].iova - iova < size)
			r->maps[k].pages = 0;
}

static void r_forget_group_pins(struct rrun *r, unsigned int g)
{
	unsigned int i;

	for (i = 0; i < r->nr_pins;) {
		if (r->pins[i].group == g)
			r->pins[i] = r->pins[--r->nr_pins];
		else
			i++;
	}
}

enum { R_MAP, R_UNMAP, R_UNMAP_BM, R_GET, R_START, R_STOP, R_ATTACH, R_DETACH, R_SET,
       R_PIN, R_UNPIN, R_RW, R_WRITE, R_NR };

static void r_done(struct rrun *r, int kind, long ret)
{
	r->calls[kind]++;
	r->fails[kind] += ret != 0 && !(kind == R_PIN && ret > 0);
}

static void r_map(struct rrun *r)
{
	uint64_t slot = r_below(r, R_SLOTS), off = r_below(r, 8), pages = 1 + r_below(r, 56);
	uint64_t vaddr = r->fx->guest + (uint64_t)r_below(r, 16000) * P;
	uint32_t flags = r_below(r, 8) ? FX_RW : VFIO_DMA_MAP_FLAG_READ;
	long ret;

	snprintf(r->op, sizeof(r->op), "map slot %" PRIu64 " +%" PRIu64 " pages %" PRIu64, slot,
		 off, pages);
	ret = fx_map(r->fx, vaddr, IOVA + slot * R_SLOT + off * P, pages * P, flags);
	if (!ret) {
		r->maps[r->nr_maps % R_MAPS].iova = IOVA + slot * R_SLOT + off * P;
		r->maps[r->nr_maps % R_MAPS].pages = pages;
		r->nr_maps++;
	}
	r_done(r, R_MAP, ret);
}

/* A range of whole slots (valid for v2 unless it cuts nothing), or any. */
static void r_range(struct rrun *r, uint64_t *iova, uint64_t *size)
{
	unsigned int a = r_below(r, R_SLOTS), n = 1 + r_below(r, 4);

	if (a + n > R_SLOTS)
		n = R_SLOTS - a;
	if (r_below(r, 6)) {
		*iova = IOVA + a * R_SLOT;
		*size = n * R_SLOT;
	} else {
		*iova = r_iova(r);
		*size = (1 + r_below(r, 128)) * P;
	}
}

static void r_unmap(struct rrun *r, bool with_bitmap)
{
	uint64_t iova, size;
	long ret;

	r_range(r, &iova, &size);
	snprintf(r->op, sizeof(r->op), "unmap%s [0x%" PRIx64 ", +0x%" PRIx64 ")",
		 with_bitmap ? " with bitmap" : "", iova, size);
	memset(r->bm, 0, (size / P + 63) / 64 * 8 + 8);
	if (with_bitmap)
		ret = unmap_bitmap(r->fx, iova, size, r->bm, NULL);
	else
		ret = fx_unmap(r->fx, iova, size, 0, NULL);
	r_forget_pins(r, iova, size);
	if (!ret)
		r_forget_maps(r, iova, size);
	r_done(r, with_bitmap ? R_UNMAP_BM : R_UNMAP, ret);
}

static void r_unmap_all(struct rrun *r)
{
	snprintf(r->op, sizeof(r->op), "unmap all");
	r_done(r, R_UNMAP, fx_unmap_everything(r->fx, r->fx->c, NULL));
	r_forget_pins(r, 0, UINT64_MAX);
	r_forget_maps(r, 0, UINT64_MAX);
}

static void r_get(struct rrun *r)
{
	uint64_t iova, size, words;
	long ret;

	r_range(r, &iova, &size);
	words = (size / P + 63) / 64;
	snprintf(r->op, sizeof(r->op), "get [0x%" PRIx64 ", +0x%" PRIx64 ")", iova, size);
	memset(r->bm, 0, words * 8 + 8);
	/* Sometimes the caller's own bits above the range: they must stay. */
	if (r_below(r, 4) == 0 && size / P % 64)
		r->bm[words - 1] = ~0ULL << (size / P % 64);
	ret = get_bitmap_in(r->fx->c, iova, size, P, r->bm);
	r_done(r, R_GET, ret);
}

static void r_attach(struct rrun *r)
{
	unsigned int i = r_below(r, R_GROUPS);
	long ret;

	snprintf(r->op, sizeof(r->op), "attach group %u", i);
	ret = vfiosim_container_attach(r->fx->c, r->g[i]);
	if (!ret) {
		r->attached[i] = true;
		r->promoted[i] = false;
	}
	r_done(r, R_ATTACH, ret);
}

static void r_detach(struct rrun *r)
{
	unsigned int i = r_below(r, R_GROUPS);
	long ret;

	snprintf(r->op, sizeof(r->op), "detach group %u", i);
	ret = vfiosim_container_detach(r->fx->c, r->g[i]);
	if (!ret) {
		r->attached[i] = false;
		r_forget_group_pins(r, i);
		/* The last group out takes the mappings and their pins along. */
		if (!r_any_attached(r)) {
			r->nr_pins = 0;
			r->nr_maps = 0;
		}
	}
	r_done(r, R_DETACH, ret);
}

/* Mostly a group that is attached and whose driver can pin. */
static unsigned int r_pinner(struct rrun *r)
{
	unsigned int i = r_below(r, R_GROUPS), tries;

	for (tries = 0; tries < 4 && (!r->attached[i] || i == 2); tries++)
		i = r_below(r, R_GROUPS);
	return i;
}

static void r_pin(struct rrun *r)
{
	unsigned int i = r_pinner(r), j;
	int npage = 1 + (int)r_below(r, 3) * (int)r_below(r, 3);
	bool write = r_below(r, 5) != 0;
	uint64_t iova = r_iova(r), pfns[8];
	long ret;

	snprintf(r->op, sizeof(r->op), "pin group %u at 0x%" PRIx64 " x%d%s", i, iova, npage,
		 write ? " rw" : " ro");
	ret = vfiosim_pin_pages(r->fx->c, r->g[i], iova, npage,
				VFIOSIM_PROT_READ | (write ? VFIOSIM_PROT_WRITE : 0), pfns);
	if (ret >= 0) {
		r->promoted[i] = true;
		for (j = 0; j < ret && r->nr_pins < R_PINS; j++)
			r->pins[r->nr_pins++] = (struct rpin){ i, iova + j * P, write };
	}
	r_done(r, R_PIN, ret);
}

static void r_unpin(struct rrun *r)
{
	unsigned int k;
	struct rpin p;
	long ret;

	if (!r->nr_pins)
		return;
	k = r_below(r, r->nr_pins);
	p = r->pins[k];
	r->pins[k] = r->pins[--r->nr_pins];
	snprintf(r->op, sizeof(r->op), "unpin group %u at 0x%" PRIx64, p.group, p.iova);
	ret = vfiosim_unpin_pages(r->fx->c, r->g[p.group], p.iova, 1);
	r_done(r, R_UNPIN, ret);
}

static void r_dma_rw(struct rrun *r)
{
	static unsigned char buf[3 * SZ_4K];
	uint64_t iova = r_iova(r) + r_below(r, (unsigned int)P);
	size_t len = 1 + r_below(r, sizeof(buf));
	bool write = r_below(r, 4) != 0;
	long ret;

	snprintf(r->op, sizeof(r->op), "dma_rw %s 0x%" PRIx64 " +%zu", write ? "write" : "read",
		 iova, len);
	ret = vfiosim_dma_rw(r->fx->c, iova, buf, len, write);
	r_done(r, R_RW, ret);
}

/*
 * A device write that keeps the pinned-scope promise: a group that has
 * pinned writes only pages that are pinned (by anyone); an emulated
 * device can reach nothing else anyway.  A group that never pinned may
 * write anywhere it is mapped.
 */
static void r_write(struct rrun *r)
{
	unsigned int i = r_below(r, R_GROUPS), tries;
	uint64_t iova, len;
	long ret;

	for (tries = 0; tries < 4 && !r->attached[i]; tries++)
		i = r_below(r, R_GROUPS);
	if (!r->attached[i])
		return;
	if ((r_emulated(i) || r->promoted[i]) && r->nr_pins) {
		iova = r->pins[r_below(r, r->nr_pins)].iova + r_below(r, (unsigned int)P / 2);
		len = 1 + r_below(r, (unsigned int)P / 2);
	} else if (r_emulated(i) || r->promoted[i]) {
		return;
	} else {
		iova = r_iova(r) + r_below(r, (unsigned int)P);
		len = 1 + r_below(r, 2 * (unsigned int)P);
	}
	snprintf(r->op, sizeof(r->op), "device write group %u 0x%" PRIx64 " +%" PRIu64, i, iova,
		 len);
	ret = vfiosim_device_write(r->g[i], iova, len);
	r_done(r, R_WRITE, ret);
}

static void r_check(struct rrun *r)
{
	struct vfiosim_oracle_stats st;
	char why[256];

	if (vfiosim_oracle_status(oracle, &st))
		fail_msg("seed %" PRIu64 " step %u (%s): oracle: %s\n    replay with "
			 "VFIOSIM_SEED=%" PRIu64, r->seed, r->step, r->op, st.first, r->seed);
	if (vfiosim_container_check(r->fx->c, why, sizeof(why)))
		fail_msg("seed %" PRIu64 " step %u (%s): container check: %s\n    replay with "
			 "VFIOSIM_SEED=%" PRIu64, r->seed, r->step, r->op, why, r->seed);
}

static void random_run(struct fx *fx, uint64_t salt)
{
	struct rrun *r = fx_alloc(fx, sizeof(*r));
	unsigned int i;

	r->fx = fx;
	r->seed = fx_seed("oracle random sequences") + salt;
	r->rng = r->seed;
	r->bm = fx_alloc(fx, (4 * R_SLOT / P / 64 + 1) * 8 + 64);
	for (i = 0; i < R_GROUPS; i++) {
		struct vfiosim_group_config gc = {
			.kind = r_emulated(i) ? VFIOSIM_GROUP_EMULATED : VFIOSIM_GROUP_IOMMU,
			.pgsize_bitmap = SZ_4K | SZ_2M,
			.has_dma_unmap = i < 2,
			.iommu_id = i == 1 ? 7 : 0,
		};

		r->g[i] = fx_group(fx, &gc);
	}

	for (r->step = 0; r->step < R_STEPS; r->step++) {
		unsigned int choice = r_below(r, 100), fault = r_below(r, 40);

		r->op[0] = '\0';
		/* Now and then the simulated kernel's next copy or allocation fails;
		 * reports more often, part way through. */
		if (choice >= 20 && choice < 37 && fault < 6)
			vfiosim_fail_nth_copy(fx->h, 2 + r_below(r, 6));
		else if (fault == 0)
			vfiosim_fail_nth_copy(fx->h, 1 + r_below(r, 5));
		else if (fault == 1)
			vfiosim_fail_nth_alloc(fx->h, 1 + r_below(r, 4));
		if (choice < 14)
			r_map(r);
		else if (choice < 19)
			r_unmap(r, false);
		else if (choice < 20)
			r_unmap_all(r);
		else if (choice < 25)
			r_unmap(r, true);
		else if (choice < 37)
			r_get(r);
		else if (choice < 40)
			r_done(r, R_START, fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
		else if (choice < 41)
			r_done(r, R_STOP, fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP));
		else if (choice < 45)
			r_attach(r);
		else if (choice < 48)
			r_detach(r);
		else if (choice < 50)
			r_done(r, R_SET, vfiosim_ioctl_arg(fx->c, VFIO_SET_IOMMU,
							   VFIO_TYPE1v2_IOMMU));
		else if (choice < 63)
			r_pin(r);
		else if (choice < 72)
			r_unpin(r);
		else if (choice < 80)
			r_dma_rw(r);
		else
			r_write(r);
		vfiosim_fail_nth_copy(fx->h, 0);
		vfiosim_fail_nth_alloc(fx->h, 0);
		r_check(r);
	}
	print_message("seed %" PRIu64 ": %lu reports checked, %lu unchecked; calls/failures:"
		      " map %lu/%lu unmap %lu/%lu unmap+bitmap %lu/%lu get %lu/%lu pin %lu/%lu"
		      " write %lu/%lu\n", r->seed, stats().reports, stats().unchecked,
		      r->calls[R_MAP], r->fails[R_MAP], r->calls[R_UNMAP], r->fails[R_UNMAP],
		      r->calls[R_UNMAP_BM], r->fails[R_UNMAP_BM], r->calls[R_GET],
		      r->fails[R_GET], r->calls[R_PIN], r->fails[R_PIN], r->calls[R_WRITE],
		      r->fails[R_WRITE]);
	assert_true(stats().reports > 0);
}

static void test_random_sequences_stay_clean(void **state)
{
	struct fx *fx = *state;

	random_run(fx, fx->cfg->type);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ORC_TEST(test_iommu_group_outside_scope_dirties_everything, cfg_iommu),
		ORC_TEST(test_iommu_group_outside_scope_dirties_everything, fx_set_v2_2m),
		ORC_TEST(test_emulated_group_reports_pins_and_dma_rw_exactly, fx_v2_emul),
		ORC_TEST(test_scope_transitions, cfg_mixed),
		ORC_TEST(test_pin_of_no_pages_still_joins_the_scope, cfg_iommu),
		ORC_TEST(test_unmap_with_bitmap_reports_and_removes, fx_v2_emul),
		ORC_TEST(test_holes_and_unaligned_bit_offsets, fx_v2_emul),
		ORC_TEST(test_report_pages_larger_than_cpu_pages, cfg_fold),
		ORC_TEST(test_failed_get_still_owes_written_pages, fx_v2_emul),
		ORC_TEST(test_failed_unmap_leaves_ghosts_until_settled, fx_v2_emul),
		ORC_TEST(test_failed_pin_leaves_its_pages_uncertain, fx_v2_emul),
		ORC_TEST(test_v1_container_is_left_alone, fx_v1_4k),
		ORC_TEST(test_new_refuses_what_it_cannot_follow, fx_v2_emul),
		ORC_TEST(test_oracle_outlives_its_container, fx_v2_emul),
		ORC_TEST(test_large_report_is_checked_fast, fx_v2_2m),
		ORC_TEST(test_catches_missed_written_page, fx_v2_emul),
		ORC_TEST(test_catches_bit_in_a_hole, fx_v2_emul),
		ORC_TEST(test_catches_bit_beyond_the_range, fx_v2_emul),
		ORC_TEST(test_catches_write_in_a_hole_word_far_from_mappings, fx_v2_emul),
		ORC_TEST(test_claimed_bitmap_is_read_only_where_mappings_are, cfg_iommu),
		ORC_TEST(test_catches_clean_page_reported, fx_v2_emul),
		ORC_TEST(test_catches_pinned_page_left_out, fx_v2_emul),
		ORC_TEST(test_catches_scope_page_left_out_of_unmap, cfg_iommu),
		ORC_TEST(test_random_sequences_stay_clean, cfg_rand_v2),
		ORC_TEST(test_random_sequences_stay_clean, cfg_rand_bare),
	};

	return cmocka_run_group_tests_name("oracle", tests, NULL, NULL);
}
