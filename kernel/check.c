// SPDX-License-Identifier: MIT
/*
 * check.c - consistency of the kernel driver's own state, written against
 * its private structures (visible here because this file is part of the
 * driver's translation unit): the vfio_dma tree and each pfn tree are
 * sound red-black trees in IOVA order without overlaps; dma_avail,
 * vaddr_invalid_count and num_non_pinned_groups agree with a recount;
 * bitmaps exist exactly while tracking; every domain has groups attached
 * to it and maps exactly the mappings marked as mapped; the IOVA list is
 * sorted and disjoint; the page-size bitmap is what the domains give; the
 * lock is free.  kbe_locked_pages() adds up dma->locked_vm, which the
 * container layer compares with the host's locked_vm.  Fields that type1
 * gained or lost are read as the tree's release has them (kshim_linux.h).
 */
#include <stdarg.h>

#if KSHIM_T1_EMULATED
#define KBE_GROUP	vfio_iommu_group
#else
#define KBE_GROUP	vfio_group
#endif

static int kbe_dma_cmp(const struct rb_node *a, const struct rb_node *b)
{
	dma_addr_t x = rb_entry(a, struct vfio_dma, node)->iova;
	dma_addr_t y = rb_entry(b, struct vfio_dma, node)->iova;

	return x < y ? -1 : x > y;
}

static int kbe_pfn_cmp(const struct rb_node *a, const struct rb_node *b)
{
	dma_addr_t x = rb_entry(a, struct vfio_pfn, node)->iova;
	dma_addr_t y = rb_entry(b, struct vfio_pfn, node)->iova;

	return x < y ? -1 : x > y;
}

static int kbe_check_pfns(struct vfio_dma *dma, char *why, size_t len)
{
	struct vfio_pfn *prev = NULL;
	struct rb_node *p;
	char sub[128];

	if (rb_check(&dma->pfn_list, kbe_pfn_cmp, sub, sizeof(sub)) < 0)
		return host_check_fail(why, len, "pfn tree of mapping 0x%llx: %s",
				(unsigned long long)dma->iova, sub);
	for (p = rb_first(&dma->pfn_list); p; p = rb_next(p)) {
		struct vfio_pfn *vpfn = container_of(p, struct vfio_pfn, node);

		if (prev && prev->iova == vpfn->iova)
			return host_check_fail(why, len, "page 0x%llx pinned twice in the tree",
					(unsigned long long)vpfn->iova);
		if (!vpfn->ref_count || vpfn->iova - dma->iova >= dma->size)
			return host_check_fail(why, len, "pinned page 0x%llx (refs %u) of mapping 0x%llx",
					(unsigned long long)vpfn->iova, vpfn->ref_count,
					(unsigned long long)dma->iova);
		prev = vpfn;
	}
	return 0;
}

/*
 * Whether a mapping marked as mapped is in the domains.  One ending at 2^64
 * is not before the kernel learnt to map the last page of the IOVA space
 * (docs/fuzzing.md F3), and is since: the first domain tells.
 */
static bool kbe_in_domains(struct vfio_iommu *iommu, struct vfio_dma *dma)
{
	struct vfio_domain *d;

	if (dma->iova + dma->size || list_empty(&iommu->domain_list))
		return true;
	d = list_first_entry(&iommu->domain_list, struct vfio_domain, next);
	return host_iommu_iova_to_phys(kshim_host_domain(d->domain), dma->iova) != 0;
}

/* Mappings: tree, overlaps, per-mapping state; the bytes mapped in IOMMUs. */
static int kbe_check_dmas(struct kbe_inst *in, struct vfio_iommu *iommu, uint64_t *mapped,
			  char *why, size_t len)
{
	struct vfio_dma *prev = NULL;
#if KSHIM_T1_VADDR
	unsigned int invalid = 0;
#endif
	struct rb_node *n;
	char sub[128];
	long count;
	int ret;

	count = rb_check(&iommu->dma_list, kbe_dma_cmp, sub, sizeof(sub));
	if (count < 0)
		return host_check_fail(why, len, "mapping tree: %s", sub);
	if ((uint64_t)count + iommu->dma_avail != in->dma_limit)
		return host_check_fail(why, len, "%ld mappings + %u available != limit %u", count,
				iommu->dma_avail, in->dma_limit);
	*mapped = 0;
	for (n = rb_first(&iommu->dma_list); n; n = rb_next(n)) {
		struct vfio_dma *dma = container_of(n, struct vfio_dma, node);

		if (prev && prev->size > dma->iova - prev->iova)
			return host_check_fail(why, len, "mappings at 0x%llx and 0x%llx overlap",
					(unsigned long long)prev->iova,
					(unsigned long long)dma->iova);
		prev = dma;
		ret = kbe_check_pfns(dma, why, len);
		if (ret)
			return ret;
		if (!dma->bitmap != !iommu->dirty_page_tracking)
			return host_check_fail(why, len, "mapping 0x%llx %s a bitmap while tracking is %s",
					(unsigned long long)dma->iova,
					dma->bitmap ? "has" : "lacks",
					iommu->dirty_page_tracking ? "on" : "off");
		if (dma->size && dma->iommu_mapped == list_empty(&iommu->domain_list))
			return host_check_fail(why, len, "mapping 0x%llx %s in the IOMMU with %s domain",
					(unsigned long long)dma->iova,
					dma->iommu_mapped ? "is" : "is not",
					list_empty(&iommu->domain_list) ? "no" : "a");
#if KSHIM_T1_VADDR
		invalid += dma->vaddr_invalid;
#endif
		if (dma->iommu_mapped && kbe_in_domains(iommu, dma))
			*mapped += dma->size;
	}
#if KSHIM_T1_VADDR
	if (invalid != iommu->vaddr_invalid_count)
		return host_check_fail(why, len, "%u mappings without vaddr, count says %u", invalid,
				iommu->vaddr_invalid_count);
#endif
	return 0;
}

/* Groups outside the pinned scope among those of a list; counts them all in *groups. */
static uint64_t kbe_outside(struct list_head *group_list, uint64_t *groups)
{
	struct KBE_GROUP *group;
	uint64_t n = 0;

	list_for_each_entry(group, group_list, next) {
		n += !group->pinned_page_dirty_scope;
		++*groups;
	}
	return n;
}

static int kbe_check_domains(struct kbe_inst *in, struct vfio_iommu *iommu, uint64_t mapped,
			     uint64_t *outside, uint64_t *groups, char *why, size_t len)
{
	unsigned long pgsizes = ULONG_MAX;
	struct KBE_GROUP *group;
	struct vfio_domain *domain;

	list_for_each_entry(domain, &(iommu->domain_list), next) {
		struct host_domain *hd = kshim_host_domain(domain->domain);
		uint64_t stray = hd->mapped_bytes - mapped;

		if (list_empty(&domain->group_list))
			return host_check_fail(why, len, "domain %u has no group", hd->id);
		list_for_each_entry(group, &domain->group_list, next) {
			struct vfiosim_group *g = kshim_vgroup(group->iommu_group);

			if (g->domain != hd)
				return host_check_fail(why, len, "group %u is not attached to its domain",
						g->id);
		}
		*outside += kbe_outside(&domain->group_list, groups);
		/* The superpage probe's pair stays mapped where it cannot be split. */
		if (hd->mapped_bytes < mapped ||
		    stray != kshim_domain_kpage_bytes(domain->domain))
			return host_check_fail(why, len, "domain %u maps 0x%llx bytes, mappings 0x%llx",
					hd->id, (unsigned long long)hd->mapped_bytes,
					(unsigned long long)mapped);
		pgsizes &= domain->domain->pgsize_bitmap;
	}
	if (pgsizes & (in->h->page_size - 1))
		pgsizes = (pgsizes & ~(in->h->page_size - 1)) | in->h->page_size;
#if KSHIM_T1_EMULATED
	*outside += kbe_outside(&iommu->emulated_iommu_groups, groups);
#else
	if (iommu->external_domain)
		*outside += kbe_outside(&iommu->external_domain->group_list, groups);
#endif
	/* Linux 5.10 computes them at the first attach, not at open. */
	if (iommu->pgsize_bitmap != pgsizes && !(!*groups && !iommu->pgsize_bitmap))
		return host_check_fail(why, len, "page sizes 0x%llx, domains give 0x%llx",
				(unsigned long long)iommu->pgsize_bitmap,
				(unsigned long long)pgsizes);
	return 0;
}

/* The devices type1 lists are those registered with it. */
static int kbe_check_devices(struct kbe_inst *in, struct vfio_iommu *iommu, char *why,
			     size_t len)
{
#if KSHIM_T1_DEVICES
	struct vfio_device *vdev;
	unsigned int listed = 0, registered = 0;
	struct kbe_dev *d;

	list_for_each_entry(vdev, &iommu->device_list, iommu_entry)
		listed++;
	for (d = in->devs; d; d = d->next)
		registered++;
	if (listed != registered)
		return host_check_fail(why, len, "%u devices registered, %u listed", registered, listed);
	if (iommu->device_list_lock.held)
		return host_check_fail(why, len, "device list lock held between calls");
#endif
	return 0;
}

static int kbe_check_rest(struct kbe_inst *in, struct vfio_iommu *iommu, uint64_t outside,
			  uint64_t groups, char *why, size_t len)
{
	struct vfio_iova *r, *prev = NULL;

#if KSHIM_T1_NON_PINNED
	if (outside != iommu->num_non_pinned_groups)
		return host_check_fail(why, len, "%llu groups outside the pinned scope, count says %llu",
				(unsigned long long)outside,
				(unsigned long long)iommu->num_non_pinned_groups);
#else
	/* The flag is recomputed whenever a group comes, goes or pins. */
	if (groups && iommu->pinned_page_dirty_scope != !outside)
		return host_check_fail(why, len, "%llu groups outside the pinned scope, flag says %s",
				(unsigned long long)outside,
				iommu->pinned_page_dirty_scope ? "none" : "some");
#endif
	list_for_each_entry(r, &iommu->iova_list, list) {
		if (r->start > r->end)
			return host_check_fail(why, len, "IOVA range [0x%llx, 0x%llx] is reversed",
					(unsigned long long)r->start, (unsigned long long)r->end);
		if (prev && r->start <= prev->end)
			return host_check_fail(why, len, "IOVA ranges at 0x%llx and 0x%llx overlap or "
					"are out of order", (unsigned long long)prev->start,
					(unsigned long long)r->start);
		prev = r;
	}
	if (iommu->lock.held)
		return host_check_fail(why, len, "driver lock held between calls");
	return kbe_check_devices(in, iommu, why, len);
}

int kbe_check(void *data, char *why, size_t len)
{
	struct kbe_inst *in = data;
	struct vfio_iommu *iommu = in->data;
	uint64_t mapped = 0, outside = 0, groups = 0;
	int ret;

	if (in->ki.dead)
		return host_check_fail(why, len, "the driver hit BUG");
	ret = kbe_check_dmas(in, iommu, &mapped, why, len);
	if (!ret)
		ret = kbe_check_domains(in, iommu, mapped, &outside, &groups, why, len);
	if (!ret)
		ret = kbe_check_rest(in, iommu, outside, groups, why, len);
	return ret;
}

/*
 * What the mappings hold, by type1's own count; a type1 without one
 * (vfio_dma.locked_vm, KSHIM_T1_LOCKED_VM) is taken at its word: what the
 * instance charged (kernel/shim/mm.c).
 */
uint64_t kbe_locked_pages(void *data)
{
	struct kbe_inst *in = data;
#if KSHIM_T1_LOCKED_VM
	struct vfio_iommu *iommu = in->data;
	struct rb_node *n;
	uint64_t sum = 0;

	for (n = rb_first(&iommu->dma_list); n; n = rb_next(n))
		sum += rb_entry(n, struct vfio_dma, node)->locked_vm;
	return sum;
#else
	return (uint64_t)in->ki.charged;
#endif
}
