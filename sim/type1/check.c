// SPDX-License-Identifier: MIT
/*
 * check.c - the model's own consistency, for tests and fuzzers: every
 * count the driver caches agrees with a recount, the trees are sound and
 * ordered, the IOVA ranges are sorted and disjoint, and each domain maps
 * exactly the mappings marked as mapped.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "type1/type1.h"

/* For rb_check(): order only; overlaps are checked walking the mappings. */
static int t1_dma_cmp(const struct rb_node *a, const struct rb_node *b)
{
	uint64_t x = rb_entry(a, struct t1_dma, node)->iova;
	uint64_t y = rb_entry(b, struct t1_dma, node)->iova;

	return x < y ? -1 : x > y;
}

static int t1_pfn_cmp(const struct rb_node *a, const struct rb_node *b)
{
	uint64_t x = rb_entry(a, struct t1_pfn, node)->iova;
	uint64_t y = rb_entry(b, struct t1_pfn, node)->iova;

	return x < y ? -1 : x > y;
}

static int t1_check_dma(struct t1_iommu *iommu, struct t1_dma *dma, char *why, size_t len)
{
	struct t1_pfn *prev = NULL;
	struct rb_node *p;
	char sub[128];

	if (rb_check(&dma->pfns, t1_pfn_cmp, sub, sizeof(sub)) < 0)
		return host_check_fail(why, len, "pfn tree of mapping 0x%llx: %s",
			       (unsigned long long)dma->iova, sub);
	for (p = rb_first(&dma->pfns); p; p = rb_next(p)) {
		struct t1_pfn *vpfn = rb_entry(p, struct t1_pfn, node);

		if (prev && prev->iova == vpfn->iova)
			return host_check_fail(why, len, "page 0x%llx pinned twice in the tree",
				       (unsigned long long)vpfn->iova);
		prev = vpfn;
		if (!vpfn->refs || vpfn->iova - dma->iova >= dma->size)
			return host_check_fail(why, len, "pinned page 0x%llx (refs %u) of mapping 0x%llx",
				       (unsigned long long)vpfn->iova, vpfn->refs,
				       (unsigned long long)dma->iova);
	}
	if (!dma->bitmap != !iommu->tracking)
		return host_check_fail(why, len, "mapping 0x%llx %s a bitmap while tracking is %s",
			       (unsigned long long)dma->iova, dma->bitmap ? "has" : "lacks",
			       iommu->tracking ? "on" : "off");
	if (dma->iommu_mapped != (iommu->domains != NULL) && dma->size)
		return host_check_fail(why, len, "mapping 0x%llx %s in the IOMMU with %s domain",
			       (unsigned long long)dma->iova, dma->iommu_mapped ? "is" : "is not",
			       iommu->domains ? "a" : "no");
	return 0;
}

static int t1_check_dmas(struct t1_iommu *iommu, char *why, size_t len)
{
	unsigned int invalid = 0;
	uint64_t mapped = 0;
	struct t1_dma *dma, *prev = NULL;
	struct t1_domain *d;
	char sub[128];
	long n;
	int ret;

	n = rb_check(&iommu->dmas, t1_dma_cmp, sub, sizeof(sub));
	if (n < 0)
		return host_check_fail(why, len, "mapping tree: %s", sub);
	if ((uint64_t)n + iommu->dma_avail != iommu->dma_limit)
		return host_check_fail(why, len, "%ld mappings + %u available != limit %u", n,
			       iommu->dma_avail, iommu->dma_limit);
	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma)) {
		/* By offsets: a mapping may end at 2^64. */
		if (prev && prev->size > dma->iova - prev->iova)
			return host_check_fail(why, len, "mappings at 0x%llx and 0x%llx overlap",
				       (unsigned long long)prev->iova,
				       (unsigned long long)dma->iova);
		prev = dma;
		ret = t1_check_dma(iommu, dma, why, len);
		if (ret)
			return ret;
		invalid += dma->vaddr_invalid;
		if (dma->iommu_mapped)
			mapped += dma->size;
	}
	if (invalid != iommu->vaddr_invalid_count)
		return host_check_fail(why, len, "%u mappings without vaddr, count says %u", invalid,
			       iommu->vaddr_invalid_count);
	for (d = iommu->domains; d; d = d->next)
		if (d->hd->mapped_bytes != mapped + d->stray_bytes)
			return host_check_fail(why, len, "domain %u maps 0x%llx bytes, mappings 0x%llx",
				       d->hd->id, (unsigned long long)d->hd->mapped_bytes,
				       (unsigned long long)(mapped + d->stray_bytes));
	return 0;
}

static int t1_check_iovas(struct t1_iommu *iommu, char *why, size_t len)
{
	const struct t1_iova *r;

	for (r = iommu->iovas; r; r = r->next) {
		if (r->start > r->end)
			return host_check_fail(why, len, "IOVA range [0x%llx, 0x%llx] is reversed",
				       (unsigned long long)r->start, (unsigned long long)r->end);
		if (r->next && r->next->start <= r->end)
			return host_check_fail(why, len, "IOVA ranges at 0x%llx and 0x%llx overlap or "
				       "are out of order", (unsigned long long)r->start,
				       (unsigned long long)r->next->start);
	}
	return 0;
}

static int t1_check_groups(struct t1_iommu *iommu, char *why, size_t len)
{
	const struct t1_group *tg;
	unsigned int registered = 0, listed = 0;
	const struct t1_domain *d;

	if (t1_scope_count(iommu) != iommu->num_non_pinned_groups)
		return host_check_fail(why, len, "%llu groups outside the pinned scope, count says %llu",
			       (unsigned long long)t1_scope_count(iommu),
			       (unsigned long long)iommu->num_non_pinned_groups);
	for (d = iommu->domains; d; d = d->next) {
		if (!d->groups)
			return host_check_fail(why, len, "domain %u has no group", d->hd->id);
		for (tg = d->groups; tg; tg = tg->next) {
			registered += tg->dev != NULL;
			if (tg->g->domain != d->hd)
				return host_check_fail(why, len, "group %u is not attached to its domain",
					       tg->g->id);
		}
	}
	for (tg = iommu->emulated; tg; tg = tg->next)
		registered += tg->dev != NULL;
	for (tg = iommu->devices; tg; tg = tg->dev_next)
		listed++;
	if (registered != listed)
		return host_check_fail(why, len, "%u devices registered, %u listed", registered, listed);
	return 0;
}

int t1_check(void *data, char *why, size_t len)
{
	struct t1_iommu *iommu = data;
	int ret;

	if (iommu->pgsize_bitmap != t1_pgsize_compute(iommu))
		return host_check_fail(why, len, "page sizes 0x%llx, domains give 0x%llx",
			       (unsigned long long)iommu->pgsize_bitmap,
			       (unsigned long long)t1_pgsize_compute(iommu));
	ret = t1_check_dmas(iommu, why, len);
	if (!ret)
		ret = t1_check_iovas(iommu, why, len);
	if (!ret)
		ret = t1_check_groups(iommu, why, len);
	if (!ret)
		ret = t1_fast_check(iommu, why, len);
	if (!ret)
		ret = t1_provider_check(iommu, why, len);
	return ret;
}

uint64_t t1_locked_pages(void *data)
{
	struct t1_iommu *iommu = data;
	struct t1_dma *dma;
	uint64_t sum = 0;

	for (dma = t1_dma_first(iommu); dma; dma = t1_dma_next(dma))
		sum += dma->locked_vm;
	return sum;
}
