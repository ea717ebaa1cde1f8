/* SPDX-License-Identifier: MIT */
/*
 * linux/bug.h - WARN and BUG.
 *
 * A WARN is reported through the host (HOST_WARN) and counted: the tests
 * fail on any warning they did not announce.  The _ONCE forms fire once
 * per site and per driver instance: the simulated "boot" is one container
 * driver's life, so that one test's warning cannot hide the next one's.
 *
 * BUG never continues into the code after it (that code assumes the
 * condition is false): kshim_bug() reports, then leaves the kernel code by
 * longjmp() to the innermost backend entry point, which fails the call
 * with -ENOTRECOVERABLE and marks the driver instance dead (see
 * kernel/README.md).
 */
#ifndef KSHIM_LINUX_BUG_H
#define KSHIM_LINUX_BUG_H

#include <stdbool.h>

#include <linux/types.h>

void kshim_warn(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* True when site (a per-file __COUNTER__ value, salted) has not fired yet
 * in the current driver instance; marks it fired. */
bool kshim_warn_once_first(const char *file, unsigned int site);
_Noreturn void kshim_bug(const char *file, int line, const char *what);

#define WARN_ON(cond) ({							\
	bool kshim_c_ = !!(cond);						\
	if (unlikely(kshim_c_))							\
		kshim_warn(__FILE__, __LINE__, "WARN_ON(%s)", #cond);		\
	kshim_c_;								\
})

#define WARN(cond, ...) ({							\
	bool kshim_c_ = !!(cond);						\
	if (unlikely(kshim_c_))							\
		kshim_warn(__FILE__, __LINE__, __VA_ARGS__);			\
	kshim_c_;								\
})

#define KSHIM_ONCE(cond, ...) ({						\
	bool kshim_c_ = !!(cond);						\
	if (unlikely(kshim_c_) && kshim_warn_once_first(__FILE__, __COUNTER__))	\
		kshim_warn(__FILE__, __LINE__, __VA_ARGS__);			\
	kshim_c_;								\
})

#define WARN_ONCE(cond, ...)	KSHIM_ONCE(cond, __VA_ARGS__)
#define WARN_ON_ONCE(cond)	KSHIM_ONCE(cond, "WARN_ON_ONCE(%s)", #cond)

#define BUG()		kshim_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(cond)	do {							\
		if (unlikely(cond))						\
			kshim_bug(__FILE__, __LINE__, "BUG_ON(" #cond ")");	\
	} while (0)

#endif /* KSHIM_LINUX_BUG_H */
