/* SPDX-License-Identifier: MIT */
/*
 * linux/rbtree.h - the project's red-black tree (sim/lib/rbtree), which has
 * the kernel's names and node layout.
 */
#ifndef KSHIM_LINUX_RBTREE_H
#define KSHIM_LINUX_RBTREE_H

#include "lib/rbtree.h"

#endif /* KSHIM_LINUX_RBTREE_H */
