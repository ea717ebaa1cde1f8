// SPDX-License-Identifier: MIT
/*
 * test_attach_detach.c - groups joining and leaving a container with the
 * type1 driver set: page sizes and valid IOVA ranges recomputed, conflicts
 * refused, mappings replayed into new domains, shared domains, what the
 * last IOMMU group takes with it, and an allocation-failure sweep over
 * attach (every failure -ENOMEM, nothing changed).
 */
#include <errno.h>
#include <string.h>

#include "helpers/fixture.h"

#define IOVA		FX_IOVA
#define MSI		VFIOSIM_MSI_BASE
#define MSI_END		(VFIOSIM_MSI_BASE + VFIOSIM_MSI_SIZE - 1)
#define PGS_DEFAULT	(SZ_4K | SZ_2M | SZ_1G)

static const struct vfio_iova_range default_ranges[] = {
	{ 0, MSI - 1 }, { MSI_END + 1, FX_APERTURE_END },
};

static void expect_ranges_at(struct fx *fx, const struct vfio_iova_range *want,
			     unsigned int nr, const char *file, int line)
{
	const struct vfio_iommu_type1_info *info = fx_get_info_at(fx, fx->c, file, line);
	const struct vfio_iommu_type1_info_cap_iova_range *cap =
		fx_find_cap(info, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
	unsigned int i;

	if (!cap) {
		print_error("%s:%d: no IOVA range capability\n", file, line);
		_fail(file, line);
		return;
	}
	fx_check_u64(cap->nr_iovas, nr, "nr_iovas", "expected", file, line);
	for (i = 0; i < nr; i++) {
		if (cap->iova_ranges[i].start != want[i].start ||
		    cap->iova_ranges[i].end != want[i].end) {
			print_error("%s:%d: range %u: [%#llx, %#llx], expected [%#llx, %#llx]\n",
				    file, line, i,
				    (unsigned long long)cap->iova_ranges[i].start,
				    (unsigned long long)cap->iova_ranges[i].end,
				    (unsigned long long)want[i].start,
				    (unsigned long long)want[i].end);
			_fail(file, line);
		}
	}
}

#define expect_ranges(fx, want, nr) expect_ranges_at((fx), (want), (nr), __FILE__, __LINE__)

static uint64_t pgsizes(struct fx *fx)
{
	return fx_get_info(fx)->iova_pgsizes;
}

static struct vfiosim_group *new_group(struct fx *fx, const struct vfiosim_group_config *cfg)
{
	return fx_group(fx, cfg);
}

/* ------------------------------------------------------------ pgsizes */

static void test_pgsizes_intersect_on_attach_restore_on_detach(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config c64 = {
		.kind = VFIOSIM_GROUP_IOMMU, .pgsize_bitmap = SZ_4K | SZ_64K | SZ_2M,
	};
	struct vfiosim_group_config c4 = { .kind = VFIOSIM_GROUP_IOMMU, .pgsize_bitmap = SZ_4K };
	struct vfiosim_group *g2 = new_group(fx, &c64), *g3 = new_group(fx, &c4);

	expect_u64(pgsizes(fx), PGS_DEFAULT);
	expect_ok(vfiosim_container_attach(fx->c, g2));
	expect_u64(pgsizes(fx), SZ_4K | SZ_2M);
	expect_ok(vfiosim_container_attach(fx->c, g3));
	expect_u64(pgsizes(fx), SZ_4K);
	expect_ok(vfiosim_container_detach(fx->c, g2));
	expect_u64(pgsizes(fx), SZ_4K);
	expect_ok(vfiosim_container_detach(fx->c, g3));
	expect_u64(pgsizes(fx), PGS_DEFAULT);
	/* no domain left: every multiple of PAGE_SIZE */
	expect_ok(vfiosim_container_detach(fx->c, fx->g[0]));
	expect_u64(pgsizes(fx), ~(SZ_4K - 1));
	expect_ok(vfiosim_container_attach(fx->c, g2));
	expect_u64(pgsizes(fx), SZ_4K | SZ_64K | SZ_2M);
}

static const struct fx_config fx_page64k_iommu4k = {
	FX_CONFIG_OF("v2, 64K CPU pages, IOMMU 4K|2M|1G", VFIO_TYPE1v2_IOMMU,
		     FX_IOMMU(PGS_DEFAULT)),
	.host = { .page_size = SZ_64K },
};

static const struct fx_config fx_page16k_iommu4k = {
	FX_CONFIG_OF("v2, 16K CPU pages, IOMMU 4K only", VFIO_TYPE1v2_IOMMU, FX_IOMMU(SZ_4K)),
	.host = { .page_size = SZ_16K },
};

/* IOMMU pages below PAGE_SIZE are hidden behind PAGE_SIZE itself. */
static void test_pgsizes_below_page_size_hidden(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->page_size;
	struct vfiosim_group_config c = {
		.kind = VFIOSIM_GROUP_IOMMU, .pgsize_bitmap = SZ_4K | SZ_64K,
	};

	if (P == SZ_64K)
		expect_u64(pgsizes(fx), SZ_64K | SZ_2M | SZ_1G);
	else
		expect_u64(pgsizes(fx), SZ_16K);
	expect_u64(fx->pgsize, P);
	expect_err(fx_map(fx, fx->guest, IOVA + SZ_4K, P, FX_RW), EINVAL);
	expect_err(fx_map(fx, fx->guest, IOVA, P - SZ_4K, FX_RW), EINVAL);
	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	expect_u64(fx_locked(fx), 4);
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + 4 * P - 8, 8));
	/* a second IOMMU with 4K|64K: the AND hides below PAGE_SIZE again */
	expect_ok(vfiosim_container_attach(fx->c, new_group(fx, &c)));
	expect_u64(pgsizes(fx), P == SZ_64K ? SZ_64K : SZ_16K);
	expect_ok(fx_unmap(fx, IOVA, 4 * P, 0, NULL));
	expect_u64(fx_locked(fx), 0);
}

/* ---------------------------------------------------------- iova list */

static void test_iova_ranges_recomputed_on_attach_and_detach(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config c = {
		.kind = VFIOSIM_GROUP_IOMMU,
		.aperture_start = SZ_1M,
		.aperture_end = (1ULL << 40) - 1,
		.nr_resv = 2,
		.resv = {
			{ 0x80000000ULL, SZ_1M, VFIOSIM_RESV_RESERVED },
			{ 0xc0000000ULL, SZ_2M, VFIOSIM_RESV_SW_MSI },
		},
	};
	const struct vfio_iova_range two[] = {
		{ SZ_1M, 0x7fffffffULL },
		{ 0x80100000ULL, 0xbfffffffULL },
		{ 0xc0200000ULL, MSI - 1 },
		{ MSI_END + 1, (1ULL << 40) - 1 },
	};
	const struct vfio_iova_range all[] = { { 0, ~0ULL } };
	struct vfiosim_group *g2 = new_group(fx, &c);

	expect_ranges(fx, default_ranges, 2);
	expect_ok(vfiosim_container_attach(fx->c, g2));
	expect_ranges(fx, two, 4);
	expect_err(fx_map(fx, fx->guest, 0x80000000ULL, fx->pgsize, FX_RW), EINVAL);
	expect_err(fx_map(fx, fx->guest, 1ULL << 40, fx->pgsize, FX_RW), EINVAL);
	expect_ok(vfiosim_container_detach(fx->c, g2));
	expect_ranges(fx, default_ranges, 2);
	/* the last domain gone: the whole space, no reserved regions left */
	expect_ok(vfiosim_container_detach(fx->c, fx->g[0]));
	expect_ranges(fx, all, 1);
	expect_ok(vfiosim_container_attach(fx->c, g2));
	{
		const struct vfio_iova_range g2only[] = {
			{ SZ_1M, 0x7fffffffULL },
			{ 0x80100000ULL, 0xbfffffffULL },
			{ 0xc0200000ULL, (1ULL << 40) - 1 },
		};

		expect_ranges(fx, g2only, 3);
	}
}

/* The detaching group's reserved regions become valid again even when
 * its domain stays (shared with another group). */
static const struct fx_config fx_shared =
	FX_CONFIG("v2, IOMMU 4K|2M|1G, iommu_id 7", VFIO_TYPE1v2_IOMMU,
		  { .kind = VFIOSIM_GROUP_IOMMU, .pgsize_bitmap = PGS_DEFAULT, .iommu_id = 7 });

static void test_iova_ranges_refreshed_when_shared_group_leaves(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config c = {
		.kind = VFIOSIM_GROUP_IOMMU,
		.iommu_id = 7,
		.nr_resv = 2,
		.resv = {
			{ 0x80000000ULL, SZ_1M, VFIOSIM_RESV_RESERVED },
			{ MSI, VFIOSIM_MSI_SIZE, VFIOSIM_RESV_MSI },
		},
	};
	const struct vfio_iova_range two[] = {
		{ 0, 0x7fffffffULL },
		{ 0x80100000ULL, MSI - 1 },
		{ MSI_END + 1, FX_APERTURE_END },
	};
	struct vfiosim_group *g2 = new_group(fx, &c);

	expect_ok(vfiosim_container_attach(fx->c, g2));
	expect_ranges(fx, two, 3);
	expect_ok(vfiosim_container_detach(fx->c, g2));
	expect_ranges(fx, default_ranges, 2);
	expect_ok(fx_map(fx, fx->guest, 0x80000000ULL, fx->pgsize, FX_RW));
}

/* ---------------------------------------------------------- conflicts */

static void test_attach_aperture_conflict_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct vfiosim_group_config low = {
		.kind = VFIOSIM_GROUP_IOMMU, .aperture_end = (1ULL << 40) - 1,
	};
	struct vfiosim_group_config high = {
		.kind = VFIOSIM_GROUP_IOMMU, .aperture_start = SZ_2M,
		.aperture_end = FX_APERTURE_END,
	};
	struct vfiosim_group_config beyond = {
		.kind = VFIOSIM_GROUP_IOMMU, .aperture_start = 1ULL << 48,
		.aperture_end = (1ULL << 49) - 1,
	};
	struct vfiosim_group *gl = new_group(fx, &low), *gh = new_group(fx, &high);
	struct vfiosim_group *gb = new_group(fx, &beyond);
	struct fx_snap before;

	/* disjoint apertures conflict with no mapping at all */
	expect_err(vfiosim_container_attach(fx->c, gb), EINVAL);

	expect_ok(fx_map(fx, fx->guest, 1ULL << 40, P, FX_RW));
	expect_ok(fx_map(fx, fx->guest, SZ_1M, P, FX_RW));
	fx_snap_take(fx, fx->c, &before);
	expect_err(vfiosim_container_attach(fx->c, gl), EINVAL);
	fx_snap_check(fx, fx->c, &before);
	expect_err(vfiosim_container_attach(fx->c, gh), EINVAL);
	fx_snap_check(fx, fx->c, &before);
	expect_err(vfiosim_container_detach(fx->c, gl), EINVAL);
	expect_err(vfiosim_device_write(gl, SZ_1M, 8), EFAULT);

	expect_ok(fx_unmap(fx, 1ULL << 40, P, 0, NULL));
	expect_ok(vfiosim_container_attach(fx->c, gl));
	expect_ok(fx_unmap(fx, SZ_1M, P, 0, NULL));
	expect_ok(vfiosim_container_attach(fx->c, gh));
}

static void test_attach_reserved_region_conflict_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, A = 0x80000000ULL;
	struct vfiosim_group_config rsv = {
		.kind = VFIOSIM_GROUP_IOMMU, .nr_resv = 1,
		.resv = { { A + P, P, VFIOSIM_RESV_RESERVED } },
	};
	struct vfiosim_group_config msi = {
		.kind = VFIOSIM_GROUP_IOMMU, .nr_resv = 1,
		.resv = { { A, SZ_1M, VFIOSIM_RESV_MSI } },
	};
	struct vfiosim_group_config relax = {
		.kind = VFIOSIM_GROUP_IOMMU, .nr_resv = 1,
		.resv = { { A, 2 * P, VFIOSIM_RESV_DIRECT_RELAXABLE } },
	};
	struct vfiosim_group *g;
	struct fx_snap before;

	expect_ok(fx_map(fx, fx->guest, A, 2 * P, FX_RW));
	fx_snap_take(fx, fx->c, &before);
	expect_err(vfiosim_container_attach(fx->c, new_group(fx, &rsv)), EINVAL);
	fx_snap_check(fx, fx->c, &before);
	expect_err(vfiosim_container_attach(fx->c, new_group(fx, &msi)), EINVAL);
	fx_snap_check(fx, fx->c, &before);
	/* relaxable direct regions neither conflict nor leave the list */
	g = new_group(fx, &relax);
	expect_ok(vfiosim_container_attach(fx->c, g));
	expect_ranges(fx, default_ranges, 2);
	expect_ok(vfiosim_device_write(g, A + P, 8));
}

/* Reserved regions eating the whole aperture leave no valid IOVA. */
static void test_attach_reserved_covers_aperture_einval(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config c = {
		.kind = VFIOSIM_GROUP_IOMMU,
		.aperture_start = 0, .aperture_end = 0xffffffffULL,
		.nr_resv = 2,
		.resv = {
			{ 0, 0x80000000ULL, VFIOSIM_RESV_RESERVED },
			{ 0x80000000ULL, 0x80000000ULL, VFIOSIM_RESV_DIRECT },
		},
	};
	struct fx_snap before;

	fx_snap_take(fx, fx->c, &before);
	expect_err(vfiosim_container_attach(fx->c, new_group(fx, &c)), EINVAL);
	fx_snap_check(fx, fx->c, &before);
}

static const struct fx_config fx_unsafe_ok = {
	FX_CONFIG_OF("v2, IOMMU 4K|2M|1G, allow_unsafe_interrupts", VFIO_TYPE1v2_IOMMU,
		     FX_IOMMU(0)),
	.host = { .allow_unsafe_interrupts = true },
};

static void test_attach_without_isolated_msi_eperm(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config c = { .kind = VFIOSIM_GROUP_IOMMU, .no_isolated_msi = true };
	struct vfiosim_group_config cb = {
		.kind = VFIOSIM_GROUP_IOMMU, .no_isolated_msi = true,
		.aperture_start = 1ULL << 48, .aperture_end = (1ULL << 49) - 1,
	};
	bool allowed = fx->cfg->host.allow_unsafe_interrupts;
	struct fx_snap before;

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * fx->pgsize, FX_RW));
	fx_snap_take(fx, fx->c, &before);
	/* the aperture check comes first */
	expect_err(vfiosim_container_attach(fx->c, new_group(fx, &cb)), EINVAL);
	if (!allowed) {
		expect_err(vfiosim_container_attach(fx->c, new_group(fx, &c)), EPERM);
		fx_snap_check(fx, fx->c, &before);
	} else {
		struct vfiosim_group *g = new_group(fx, &c);

		expect_ok(vfiosim_container_attach(fx->c, g));
		expect_ok(vfiosim_device_write(g, IOVA, 8));
	}
}

static void test_attach_error_propagated(void **state)
{
	struct fx *fx = *state;
	static const int errs[] = { -EIO, -ENODEV, -ENOSPC, -EBUSY };
	struct fx_snap before;
	size_t i;

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * fx->pgsize, FX_RW));
	fx_snap_take(fx, fx->c, &before);
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		struct vfiosim_group_config c = {
			.kind = VFIOSIM_GROUP_IOMMU, .attach_error = errs[i],
		};
		struct vfiosim_group *g = new_group(fx, &c);

		expect_ret(vfiosim_container_attach(fx->c, g), errs[i]);
		fx_snap_check(fx, fx->c, &before);
		expect_err(vfiosim_container_detach(fx->c, g), EINVAL);
	}
}

/* The IOMMU's own attach runs before the aperture is looked at. */
static void test_attach_error_before_aperture_check(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config c = {
		.kind = VFIOSIM_GROUP_IOMMU, .attach_error = -EIO,
		.aperture_start = 1ULL << 48, .aperture_end = (1ULL << 49) - 1,
	};

	expect_err(vfiosim_container_attach(fx->c, new_group(fx, &c)), EIO);
}

static void test_attach_duplicate_einval(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config ce = { .kind = VFIOSIM_GROUP_EMULATED };
	struct vfiosim_group *ge = new_group(fx, &ce);
	struct fx_snap before;

	expect_ok(vfiosim_container_attach(fx->c, ge));
	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * fx->pgsize, FX_RW));
	fx_snap_take(fx, fx->c, &before);
	expect_err(vfiosim_container_attach(fx->c, fx->g[0]), EINVAL);
	expect_err(vfiosim_container_attach(fx->c, ge), EINVAL);
	fx_snap_check(fx, fx->c, &before);
	expect_ok(vfiosim_device_write(fx->g[0], IOVA, 8));
}

/* Attach may need to pin: refused while any vaddr is invalid. */
static void test_attach_while_vaddr_invalid_ebusy(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct vfiosim_group_config ci = { .kind = VFIOSIM_GROUP_IOMMU };
	struct vfiosim_group_config ce = { .kind = VFIOSIM_GROUP_EMULATED };
	struct vfiosim_group *gi = new_group(fx, &ci), *ge = new_group(fx, &ce);

	if (!fx_update_vaddr(fx))
		return;
	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	fx_map_vaddr_invalid(fx, IOVA + 8 * P, 4 * P);
	expect_err(vfiosim_container_attach(fx->c, gi), EBUSY);
	expect_err(vfiosim_container_attach(fx->c, ge), EBUSY);
	/* a member is still refused as a member */
	expect_err(vfiosim_container_attach(fx->c, fx->g[0]), EINVAL);
	expect_ok(fx_map(fx, fx->guest + 16 * P, IOVA + 8 * P, 4 * P, VFIO_DMA_MAP_FLAG_VADDR));
	expect_ok(vfiosim_container_attach(fx->c, gi));
	expect_ok(vfiosim_container_attach(fx->c, ge));
	expect_ok(vfiosim_device_write(gi, IOVA + 8 * P, 8));
}

/* The mappings an invalid vaddr belonged to go with the last group, and
 * with them the reason to refuse an attach. */
static void test_detach_last_group_clears_invalid_vaddrs(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	if (!fx_update_vaddr(fx))
		return;
	fx_map_vaddr_invalid(fx, IOVA, 4 * P);
	expect_ok(vfiosim_container_detach(fx->c, fx->g[0]));
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_err(fx_map(fx, fx->guest, IOVA, 4 * P, VFIO_DMA_MAP_FLAG_VADDR), ENOENT);
}

/* -------------------------------------------------------------- replay */

/*
 * Mappings made before a group with a new domain joined are replayed into
 * that domain, with their protection, without pinning or charging again.
 */
static void test_replay_into_new_domain(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct vfiosim_group_config c = fx->cfg->group[0];
	struct vfiosim_group *g2;
	uint64_t locked, pinned;
	size_t log;

	c.iommu_id = 0;
	g2 = new_group(fx, &c);
	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 32 * P, IOVA + 32 * P, 4 * P, VFIO_DMA_MAP_FLAG_READ));
	locked = fx_locked(fx);
	pinned = fx_pinned(fx);
	expect_u64(locked, fx_pages(fx, 20 * P));

	expect_ok(vfiosim_container_attach(fx->c, g2));
	expect_u64(fx_locked(fx), locked);
	expect_u64(fx_pinned(fx), pinned);
	expect_ret(vfiosim_mm_pin_count(fx->h, fx->guest), 1);

	log = vfiosim_log_count(fx->h);
	expect_ok(vfiosim_device_write(g2, IOVA, 8));
	expect_ok(vfiosim_device_write(g2, IOVA + 16 * P - 8, 8));
	expect_err(vfiosim_device_write(g2, IOVA + 32 * P, 8), EPERM);
	expect_err(vfiosim_device_write(g2, IOVA + 16 * P, 8), EFAULT);
	expect_u64(vfiosim_log_count(fx->h), log + 2);
	/* a mapping made afterwards reaches both domains */
	expect_ok(fx_map(fx, fx->guest + 64 * P, IOVA + 64 * P, P, FX_RW));
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + 64 * P, 8));
	expect_ok(vfiosim_device_write(g2, IOVA + 64 * P, 8));
	/* and an unmap leaves neither */
	expect_ok(fx_unmap(fx, IOVA, 16 * P, 0, NULL));
	expect_err(vfiosim_device_write(fx->g[0], IOVA, 8), EFAULT);
	expect_err(vfiosim_device_write(g2, IOVA, 8), EFAULT);
	expect_u64(fx_locked(fx), fx_pages(fx, 5 * P));
}

/* The first domain of a container whose mappings were never pinned:
 * replay pins and charges them. */
static void test_replay_pins_into_first_domain(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct vfiosim_group_config c = { .kind = VFIOSIM_GROUP_IOMMU };
	struct vfiosim_group *g = new_group(fx, &c);
	uint64_t n = fx_pages(fx, 20 * P), unmapped;

	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest, IOVA + 32 * P, 4 * P, VFIO_DMA_MAP_FLAG_READ));
	expect_u64(fx_locked(fx), 0);

	expect_ok(vfiosim_container_attach(fx->c, g));
	expect_u64(fx_locked(fx), n);
	expect_u64(fx_pinned(fx), n);
	expect_ok(vfiosim_device_write(g, IOVA + 8, 8));
	expect_err(vfiosim_device_write(g, IOVA + 32 * P, 8), EPERM);
	/* the IOMMU brought its aperture and MSI window along */
	expect_ranges(fx, default_ranges, 2);

	/* the emulated group stays: mappings kept, IOMMU pins dropped */
	expect_ok(vfiosim_container_detach(fx->c, g));
	expect_u64(fx_locked(fx), 0);
	expect_u64(fx_pinned(fx), 0);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 2);
	assert_true(fx_mapped(fx, IOVA, fx->guest));

	expect_ok(vfiosim_container_attach(fx->c, g));
	expect_u64(fx_locked(fx), n);
	expect_ok(fx_unmap_everything(fx, fx->c, &unmapped));
	expect_u64(unmapped, 20 * P);
	expect_u64(fx_locked(fx), 0);
}

/* Replay cannot pin an unbacked vaddr: the attach fails and is undone. */
static void test_replay_pin_failure_unwinds(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct vfiosim_group_config c = { .kind = VFIOSIM_GROUP_IOMMU };
	struct vfiosim_group *g = new_group(fx, &c);
	struct fx_snap before;

	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * P, FX_RW));
	expect_ok(fx_map(fx, FX_HOLE, IOVA + 32 * P, 4 * P, FX_RW));
	fx_snap_take(fx, fx->c, &before);
	expect_err(vfiosim_container_attach(fx->c, g), EFAULT);
	fx_snap_check(fx, fx->c, &before);
	expect_err(vfiosim_device_write(g, IOVA, 8), EFAULT);
	expect_ok(fx_unmap(fx, IOVA + 32 * P, 4 * P, 0, NULL));
	expect_ok(vfiosim_container_attach(fx->c, g));
	expect_u64(fx_locked(fx), fx_pages(fx, 16 * P));
}

/*
 * An emulated-only container has no valid-IOVA list, so its mappings may
 * sit anywhere.  An IOMMU joining later refuses mappings in its reserved
 * regions (-EINVAL), but type1 does not hold the others against its
 * aperture: the replay's iommu_map() fails instead, with the IOMMU
 * driver's error (-EFAULT from the VT-d-like mock) - and is undone.
 */
static void test_first_domain_conflicts_with_emulated_mappings(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct vfiosim_group_config c = { .kind = VFIOSIM_GROUP_IOMMU };
	struct vfiosim_group *g = new_group(fx, &c);
	struct fx_snap before;

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest, MSI + 4 * P, P, FX_RW));
	fx_snap_take(fx, fx->c, &before);
	expect_err(vfiosim_container_attach(fx->c, g), EINVAL);
	fx_snap_check(fx, fx->c, &before);
	expect_ok(fx_unmap(fx, MSI + 4 * P, P, 0, NULL));

	expect_ok(fx_map(fx, fx->guest, 1ULL << 50, P, FX_RW));
	fx_snap_take(fx, fx->c, &before);
	expect_err(vfiosim_container_attach(fx->c, g), EFAULT);
	fx_snap_check(fx, fx->c, &before);
	expect_ok(fx_unmap(fx, 1ULL << 50, P, 0, NULL));

	expect_ok(vfiosim_container_attach(fx->c, g));
	expect_u64(fx_locked(fx), fx_pages(fx, 4 * P));
}

static const struct fx_config fx_emul_memlock = {
	FX_CONFIG_OF("v2, emulated group, memlock 16 pages", VFIO_TYPE1v2_IOMMU, FX_EMULATED),
	.host = { .memlock_limit = 16 * SZ_4K },
};

/* Replay respects the memlock limit the unpinned maps never met. */
static void test_replay_memlock_enomem(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config c = { .kind = VFIOSIM_GROUP_IOMMU };
	struct vfiosim_group *g = new_group(fx, &c);
	struct fx_snap before;

	expect_ok(fx_map(fx, fx->guest, IOVA, 8 * SZ_4K, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 64 * SZ_4K, IOVA + 64 * SZ_4K, 9 * SZ_4K, FX_RW));
	fx_snap_take(fx, fx->c, &before);
	expect_err(vfiosim_container_attach(fx->c, g), ENOMEM);
	fx_snap_check(fx, fx->c, &before);
	expect_ok(fx_unmap(fx, IOVA, 8 * SZ_4K, 0, NULL));
	expect_ok(vfiosim_container_attach(fx->c, g));
	expect_u64(fx_locked(fx), 9);
}

/* --------------------------------------------------------- shared domain */

/*
 * A group of the same IOMMU (and coherency) joins the existing domain: no
 * replay, no page-size recomputation - the domain's sizes stay even though
 * the newcomer alone would only offer 4K.
 */
static void test_same_iommu_shares_domain(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct vfiosim_group_config same = {
		.kind = VFIOSIM_GROUP_IOMMU, .iommu_id = 7, .pgsize_bitmap = SZ_4K,
	};
	struct vfiosim_group *g2 = new_group(fx, &same);
	uint64_t n = fx_pages(fx, 16 * P);

	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * P, FX_RW));
	expect_ok(vfiosim_container_attach(fx->c, g2));
	expect_u64(pgsizes(fx), PGS_DEFAULT);
	expect_ok(vfiosim_device_write(g2, IOVA + 8, 8));
	expect_u64(fx_locked(fx), n);

	/* the first group leaves, the domain (and the mappings) stay with g2 */
	expect_ok(vfiosim_container_detach(fx->c, fx->g[0]));
	expect_u64(pgsizes(fx), PGS_DEFAULT);
	expect_ok(vfiosim_device_write(g2, IOVA + 8, 8));
	expect_err(vfiosim_device_write(fx->g[0], IOVA + 8, 8), EFAULT);
	expect_u64(fx_locked(fx), n);
	expect_u64(fx_pinned(fx), n);
}

/* Same IOMMU but different coherency: a domain of its own. */
static void test_same_iommu_other_coherency_separate_domain(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config nc = {
		.kind = VFIOSIM_GROUP_IOMMU, .iommu_id = 7, .pgsize_bitmap = SZ_4K,
		.no_cache_coherency = true,
	};
	struct vfiosim_group *g2 = new_group(fx, &nc);

	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * fx->pgsize, FX_RW));
	expect_ok(vfiosim_container_attach(fx->c, g2));
	expect_u64(pgsizes(fx), SZ_4K);
	expect_ret(fx_ext(fx->c, VFIO_DMA_CC_IOMMU), 0);
	expect_ok(vfiosim_device_write(g2, IOVA + 8, 8));
	expect_ok(vfiosim_container_detach(fx->c, g2));
	expect_u64(pgsizes(fx), PGS_DEFAULT);
	expect_ret(fx_ext(fx->c, VFIO_DMA_CC_IOMMU), 1);
}

/* ------------------------------------------------------------- detach */

/* The last IOMMU group leaving a container of IOMMU groups only takes
 * every mapping with it. */
static void test_detach_last_iommu_group_removes_mappings(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped;
	const struct vfio_iova_range all[] = { { 0, ~0ULL } };

	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 32 * P, IOVA + 32 * P, 4 * P, FX_RW));
	expect_ok(vfiosim_container_detach(fx->c, fx->g[0]));
	expect_u64(fx_locked(fx), 0);
	expect_u64(fx_pinned(fx), 0);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
	expect_u64(pgsizes(fx), ~(fx->page_size - 1));
	expect_ranges(fx, all, 1);
	expect_err(vfiosim_device_write(fx->g[0], IOVA, 8), EFAULT);

	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_ok(fx_unmap_everything(fx, fx->c, &unmapped));
	expect_u64(unmapped, 0);
	expect_err(vfiosim_device_write(fx->g[0], IOVA, 8), EFAULT);
	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * P, FX_RW));
}

static const struct fx_config fx_iommu_emul =
	FX_CONFIG("v2, IOMMU 4K|2M|1G + emulated group", VFIO_TYPE1v2_IOMMU, FX_IOMMU(PGS_DEFAULT),
		  FX_EMULATED);

/* An emulated group remaining keeps the mappings, unpinned and uncharged. */
static void test_detach_last_iommu_group_with_emulated_keeps_mappings(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, unmapped;
	const struct vfio_iova_range all[] = { { 0, ~0ULL } };

	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 32 * P, IOVA + 32 * P, 4 * P, FX_RW));
	expect_u64(fx_locked(fx), fx_pages(fx, 20 * P));
	expect_ok(vfiosim_container_detach(fx->c, fx->g[0]));
	expect_u64(fx_locked(fx), 0);
	expect_u64(fx_pinned(fx), 0);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 2);
	expect_u64(pgsizes(fx), ~(fx->page_size - 1));
	/* the IOMMU's aperture and windows are gone: the whole space */
	expect_ranges(fx, all, 1);
	assert_true(fx_mapped(fx, IOVA + 32 * P, fx->guest));
	expect_ok(fx_map(fx, fx->guest, MSI, P, FX_RW));
	expect_ok(fx_unmap(fx, MSI, P, 0, NULL));
	expect_ok(fx_unmap(fx, IOVA, 64 * P, 0, &unmapped));
	expect_u64(unmapped, 20 * P);
	expect_u64(fx_locked(fx), 0);
}

/* Another domain remaining: nothing is unpinned. */
static void test_detach_one_of_two_domains_keeps_pins(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct vfiosim_group_config c = { .kind = VFIOSIM_GROUP_IOMMU };
	struct vfiosim_group *g2 = new_group(fx, &c);
	uint64_t n = fx_pages(fx, 16 * P);

	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * P, FX_RW));
	expect_ok(vfiosim_container_attach(fx->c, g2));
	expect_ok(vfiosim_container_detach(fx->c, fx->g[0]));
	expect_u64(fx_locked(fx), n);
	expect_u64(fx_pinned(fx), n);
	expect_ok(vfiosim_device_write(g2, IOVA, 8));
	expect_err(vfiosim_device_write(fx->g[0], IOVA, 8), EFAULT);
	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_ok(vfiosim_device_write(fx->g[0], IOVA, 8));
	expect_u64(fx_locked(fx), n);
}

/* The last group of all leaving: an emulated one takes the mappings too. */
static void test_detach_last_emulated_group_removes_mappings(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * P, FX_RW));
	expect_ok(vfiosim_container_detach(fx->c, fx->g[0]));
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
	assert_false(fx_mapped(fx, IOVA, fx->guest));
}

/* --------------------------------------------- allocation failure sweep */

/*
 * Fail the n-th allocation of vfiosim_container_attach() for n = 1, 2, ...
 * until no injected failure is reached.  Every failure must be -ENOMEM
 * and leave the container as it was: same GET_INFO reply, pins, locked_vm,
 * live allocations; the group is not a member.  Before 6.11 the IOMMU
 * domain's own allocation failing is -EIO instead: exactly one point, in
 * an attach that allocates a domain.  An allocation whose failure the
 * kernel tolerates lets the attach succeed: detach again.  Returns how
 * many were tolerated; *failed (may be NULL) gets how many failed.
 */
static unsigned long attach_sweep(struct fx *fx, const struct vfiosim_group_config *gc,
				  unsigned long *failed)
{
	struct vfiosim_group *g = new_group(fx, gc);
	bool domain = gc->kind == VFIOSIM_GROUP_IOMMU;
	int domain_err = fx_since(fx, FX_K_DOMAIN_ERRNO) ? ENOMEM : EIO;
	struct fx_snap before;
	unsigned long n, failures = 0, tolerated = 0, domain_fails = 0;

	fx_snap_take(fx, fx->c, &before);
	for (n = 1; n < 10000; n++) {
		unsigned long calls = vfiosim_alloc_calls(fx->h);
		long ret;

		vfiosim_fail_nth_alloc(fx->h, n);
		ret = vfiosim_container_attach(fx->c, g);
		calls = vfiosim_alloc_calls(fx->h) - calls;
		vfiosim_fail_nth_alloc(fx->h, 0);
		if (!ret) {
			if (n > calls)
				break;
			tolerated++;
			expect_ok(vfiosim_container_detach(fx->c, g));
			expect_u64(fx_pinned(fx), before.pinned);
			expect_u64(fx_locked(fx), before.locked);
			expect_consistent(fx->c);
			fx_snap_take(fx, fx->c, &before);
			continue;
		}
		if (ret == -EIO && domain && domain_err == EIO)
			domain_fails++;
		else if (ret != -ENOMEM)
			fail_msg("allocation %lu failed: attach returned %ld (%s)", n, ret,
				 fx_errname(ret));
		failures++;
		fx_snap_check(fx, fx->c, &before);
		expect_err(vfiosim_container_detach(fx->c, g), EINVAL);
	}
	print_message("attach sweep: %lu failure points, %lu failed, %lu tolerated\n", n - 1,
		      failures, tolerated);
	assert_true(n < 10000);
	assert_true(failures > 0);
	expect_u64(domain_fails, domain && domain_err == EIO);
	/* and the final, successful attach works */
	if (domain)
		expect_ok(vfiosim_device_write(g, IOVA, 8));
	if (failed)
		*failed = failures;
	return tolerated;
}

/*
 * The allocations a new domain's attach may lose and still succeed: the
 * replay's batch page (it goes on a page at a time), and before 6.13 the
 * two of the fine-grained superpage probe (its pages, its IOMMU mapping:
 * without them it probes nothing).
 */
static unsigned long new_domain_tolerates(const struct fx *fx)
{
	return 1 + (fx_since(fx, FX_K_NO_FGSP) ? 0 : 2);
}

static void map_some(struct fx *fx)
{
	uint64_t P = fx->pgsize;

	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 32 * P, IOVA + 32 * P, 4 * P, VFIO_DMA_MAP_FLAG_READ));
	expect_ok(fx_map(fx, fx->guest + 64 * P, IOVA + 64 * P, 8 * P, FX_RW));
}

static void test_attach_alloc_failure_sweep_new_domain(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config c = {
		.kind = VFIOSIM_GROUP_IOMMU, .nr_resv = 1,
		.resv = { { 0x80000000ULL, SZ_1M, VFIOSIM_RESV_RESERVED } },
	};

	map_some(fx);
	expect_u64(attach_sweep(fx, &c, NULL), new_domain_tolerates(fx));
}

/* The group joins the existing domain: neither probe nor replay. */
static void test_attach_alloc_failure_sweep_shared_domain(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config c = { .kind = VFIOSIM_GROUP_IOMMU, .iommu_id = 7 };

	map_some(fx);
	expect_u64(attach_sweep(fx, &c, NULL), 0);
}

/*
 * An emulated group only joins a list: one allocation.  Before 5.16 the
 * domain was allocated with the group, whatever its kind, and the first
 * emulated group's kept as the "external domain": two.
 */
static void test_attach_alloc_failure_sweep_emulated(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config c = { .kind = VFIOSIM_GROUP_EMULATED };
	unsigned long failed = 0;

	map_some(fx);
	expect_u64(attach_sweep(fx, &c, &failed), 0);
	expect_u64(failed, fx_since(fx, FX_K_NO_EXT_DOMAIN) ? 1 : 2);
}

/* Into an emulated-only container: the replay has to pin. */
static void test_attach_alloc_failure_sweep_first_domain(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config c = { .kind = VFIOSIM_GROUP_IOMMU };

	map_some(fx);
	expect_u64(attach_sweep(fx, &c, NULL), new_domain_tolerates(fx));
	expect_u64(fx_locked(fx), fx_pages(fx, 28 * fx->pgsize));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_pgsizes_intersect_on_attach_restore_on_detach, fx_v2_2m),
		FX_TEST(test_pgsizes_below_page_size_hidden, fx_page64k_iommu4k),
		FX_TEST(test_pgsizes_below_page_size_hidden, fx_page16k_iommu4k),
		FX_TEST(test_iova_ranges_recomputed_on_attach_and_detach, fx_v2_2m),
		FX_TEST(test_iova_ranges_recomputed_on_attach_and_detach, fx_v1_2m),
		FX_TEST(test_iova_ranges_refreshed_when_shared_group_leaves, fx_shared),
		FX_TEST(test_attach_aperture_conflict_einval, fx_v2_2m),
		FX_TEST(test_attach_aperture_conflict_einval, fx_v2_64k),
		FX_TEST(test_attach_reserved_region_conflict_einval, fx_v2_2m),
		FX_TEST(test_attach_reserved_region_conflict_einval, fx_v2_64k),
		FX_TEST(test_attach_reserved_covers_aperture_einval, fx_v2_2m),
		FX_TEST(test_attach_without_isolated_msi_eperm, fx_v2_2m),
		FX_TEST(test_attach_without_isolated_msi_eperm, fx_unsafe_ok),
		FX_TEST(test_attach_error_propagated, fx_v2_2m),
		FX_TEST(test_attach_error_before_aperture_check, fx_v2_2m),
		FX_TEST(test_attach_duplicate_einval, fx_v2_2m),
		FX_TEST(test_attach_while_vaddr_invalid_ebusy, fx_v2_2m),
		FX_TEST(test_attach_while_vaddr_invalid_ebusy, fx_v1_64k),
		FX_TEST(test_detach_last_group_clears_invalid_vaddrs, fx_v2_2m),
		FX_TEST(test_detach_last_group_clears_invalid_vaddrs, fx_v1_4k),
		FX_TEST(test_replay_into_new_domain, fx_v2_4k),
		FX_TEST(test_replay_into_new_domain, fx_v2_2m),
		FX_TEST(test_replay_into_new_domain, fx_v2_64k),
		FX_TEST(test_replay_into_new_domain, fx_v1_2m),
		FX_TEST(test_replay_pins_into_first_domain, fx_v2_emul),
		FX_TEST(test_replay_pin_failure_unwinds, fx_v2_emul),
		FX_TEST(test_replay_memlock_enomem, fx_emul_memlock),
		FX_TEST(test_first_domain_conflicts_with_emulated_mappings, fx_v2_emul),
		FX_TEST(test_same_iommu_shares_domain, fx_shared),
		FX_TEST(test_same_iommu_other_coherency_separate_domain, fx_shared),
		FX_TEST(test_detach_last_iommu_group_removes_mappings, fx_v2_2m),
		FX_TEST(test_detach_last_iommu_group_removes_mappings, fx_v1_4k),
		FX_TEST(test_detach_last_iommu_group_removes_mappings, fx_v2_64k),
		FX_TEST(test_detach_last_iommu_group_with_emulated_keeps_mappings, fx_iommu_emul),
		FX_TEST(test_detach_one_of_two_domains_keeps_pins, fx_v2_2m),
		FX_TEST(test_detach_last_emulated_group_removes_mappings, fx_v2_emul),
		FX_TEST(test_attach_alloc_failure_sweep_new_domain, fx_v2_2m),
		FX_TEST(test_attach_alloc_failure_sweep_new_domain, fx_v2_64k),
		FX_TEST(test_attach_alloc_failure_sweep_shared_domain, fx_shared),
		FX_TEST(test_attach_alloc_failure_sweep_emulated, fx_v2_2m),
		FX_TEST(test_attach_alloc_failure_sweep_first_domain, fx_v2_emul),
	};

	return cmocka_run_group_tests_name("attach_detach", tests, NULL, NULL);
}
