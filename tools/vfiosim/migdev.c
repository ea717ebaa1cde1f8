// SPDX-License-Identifier: MIT
/*
 * migdev.c - the emulated device and its v1 migration region.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "migdev.h"

#define RUNNING		VFIO_DEVICE_STATE_V1_RUNNING
#define SAVING		VFIO_DEVICE_STATE_V1_SAVING
#define RESUMING	VFIO_DEVICE_STATE_V1_RESUMING
#define MASK		VFIO_DEVICE_STATE_V1_MASK

#define ALL_CHUNKS	((uint32_t)((1ULL << MIGDEV_MEM_CHUNKS) - 1))

enum { REC_MEM = 1, REC_REGS = 2 };

struct rec {
	uint32_t kind, index, length, check;
};

#define OFF_STATE	offsetof(struct vfio_device_migration_info, device_state)
#define OFF_RESERVED	offsetof(struct vfio_device_migration_info, reserved)
#define OFF_PENDING	offsetof(struct vfio_device_migration_info, pending_bytes)
#define OFF_DATA_OFFSET	offsetof(struct vfio_device_migration_info, data_offset)
#define OFF_DATA_SIZE	offsetof(struct vfio_device_migration_info, data_size)

/*
 * Allowed transitions of the three defined bits, by current state: a bit
 * per reachable state.  From stop-and-copy and pre-copy the device may
 * go back to running (a migration given up); resuming ends in running or
 * stopped once the whole state arrived (checked separately).
 */
static const uint8_t reachable[8] = {
	[0] = 1u << 0 | 1u << 1 | 1u << 2 | 1u << 4,
	[RUNNING] = 1u << 0 | 1u << 1 | 1u << 2 | 1u << 3 | 1u << 4,
	[SAVING] = 1u << 0 | 1u << 1 | 1u << 2,
	[SAVING | RUNNING] = 1u << 0 | 1u << 1 | 1u << 2 | 1u << 3,
	[RESUMING] = 1u << 0 | 1u << 1 | 1u << 4,
};

static uint32_t fnv32(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *b++) * 16777619u;
	return h;
}

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

void migdev_init(struct migdev *d, uint64_t seed)
{
	unsigned int c;

	memset(d, 0, sizeof(*d));
	d->state = RUNNING;
	d->regs.rng = seed | 1;
	for (c = 0; c < MIGDEV_MEM_CHUNKS; c++)
		memset(d->mem[c], (int)(next_rand(&d->regs.rng) & 0xff), MIGDEV_CHUNK);
}

void migdev_reset(struct migdev *d)
{
	d->state = (d->state & ~MASK) | RUNNING;
	d->staged = 0;
}

bool migdev_running(const struct migdev *d)
{
	return (d->state & MASK) == RUNNING || (d->state & MASK) == (RUNNING | SAVING);
}

uint64_t migdev_tick(struct migdev *d)
{
	struct migdev_regs *r = &d->regs;
	uint64_t x;
	unsigned int c, off;

	if (!migdev_running(d))
		return r->fence;
	x = next_rand(&r->rng);
	c = (unsigned int)(x % MIGDEV_MEM_CHUNKS);
	off = (unsigned int)((x >> 8) % (MIGDEV_CHUNK / 64)) * 64;
	memset(d->mem[c] + off, (int)((x >> 32) & 0xff), 64);
	d->mem_dirty |= 1u << c;
	r->frames++;
	r->fence += 1 + (x >> 60);
	r->checksum = r->checksum * 31 + fnv32(d->mem[c] + off, 64);
	d->regs_dirty = true;
	return r->fence;
}

static bool saving(const struct migdev *d)
{
	uint32_t s = d->state & MASK;

	return s == SAVING || s == (SAVING | RUNNING);
}

static bool in_error(const struct migdev *d)
{
	return (d->state & MASK) == VFIO_DEVICE_STATE_V1_ERROR;
}

/* Registers travel only once the device is stopped. */
static bool regs_due(const struct migdev *d)
{
	return (d->state & MASK) == SAVING && d->regs_dirty;
}

static uint64_t pending(const struct migdev *d)
{
	uint64_t chunks = (uint64_t)__builtin_popcount(d->mem_dirty);
	uint64_t n = chunks * (sizeof(struct rec) + MIGDEV_CHUNK);

	if (regs_due(d))
		n += sizeof(struct rec) + sizeof(struct migdev_regs);
	return n + d->staged;
}

static void put_rec(struct migdev *d, uint32_t kind, uint32_t index, const void *p,
		    uint32_t len)
{
	struct rec h = { kind, index, len, fnv32(p, len) };

	memcpy(d->data + d->staged, &h, sizeof(h));
	memcpy(d->data + d->staged + sizeof(h), p, len);
	d->staged += sizeof(h) + len;
}

/* Reading data_offset asks for the next buffer: fill it if none is staged. */
static void stage(struct migdev *d)
{
	unsigned int c;

	if (d->staged)
		return;
	for (c = 0; c < MIGDEV_MEM_CHUNKS; c++) {
		if (!(d->mem_dirty & (1u << c)))
			continue;
		if (d->staged + sizeof(struct rec) + MIGDEV_CHUNK > MIGDEV_DATA_SIZE)
			return;
		put_rec(d, REC_MEM, c, d->mem[c], MIGDEV_CHUNK);
		/* Sent as of now: a later change makes it dirty again. */
		d->mem_dirty &= ~(1u << c);
	}
	if (regs_due(d) &&
	    d->staged + sizeof(struct rec) + sizeof(struct migdev_regs) <= MIGDEV_DATA_SIZE) {
		put_rec(d, REC_REGS, 0, &d->regs, sizeof(d->regs));
		d->regs_dirty = false;
	}
}

/* Applies the records the user wrote; -EINVAL (and the error state) if corrupt. */
static int load(struct migdev *d, uint64_t size)
{
	uint64_t pos = 0;

	if (size > MIGDEV_DATA_SIZE)
		goto bad;
	while (pos < size) {
		struct rec h;
		const unsigned char *p;

		if (size - pos < sizeof(h))
			goto bad;
		memcpy(&h, d->data + pos, sizeof(h));
		pos += sizeof(h);
		p = d->data + pos;
		if (h.length > size - pos || fnv32(p, h.length) != h.check)
			goto bad;
		if (h.kind == REC_MEM && h.index < MIGDEV_MEM_CHUNKS && h.length == MIGDEV_CHUNK) {
			memcpy(d->mem[h.index], p, MIGDEV_CHUNK);
			d->mem_loaded |= 1u << h.index;
		} else if (h.kind == REC_REGS && !h.index && h.length == sizeof(d->regs)) {
			memcpy(&d->regs, p, sizeof(d->regs));
			d->regs_loaded = true;
		} else {
			goto bad;
		}
		pos += h.length;
	}
	return 0;
bad:
	d->state = (d->state & ~MASK) | VFIO_DEVICE_STATE_V1_ERROR;
	return -EINVAL;
}

static int set_state(struct migdev *d, uint32_t v)
{
	uint32_t from = d->state & MASK, to = v & MASK;

	if (in_error(d))
		return -EINVAL;			/* only a reset leaves the error state */
	if ((v & ~MASK) != (d->state & ~MASK))
		return -EINVAL;			/* reserved bits: read-modify-write */
	if (!VFIO_DEVICE_STATE_V1_VALID(v) || !(reachable[from] & (1u << to)))
		return -EINVAL;
	if (from == RESUMING && to != RESUMING &&
	    (d->mem_loaded != ALL_CHUNKS || !d->regs_loaded))
		return -EINVAL;			/* the state has not all arrived */
	if ((to & SAVING) && !(from & SAVING)) {
		d->mem_dirty = ALL_CHUNKS;
		d->regs_dirty = true;
		d->staged = 0;
	}
	if (to == RESUMING && from != RESUMING) {
		memset(&d->regs, 0, sizeof(d->regs));
		memset(d->mem, 0, sizeof(d->mem));
		d->mem_loaded = 0;
		d->regs_loaded = false;
	}
	if (!(to & SAVING))
		d->staged = 0;
	d->state = v;
	return 0;
}

/* The field at [off, off + len), or -1 if the access is not exactly one. */
static int field(uint64_t off, size_t len)
{
	static const struct { uint64_t off; size_t len; } f[] = {
		{ OFF_STATE, 4 }, { OFF_RESERVED, 4 }, { OFF_PENDING, 8 },
		{ OFF_DATA_OFFSET, 8 }, { OFF_DATA_SIZE, 8 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i].off == off && f[i].len == len)
			return (int)i;
	return -1;
}

static bool in_data(uint64_t off, size_t len)
{
	return off >= MIGDEV_DATA_OFFSET && off <= MIGDEV_REGION_SIZE &&
	       len <= MIGDEV_REGION_SIZE - off;
}

int migdev_read(struct migdev *d, uint64_t off, void *buf, size_t len)
{
	uint64_t v64;
	uint32_t v32;

	if (in_data(off, len)) {
		if (!saving(d))
			return in_error(d) ? -EIO : -EINVAL;
		memcpy(buf, d->data + (off - MIGDEV_DATA_OFFSET), len);
		return 0;
	}
	switch (field(off, len)) {
	case 0:
		memcpy(buf, &d->state, 4);
		return 0;
	case 1:
		v32 = 0;
		memcpy(buf, &v32, 4);
		return 0;
	case 2:
		if (!saving(d))
			return in_error(d) ? -EIO : -EINVAL;
		d->staged = 0;		/* the staged buffer has been read */
		v64 = pending(d);
		break;
	case 3:
		if (saving(d))
			stage(d);
		else if ((d->state & MASK) != RESUMING)
			return in_error(d) ? -EIO : -EINVAL;
		v64 = MIGDEV_DATA_OFFSET;
		break;
	case 4:
		if (!saving(d))
			return in_error(d) ? -EIO : -EINVAL;
		v64 = d->staged;
		break;
	default:
		return -EINVAL;
	}
	memcpy(buf, &v64, 8);
	return 0;
}

int migdev_write(struct migdev *d, uint64_t off, const void *buf, size_t len)
{
	uint64_t v64;
	uint32_t v32;

	if (in_data(off, len)) {
		if ((d->state & MASK) != RESUMING)
			return in_error(d) ? -EIO : -EINVAL;
		memcpy(d->data + (off - MIGDEV_DATA_OFFSET), buf, len);
		return 0;
	}
	switch (field(off, len)) {
	case 0:
		memcpy(&v32, buf, 4);
		return set_state(d, v32);
	case 1:
		return 0;		/* reserved: writes are ignored */
	case 4:
		if ((d->state & MASK) != RESUMING)
			return in_error(d) ? -EIO : -EINVAL;
		memcpy(&v64, buf, 8);
		return load(d, v64);
	default:
		return -EINVAL;		/* read-only, or not a field */
	}
}

int migdev_compare(const struct migdev *a, const struct migdev *b, char *why, size_t len)
{
	unsigned int c;

	if (a->regs.frames != b->regs.frames || a->regs.fence != b->regs.fence ||
	    a->regs.checksum != b->regs.checksum || a->regs.rng != b->regs.rng) {
		snprintf(why, len, "registers differ: frames %" PRIu64 "/%" PRIu64 ", fence %"
			 PRIu64 "/%" PRIu64 ", checksum %016" PRIx64 "/%016" PRIx64,
			 a->regs.frames, b->regs.frames, a->regs.fence, b->regs.fence,
			 a->regs.checksum, b->regs.checksum);
		return -1;
	}
	for (c = 0; c < MIGDEV_MEM_CHUNKS; c++) {
		if (memcmp(a->mem[c], b->mem[c], MIGDEV_CHUNK)) {
			snprintf(why, len, "device memory chunk %u (bytes 0x%x-0x%x) differs", c,
				 c * MIGDEV_CHUNK, (c + 1) * MIGDEV_CHUNK - 1);
			return -1;
		}
	}
	snprintf(why, len, "registers and %u KiB of device memory identical",
		 MIGDEV_MEM_CHUNKS * MIGDEV_CHUNK / 1024);
	return 0;
}
