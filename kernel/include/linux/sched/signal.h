/* SPDX-License-Identifier: MIT */
/* linux/sched/signal.h - see linux/sched.h. */
#include <linux/sched.h>
