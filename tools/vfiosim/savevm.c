// SPDX-License-Identifier: MIT
/*
 * savevm.c - the VMM's side of the v1 migration region (savevm.h).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "savevm.h"

#define INFO(f)		offsetof(struct vfio_device_migration_info, f)

static int failed(const char *what, int ret, char *err, size_t len)
{
	char r[32];

	snprintf(err, len, "%s: %s", what, vfiosim_ret_str(ret, r, sizeof(r)));
	return -1;
}

int vmm_set_state(struct migdev *d, uint32_t bits, char *err, size_t len)
{
	uint32_t v;
	int ret = migdev_read(d, INFO(device_state), &v, sizeof(v));

	if (ret)
		return failed("reading device_state", ret, err, len);
	v = (v & ~VFIO_DEVICE_STATE_V1_MASK) | bits;
	ret = migdev_write(d, INFO(device_state), &v, sizeof(v));
	if (ret) {
		uint32_t now = 0;
		char r[32];

		migdev_read(d, INFO(device_state), &now, sizeof(now));
		snprintf(err, len, "writing device_state 0x%x: %s (it reads 0x%x)", v,
			 vfiosim_ret_str(ret, r, sizeof(r)), now);
		return ret;
	}
	return 0;
}

static void stream_add(struct devstream *s, const void *p, size_t n)
{
	if (s->len + n > s->cap) {
		while (s->len + n > s->cap)
			s->cap = s->cap ? 2 * s->cap : 65536;
		s->buf = realloc(s->buf, s->cap);
	}
	if (s->nr == s->cap_chunks) {
		s->cap_chunks = s->cap_chunks ? 2 * s->cap_chunks : 64;
		s->chunk = realloc(s->chunk, s->cap_chunks * sizeof(*s->chunk));
	}
	if (!s->buf || !s->chunk) {
		fprintf(stderr, "vfiosim: out of memory\n");
		exit(2);
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->chunk[s->nr++] = n;
}

long long vmm_save(struct migdev *d, struct devstream *out, char *err, size_t len)
{
	uint64_t pending, offset, size;
	unsigned char buf[MIGDEV_DATA_SIZE];
	long long total = 0;
	int ret;

	ret = migdev_read(d, INFO(pending_bytes), &pending, sizeof(pending));
	while (!ret && pending) {
		ret = migdev_read(d, INFO(data_offset), &offset, sizeof(offset));
		if (ret)
			return failed("reading data_offset", ret, err, len);
		ret = migdev_read(d, INFO(data_size), &size, sizeof(size));
		if (ret)
			return failed("reading data_size", ret, err, len);
		if (!size || size > sizeof(buf)) {
			snprintf(err, len, "pending_bytes is %llu but data_size is %llu",
				 (unsigned long long)pending, (unsigned long long)size);
			return -1;
		}
		ret = migdev_read(d, offset, buf, (size_t)size);
		if (ret)
			return failed("reading the data section", ret, err, len);
		stream_add(out, buf, (size_t)size);
		total += (long long)size;
		ret = migdev_read(d, INFO(pending_bytes), &pending, sizeof(pending));
	}
	if (ret)
		return failed("reading pending_bytes", ret, err, len);
	return total;
}

int vmm_resume(struct migdev *d, const struct devstream *in, char *err, size_t len)
{
	size_t pos = 0;
	unsigned int i;

	for (i = 0; i < in->nr; i++) {
		uint64_t offset, size = in->chunk[i];
		int ret = migdev_read(d, INFO(data_offset), &offset, sizeof(offset));

		if (ret)
			return failed("reading data_offset", ret, err, len);
		ret = migdev_write(d, offset, in->buf + pos, (size_t)size);
		if (ret)
			return failed("writing the data section", ret, err, len);
		ret = migdev_write(d, INFO(data_size), &size, sizeof(size));
		if (ret)
			return failed("writing data_size (the device refused the chunk)", ret, err,
				      len);
		pos += (size_t)size;
	}
	return 0;
}

void devstream_free(struct devstream *s)
{
	free(s->buf);
	free(s->chunk);
	memset(s, 0, sizeof(*s));
}
