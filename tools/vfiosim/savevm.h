/* SPDX-License-Identifier: MIT */
/*
 * savevm.h - the VMM's side of the v1 migration region: changing the
 * device state by read-modify-write, the save loop, and the resume loop,
 * with every access at its field's own width.
 */
#ifndef VFIOSIM_CMD_SAVEVM_H
#define VFIOSIM_CMD_SAVEVM_H

#include <stddef.h>
#include <stdint.h>

#include "migdev.h"

/* The device's data as the VMM forwards it: opaque chunks, kept apart. */
struct devstream {
	unsigned char *buf;
	size_t len, cap;
	size_t *chunk;			/* length of each chunk, in order */
	unsigned int nr, cap_chunks;
};

/* Sets the three defined bits to bits, keeping the others: 0 or -errno. */
int vmm_set_state(struct migdev *d, uint32_t bits, char *err, size_t len);
/*
 * One save pass: read pending_bytes; while it is not 0, read data_offset,
 * data_size and the data, append it to out and read pending_bytes again.
 * Returns the bytes appended, or -1 with err set.
 */
long long vmm_save(struct migdev *d, struct devstream *out, char *err, size_t len);
/* Feeds every chunk of in to a device in the resuming state: 0 or -1. */
int vmm_resume(struct migdev *d, const struct devstream *in, char *err, size_t len);
void devstream_free(struct devstream *s);

#endif /* VFIOSIM_CMD_SAVEVM_H */
