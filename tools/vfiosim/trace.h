/* SPDX-License-Identifier: MIT */
/*
 * trace.h - every call into the simulator as one JSON object per line.
 *
 *   {"seq":7,"call":"ioctl","cmd":"VFIO_IOMMU_MAP_DMA","argsz":32,"flags":3,
 *    "vaddr":"0x100000000","iova":"0x0","size":"0x2000000","ret":0}
 *
 * Addresses and sizes are hex strings (JSON numbers lose bits above 2^53),
 * small integers are numbers.  The keys of each call are in
 * docs/scenarios.md; "vfiosim replay" reads them back.  A NULL trace
 * ignores everything, so callers need not check.
 */
#ifndef VFIOSIM_CMD_TRACE_H
#define VFIOSIM_CMD_TRACE_H

#include <stdbool.h>
#include <stdint.h>

struct trace;

/* NULL with a message in err (errno text) if the file cannot be created. */
struct trace *trace_open(const char *path, char *err, size_t len);
/* 0, or -1 if anything failed to reach the file. */
int trace_close(struct trace *t);

void trace_begin(struct trace *t, const char *call);
void trace_u64(struct trace *t, const char *key, uint64_t v);
void trace_int(struct trace *t, const char *key, long long v);
void trace_bool(struct trace *t, const char *key, bool v);
void trace_str(struct trace *t, const char *key, const char *v);
void trace_end(struct trace *t);

#endif /* VFIOSIM_CMD_TRACE_H */
