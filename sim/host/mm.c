// SPDX-License-Identifier: MIT
/*
 * mm.c - the simulated process's address space: guest memory ranges, the
 * page frames behind them, long-term pins and locked_vm.
 *
 * A range is indexed twice: by address while it is mapped, and by pfn for
 * as long as it exists, because a pinned page outlives its mapping (the
 * device may still DMA into it and type1 still has to unpin it).
 *
 * What a range costs does not grow with its size: a struct host_vma,
 * backing bytes reserved but committed only where they are written, and
 * pin counts kept as runs of equal counts (pins.c).  A guest of many TiB,
 * pinned whole by type1 and here and there by a vendor driver, costs
 *
 *     sizeof(struct host_vma) + 48 bytes * (2 * scattered pins + 1)
 *
 * per range, plus the pages it actually wrote.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "host/internal.h"

/* RAM pfns stop where MMIO starts; MMIO gets as many again. */
#define HOST_RAM_PFN_END	HOST_MMIO_PFN_BASE
#define HOST_MMIO_PFN_END	(2 * HOST_MMIO_PFN_BASE)
/* pfns mirror the address modulo this, so huge IOMMU pages stay possible. */
#define HOST_PFN_COLOUR_BYTES	(1ULL << 30)

void host_mm_init(struct vfiosim_host *h)
{
	h->mm.vmas = RB_ROOT;
	h->mm.frames = RB_ROOT;
	h->mm.next_pfn = HOST_RAM_PFN_BASE;
	h->mm.next_mmio_pfn = HOST_MMIO_PFN_BASE;
}

static uint64_t vma_npages(const struct vfiosim_host *h, const struct host_vma *v)
{
	return (v->end - v->start) >> h->page_shift;
}

/*
 * Page index to pfn offset.  SCATTER swaps each even page with the next
 * one (when it has one); a swap is its own inverse, so the same function
 * turns a pfn offset back into a page index.
 */
static uint64_t vma_swizzle(const struct vfiosim_host *h, const struct host_vma *v,
			    uint64_t i)
{
	if ((v->flags & VFIOSIM_MM_SCATTER) && (i ^ 1) < vma_npages(h, v))
		return i ^ 1;
	return i;
}

static uint64_t vma_page_pfn(const struct vfiosim_host *h, const struct host_vma *v,
			     uint64_t vaddr)
{
	return v->pfn_base + vma_swizzle(h, v, (vaddr - v->start) >> h->page_shift);
}

/* The live ranges are found by an address they hold. */
static int vma_cmp(const void *key, const struct rb_node *n)
{
	uint64_t addr = *(const uint64_t *)key;
	const struct host_vma *v = rb_entry(n, struct host_vma, node);

	return addr < v->start ? -1 : addr >= v->end;
}

/* The live range containing addr or, failing that, the first one above. */
struct host_vma *host_mm_vma_from(const struct vfiosim_host *h, uint64_t addr)
{
	return rb_entry_safe(rb_find_ceil(&addr, &h->mm.vmas, vma_cmp), struct host_vma, node);
}

static struct host_vma *vma_at(const struct vfiosim_host *h, uint64_t vaddr)
{
	struct host_vma *v = host_mm_vma_from(h, vaddr);

	return v && v->start <= vaddr ? v : NULL;
}

struct host_vma *host_mm_find_vma(struct vfiosim_host *h, uint64_t vaddr)
{
	return vma_at(h, vaddr);
}

static struct host_vma *vma_next(struct host_vma *v)
{
	return rb_entry_safe(rb_next(&v->node), struct host_vma, node);
}

/* The range (mapped or only pinned) whose frames include pfn. */
static struct host_vma *frame_find(const struct vfiosim_host *h, uint64_t pfn)
{
	struct rb_node *n = h->mm.frames.rb_node;

	while (n) {
		struct host_vma *v = rb_entry(n, struct host_vma, pfn_node);

		if (pfn < v->pfn_base)
			n = n->rb_left;
		else if (pfn - v->pfn_base >= vma_npages(h, v))
			n = n->rb_right;
		else
			return v;
	}
	return NULL;
}

static int vma_less(const struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct host_vma, node)->start <
	       rb_entry(b, struct host_vma, node)->start;
}

static int frame_less(const struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct host_vma, pfn_node)->pfn_base <
	       rb_entry(b, struct host_vma, pfn_node)->pfn_base;
}

static void vma_insert(struct vfiosim_host *h, struct host_vma *v)
{
	rb_add(&v->node, &h->mm.vmas, vma_less);
	rb_add(&v->pfn_node, &h->mm.frames, frame_less);
}

static void vma_free(struct vfiosim_host *h, struct host_vma *v)
{
	host_pins_free(v);
	if (v->backing)
		munmap(v->backing, v->end - v->start);
	free(v);
}

/* The range leaves the pfn index too: its frames are gone for good. */
static void vma_destroy(struct vfiosim_host *h, struct host_vma *v)
{
	rb_erase(&v->pfn_node, &h->mm.frames);
	vma_free(h, v);
}

/*
 * The first free pfn, in RAM or MMIO space, whose physical address has the
 * same offset as vaddr within a 1 GiB frame; 0 if the space is exhausted.
 * pfns are never handed out twice, so a stale pfn is always recognisable.
 */
static uint64_t pfn_range_alloc(struct vfiosim_host *h, uint64_t vaddr, uint64_t npages,
				bool mmio)
{
	uint64_t colours = HOST_PFN_COLOUR_BYTES >> h->page_shift;
	uint64_t next = mmio ? h->mm.next_mmio_pfn : h->mm.next_pfn;
	uint64_t end = mmio ? HOST_MMIO_PFN_END : HOST_RAM_PFN_END;
	uint64_t want = (vaddr >> h->page_shift) & (colours - 1);
	uint64_t base = next + ((want - next) & (colours - 1));

	if (base >= end || npages > end - base)
		return 0;
	return base;
}

int vfiosim_mm_map_flags(struct vfiosim_host *h, uint64_t vaddr, uint64_t len,
			 int prot, unsigned int flags)
{
	uint64_t mask = h->page_size - 1, npages, pfn_base;
	bool mmio = flags & VFIOSIM_MM_PFNMAP;
	struct host_vma *v;
	void *backing;

	if (flags & ~(unsigned int)(VFIOSIM_MM_PFNMAP | VFIOSIM_MM_SCATTER))
		return -EINVAL;
	if (!prot || (prot & ~(VFIOSIM_PROT_READ | VFIOSIM_PROT_WRITE)))
		return -EINVAL;
	if (!len || ((vaddr | len) & mask) || vaddr < HOST_NULL_GUARD ||
	    vaddr > HOST_TASK_SIZE_MAX || len > HOST_TASK_SIZE_MAX - vaddr)
		return -EINVAL;
	v = host_mm_vma_from(h, vaddr);
	if (v && v->start < vaddr + len)
		return -EEXIST;

	npages = len >> h->page_shift;
	pfn_base = pfn_range_alloc(h, vaddr, npages, mmio);
	if (!pfn_base)
		return -ENOMEM;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->start = vaddr;
	v->end = vaddr + len;
	v->prot = prot;
	v->flags = flags;
	v->pfn_base = pfn_base;
	v->pins = RB_ROOT;
	backing = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (backing == MAP_FAILED)
		goto nomem;
	v->backing = backing;

	if (mmio)
		h->mm.next_mmio_pfn = pfn_base + npages;
	else
		h->mm.next_pfn = pfn_base + npages;
	vma_insert(h, v);
	return 0;

nomem:
	vma_free(h, v);
	return -ENOMEM;
}

int vfiosim_mm_map(struct vfiosim_host *h, uint64_t vaddr, uint64_t len, int prot)
{
	return vfiosim_mm_map_flags(h, vaddr, len, prot, 0);
}

int vfiosim_mm_unmap(struct vfiosim_host *h, uint64_t vaddr, uint64_t len)
{
	uint64_t end = vaddr + len;
	struct host_vma *v, *next;

	if (!len || ((vaddr | len) & (h->page_size - 1)) || end < vaddr)
		return -EINVAL;
	/* All or nothing: refuse before touching anything. */
	for (v = host_mm_vma_from(h, vaddr); v && v->start < end; v = vma_next(v))
		if (v->start < vaddr || v->end > end)
			return -EINVAL;
	for (v = host_mm_vma_from(h, vaddr); v && v->start < end; v = next) {
		next = vma_next(v);
		rb_erase(&v->node, &h->mm.vmas);
		if (v->pinned)
			v->unmapped = true;
		else
			vma_destroy(h, v);
	}
	return 0;
}

/* check_vma_flags() for FOLL_LONGTERM without FOLL_FORCE. */
static int vma_pinnable(const struct host_vma *v, bool write)
{
	if (!v || (v->flags & VFIOSIM_MM_PFNMAP))
		return -EFAULT;
	if (!(v->prot & (write ? VFIOSIM_PROT_WRITE : VFIOSIM_PROT_READ)))
		return -EFAULT;
	return 0;
}

/*
 * Pins up to npages pages of v from vaddr on, all inside v: how many it
 * pinned (fewer at a saturated count), -ENOMEM if none.
 */
static long vma_pin(struct vfiosim_host *h, struct host_vma *v, uint64_t vaddr, uint64_t npages)
{
	uint64_t room = (v->end - vaddr) >> h->page_shift;
	long got = host_pins_add(v, (vaddr - v->start) >> h->page_shift,
				 npages < room ? npages : room);

	if (got <= 0)
		return -ENOMEM;
	h->mm.pinned_total += (uint64_t)got;
	return got;
}

/*
 * Like __get_user_pages(), a run of pages may cross from one range into an
 * adjacent one; what stops it is a gap, a range that refuses the access, or
 * a page that cannot be pinned.  Progress wins over the error.
 */
long host_mm_pin_pages(struct vfiosim_host *h, uint64_t vaddr, long npages,
		       bool write, uint64_t *pfns)
{
	long done = 0, got, k;
	int err = 0;

	vaddr &= ~(h->page_size - 1);
	while (done < npages) {
		struct host_vma *v = host_mm_find_vma(h, vaddr);

		err = vma_pinnable(v, write);
		if (err)
			break;
		got = vma_pin(h, v, vaddr, (uint64_t)(npages - done));
		if (got < 0) {
			err = (int)got;
			break;
		}
		for (k = 0; pfns && k < got; k++)
			pfns[done + k] = vma_page_pfn(h, v, vaddr + ((uint64_t)k << h->page_shift));
		done += got;
		vaddr += (uint64_t)got << h->page_shift;
		if (vaddr < v->end && done < npages) {
			err = -ENOMEM;
			break;
		}
	}
	return done ? done : err;
}

long host_mm_pin_run(struct vfiosim_host *h, uint64_t vaddr, long npages, bool write,
		     uint64_t *pfn)
{
	struct host_vma *v;
	int err;

	if (npages <= 0)
		return 0;
	vaddr &= ~(h->page_size - 1);
	v = host_mm_find_vma(h, vaddr);
	err = vma_pinnable(v, write);
	if (err)
		return err;
	*pfn = vma_page_pfn(h, v, vaddr);
	/* A scattered range has no two consecutive pfns in a row to offer. */
	return vma_pin(h, v, vaddr, (v->flags & VFIOSIM_MM_SCATTER) ? 1 : (uint64_t)npages);
}

void host_mm_unpin_page(struct vfiosim_host *h, uint64_t pfn, bool dirty)
{
	host_mm_unpin_pages(h, pfn, 1, dirty);
}

void host_mm_unpin_pages(struct vfiosim_host *h, uint64_t pfn, uint64_t npages, bool dirty)
{
	while (npages) {
		struct host_vma *v = frame_find(h, pfn);
		uint64_t i, n = 1;

		if (!v || (v->flags & VFIOSIM_MM_PFNMAP)) {
			HOST_WARN(h, "unpin of pfn 0x%llx, not a pinnable page",
				  (unsigned long long)pfn);
			goto next;
		}
		i = vma_swizzle(h, v, pfn - v->pfn_base);
		/* Whole stretches of one plain range at once. */
		if (npages > 1 && !(v->flags & VFIOSIM_MM_SCATTER)) {
			n = vma_npages(h, v) - i;
			if (n > npages)
				n = npages;
			if (!host_pins_all(v, i, n))
				n = 1;
		}
		if (!host_pins_count(v, i)) {
			HOST_WARN(h, "unpin of pfn 0x%llx, not pinned", (unsigned long long)pfn);
			goto next;
		}
		host_pins_drop(v, i, n);
		h->mm.pinned_total -= n;
		if (v->unmapped && !v->pinned)
			vma_destroy(h, v);
next:
		pfn += n;
		npages -= n;
	}
}

int host_mm_follow_pfn(struct vfiosim_host *h, uint64_t vaddr, bool write, uint64_t *pfn)
{
	struct host_vma *v = host_mm_find_vma(h, vaddr);

	if (!v || !(v->flags & VFIOSIM_MM_PFNMAP))
		return -EFAULT;
	if (write && !(v->prot & VFIOSIM_PROT_WRITE))
		return -EFAULT;
	*pfn = vma_page_pfn(h, v, vaddr);
	return 0;
}

/* Every RAM pfn ever handed out has a struct page, even once freed. */
bool host_pfn_valid(struct vfiosim_host *h, uint64_t pfn)
{
	return pfn >= HOST_RAM_PFN_BASE && pfn < h->mm.next_pfn;
}

bool host_pfn_reserved(struct vfiosim_host *h, uint64_t pfn)
{
	return false;
}

uint64_t host_pfn_ram_run(struct vfiosim_host *h, uint64_t pfn, uint64_t n)
{
	if (!host_pfn_valid(h, pfn) || host_pfn_reserved(h, pfn))
		return 0;
	/* Simulated RAM is one stretch of valid pfns, none of them reserved. */
	return h->mm.next_pfn - pfn < n ? h->mm.next_pfn - pfn : n;
}

unsigned char *host_pfn_bytes(struct vfiosim_host *h, uint64_t pfn)
{
	struct host_vma *v = frame_find(h, pfn);

	if (!v)
		return NULL;
	return v->backing + (vma_swizzle(h, v, pfn - v->pfn_base) << h->page_shift);
}

uint64_t host_mm_lock_limit(const struct vfiosim_host *h)
{
	if (!h->cfg.memlock_limit)
		return UINT64_MAX >> h->page_shift;
	return h->cfg.memlock_limit >> h->page_shift;
}

bool host_capable_ipc_lock(const struct vfiosim_host *h)
{
	return h->cfg.cap_ipc_lock;
}

int host_mm_account(struct vfiosim_host *h, long npages, bool lock_cap)
{
	struct host_mm *mm = &h->mm;
	uint64_t pages;

	if (npages >= 0) {
		pages = (uint64_t)npages;
		if (!lock_cap) {
			uint64_t limit = host_mm_lock_limit(h);

			if (mm->locked_vm > limit || pages > limit - mm->locked_vm)
				return -ENOMEM;
		}
		mm->locked_vm += pages;
		return 0;
	}
	pages = 0 - (uint64_t)npages;
	if (pages > mm->locked_vm)
		HOST_WARN(h, "locked_vm underflow: %llu - %llu",
			  (unsigned long long)mm->locked_vm, (unsigned long long)pages);
	/* The kernel lets it wrap after the warning; so do we. */
	mm->locked_vm -= pages;
	return 0;
}

uint64_t host_mm_locked_vm(const struct vfiosim_host *h)
{
	return h->mm.locked_vm;
}

uint64_t vfiosim_mm_locked_vm(const struct vfiosim_host *h)
{
	return h->mm.locked_vm;
}

long vfiosim_mm_pin_count(const struct vfiosim_host *h, uint64_t vaddr)
{
	struct host_vma *v = vma_at(h, vaddr);

	if (!v)
		return -EFAULT;
	return (long)host_pins_count(v, (vaddr - v->start) >> h->page_shift);
}

uint64_t vfiosim_mm_pfn(const struct vfiosim_host *h, uint64_t vaddr)
{
	struct host_vma *v = vma_at(h, vaddr);

	return v ? vma_page_pfn(h, v, vaddr) : 0;
}

uint64_t vfiosim_mm_pinned_total(const struct vfiosim_host *h)
{
	return h->mm.pinned_total;
}

void *vfiosim_mm_ptr(struct vfiosim_host *h, uint64_t vaddr)
{
	struct host_vma *v = host_mm_find_vma(h, vaddr);

	return v ? v->backing + (vaddr - v->start) : NULL;
}

void host_mm_release(struct vfiosim_host *h)
{
	struct rb_node *n;

	/* The pfn index holds every range, mapped or kept alive by pins. */
	while ((n = rb_first(&h->mm.frames))) {
		struct host_vma *v = rb_entry(n, struct host_vma, pfn_node);

		if (!v->unmapped)
			rb_erase(&v->node, &h->mm.vmas);
		vma_destroy(h, v);
	}
}
