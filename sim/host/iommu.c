// SPDX-License-Identifier: MIT
/*
 * iommu.c - the mock IOMMU: paging domains, group attachment and an I/O
 * page table.
 *
 * The page table is a set of runs: consecutive pages of one size, with
 * contiguous physical addresses and one protection, kept in an rb-tree by
 * IOVA.  A map splits its range into the largest pages that the IOVA and
 * physical alignment and the remaining length allow, as the IOMMU core
 * does; an unmap removes whole pages, so unmapping the first small piece
 * of a large page removes the large page (what type1's fine-grained
 * superpage probe looks for).
 *
 * Where the core leaves a decision to the hardware driver, the mock acts
 * like Intel VT-d, which the default page sizes imitate: a map outside the
 * domain's address space fails with -EFAULT, a map without read or write
 * permission with -EINVAL.  Mapping over an existing entry is refused with
 * -EEXIST and a WARN, as io-pgtable does.  A domain whose aperture reaches
 * the top of the 64-bit IOVA space maps its very last page: runs are
 * compared by their inclusive last address, never by an end that would
 * wrap to 0.
 *
 * A run also shares one dirty bit state: on an IOMMU that keeps dirty
 * bits, a write through some of its entries cuts the run so that the
 * entries written form a dirty run of their own, and clearing joins
 * them back.  Cutting needs memory the hardware never needs, so it is
 * taken without fault injection.
 */
#include <errno.h>

#include "host/internal.h"

struct host_iopte {
	struct rb_node node;
	uint64_t iova;
	unsigned int pgshift;
	uint64_t npages;
	uint64_t paddr;
	int prot;
	bool dirty;
};

/* Room for every page-size change of one map: up, then down once. */
#define MAP_MAX_STRETCHES	128

static uint64_t run_bytes(const struct host_iopte *r)
{
	return r->npages << r->pgshift;
}

/* The run's last byte: its end may be 2^64. */
static uint64_t run_last(const struct host_iopte *r)
{
	return r->iova + (run_bytes(r) - 1);
}

static struct host_iopte *run_of(const struct rb_node *n)
{
	return rb_entry_safe(n, struct host_iopte, node);
}

/* Runs are found by an IOVA they translate. */
static int run_cmp(const void *key, const struct rb_node *n)
{
	uint64_t iova = *(const uint64_t *)key;
	const struct host_iopte *r = run_of(n);

	return iova < r->iova ? -1 : iova > run_last(r);
}

static int run_less(const struct rb_node *a, const struct rb_node *b)
{
	return run_of(a)->iova < run_of(b)->iova;
}

/* The run containing iova or, failing that, the first one above it. */
static struct host_iopte *run_from(const struct host_domain *d, uint64_t iova)
{
	return run_of(rb_find_ceil(&iova, &d->ptes, run_cmp));
}

static struct host_iopte *run_at(const struct host_domain *d, uint64_t iova)
{
	struct host_iopte *r = run_from(d, iova);

	return r && r->iova <= iova ? r : NULL;
}

static void run_link(struct host_domain *d, struct host_iopte *r)
{
	rb_add(&r->node, &d->ptes, run_less);
}

/* b directly follows a, in IOVA and in physical address, with equal pages. */
static bool runs_join(const struct host_iopte *a, const struct host_iopte *b)
{
	return a->pgshift == b->pgshift && a->prot == b->prot && a->dirty == b->dirty &&
	       run_last(a) + 1 == b->iova && a->paddr + run_bytes(a) == b->paddr;
}

/* Folds a linked r into whichever neighbours continue it. */
static void run_coalesce(struct host_domain *d, struct host_iopte *r)
{
	struct host_iopte *other;

	other = run_of(rb_prev(&r->node));
	if (other && runs_join(other, r)) {
		other->npages += r->npages;
		rb_erase(&r->node, &d->ptes);
		host_free(d->host, r);
		r = other;
	}
	other = run_of(rb_next(&r->node));
	if (other && runs_join(r, other)) {
		r->npages += other->npages;
		rb_erase(&other->node, &d->ptes);
		host_free(d->host, other);
	}
}

/* Links r and folds it into whichever neighbours continue it. */
static void run_insert(struct host_domain *d, struct host_iopte *r)
{
	run_link(d, r);
	run_coalesce(d, r);
}

/* Bits 0 to b inclusive. */
static uint64_t bits_to(unsigned int b)
{
	return b >= 63 ? UINT64_MAX : (2ULL << b) - 1;
}

static unsigned int top_bit(uint64_t x)
{
	return 63U - (unsigned int)__builtin_clzll(x);
}

/*
 * The page size (as a shift) for the next stretch of a mapping, and how
 * many pages of it to use: the largest supported size that fits the
 * remaining length and the alignment of both addresses; fewer pages if a
 * larger size becomes usable once the addresses reach its alignment.
 * size != 0 and iova, paddr and size aligned to the smallest size.
 */
static unsigned int stretch_pgshift(uint64_t bitmap, uint64_t iova, uint64_t paddr,
				    uint64_t size, uint64_t *count)
{
	uint64_t align = iova | paddr, sizes, larger, next, gap;
	unsigned int shift;

	sizes = bitmap & bits_to(top_bit(size));
	if (align)
		sizes &= bits_to((unsigned int)__builtin_ctzll(align));
	shift = top_bit(sizes);
	*count = size >> shift;

	larger = bitmap & ~bits_to(shift);
	if (!larger)
		return shift;
	next = larger & -larger;
	/* Only worth stopping early if both addresses can reach it together. */
	if ((iova ^ paddr) & (next - 1))
		return shift;
	gap = next - (align & (next - 1));
	if (gap <= size && next <= size - gap)
		*count = gap >> shift;
	return shift;
}

struct stretch {
	uint64_t iova, paddr, npages;
	unsigned int pgshift;
};

int host_iommu_map(struct host_domain *d, uint64_t iova, uint64_t paddr,
		   uint64_t size, int prot)
{
	struct stretch plan[MAP_MAX_STRETCHES];
	struct host_iopte *runs[MAP_MAX_STRETCHES];
	uint64_t min_page = d->pgsize_bitmap & -d->pgsize_bitmap;
	uint64_t last = iova + size - 1, pos = iova, pa = paddr, left = size;
	struct host_iopte *r;
	unsigned int n = 0, i;

	if (!d->pgsize_bitmap || ((iova | paddr | size) & (min_page - 1)))
		return -EINVAL;
	if (!size)
		return 0;
	if (last < iova || iova < d->aperture_start || last > d->aperture_end)
		return -EFAULT;
	if (!(prot & (VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE)))
		return -EINVAL;
	r = run_from(d, iova);
	if (r && r->iova <= last) {
		HOST_WARN(d->host, "iommu_map over a mapped iova 0x%llx (domain %u)",
			  (unsigned long long)(r->iova > iova ? r->iova : iova), d->id);
		return -EEXIST;
	}

	while (left) {
		uint64_t count, bytes;
		unsigned int shift = stretch_pgshift(d->pgsize_bitmap, pos, pa, left, &count);

		if (n && plan[n - 1].pgshift == shift) {
			plan[n - 1].npages += count;
		} else {
			if (n == MAP_MAX_STRETCHES) {
				HOST_WARN(d->host, "iommu_map plan overflow");
				return -EINVAL;
			}
			plan[n++] = (struct stretch){ pos, pa, count, shift };
		}
		bytes = count << shift;
		pos += bytes;
		pa += bytes;
		left -= bytes;
	}

	/* Every allocation first, so that a failure leaves nothing behind. */
	for (i = 0; i < n; i++) {
		runs[i] = host_alloc(d->host, sizeof(*runs[i]), true);
		if (!runs[i]) {
			while (i--)
				host_free(d->host, runs[i]);
			return -ENOMEM;
		}
	}
	for (i = 0; i < n; i++) {
		runs[i]->iova = plan[i].iova;
		runs[i]->paddr = plan[i].paddr;
		runs[i]->npages = plan[i].npages;
		runs[i]->pgshift = plan[i].pgshift;
		runs[i]->prot = prot & (VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE);
		run_insert(d, runs[i]);
	}
	d->mapped_bytes += size;
	d->map_calls++;
	return 0;
}

/*
 * Pages to take from r, starting at page k, for at most left bytes: a
 * page only partly inside the range goes whole.
 */
static uint64_t pages_to_take(const struct host_iopte *r, uint64_t k, uint64_t left)
{
	uint64_t want = ((left - 1) >> r->pgshift) + 1;

	return want < r->npages - k ? want : r->npages - k;
}

/*
 * Removing pages never needs memory in a real page table, but cutting a
 * run in two needs a node here.  Only the first run touched can be cut,
 * so its node is taken before anything changes and without fault
 * injection: a failure sweep must not see failures the kernel cannot have.
 */
uint64_t host_iommu_unmap(struct host_domain *d, uint64_t iova, uint64_t size)
{
	uint64_t min_page = d->pgsize_bitmap & -d->pgsize_bitmap, done = 0;
	struct host_iopte *r, *spare = NULL;

	if (!d->pgsize_bitmap || !size || ((iova | size) & (min_page - 1)))
		return 0;
	d->unmap_calls++;
	r = run_at(d, iova);
	if (r) {
		uint64_t k = (iova - r->iova) >> r->pgshift;

		if (k && r->iova + (k << r->pgshift) == iova &&
		    k + pages_to_take(r, k, size) < r->npages) {
			spare = host_alloc_nofail(d->host, sizeof(*spare));
			if (!spare) {
				HOST_WARN(d->host, "out of memory splitting an IOMMU run");
				return 0;
			}
		}
	}

	while (done < size) {
		uint64_t cur = iova + done, k, n, bytes;

		r = run_at(d, cur);
		if (!r)
			break;
		k = (cur - r->iova) >> r->pgshift;
		/* Inside a larger page: not a page boundary, nothing to remove. */
		if (r->iova + (k << r->pgshift) != cur)
			break;
		n = pages_to_take(r, k, size - done);
		bytes = n << r->pgshift;
		if (!k && n == r->npages) {
			rb_erase(&r->node, &d->ptes);
			host_free(d->host, r);
		} else if (!k) {
			r->iova += bytes;
			r->paddr += bytes;
			r->npages -= n;
		} else if (k + n == r->npages) {
			r->npages = k;
		} else {
			struct host_iopte *tail = spare;

			if (!tail)
				break;
			spare = NULL;
			*tail = *r;
			tail->iova = cur + bytes;
			tail->paddr = r->paddr + ((k + n) << r->pgshift);
			tail->npages = r->npages - k - n;
			r->npages = k;
			run_link(d, tail);
		}
		done += bytes;
	}
	host_free(d->host, spare);
	d->mapped_bytes -= done;
	return done;
}

uint64_t host_iommu_iova_to_phys(struct host_domain *d, uint64_t iova)
{
	struct host_iopte *r = run_at(d, iova);

	return r ? r->paddr + (iova - r->iova) : 0;
}

uint64_t host_iommu_phys_contig(struct host_domain *d, uint64_t iova, uint64_t max)
{
	struct host_iopte *r = run_at(d, iova), *next;
	uint64_t phys, len, rest;

	if (!r || !max)
		return 0;
	phys = r->paddr + (iova - r->iova);
	rest = run_last(r) - iova;
	if (rest >= max - 1)
		return max;
	for (len = rest + 1;; len += rest + 1) {
		next = run_of(rb_next(&r->node));
		if (!next || next->iova != iova + len || next->paddr != phys + len)
			return len;
		rest = run_bytes(next) - 1;
		if (rest >= max - len - 1)
			return max;
		r = next;
	}
}

int host_iommu_prot(struct host_domain *d, uint64_t iova, uint64_t *pgsize)
{
	struct host_iopte *r = run_at(d, iova);

	if (!r)
		return 0;
	if (pgsize)
		*pgsize = 1ULL << r->pgshift;
	return r->prot;
}

size_t host_iommu_nr_runs(struct host_domain *d)
{
	struct rb_node *n;
	size_t count = 0;

	for (n = rb_first(&d->ptes); n; n = rb_next(n))
		count++;
	return count;
}

/* ------------------------------------------------------------ domains */

struct host_domain *host_domain_alloc(struct vfiosim_group *g)
{
	struct vfiosim_host *h = g->host;
	struct host_domain *d;

	if (g->cfg.kind != VFIOSIM_GROUP_IOMMU) {
		errno = ENODEV;
		return NULL;
	}
	d = host_alloc(h, sizeof(*d), true);
	if (!d) {
		errno = ENOMEM;
		return NULL;
	}
	d->host = h;
	d->id = ++h->next_domain_id;
	d->ops_id = g->ops_id;
	d->pgsize_bitmap = g->cfg.pgsize_bitmap;
	d->aperture_start = g->cfg.aperture_start;
	d->aperture_end = g->cfg.aperture_end;
	d->enforce_cc = !g->cfg.no_cache_coherency;
	d->nesting_capable = g->cfg.nesting;
	d->dirty_capable = g->cfg.dirty_tracking;
	d->ptes = RB_ROOT;
	return d;
}

void host_domain_free(struct host_domain *d)
{
	struct rb_node *n;

	if (!d)
		return;
	if (d->nr_groups)
		HOST_WARN(d->host, "domain %u freed with %u group(s) attached",
			  d->id, d->nr_groups);
	while ((n = rb_first(&d->ptes))) {
		rb_erase(n, &d->ptes);
		host_free(d->host, run_of(n));
	}
	host_free(d->host, d);
}

/* As in the arm-smmu drivers: only before the domain is first attached. */
int host_domain_enable_nesting(struct host_domain *d)
{
	if (!d->nesting_capable)
		return -EINVAL;
	if (d->nr_groups)
		return -EPERM;
	d->nesting = true;
	return 0;
}

/* In the IOMMU core's order: busy group, foreign domain, then the driver. */
int host_domain_attach(struct host_domain *d, struct vfiosim_group *g)
{
	int err = g->cfg.attach_error;

	if (g->domain)
		return -EBUSY;
	if (g->cfg.kind != VFIOSIM_GROUP_IOMMU || g->ops_id != d->ops_id)
		return -EINVAL;
	/* As iommufd refuses a device that cannot keep a domain's dirty bits. */
	if (g->cfg.dirty_tracking != d->dirty_capable)
		return -EINVAL;
	if (err)
		return err < 0 ? err : -err;
	g->domain = d;
	d->nr_groups++;
	return 0;
}

void host_domain_detach(struct host_domain *d, struct vfiosim_group *g)
{
	if (g->domain != d) {
		HOST_WARN(d->host, "group %u detached from domain %u it is not attached to",
			  g->id, d->id);
		return;
	}
	g->domain = NULL;
	d->nr_groups--;
}

/* ---------------------------------------------------------- dirty bits */

/* Cuts r before its page k (0 < k < npages); the tail, or NULL (a WARN). */
static struct host_iopte *run_cut(struct host_domain *d, struct host_iopte *r, uint64_t k)
{
	struct host_iopte *tail = host_alloc_nofail(d->host, sizeof(*tail));

	if (!tail) {
		HOST_WARN(d->host, "out of memory cutting an IOMMU run for its dirty bits");
		return NULL;
	}
	*tail = *r;
	tail->iova = r->iova + (k << r->pgshift);
	tail->paddr = r->paddr + (k << r->pgshift);
	tail->npages = r->npages - k;
	r->npages = k;
	run_link(d, tail);
	return tail;
}

/*
 * Gives every entry meeting [first, last] the dirty state dirty, whole
 * entries; fn (if any) first hears of each stretch that was dirty, clipped
 * to the range.
 */
static void runs_set_dirty(struct host_domain *d, uint64_t first, uint64_t last, bool dirty,
			   host_dirty_fn fn, void *opaque)
{
	uint64_t pos = first;

	for (;;) {
		struct host_iopte *r = run_from(d, pos), *piece;
		uint64_t end, k0, k1;

		if (!r || r->iova > last)
			return;
		end = run_last(r);
		if (r->dirty != dirty) {
			uint64_t lo = r->iova > first ? r->iova : first;
			uint64_t hi = end < last ? end : last;

			if (fn && r->dirty)
				fn(opaque, lo, hi - lo + 1);
			k0 = (lo - r->iova) >> r->pgshift;
			k1 = (hi - r->iova) >> r->pgshift;
			piece = k0 ? run_cut(d, r, k0) : r;
			if (!piece)
				return;
			if (k1 - k0 + 1 < piece->npages && !run_cut(d, piece, k1 - k0 + 1))
				return;
			piece->dirty = dirty;
			run_coalesce(d, piece);
		}
		if (end >= last)
			return;
		pos = end + 1;
	}
}

/* IOMMU_HWPT_SET_DIRTY_TRACKING */
int host_domain_set_dirty_tracking(struct host_domain *d, bool enable)
{
	if (!d->dirty_capable)
		return -EOPNOTSUPP;
	d->dirty_tracking = enable;
	return 0;
}

/* IOMMU_HWPT_GET_DIRTY_BITMAP, with or without its NO_CLEAR flag. */
int host_iommu_read_dirty(struct host_domain *d, uint64_t iova, uint64_t size, bool clear,
			  host_dirty_fn fn, void *opaque)
{
	uint64_t last = iova + (size - 1), pos = iova;
	struct host_iopte *r;

	if (!d->dirty_tracking || !size || last < iova || !fn)
		return -EINVAL;
	if (clear) {
		runs_set_dirty(d, iova, last, false, fn, opaque);
		return 0;
	}
	while ((r = run_from(d, pos)) && r->iova <= last) {
		uint64_t end = run_last(r);

		if (r->dirty) {
			uint64_t lo = r->iova > iova ? r->iova : iova;

			fn(opaque, lo, (end < last ? end : last) - lo + 1);
		}
		if (end >= last)
			break;
		pos = end + 1;
	}
	return 0;
}

void host_iommu_note_write(struct host_domain *d, uint64_t iova, uint64_t len)
{
	if (d->dirty_tracking && len && iova + (len - 1) >= iova)
		runs_set_dirty(d, iova, iova + (len - 1), true, NULL, NULL);
}
