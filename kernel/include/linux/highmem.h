/* SPDX-License-Identifier: MIT */
/* linux/highmem.h - nothing of it is used by type1 beyond what these give. */
#include <linux/mm.h>
#include <linux/slab.h>
