// SPDX-License-Identifier: MIT
/*
 * vfiosim-demo - a short walk through the simulator: a guest's memory mapped
 * for two devices, the container's info, device DMA, and a round of dirty
 * page tracking.  Every step prints what the ioctl returned.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfiosim.h"

#define GUEST_VA	0x100000000ULL	/* guest RAM in the simulated process */
#define GUEST_SIZE	(64ULL << 20)
#define MiB		(1ULL << 20)

static int failures;

static long step(const char *what, long ret)
{
	printf("  %-58s -> %ld%s%s\n", what, ret, ret < 0 ? " " : "",
	       ret < 0 ? strerror((int)-ret) : "");
	return ret;
}

static void expect(const char *what, long got, long want)
{
	if (step(what, got) != want) {
		printf("  ^ expected %ld\n", want);
		failures++;
	}
}

static long map(struct vfiosim_container *c, uint64_t va, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = va, .iova = iova, .size = size,
	};

	return vfiosim_ioctl(c, VFIO_IOMMU_MAP_DMA, &m);
}

static void show_info(struct vfiosim_container *c)
{
	struct vfio_iommu_type1_info probe = { .argsz = sizeof(probe) }, *info;
	struct vfio_info_cap_header *hdr;
	uint32_t off;

	expect("GET_INFO with argsz = sizeof(info)", vfiosim_ioctl(c, VFIO_IOMMU_GET_INFO, &probe), 0);
	printf("    flags 0x%x, iova_pgsizes 0x%" PRIx64 ", argsz needed %u\n",
	       probe.flags, (uint64_t)probe.iova_pgsizes, probe.argsz);
	info = calloc(1, probe.argsz);
	if (!info)
		exit(2);
	info->argsz = probe.argsz;
	expect("GET_INFO with the full argsz", vfiosim_ioctl(c, VFIO_IOMMU_GET_INFO, info), 0);
	for (off = info->cap_offset; off; off = hdr->next) {
		hdr = (struct vfio_info_cap_header *)((char *)info + off);
		if (hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION) {
			struct vfio_iommu_type1_info_cap_migration *m = (void *)hdr;

			printf("    cap migration: pgsize_bitmap 0x%" PRIx64
			       ", max_dirty_bitmap_size %" PRIu64 "\n",
			       (uint64_t)m->pgsize_bitmap, (uint64_t)m->max_dirty_bitmap_size);
		} else if (hdr->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
			printf("    cap dma_avail: %u\n",
			       ((struct vfio_iommu_type1_info_dma_avail *)hdr)->avail);
		} else if (hdr->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			struct vfio_iommu_type1_info_cap_iova_range *r = (void *)hdr;

			for (uint32_t i = 0; i < r->nr_iovas; i++)
				printf("    cap iova range %u: 0x%" PRIx64 " - 0x%" PRIx64 "\n", i,
				       (uint64_t)r->iova_ranges[i].start,
				       (uint64_t)r->iova_ranges[i].end);
		}
	}
	free(info);
}

static long get_bitmap(struct vfiosim_container *c, uint64_t iova, uint64_t size,
		       uint64_t *bits, uint64_t bytes)
{
	uint64_t buf[(sizeof(struct vfio_iommu_type1_dirty_bitmap) +
		      sizeof(struct vfio_iommu_type1_dirty_bitmap_get)) / 8];
	struct vfio_iommu_type1_dirty_bitmap *hdr = (void *)buf;
	struct vfio_iommu_type1_dirty_bitmap_get *get = (void *)hdr->data;

	hdr->argsz = sizeof(buf);
	hdr->flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	get->iova = iova;
	get->size = size;
	get->bitmap.pgsize = 4096;
	get->bitmap.size = bytes;
	get->bitmap.data = (void *)bits;
	memset(bits, 0, bytes);
	return vfiosim_ioctl(c, VFIO_IOMMU_DIRTY_PAGES, hdr);
}

static long dirty_flag(struct vfiosim_container *c, uint32_t flag)
{
	struct vfio_iommu_type1_dirty_bitmap d = { .argsz = sizeof(d), .flags = flag };

	return vfiosim_ioctl(c, VFIO_IOMMU_DIRTY_PAGES, &d);
}

static unsigned long count_bits(const uint64_t *bits, size_t words)
{
	unsigned long n = 0;

	for (size_t i = 0; i < words; i++)
		n += (unsigned long)__builtin_popcountll(bits[i]);
	return n;
}

int main(void)
{
	struct vfiosim_group_config gpu = { .kind = VFIOSIM_GROUP_IOMMU };
	struct vfiosim_group_config mdev = { .kind = VFIOSIM_GROUP_EMULATED };
	uint64_t bits[GUEST_SIZE / 4096 / 64], pfn;
	struct vfiosim_container *c;
	struct vfiosim_group *g1, *g2;
	struct vfiosim_host *h;
	char why[256];

	printf("vfiosim demo (backend: %s)\n", vfiosim_backend_name());
	h = vfiosim_host_new(NULL);
	if (!h)
		return 2;
	printf("a guest with %llu MiB of RAM at 0x%llx in the VMM's address space\n",
	       GUEST_SIZE / MiB, GUEST_VA);
	expect("mm_map guest RAM", vfiosim_mm_map(h, GUEST_VA, GUEST_SIZE,
						  VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE), 0);
	g1 = vfiosim_group_new(h, &gpu);
	g2 = vfiosim_group_new(h, &mdev);
	c = vfiosim_container_new(h, 0);
	if (!g1 || !g2 || !c)
		return 2;

	printf("container setup, as a VMM does it\n");
	expect("VFIO_GET_API_VERSION", vfiosim_ioctl_arg(c, VFIO_GET_API_VERSION, 0), VFIO_API_VERSION);
	expect("VFIO_CHECK_EXTENSION(VFIO_TYPE1v2_IOMMU)",
	       vfiosim_ioctl_arg(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU), 1);
	expect("VFIO_SET_IOMMU before any group", vfiosim_ioctl_arg(c, VFIO_SET_IOMMU,
	       VFIO_TYPE1v2_IOMMU), -EINVAL);
	expect("group 1 (IOMMU-backed, 4K|2M|1G) joins", vfiosim_container_attach(c, g1), 0);
	expect("VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU)", vfiosim_ioctl_arg(c, VFIO_SET_IOMMU,
	       VFIO_TYPE1v2_IOMMU), 0);
	show_info(c);

	printf("guest RAM mapped for DMA: low 32 MiB at IOVA 0, high 32 MiB at IOVA 4 GiB\n");
	expect("MAP_DMA 32 MiB at IOVA 0", map(c, GUEST_VA, 0, 32 * MiB), 0);
	expect("MAP_DMA 32 MiB at IOVA 4 GiB", map(c, GUEST_VA + 32 * MiB, 4096 * MiB, 32 * MiB), 0);
	expect("MAP_DMA over the MSI window (reserved)", map(c, GUEST_VA, 0xfee00000, 4096),
	       -EINVAL);
	expect("MAP_DMA overlapping an existing mapping", map(c, GUEST_VA, 0x1000, 4096), -EEXIST);
	printf("    locked_vm %" PRIu64 " pages, %" PRIu64 " pages pinned\n",
	       vfiosim_mm_locked_vm(h), vfiosim_mm_pinned_total(h));

	printf("dirty tracking while only an IOMMU-backed device is present\n");
	expect("DIRTY_PAGES START", dirty_flag(c, VFIO_IOMMU_DIRTY_PAGES_FLAG_START), 0);
	expect("device 1 writes 8 KiB at IOVA 0x3000", vfiosim_device_write(g1, 0x3000, 8192), 0);
	expect("GET_BITMAP [0, 32 MiB)", get_bitmap(c, 0, 32 * MiB, bits, sizeof(bits) / 2), 0);
	printf("    %lu of %llu pages reported dirty: the IOMMU cannot say which were written\n",
	       count_bits(bits, sizeof(bits) / 16), 32 * MiB / 4096);

	printf("an emulated (mdev-like) device joins and pins what it writes\n");
	expect("group 2 (emulated) joins", vfiosim_container_attach(c, g2), 0);
	expect("detach group 1 (scope narrows to pinned pages)", vfiosim_container_detach(c, g1), 0);
	expect("GET_BITMAP [0, 32 MiB) (full once: nothing lost at detach)",
	       get_bitmap(c, 0, 32 * MiB, bits, sizeof(bits) / 2), 0);
	printf("    %lu pages dirty\n", count_bits(bits, sizeof(bits) / 16));
	expect("group 2 pins IOVA 0x5000 for writing", vfiosim_pin_pages(c, g2, 0x5000, 1,
	       VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE, &pfn), 1);
	expect("device 2 writes into its pinned page", vfiosim_device_write(g2, 0x5000, 64), 0);
	expect("GET_BITMAP [0, 32 MiB)", get_bitmap(c, 0, 32 * MiB, bits, sizeof(bits) / 2), 0);
	printf("    %lu page dirty (bit 5: %s)\n", count_bits(bits, sizeof(bits) / 16),
	       (bits[0] >> 5) & 1 ? "set" : "clear");
	expect("group 2 unpins", vfiosim_unpin_pages(c, g2, 0x5000, 1), 0);
	expect("DIRTY_PAGES STOP", dirty_flag(c, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP), 0);

	expect("container consistency check", vfiosim_container_check(c, why, sizeof(why)), 0);
	vfiosim_container_free(c);
	vfiosim_group_free(g1);
	vfiosim_group_free(g2);
	printf("%s: %d unexpected result%s, %lu allocations left, %u warnings\n",
	       failures ? "FAILED" : "ok", failures, failures == 1 ? "" : "s",
	       vfiosim_live_allocs(h), vfiosim_warnings(h));
	if (vfiosim_live_allocs(h) || vfiosim_warnings(h))
		failures++;
	vfiosim_host_free(h);
	return failures ? 1 : 0;
}
