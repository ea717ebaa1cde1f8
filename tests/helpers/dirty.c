// SPDX-License-Identifier: MIT
/*
 * dirty.c - argument blocks, bitmap bits and checked dirty-bitmap calls for
 * the dirty-tracking tests (see dirty.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dirty.h"
#include "vfiosim_oracle.h"

/* Byte pattern of the positions nobody may write. */
#define DIRTY_PATTERN	0xa5
/* Mismatches printed before giving up. */
#define DIRTY_REPORT	8

long dirty_get_raw(struct vfiosim_container *c, struct vfiosim_dirty_get_arg *a)
{
	return vfiosim_ioctl(c, VFIO_IOMMU_DIRTY_PAGES, a);
}

long dirty_get(struct vfiosim_container *c, uint64_t iova, uint64_t size, uint64_t pgsize,
	       void *data, uint64_t bytes)
{
	struct vfiosim_dirty_get_arg a;

	vfiosim_get_bitmap_arg(&a, iova, size, pgsize, data, bytes);
	return dirty_get_raw(c, &a);
}

long dirty_unmap_raw(struct vfiosim_container *c, struct vfiosim_dirty_unmap_arg *a)
{
	return vfiosim_ioctl(c, VFIO_IOMMU_UNMAP_DMA, a);
}

/* ---------------------------------------------------------------- bits */

static uint64_t word_get(const void *bm, uint64_t w)
{
	uint64_t v;

	memcpy(&v, (const unsigned char *)bm + w * 8, sizeof(v));
	return v;
}

static void word_put(void *bm, uint64_t w, uint64_t v)
{
	memcpy((unsigned char *)bm + w * 8, &v, sizeof(v));
}

bool dirty_bit(const void *bm, uint64_t i)
{
	return (word_get(bm, i / 64) >> (i % 64)) & 1;
}

static void bit_assign(void *bm, uint64_t i, bool on)
{
	uint64_t v = word_get(bm, i / 64), m = 1ULL << (i % 64);

	word_put(bm, i / 64, on ? v | m : v & ~m);
}

static void set_bits(void *bm, uint64_t first, uint64_t n)
{
	uint64_t i;

	for (i = first; i < first + n; i++)
		bit_assign(bm, i, true);
}

static uint64_t weight(const void *bm, uint64_t nbits)
{
	uint64_t i, n = 0;

	for (i = 0; i < nbits; i++)
		n += dirty_bit(bm, i);
	return n;
}

int dirty_write(struct fx *fx, uint64_t iova, size_t len)
{
	unsigned char *data = malloc(len ? len : 1);
	int ret;

	assert_non_null(data);
	memset(data, 0x5a, len);
	ret = vfiosim_dma_rw(fx->c, iova, data, len, true);
	free(data);
	return ret;
}

bool dirty_cfg_all_dirty(const struct fx *fx)
{
	unsigned int i;

	for (i = 0; !fx->cfg->no_attach && i < fx->cfg->nr_groups; i++)
		if (fx->cfg->group[i].kind == VFIOSIM_GROUP_IOMMU)
			return true;
	return false;
}

/* dma_avail and iova_pgsizes from a GET_INFO into a scratch buffer. */
static void info_read(struct fx *fx, uint32_t *avail, uint64_t *pgsizes, const char *file,
		      int line)
{
	const uint32_t len = 64 * 1024;
	struct vfio_iommu_type1_info *info = calloc(1, len);
	const struct vfio_iommu_type1_info_dma_avail *cap;
	long ret;

	assert_non_null(info);
	vfiosim_info_arg(info, len);
	ret = vfiosim_ioctl(fx->c, VFIO_IOMMU_GET_INFO, info);
	cap = ret ? NULL : fx_find_cap(info, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
	*avail = cap ? cap->avail : UINT32_MAX;
	*pgsizes = info->iova_pgsizes;
	free(info);
	fx_check_ret(ret, 0, "VFIO_IOMMU_GET_INFO", file, line);
}

void dirty_snap_at(struct fx *fx, struct dirty_snap *take, const struct dirty_snap *check,
		   const char *file, int line)
{
	struct dirty_snap now;

	info_read(fx, &now.dma_avail, &now.pgsizes, file, line);
	now.pinned = fx_pinned(fx);
	now.locked = fx_locked(fx);
	now.live = vfiosim_live_allocs(fx->h);
	if (take) {
		*take = now;
		return;
	}
	fx_check_u64(now.pinned, check->pinned, "pinned pages", "before", file, line);
	fx_check_u64(now.locked, check->locked, "locked_vm", "before", file, line);
	fx_check_u64(now.live, check->live, "live allocations", "before", file, line);
	fx_check_u64(now.dma_avail, check->dma_avail, "dma_avail", "before", file, line);
	fx_check_u64(now.pgsizes, check->pgsizes, "iova_pgsizes", "before", file, line);
	fx_check_container(fx->c, file, line);
}

/* --------------------------------------------------------------- wants */

void dirty_want_init(struct fx *fx, struct dirty_want *w, uint64_t iova, uint64_t size)
{
	uint64_t bytes;

	memset(w, 0, sizeof(*w));
	w->iova = iova;
	w->size = size;
	w->pgsize = fx->pgsize;
	w->npages = size / fx->pgsize;
	w->extra = DIRTY_EXTRA_MAX;
	bytes = vfiosim_bitmap_bytes(w->npages);
	w->buf_len = bytes + DIRTY_EXTRA_MAX + DIRTY_GUARD;
	/* one fixture buffer for all four */
	w->want = fx_alloc(fx, 2 * bytes + 2 * w->buf_len);
	w->mapped = w->want + bytes;
	w->buf = w->mapped + bytes;
	w->before = w->buf + w->buf_len;
	w->log_mark = vfiosim_log_count(fx->h);
}

/* The pages of the range that [iova, iova + len) touches; fails outside it. */
static void want_pages(const struct dirty_want *w, uint64_t iova, uint64_t len,
		       uint64_t *first, uint64_t *n)
{
	if (!len || iova < w->iova || iova - w->iova >= w->size ||
	    len > w->size - (iova - w->iova))
		fail_msg("[0x%" PRIx64 ", +0x%" PRIx64 ") is not inside the checked range "
			 "[0x%" PRIx64 ", +0x%" PRIx64 ")", iova, len, w->iova, w->size);
	*first = (iova - w->iova) / w->pgsize;
	*n = (iova - w->iova + len - 1) / w->pgsize - *first + 1;
}

void dirty_map_ab(struct fx *fx, struct dirty_want *w, uint64_t a_pages)
{
	uint64_t P = fx->pgsize;

	dirty_want_init(fx, w, FX_IOVA, 128 * P);
	expect_ok(fx_map(fx, fx->guest, DIRTY_A(fx, 0), a_pages * P, FX_RW));
	expect_ok(fx_map(fx, fx->guest + a_pages * P, DIRTY_B(fx, 0), 8 * P, FX_RW));
	dirty_want_map(w, DIRTY_A(fx, 0), a_pages * P);
	dirty_want_map(w, DIRTY_B(fx, 0), 8 * P);
}

void dirty_want_map(struct dirty_want *w, uint64_t iova, uint64_t size)
{
	uint64_t first, n;

	want_pages(w, iova, size, &first, &n);
	set_bits(w->mapped, first, n);
}

void dirty_want_set(struct dirty_want *w, uint64_t iova, uint64_t len)
{
	uint64_t first, n;

	want_pages(w, iova, len, &first, &n);
	set_bits(w->want, first, n);
}

void dirty_want_all(struct dirty_want *w)
{
	memcpy(w->want, w->mapped, vfiosim_bitmap_bytes(w->npages));
}

void dirty_want_none(struct dirty_want *w)
{
	memset(w->want, 0, vfiosim_bitmap_bytes(w->npages));
}

/*
 * The positions of the buffer the kernel's copy-out owns: from each
 * mapping's first bit to the end of the u64 word holding its last one.
 * Adjacent mappings count as one run: the result is the same.
 */
static unsigned char *owned_mask(const struct dirty_want *w)
{
	unsigned char *owned = calloc(1, w->buf_len);
	uint64_t p = 0, end;

	assert_non_null(owned);
	while (p < w->npages) {
		if (!dirty_bit(w->mapped, p)) {
			p++;
			continue;
		}
		for (end = p; end < w->npages && dirty_bit(w->mapped, end); end++)
			;
		set_bits(owned, p, (end + 63) / 64 * 64 - p);
		p = end;
	}
	return owned;
}

void *dirty_want_prepare(struct dirty_want *w)
{
	unsigned char *owned;
	uint64_t i;

	assert_true(w->extra <= DIRTY_EXTRA_MAX);
	owned = owned_mask(w);
	memset(w->before, DIRTY_PATTERN, w->buf_len);
	for (i = 0; i < (uint64_t)w->buf_len * 8; i++)
		if (dirty_bit(owned, i))
			bit_assign(w->before, i, false);
	memcpy(w->buf, w->before, w->buf_len);
	free(owned);
	return w->buf;
}

static const char *position_kind(const struct dirty_want *w, const unsigned char *owned,
				 uint64_t i)
{
	uint64_t bytes = vfiosim_bitmap_bytes(w->npages);

	if (i < w->npages && dirty_bit(w->mapped, i))
		return "mapped page";
	if (dirty_bit(owned, i))
		return "hole bit in the kernel's word after a mapping";
	if (i < bytes * 8)
		return "user bit the kernel must not write";
	if (i < (bytes + w->extra) * 8)
		return "inside bitmap.size, past the range's words";
	return "guard byte past bitmap.size";
}

/* The mapped pages of the range one logged write hit that were not reported. */
static int judge_write(const struct dirty_want *w, const struct vfiosim_write *lw,
		       int missed, const char *file, int line)
{
	uint64_t lo = lw->iova > w->iova ? lw->iova : w->iova;
	uint64_t hi = lw->iova + lw->len - 1, p;

	if (hi < lw->iova || hi > w->iova + w->size - 1)
		hi = w->iova + w->size - 1;
	if (lo > hi)
		return missed;
	for (p = (lo - w->iova) / w->pgsize; p <= (hi - w->iova) / w->pgsize; p++) {
		if (!dirty_bit(w->mapped, p) || dirty_bit(w->buf, p))
			continue;
		if (missed++ < DIRTY_REPORT)
			print_error("%s:%d: logged write #%" PRIu64 " (source %d, group %u, "
				    "iova 0x%" PRIx64 " +0x%" PRIx64 ") hit page %" PRIu64
				    " (iova 0x%" PRIx64 ") but it is not reported dirty\n",
				    file, line, lw->seq, lw->source, lw->group_id, lw->iova,
				    lw->len, p, w->iova + p * w->pgsize);
	}
	return missed;
}

static void judge_log(struct fx *fx, struct dirty_want *w, const char *file, int line)
{
	size_t i, count = vfiosim_log_count(fx->h);
	unsigned int id = vfiosim_container_id(fx->c);
	int missed = 0;

	for (i = w->log_mark; i < count; i++) {
		const struct vfiosim_write *lw = vfiosim_log_get(fx->h, i);

		if (lw && lw->container_id == id && lw->len)
			missed = judge_write(w, lw, missed, file, line);
	}
	w->log_mark = count;
	if (missed)
		_fail(file, line);
}

static void want_verify(struct fx *fx, struct dirty_want *w, const char *file, int line)
{
	unsigned char *owned = owned_mask(w);
	uint64_t i, bad = 0;

	for (i = 0; i < (uint64_t)w->buf_len * 8; i++) {
		bool mapped = i < w->npages && dirty_bit(w->mapped, i);
		bool got = dirty_bit(w->buf, i), want;

		if (mapped)
			want = dirty_bit(w->want, i);
		else if (w->stale_tail_ok && dirty_bit(owned, i))
			continue;
		else
			want = dirty_bit(w->before, i);
		if (got == want)
			continue;
		if (bad++ < DIRTY_REPORT)
			print_error("%s:%d: bit %" PRIu64 " (iova 0x%" PRIx64 ", %s): got %d, "
				    "want %d\n", file, line, i, w->iova + i * w->pgsize,
				    position_kind(w, owned, i), got, want);
	}
	free(owned);
	if (bad) {
		print_error("%s:%d: %" PRIu64 " wrong bit(s); range [0x%" PRIx64 ", +0x%" PRIx64
			    "), %" PRIu64 " pages of 0x%" PRIx64 ", %" PRIu64 " expected dirty\n",
			    file, line, bad, w->iova, w->size, w->npages, w->pgsize,
			    weight(w->want, w->npages));
		_fail(file, line);
	}
	judge_log(fx, w, file, line);
}

void dirty_want_untouched_at(struct dirty_want *w, const char *file, int line)
{
	size_t i;

	for (i = 0; i < w->buf_len; i++) {
		if (w->buf[i] != w->before[i]) {
			print_error("%s:%d: user buffer byte %zu changed: 0x%02x, was 0x%02x\n",
				    file, line, i, w->buf[i], w->before[i]);
			_fail(file, line);
		}
	}
}

void dirty_expect_at(struct fx *fx, struct dirty_want *w, const char *file, int line)
{
	void *buf = dirty_want_prepare(w);
	long ret = dirty_get(fx->c, w->iova, w->size, w->pgsize, buf,
			     vfiosim_bitmap_bytes(w->npages) + w->extra);

	fx_check_ret(ret, 0, "VFIO_IOMMU_DIRTY_PAGES(GET_BITMAP)", file, line);
	want_verify(fx, w, file, line);
}

void dirty_expect_unmap_at(struct fx *fx, struct dirty_want *w, uint64_t *unmapped,
			   const char *file, int line)
{
	struct vfiosim_dirty_unmap_arg a;
	long ret;

	vfiosim_unmap_bitmap_arg(&a, w->iova, w->size, w->pgsize, dirty_want_prepare(w),
				 vfiosim_bitmap_bytes(w->npages) + w->extra);
	ret = dirty_unmap_raw(fx->c, &a);
	fx_check_ret(ret, 0, "VFIO_IOMMU_UNMAP_DMA(GET_DIRTY_BITMAP)", file, line);
	if (unmapped)
		*unmapped = a.size;
	want_verify(fx, w, file, line);
}

void dirty_want_pages(struct dirty_want *w, const uint64_t *iovas, unsigned int n)
{
	unsigned int i;

	dirty_want_none(w);
	for (i = 0; i < n; i++)
		dirty_want_set(w, iovas[i], 1);
}

/* The oracle of the test running (cmocka runs one at a time). */
static struct vfiosim_oracle *dirty_oracle;

struct vfiosim_oracle *dirty_test_oracle(void)
{
	return dirty_oracle;
}

int dirty_oracle_setup(void **state)
{
	dirty_oracle = fx_setup_oracle(state);
	return dirty_oracle ? 0 : -1;
}

int dirty_oracle_teardown(void **state)
{
	struct vfiosim_oracle_stats st;
	int bad = 0;

	if (vfiosim_oracle_status(dirty_oracle, &st)) {
		print_error("oracle: %s\n    (%lu reports; missed %lu, spurious %lu, inexact %lu, "
			    "desync %lu)\n", st.first, st.reports, st.missed, st.spurious,
			    st.inexact, st.desync);
		bad = 1;
	}
	vfiosim_oracle_free(dirty_oracle);
	dirty_oracle = NULL;
	return fx_teardown(state) || bad ? -1 : 0;
}
