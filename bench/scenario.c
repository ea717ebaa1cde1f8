// SPDX-License-Identifier: MIT
/*
 * scenario.c - a container in a given dirty state, built only through
 * vfiosim.h so that either backend can be measured, and the bitmap every
 * report of it must produce.
 *
 * Set-up must stay cheap up to 1 TiB of IOVA: "all dirty" comes from an
 * IOMMU-backed group that never pins (outside the pinned scope: its
 * mappings are pinned at MAP, which the simulated mm does in bulk);
 * every other density uses an emulated group, which pins nothing at MAP.
 * "sparse" pins pages and keeps them; "half" pins and unpins runs of 64
 * pages before each report, since a report forgets them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "vfiosim_client.h"

/* Mappings from 1 TiB of IOVA, guest memory from 16 TiB of the process. */
#define IOVA_BASE	(1ULL << 40)
#define GUEST_BASE	(16ULL << 40)
#define HALF_RUN	64U		/* pages dirty, then as many clean */

const char *const bench_op_name[] = { "get", "get-first", "get-last", "unmap" };
const char *const bench_layout_name[] = { "aligned", "unaligned", "holes" };
const char *const bench_density_name[] = { "none", "sparse", "half", "all" };

/* Mapping k of the layout, in pages from IOVA_BASE. */
struct plan {
	uint64_t lead, stride, len;	/* map k: [lead + k * stride, + len) */
	uint64_t range;			/* pages the whole report covers */
};

static int make_plan(const struct scen_cfg *cfg, struct plan *p, char *why, size_t len)
{
	uint64_t pages = cfg->total / cfg->page, per;

	if (!cfg->nmaps || cfg->nmaps > 65535 || pages < cfg->nmaps) {
		snprintf(why, len, "%u mappings in %llu pages", cfg->nmaps,
			 (unsigned long long)pages);
		return -EINVAL;
	}
	per = pages / cfg->nmaps;
	switch (cfg->layout) {
	case LAYOUT_ALIGNED:
	case LAYOUT_UNALIGNED:
		/* Whole words per mapping; unaligned: one page of hole first. */
		p->len = p->stride = per / 64 * 64;
		p->lead = cfg->layout == LAYOUT_UNALIGNED;
		break;
	case LAYOUT_HOLES:
		/* An odd stride puts mappings at every bit offset; 3 pages of hole. */
		p->stride = per - !(per & 1);
		p->len = p->stride - 3;
		p->lead = 0;
		if (p->stride < 4)
			p->len = 0;
		break;
	}
	if (!p->len) {
		snprintf(why, len, "%llu pages per mapping: too few for this layout",
			 (unsigned long long)per);
		return -EINVAL;
	}
	p->range = p->lead + p->stride * cfg->nmaps;
	return 0;
}

int scen_plan(const struct scen_cfg *cfg, char *why, size_t len)
{
	struct plan p;

	return make_plan(cfg, &p, why, len);
}

static long do_map(struct scen *s, const struct scen_map *m)
{
	struct vfio_iommu_type1_dma_map a;

	vfiosim_map_arg(&a, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			GUEST_BASE + (m->iova - IOVA_BASE), m->iova, m->size);
	return vfiosim_ioctl(s->c, VFIO_IOMMU_MAP_DMA, &a);
}

static long dirty_flag(struct scen *s, uint32_t flag)
{
	struct vfio_iommu_type1_dirty_bitmap a;

	vfiosim_dirty_arg(&a, flag);
	return vfiosim_ioctl(s->c, VFIO_IOMMU_DIRTY_PAGES, &a);
}

static void want_set(struct scen *s, uint64_t iova, uint64_t pages)
{
	uint64_t bit = (iova - s->base) / s->cfg.page, end = bit + pages;

	for (; bit < end && bit % 64; bit++)
		s->want[bit / 64] |= 1ULL << (bit % 64);
	for (; bit + 64 <= end; bit += 64)
		s->want[bit / 64] = ~0ULL;
	for (; bit < end; bit++)
		s->want[bit / 64] |= 1ULL << (bit % 64);
}

/* The pages of the sparse density: evenly over the mapped pages, one run. */
static int plan_pins(struct scen *s)
{
	uint64_t mapped = 0, step, at, before = 0;
	unsigned int i, k = 0;

	for (i = 0; i < s->nmaps; i++)
		mapped += s->maps[i].size / s->cfg.page;
	s->npinned = s->cfg.pins < mapped ? s->cfg.pins : (unsigned int)mapped;
	s->pinned = calloc(s->npinned ? s->npinned : 1, sizeof(*s->pinned));
	if (!s->pinned)
		return -ENOMEM;
	step = s->npinned ? mapped / s->npinned : 0;
	for (i = 0, at = step / 2; i < s->npinned; i++, at += step) {
		while (before + s->maps[k].size / s->cfg.page <= at)
			before += s->maps[k++].size / s->cfg.page;
		s->pinned[i] = s->maps[k].iova + (at - before) * s->cfg.page;
	}
	return 0;
}

static int pin_sparse(struct scen *s)
{
	unsigned int i;
	uint64_t pfn;

	for (i = 0; i < s->npinned; i++)
		if (vfiosim_pin_pages(s->c, s->g, s->pinned[i], 1,
				      VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE, &pfn) != 1)
			return -EIO;
	return 0;
}

/* Calls fn on every run of half-density pages: HALF_RUN on, HALF_RUN off. */
static int half_runs(struct scen *s, int (*fn)(struct scen *s, uint64_t iova, int n))
{
	uint64_t pg = s->cfg.page;
	unsigned int i;
	int ret;

	for (i = 0; i < s->nmaps; i++) {
		uint64_t first = (s->maps[i].iova - s->base) / pg;
		uint64_t end = first + s->maps[i].size / pg, p = first;

		while (p < end) {
			uint64_t run_end = (p / HALF_RUN + 1) * HALF_RUN;

			if (run_end > end)
				run_end = end;
			if (!(p / HALF_RUN % 2)) {
				ret = fn(s, s->base + p * pg, (int)(run_end - p));
				if (ret)
					return ret;
			}
			p = run_end;
		}
	}
	return 0;
}

static int half_mark(struct scen *s, uint64_t iova, int n)
{
	uint64_t pfns[HALF_RUN];

	if (vfiosim_pin_pages(s->c, s->g, iova, n, VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE,
			      pfns) != n)
		return -EIO;
	return vfiosim_unpin_pages(s->c, s->g, iova, n) ? -EIO : 0;
}

static int half_want(struct scen *s, uint64_t iova, int n)
{
	want_set(s, iova, (uint64_t)n);
	return 0;
}

static int map_all(struct scen *s)
{
	unsigned int i;
	long ret;

	for (i = 0; i < s->nmaps; i++) {
		ret = do_map(s, &s->maps[i]);
		if (ret)
			return (int)ret;
	}
	s->mapped = true;
	if (s->cfg.density == DENS_SPARSE)
		return pin_sparse(s);
	return 0;
}

static void fill_want(struct scen *s)
{
	unsigned int i;

	memset(s->want, 0, s->bytes);
	switch (s->cfg.density) {
	case DENS_NONE:
		break;
	case DENS_SPARSE:
		for (i = 0; i < s->npinned; i++)
			if (s->pinned[i] >= s->base && s->pinned[i] - s->base < s->size)
				want_set(s, s->pinned[i], 1);
		break;
	case DENS_HALF:
		half_runs(s, half_want);
		break;
	case DENS_ALL:
		for (i = 0; i < s->nmaps; i++)
			if (s->maps[i].iova >= s->base && s->maps[i].iova - s->base < s->size)
				want_set(s, s->maps[i].iova, s->maps[i].size / s->cfg.page);
		break;
	}
}

int scen_new(struct scen *s, const struct scen_cfg *cfg, const struct vfiosim_backend *be)
{
	struct vfiosim_host_config hc = { .page_size = cfg->page };
	struct vfiosim_group_config gc = {
		.kind = cfg->density == DENS_ALL ? VFIOSIM_GROUP_IOMMU : VFIOSIM_GROUP_EMULATED,
	};
	struct plan p;
	char why[128];
	unsigned int i;
	int ret = -ENOMEM;

	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	s->be = be;
	if (make_plan(cfg, &p, why, sizeof(why)))
		return -EINVAL;
	s->nmaps = cfg->nmaps;
	s->maps = calloc(s->nmaps, sizeof(*s->maps));
	s->h = vfiosim_host_new(&hc);
	if (!s->maps || !s->h)
		goto fail;
	for (i = 0; i < s->nmaps; i++) {
		s->maps[i].iova = IOVA_BASE + (p.lead + (uint64_t)i * p.stride) * cfg->page;
		s->maps[i].size = p.len * cfg->page;
	}
	s->base = IOVA_BASE;
	s->size = p.range * cfg->page;
	if (cfg->op == OP_GET_FIRST || cfg->op == OP_GET_LAST) {
		const struct scen_map *m = &s->maps[cfg->op == OP_GET_FIRST ? 0 : s->nmaps - 1];

		s->base = m->iova;
		s->size = m->size;
	}
	s->bytes = vfiosim_bitmap_bytes(s->size / cfg->page);
	s->bitmap = calloc(1, s->bytes);
	s->want = calloc(1, s->bytes);
	if (!s->bitmap || !s->want)
		goto fail;
	ret = vfiosim_mm_map(s->h, GUEST_BASE, p.range * cfg->page,
			     VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE);
	if (ret)
		goto fail;
	ret = -ENOMEM;
	s->g = vfiosim_group_new(s->h, &gc);
	s->c = vfiosim_container_new_backend(s->h, VFIO_TYPE1v2_IOMMU, be);
	if (!s->g || !s->c)
		goto fail;
	ret = vfiosim_container_attach(s->c, s->g);
	if (!ret && cfg->density == DENS_SPARSE)
		ret = plan_pins(s);
	if (!ret)
		ret = (int)dirty_flag(s, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	/* An unmap maps afresh before every report it makes. */
	if (!ret && cfg->op != OP_UNMAP)
		ret = map_all(s);
	if (ret)
		goto fail;
	fill_want(s);
	return 0;
fail:
	scen_free(s);
	return ret ? ret : -EIO;
}

void scen_free(struct scen *s)
{
	if (s->c)
		vfiosim_container_free(s->c);
	if (s->g)
		vfiosim_group_free(s->g);
	if (s->h)
		vfiosim_host_free(s->h);
	free(s->maps);
	free(s->pinned);
	free(s->bitmap);
	free(s->want);
	memset(s, 0, sizeof(*s));
}

static int op_get(void *ctx)
{
	struct scen *s = ctx;
	struct vfiosim_dirty_get_arg a;

	vfiosim_get_bitmap_arg(&a, s->base, s->size, s->cfg.page, s->bitmap, s->bytes);
	return (int)vfiosim_ioctl(s->c, VFIO_IOMMU_DIRTY_PAGES, &a);
}

int scen_get_none(struct scen *s)
{
	struct vfiosim_dirty_get_arg a;

	vfiosim_get_bitmap_arg(&a, s->base + s->size, s->cfg.page, s->cfg.page, s->bitmap,
			       sizeof(*s->bitmap));
	return (int)vfiosim_ioctl(s->c, VFIO_IOMMU_DIRTY_PAGES, &a);
}

static int op_unmap(void *ctx)
{
	struct scen *s = ctx;
	struct vfiosim_dirty_unmap_arg a;
	long ret;

	vfiosim_unmap_bitmap_arg(&a, s->base, s->size, s->cfg.page, s->bitmap, s->bytes);
	ret = vfiosim_ioctl(s->c, VFIO_IOMMU_UNMAP_DMA, &a);

	if (!ret && a.size != (uint64_t)s->nmaps * s->maps[0].size)
		return -EIO;
	s->mapped = false;
	return (int)ret;
}

static int prep_half(void *ctx)
{
	return half_runs(ctx, half_mark);
}

/*
 * Sparse pages are pinned and, unless the scenario holds them, let go
 * before the unmap: they stay dirty, and the unmap does not have to ask
 * the device for them first (see docs/bench.md on held pins).
 */
static int prep_unmap(void *ctx)
{
	struct scen *s = ctx;
	unsigned int i;
	int ret = s->mapped ? 0 : map_all(s);

	if (!ret && s->cfg.density == DENS_HALF)
		ret = prep_half(s);
	for (i = 0; !ret && s->cfg.density == DENS_SPARSE && !s->cfg.held && i < s->npinned; i++)
		ret = vfiosim_unpin_pages(s->c, s->g, s->pinned[i], 1) ? -EIO : 0;
	return ret;
}

bench_fn scen_op(const struct scen *s)
{
	return s->cfg.op == OP_UNMAP ? op_unmap : op_get;
}

bench_fn scen_prep(const struct scen *s)
{
	if (s->cfg.op == OP_UNMAP)
		return prep_unmap;
	return s->cfg.density == DENS_HALF ? prep_half : NULL;
}

/*
 * Two reports, each on a zeroed bitmap: the second shows what the first
 * left behind (Linux's stale shifted bits, docs/divergences.md 5).
 */
long scen_check(struct scen *s)
{
	bench_fn prep = scen_prep(s);
	long diff, worst = 0;
	unsigned int round;
	uint64_t i;
	int ret;

	for (round = 0; round < 2; round++) {
		memset(s->bitmap, 0, s->bytes);
		ret = prep ? prep(s) : 0;
		if (!ret)
			ret = scen_op(s)(s);
		if (ret)
			return ret < 0 ? ret : -EIO;
		for (i = 0, diff = 0; i < s->bytes / 8; i++)
			diff += __builtin_popcountll(s->bitmap[i] ^ s->want[i]);
		worst = diff > worst ? diff : worst;
	}
	return worst;
}
