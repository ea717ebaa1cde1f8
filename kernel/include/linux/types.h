/* SPDX-License-Identifier: MIT */
/*
 * linux/types.h - the kernel's basic types and the compiler vocabulary the
 * type1 source uses, for a 64-bit little-endian x86 host (the only one
 * kcheck supports: the kernel source is compiled for the machine it runs
 * on, and unsigned long must be 64 bits as in the x86-64 kernel).
 *
 * The UAPI's __u8 ... __u64 come from the system header of the same name.
 */
#ifndef KSHIM_LINUX_TYPES_H
#define KSHIM_LINUX_TYPES_H

#include_next <linux/types.h>

#include "kshim_linux.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

_Static_assert(sizeof(unsigned long) == 8, "kcheck needs an LP64 host");

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;
typedef u64 dma_addr_t;
typedef u64 phys_addr_t;
typedef unsigned int gfp_t;
typedef unsigned long pgprot_t;
typedef int refcount_t;

struct list_head {
	struct list_head *next, *prev;
};

/* Sparse and section annotations mean nothing here. */
#define __user
#define __iomem
#define __init
#define __exit
#define __read_mostly
#define __must_check
#undef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#define fallthrough		__attribute__((__fallthrough__))
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)

#define U16_MAX			((u16)~0U)
#define U32_MAX			((u32)~0U)
#define U64_MAX			((u64)~0ULL)

#define BITS_PER_BYTE		8
#define BITS_PER_LONG		64
#define BITS_PER_TYPE(type)	(sizeof(type) * BITS_PER_BYTE)

#endif /* KSHIM_LINUX_TYPES_H */
