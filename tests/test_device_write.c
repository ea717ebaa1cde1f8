// SPDX-License-Identifier: MIT
/*
 * test_device_write.c - device DMA through a group's IOMMU domain: it
 * succeeds exactly where a writable mapping exists, fails with -EFAULT
 * where none does and -EPERM on read-only mappings, and every success (and
 * nothing else) lands in the ground-truth log with who wrote what where.
 */
#include <errno.h>

#include "helpers/fixture.h"

#define IOVA	FX_IOVA

static void expect_log_at(struct fx *fx, size_t idx, struct vfiosim_container *c,
			  struct vfiosim_group *g, int source, uint64_t iova, uint64_t len,
			  const char *file, int line)
{
	const struct vfiosim_write *w = vfiosim_log_get(fx->h, idx);

	if (!w) {
		print_error("%s:%d: no log entry %zu\n", file, line, idx);
		_fail(file, line);
		return;
	}
	fx_check_u64(w->seq, idx + 1, "seq", "index + 1", file, line);
	fx_check_u64(w->container_id, vfiosim_container_id(c), "container_id", "expected",
		     file, line);
	fx_check_u64(w->group_id, g ? vfiosim_group_id(g) : 0, "group_id", "expected", file,
		     line);
	fx_check_u64((uint64_t)w->source, (uint64_t)source, "source", "expected", file, line);
	fx_check_u64(w->iova, iova, "iova", "expected", file, line);
	fx_check_u64(w->len, len, "len", "expected", file, line);
}

#define expect_log(fx, idx, c, g, src, iova, len) \
	expect_log_at((fx), (idx), (c), (g), (src), (iova), (len), __FILE__, __LINE__)

static void test_write_mapped_writable_is_logged(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	expect_u64(vfiosim_log_count(fx->h), 0);
	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + 100, 200));
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + 4 * P - 1, 1));
	expect_ok(vfiosim_device_write(fx->g[0], IOVA, 4 * P));
	expect_u64(vfiosim_log_count(fx->h), 3);
	expect_log(fx, 0, fx->c, fx->g[0], VFIOSIM_WRITE_DMA, IOVA + 100, 200);
	expect_log(fx, 1, fx->c, fx->g[0], VFIOSIM_WRITE_DMA, IOVA + 4 * P - 1, 1);
	expect_log(fx, 2, fx->c, fx->g[0], VFIOSIM_WRITE_DMA, IOVA, 4 * P);
	assert_null(vfiosim_log_get(fx->h, 3));
}

static void test_write_write_only_mapping(void **state)
{
	struct fx *fx = *state;

	expect_ok(fx_map(fx, fx->guest, IOVA, fx->pgsize, VFIO_DMA_MAP_FLAG_WRITE));
	expect_ok(vfiosim_device_write(fx->g[0], IOVA, 8));
	expect_u64(vfiosim_log_count(fx->h), 1);
}

static void test_write_unmapped_efault_not_logged(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	expect_err(vfiosim_device_write(fx->g[0], IOVA, 8), EFAULT);
	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	expect_err(vfiosim_device_write(fx->g[0], IOVA + 4 * P, 8), EFAULT);
	expect_err(vfiosim_device_write(fx->g[0], IOVA - 8, 8), EFAULT);
	/* running off the end of the mapping */
	expect_err(vfiosim_device_write(fx->g[0], IOVA + 4 * P - 8, 16), EFAULT);
	expect_err(vfiosim_device_write(fx->g[0], IOVA - 8, 16), EFAULT);
	expect_u64(vfiosim_log_count(fx->h), 0);
}

static void test_write_readonly_mapping_eperm(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, VFIO_DMA_MAP_FLAG_READ));
	expect_err(vfiosim_device_write(fx->g[0], IOVA, 8), EPERM);
	expect_err(vfiosim_device_write(fx->g[0], IOVA + 4 * P - 8, 8), EPERM);
	/* read-only memory mapped READ is just as read-only */
	fx_mm_map(fx, FX_RO_BASE, 4 * P, VFIOSIM_PROT_READ, 0);
	expect_ok(fx_map(fx, FX_RO_BASE, IOVA + 8 * P, 4 * P, VFIO_DMA_MAP_FLAG_READ));
	expect_err(vfiosim_device_write(fx->g[0], IOVA + 8 * P, 8), EPERM);
	expect_u64(vfiosim_log_count(fx->h), 0);
}

/* Two adjacent mappings form one contiguous IOVA range for the device. */
static void test_write_across_adjacent_mappings(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	expect_ok(fx_map(fx, fx->guest, IOVA, P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 8 * P, IOVA + P, P, FX_RW));
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + P - 8, 16));
	expect_log(fx, 0, fx->c, fx->g[0], VFIOSIM_WRITE_DMA, IOVA + P - 8, 16);
	/* but not into a read-only neighbour */
	expect_ok(fx_map(fx, fx->guest, IOVA + 2 * P, P, VFIO_DMA_MAP_FLAG_READ));
	expect_err(vfiosim_device_write(fx->g[0], IOVA + 2 * P - 8, 16), EPERM);
	expect_u64(vfiosim_log_count(fx->h), 1);
}

static void test_write_after_unmap_efault(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + 4 * P, IOVA + 4 * P, 4 * P, FX_RW));
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + 5 * P, 8));
	expect_ok(fx_unmap(fx, IOVA + 4 * P, 4 * P, 0, NULL));
	expect_err(vfiosim_device_write(fx->g[0], IOVA + 5 * P, 8), EFAULT);
	expect_ok(vfiosim_device_write(fx->g[0], IOVA + 3 * P, 8));
	expect_ok(fx_unmap_everything(fx, fx->c, NULL));
	expect_err(vfiosim_device_write(fx->g[0], IOVA + 3 * P, 8), EFAULT);
	expect_u64(vfiosim_log_count(fx->h), 2);
}

/* An invalidated vaddr keeps the IOMMU mapping: DMA still works. */
static void test_write_after_vaddr_invalidate(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;

	if (!fx_update_vaddr(fx))
		return;
	fx_map_vaddr_invalid(fx, IOVA, 4 * P);
	expect_ok(vfiosim_device_write(fx->g[0], IOVA, 8));
	expect_ok(fx_map(fx, fx->guest, IOVA, 4 * P, VFIO_DMA_MAP_FLAG_VADDR));
	expect_ok(vfiosim_device_write(fx->g[0], IOVA, 8));
}

/* Each container is its own IOVA space; the log says whose. */
static void test_write_two_containers_logged_apart(void **state)
{
	struct fx *fx = *state;
	uint64_t P = fx->pgsize;
	struct vfiosim_group_config gc = fx->cfg->group[0];
	struct vfiosim_group *g2 = fx_group(fx, &gc);
	struct vfiosim_container *c2 = fx_container(fx, VFIO_TYPE1v2_IOMMU);

	assert_non_null(c2);
	expect_ok(vfiosim_container_attach(c2, g2));
	expect_ok(fx_map(fx, fx->guest, IOVA, P, FX_RW));
	expect_ok(fx_map_in(c2, fx->guest + 16 * P, IOVA + 8 * P, P, FX_RW));
	expect_err(vfiosim_device_write(g2, IOVA, 8), EFAULT);
	expect_err(vfiosim_device_write(fx->g[0], IOVA + 8 * P, 8), EFAULT);
	expect_ok(vfiosim_device_write(fx->g[0], IOVA, 8));
	expect_ok(vfiosim_device_write(g2, IOVA + 8 * P, 16));
	expect_log(fx, 0, fx->c, fx->g[0], VFIOSIM_WRITE_DMA, IOVA, 8);
	expect_log(fx, 1, c2, g2, VFIOSIM_WRITE_DMA, IOVA + 8 * P, 16);
}

/* A group out of every container has no domain to write through. */
static void test_write_after_detach_efault(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group_config gc = fx->cfg->group[0];
	struct vfiosim_group *g2 = fx_group(fx, &gc);

	expect_err(vfiosim_device_write(g2, IOVA, 8), EFAULT);
	expect_ok(fx_map(fx, fx->guest, IOVA, fx->pgsize, FX_RW));
	expect_ok(vfiosim_container_attach(fx->c, g2));
	expect_ok(vfiosim_device_write(g2, IOVA, 8));
	expect_ok(vfiosim_container_detach(fx->c, g2));
	expect_err(vfiosim_device_write(g2, IOVA, 8), EFAULT);
	expect_ok(vfiosim_device_write(fx->g[0], IOVA, 8));
	expect_u64(vfiosim_log_count(fx->h), 2);
	expect_log(fx, 0, fx->c, g2, VFIOSIM_WRITE_DMA, IOVA, 8);
	expect_log(fx, 1, fx->c, fx->g[0], VFIOSIM_WRITE_DMA, IOVA, 8);
}

/* An emulated device writes only where its driver pinned for writing. */
static void test_write_emulated_needs_write_pin(void **state)
{
	struct fx *fx = *state;
	struct vfiosim_group *g = fx->g[0];
	uint64_t P = SZ_4K, pfn[2];

	expect_ok(fx_map(fx, fx->guest, IOVA, 16 * P, FX_RW));
	assert_true(vfiosim_device_write(g, IOVA, 8) < 0);
	expect_ret(vfiosim_pin_pages(fx->c, g, IOVA + P, 1, VFIOSIM_PROT_READ, pfn), 1);
	assert_true(vfiosim_device_write(g, IOVA + P, 8) < 0);
	expect_ret(vfiosim_pin_pages(fx->c, g, IOVA + 2 * P, 2,
				     VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE, pfn), 2);
	expect_ok(vfiosim_device_write(g, IOVA + 2 * P + 16, 32));
	expect_ok(vfiosim_device_write(g, IOVA + 3 * P - 8, 16));
	expect_u64(vfiosim_log_count(fx->h), 2);
	expect_log(fx, 0, fx->c, g, VFIOSIM_WRITE_PINNED, IOVA + 2 * P + 16, 32);
	expect_log(fx, 1, fx->c, g, VFIOSIM_WRITE_PINNED, IOVA + 3 * P - 8, 16);
	expect_ok(vfiosim_unpin_pages(fx->c, g, IOVA + 2 * P, 2));
	assert_true(vfiosim_device_write(g, IOVA + 2 * P, 8) < 0);
	expect_ok(vfiosim_unpin_pages(fx->c, g, IOVA + P, 1));
	expect_u64(vfiosim_log_count(fx->h), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_write_mapped_writable_is_logged, fx_v2_4k),
		FX_TEST(test_write_mapped_writable_is_logged, fx_v2_2m),
		FX_TEST(test_write_mapped_writable_is_logged, fx_v2_64k),
		FX_TEST(test_write_mapped_writable_is_logged, fx_v1_2m),
		FX_TEST(test_write_write_only_mapping, fx_v2_4k),
		FX_TEST(test_write_unmapped_efault_not_logged, fx_v2_4k),
		FX_TEST(test_write_unmapped_efault_not_logged, fx_v2_64k),
		FX_TEST(test_write_readonly_mapping_eperm, fx_v2_2m),
		FX_TEST(test_write_readonly_mapping_eperm, fx_v2_64k),
		FX_TEST(test_write_across_adjacent_mappings, fx_v2_4k),
		FX_TEST(test_write_across_adjacent_mappings, fx_v2_64k),
		FX_TEST(test_write_after_unmap_efault, fx_v2_4k),
		FX_TEST(test_write_after_unmap_efault, fx_v1_64k),
		FX_TEST(test_write_after_vaddr_invalidate, fx_v2_2m),
		FX_TEST(test_write_two_containers_logged_apart, fx_v2_2m),
		FX_TEST(test_write_after_detach_efault, fx_v2_2m),
		FX_TEST(test_write_emulated_needs_write_pin, fx_v2_emul),
	};

	return cmocka_run_group_tests_name("device_write", tests, NULL, NULL);
}
