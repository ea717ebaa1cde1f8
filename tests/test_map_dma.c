// SPDX-License-Identifier: MIT
/*
 * test_map_dma.c - VFIO_IOMMU_MAP_DMA: one test per error path, in the
 * order the type1 driver checks them, plus what a failed map must leave
 * behind (nothing) and what a good one costs (pins, locked_vm, dma_avail).
 */
#include <errno.h>
#include <string.h>

#include "helpers/fixture.h"

#define IOVA		FX_IOVA
#define MSI		VFIOSIM_MSI_BASE

static bool has_iommu(const struct fx *fx)
{
	return fx->cfg->group[0].kind == VFIOSIM_GROUP_IOMMU;
}

/* Nothing mapped, pinned or charged: the state of a fresh fixture. */
static void expect_clean(struct fx *fx)
{
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit);
	expect_u64(fx_locked(fx), 0);
	expect_u64(fx_pinned(fx), 0);
}

static long map_raw(struct fx *fx, uint32_t argsz, uint32_t flags, uint64_t vaddr,
		    uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = argsz, .flags = flags, .vaddr = vaddr, .iova = iova, .size = size,
	};

	return vfiosim_ioctl(fx->c, VFIO_IOMMU_MAP_DMA, &m);
}

/* ------------------------------------------------------------ success */

static void test_map_basic(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	size_t log = vfiosim_log_count(fx->h);

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 1);
	if (has_iommu(fx)) {
		expect_u64(fx_locked(fx), fx_pages(fx, 4 * P));
		expect_u64(fx_pinned(fx), fx_pages(fx, 4 * P));
		expect_ret(vfiosim_mm_pin_count(fx->h, fx->guest + 4 * P - fx->page_size), 1);
		expect_ret(vfiosim_mm_pin_count(fx->h, fx->guest + 4 * P), 0);
		expect_ok(vfiosim_device_write(fx->g[0], IOVA + 4 * P - 8, 8));
		expect_u64(vfiosim_log_count(fx->h), log + 1);
	} else {
		expect_u64(fx_locked(fx), 0);
		expect_u64(fx_pinned(fx), 0);
	}
	expect_ok(fx_map(fx, fx->guest + 4 * P, IOVA + 4 * P, P, VFIO_DMA_MAP_FLAG_READ));
	expect_ok(fx_map(fx, fx->guest + 5 * P, IOVA + 5 * P, P, VFIO_DMA_MAP_FLAG_WRITE));
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 3);
}

/* Only the fields up to size are read: any argsz from there on works. */
static void test_map_argsz_minimum_and_larger(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	expect_ok(map_raw(fx, sizeof(struct vfio_iommu_type1_dma_map), FX_RW, fx->guest,
			  IOVA, P));
	expect_ok(map_raw(fx, 0xffffffffu, FX_RW, fx->guest + P, IOVA + P, P));
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 2);
}

/* ----------------------------------------------------- argument checks */

static void test_map_short_argsz_einval(void **state)
{
	struct fx *fx = *state;
	uint32_t argsz[] = { 0, 8, 24, sizeof(struct vfio_iommu_type1_dma_map) - 1 };
	size_t i;

	for (i = 0; i < sizeof(argsz) / sizeof(argsz[0]); i++)
		expect_err(map_raw(fx, argsz[i], FX_RW, fx->guest, IOVA, fx->pgsize), EINVAL);
	expect_clean(fx);
}

static void test_map_unknown_flags_einval(void **state)
{
	struct fx *fx = *state;
	uint32_t bad[] = { 1u << 3, 1u << 4, 1u << 31, 0xfffffff8u };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_err(fx_map(fx, fx->guest, IOVA, fx->pgsize, FX_RW | bad[i]), EINVAL);
	expect_clean(fx);
}

static void test_map_without_read_or_write_einval(void **state)
{
	struct fx *fx = *state;

	expect_err(fx_map(fx, fx->guest, IOVA, fx->pgsize, 0), EINVAL);
	expect_clean(fx);
}

/* VADDR with a protection bit is refused before the mapping is looked up
 * (which would give -ENOENT here). */
static void test_map_vaddr_with_prot_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	if (!fx_update_vaddr(fx))
		return;
	expect_err(fx_map(fx, fx->guest, IOVA, P, VFIO_DMA_MAP_FLAG_VADDR |
			  VFIO_DMA_MAP_FLAG_READ), EINVAL);
	expect_err(fx_map(fx, fx->guest, IOVA, P, VFIO_DMA_MAP_FLAG_VADDR |
			  VFIO_DMA_MAP_FLAG_WRITE), EINVAL);
	expect_err(fx_map(fx, fx->guest, IOVA, P, VFIO_DMA_MAP_FLAG_VADDR | FX_RW), EINVAL);
	expect_err(fx_map(fx, fx->guest, IOVA, P, VFIO_DMA_MAP_FLAG_VADDR), ENOENT);

	/* and with an invalidated mapping that plain VADDR would update */
	fx_map_vaddr_invalid(fx, IOVA, P);
	expect_err(fx_map(fx, fx->guest, IOVA, P, VFIO_DMA_MAP_FLAG_VADDR |
			  VFIO_DMA_MAP_FLAG_READ), EINVAL);
	expect_ok(fx_map(fx, fx->guest, IOVA, P, VFIO_DMA_MAP_FLAG_VADDR));
}

/*
 * iova, size and vaddr must all be multiples of the smallest IOMMU page
 * the container reports, which may be larger than the CPU page.
 */
static void test_map_misaligned_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	uint64_t offs[2] = { P / 2, SZ_4K };
	unsigned int i, n = P > SZ_4K ? 2 : 1;

	for (i = 0; i < n; i++) {
		uint64_t o = offs[i];

		expect_err(fx_map(fx, fx->guest, IOVA + o, 4 * P, FX_RW), EINVAL);
		expect_err(fx_map(fx, fx->guest, IOVA, 4 * P + o, FX_RW), EINVAL);
		expect_err(fx_map(fx, fx->guest, IOVA, 4 * P - o, FX_RW), EINVAL);
		expect_err(fx_map(fx, fx->guest + o, IOVA, 4 * P, FX_RW), EINVAL);
		expect_err(fx_map(fx, fx->guest, IOVA, o, FX_RW), EINVAL);
	}
	expect_clean(fx);
	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
}

static void test_map_size_zero_einval(void **state)
{
	struct fx *fx = *state;

	expect_err(fx_map(fx, fx->guest, IOVA, 0, FX_RW), EINVAL);
	expect_err(fx_map(fx, fx->guest, 0, 0, FX_RW), EINVAL);
	expect_clean(fx);
}

/* A range that wraps: -EINVAL, -EOVERFLOW since 6.19. */
static void test_map_iova_wrap(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	expect_err(fx_map(fx, fx->guest, 0 - 2 * P, 4 * P, FX_RW), fx_wrap_errno(fx));
	expect_err(fx_map(fx, fx->guest, 0 - P, 2 * P, FX_RW), fx_wrap_errno(fx));
	expect_err(fx_map(fx, fx->guest, IOVA, 0 - P, FX_RW), fx_wrap_errno(fx));
	expect_clean(fx);
}

static void test_map_vaddr_wrap(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	expect_err(fx_map(fx, 0 - 2 * P, IOVA, 4 * P, FX_RW), fx_wrap_errno(fx));
	expect_err(fx_map(fx, 0 - P, IOVA, 2 * P, FX_RW), fx_wrap_errno(fx));
	expect_clean(fx);
}

/* Every way a new range can touch an existing one is -EEXIST; touching
 * only its edges is fine. */
static void test_map_overlap_eexist(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, A = IOVA + 16 * P, G = fx->guest;
	struct { uint64_t iova, size; } shapes[] = {
		{ A, 4 * P },			/* identical */
		{ A + P, P },			/* inside */
		{ A, P },			/* same start, shorter */
		{ A + 3 * P, P },		/* last page */
		{ A - P, 6 * P },		/* covering */
		{ A - 2 * P, 3 * P },		/* over the start */
		{ A + 3 * P, 4 * P },		/* over the end */
		{ 0, A + P },			/* from 0 into it */
	};
	size_t i;

	expect_ok(fx_map(fx, G, A, 4 * P, FX_RW));
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		long ret = fx_map(fx, G + 32 * P, shapes[i].iova, shapes[i].size, FX_RW);

		if (ret != -EEXIST)
			fail_msg("shape %zu [%#llx, +%#llx): %ld (%s), expected -EEXIST", i,
				 (unsigned long long)shapes[i].iova,
				 (unsigned long long)shapes[i].size, ret, fx_errname(ret));
	}
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 1);
	if (has_iommu(fx))
		expect_u64(fx_locked(fx), fx_pages(fx, 4 * P));
	/* adjacent on both sides */
	expect_ok(fx_map(fx, G + 32 * P, A - P, P, FX_RW));
	expect_ok(fx_map(fx, G + 33 * P, A + 4 * P, P, FX_RW));
	/* a mapping between two others, filling the gap exactly */
	expect_ok(fx_map(fx, G + 40 * P, A + 6 * P, P, FX_RW));
	expect_ok(fx_map(fx, G + 41 * P, A + 5 * P, P, FX_RW));
	expect_err(fx_map(fx, G + 42 * P, A - P, 8 * P, FX_RW), EEXIST);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 5);
}

static const struct fx_config fx_limit4 = {
	FX_CONFIG_OF("v2, IOMMU 4K|2M|1G, dma_entry_limit 4", VFIO_TYPE1v2_IOMMU, FX_IOMMU(0)),
	.host = { .dma_entry_limit = 4 },
};

static const struct fx_config fx_limit4_emul = {
	FX_CONFIG_OF("v2, emulated, dma_entry_limit 4", VFIO_TYPE1v2_IOMMU, FX_EMULATED),
	.host = { .dma_entry_limit = 4 },
};

static void test_map_entry_limit_enospc(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	unsigned int i;

	assert_int_equal(fx->dma_limit, 4);
	for (i = 0; i < 4; i++)
		expect_ok(fx_map(fx, fx->guest + i * P, IOVA + 2 * i * P, P, FX_RW));
	expect_u64(fx_dma_avail(fx, fx->c), 0);
	expect_err(fx_map(fx, fx->guest + 8 * P, IOVA + 8 * P, P, FX_RW), ENOSPC);
	expect_err(fx_map(fx, fx->guest + 8 * P, IOVA + 100 * P, 16 * P, FX_RW), ENOSPC);
	if (has_iommu(fx))
		expect_u64(fx_locked(fx), fx_pages(fx, 4 * P));
	expect_ok(fx_unmap(fx, IOVA + 2 * P, P, 0, NULL));
	expect_u64(fx_dma_avail(fx, fx->c), 1);
	expect_ok(fx_map(fx, fx->guest + 8 * P, IOVA + 8 * P, P, FX_RW));
	expect_err(fx_map(fx, fx->guest + 9 * P, IOVA + 9 * P, P, FX_RW), ENOSPC);
}

/* The last page of the aperture maps; one past it does not. */
static void test_map_outside_aperture_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, end = FX_APERTURE_END + 1;

	expect_err(fx_map(fx, fx->guest, end - P, 2 * P, FX_RW), EINVAL);
	expect_err(fx_map(fx, fx->guest, end, P, FX_RW), EINVAL);
	expect_err(fx_map(fx, fx->guest, 1ULL << 62, P, FX_RW), EINVAL);
	expect_clean(fx);
	expect_ok(fx_map(fx, fx->guest, end - P, P, FX_RW));
	expect_ok(vfiosim_device_write(fx->g[0], end - 8, 8));
}

/* The x86 MSI window is reserved: no mapping may touch it. */
static void test_map_msi_window_einval(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, G = fx->guest;

	expect_err(fx_map(fx, G, MSI, P, FX_RW), EINVAL);
	expect_err(fx_map(fx, G, MSI - P, 2 * P, FX_RW), EINVAL);
	expect_err(fx_map(fx, G, MSI + VFIOSIM_MSI_SIZE - P, 2 * P, FX_RW), EINVAL);
	expect_err(fx_map(fx, G, MSI - P, VFIOSIM_MSI_SIZE + 2 * P, FX_RW), EINVAL);
	expect_err(fx_map(fx, G, MSI + VFIOSIM_MSI_SIZE - P, P, FX_RW), EINVAL);
	expect_clean(fx);
	expect_ok(fx_map(fx, G, MSI - P, P, FX_RW));
	expect_ok(fx_map(fx, G + P, MSI + VFIOSIM_MSI_SIZE, P, FX_RW));
}

/* An emulated-only container has no valid-IOVA list: everything goes. */
static void test_map_emulated_any_iova(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	expect_ok(fx_map(fx, fx->guest, MSI, P, FX_RW));
	expect_ok(fx_map(fx, fx->guest, FX_APERTURE_END + 1, P, FX_RW));
	expect_ok(fx_map(fx, fx->guest, 1ULL << 62, P, FX_RW));
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 3);
}

/* ------------------------------------------------------ pinning errors */

static void test_map_unbacked_vaddr_efault(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	expect_err(fx_map(fx, FX_HOLE, IOVA, 4 * P, FX_RW), EFAULT);
	expect_clean(fx);
	expect_err(vfiosim_device_write(fx->g[0], IOVA, 8), EFAULT);
	/* nothing left at that IOVA */
	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	expect_u64(fx_locked(fx), fx_pages(fx, 4 * P));
}

/* The first half pins and maps, the second half faults: all is undone. */
static void test_map_partly_backed_efault_undoes_all(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, tail = fx->guest + fx->guest_size - 2 * P;

	expect_err(fx_map(fx, tail, IOVA, 4 * P, FX_RW), EFAULT);
	expect_clean(fx);
	expect_ret(vfiosim_mm_pin_count(fx->h, tail), 0);
	expect_err(vfiosim_device_write(fx->g[0], IOVA, 8), EFAULT);
	expect_ok(fx_map(fx, tail, IOVA, 2 * P, FX_RW));
	expect_u64(fx_locked(fx), fx_pages(fx, 2 * P));
}

/* Read-only memory: READ maps, WRITE cannot pin it for writing. */
static void test_map_readonly_memory_write_efault(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	fx_mm_map(fx, FX_RO_BASE, 16 * P, VFIOSIM_PROT_READ, 0);
	expect_err(fx_map(fx, FX_RO_BASE, IOVA, 16 * P, FX_RW), EFAULT);
	expect_err(fx_map(fx, FX_RO_BASE, IOVA, 16 * P, VFIO_DMA_MAP_FLAG_WRITE), EFAULT);
	expect_clean(fx);
	expect_ok(fx_map(fx, FX_RO_BASE, IOVA, 16 * P, VFIO_DMA_MAP_FLAG_READ));
	expect_u64(fx_locked(fx), fx_pages(fx, 16 * P));
	expect_err(vfiosim_device_write(fx->g[0], IOVA, 8), EPERM);
}

static const struct fx_config fx_memlock = {
	FX_CONFIG_OF("v2, IOMMU 4K, memlock 64 pages", VFIO_TYPE1v2_IOMMU, FX_IOMMU(SZ_4K)),
	.host = { .memlock_limit = 64 * SZ_4K },
};

static const struct fx_config fx_memlock_64k = {
	FX_CONFIG_OF("v2, 64K CPU pages, IOMMU 64K|512M, memlock 16 pages", VFIO_TYPE1v2_IOMMU,
		     FX_IOMMU(SZ_64K | SZ_512M)),
	.host = { .page_size = SZ_64K, .memlock_limit = 16 * SZ_64K },
};

/* A memlock limit that is not a whole number of pages rounds down. */
static const struct fx_config fx_memlock_odd = {
	FX_CONFIG_OF("v2, IOMMU 4K, memlock 64 pages + 2 KiB", VFIO_TYPE1v2_IOMMU, FX_IOMMU(SZ_4K)),
	.host = { .memlock_limit = 64 * SZ_4K + 2048 },
};

static const struct fx_config fx_memlock_cap = {
	FX_CONFIG_OF("v2, IOMMU 4K, memlock 64 pages, CAP_IPC_LOCK", VFIO_TYPE1v2_IOMMU,
		     FX_IOMMU(SZ_4K)),
	.host = { .memlock_limit = 64 * SZ_4K, .cap_ipc_lock = true },
};

/* Exactly the limit pins; one page more is -ENOMEM and leaves no trace. */
static void test_map_memlock_limit_enomem(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	uint64_t lim = fx->cfg->host.memlock_limit / fx->page_size * fx->page_size;
	uint64_t lim_pages = fx_pages(fx, lim);

	expect_err(fx_map(fx, fx->guest, IOVA, lim + P, FX_RW), ENOMEM);
	expect_clean(fx);

	expect_ok(fx_map(fx, fx->guest, IOVA, lim, FX_RW));
	expect_u64(fx_locked(fx), lim_pages);
	expect_err(fx_map(fx, fx->guest + lim, IOVA + lim, P, FX_RW), ENOMEM);
	expect_u64(fx_locked(fx), lim_pages);
	expect_u64(fx_pinned(fx), lim_pages);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 1);
	expect_ret(vfiosim_mm_pin_count(fx->h, fx->guest + lim), 0);
	expect_err(vfiosim_device_write(fx->g[0], IOVA + lim, 8), EFAULT);

	/* freeing one granule makes room for exactly one */
	expect_ok(fx_unmap(fx, IOVA, lim, 0, NULL));
	expect_ok(fx_map(fx, fx->guest, IOVA, lim - P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + lim, IOVA + lim, P, FX_RW));
	expect_u64(fx_locked(fx), lim_pages);
	expect_err(fx_map(fx, fx->guest + 2 * lim, IOVA + 2 * lim, P, FX_RW), ENOMEM);
}

/* CAP_IPC_LOCK: the limit does not apply, but pages are still charged. */
static void test_map_memlock_cap_ipc_lock_bypasses(void **state)
{
	struct fx *fx = *state;
	uint64_t lim = fx->cfg->host.memlock_limit;

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * lim, FX_RW));
	expect_u64(fx_locked(fx), fx_pages(fx, 4 * lim));
	expect_u64(fx_pinned(fx), fx_pages(fx, 4 * lim));
	expect_ok(fx_unmap(fx, IOVA, 4 * lim, 0, NULL));
	expect_u64(fx_locked(fx), 0);
}

/* MMIO (PFNMAP): mapped through the IOMMU, never pinned nor charged, so
 * not bound by the memlock limit either. */
static void test_map_pfnmap_no_pins_no_accounting(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, len = 256 * P;
	uint64_t unmapped;

	fx_mm_map(fx, FX_MMIO_BASE, len, VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE,
		  VFIOSIM_MM_PFNMAP);
	expect_ok(fx_map(fx, FX_MMIO_BASE, IOVA, len, FX_RW));
	expect_u64(fx_locked(fx), 0);
	expect_u64(fx_pinned(fx), 0);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 1);
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + len - 8, 8));
	expect_ok(fx_unmap(fx, IOVA, len, 0, &unmapped));
	expect_u64(unmapped, len);
	expect_u64(fx_locked(fx), 0);
	expect_err(vfiosim_device_write(fx->g[0], IOVA, 8), EFAULT);
}

/* Read-only MMIO: a device-writable mapping cannot be set up over it. */
static void test_map_pfnmap_readonly_write_efault(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	fx_mm_map(fx, FX_MMIO_BASE, 4 * P, VFIOSIM_PROT_READ, VFIOSIM_MM_PFNMAP);
	expect_err(fx_map(fx, FX_MMIO_BASE, IOVA, 4 * P, FX_RW), EFAULT);
	expect_err(fx_map(fx, FX_MMIO_BASE, IOVA, 4 * P, VFIO_DMA_MAP_FLAG_WRITE), EFAULT);
	expect_clean(fx);
	expect_ok(fx_map(fx, FX_MMIO_BASE, IOVA, 4 * P, VFIO_DMA_MAP_FLAG_READ));
	expect_err(vfiosim_device_write(fx->g[0], IOVA, 8), EPERM);
	expect_u64(fx_locked(fx), 0);
}

/* Without an IOMMU domain nothing is pinned: even an unbacked vaddr maps. */
static void test_map_emulated_no_pinning(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * P, FX_RW));
	expect_ok(fx_map(fx, FX_HOLE, IOVA + 16 * P, 16 * P, FX_RW));
	expect_u64(fx_locked(fx), 0);
	expect_u64(fx_pinned(fx), 0);
	expect_ret(vfiosim_mm_pin_count(fx->h, fx->guest), 0);
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 2);
	expect_err(fx_map(fx, fx->guest, IOVA + P, P, FX_RW), EEXIST);
}

/* ------------------------------------------------------------- VADDR */

static void test_map_vaddr_update_flow(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, G = fx->guest, I = IOVA + 8 * P;
	struct vfiosim_group_config gc = { .kind = VFIOSIM_GROUP_IOMMU };
	struct vfiosim_group *g2 = fx_group(fx, &gc);
	uint64_t unmapped;

	if (!fx_update_vaddr(fx))
		return;
	expect_ok(fx_map(fx, G, I, 4 * P, FX_RW));
	/* not invalidated: nothing to update */
	expect_err(fx_map(fx, G, I, 4 * P, VFIO_DMA_MAP_FLAG_VADDR), EINVAL);
	/* no mapping there at all */
	expect_err(fx_map(fx, G, I + 8 * P, 4 * P, VFIO_DMA_MAP_FLAG_VADDR), ENOENT);
	expect_err(fx_map(fx, G, IOVA, 8 * P, VFIO_DMA_MAP_FLAG_VADDR), ENOENT);

	expect_ok(fx_unmap(fx, I, 4 * P, VFIO_DMA_UNMAP_FLAG_VADDR, &unmapped));
	expect_u64(unmapped, 4 * P);
	/* the IOMMU mapping and the pins stay */
	expect_ok(vfiosim_device_write(fx->g[0], I, 8));
	expect_u64(fx_locked(fx), fx_pages(fx, 4 * P));
	expect_u64(fx_dma_avail(fx, fx->c), fx->dma_limit - 1);
	expect_err(fx_map(fx, G, I, 4 * P, FX_RW), EEXIST);
	/* a group cannot join while a vaddr is invalid */
	expect_err(vfiosim_container_attach(fx->c, g2), EBUSY);

	/* iova and size must match the mapping exactly */
	expect_err(fx_map(fx, G + 16 * P, I, 2 * P, VFIO_DMA_MAP_FLAG_VADDR), EINVAL);
	expect_err(fx_map(fx, G + 16 * P, I + P, 3 * P, VFIO_DMA_MAP_FLAG_VADDR), EINVAL);
	expect_err(fx_map(fx, G + 16 * P, I - P, 5 * P, VFIO_DMA_MAP_FLAG_VADDR), EINVAL);
	expect_err(fx_map(fx, G + 16 * P, I, 8 * P, VFIO_DMA_MAP_FLAG_VADDR), EINVAL);
	/* the right size at the wrong place */
	expect_err(fx_map(fx, G + 16 * P, I + P, 4 * P, VFIO_DMA_MAP_FLAG_VADDR), EINVAL);
	expect_err(fx_map(fx, G + 16 * P, I - 2 * P, 4 * P, VFIO_DMA_MAP_FLAG_VADDR), EINVAL);

	expect_ok(fx_map(fx, G + 16 * P, I, 4 * P, VFIO_DMA_MAP_FLAG_VADDR));
	/* valid again */
	expect_err(fx_map(fx, G + 16 * P, I, 4 * P, VFIO_DMA_MAP_FLAG_VADDR), EINVAL);
	expect_ok(vfiosim_container_attach(fx->c, g2));
	expect_ok(vfiosim_device_write(g2, I, 8));
	expect_u64(fx_locked(fx), fx_pages(fx, 4 * P));
	expect_u64(fx_pinned(fx), fx_pages(fx, 4 * P));
}

/* ------------------------------------------- IOMMU page above PAGE_SIZE */

static const struct fx_config fx_64k_on_4k =
	FX_CONFIG("v2, 4K CPU pages, IOMMU 64K|512M", VFIO_TYPE1v2_IOMMU,
		  FX_IOMMU(SZ_64K | SZ_512M));

/*
 * type1 assumes the smallest IOMMU page is no larger than PAGE_SIZE and
 * WARNs once per MAP_DMA / UNMAP_DMA that gets past the argument checks
 * when it is; the call itself still goes ahead at 64 KiB granularity.
 */
static void test_map_iommu_page_above_cpu_page_warns(void **state)
{
	struct fx *fx = *state;
	uint64_t unmapped;

	fx_expect_warnings(fx, 3);
	expect_u64(fx->pgsize, SZ_64K);
	expect_err(fx_map(fx, fx->guest, IOVA, SZ_4K, FX_RW), EINVAL);
	expect_ret(vfiosim_warnings(fx->h), 1);
	expect_ok(fx_map(fx, fx->guest, IOVA, 2 * SZ_64K, FX_RW));
	expect_ret(vfiosim_warnings(fx->h), 2);
	expect_u64(fx_locked(fx), 32);
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + 2 * SZ_64K - 8, 8));
	/* rejected before the warning */
	expect_err(fx_unmap(fx, IOVA, SZ_64K, 1u << 5, NULL), EINVAL);
	expect_ret(vfiosim_warnings(fx->h), 2);
	expect_ok(fx_unmap(fx, IOVA, 2 * SZ_64K, 0, &unmapped));
	expect_u64(unmapped, 2 * SZ_64K);
	expect_ret(vfiosim_warnings(fx->h), 3);
	expect_u64(fx_locked(fx), 0);
}

/* ---------------------------------------------------------- check order */

static const struct fx_config fx_limit1 = {
	FX_CONFIG_OF("v2, IOMMU 4K, dma_entry_limit 1", VFIO_TYPE1v2_IOMMU, FX_IOMMU(SZ_4K)),
	.host = { .dma_entry_limit = 1 },
};

/* Where several errors apply, the one the kernel checks first wins. */
static void test_map_check_order(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize, G = fx->guest, I = IOVA;
	struct vfio_iommu_type1_dma_map hidden = {
		.argsz = 8, .flags = 0x80, .vaddr = 1, .iova = 1, .size = 0,
	};

	/* reading the argument comes before judging it */
	fx_user_add(fx, &hidden, sizeof(hidden), 0);
	expect_err(vfiosim_ioctl(fx->c, VFIO_IOMMU_MAP_DMA, &hidden), EFAULT);
	fx_user_del(fx, &hidden);

	/* alignment and wrap before the VADDR lookup (-ENOENT) */
	expect_err(fx_map(fx, G, I + P / 2, P, VFIO_DMA_MAP_FLAG_VADDR), EINVAL);
	expect_err(fx_map(fx, G, 0 - P, 2 * P, VFIO_DMA_MAP_FLAG_VADDR), fx_wrap_errno(fx));

	expect_ok(fx_map(fx, G, I, 4 * P, FX_RW));
	expect_u64(fx_dma_avail(fx, fx->c), 0);

	/* alignment before overlap */
	expect_err(fx_map(fx, G, I, P / 2, FX_RW), EINVAL);
	/* overlap before the entry limit */
	expect_err(fx_map(fx, G, I + P, P, FX_RW), EEXIST);
	/* overlap before pinning */
	expect_err(fx_map(fx, FX_HOLE, I, P, FX_RW), EEXIST);
	/* the VADDR path never reaches the entry limit (a flag unknown before 5.12) */
	expect_err(fx_map(fx, G, I + 8 * P, P, VFIO_DMA_MAP_FLAG_VADDR),
		   fx_since(fx, FX_K_UPDATE_VADDR) ? ENOENT : EINVAL);
	/* the entry limit before the valid-IOVA check and before pinning */
	expect_err(fx_map(fx, G, MSI, P, FX_RW), ENOSPC);
	expect_err(fx_map(fx, FX_HOLE, I + 8 * P, P, FX_RW), ENOSPC);
	expect_err(fx_map(fx, FX_HOLE, FX_APERTURE_END + 1, P, FX_RW), ENOSPC);

	expect_ok(fx_unmap(fx, I, 4 * P, 0, NULL));
	/* the valid-IOVA check before pinning */
	expect_err(fx_map(fx, FX_HOLE, MSI, P, FX_RW), EINVAL);
	expect_err(fx_map(fx, FX_HOLE, FX_APERTURE_END + 1, P, FX_RW), EINVAL);
	/* and pinning after all of them */
	expect_err(fx_map(fx, FX_HOLE, I, P, FX_RW), EFAULT);
	expect_clean(fx);
}

/* ------------------------------------------------- allocation failures */

/*
 * Fail the n-th allocation of a map for every n: each failure is -ENOMEM
 * and leaves the container exactly as it was.  Failures the kernel
 * tolerates (fallbacks) simply let the map succeed.
 */
static void map_sweep(struct fx *fx)
{
	uint64_t P = fx->pgsize;
	struct fx_snap before;
	unsigned long n;

	expect_ok(fx_map(fx, fx->guest + 64 * P, IOVA + 64 * P, 4 * P, FX_RW));
	fx_snap_take(fx, fx->c, &before);
	for (n = 1; n < 10000; n++) {
		unsigned long calls = vfiosim_alloc_calls(fx->h);
		long ret;

		vfiosim_fail_nth_alloc(fx->h, n);
		ret = fx_map(fx, fx->guest, IOVA, 16 * P, FX_RW);
		calls = vfiosim_alloc_calls(fx->h) - calls;
		vfiosim_fail_nth_alloc(fx->h, 0);
		if (!ret) {
			expect_ok(fx_unmap(fx, IOVA, 16 * P, 0, NULL));
			fx_snap_check(fx, fx->c, &before);
			if (n > calls)
				break;
			continue;
		}
		if (ret != -ENOMEM)
			fail_msg("allocation %lu failed: map returned %ld (%s)", n, ret,
				 fx_errname(ret));
		fx_snap_check(fx, fx->c, &before);
	}
	assert_true(n > 1);
	assert_true(n < 10000);
}

static void test_map_alloc_failure_sweep(void **state)
{
	map_sweep(*state);
}

/* With dirty tracking on, each new mapping also needs its bitmap. */
static void test_map_alloc_failure_sweep_tracking(void **state)
{
	struct fx *fx = *state;

	expect_ok(fx_dirty(fx->c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	map_sweep(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_map_basic, fx_v2_4k),
		FX_TEST(test_map_basic, fx_v2_2m),
		FX_TEST(test_map_basic, fx_v2_64k),
		FX_TEST(test_map_basic, fx_v1_2m),
		FX_TEST(test_map_basic, fx_set_v2_2m),
		FX_TEST(test_map_basic, fx_v2_emul),
		FX_TEST(test_map_argsz_minimum_and_larger, fx_v2_2m),
		FX_TEST(test_map_short_argsz_einval, fx_v2_2m),
		FX_TEST(test_map_short_argsz_einval, fx_v1_4k),
		FX_TEST(test_map_unknown_flags_einval, fx_v2_2m),
		FX_TEST(test_map_unknown_flags_einval, fx_v2_emul),
		FX_TEST(test_map_without_read_or_write_einval, fx_v2_2m),
		FX_TEST(test_map_vaddr_with_prot_einval, fx_v2_4k),
		FX_TEST(test_map_vaddr_with_prot_einval, fx_v1_64k),
		FX_TEST(test_map_misaligned_einval, fx_v2_4k),
		FX_TEST(test_map_misaligned_einval, fx_v2_2m),
		FX_TEST(test_map_misaligned_einval, fx_v2_64k),
		FX_TEST(test_map_misaligned_einval, fx_v1_64k),
		FX_TEST(test_map_misaligned_einval, fx_v2_emul),
		FX_TEST(test_map_size_zero_einval, fx_v2_4k),
		FX_TEST(test_map_size_zero_einval, fx_v2_emul),
		FX_TEST(test_map_iova_wrap, fx_v2_4k),
		FX_TEST(test_map_iova_wrap, fx_v2_64k),
		FX_TEST(test_map_iova_wrap, fx_v2_emul),
		FX_TEST(test_map_vaddr_wrap, fx_v2_4k),
		FX_TEST(test_map_vaddr_wrap, fx_v2_64k),
		FX_TEST(test_map_vaddr_wrap, fx_v2_emul),
		FX_TEST(test_map_overlap_eexist, fx_v2_4k),
		FX_TEST(test_map_overlap_eexist, fx_v2_64k),
		FX_TEST(test_map_overlap_eexist, fx_v1_2m),
		FX_TEST(test_map_overlap_eexist, fx_v2_emul),
		FX_TEST(test_map_entry_limit_enospc, fx_limit4),
		FX_TEST(test_map_entry_limit_enospc, fx_limit4_emul),
		FX_TEST(test_map_outside_aperture_einval, fx_v2_4k),
		FX_TEST(test_map_outside_aperture_einval, fx_v2_64k),
		FX_TEST(test_map_msi_window_einval, fx_v2_4k),
		FX_TEST(test_map_msi_window_einval, fx_v2_64k),
		FX_TEST(test_map_msi_window_einval, fx_v1_2m),
		FX_TEST(test_map_emulated_any_iova, fx_v2_emul),
		FX_TEST(test_map_unbacked_vaddr_efault, fx_v2_4k),
		FX_TEST(test_map_unbacked_vaddr_efault, fx_v2_64k),
		FX_TEST(test_map_partly_backed_efault_undoes_all, fx_v2_4k),
		FX_TEST(test_map_partly_backed_efault_undoes_all, fx_v2_2m),
		FX_TEST(test_map_partly_backed_efault_undoes_all, fx_v2_64k),
		FX_TEST(test_map_readonly_memory_write_efault, fx_v2_4k),
		FX_TEST(test_map_readonly_memory_write_efault, fx_v2_64k),
		FX_TEST(test_map_memlock_limit_enomem, fx_memlock),
		FX_TEST(test_map_memlock_limit_enomem, fx_memlock_64k),
		FX_TEST(test_map_memlock_limit_enomem, fx_memlock_odd),
		FX_TEST(test_map_memlock_cap_ipc_lock_bypasses, fx_memlock_cap),
		FX_TEST(test_map_pfnmap_no_pins_no_accounting, fx_v2_2m),
		FX_TEST(test_map_pfnmap_no_pins_no_accounting, fx_memlock),
		FX_TEST(test_map_pfnmap_no_pins_no_accounting, fx_v2_64k),
		FX_TEST(test_map_pfnmap_readonly_write_efault, fx_v2_4k),
		FX_TEST(test_map_pfnmap_readonly_write_efault, fx_v2_64k),
		FX_TEST(test_map_emulated_no_pinning, fx_v2_emul),
		FX_TEST(test_map_vaddr_update_flow, fx_v2_4k),
		FX_TEST(test_map_vaddr_update_flow, fx_v2_64k),
		FX_TEST(test_map_vaddr_update_flow, fx_v1_2m),
		FX_TEST(test_map_iommu_page_above_cpu_page_warns, fx_64k_on_4k),
		FX_TEST(test_map_check_order, fx_limit1),
		FX_TEST(test_map_alloc_failure_sweep, fx_v2_4k),
		FX_TEST(test_map_alloc_failure_sweep, fx_v2_64k),
		FX_TEST(test_map_alloc_failure_sweep, fx_v2_emul),
		FX_TEST(test_map_alloc_failure_sweep_tracking, fx_v2_2m),
		FX_TEST(test_map_alloc_failure_sweep_tracking, fx_v2_emul),
	};

	return cmocka_run_group_tests_name("map_dma", tests, NULL, NULL);
}
