/* SPDX-License-Identifier: MIT */
/* linux/mm_inline.h - num_pages_contiguous() (added after 6.12) is in linux/mm.h. */
#include <linux/mm.h>
