/* SPDX-License-Identifier: MIT */
/*
 * vfio_migration_v1.h - the first device-state migration interface of VFIO
 * (merged in Linux 5.8, removed in 5.18 when the FSM-based v2 replaced it).
 *
 * A device that could migrate exposed a device region of type
 * VFIO_REGION_TYPE_MIGRATION_V1 / subtype VFIO_REGION_SUBTYPE_MIGRATION_V1.
 * Its first 32 bytes are struct vfio_device_migration_info, each field
 * reachable only at its own width and alignment; behind it, at an offset
 * the vendor driver chooses (data_offset, never 0), is the data section
 * through which the opaque device state travels.
 *
 * device_state holds three defined bits.  The other 29 are reserved: a
 * user changes the defined bits with a read-modify-write so that the
 * reserved ones keep their value.  Valid combinations:
 *
 *	RESUMING SAVING RUNNING
 *	   0       0      0	stopped
 *	   0       0      1	running (the state after open)
 *	   0       1      0	stop-and-copy: stopped, state being saved
 *	   0       1      1	pre-copy: running, state being saved
 *	   1       0      0	resuming: stopped, state being loaded
 *	   1       0      1	invalid
 *	   1       1      0	error (only the driver sets it; reset clears it)
 *	   1       1      1	invalid
 *
 * Saving (pre-copy and stop-and-copy), one iteration per chunk:
 *	read pending_bytes (no side effect; 0: nothing more to read),
 *	read data_offset (the driver stages the next chunk),
 *	read data_size (the chunk's length),
 *	read data_size bytes at data_offset,
 *	read pending_bytes again (the chunk is consumed), and so on while > 0.
 * Stop-and-copy is left only once pending_bytes reads 0.
 *
 * Resuming, for every chunk in the order saved and at its saved size:
 *	read data_offset, write the chunk there, write its length to
 *	data_size (the driver applies the chunk before the write returns).
 *
 * reserved reads as 0 and ignores writes.
 */
#ifndef _UAPI_VFIO_MIGRATION_V1_H
#define _UAPI_VFIO_MIGRATION_V1_H

#include <linux/types.h>

#define VFIO_REGION_TYPE_MIGRATION_V1		3
#define VFIO_REGION_SUBTYPE_MIGRATION_V1	1

#define VFIO_DEVICE_STATE_V1_STOP		0
#define VFIO_DEVICE_STATE_V1_RUNNING		(1u << 0)
#define VFIO_DEVICE_STATE_V1_SAVING		(1u << 1)
#define VFIO_DEVICE_STATE_V1_RESUMING		(1u << 2)
#define VFIO_DEVICE_STATE_V1_MASK		(VFIO_DEVICE_STATE_V1_RUNNING | \
						 VFIO_DEVICE_STATE_V1_SAVING | \
						 VFIO_DEVICE_STATE_V1_RESUMING)
#define VFIO_DEVICE_STATE_V1_ERROR		(VFIO_DEVICE_STATE_V1_SAVING | \
						 VFIO_DEVICE_STATE_V1_RESUMING)

/* With RESUMING set, nothing else of the three bits may be. */
#define VFIO_DEVICE_STATE_V1_VALID(s)					\
	(((s) & VFIO_DEVICE_STATE_V1_RESUMING) ?			\
	 ((s) & VFIO_DEVICE_STATE_V1_MASK) == VFIO_DEVICE_STATE_V1_RESUMING : 1)

struct vfio_device_migration_info {
	__u32 device_state;	/* read-write */
	__u32 reserved;
	__u64 pending_bytes;	/* read-only, only while saving */
	__u64 data_offset;	/* read-only */
	__u64 data_size;	/* read while saving, written while resuming */
};

#endif /* _UAPI_VFIO_MIGRATION_V1_H */
