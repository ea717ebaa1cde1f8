/* SPDX-License-Identifier: MIT */
/*
 * host.h - the simulated machine, as the backends and the container layer
 * see it: one process (address space, pins, locked_vm, user copies), the
 * mock IOMMU (groups, domains, page tables), fault injection and the
 * ground-truth write log.  Nothing here knows about type1.
 *
 * Internal to the simulator: tests use vfiosim.h only.
 */
#ifndef VFIOSIM_HOST_H
#define VFIOSIM_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfiosim.h"
#include "../lib/rbtree.h"

/* The highest user address + 1 (x86-64, 4-level paging): access_ok limit. */
#define HOST_TASK_SIZE_MAX	0x7ffffffff000ULL
/* Addresses below this never map (mmap_min_addr). */
#define HOST_NULL_GUARD		0x10000ULL
/* First pfn handed out for RAM; pfn 0 and phys 0 are never valid. */
#define HOST_RAM_PFN_BASE	0x100000ULL
/* MMIO (PFNMAP) pfns come from a separate range with no struct page. */
#define HOST_MMIO_PFN_BASE	0x8000000000ULL

/* ---------------------------------------------------------------- alloc */

struct host_faults {
	unsigned long alloc_calls;	/* allocations attempted */
	unsigned long fail_alloc_at;	/* alloc_calls value that fails; 0 = none */
	unsigned long copy_calls;	/* user copies attempted */
	unsigned long fail_copy_at;
	unsigned long live;		/* allocations not yet freed */
};

/*
 * Counted allocation with failure injection.  Every allocation the model
 * or the kernel shims make goes through here.  host_alloc() zeroes when
 * zero is set; host_free(NULL) is a no-op.
 */
void *host_alloc(struct vfiosim_host *h, size_t size, bool zero);
void *host_realloc(struct vfiosim_host *h, void *p, size_t size);
void host_free(struct vfiosim_host *h, void *p);
/*
 * Zeroed, counted as live, but neither counted as a call nor failed by
 * injection: for memory the simulation needs where the kernel allocates
 * nothing (cutting a mock page-table run in two on unmap).  Freed with
 * host_free().
 */
void *host_alloc_nofail(struct vfiosim_host *h, size_t size);

/*
 * WARN_ON / BUG_ON inside the simulated kernel: counted, never fatal;
 * printed unless expected (vfiosim_expect_warnings()).  h NULL, or a host
 * being freed: the process's channel.
 */
void host_warn(struct vfiosim_host *h, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define HOST_WARN(h, ...) host_warn((h), __FILE__, __LINE__, __VA_ARGS__)

/* The Linux version the host asks backends to follow (0 in the config:
 * VFIOSIM_KERNEL_NEWEST). */
unsigned int host_kernel(const struct vfiosim_host *h);

/* A consistency check's verdict: the reason into why (if any), -EUCLEAN. */
int host_check_fail(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ----------------------------------------------------- process memory */

struct host_pin_run;			/* private to pins.c */

struct host_vma {
	struct rb_node node;		/* in host_mm.vmas, by start */
	struct rb_node pfn_node;	/* in host_mm.frames, by pfn_base */
	uint64_t start, end;		/* [start, end), page aligned */
	int prot;			/* VFIOSIM_PROT_* */
	unsigned int flags;		/* VFIOSIM_MM_* */
	uint64_t pfn_base;		/* pfn of the page at start (see scatter) */
	unsigned char *backing;		/* the bytes, lazily committed */
	struct rb_root pins;		/* pin counts, as runs (pins.c) */
	struct host_pin_run *pin_hint;	/* the run last found there */
	uint64_t pinned;		/* pages with a non-zero pin count */
	bool unmapped;			/* gone from the address space, kept
					   alive by pins */
};

struct host_mm {
	struct rb_root vmas;		/* live ranges by address */
	struct rb_root frames;		/* every range (also unmapped, pinned) by pfn */
	uint64_t next_pfn;		/* RAM pfn allocator */
	uint64_t next_mmio_pfn;
	uint64_t locked_vm;		/* pages */
	uint64_t pinned_total;
};

/*
 * pin_user_pages_remote(FOLL_LONGTERM [| FOLL_WRITE]): pins up to npages
 * consecutive pages from vaddr.  Like __get_user_pages() it continues into
 * an adjacent range; it stops at a gap, at a PFNMAP range or at a range
 * whose protection does not allow the access (write needs PROT_WRITE, read
 * PROT_READ).  Returns the number pinned (>= 1), -EFAULT if the first page
 * cannot be pinned (-ENOMEM only on real memory exhaustion), 0 if
 * npages <= 0.
 */
long host_mm_pin_pages(struct vfiosim_host *h, uint64_t vaddr, long npages,
		       bool write, uint64_t *pfns);
/*
 * The same, but only pages with consecutive pfns inside one range (all
 * of them when the range is not SCATTER): the first pfn in *pfn; returns
 * the number pinned, which may be short of npages wherever the range or
 * the pfns stop, or the error of the first page.
 */
long host_mm_pin_run(struct vfiosim_host *h, uint64_t vaddr, long npages, bool write,
		     uint64_t *pfn);
/* Drops one pin on a RAM pfn; a WARN if it was not pinned. */
void host_mm_unpin_page(struct vfiosim_host *h, uint64_t pfn, bool dirty);
/* host_mm_unpin_page() on npages consecutive pfns, a stretch at a time. */
void host_mm_unpin_pages(struct vfiosim_host *h, uint64_t pfn, uint64_t npages, bool dirty);
/* The range containing vaddr, NULL if none. */
struct host_vma *host_mm_find_vma(struct vfiosim_host *h, uint64_t vaddr);
/* pfn of vaddr in a PFNMAP range (follow_pfnmap): -EFAULT if not PFNMAP,
 * not mapped, or not writable when write is asked. */
int host_mm_follow_pfn(struct vfiosim_host *h, uint64_t vaddr, bool write,
		       uint64_t *pfn);
/* pfn_valid(): the pfn has a struct page (RAM, possibly unmapped-but-pinned). */
bool host_pfn_valid(struct vfiosim_host *h, uint64_t pfn);
/* PageReserved() of a valid pfn: never, for simulated RAM. */
bool host_pfn_reserved(struct vfiosim_host *h, uint64_t pfn);
/* How many pfns from pfn on, at most n, are valid and not reserved (0 if
 * pfn is not). */
uint64_t host_pfn_ram_run(struct vfiosim_host *h, uint64_t pfn, uint64_t n);
/* The bytes of one pfn (RAM or MMIO), NULL if the pfn is unknown. */
unsigned char *host_pfn_bytes(struct vfiosim_host *h, uint64_t pfn);

/*
 * __account_locked_vm(): npages > 0 charges, checking RLIMIT_MEMLOCK
 * unless lock_cap (-ENOMEM if it would be exceeded); npages < 0 uncharges
 * (a WARN on underflow).
 */
int host_mm_account(struct vfiosim_host *h, long npages, bool lock_cap);
uint64_t host_mm_locked_vm(const struct vfiosim_host *h);
/* RLIMIT_MEMLOCK in pages (UINT64_MAX / page_size when unlimited). */
uint64_t host_mm_lock_limit(const struct vfiosim_host *h);
bool host_capable_ipc_lock(const struct vfiosim_host *h);

/* ------------------------------------------------------------- uaccess */

struct host_uregion {
	struct rb_node node;
	uint64_t start, end;
	int prot;
};

/* access_ok(): uaddr + size does not wrap and stays within the user limit. */
bool host_access_ok(const struct vfiosim_host *h, uint64_t uaddr, uint64_t size);
/*
 * copy_from_user / copy_to_user.  A user address inside guest memory is
 * guest memory; otherwise it is the calling program's memory, subject to
 * the registered regions.  Return the number of bytes NOT copied (0 on
 * success).  A failing copy_from_user zero-fills the rest of dst, as the
 * kernel does.  Each call counts once for vfiosim_fail_nth_copy().
 */
unsigned long host_copy_from_user(struct vfiosim_host *h, void *dst,
				  uint64_t uaddr, unsigned long n);
unsigned long host_copy_to_user(struct vfiosim_host *h, uint64_t uaddr,
				const void *src, unsigned long n);
/*
 * copy_from_user() for observers of the simulation (the dirty-page
 * oracle): the same accessibility rules, but neither counted nor failed
 * by vfiosim_fail_nth_copy().  Returns the bytes not copied.
 */
unsigned long host_peek_user(struct vfiosim_host *h, void *dst, uint64_t uaddr,
			     unsigned long n);

/*
 * user_access_begin() for a writer that works on the user's memory in
 * place (the fast copy-out, writing bits where unsafe_put_user() would):
 * the n bytes at uaddr, when they are one stretch of memory both readable
 * and writable under the rules above (one guest range, one registered
 * region, or in permissive mode program memory outside every region).
 * NULL when they are not, with nothing counted: the caller copies
 * instead.  Otherwise the call counts as one copy for
 * vfiosim_fail_nth_copy() (*err -EFAULT and NULL when that fails it), and
 * watchers journal the n bytes as written.  The pointer is good until the
 * host's memory map or regions change; the caller may not read bytes it
 * has written as the user's.
 */
void *host_user_window(struct vfiosim_host *h, uint64_t uaddr, unsigned long n, int *err);

/*
 * A watch on the user bytes [lo, hi): while it is on, every copy_to_user()
 * reaching them is journalled with the bytes it overwrote, whoever makes
 * it (a backend's report, an argument written back, a vendor's dma_rw).
 * An observer that must know what a call changed in a large user buffer
 * reads back only the bytes the journal names, instead of the whole
 * buffer before and after.  Writes by any other path (a device's DMA)
 * are not seen.  The journal is plain memory, outside the simulator's
 * allocation counts and fault injection.
 */
struct host_uwrite {
	uint64_t uaddr;			/* [uaddr, uaddr + len) inside the watch */
	uint64_t len;
	size_t old;			/* the bytes it overwrote: old[old..] */
};

struct host_uwatch {
	struct host_uwatch *next;	/* the host's watches that are on */
	struct vfiosim_host *host;	/* NULL when off */
	uint64_t lo, hi;
	struct host_uwrite *w;		/* in the order they were made */
	size_t n, cap;
	unsigned char *old;
	size_t old_len, old_cap;
	bool lost;			/* out of memory: the journal misses writes */
};

/* Turns w on over [lo, hi) with an empty journal; hi <= lo watches nothing. */
void host_uwatch_start(struct vfiosim_host *h, struct host_uwatch *w, uint64_t lo,
		       uint64_t hi);
/* Turns w off (if on); its journal stays readable until host_uwatch_release(). */
void host_uwatch_stop(struct host_uwatch *w);
/* Off, and the journal freed: w is as zeroed. */
void host_uwatch_release(struct host_uwatch *w);

/* ---------------------------------------------------------- mock IOMMU */

struct host_iopte;			/* page-table run, private to iommu.c */

struct host_domain {
	struct vfiosim_host *host;
	unsigned int id;
	unsigned int ops_id;		/* "iommu_ops": the owner group's iommu_id,
					   or a unique value */
	uint64_t pgsize_bitmap;
	uint64_t aperture_start, aperture_end;
	bool enforce_cc;		/* can enforce cache coherency */
	bool nesting_capable;
	bool nesting;			/* enable_nesting() was called */
	bool dirty_capable;		/* keeps dirty bits (cfg.dirty_tracking) */
	bool dirty_tracking;		/* device writes set them now */
	unsigned int nr_groups;		/* attached groups */
	struct rb_root ptes;		/* runs of same-size pages by iova */
	uint64_t mapped_bytes;
	uint64_t map_calls, unmap_calls;
};

struct host_device {
	struct vfiosim_group *group;
	vfiosim_dma_unmap_fn dma_unmap;	/* NULL: the default reaction */
	void *opaque;
};

/*
 * A device's own dirty tracker (cfg.tracker_ranges), as a device behind
 * VFIO_DEVICE_FEATURE_DMA_LOGGING_* keeps one: started on a few IOVA
 * ranges, it records the pages the device writes in them.  A write outside
 * its ranges, or more dirty pages than it can hold, leaves it failed: it
 * no longer knows what was written, until it is started again.
 */
struct host_range {
	uint64_t first, last;		/* inclusive */
};

struct host_tracker {
	bool running;
	bool failed;
	unsigned int pgshift;
	unsigned int nr_ranges;
	struct host_range *ranges;	/* sorted, apart */
	struct host_range *dirty;	/* dirty pages (indexes), sorted, apart */
	size_t nr_dirty, cap_dirty;
	uint64_t dirty_pages;
};

struct vfiosim_group {
	struct vfiosim_host *host;
	unsigned int id;
	struct vfiosim_group_config cfg;	/* defaults filled in */
	struct host_device dev;
	struct host_domain *domain;	/* attached domain, NULL if none */
	struct host_tracker tracker;	/* the device's own, if cfg has one */
	unsigned int ops_id;		/* its IOMMU's identity: cfg.iommu_id,
					   or a value of its own if that is 0 */
	void *container;		/* owner container (core layer) */
	void *priv;			/* for the container layer */
	struct vfiosim_group *next;	/* host's list */
};

/* iommu_paging_domain_alloc() for the group's IOMMU; NULL + errno. */
struct host_domain *host_domain_alloc(struct vfiosim_group *g);
/* Frees the domain, its page table; WARNs if groups are still attached. */
void host_domain_free(struct host_domain *d);
/* iommu_enable_nesting(): -EINVAL unless the IOMMU can nest. */
int host_domain_enable_nesting(struct host_domain *d);
/* iommu_attach_group(), checks in the core's order: -EBUSY if the group is
 * attached (even to d), -EINVAL for an emulated group or another IOMMU's
 * domain (d->ops_id != g->ops_id) or a group disagreeing with the domain
 * on dirty bits (cfg.dirty_tracking), then cfg.attach_error. */
int host_domain_attach(struct host_domain *d, struct vfiosim_group *g);
void host_domain_detach(struct host_domain *d, struct vfiosim_group *g);
/*
 * iommu_map(): iova, paddr and size aligned to the smallest page size
 * (-EINVAL otherwise), split into the largest pages the alignment allows.
 * size 0 maps nothing and returns 0, as in the kernel.  The core checks no
 * aperture; the mock driver, like VT-d beyond its address width, refuses
 * a range not inside [aperture_start, aperture_end] (or wrapping) with
 * -EFAULT (an aperture may reach 2^64: its last page maps), and prot
 * without READ or WRITE with -EINVAL.  -EEXIST (and a WARN, as io-pgtable) if part of
 * the range is already mapped; -ENOMEM by allocation failure; nothing is
 * left mapped on error.
 */
int host_iommu_map(struct host_domain *d, uint64_t iova, uint64_t paddr,
		   uint64_t size, int prot);
/* prot above: VFIOSIM_PROT_READ/WRITE (equal to IOMMU_READ/IOMMU_WRITE);
 * other bits (IOMMU_CACHE, ...) are accepted and ignored. */
/*
 * iommu_unmap(): unmaps whole pages from iova on until size bytes are
 * covered or a hole is met; a large page whose start is in the range is
 * removed whole.  Returns the bytes unmapped (0 if nothing at iova, if
 * iova or size is not aligned to the smallest page size, or if iova lies
 * inside a larger page without being its start: the mock never splits a
 * page).  Never fails for lack of memory.
 */
uint64_t host_iommu_unmap(struct host_domain *d, uint64_t iova, uint64_t size);
/* iommu_iova_to_phys(): 0 if unmapped. */
uint64_t host_iommu_iova_to_phys(struct host_domain *d, uint64_t iova);
/* Bytes from iova on, at most max, that translate to addresses continuing
 * iova's (0 if iova is unmapped): a walk of runs, not of pages. */
uint64_t host_iommu_phys_contig(struct host_domain *d, uint64_t iova, uint64_t max);
/* Protection of the page at iova (VFIOSIM_PROT_*), 0 if unmapped; the size
 * of that IOMMU page in *pgsize if not NULL. */
int host_iommu_prot(struct host_domain *d, uint64_t iova, uint64_t *pgsize);
/* Number of page-table runs (for checks and tests). */
size_t host_iommu_nr_runs(struct host_domain *d);

/*
 * Dirty bits, as iommufd's drivers expose them (docs/dirty-providers.md).
 * host_domain_set_dirty_tracking() is IOMMU_HWPT_SET_DIRTY_TRACKING:
 * -EOPNOTSUPP on an IOMMU without the capability; turning it on or off
 * leaves the bits as they are.  While on, a device write through the
 * domain sets the dirty bit of each entry it went through: a 2M or 1G
 * entry is dirty as a whole.  host_iommu_read_dirty() is
 * IOMMU_HWPT_GET_DIRTY_BITMAP: it calls fn for each stretch of dirty
 * entries meeting [iova, iova + size), clipped to it, and with clear (no
 * IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) clears their bits, of the whole
 * entries; -EINVAL if tracking is off (as VT-d) or the range wraps.
 */
typedef void (*host_dirty_fn)(void *opaque, uint64_t iova, uint64_t len);
int host_domain_set_dirty_tracking(struct host_domain *d, bool enable);
int host_iommu_read_dirty(struct host_domain *d, uint64_t iova, uint64_t size, bool clear,
			  host_dirty_fn fn, void *opaque);
/* A device wrote [iova, iova + len) through d: nothing if tracking is off. */
void host_iommu_note_write(struct host_domain *d, uint64_t iova, uint64_t len);

/*
 * The device's tracker (group.c).  Start: -EOPNOTSUPP without one, -E2BIG
 * for more ranges than it has, -EINVAL for an empty or wrapping range, a
 * range list not sorted and apart, or a tracker already running; -ENOMEM.
 * Read: as host_iommu_read_dirty() in the tracker's pages; -EIO once
 * failed, -EINVAL if not running.  Note: the device wrote; the tracker
 * fails if it cannot record it.
 */
int host_tracker_start(struct vfiosim_group *g, const struct host_range *ranges,
		       unsigned int nr);
void host_tracker_stop(struct vfiosim_group *g);
int host_tracker_read(struct vfiosim_group *g, uint64_t iova, uint64_t size, bool clear,
		      host_dirty_fn fn, void *opaque);
void host_tracker_note(struct vfiosim_group *g, uint64_t iova, uint64_t len);

/* The group's reserved regions (defaults applied), sorted by start: copies
 * at most max (VFIOSIM_MAX_RESV is always enough); returns the number
 * copied. */
unsigned int host_group_resv_regions(const struct vfiosim_group *g,
				     struct vfiosim_resv_region *out,
				     unsigned int max);
/* iommu_group_has_isolated_msi() */
bool host_group_isolated_msi(const struct vfiosim_group *g);

/* ------------------------------------------------- ground-truth log */

void host_log_write(struct vfiosim_host *h, unsigned int container_id,
		    unsigned int group_id, int source, uint64_t iova, uint64_t len);

/* ----------------------------------------------------------------- host */

/* The WARNs of one host, or of the process (vfiosim.h tells the rules). */
struct host_warnings {
	unsigned int count;
	bool expected;			/* recorded only, not printed */
	/* the latest messages: warning n is in kept[(n - 1) % KEPT] */
	char kept[VFIOSIM_WARNINGS_KEPT][256];
};

struct vfiosim_host {
	struct vfiosim_host_config cfg;	/* defaults filled in */
	uint64_t page_size;
	unsigned int page_shift;
	struct host_faults faults;
	struct host_mm mm;
	struct rb_root uregions;
	struct host_uwatch *uwatches;	/* on, most recent first */
	struct vfiosim_group *groups;
	unsigned int next_group_id;
	unsigned int next_domain_id;
	unsigned int next_ops_id;
	unsigned int next_container_id;
	void *containers;		/* the container layer's list */
	uint64_t guest_bytes_written;	/* by copy_to_user into guest memory */
	struct host_warnings warn;
	bool freeing;			/* in vfiosim_host_free(): its WARNs go
					   to the process's channel */
	struct vfiosim_write *log;
	size_t log_len, log_cap;
	uint64_t log_seq;
};

#endif /* VFIOSIM_HOST_H */
