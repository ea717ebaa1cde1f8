// SPDX-License-Identifier: MIT
/*
 * harvest.c - what a report costs when the IOMMU's dirty bits feed it
 * (the model's dirty-provider extension, docs/dirty-providers.md): a
 * GET_BITMAP of a 64 GiB guest whose device never pins, with the
 * container's provider the IOMMU (docs/bench.md, "Harvest").
 *
 * Such a report first reads and clears the domain's dirty bits and folds
 * them into type1's bitmap, then copies the bitmap out as type1 always
 * does.  Next to it: the same GET with nothing to harvest (the copy-out
 * alone) and a memcpy of the bitmap's bytes.  The IOMMU maps in 4K
 * entries, or in 2M ones, where a dirty bit stands for 512 pages.
 * Sparse: 4096 pages written, spread over the guest; dense: every page.
 *
 * The writes are set in the page table directly (host_iommu_note_write()),
 * as the hardware sets them, without writing the guest's memory: 64 GiB
 * of it stays unbacked.  They are set again, untimed, before each report,
 * since a report clears them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "vfiosim_client.h"
#include "lib/bitmap.h"
#include "type1/type1.h"

#define HV_PAGE		(4 * KIB)
#define HV_GUEST	(64 * GIB)
#define HV_IOVA		(1ULL << 40)
#define HV_VADDR	(1ULL << 44)	/* 1 GiB aligned: 2M entries where allowed */
#define HV_SPARSE	4096U

struct hv_ctx {
	struct vfiosim_host *h;
	struct vfiosim_container *c;
	struct vfiosim_group *g;
	uint64_t *buf, bytes;
	bool dense;
};

static int hv_mark(void *ctx)
{
	struct hv_ctx *x = ctx;
	uint64_t step = HV_GUEST / HV_SPARSE;
	unsigned int i;

	if (x->dense) {
		host_iommu_note_write(x->g->domain, HV_IOVA, HV_GUEST);
		return 0;
	}
	for (i = 0; i < HV_SPARSE; i++)
		host_iommu_note_write(x->g->domain, HV_IOVA + i * step + step / 2, 1);
	return 0;
}

static int hv_get(void *ctx)
{
	struct hv_ctx *x = ctx;
	struct vfiosim_dirty_get_arg a;

	memset(x->buf, 0, x->bytes);
	vfiosim_get_bitmap_arg(&a, HV_IOVA, HV_GUEST, HV_PAGE, x->buf, x->bytes);
	return (int)vfiosim_ioctl(x->c, VFIO_IOMMU_DIRTY_PAGES, &a);
}

static void hv_free(struct hv_ctx *x)
{
	vfiosim_container_free(x->c);
	vfiosim_group_free(x->g);
	if (x->h)
		vfiosim_host_free(x->h);
	free(x->buf);
}

static int hv_new(struct hv_ctx *x, bool huge, bool dense)
{
	struct vfiosim_group_config gc = { .kind = VFIOSIM_GROUP_IOMMU, .dirty_tracking = true,
					   .pgsize_bitmap = huge ? HV_PAGE | 2 * MIB : HV_PAGE };
	struct vfiosim_host_config hc = { .page_size = HV_PAGE };
	struct vfio_iommu_type1_dma_map m;
	struct vfio_iommu_type1_dirty_bitmap d;
	long ret;

	memset(x, 0, sizeof(*x));
	x->dense = dense;
	x->bytes = vfiosim_bitmap_bytes(HV_GUEST / HV_PAGE);
	x->buf = malloc(x->bytes);
	x->h = vfiosim_host_new(&hc);
	if (!x->buf || !x->h)
		return -ENOMEM;
	x->g = vfiosim_group_new(x->h, &gc);
	x->c = vfiosim_container_new_backend(x->h, VFIO_TYPE1v2_IOMMU,
					     vfiosim_backend_find("model"));
	if (!x->g || !x->c)
		return -ENOMEM;
	vfiosim_map_arg(&m, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, HV_VADDR, HV_IOVA,
			HV_GUEST);
	vfiosim_dirty_arg(&d, VFIO_IOMMU_DIRTY_PAGES_FLAG_START);
	ret = vfiosim_container_attach(x->c, x->g);
	if (!ret)
		ret = vfiosim_mm_map(x->h, HV_VADDR, HV_GUEST,
				     VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE);
	if (!ret)
		ret = vfiosim_ioctl(x->c, VFIO_IOMMU_MAP_DMA, &m);
	if (!ret)
		ret = vfiosim_container_set_dirty_provider(x->c, VFIOSIM_DIRTY_PROVIDER_IOMMU);
	if (!ret)
		ret = vfiosim_ioctl(x->c, VFIO_IOMMU_DIRTY_PAGES, &d);
	/* START's first report is no harvest: every page of the mapping. */
	if (!ret)
		ret = hv_get(x);
	return (int)ret;
}

static uint64_t hv_bits(const struct hv_ctx *x)
{
	return bitmap_weight(x->buf, x->bytes * 8);
}

/* One row: its report checked once, then harvest, copy-out and memcpy timed side by side. */
static int hv_row(bool huge, bool dense, const struct bench_opts *bo)
{
	uint64_t want = dense ? HV_GUEST / HV_PAGE : (uint64_t)HV_SPARSE * (huge ? 512 : 1);
	struct hv_ctx x, idle;
	struct limit_ctx lim = { 0 };
	struct bench_subject subj[3];
	struct bench_stat st[3];
	char t[3][32];
	unsigned int i;
	int ret;

	memset(&idle, 0, sizeof(idle));
	ret = hv_new(&x, huge, dense);
	if (!ret)
		ret = hv_new(&idle, huge, dense);
	if (!ret && (hv_mark(&x) || hv_get(&x) || hv_bits(&x) != want))
		ret = -EIO;
	if (!ret) {
		lim.bytes = x.bytes;
		lim.src = malloc(lim.bytes);
		lim.dst = malloc(lim.bytes);
		if (!lim.src || !lim.dst)
			ret = -ENOMEM;
		else
			memset(lim.src, 0x5a, lim.bytes);
	}
	if (!ret) {
		memset(subj, 0, sizeof(subj));
		subj[0] = (struct bench_subject){ .op = hv_get, .prep = hv_mark, .ctx = &x };
		subj[1] = (struct bench_subject){ .op = hv_get, .ctx = &idle };
		subj[2] = (struct bench_subject){ .op = op_memcpy, .ctx = &lim };
		ret = bench_compare(subj, 3, bo);
	}
	if (!ret) {
		for (i = 0; i < 3; i++) {
			bench_summarise(&subj[i], &st[i]);
			snprintf(t[i], sizeof(t[i]), "%.3f ms", st[i].med * 1e3);
		}
		printf("  %-8s %-7s %12" PRIu64 " %12s %12s %12s %9.1fx\n", huge ? "2M" : "4K",
		       dense ? "dense" : "sparse", want, t[0], t[1], t[2], st[0].med / st[1].med);
	}
	free(lim.src);
	free(lim.dst);
	hv_free(&x);
	hv_free(&idle);
	return ret;
}

int harvest_section(const char *only, const struct bench_opts *bo)
{
	int errors = 0, ret;
	unsigned int k;

	if (only && !strstr("harvest", only))
		return 0;
	printf("\n[harvest: GET_BITMAP of a 64 GiB guest, provider iommu, model]\n");
	printf("  %-8s %-7s %12s %12s %12s %12s %10s\n", "entries", "writes", "dirty pages",
	       "harvest", "copy-out", "memcpy", "harv/copy");
	for (k = 0; k < 4; k++) {
		ret = hv_row(k >= 2, k % 2, bo);
		if (ret) {
			fprintf(stderr, "ERROR: harvest %s %s: %s\n", k >= 2 ? "2M" : "4K",
				k % 2 ? "dense" : "sparse", strerror(-ret));
			errors++;
		}
	}
	return errors;
}
