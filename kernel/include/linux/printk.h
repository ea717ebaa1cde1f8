/* SPDX-License-Identifier: MIT */
/*
 * linux/printk.h - kernel log messages.  They go to stderr only when
 * VFIOSIM_KLOG is set in the environment (the tests provoke many on
 * purpose); the format is still checked at compile time.
 */
#ifndef KSHIM_LINUX_PRINTK_H
#define KSHIM_LINUX_PRINTK_H

void kshim_printk(const char *level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pr_err(...)	kshim_printk("err", __VA_ARGS__)
#define pr_warn(...)	kshim_printk("warn", __VA_ARGS__)
#define pr_info(...)	kshim_printk("info", __VA_ARGS__)
#define pr_debug(...)	kshim_printk("debug", __VA_ARGS__)

#endif /* KSHIM_LINUX_PRINTK_H */
