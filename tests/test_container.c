// SPDX-License-Identifier: MIT
/*
 * test_container.c - the container fd before and after VFIO_SET_IOMMU:
 * GET_API_VERSION, CHECK_EXTENSION, SET_IOMMU and its errors, ioctls
 * without a driver, group membership.  Expectations follow
 * drivers/vfio/container.c and the type1 driver's check_extension.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/fixture.h"

#define IOVA	FX_IOVA

struct ext_case {
	unsigned long ext;
	long no_driver;		/* answer of a container without a driver */
	long type1;		/* answer once type1 is set (IOMMU group, coherent) */
};

/*
 * Without a driver the container asks every registered driver with a NULL
 * instance: type1 then claims its three types and UNMAP_ALL only; it needs
 * an instance for UPDATE_VADDR and DMA_CC_IOMMU.  sPAPR, EEH and no-IOMMU
 * are other drivers, absent here.  As of Linux 6.12: ext_answer() says what
 * other versions answer.
 */
static const struct ext_case ext_cases[] = {
	{ 0, 0, 0 },
	{ VFIO_TYPE1_IOMMU, 1, 1 },
	{ VFIO_SPAPR_TCE_IOMMU, 0, 0 },
	{ VFIO_TYPE1v2_IOMMU, 1, 1 },
	{ VFIO_DMA_CC_IOMMU, 0, 1 },
	{ VFIO_EEH, 0, 0 },
	{ VFIO_TYPE1_NESTING_IOMMU, 1, 1 },
	{ VFIO_SPAPR_TCE_v2_IOMMU, 0, 0 },
	{ VFIO_NOIOMMU_IOMMU, 0, 0 },
	{ VFIO_UNMAP_ALL, 1, 1 },
	{ VFIO_UPDATE_VADDR, 0, 1 },
	{ 11, 0, 0 },
	{ 0x7fffffff, 0, 0 },
	/* the argument is an unsigned long: high bits make it another value */
	{ (1UL << 32) | VFIO_TYPE1v2_IOMMU, 0, 0 },
};

#define NR_EXT	(sizeof(ext_cases) / sizeof(ext_cases[0]))

/* The answer of fx's kernel version: types and extensions come and go. */
static long ext_answer(const struct fx *fx, const struct ext_case *e, bool driver)
{
	long want = driver ? e->type1 : e->no_driver;

	switch (e->ext) {
	case VFIO_TYPE1_NESTING_IOMMU:
		return fx_since(fx, FX_K_NO_NESTING) ? 0 : want;
	case VFIO_UNMAP_ALL:
	case VFIO_UPDATE_VADDR:
		return fx_since(fx, FX_K_UPDATE_VADDR) ? want : 0;
	default:
		return want;
	}
}

static void check_extensions(const struct fx *fx, struct vfiosim_container *c, bool driver,
			     const char *when)
{
	size_t i;

	for (i = 0; i < NR_EXT; i++) {
		long want = ext_answer(fx, &ext_cases[i], driver);
		long got = fx_ext(c, ext_cases[i].ext);

		if (got != want)
			fail_msg("%s: CHECK_EXTENSION(%lu) = %ld, expected %ld", when,
				 ext_cases[i].ext, got, want);
	}
}

static long set_iommu(struct vfiosim_container *c, unsigned long type)
{
	return vfiosim_ioctl_arg(c, VFIO_SET_IOMMU, type);
}

static long api_version(struct vfiosim_container *c)
{
	return vfiosim_ioctl(c, VFIO_GET_API_VERSION, NULL);
}

static void test_api_version_any_state(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_container *preset = fx_container(fx, VFIO_TYPE1_IOMMU);

	assert_non_null(preset);
	expect_ret(api_version(fx->c), VFIO_API_VERSION);
	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_ret(api_version(fx->c), VFIO_API_VERSION);
	expect_ok(set_iommu(fx->c, VFIO_TYPE1v2_IOMMU));
	expect_ret(api_version(fx->c), VFIO_API_VERSION);
	expect_ret(api_version(preset), VFIO_API_VERSION);
}

static void test_check_extension_without_driver(void **state)
{
	struct fx *fx = *state;

	check_extensions(fx, fx->c, false, "empty container");
	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	check_extensions(fx, fx->c, false, "IOMMU group, no SET_IOMMU");
	expect_ok(vfiosim_container_attach(fx->c, fx->g[1]));
	check_extensions(fx, fx->c, false, "IOMMU + emulated group, no SET_IOMMU");
}

static void test_check_extension_after_set_iommu(void **state)
{
	struct fx *fx = *state;

	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_ok(set_iommu(fx->c, VFIO_TYPE1v2_IOMMU));
	check_extensions(fx, fx->c, true, "type1v2 set");
}

static void test_check_extension_after_set_iommu_v1(void **state)
{
	struct fx *fx = *state;

	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_ok(set_iommu(fx->c, VFIO_TYPE1_IOMMU));
	check_extensions(fx, fx->c, true, "type1 set");
}

/*
 * UPDATE_VADDR is withdrawn while an emulated group is in the container
 * (5.12 on: before, neither extension exists).
 */
static void test_check_extension_update_vaddr_emulated(void **state)
{
	struct fx *fx = *state;
	long has = fx_since(fx, FX_K_UPDATE_VADDR);

	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_ok(vfiosim_container_attach(fx->c, fx->g[1]));
	expect_ret(fx_ext(fx->c, VFIO_UPDATE_VADDR), 0);
	expect_ok(set_iommu(fx->c, VFIO_TYPE1v2_IOMMU));
	expect_ret(fx_ext(fx->c, VFIO_UPDATE_VADDR), 0);
	expect_ret(fx_ext(fx->c, VFIO_UNMAP_ALL), has);
	expect_ok(vfiosim_container_detach(fx->c, fx->g[1]));
	expect_ret(fx_ext(fx->c, VFIO_UPDATE_VADDR), has);
	expect_ok(vfiosim_container_attach(fx->c, fx->g[1]));
	expect_ret(fx_ext(fx->c, VFIO_UPDATE_VADDR), 0);
}

/* With only an emulated group the driver has no IOMMU at all. */
static void test_check_extension_emulated_only(void **state)
{
	struct fx *fx = *state;

	expect_ok(vfiosim_container_attach(fx->c, fx->g[1]));
	expect_ok(set_iommu(fx->c, VFIO_TYPE1v2_IOMMU));
	expect_ret(fx_ext(fx->c, VFIO_UPDATE_VADDR), 0);
	/* no domain that fails to enforce coherency: reported coherent */
	expect_ret(fx_ext(fx->c, VFIO_DMA_CC_IOMMU), 1);
	expect_ret(fx_ext(fx->c, VFIO_TYPE1v2_IOMMU), 1);
}

/* DMA_CC_IOMMU: every domain must enforce coherency. */
static void test_check_extension_dma_cc(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config nc = {
		.kind = VFIOSIM_GROUP_IOMMU,
		.no_cache_coherency = true,
	};
	struct vfiosim_group *g = fx_group(fx, &nc);

	expect_ok(vfiosim_container_attach(fx->c, g));
	expect_ret(fx_ext(fx->c, VFIO_DMA_CC_IOMMU), 0);
	expect_ok(set_iommu(fx->c, VFIO_TYPE1v2_IOMMU));
	expect_ret(fx_ext(fx->c, VFIO_DMA_CC_IOMMU), 0);
	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_ret(fx_ext(fx->c, VFIO_DMA_CC_IOMMU), 0);
	expect_ok(vfiosim_container_detach(fx->c, g));
	expect_ret(fx_ext(fx->c, VFIO_DMA_CC_IOMMU), 1);
}

static void test_set_iommu_without_group_einval(void **state)
{
	struct fx *fx = *state;

	expect_err(set_iommu(fx->c, VFIO_TYPE1v2_IOMMU), EINVAL);
	expect_err(set_iommu(fx->c, VFIO_TYPE1_IOMMU), EINVAL);
	/* the type is not looked at before the group check */
	expect_err(set_iommu(fx->c, VFIO_SPAPR_TCE_IOMMU), EINVAL);
	/* still no driver */
	expect_err(fx_map(fx, fx->guest, IOVA, SZ_4K, FX_RW), EINVAL);
	expect_ret(fx_ext(fx->c, VFIO_UPDATE_VADDR), 0);
}

static void test_set_iommu_twice_einval(void **state)
{
	struct fx *fx = *state;

	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_ok(set_iommu(fx->c, VFIO_TYPE1v2_IOMMU));
	expect_ok(fx_map(fx, fx->guest, IOVA, SZ_64K, FX_RW));
	expect_err(set_iommu(fx->c, VFIO_TYPE1v2_IOMMU), EINVAL);
	expect_err(set_iommu(fx->c, VFIO_TYPE1_IOMMU), EINVAL);
	expect_err(set_iommu(fx->c, 12345), EINVAL);
	/* the first driver and its mapping are untouched */
	expect_u64(fx_dma_avail(fx, fx->c), FX_DMA_LIMIT - 1);
	expect_u64(fx_locked(fx), fx_pages(fx, SZ_64K));
	expect_err(fx_map(fx, fx->guest, IOVA, SZ_64K, FX_RW), EEXIST);
}

/* A preset container behaves as if SET_IOMMU had already succeeded. */
static void test_set_iommu_on_preset_container_einval(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_container *c = fx_container(fx, VFIO_TYPE1v2_IOMMU);

	assert_non_null(c);
	expect_ok(vfiosim_container_attach(c, fx->g[0]));
	expect_err(set_iommu(c, VFIO_TYPE1v2_IOMMU), EINVAL);
	expect_ret(fx_ext(c, VFIO_UPDATE_VADDR), fx_since(fx, FX_K_UPDATE_VADDR));
}

/* No registered driver claims these: -ENODEV, and nothing is set. */
static void test_set_iommu_unsupported_type_enodev(void **state)
{
	static const unsigned long types[] = {
		0, VFIO_SPAPR_TCE_IOMMU, VFIO_DMA_CC_IOMMU, VFIO_EEH,
		VFIO_SPAPR_TCE_v2_IOMMU, VFIO_NOIOMMU_IOMMU, VFIO_UPDATE_VADDR, 11,
		0xffffffffUL, (1UL << 32) | VFIO_TYPE1v2_IOMMU,
	};
	struct fx *fx = *state;
	size_t i;

	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		long ret = set_iommu(fx->c, types[i]);

		if (ret != -ENODEV)
			fail_msg("SET_IOMMU(%#lx) = %ld (%s), expected -ENODEV", types[i], ret,
				 fx_errname(ret));
		/* still without a driver */
		expect_err(fx_map(fx, fx->guest, IOVA, SZ_4K, FX_RW), EINVAL);
	}
	expect_ok(set_iommu(fx->c, VFIO_TYPE1v2_IOMMU));
	expect_ok(fx_map(fx, fx->guest, IOVA, SZ_4K, FX_RW));
}

/*
 * VFIO_UNMAP_ALL is an extension type1 claims, so SET_IOMMU reaches the
 * driver's open(), which refuses the type: its -EINVAL is what the caller
 * sees, not -ENODEV.  (Before 5.12 nobody claims it: -ENODEV.)
 */
static void test_set_iommu_claimed_extension_not_a_type_einval(void **state)
{
	struct fx *fx = *state;

	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_err(set_iommu(fx->c, VFIO_UNMAP_ALL),
		   fx_since(fx, FX_K_UPDATE_VADDR) ? EINVAL : ENODEV);
	expect_err(fx_map(fx, fx->guest, IOVA, SZ_4K, FX_RW), EINVAL);
	expect_ok(set_iommu(fx->c, VFIO_TYPE1_IOMMU));
	expect_ok(fx_map(fx, fx->guest, IOVA, SZ_4K, FX_RW));
}

static void set_iommu_attach_failure(struct fx *fx, bool bad_first, int err,
				     const struct vfiosim_group_config *badcfg)
{
	struct vfiosim_group *bad = fx_group(fx, badcfg);

	if (bad_first)
		expect_ok(vfiosim_container_attach(fx->c, bad));
	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_ok(vfiosim_container_attach(fx->c, fx->g[1]));
	if (!bad_first)
		expect_ok(vfiosim_container_attach(fx->c, bad));

	expect_err(set_iommu(fx->c, VFIO_TYPE1v2_IOMMU), err);
	/* the driver was released again: nothing is set */
	expect_err(fx_map(fx, fx->guest, IOVA, SZ_4K, FX_RW), EINVAL);
	expect_ret(fx_ext(fx->c, VFIO_UPDATE_VADDR), 0);
	expect_ret(fx_ext(fx->c, VFIO_DMA_CC_IOMMU), 0);
	expect_u64(fx_locked(fx), 0);

	/* without the bad group the same container accepts type1 */
	expect_ok(vfiosim_container_detach(fx->c, bad));
	expect_ok(set_iommu(fx->c, VFIO_TYPE1v2_IOMMU));
	expect_ok(fx_map(fx, fx->guest, IOVA, SZ_4K, FX_RW));
	expect_u64(fx_dma_avail(fx, fx->c), FX_DMA_LIMIT - 1);
}

static void test_set_iommu_group_attach_error_unwinds(void **state)
{
	struct vfiosim_group_config badcfg = { .kind = VFIOSIM_GROUP_IOMMU, .attach_error = -EIO };

	set_iommu_attach_failure(*state, false, EIO, &badcfg);
}

static void test_set_iommu_group_attach_error_first_unwinds(void **state)
{
	struct vfiosim_group_config badcfg = {
		.kind = VFIOSIM_GROUP_IOMMU, .attach_error = -ENODEV,
	};

	set_iommu_attach_failure(*state, true, ENODEV, &badcfg);
}

static void test_set_iommu_unsafe_interrupts_eperm(void **state)
{
	struct vfiosim_group_config badcfg = {
		.kind = VFIOSIM_GROUP_IOMMU, .no_isolated_msi = true,
	};

	set_iommu_attach_failure(*state, false, EPERM, &badcfg);
}

/*
 * The nesting type needs an IOMMU that can nest.  Since Linux 6.13 there is
 * no such type: no driver claims it, so SET_IOMMU finds none (-ENODEV)
 * and a container cannot be made with it.
 */
static void test_set_iommu_nesting(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config nest = { .kind = VFIOSIM_GROUP_IOMMU, .nesting = true };
	struct vfiosim_group *g = fx_group(fx, &nest);
	struct vfiosim_container *c = fx_container(fx, 0);
	bool gone = fx_since(fx, FX_K_NO_NESTING);

	assert_non_null(c);
	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_err(set_iommu(fx->c, VFIO_TYPE1_NESTING_IOMMU), gone ? ENODEV : EINVAL);
	expect_err(fx_map(fx, fx->guest, IOVA, SZ_4K, FX_RW), EINVAL);

	expect_ok(vfiosim_container_attach(c, g));
	if (gone) {
		expect_err(set_iommu(c, VFIO_TYPE1_NESTING_IOMMU), ENODEV);
		/* the group is still there for the types that remain */
		expect_ok(set_iommu(c, VFIO_TYPE1v2_IOMMU));
		return;
	}
	expect_ok(set_iommu(c, VFIO_TYPE1_NESTING_IOMMU));
	expect_ok(fx_map_in(c, fx->guest, IOVA, 4 * SZ_4K, FX_RW));
	/* nesting implies the v2 unmap rules: a bisecting unmap fails */
	expect_err(fx_unmap_in(c, IOVA + SZ_4K, SZ_4K, 0, NULL), EINVAL);
}

/*
 * A container preset to the nesting type: before 6.13 it attaches only
 * groups whose IOMMU can nest; since, the type is no driver's and the
 * container cannot be made (EINVAL, as for any type nobody claims).
 */
static void test_preset_nesting_container(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config nest = { .kind = VFIOSIM_GROUP_IOMMU, .nesting = true };
	struct vfiosim_group *g = fx_group(fx, &nest);
	struct vfiosim_container *c;

	errno = 0;
	c = fx_container(fx, VFIO_TYPE1_NESTING_IOMMU);
	if (fx_since(fx, FX_K_NO_NESTING)) {
		assert_null(c);
		assert_int_equal(errno, EINVAL);
		return;
	}
	assert_non_null(c);
	expect_err(vfiosim_container_attach(c, fx->g[0]), EINVAL);
	expect_ok(vfiosim_container_attach(c, g));
	expect_ok(fx_map_in(c, fx->guest, IOVA, 2 * SZ_4K, FX_RW));
	expect_ok(vfiosim_device_write(g, IOVA, 8));
	expect_err(fx_unmap_in(c, IOVA + SZ_4K, SZ_4K, 0, NULL), EINVAL);
}

static void test_unknown_ioctl_before_and_after_set_iommu(void **state)
{
	static const unsigned int cmds[] = {
		VFIO_IOMMU_GET_INFO, VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA,
		VFIO_IOMMU_DIRTY_PAGES, VFIO_IOMMU_ENABLE, VFIO_IOMMU_DISABLE,
	};
	static const unsigned int unknown[] = {
		VFIO_IOMMU_ENABLE, VFIO_IOMMU_DISABLE, _IO(VFIO_TYPE, VFIO_BASE + 3),
		_IO(VFIO_TYPE, VFIO_BASE + 99), 0x1234, 0,
	};
	struct fx *fx = *state;
	unsigned char buf[256];
	size_t i;

	memset(buf, 0, sizeof(buf));
	buf[0] = 64;	/* argsz, should anything look at it */
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (vfiosim_ioctl(fx->c, cmds[i], buf) != -EINVAL)
			fail_msg("ioctl %#x without a driver: %ld, expected -EINVAL", cmds[i],
				 vfiosim_ioctl(fx->c, cmds[i], buf));
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		expect_err(vfiosim_ioctl(fx->c, unknown[i], buf), EINVAL);

	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		expect_err(vfiosim_ioctl(fx->c, unknown[i], buf), EINVAL);

	expect_ok(set_iommu(fx->c, VFIO_TYPE1v2_IOMMU));
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		long ret = vfiosim_ioctl(fx->c, unknown[i], buf);

		if (ret != -ENOTTY)
			fail_msg("ioctl %#x with type1: %ld (%s), expected -ENOTTY", unknown[i],
				 ret, fx_errname(ret));
	}
}

/* The last group leaving takes the driver and every mapping with it. */
static void test_last_group_leaving_drops_driver(void **state)
{
	struct fx *fx = *state;
	uint64_t unmapped;

	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_ok(vfiosim_container_attach(fx->c, fx->g[1]));
	expect_ok(set_iommu(fx->c, VFIO_TYPE1v2_IOMMU));
	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * SZ_4K, FX_RW));
	expect_u64(fx_locked(fx), 16);

	/* one group left: the driver stays */
	expect_ok(vfiosim_container_detach(fx->c, fx->g[1]));
	expect_u64(fx_dma_avail(fx, fx->c), FX_DMA_LIMIT - 1);
	expect_u64(fx_locked(fx), 16);

	expect_ok(vfiosim_container_detach(fx->c, fx->g[0]));
	expect_u64(fx_locked(fx), 0);
	expect_u64(fx_pinned(fx), 0);
	expect_err(fx_map(fx, fx->guest, IOVA, SZ_4K, FX_RW), EINVAL);
	expect_err(fx_unmap(fx, IOVA, 16 * SZ_4K, 0, NULL), EINVAL);
	expect_ret(fx_ext(fx->c, VFIO_UPDATE_VADDR), 0);
	expect_ret(fx_ext(fx->c, VFIO_TYPE1v2_IOMMU), 1);
	expect_ret(api_version(fx->c), VFIO_API_VERSION);
	expect_err(set_iommu(fx->c, VFIO_TYPE1v2_IOMMU), EINVAL);
	expect_err(vfiosim_device_write(fx->g[0], IOVA, 8), EFAULT);

	/* a fresh driver instance knows nothing of the old mapping */
	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_ok(set_iommu(fx->c, VFIO_TYPE1_IOMMU));
	expect_u64(fx_dma_avail(fx, fx->c), FX_DMA_LIMIT);
	expect_ok(fx_unmap(fx, IOVA, 16 * SZ_4K, 0, &unmapped));
	expect_u64(unmapped, 0);
	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * SZ_4K, FX_RW));
	expect_u64(fx_locked(fx), 16);
}

/* Before SET_IOMMU groups only join the list: leaving costs nothing. */
static void test_groups_join_and_leave_without_driver(void **state)
{
	struct fx *fx = *state;

	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_ok(vfiosim_container_attach(fx->c, fx->g[1]));
	expect_ok(vfiosim_container_detach(fx->c, fx->g[0]));
	expect_ok(vfiosim_container_detach(fx->c, fx->g[1]));
	expect_err(set_iommu(fx->c, VFIO_TYPE1v2_IOMMU), EINVAL);
	expect_ok(vfiosim_container_attach(fx->c, fx->g[1]));
	expect_ok(set_iommu(fx->c, VFIO_TYPE1v2_IOMMU));
	expect_ret(fx_ext(fx->c, VFIO_UPDATE_VADDR), 0);
}

/*
 * A group already in a container cannot join another (nor the same one
 * again): VFIO_GROUP_SET_CONTAINER refuses it with -EINVAL (group.c)
 * before any IOMMU ownership claim could answer -EBUSY.
 */
static void test_attach_group_of_other_container_einval(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_container *other = fx_container(fx, VFIO_TYPE1v2_IOMMU);

	assert_non_null(other);
	assert_int_not_equal(vfiosim_container_id(other), vfiosim_container_id(fx->c));
	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_ok(set_iommu(fx->c, VFIO_TYPE1v2_IOMMU));
	expect_ok(fx_map(fx, fx->guest, IOVA, SZ_64K, FX_RW));

	expect_err(vfiosim_container_attach(other, fx->g[0]), EINVAL);
	expect_err(vfiosim_container_detach(other, fx->g[0]), EINVAL);
	/* still working in its own container */
	expect_ok(vfiosim_device_write(fx->g[0], IOVA, 64));
	expect_u64(fx_dma_avail(fx, other), FX_DMA_LIMIT);

	/* once it left, the other container may take it */
	expect_ok(vfiosim_container_detach(fx->c, fx->g[0]));
	expect_ok(vfiosim_container_attach(other, fx->g[0]));
	expect_err(vfiosim_container_attach(fx->c, fx->g[0]), EINVAL);
}

/* A duplicate attach: refused the same way, driver set or not. */
static void test_attach_same_group_twice_einval(void **state)
{
	struct fx *fx = *state;

	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_err(vfiosim_container_attach(fx->c, fx->g[0]), EINVAL);
	expect_ok(set_iommu(fx->c, VFIO_TYPE1v2_IOMMU));
	expect_err(vfiosim_container_attach(fx->c, fx->g[0]), EINVAL);
	expect_ok(fx_map(fx, fx->guest, IOVA, SZ_4K, FX_RW));
	expect_ok(vfiosim_device_write(fx->g[0], IOVA, 8));
}

static void test_detach_non_member_einval(void **state)
{
	struct fx *fx = *state;

	expect_err(vfiosim_container_detach(fx->c, fx->g[0]), EINVAL);
	expect_ok(vfiosim_container_attach(fx->c, fx->g[0]));
	expect_err(vfiosim_container_detach(fx->c, fx->g[1]), EINVAL);
	expect_ok(set_iommu(fx->c, VFIO_TYPE1v2_IOMMU));
	expect_err(vfiosim_container_detach(fx->c, fx->g[1]), EINVAL);
	/* the member is unaffected, and leaves once */
	expect_ok(fx_map(fx, fx->guest, IOVA, SZ_4K, FX_RW));
	expect_ok(vfiosim_container_detach(fx->c, fx->g[0]));
	expect_err(vfiosim_container_detach(fx->c, fx->g[0]), EINVAL);
}

static void test_container_and_group_ids_distinct(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_container *c2 = fx_container(fx, 0);

	assert_non_null(c2);
	assert_int_not_equal(vfiosim_container_id(fx->c), vfiosim_container_id(c2));
	assert_int_not_equal(vfiosim_group_id(fx->g[0]), vfiosim_group_id(fx->g[1]));
}

static void test_container_new_bad_type(void **state)
{
	struct fx *fx = *state;

	errno = 0;
	assert_null(vfiosim_container_new(fx->h, VFIO_SPAPR_TCE_IOMMU));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(vfiosim_container_new(fx->h, 77));
	assert_int_equal(errno, EINVAL);
}

/* The library linked (model or kernel backend) is the contract this test
 * was compiled against: a backend built from another header shows here. */
static void test_library_version_is_the_headers(void **state)
{
	unsigned int v = vfiosim_version();

	assert_int_equal(v, VFIOSIM_VERSION);
	assert_int_equal(v >> 16, VFIOSIM_VERSION_MAJOR);
	assert_int_equal(v & 0xffff, VFIOSIM_VERSION_MINOR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_api_version_any_state, fx_bare),
		FX_TEST(test_check_extension_without_driver, fx_bare),
		FX_TEST(test_check_extension_after_set_iommu, fx_bare),
		FX_TEST(test_check_extension_after_set_iommu_v1, fx_bare),
		FX_TEST(test_check_extension_update_vaddr_emulated, fx_bare),
		FX_TEST(test_check_extension_emulated_only, fx_bare),
		FX_TEST(test_check_extension_dma_cc, fx_bare),
		FX_TEST(test_set_iommu_without_group_einval, fx_bare),
		FX_TEST(test_set_iommu_twice_einval, fx_bare),
		FX_TEST(test_set_iommu_on_preset_container_einval, fx_bare),
		FX_TEST(test_set_iommu_unsupported_type_enodev, fx_bare),
		FX_TEST(test_set_iommu_claimed_extension_not_a_type_einval, fx_bare),
		FX_TEST(test_set_iommu_group_attach_error_unwinds, fx_bare),
		FX_TEST(test_set_iommu_group_attach_error_first_unwinds, fx_bare),
		FX_TEST(test_set_iommu_unsafe_interrupts_eperm, fx_bare),
		FX_TEST(test_set_iommu_nesting, fx_bare),
		FX_TEST(test_preset_nesting_container, fx_bare),
		FX_TEST(test_unknown_ioctl_before_and_after_set_iommu, fx_bare),
		FX_TEST(test_last_group_leaving_drops_driver, fx_bare),
		FX_TEST(test_groups_join_and_leave_without_driver, fx_bare),
		FX_TEST(test_attach_group_of_other_container_einval, fx_bare),
		FX_TEST(test_attach_same_group_twice_einval, fx_bare),
		FX_TEST(test_detach_non_member_einval, fx_bare),
		FX_TEST(test_container_and_group_ids_distinct, fx_bare),
		FX_TEST(test_container_new_bad_type, fx_bare),
		FX_TEST(test_library_version_is_the_headers, fx_bare),
	};

	return cmocka_run_group_tests_name("container", tests, NULL, NULL);
}
