/* SPDX-License-Identifier: MIT */
/*
 * type1.h - the model of Linux's vfio_iommu_type1 (7.3, and older versions
 * by choice: profile.h): its state and the functions its files share.
 *
 * One t1_iommu is one open container driver.  It owns a tree of DMA
 * mappings (t1_dma, by IOVA), each with a tree of the pages that vendor
 * drivers pinned through it (t1_pfn), the IOMMU domains that mirror every
 * mapping (t1_domain, newest first, each with its groups), the groups
 * without an IOMMU (emulated), and the list of IOVA ranges a mapping may
 * use (t1_iova, sorted, inclusive ends).  Each struct is the kernel's of
 * the same role, named in its comment; the fast copy-out's own
 * bookkeeping rides along at the end of two of them (fast.h).
 *
 * A function that stands for a kernel function names it first in its
 * comment ("vfio_find_dma(): ..."), so that grepping a name of
 * vfio_iommu_type1.c finds its place here.
 *
 * Arithmetic on IOVAs and sizes is done in uint64_t and wraps exactly
 * where the kernel's dma_addr_t arithmetic wraps, so that hostile inputs
 * take the kernel's paths.  A mapping may end at 2^64: every lookup
 * compares inclusive last addresses, never an end that would wrap to 0.
 * Nothing here may abort: the kernel's WARN_ON and BUG_ON become
 * HOST_WARN.
 */
#ifndef VFIOSIM_TYPE1_H
#define VFIOSIM_TYPE1_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/driver_ops.h"
#include "host/host.h"
#include "lib/bitmap.h"
#include "lib/rbtree.h"
#include "type1/fast.h"
#include "type1/profile.h"

/*
 * struct vfio_iommu_group: a group as the driver knows it, in one domain's
 * list or the emulated one.
 */
struct t1_group {
	struct t1_group *next;
	struct vfiosim_group *g;
	bool pinned_scope;		/* reports what it dirties via pinning */
	struct host_device *dev;	/* its device, while registered */
	struct t1_group *dev_next;	/* registered devices, newest first */
	bool dev_tracking;		/* extension: its device's tracker was
					   started for it (provider.c) */
};

/* struct vfio_domain. */
struct t1_domain {
	struct t1_domain *next;
	struct host_domain *hd;
	struct t1_group *groups;	/* newest first */
	bool fgsp;			/* unmapping one page of a superpage
					   takes the whole superpage */
	bool enforce_cc;
	bool sw_msi;			/* a software-managed MSI window ... */
	uint64_t sw_msi_base;		/* ... here (nothing in the mock uses it) */
	uint64_t stray_bytes;		/* left mapped by the superpage probe */
};

/* struct vfio_iova: a valid IOVA range [start, end]. */
struct t1_iova {
	struct t1_iova *next;
	uint64_t start, end;
};

/* struct vfio_pfn: a page pinned by a vendor driver, counted per pin call. */
struct t1_pfn {
	struct rb_node node;
	uint64_t iova;
	uint64_t pfn;
	unsigned int refs;
};

/*
 * struct vfio_dma: a mapping.  What a report reads of every mapping comes
 * last, next to the fast copy-out's flags, so that a walk over many
 * mappings touches as few cache lines of each as it can.
 */
struct t1_dma {
	uint64_t vaddr;
	uint64_t locked_vm;		/* pages charged to the process */
	int prot;			/* VFIOSIM_PROT_* */
	bool lock_cap;
	bool vaddr_invalid;
	bool iommu_mapped;		/* present in every domain */
	struct rb_node node;
	uint64_t iova;
	uint64_t size;			/* grows while the mapping is pinned */
	unsigned long *bitmap;		/* dirty pages while tracking (dirty.c) */
	uint64_t bitmap_pages;		/* bits the bitmap has room for */
	struct rb_root pfns;		/* struct t1_pfn by iova */
	struct t1_dma_fast fast;	/* not kernel state (fast.h) */
};

/* struct vfio_iommu. */
struct t1_iommu {
	struct vfiosim_host *h;
	unsigned int kernel;		/* the version it answers as (profile.h) */
	struct t1_domain *domains;	/* newest first: the head is "first" */
	struct t1_group *emulated;	/* newest first */
	struct t1_domain *external;	/* before 5.16: what the first emulated
					   group's attach allocated, kept while
					   any is attached (holds nothing) */
	struct t1_group *devices;	/* groups whose device is registered */
	struct t1_iova *iovas;
	struct rb_root dmas;		/* struct t1_dma by iova */
	unsigned int dma_avail;
	unsigned int dma_limit;		/* dma_entry_limit when opened */
	unsigned int vaddr_invalid_count;
	uint64_t pgsize_bitmap;
	uint64_t num_non_pinned_groups;
	bool v2;
	bool nesting;
	bool tracking;			/* dirty page tracking is on */
	/* Not type1: the dirty-provider extension (provider.c). */
	int provider;			/* VFIOSIM_DIRTY_PROVIDER_* */
	bool provider_chosen;		/* its request succeeded: GET_INFO says so */
	bool covered;			/* as of the last report's start */
	bool warned_pin_busy;		/* the kernel's WARN_ONCEs fired (once */
	bool warned_rw_busy;		/* per instance here, per boot there) */
	struct t1_fast_index dma_index;	/* not kernel state (fast.h) */
};

/* struct vfio_batch: pinned-but-not-yet-mapped pfns, carried between chunks. */
struct t1_batch {
	uint64_t *pfns;
	uint64_t one;			/* storage when no page could be had */
	long cap;
	long size;			/* pfns waiting */
	long offset;			/* index of the first waiting pfn */
	/*
	 * A batch of consecutive pfns is held as a run instead (any length,
	 * so that a whole range costs one step): size pfns from run_pfn.
	 */
	bool run;
	uint64_t run_pfn;
};

/* ------------------------------------------------------------ helpers */

/*
 * The x86-64 kernel's __ffs(): the index of the lowest set bit, and 64
 * for 0 (tzcnt).  The hardware then masks a 64-bit shift count to six
 * bits, which t1_shl/t1_shr reproduce so that a zero page-size bitmap
 * gives the kernel's results instead of undefined behaviour.
 */
static inline unsigned int t1_ffs(uint64_t x)
{
	return x ? (unsigned int)__builtin_ctzll(x) : 64;
}

static inline uint64_t t1_shl(uint64_t v, unsigned int n)
{
	return v << (n & 63);
}

static inline uint64_t t1_shr(uint64_t v, unsigned int n)
{
	return v >> (n & 63);
}

static inline uint64_t t1_min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* The smallest IOMMU page size the container offers (for MAP/UNMAP/GET). */
static inline uint64_t t1_min_pgsize(const struct t1_iommu *iommu)
{
	return t1_shl(1, t1_ffs(iommu->pgsize_bitmap));
}

static inline uint64_t t1_page_size(const struct t1_iommu *iommu)
{
	return iommu->h->page_size;
}

static inline unsigned int t1_page_shift(const struct t1_iommu *iommu)
{
	return iommu->h->page_shift;
}

/* The mapping's last byte (size 0, while it is being built: iova - 1). */
static inline uint64_t t1_dma_last(const struct t1_dma *dma)
{
	return dma->iova + dma->size - 1;
}

static inline struct t1_dma *t1_dma_of(const struct rb_node *n)
{
	return rb_entry_safe(n, struct t1_dma, node);
}

static inline struct t1_dma *t1_dma_first(struct t1_iommu *iommu)
{
	return t1_dma_of(rb_first(&iommu->dmas));
}

static inline struct t1_dma *t1_dma_next(struct t1_dma *dma)
{
	return t1_dma_of(rb_next(&dma->node));
}

static inline struct t1_dma *t1_dma_prev(struct t1_dma *dma)
{
	return t1_dma_of(rb_prev(&dma->node));
}

/* ------------------------------------------------- dma_tree.c */

struct t1_dma *t1_dma_find(struct t1_iommu *iommu, uint64_t start, uint64_t last);
struct t1_dma *t1_dma_first_in(struct t1_iommu *iommu, uint64_t start, uint64_t last);
struct t1_dma *t1_dma_ceil(struct t1_iommu *iommu, uint64_t iova);
struct t1_dma *t1_dma_floor(struct t1_iommu *iommu, uint64_t iova);
void t1_dma_link(struct t1_iommu *iommu, struct t1_dma *dma);
void t1_dma_unlink(struct t1_iommu *iommu, struct t1_dma *dma);
unsigned long t1_dma_count(struct t1_iommu *iommu);

/* ------------------------------------------------- pfn_tree.c */

struct t1_pfn *t1_pfn_find(struct t1_dma *dma, uint64_t iova);
int t1_pfn_add(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t iova, uint64_t pfn);
int t1_pfn_put(struct t1_iommu *iommu, struct t1_dma *dma, struct t1_pfn *vpfn);
uint64_t t1_pfn_count(struct t1_dma *dma, uint64_t iova, uint64_t len);
void t1_pfn_forget_all(struct t1_iommu *iommu, struct t1_dma *dma);

/* ------------------------------------------------- pgsize.c */

uint64_t t1_pgsize_compute(const struct t1_iommu *iommu);
void t1_pgsize_update(struct t1_iommu *iommu);

/* ------------------------------------------------- iova_list.c */

int t1_iova_append(struct t1_iommu *iommu, struct t1_iova **list, uint64_t start,
		   uint64_t end);
void t1_iova_free(struct t1_iommu *iommu, struct t1_iova **list);
int t1_iova_copy(struct t1_iommu *iommu, struct t1_iova **copy);
void t1_iova_replace(struct t1_iommu *iommu, struct t1_iova **copy);
bool t1_iova_range_valid(struct t1_iommu *iommu, uint64_t start, uint64_t last);
bool t1_iova_aper_conflict(struct t1_iommu *iommu, uint64_t start, uint64_t end);
int t1_iova_aper_resize(struct t1_iommu *iommu, struct t1_iova **list, uint64_t start,
			uint64_t end);
void t1_iova_aper_expand(struct t1_iommu *iommu, struct t1_iova *list);
bool t1_iova_resv_conflict(struct t1_iommu *iommu, const struct vfiosim_resv_region *resv,
			   unsigned int nr);
int t1_iova_resv_exclude(struct t1_iommu *iommu, struct t1_iova **list,
			 const struct vfiosim_resv_region *resv, unsigned int nr);
int t1_iova_resv_refresh(struct t1_iommu *iommu, struct t1_iova **list);
unsigned int t1_iova_count(const struct t1_iova *list);
/* The group's reserved regions into out[T1_MAX_RESV]; returns the count. */
#define T1_MAX_RESV	(VFIOSIM_MAX_RESV + 1)
unsigned int t1_group_resv(struct t1_iommu *iommu, struct vfiosim_group *g,
			   struct vfiosim_resv_region *out);

/* ------------------------------------------------- pin.c */

bool t1_pfn_rsvd(struct vfiosim_host *h, uint64_t pfn);
int t1_put_pfn(struct vfiosim_host *h, uint64_t pfn, int prot);
int t1_lock_acct(struct t1_iommu *iommu, struct t1_dma *dma, long npage);
uint64_t t1_put_pfns(struct vfiosim_host *h, uint64_t pfn, uint64_t npage, int prot);
void t1_batch_init(struct t1_iommu *iommu, struct t1_batch *b);
void t1_batch_release(struct t1_iommu *iommu, struct t1_batch *b, int prot);
void t1_batch_fini(struct t1_iommu *iommu, struct t1_batch *b, int prot);
long t1_pin_chunk(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t vaddr, long npage,
		  uint64_t *pfn_base, uint64_t limit, struct t1_batch *b);
long t1_unpin_chunk(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t iova, uint64_t pfn,
		    long npage, bool do_accounting);
int t1_pin_external(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t vaddr,
		    uint64_t *pfn, bool do_accounting);
int t1_unpin_external(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t iova,
		      bool do_accounting);

/* ------------------------------------------------- map.c */

long t1_ioctl_map_dma(struct t1_iommu *iommu, unsigned long arg);

/* ------------------------------------------------- unmap.c */

long t1_ioctl_unmap_dma(struct t1_iommu *iommu, unsigned long arg);
uint64_t t1_phys_run(struct t1_iommu *iommu, struct host_domain *hd, uint64_t iova,
		     uint64_t phys, uint64_t left);
long t1_unmap_unpin(struct t1_iommu *iommu, struct t1_dma *dma, bool do_accounting);
void t1_remove_dma(struct t1_iommu *iommu, struct t1_dma *dma);
void t1_remove_all(struct t1_iommu *iommu);
void t1_unmap_unpin_reaccount(struct t1_iommu *iommu);

/* ------------------------------------------------- info.c */

long t1_ioctl_get_info(struct t1_iommu *iommu, unsigned long arg);
long t1_check_extension(unsigned int kernel, struct t1_iommu *iommu, unsigned long ext);

/* ------------------------------------------------- attach.c */

int t1_attach_group(void *data, struct vfiosim_group *g, bool emulated);
void t1_detach_group(void *data, struct vfiosim_group *g);
void t1_group_free(struct t1_iommu *iommu, struct t1_group *tg);

/* ------------------------------------------------- scope.c */

struct t1_group *t1_group_find(struct t1_iommu *iommu, const struct vfiosim_group *g);
void t1_scope_join(struct t1_iommu *iommu, struct t1_group *tg);
void t1_scope_promote(struct t1_iommu *iommu, struct t1_group *tg);
void t1_scope_left(struct t1_iommu *iommu);
/*
 * The test of update_user_bitmap(): reports call every page of the mapping
 * dirty (inline: reports ask per mapping).
 */
static inline bool t1_scope_all_dirty(const struct t1_iommu *iommu, const struct t1_dma *dma)
{
	return iommu->num_non_pinned_groups && !iommu->covered && dma->iommu_mapped;
}
/* Some group outside the scope makes mappings all dirty (provider.c). */
static inline bool t1_scope_outside(const struct t1_iommu *iommu)
{
	return iommu->num_non_pinned_groups && !iommu->covered;
}
uint64_t t1_scope_count(const struct t1_iommu *iommu);

/* ------------------------------------------------- provider.c */

bool t1_provider_covered(const struct t1_iommu *iommu);
void t1_provider_settle(struct t1_iommu *iommu, bool was_covered);
void t1_provider_tracking(struct t1_iommu *iommu);
void t1_provider_attached(struct t1_iommu *iommu, bool was_covered);
void t1_provider_group_gone(struct t1_group *tg);
void t1_provider_salvage(struct t1_iommu *iommu, struct t1_domain *dom, struct t1_group *tg);
void t1_provider_discard(void *opaque, uint64_t iova, uint64_t len);
void t1_provider_harvest(struct t1_iommu *iommu, uint64_t iova, uint64_t last);
void t1_provider_forget(struct t1_iommu *iommu, struct t1_dma *dma);
long t1_ioctl_dirty_provider(struct t1_iommu *iommu, unsigned long arg);
void t1_provider_info(const struct t1_iommu *iommu,
		      struct vfiosim_iommu_type1_info_cap_dirty_provider *cap);
int t1_provider_check(const struct t1_iommu *iommu, char *why, size_t len);

/* ------------------------------------------------- dirty.c */

/*
 * A mapping's bitmap is one allocation: one bit per page of room, a spare
 * word (the kernel's algorithm shifts the bits in place onto the user's
 * word grid), then whatever the fast copy-out keeps behind it (fast.h).
 */
static inline uint64_t t1_bitmap_words(uint64_t room)
{
	return BITS_TO_LONGS(room) + 1;
}

/* Pages of 2^pgshift bytes the mapping spans, a partial last one included. */
static inline uint64_t t1_dirty_nbits(const struct t1_dma *dma, unsigned int pgshift)
{
	uint64_t n = t1_shr(dma->size, pgshift);

	if (pgshift < 64 && (dma->size & ((1ULL << pgshift) - 1)))
		n++;
	return n;
}

uint64_t t1_start_pgsize(uint64_t pgsize_bitmap);
int t1_bitmap_alloc(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t pgsize);
void t1_bitmap_free(struct t1_iommu *iommu, struct t1_dma *dma);
/* Clips [first, first + *nbits) to the bitmap (a WARN); false if nothing is left. */
bool t1_dirty_clip(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t first,
		   uint64_t *nbits);
/* t1_dirty_clip() from bit 0 in the common case, inline: the bitmap holds nbits > 0 bits. */
static inline bool t1_dirty_room(const struct t1_dma *dma, uint64_t nbits)
{
	return dma->bitmap && nbits && nbits <= dma->bitmap_pages;
}
void t1_dirty_mark(struct t1_iommu *iommu, struct t1_dma *dma, uint64_t first,
		   uint64_t nbits);
bool t1_dirty_mark_pinned(struct t1_iommu *iommu, struct t1_dma *dma, unsigned int pgshift);
void t1_dirty_fill_all(struct t1_iommu *iommu, bool iommu_mapped_only);
void t1_dirty_rescale(struct t1_iommu *iommu, unsigned int old_shift, unsigned int new_shift);
int t1_dirty_report(struct t1_iommu *iommu, uint64_t ubitmap, uint64_t iova, uint64_t size,
		    uint64_t pgsize, bool restart);
long t1_ioctl_dirty_pages(struct t1_iommu *iommu, unsigned long arg);
/* t1_copy_strategy_set/_get/_name: strategy.h */

/* ------------------------------------------------- bitmap_args.c */

/* The largest bitmap: bitmap_set() counts bits in an int. */
#define T1_BITMAP_PAGES_MAX	((uint64_t)INT_MAX)
/* Bytes of a user dirty bitmap for n pages: whole u64 words (wraps like the kernel's). */
#define T1_BITMAP_BYTES(n)	((((uint64_t)(n) + 63) & ~(uint64_t)63) / 8)
#define T1_BITMAP_BYTES_MAX	T1_BITMAP_BYTES(T1_BITMAP_PAGES_MAX)

int t1_verify_bitmap_size(uint64_t npages, uint64_t bytes);
int t1_bitmap_arg_check(struct t1_iommu *iommu, const struct vfio_bitmap *bm, uint64_t size);
int t1_bitmap_unit_check(struct t1_iommu *iommu, uint64_t pgsize);
bool t1_range_cuts_dma(struct t1_iommu *iommu, uint64_t iova, uint64_t last);

/* ------------------------------------------------- kalg_copy.c */

int t1_report_kernel(struct t1_iommu *iommu, uint64_t ubitmap, uint64_t iova, uint64_t last,
		     unsigned int pgshift, bool restart);

/* ------------------------------------------------- external.c */

int t1_pin_pages(void *data, struct vfiosim_group *g, uint64_t iova, int npage, int prot,
		 uint64_t *pfns);
void t1_unpin_pages(void *data, uint64_t iova, int npage);
int t1_dma_rw(void *data, uint64_t iova, void *buf, size_t len, bool write);
void t1_register_device(void *data, struct host_device *dev);
void t1_unregister_device(void *data, struct host_device *dev);
void t1_notify_unmap(struct t1_iommu *iommu, uint64_t iova, uint64_t size);

/* ------------------------------------------------- check.c */

int t1_check(void *data, char *why, size_t len);
uint64_t t1_locked_pages(void *data);

/* ioctl.c defines vfiosim_backend (core/driver_ops.h); profile.c: profile.h. */

#endif /* VFIOSIM_TYPE1_H */
