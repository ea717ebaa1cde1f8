/* SPDX-License-Identifier: MIT */
/* linux/sched/mm.h - see linux/sched.h. */
#include <linux/sched.h>
