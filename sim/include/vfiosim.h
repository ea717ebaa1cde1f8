/* SPDX-License-Identifier: MIT */
/*
 * vfiosim.h - the contract every vfiosim backend implements.
 *
 * Tests, fuzzers, benchmarks and the vfiosim command use only this header
 * and <linux/vfio.h> (the project's own copy under uapi/).  The same
 * programs link against libvfiosim.a (the model) or against the kernel
 * backend (the real vfio_iommu_type1.c built in userspace).
 *
 * Return conventions follow the kernel: 0 or a positive value on success,
 * -errno on failure.  Constructors return NULL and set errno.
 */
#ifndef VFIOSIM_H
#define VFIOSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vfio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The contract's version.  MINOR grows when the contract gains something,
 * so that a program built against x.y runs with the library of any x.z
 * from z = y; MAJOR grows when anything changes incompatibly, and names
 * the shared library (soname libvfiosim.so.MAJOR).  The Makefile reads
 * both from here (the soname, vfiosim.pc, the man page).
 */
#define VFIOSIM_VERSION_MAJOR	1
#define VFIOSIM_VERSION_MINOR	0
#define VFIOSIM_VERSION		((VFIOSIM_VERSION_MAJOR << 16) | VFIOSIM_VERSION_MINOR)

/* The library's version, encoded as VFIOSIM_VERSION encodes the header's:
 * what a program runs with, where the macros say what it was built with. */
unsigned int vfiosim_version(void);

struct vfiosim_host;
struct vfiosim_group;
struct vfiosim_container;

/* ------------------------------------------------------------------ host */

/*
 * Linux versions.  The model answers as the type1 of the version its host
 * asks for: where upstream changed on purpose what userspace sees (errnos,
 * the order of checks, which types and flags exist, allocation points),
 * each version gets its own answer.  A kernel defect is not a version
 * behaviour: the model keeps the intended behaviour on every version and
 * docs/divergences.md says which versions have the defect.  Encoded like
 * the kernel's KERNEL_VERSION() without the sublevel: 0x060c is 6.12.
 */
#define VFIOSIM_KERNEL(major, minor)	((unsigned int)(((major) << 8) | (minor)))
#define VFIOSIM_KERNEL_MAJOR(v)		((unsigned int)(v) >> 8)
#define VFIOSIM_KERNEL_MINOR(v)		((unsigned int)(v) & 0xff)
#define VFIOSIM_KERNEL_OLDEST		VFIOSIM_KERNEL(5, 10)
#define VFIOSIM_KERNEL_NEWEST		VFIOSIM_KERNEL(7, 3)

struct vfiosim_host_config {
	uint64_t page_size;		/* CPU page size: 0 = 4 KiB; 4K, 16K or 64K */
	uint64_t memlock_limit;		/* RLIMIT_MEMLOCK in bytes; 0 = unlimited */
	bool cap_ipc_lock;		/* the process may lock beyond the limit */
	bool strict_uaccess;		/* only registered buffers and guest memory
					   are user-accessible (fuzzers) */
	unsigned int dma_entry_limit;	/* type1 module parameter; 0 = 65535 */
	bool allow_unsafe_interrupts;	/* type1 module parameter */
	bool disable_hugepages;		/* type1 module parameter */
	unsigned int kernel;		/* VFIOSIM_KERNEL(major, minor) to follow,
					   from VFIOSIM_KERNEL_OLDEST; 0 = the
					   newest (and a kernel backend's own) */
};

/* NULL config: 4 KiB pages, no memlock limit, permissive user access,
 * the newest kernel.  NULL with errno EINVAL for a bad page size or a
 * kernel version outside [VFIOSIM_KERNEL_OLDEST, VFIOSIM_KERNEL_NEWEST]. */
struct vfiosim_host *vfiosim_host_new(const struct vfiosim_host_config *cfg);
/* Frees the host.  Containers and groups must have been freed first. */
void vfiosim_host_free(struct vfiosim_host *h);
uint64_t vfiosim_page_size(const struct vfiosim_host *h);

/* ------------------------------------------------------ process memory */

#define VFIOSIM_PROT_READ	0x1
#define VFIOSIM_PROT_WRITE	0x2

#define VFIOSIM_MM_PFNMAP	0x1	/* MMIO: VM_PFNMAP, reserved pfns, never
					   pinned nor accounted */
#define VFIOSIM_MM_SCATTER	0x2	/* pfns not physically contiguous (every
					   other page swapped), defeats huge
					   IOMMU pages and contiguous chunks */

/*
 * Guest memory lives in the simulated process's own address space: an
 * address inside a mapped range means that range, whatever the calling
 * program has at the same numeric address.  Choose guest addresses away
 * from the program's own (for instance 4 GiB upwards).  Page-aligned,
 * below the user address limit, not overlapping an existing range.
 * Returns 0 or -EINVAL / -EEXIST / -ENOMEM.
 */
int vfiosim_mm_map(struct vfiosim_host *h, uint64_t vaddr, uint64_t len, int prot);
int vfiosim_mm_map_flags(struct vfiosim_host *h, uint64_t vaddr, uint64_t len,
			 int prot, unsigned int flags);
/* Removes whole ranges inside [vaddr, vaddr+len); pinned pages stay alive
 * until unpinned, as in the kernel.  -EINVAL if a range would be split. */
int vfiosim_mm_unmap(struct vfiosim_host *h, uint64_t vaddr, uint64_t len);
/* Pages currently charged to the process's locked_vm. */
uint64_t vfiosim_mm_locked_vm(const struct vfiosim_host *h);
/* Pin count of the page at vaddr, or -EFAULT if it is not mapped. */
long vfiosim_mm_pin_count(const struct vfiosim_host *h, uint64_t vaddr);
/* Page frame number of the page at vaddr, 0 if not mapped. */
uint64_t vfiosim_mm_pfn(const struct vfiosim_host *h, uint64_t vaddr);
/* Pages pinned in the whole host (all pin counts added up). */
uint64_t vfiosim_mm_pinned_total(const struct vfiosim_host *h);
/* The bytes behind guest memory (CPU view, untracked); NULL if unmapped. */
void *vfiosim_mm_ptr(struct vfiosim_host *h, uint64_t vaddr);

/* --------------------------------------------- user memory for ioctls */

/*
 * Registers a buffer of the calling program as user memory with the given
 * VFIOSIM_PROT_* bits.  In strict mode only registered buffers (and guest
 * memory) are accessible; otherwise any address above the null guard is,
 * and a registration narrows what its range allows (prot 0 = a hole).
 */
int vfiosim_user_add(struct vfiosim_host *h, const void *ptr, size_t len, int prot);
int vfiosim_user_del(struct vfiosim_host *h, const void *ptr);

/* ----------------------------------------------------- fault injection */

/* The n-th allocation (n >= 1, counted from this call) fails; 0 disarms. */
void vfiosim_fail_nth_alloc(struct vfiosim_host *h, unsigned long n);
/* The n-th user copy (copy_from_user/copy_to_user) from now faults. */
void vfiosim_fail_nth_copy(struct vfiosim_host *h, unsigned long n);
/* Counters, to size failure sweeps. */
unsigned long vfiosim_alloc_calls(const struct vfiosim_host *h);
unsigned long vfiosim_copy_calls(const struct vfiosim_host *h);
/* Allocations made by the simulator and not yet freed. */
unsigned long vfiosim_live_allocs(const struct vfiosim_host *h);

/* ------------------------------------------------------------ warnings */

/*
 * WARN and BUG hits inside the simulator or the backend are never fatal.
 * Each is counted on its host and printed to stderr as it happens
 * ("vfiosim: WARNING at FILE:LINE: MESSAGE"), so that one nobody expected
 * is seen.  A program that provokes warnings on purpose (a test of the
 * very condition, a scenario that expects them) says so first with
 * vfiosim_expect_warnings(h, true): from then on they are only recorded,
 * and the program checks count and messages itself (and should show them
 * if they are not what it expected).  Counting goes on either way.
 *
 * Warnings with no host to charge, and those raised while
 * vfiosim_host_free() runs (no one could read the host afterwards), go to
 * the process's channel: pass h = NULL to the four calls below.  That
 * channel is one per process, for one thread at a time.
 */
#define VFIOSIM_WARNINGS_KEPT	8	/* messages kept: the latest ones */

void vfiosim_expect_warnings(struct vfiosim_host *h, bool on);
/* Warnings counted: since the host's creation, or the process's start. */
unsigned int vfiosim_warnings(const struct vfiosim_host *h);
/*
 * The message of warning n, counted from 1 (vfiosim_warnings() is the
 * latest), cut to 255 bytes; NULL for 0, beyond the count, or older than
 * the last VFIOSIM_WARNINGS_KEPT.
 */
const char *vfiosim_warning(const struct vfiosim_host *h, unsigned int n);
/* The latest message, "" if none yet. */
const char *vfiosim_last_warning(const struct vfiosim_host *h);

/* --------------------------------------------------------------- groups */

enum vfiosim_group_kind {
	VFIOSIM_GROUP_IOMMU = 0,	/* behind an IOMMU, gets a domain */
	VFIOSIM_GROUP_EMULATED = 1,	/* mdev-like, no domain */
};

/* Same values as the kernel's enum iommu_resv_type. */
enum vfiosim_resv_type {
	VFIOSIM_RESV_DIRECT = 0,
	VFIOSIM_RESV_DIRECT_RELAXABLE = 1,
	VFIOSIM_RESV_RESERVED = 2,
	VFIOSIM_RESV_MSI = 3,
	VFIOSIM_RESV_SW_MSI = 4,
};

struct vfiosim_resv_region {
	uint64_t start;
	uint64_t length;
	int type;			/* enum vfiosim_resv_type */
};

#define VFIOSIM_MAX_RESV	8

struct vfiosim_group_config {
	int kind;			/* enum vfiosim_group_kind */
	uint64_t pgsize_bitmap;		/* IOMMU page sizes; 0 = 4K|2M|1G */
	uint64_t aperture_start;	/* both 0: [0, 2^48 - 1] */
	uint64_t aperture_end;
	unsigned int nr_resv;		/* 0 and !no_default_msi: the x86 MSI */
	struct vfiosim_resv_region resv[VFIOSIM_MAX_RESV]; /* window */
	bool no_default_msi;
	bool no_isolated_msi;		/* no interrupt remapping */
	bool no_cache_coherency;	/* cannot enforce cache coherency */
	bool nesting;			/* the IOMMU supports nesting */
	unsigned int iommu_id;		/* equal non-zero ids: same IOMMU driver,
					   so groups may share one domain */
	int attach_error;		/* -errno from the IOMMU's attach */
	bool has_dma_unmap;		/* the device registers a dma_unmap
					   callback (emulated groups always) */
	/*
	 * vfiosim extensions, outside anything type1 has (docs/dirty-providers.md):
	 * dirty_tracking: the IOMMU keeps a dirty bit in each page-table entry,
	 * as those iommufd drives with IOMMU_HWPT_SET_DIRTY_TRACKING (IOMMU
	 * groups only).  tracker_ranges: the device has its own dirty tracker,
	 * as VFIO_DEVICE_FEATURE_DMA_LOGGING_START drives, for at most that
	 * many IOVA ranges (0: no tracker); it records in tracker_pgsize pages
	 * (0: the CPU page; a power of two, at least the CPU page) and holds
	 * at most tracker_capacity dirty pages between two reads (0: no limit).
	 */
	bool dirty_tracking;
	unsigned int tracker_ranges;
	uint64_t tracker_pgsize;
	uint64_t tracker_capacity;
};

/* The default x86 MSI window, reserved when a group gives no regions. */
#define VFIOSIM_MSI_BASE	0xfee00000ULL
#define VFIOSIM_MSI_SIZE	0x100000ULL

struct vfiosim_group *vfiosim_group_new(struct vfiosim_host *h,
					const struct vfiosim_group_config *cfg);
/* The group must not be in a container. */
void vfiosim_group_free(struct vfiosim_group *g);
unsigned int vfiosim_group_id(const struct vfiosim_group *g);
/*
 * The size of the IOMMU page that translates iova for the group's device
 * (what an IOMMU's page-table dump shows: a PTE, PMD or PUD entry); 0 if
 * the group has no domain or iova is not mapped in it.
 */
uint64_t vfiosim_group_iommu_page(const struct vfiosim_group *g, uint64_t iova);

/*
 * The device's reaction when the container tells it a range is being
 * unmapped.  The default (fn NULL) unpins every page this group pinned in
 * the range.  A callback may call vfiosim_unpin_pages() itself.
 */
typedef void (*vfiosim_dma_unmap_fn)(void *opaque, struct vfiosim_group *g,
				     uint64_t iova, uint64_t length);
void vfiosim_group_set_dma_unmap(struct vfiosim_group *g, vfiosim_dma_unmap_fn fn,
				 void *opaque);

/* ----------------------------------------------------------- containers */

/*
 * type 0: a fresh /dev/vfio/vfio container; groups join it with
 * vfiosim_container_attach() and VFIO_SET_IOMMU opens the IOMMU driver;
 * it loses the driver when its last group leaves, as in the kernel.
 * VFIO_TYPE1_IOMMU, VFIO_TYPE1v2_IOMMU, VFIO_TYPE1_NESTING_IOMMU: the
 * driver is opened at once (as if SET_IOMMU had been done) and kept until
 * the container is freed; groups attach to it directly.
 * NULL with errno EINVAL for another type (or one the container's kernel
 * version no longer has: VFIO_TYPE1_NESTING_IOMMU from 6.13), ENOMEM on
 * allocation failure.
 */
struct vfiosim_container *vfiosim_container_new(struct vfiosim_host *h, int type);
/* Detaches every group (as closing the group fds would) and frees. */
void vfiosim_container_free(struct vfiosim_container *c);
/* VFIO_GROUP_SET_CONTAINER: 0 or -errno: -EINVAL if the group is already in
 * a container, else what the driver's attach returns. */
int vfiosim_container_attach(struct vfiosim_container *c, struct vfiosim_group *g);
unsigned int vfiosim_container_id(const struct vfiosim_container *c);
/*
 * The Linux version whose behaviour the container follows: the host's for
 * the model; for a kernel backend its tree's, capped at
 * VFIOSIM_KERNEL_NEWEST (a newer tree is judged by the newest profile).
 */
unsigned int vfiosim_container_kernel(const struct vfiosim_container *c);
/* 0, or -EINVAL if the group is not in this container. */
int vfiosim_container_detach(struct vfiosim_container *c, struct vfiosim_group *g);

/*
 * The container fd's ioctl.  Pointer arguments are user addresses of the
 * calling program; integer arguments (CHECK_EXTENSION, SET_IOMMU) use
 * vfiosim_ioctl_arg().
 */
long vfiosim_ioctl(struct vfiosim_container *c, unsigned int cmd, void *arg);
long vfiosim_ioctl_arg(struct vfiosim_container *c, unsigned int cmd, unsigned long arg);

/*
 * A vfiosim extension, not Linux's (docs/dirty-providers.md): chooses
 * which provider tells c what groups that never pin wrote, by the
 * VFIOSIM_IOMMU_DIRTY_PROVIDER request of uapi/linux/vfio.h's extension
 * block (provider: VFIOSIM_DIRTY_PROVIDER_*).  0; -EINVAL for an unknown
 * provider, -EACCES on a v1 container; -ENOTTY from a backend without the
 * extension (every kernel), or -EINVAL with no driver open, as for any
 * container request.  The default is VFIOSIM_DIRTY_PROVIDER_PINNED: type1.
 */
int vfiosim_container_set_dirty_provider(struct vfiosim_container *c, unsigned int provider);

/*
 * Consistency of the backend's own state (tree order and colours, counts,
 * accounting against the host).  0, or -EUCLEAN with a reason in why.
 */
int vfiosim_container_check(struct vfiosim_container *c, char *why, size_t len);

/* --------------------------------------- vendor driver (external) API */

/* The group's driver pins npage pages from iova; fills pfns. */
int vfiosim_pin_pages(struct vfiosim_container *c, struct vfiosim_group *g,
		      uint64_t iova, int npage, int prot, uint64_t *pfns);
int vfiosim_unpin_pages(struct vfiosim_container *c, struct vfiosim_group *g,
			uint64_t iova, int npage);
int vfiosim_dma_rw(struct vfiosim_container *c, uint64_t iova, void *data,
		   size_t len, bool write);

/*
 * The group's device writes len bytes of guest memory at iova: through its
 * domain for an IOMMU-backed group (-EFAULT on unmapped IOVA, -EPERM on
 * read-only), only into pages its driver pinned for writing for an
 * emulated group.  Successful writes go into the ground-truth log.
 */
int vfiosim_device_write(struct vfiosim_group *g, uint64_t iova, size_t len);
/* The same with the bytes to write (device_write writes a pattern). */
int vfiosim_device_write_data(struct vfiosim_group *g, uint64_t iova,
			      const void *data, size_t len);

/* ----------------------------------------------------- ground truth */

enum vfiosim_write_source {
	VFIOSIM_WRITE_DMA = 1,		/* device DMA through an IOMMU domain */
	VFIOSIM_WRITE_PINNED = 2,	/* emulated device into a pinned page */
	VFIOSIM_WRITE_DMA_RW = 3,	/* vendor driver through dma_rw */
};

struct vfiosim_write {
	uint64_t seq;			/* 1, 2, ... in host order */
	unsigned int container_id;	/* whose IOVA space */
	unsigned int group_id;		/* 0 for dma_rw */
	int source;			/* enum vfiosim_write_source */
	uint64_t iova;
	uint64_t len;
};

/* Every write a device could have made, in order. */
size_t vfiosim_log_count(const struct vfiosim_host *h);
const struct vfiosim_write *vfiosim_log_get(const struct vfiosim_host *h, size_t i);

/* The name of the backend this program is linked with ("model", ...). */
const char *vfiosim_backend_name(void);

/*
 * Programs that hold two backends (the differential fuzzer, the vfiosim
 * command's --backend) pick one per container.  vfiosim_backend_find()
 * takes a name ("model", "kernel") or a name and version ("kernel-6.12");
 * NULL gives the default backend; it returns NULL if none matches.  A
 * kernel backend's container needs a host whose kernel is 0 or its own
 * version (capped as vfiosim_container_kernel() says): else NULL, EINVAL.
 */
struct vfiosim_backend;
const struct vfiosim_backend *vfiosim_backend_find(const char *name);
const char *vfiosim_backend_name_of(const struct vfiosim_backend *b);
/* 0 for a backend that follows the host's version (the model); for a
 * kernel backend, the version of its tree (VFIOSIM_KERNEL(6, 12)...). */
unsigned int vfiosim_backend_version(const struct vfiosim_backend *b);
struct vfiosim_container *vfiosim_container_new_backend(struct vfiosim_host *h, int type,
							const struct vfiosim_backend *b);

#ifdef __cplusplus
}
#endif
#endif /* VFIOSIM_H */
