// SPDX-License-Identifier: MIT
/*
 * test_random_map_unmap.c - seeded random sequences of MAP_DMA, UNMAP_DMA
 * (ranges and FLAG_ALL), group attach/detach and device writes on a v2
 * container, checked step by step against a shadow of the mappings: every
 * return value and unmapped size, pins and locked_vm, dma_avail, device
 * write outcomes and vfiosim_container_check().
 *
 * The seed is printed; VFIOSIM_SEED=<n> replays a run.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/fixture.h"
#include "helpers/rand.h"

#define STEPS		1500
#define WINDOW		256		/* IOVA granules in play */
#define MAX_LEN		16		/* granules per map */
#define LIMIT		24		/* dma_entry_limit */
#define NR_GROUPS	3		/* IOMMU, IOMMU (own domain), emulated */

struct smap {
	uint64_t iova, size, vaddr;
	uint32_t flags;
	bool backed;
};

struct run {
	struct fx *fx;
	uint64_t seed, rng;
	unsigned int step;
	char op[160];
	struct smap map[LIMIT];
	unsigned int nr;
	bool attached[NR_GROUPS];
	struct vfiosim_group *g[NR_GROUPS];
	unsigned int ok[5], err[5];	/* per operation kind */
};

enum { OP_MAP, OP_UNMAP, OP_ATTACH, OP_DETACH, OP_WRITE };

static void count(struct run *r, int op, long ret)
{
	if (ret)
		r->err[op]++;
	else
		r->ok[op]++;
}

static uint64_t next_rand(struct run *r)
{
	return vfiosim_rand(&r->rng);
}

static unsigned int rand_below(struct run *r, unsigned int n)
{
	return (unsigned int)(next_rand(r) % n);
}

static void check_at(struct run *r, bool ok, const char *what, long got, long want,
		     const char *file, int line)
{
	if (ok)
		return;
	print_error("%s:%d: seed %" PRIu64 " step %u: %s\n    %s: got %ld (%s), expected %ld (%s)\n"
		    "    replay with VFIOSIM_SEED=%" PRIu64 "\n", file, line, r->seed, r->step,
		    r->op, what, got, fx_errname(got), want, fx_errname(want), r->seed);
	_fail(file, line);
}

#define CHECK(r, what, got, want) do {						\
	long got_ = (long)(got), want_ = (long)(want);				\
	check_at((r), got_ == want_, (what), got_, want_, __FILE__, __LINE__);	\
} while (0)

static bool iommu_attached(const struct run *r)
{
	return r->attached[0] || r->attached[1];
}

static void drop(struct run *r, unsigned int i)
{
	r->map[i] = r->map[--r->nr];
}

static const struct smap *find(const struct run *r, uint64_t iova)
{
	unsigned int i;

	for (i = 0; i < r->nr; i++)
		if (iova >= r->map[i].iova && iova - r->map[i].iova < r->map[i].size)
			return &r->map[i];
	return NULL;
}

static uint64_t pinned_pages(const struct run *r)
{
	uint64_t sum = 0;
	unsigned int i;

	if (!iommu_attached(r))
		return 0;
	for (i = 0; i < r->nr; i++)
		sum += fx_pages(r->fx, r->map[i].size);
	return sum;
}

static void op_map(struct run *r)
{
	struct fx *fx = r->fx;
	uint64_t P = fx->pgsize;
	unsigned int len = 1 + rand_below(r, MAX_LEN);
	unsigned int start = rand_below(r, WINDOW - len + 1);
	uint64_t iova = FX_IOVA + start * P, size = len * P;
	bool backed = rand_below(r, 16) != 0;
	uint64_t vaddr = backed ?
		fx->guest + rand_below(r, (unsigned int)(fx->guest_size / P) - len + 1) * P :
		FX_HOLE + start * P;
	static const uint32_t flag_set[] = {
		FX_RW, FX_RW, FX_RW, VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE,
	};
	uint32_t flags = flag_set[rand_below(r, 5)];
	long want = 0;
	unsigned int i;

	snprintf(r->op, sizeof(r->op), "map iova %#" PRIx64 " size %#" PRIx64 " vaddr %#" PRIx64
		 " flags %u", iova, size, vaddr, flags);
	for (i = 0; i < r->nr; i++)
		if (iova < r->map[i].iova + r->map[i].size && r->map[i].iova < iova + size)
			want = -EEXIST;
	if (!want && r->nr == LIMIT)
		want = -ENOSPC;
	if (!want && !backed && iommu_attached(r))
		want = -EFAULT;
	CHECK(r, "MAP_DMA", fx_map(fx, vaddr, iova, size, flags), want);
	count(r, OP_MAP, want);
	if (!want)
		r->map[r->nr++] = (struct smap){ iova, size, vaddr, flags, backed };
}

/* v2: a range may not cut a mapping at either end; what it covers goes. */
static void op_unmap(struct run *r)
{
	struct fx *fx = r->fx;
	uint64_t P = fx->pgsize;
	unsigned int len = 1 + rand_below(r, 2 * MAX_LEN);
	unsigned int start = rand_below(r, WINDOW);
	uint64_t iova = FX_IOVA + start * P, size = len * P, end;
	uint64_t want_size = 0, got_size = ~0ULL;
	long want = 0;
	unsigned int i;

	/* half of the time from one mapping's start to another's end */
	if (r->nr && rand_below(r, 2)) {
		const struct smap *a = &r->map[rand_below(r, r->nr)];
		const struct smap *b = &r->map[rand_below(r, r->nr)];

		iova = a->iova < b->iova ? a->iova : b->iova;
		end = a->iova + a->size > b->iova + b->size ? a->iova + a->size :
							       b->iova + b->size;
		size = end - iova;
	}
	end = iova + size;

	snprintf(r->op, sizeof(r->op), "unmap iova %#" PRIx64 " size %#" PRIx64, iova, size);
	for (i = 0; i < r->nr; i++) {
		uint64_t s = r->map[i].iova, e = s + r->map[i].size;

		if ((s < iova && iova < e) || (s < end && end < e))
			want = -EINVAL;
		if (s >= iova && e <= end)
			want_size += r->map[i].size;
	}
	CHECK(r, "UNMAP_DMA", fx_unmap(fx, iova, size, 0, &got_size), want);
	count(r, OP_UNMAP, want ? want : !want_size);
	if (want) {
		CHECK(r, "size left alone on error", got_size == size, 1);
		return;
	}
	CHECK(r, "unmapped size", got_size, want_size);
	for (i = r->nr; i-- > 0;)
		if (r->map[i].iova >= iova && r->map[i].iova + r->map[i].size <= end)
			drop(r, i);
}

static void op_unmap_all(struct run *r)
{
	uint64_t want_size = 0, got_size = ~0ULL;
	unsigned int i;

	snprintf(r->op, sizeof(r->op), "unmap all");
	for (i = 0; i < r->nr; i++)
		want_size += r->map[i].size;
	CHECK(r, "UNMAP_DMA(ALL)", fx_unmap_everything(r->fx, r->fx->c, &got_size), 0);
	CHECK(r, "unmapped size", got_size, want_size);
	r->nr = 0;
}

static void op_attach_detach(struct run *r)
{
	unsigned int k = rand_below(r, NR_GROUPS), i;
	bool iommu = k < 2;
	long want = 0;

	if (r->attached[k]) {
		snprintf(r->op, sizeof(r->op), "detach group %u", k);
		CHECK(r, "detach", vfiosim_container_detach(r->fx->c, r->g[k]), 0);
		count(r, OP_DETACH, 0);
		r->attached[k] = false;
		/* no IOMMU group left and no emulated one: the mappings go;
		 * an emulated group alone keeps them (unpinned) */
		if ((iommu && !iommu_attached(r) && !r->attached[2]) ||
		    (!iommu && !iommu_attached(r)))
			r->nr = 0;
		return;
	}
	snprintf(r->op, sizeof(r->op), "attach group %u", k);
	/* the first domain pins every mapping: an unbacked one fails it */
	if (iommu && !iommu_attached(r))
		for (i = 0; i < r->nr; i++)
			if (!r->map[i].backed)
				want = -EFAULT;
	CHECK(r, "attach", vfiosim_container_attach(r->fx->c, r->g[k]), want);
	count(r, OP_ATTACH, want);
	if (!want)
		r->attached[k] = true;
}

static void op_device_write(struct run *r)
{
	struct fx *fx = r->fx;
	uint64_t P = fx->pgsize;
	unsigned int k = rand_below(r, 2);
	uint64_t iova = FX_IOVA + rand_below(r, WINDOW) * P;
	uint64_t len = 1 + rand_below(r, 64);
	size_t log = vfiosim_log_count(fx->h);
	const struct smap *m;
	long want;

	if (!r->attached[k])
		k ^= 1;
	if (!r->attached[k])
		return;
	/* half of the time inside a mapping */
	if (r->nr && rand_below(r, 2)) {
		m = &r->map[rand_below(r, r->nr)];
		iova = m->iova + rand_below(r, (unsigned int)(m->size / P)) * P;
	}
	iova += rand_below(r, (unsigned int)(P - len + 1));
	snprintf(r->op, sizeof(r->op), "device write group %u iova %#" PRIx64 " len %" PRIu64,
		 k, iova, len);
	m = find(r, iova);
	if (!m)
		want = -EFAULT;
	else if (!(m->flags & VFIO_DMA_MAP_FLAG_WRITE))
		want = -EPERM;
	else
		want = 0;
	CHECK(r, "device write", vfiosim_device_write(r->g[k], iova, len), want);
	count(r, OP_WRITE, want);
	CHECK(r, "log entries", vfiosim_log_count(fx->h), log + (want ? 0 : 1));
	if (!want) {
		const struct vfiosim_write *w = vfiosim_log_get(fx->h, log);

		CHECK(r, "log iova", w && w->iova == iova && w->len == len &&
		      w->group_id == vfiosim_group_id(r->g[k]) &&
		      w->container_id == vfiosim_container_id(fx->c), 1);
	}
}

static void check_state(struct run *r, bool full)
{
	struct fx *fx = r->fx;
	char why[256] = "";
	int ret = vfiosim_container_check(fx->c, why, sizeof(why));

	if (ret)
		print_error("container check: %s\n", why);
	CHECK(r, "vfiosim_container_check", ret, 0);
	CHECK(r, "locked_vm", fx_locked(fx), pinned_pages(r));
	CHECK(r, "pinned pages", fx_pinned(fx), pinned_pages(r));
	if (full)
		CHECK(r, "dma_avail", fx_dma_avail(fx, fx->c), LIMIT - r->nr);
}

static void random_run(struct fx *fx, uint64_t salt)
{
	struct vfiosim_group_config gc = fx->cfg->group[0];
	struct vfiosim_group_config ge = { .kind = VFIOSIM_GROUP_EMULATED };
	struct run *r = fx_alloc(fx, sizeof(*r));
	unsigned int choice;

	r->fx = fx;
	r->seed = fx_seed("random map/unmap") + salt;
	r->rng = r->seed;
	r->g[0] = fx->g[0];
	r->g[1] = fx_group(fx, &gc);
	r->g[2] = fx_group(fx, &ge);
	r->attached[0] = true;
	assert_int_equal(fx->dma_limit, LIMIT);
	assert_true(FX_IOVA + (uint64_t)WINDOW * fx->pgsize < VFIOSIM_MSI_BASE);

	for (r->step = 0; r->step < STEPS; r->step++) {
		choice = rand_below(r, 100);
		if (choice < 40)
			op_map(r);
		else if (choice < 68)
			op_unmap(r);
		else if (choice < 70)
			op_unmap_all(r);
		else if (choice < 80)
			op_attach_detach(r);
		else
			op_device_write(r);
		check_state(r, r->step % 16 == 0);
	}
	print_message("%s: ok/failed: map %u/%u, unmap %u/%u (empty or refused), attach %u/%u, "
		      "detach %u, device write %u/%u\n", fx->cfg->name, r->ok[OP_MAP],
		      r->err[OP_MAP], r->ok[OP_UNMAP], r->err[OP_UNMAP], r->ok[OP_ATTACH],
		      r->err[OP_ATTACH], r->ok[OP_DETACH], r->ok[OP_WRITE], r->err[OP_WRITE]);
	/* the sequence must have exercised both outcomes of the main calls */
	assert_true(r->ok[OP_MAP] && r->err[OP_MAP] && r->ok[OP_UNMAP] && r->ok[OP_WRITE] &&
		    r->err[OP_WRITE] && r->ok[OP_DETACH]);
}

static const struct fx_config fx_rand_4k = {
	FX_CONFIG_OF("random: v2, IOMMU 4K", VFIO_TYPE1v2_IOMMU, FX_IOMMU(SZ_4K)),
	.host = { .dma_entry_limit = LIMIT },
};

static const struct fx_config fx_rand_2m = {
	FX_CONFIG_OF("random: v2, IOMMU 4K|2M|1G", VFIO_TYPE1v2_IOMMU,
		     FX_IOMMU(SZ_4K | SZ_2M | SZ_1G)),
	.host = { .dma_entry_limit = LIMIT },
};

static const struct fx_config fx_rand_64k = {
	FX_CONFIG_OF("random: v2, 64K CPU pages, IOMMU 64K|512M", VFIO_TYPE1v2_IOMMU,
		     FX_IOMMU(SZ_64K | SZ_512M)),
	.host = { .page_size = SZ_64K, .dma_entry_limit = LIMIT },
};

/* Both IOMMU groups of one IOMMU: they share a domain. */
static const struct fx_config fx_rand_shared = {
	FX_CONFIG_OF("random: v2, IOMMU 4K|2M|1G, one shared domain", VFIO_TYPE1v2_IOMMU,
		     { .kind = VFIOSIM_GROUP_IOMMU, .iommu_id = 3 }),
	.host = { .dma_entry_limit = LIMIT },
};

static void test_random_v2_4k(void **state)
{
	random_run(*state, 1);
}

static void test_random_v2_2m(void **state)
{
	random_run(*state, 2);
}

static void test_random_v2_64k(void **state)
{
	random_run(*state, 3);
}

static void test_random_v2_shared_domain(void **state)
{
	random_run(*state, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_random_v2_4k, fx_rand_4k),
		FX_TEST(test_random_v2_2m, fx_rand_2m),
		FX_TEST(test_random_v2_64k, fx_rand_64k),
		FX_TEST(test_random_v2_shared_domain, fx_rand_shared),
	};

	return cmocka_run_group_tests_name("random_map_unmap", tests, NULL, NULL);
}
