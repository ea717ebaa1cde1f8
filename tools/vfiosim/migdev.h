/* SPDX-License-Identifier: MIT */
/*
 * migdev.h - an emulated (mdev-like) device's internal state, and the v1
 * device-state migration region through which that state leaves the
 * source and enters the destination (<linux/vfio_migration_v1.h>).
 *
 * The state is what a real device would hold beside guest memory:
 * registers and a small device memory.  While running, the device
 * changes both (migdev_tick); pre-copy sends the device memory chunks
 * changed since they were last sent, stop-and-copy the rest and the
 * registers.  The stream is opaque to the VMM: records of
 * { u32 kind, u32 index, u32 length, u32 check } and payload.
 *
 * Region accesses follow the v1 rules: the fields of struct
 * vfio_device_migration_info only at their own width and alignment
 * (anything else is -EINVAL), read-only fields refuse writes, fields
 * that mean nothing in the current state refuse access, invalid state
 * values and transitions are refused, and the reserved bits of
 * device_state must be written back as read.
 */
#ifndef VFIOSIM_CMD_MIGDEV_H
#define VFIOSIM_CMD_MIGDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vfio_migration_v1.h>

#define MIGDEV_CHUNK		4096U			/* device memory, per record */
#define MIGDEV_MEM_CHUNKS	16U			/* 64 KiB of device memory */
#define MIGDEV_DATA_OFFSET	4096U			/* the data section */
#define MIGDEV_DATA_SIZE	(3 * (MIGDEV_CHUNK + 16))	/* up to 3 chunks staged */
#define MIGDEV_REGION_SIZE	(MIGDEV_DATA_OFFSET + MIGDEV_DATA_SIZE)

struct migdev_regs {
	uint64_t frames;		/* work items completed */
	uint64_t fence;			/* last fence signalled to the guest */
	uint64_t checksum;		/* over everything the device produced */
	uint64_t rng;			/* the device's own random state */
};

struct migdev {
	uint32_t state;			/* device_state, reserved bits included */
	struct migdev_regs regs;
	unsigned char mem[MIGDEV_MEM_CHUNKS][MIGDEV_CHUNK];
	uint32_t mem_dirty;		/* chunks changed since last sent */
	bool regs_dirty;		/* registers not sent since stop */
	/* saving: one staged buffer, consumed by the next pending_bytes read */
	unsigned char data[MIGDEV_DATA_SIZE];
	uint64_t staged;		/* bytes staged, 0: none */
	uint32_t staged_chunks;		/* which chunks the staged buffer holds */
	bool staged_regs;
	/* resuming: records applied so far */
	uint32_t mem_loaded;
	bool regs_loaded;
};

/* A device in its reset state: RUNNING, state seeded from seed. */
void migdev_init(struct migdev *d, uint64_t seed);
/* VFIO_DEVICE_RESET: leaves the error state; keeps the internal state. */
void migdev_reset(struct migdev *d);
bool migdev_running(const struct migdev *d);

/* One unit of device work (only while RUNNING); returns a value the
 * device also writes to the guest (its fence), for the caller's DMA. */
uint64_t migdev_tick(struct migdev *d);

/* Region accesses at offset off: 0 or -EINVAL / -EIO (see above). */
int migdev_read(struct migdev *d, uint64_t off, void *buf, size_t len);
int migdev_write(struct migdev *d, uint64_t off, const void *buf, size_t len);

/* 0 if both devices hold the same internal state; else what differs. */
int migdev_compare(const struct migdev *a, const struct migdev *b, char *why, size_t len);

#endif /* VFIOSIM_CMD_MIGDEV_H */
