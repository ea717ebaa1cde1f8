/* SPDX-License-Identifier: MIT */
/*
 * vfiosim_oracle.h - the ground-truth dirty-page oracle.
 *
 * An oracle watches one container from the outside, as one of its
 * observers (vfiosim_observer.h): the ioctls made on it (arguments and
 * results, read from the caller's memory), group attach and detach, the
 * vendor driver calls (pin, unpin, dma_rw) and the host's log of device
 * writes.  From these alone it keeps its own account of what
 * every dirty report must, may and must not contain, and checks each
 * report that succeeds (GET_BITMAP, UNMAP_DMA with GET_DIRTY_BITMAP):
 *
 *  1. missed:   every page written since it was last reported (while
 *               tracking) is reported: a miss is guest memory silently
 *               left stale by a migration.  "Written" is the host's log:
 *               device writes and successful dma_rw writes.  An IOMMU-
 *               backed device that has joined the pinned-page scope and
 *               writes a page nobody pinned breaks the promise the scope
 *               rests on, and its write shows up here as a miss;
 *  2. spurious: no bit appears in a hole of the range, and no bit past
 *               the range's last page (in its last word) changes;
 *  3. inexact:  (exact mode, the default) the report holds every page the
 *               type1 rules require (pinned pages, dma_rw writes, whole
 *               mappings while an IOMMU-backed group is outside the
 *               pinned-page scope and no dirty provider records it, ...)
 *               and nothing else, pages whose state a failed call left
 *               uncertain aside, and the whole IOMMU entry or tracker page
 *               a recorded write went through (docs/dirty-providers.md).
 *
 * It uses no backend internals, so the same oracle judges every backend.
 * It follows v2 containers only (v1 ones cannot track dirty pages).  As
 * the UAPI asks, callers zero a bitmap before handing it over: a bit found
 * set in a hole is only blamed on the call if it was clear before.  What
 * a call did to the bitmap is seen through the host's user copies (every
 * copy_to_user() into it, by anyone, during the call): a device's DMA into
 * the caller's bitmap while the call runs is not blamed on the call.
 */
#ifndef VFIOSIM_ORACLE_H
#define VFIOSIM_ORACLE_H

#include <stdbool.h>
#include <stdint.h>

#include "vfiosim.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vfiosim_oracle;

struct vfiosim_oracle_stats {
	unsigned long reports;		/* reports checked */
	unsigned long missed;		/* check 1: written pages not reported */
	unsigned long spurious;		/* check 2: bits in holes or beyond the range */
	unsigned long inexact;		/* check 3: pages wrongly reported or left out */
	unsigned long desync;		/* results no type1 could give for the
					   operations seen (unmapped sizes, cut
					   mappings, pins outside any mapping) */
	unsigned long unchecked;	/* reports the oracle could not read back */
	unsigned long words_read;	/* words of user bitmaps read back to check
					   reports: those of the mappings in the
					   ranges and those the calls wrote, not
					   the whole bitmaps the callers claimed */
	unsigned long unjudged;		/* mappings left unjudged in a report: not
					   aligned to its page size, which grew
					   while tracking (divergences.md 4) */
	char first[512];		/* the first violation, "" if none */
};

/*
 * Watches every later operation on c, which must not have been used yet
 * beyond attaching groups (mappings, pins and tracking started before are
 * invisible to the oracle).  One oracle per container (other observers may
 * watch it too).  NULL with errno EINVAL (no container), EBUSY (an oracle
 * watches it already, or a group holds pinned pages) or ENOMEM.
 */
struct vfiosim_oracle *vfiosim_oracle_new(struct vfiosim_container *c);
/* Stops watching (if the container is still there) and frees; not from
 * inside an operation on the container (a dma_unmap callback). */
void vfiosim_oracle_free(struct vfiosim_oracle *o);
/*
 * Fills st (if not NULL).  0 if nothing was wrong so far, else -EUCLEAN
 * and st->first tells the first violation: "op N: " (the N-th operation
 * on the container to complete: ioctl, attach, detach, pin, unpin or
 * dma_rw, counted from the oracle's creation), the report, the page and
 * what was expected.  Unchecked reports are not violations.
 */
int vfiosim_oracle_status(const struct vfiosim_oracle *o, struct vfiosim_oracle_stats *st);
/* Check 3 on or off (on by default); checks 1 and 2 always run. */
void vfiosim_oracle_set_exact(struct vfiosim_oracle *o, bool on);

/*
 * For tests of the oracle itself: the next report it reads has bit
 * `bit` of the user's bitmap (bit 0 = the range's first page) flipped in
 * the oracle's copy before it is checked; the caller's bitmap is not
 * touched.
 */
void vfiosim_oracle_corrupt_next_report(struct vfiosim_oracle *o, uint64_t bit);

#ifdef __cplusplus
}
#endif
#endif /* VFIOSIM_ORACLE_H */
