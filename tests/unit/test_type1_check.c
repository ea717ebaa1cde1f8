// SPDX-License-Identifier: MIT
/*
 * test_type1_check.c - the model's consistency checker must catch each
 * invariant it claims to verify.  Every test builds a small valid container
 * through the public contract, sees it pass, breaks exactly one invariant
 * by poking the model's state, expects -EUCLEAN with a reason naming that
 * invariant, then puts the bytes back and sees it pass again.
 *
 * Pokes are recorded before they are made, and teardown undoes any still
 * pending, so a failing assertion still leaves a state that frees cleanly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "host/host.h"
#include "type1/type1.h"

#define PG		0x1000ULL
#define SZ_1M		0x100000ULL
#define GUEST		0x100000000ULL		/* 4 GiB, clear of the program */
#define GUEST_SIZE	(16 * SZ_1M)
#define IOVA_A		0x40000000ULL
#define IOVA_B		(IOVA_A + SZ_1M)	/* right after the first mapping */
#define RW		(VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE)
#define EMUL_PINS	3			/* vendor pins at IOVA_A */

#define MAX_POKES	8
#define POKE_BYTES	32		/* a struct rb_node fits */

struct poke {
	void *addr;
	size_t len;
	unsigned char old[POKE_BYTES];
};

struct fx {
	struct vfiosim_host *h;
	struct vfiosim_group *gi;	/* IOMMU-backed, with a dma_unmap callback */
	struct vfiosim_group *ge;	/* emulated */
	struct vfiosim_container *c;
	struct t1_iommu *t1;
	struct t1_dma building;		/* a mapping half-way through MAP_DMA */
	struct poke pokes[MAX_POKES];
	unsigned int nr_pokes;
};

/* ------------------------------------------------------------ pokes */

static void save(struct fx *f, void *addr, size_t len)
{
	struct poke *p;

	assert_true(len <= POKE_BYTES);
	assert_true(f->nr_pokes < MAX_POKES);
	p = &f->pokes[f->nr_pokes++];
	p->addr = addr;
	p->len = len;
	memcpy(p->old, addr, len);
}

/* Remember a field's bytes before the test changes it. */
#define SAVE(f, field)	save((f), &(field), sizeof(field))

static void restore(struct fx *f)
{
	while (f->nr_pokes) {
		struct poke *p = &f->pokes[--f->nr_pokes];

		memcpy(p->addr, p->old, p->len);
	}
}

/* -------------------------------------------------------------- checks */

static void expect_clean(struct fx *f)
{
	char why[256];
	int ret = vfiosim_container_check(f->c, why, sizeof(why));

	if (ret)
		fail_msg("check returned %d: %s", ret, why);
}

static void expect_unclean(struct fx *f, const char *want)
{
	char why[256];
	int ret = vfiosim_container_check(f->c, why, sizeof(why));

	if (ret != -EUCLEAN)
		fail_msg("check returned %d (\"%s\"), expected -EUCLEAN", ret, why);
	if (!strstr(why, want))
		fail_msg("reason \"%s\" does not say \"%s\"", why, want);
}

/* The poked bytes back: the checker must be satisfied again. */
static void restore_and_check(struct fx *f)
{
	restore(f);
	expect_clean(f);
}

static struct t1_dma *dma_at(struct fx *f, uint64_t iova)
{
	struct t1_dma *dma;

	for (dma = t1_dma_first(f->t1); dma; dma = t1_dma_next(dma))
		if (dma->iova == iova)
			return dma;
	fail_msg("no mapping at 0x%llx", (unsigned long long)iova);
	return NULL;
}

static struct t1_pfn *pfn_of(struct rb_node *n)
{
	assert_non_null(n);
	return rb_entry(n, struct t1_pfn, node);
}

/* --------------------------------------------------------------- setup */

static long map_dma(struct fx *f, uint64_t vaddr, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = vaddr,
		.iova = iova,
		.size = size,
	};

	return vfiosim_ioctl(f->c, VFIO_IOMMU_MAP_DMA, &map);
}

static long dirty_pages(struct fx *f, uint32_t flag)
{
	struct vfio_iommu_type1_dirty_bitmap d = {
		.argsz = sizeof(d),
		.flags = flag,
	};

	return vfiosim_ioctl(f->c, VFIO_IOMMU_DIRTY_PAGES, &d);
}

static void fx_destroy(struct fx *f)
{
	vfiosim_container_free(f->c);
	vfiosim_group_free(f->gi);
	vfiosim_group_free(f->ge);
	vfiosim_host_free(f->h);
	free(f);
}

/*
 * with_domain: an IOMMU group (so one domain) beside the emulated group,
 * two adjacent 1 MiB mappings, dirty tracking on, three vendor pins at
 * IOVA_A and one by the IOMMU group at IOVA_B (every group then in the
 * pinned scope).  Without: the emulated group alone, one mapping, the
 * same three pins, no tracking.
 */
static int build(void **state, bool with_domain)
{
	const struct vfiosim_group_config ci = { .has_dma_unmap = true };
	const struct vfiosim_group_config ce = { .kind = VFIOSIM_GROUP_EMULATED };
	uint64_t pfns[EMUL_PINS];
	struct fx *f = calloc(1, sizeof(*f));
	const char *step;
	long ret = 0;

	if (!f)
		return -1;
	step = "host";
	f->h = vfiosim_host_new(NULL);
	if (!f->h)
		goto fail;
	step = "guest memory";
	ret = vfiosim_mm_map(f->h, GUEST, GUEST_SIZE, RW);
	if (ret)
		goto fail;
	step = "groups";
	f->ge = vfiosim_group_new(f->h, &ce);
	if (with_domain)
		f->gi = vfiosim_group_new(f->h, &ci);
	if (!f->ge || (with_domain && !f->gi))
		goto fail;
	step = "container";
	f->c = vfiosim_container_new(f->h, VFIO_TYPE1v2_IOMMU);
	if (!f->c)
		goto fail;
	step = "attach";
	if (with_domain)
		ret = vfiosim_container_attach(f->c, f->gi);
	if (!ret)
		ret = vfiosim_container_attach(f->c, f->ge);
	if (ret)
		goto fail;
	step = "MAP_DMA";
	ret = map_dma(f, GUEST, IOVA_A, SZ_1M);
	if (!ret && with_domain)
		ret = map_dma(f, GUEST + SZ_1M, IOVA_B, SZ_1M);
	if (ret)
		goto fail;
	step = "DIRTY_PAGES START";
	if (with_domain && (ret = dirty_pages(f, VFIO_IOMMU_DIRTY_PAGES_FLAG_START)))
		goto fail;
	step = "pin";
	ret = vfiosim_pin_pages(f->c, f->ge, IOVA_A, EMUL_PINS, RW, pfns);
	if (ret == EMUL_PINS && with_domain)
		ret = vfiosim_pin_pages(f->c, f->gi, IOVA_B, 1, RW, pfns);
	if (ret != (with_domain ? 1 : EMUL_PINS))
		goto fail;
	f->t1 = f->c->data;
	*state = f;
	return 0;

fail:
	print_error("setup: %s failed (%ld)\n", step, ret);
	fx_destroy(f);
	return -1;
}

static int setup_domain(void **state)
{
	return build(state, true);
}

static int setup_emulated(void **state)
{
	return build(state, false);
}

/* Undo pending pokes, then everything must free without a trace. */
static int teardown(void **state)
{
	struct fx *f = *state;
	char why[256] = "";
	char warning[256];
	unsigned int warnings;
	unsigned long live;
	uint64_t pinned;
	int ret;

	restore(f);
	ret = vfiosim_container_check(f->c, why, sizeof(why));
	vfiosim_container_free(f->c);
	f->c = NULL;
	vfiosim_group_free(f->gi);
	vfiosim_group_free(f->ge);
	f->gi = f->ge = NULL;
	live = vfiosim_live_allocs(f->h);
	pinned = vfiosim_mm_pinned_total(f->h);
	warnings = vfiosim_warnings(f->h);
	snprintf(warning, sizeof(warning), "%s", warnings ? vfiosim_last_warning(f->h) : "");
	fx_destroy(f);

	if (ret || live || pinned || warnings) {
		print_error("teardown: check %d (%s), %lu allocations live, %llu pages pinned, "
			    "%u warnings (%s)\n", ret, why, live, (unsigned long long)pinned,
			    warnings, warning);
		return -1;
	}
	return 0;
}

/* -------------------------------------------------- container layer */

/* What the corruptions below rely on being there. */
static void the_domain_fixture_starts_consistent(void **state)
{
	struct fx *f = *state;

	expect_clean(f);
	assert_non_null(f->t1->domains);
	assert_true(f->t1->tracking);
	assert_int_equal(rb_check(&f->t1->dmas, NULL, NULL, 0), 2);
	assert_int_equal(rb_check(&dma_at(f, IOVA_A)->pfns, NULL, NULL, 0), EMUL_PINS);
	assert_int_equal(rb_check(&dma_at(f, IOVA_B)->pfns, NULL, NULL, 0), 1);
	/* Mapped through the domain: charged by the mappings, 256 pages each. */
	assert_int_equal(vfiosim_mm_locked_vm(f->h), 2 * SZ_1M / PG);
}

static void the_emulated_fixture_starts_consistent(void **state)
{
	struct fx *f = *state;

	expect_clean(f);
	assert_null(f->t1->domains);
	assert_false(f->t1->tracking);
	assert_int_equal(rb_check(&f->t1->dmas, NULL, NULL, 0), 1);
	assert_int_equal(rb_check(&dma_at(f, IOVA_A)->pfns, NULL, NULL, 0), EMUL_PINS);
	/* No domain: only the vendor's pins are charged. */
	assert_int_equal(vfiosim_mm_locked_vm(f->h), EMUL_PINS);
}

/* Run under both fixtures: charges by mappings and by vendor pins. */
static void locked_vm_matches_the_mappings_charges(void **state)
{
	struct fx *f = *state;
	struct t1_dma *dma = dma_at(f, IOVA_A);
	uint64_t locked = vfiosim_mm_locked_vm(f->h);
	char want[128];

	expect_clean(f);
	assert_true(locked > 0);
	assert_int_equal(t1_locked_pages(f->t1), locked);
	SAVE(f, dma->locked_vm);
	dma->locked_vm++;
	snprintf(want, sizeof(want), "locked_vm %llu pages but mappings hold %llu",
		 (unsigned long long)locked, (unsigned long long)locked + 1);
	expect_unclean(f, want);
	restore_and_check(f);
}

/* ------------------------------------------------------ page sizes */

static void pgsize_bitmap_matches_the_domains(void **state)
{
	struct fx *f = *state;
	uint64_t good = f->t1->pgsize_bitmap;
	char want[128];

	expect_clean(f);
	SAVE(f, f->t1->pgsize_bitmap);
	f->t1->pgsize_bitmap ^= 1ULL << 21;
	snprintf(want, sizeof(want), "page sizes 0x%llx, domains give 0x%llx",
		 (unsigned long long)f->t1->pgsize_bitmap, (unsigned long long)good);
	expect_unclean(f, want);
	restore_and_check(f);
}

/* ------------------------------------------------------ mapping tree */

static void mapping_tree_root_is_black(void **state)
{
	struct fx *f = *state;
	struct rb_node *root = f->t1->dmas.rb_node;

	expect_clean(f);
	assert_true(root->rb_parent_color & 1);
	SAVE(f, root->rb_parent_color);
	root->rb_parent_color &= ~(uintptr_t)1;
	expect_unclean(f, "mapping tree: root");
	expect_unclean(f, "is red");
	restore_and_check(f);
}

static void mapping_tree_is_in_iova_order(void **state)
{
	struct fx *f = *state;
	struct t1_dma *last = dma_at(f, IOVA_B);

	expect_clean(f);
	SAVE(f, last->iova);
	last->iova = 0;
	expect_unclean(f, "mapping tree: node");
	expect_unclean(f, "sorts before its predecessor");
	restore_and_check(f);
}

static void mapping_count_plus_available_is_the_limit(void **state)
{
	struct fx *f = *state;

	expect_clean(f);
	assert_int_equal(f->t1->dma_limit, 65535);
	SAVE(f, f->t1->dma_avail);
	f->t1->dma_avail--;
	expect_unclean(f, "2 mappings + 65532 available != limit 65535");
	restore_and_check(f);
}

static void mappings_do_not_overlap(void **state)
{
	struct fx *f = *state;
	struct t1_dma *first = dma_at(f, IOVA_A);

	expect_clean(f);
	SAVE(f, first->size);
	first->size += PG;
	expect_unclean(f, "mappings at 0x40000000 and 0x40100000 overlap");
	restore_and_check(f);
}

static void vaddr_invalid_count_matches_the_mappings(void **state)
{
	struct fx *f = *state;

	expect_clean(f);
	SAVE(f, f->t1->vaddr_invalid_count);
	f->t1->vaddr_invalid_count++;
	expect_unclean(f, "0 mappings without vaddr, count says 1");
	restore_and_check(f);
}

static void domain_maps_exactly_the_mapped_mappings(void **state)
{
	struct fx *f = *state;
	struct host_domain *hd;
	char want[128];

	expect_clean(f);
	assert_non_null(f->t1->domains);
	hd = f->t1->domains->hd;
	assert_int_equal(hd->mapped_bytes, 2 * SZ_1M);
	SAVE(f, hd->mapped_bytes);
	hd->mapped_bytes += PG;
	snprintf(want, sizeof(want), "domain %u maps 0x201000 bytes, mappings 0x200000", hd->id);
	expect_unclean(f, want);
	restore_and_check(f);
}

/* ---------------------------------------------------------- pfn tree */

static void pfn_tree_root_is_black(void **state)
{
	struct fx *f = *state;
	struct rb_node *root = dma_at(f, IOVA_A)->pfns.rb_node;

	expect_clean(f);
	assert_non_null(root);
	assert_true(root->rb_parent_color & 1);
	SAVE(f, root->rb_parent_color);
	root->rb_parent_color &= ~(uintptr_t)1;
	expect_unclean(f, "pfn tree of mapping 0x40000000: root");
	expect_unclean(f, "is red");
	restore_and_check(f);
}

static void pfn_tree_is_in_iova_order(void **state)
{
	struct fx *f = *state;
	struct t1_pfn *first = pfn_of(rb_first(&dma_at(f, IOVA_A)->pfns));

	expect_clean(f);
	SAVE(f, first->iova);
	first->iova = IOVA_A + 16 * PG;
	expect_unclean(f, "pfn tree of mapping 0x40000000: node");
	expect_unclean(f, "sorts before its predecessor");
	restore_and_check(f);
}

static void pfn_tree_holds_each_page_once(void **state)
{
	struct fx *f = *state;
	struct rb_node *n = rb_first(&dma_at(f, IOVA_A)->pfns);
	struct t1_pfn *second = pfn_of(rb_next(n));

	expect_clean(f);
	SAVE(f, second->iova);
	second->iova = pfn_of(n)->iova;
	expect_unclean(f, "page 0x40000000 pinned twice in the tree");
	restore_and_check(f);
}

static void pinned_page_has_references(void **state)
{
	struct fx *f = *state;
	struct t1_pfn *vpfn = pfn_of(rb_first(&dma_at(f, IOVA_A)->pfns));

	expect_clean(f);
	assert_int_equal(vpfn->refs, 1);
	SAVE(f, vpfn->refs);
	vpfn->refs = 0;
	expect_unclean(f, "pinned page 0x40000000 (refs 0) of mapping 0x40000000");
	restore_and_check(f);
}

static void pinned_page_is_not_past_its_mapping(void **state)
{
	struct fx *f = *state;
	struct t1_dma *dma = dma_at(f, IOVA_A);
	struct t1_pfn *last = pfn_of(rb_last(&dma->pfns));

	expect_clean(f);
	SAVE(f, last->iova);
	last->iova = dma->iova + dma->size;
	expect_unclean(f, "pinned page 0x40100000 (refs 1) of mapping 0x40000000");
	restore_and_check(f);
}

static void pinned_page_is_not_below_its_mapping(void **state)
{
	struct fx *f = *state;
	struct t1_dma *dma = dma_at(f, IOVA_A);
	struct t1_pfn *first = pfn_of(rb_first(&dma->pfns));

	expect_clean(f);
	SAVE(f, first->iova);
	first->iova = dma->iova - PG;
	expect_unclean(f, "pinned page 0x3ffff000 (refs 1) of mapping 0x40000000");
	restore_and_check(f);
}

/* ----------------------------------------------------------- bitmaps */

static void tracking_gives_every_mapping_a_bitmap(void **state)
{
	struct fx *f = *state;
	struct t1_dma *dma = dma_at(f, IOVA_A);

	expect_clean(f);
	assert_true(f->t1->tracking);
	SAVE(f, dma->bitmap);
	dma->bitmap = NULL;
	expect_unclean(f, "mapping 0x40000000 lacks a bitmap while tracking is on");
	restore_and_check(f);
}

static void no_bitmap_without_tracking(void **state)
{
	struct fx *f = *state;

	expect_clean(f);
	assert_non_null(dma_at(f, IOVA_A)->bitmap);
	SAVE(f, f->t1->tracking);
	f->t1->tracking = false;
	expect_unclean(f, "mapping 0x40000000 has a bitmap while tracking is off");
	restore_and_check(f);
}

/* -------------------------------------------------- IOMMU-mapped flag */

static void mappings_are_in_the_iommu_with_a_domain(void **state)
{
	struct fx *f = *state;
	struct t1_dma *dma = dma_at(f, IOVA_B);

	expect_clean(f);
	assert_true(dma->iommu_mapped);
	SAVE(f, dma->iommu_mapped);
	dma->iommu_mapped = false;
	expect_unclean(f, "mapping 0x40100000 is not in the IOMMU with a domain");
	restore_and_check(f);
}

static void mappings_are_not_in_the_iommu_without_a_domain(void **state)
{
	struct fx *f = *state;
	struct t1_dma *dma = dma_at(f, IOVA_A);

	expect_clean(f);
	assert_null(f->t1->domains);
	assert_false(dma->iommu_mapped);
	SAVE(f, dma->iommu_mapped);
	dma->iommu_mapped = true;
	expect_unclean(f, "mapping 0x40000000 is in the IOMMU with no domain");
	restore_and_check(f);
}

/*
 * MAP_DMA links a mapping of size 0 and only marks it IOMMU-mapped after
 * its pages are in: until the first page it is exempt.  The tree's link
 * words are saved before the insertion, so restoring them drops the
 * extra node byte for byte (tracking is stopped first: the mapping gets
 * its bitmap only after pinning).
 */
static void a_mapping_being_built_is_exempt_until_it_has_pages(void **state)
{
	struct fx *f = *state;
	struct t1_dma *fresh = &f->building;

	assert_int_equal(dirty_pages(f, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP), 0);
	expect_clean(f);
	SAVE(f, f->t1->dmas);
	SAVE(f, dma_at(f, IOVA_A)->node);
	SAVE(f, dma_at(f, IOVA_B)->node);
	SAVE(f, f->t1->dma_avail);
	fresh->iova = IOVA_B + SZ_1M;
	fresh->vaddr = GUEST + 2 * SZ_1M;
	fresh->prot = RW;
	fresh->pfns = RB_ROOT;
	f->t1->dma_avail--;
	t1_dma_link(f->t1, fresh);
	expect_clean(f);
	fresh->size = PG;
	expect_unclean(f, "mapping 0x40200000 is not in the IOMMU with a domain");
	restore_and_check(f);
	assert_null(t1_dma_ceil(f->t1, IOVA_B + SZ_1M));
}

/* ------------------------------------------------------- IOVA ranges */

static void iova_ranges_are_not_reversed(void **state)
{
	struct fx *f = *state;
	struct t1_iova *r = f->t1->iovas;
	uint64_t start, end;
	char want[128];

	expect_clean(f);
	assert_non_null(r);
	start = r->start;
	end = r->end;
	assert_true(start < end);
	SAVE(f, r->start);
	SAVE(f, r->end);
	r->start = end;
	r->end = start;
	snprintf(want, sizeof(want), "IOVA range [0x%llx, 0x%llx] is reversed",
		 (unsigned long long)end, (unsigned long long)start);
	expect_unclean(f, want);
	restore_and_check(f);
}

static void iova_ranges_are_sorted_and_disjoint(void **state)
{
	struct fx *f = *state;
	struct t1_iova *r = f->t1->iovas;
	char want[128];

	expect_clean(f);
	/* The default MSI window splits the aperture in two. */
	assert_non_null(r);
	assert_non_null(r->next);
	SAVE(f, r->next->start);
	r->next->start = r->end;
	snprintf(want, sizeof(want), "IOVA ranges at 0x%llx and 0x%llx overlap or are out of order",
		 (unsigned long long)r->start, (unsigned long long)r->end);
	expect_unclean(f, want);
	restore_and_check(f);
}

/* ------------------------------------------------------------ groups */

static void non_pinned_group_count_matches_the_groups(void **state)
{
	struct fx *f = *state;

	expect_clean(f);
	assert_int_equal(f->t1->num_non_pinned_groups, 0);
	SAVE(f, f->t1->num_non_pinned_groups);
	f->t1->num_non_pinned_groups++;
	expect_unclean(f, "0 groups outside the pinned scope, count says 1");
	restore_and_check(f);
}

static void every_domain_has_a_group(void **state)
{
	struct fx *f = *state;
	struct t1_domain *d = f->t1->domains;
	char want[64];

	expect_clean(f);
	assert_non_null(d);
	SAVE(f, d->groups);
	d->groups = NULL;
	snprintf(want, sizeof(want), "domain %u has no group", d->hd->id);
	expect_unclean(f, want);
	restore_and_check(f);
}

static void domain_groups_are_attached_to_it(void **state)
{
	struct fx *f = *state;
	struct t1_domain *d = f->t1->domains;
	char want[64];

	expect_clean(f);
	assert_non_null(d);
	assert_ptr_equal(d->groups->g, f->gi);
	SAVE(f, f->gi->domain);
	f->gi->domain = NULL;
	snprintf(want, sizeof(want), "group %u is not attached to its domain",
		 vfiosim_group_id(f->gi));
	expect_unclean(f, want);
	restore_and_check(f);
}

static void registered_devices_are_all_listed(void **state)
{
	struct fx *f = *state;

	expect_clean(f);
	assert_non_null(f->t1->devices);
	assert_non_null(f->t1->devices->dev_next);
	SAVE(f, f->t1->devices);
	f->t1->devices = f->t1->devices->dev_next;
	expect_unclean(f, "2 devices registered, 1 listed");
	restore_and_check(f);
}

/* -------------------------------------- dirty providers (an extension) */

static void domains_track_dirty_bits_only_when_asked(void **state)
{
	struct fx *f = *state;
	struct host_domain *hd = f->t1->domains->hd;
	char want[64];

	expect_clean(f);
	SAVE(f, hd->dirty_tracking);
	hd->dirty_tracking = true;
	snprintf(want, sizeof(want), "domain %u dirty tracking on, should be off", hd->id);
	expect_unclean(f, want);
	restore_and_check(f);
}

static void trackers_run_when_type1_started_them(void **state)
{
	struct fx *f = *state;
	struct t1_group *tg = f->t1->domains->groups;
	char want[64];

	expect_clean(f);
	SAVE(f, tg->dev_tracking);
	tg->dev_tracking = true;
	snprintf(want, sizeof(want), "group %u's tracker stopped, type1 says started",
		 vfiosim_group_id(tg->g));
	expect_unclean(f, want);
	restore_and_check(f);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup_domain, teardown)
/* Under the domain-less fixture; named apart from the same body under T. */
#define TE(fn)	{ .name = #fn "@emulated", .test_func = (fn), .setup_func = setup_emulated, \
		  .teardown_func = teardown }

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(the_domain_fixture_starts_consistent),
		TE(the_emulated_fixture_starts_consistent),
		T(locked_vm_matches_the_mappings_charges),
		TE(locked_vm_matches_the_mappings_charges),
		T(pgsize_bitmap_matches_the_domains),
		T(mapping_tree_root_is_black),
		T(mapping_tree_is_in_iova_order),
		T(mapping_count_plus_available_is_the_limit),
		T(mappings_do_not_overlap),
		T(vaddr_invalid_count_matches_the_mappings),
		T(domain_maps_exactly_the_mapped_mappings),
		T(pfn_tree_root_is_black),
		T(pfn_tree_is_in_iova_order),
		T(pfn_tree_holds_each_page_once),
		T(pinned_page_has_references),
		T(pinned_page_is_not_past_its_mapping),
		T(pinned_page_is_not_below_its_mapping),
		T(tracking_gives_every_mapping_a_bitmap),
		T(no_bitmap_without_tracking),
		T(mappings_are_in_the_iommu_with_a_domain),
		TE(mappings_are_not_in_the_iommu_without_a_domain),
		T(a_mapping_being_built_is_exempt_until_it_has_pages),
		T(iova_ranges_are_not_reversed),
		T(iova_ranges_are_sorted_and_disjoint),
		T(non_pinned_group_count_matches_the_groups),
		T(every_domain_has_a_group),
		T(domain_groups_are_attached_to_it),
		T(registered_devices_are_all_listed),
		T(domains_track_dirty_bits_only_when_asked),
		T(trackers_run_when_type1_started_them),
	};

	return cmocka_run_group_tests_name("type1_check", tests, NULL, NULL);
}
