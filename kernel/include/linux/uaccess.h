/* SPDX-License-Identifier: MIT */
/*
 * linux/uaccess.h - copies to and from the simulated process, through the
 * host's user-copy layer: access_ok() first, fault injection, and a failed
 * copy_from_user() zero-fills what it could not copy, as the kernel's
 * does.  Both return the number of bytes not copied.
 */
#ifndef KSHIM_LINUX_UACCESS_H
#define KSHIM_LINUX_UACCESS_H

#include <linux/types.h>

unsigned long copy_from_user(void *to, const void __user *from, unsigned long n);
unsigned long copy_to_user(void __user *to, const void *from, unsigned long n);
bool kshim_access_ok(unsigned long addr, unsigned long size);

#define access_ok(addr, size)	kshim_access_ok((unsigned long)(uintptr_t)(addr), (size))

#endif /* KSHIM_LINUX_UACCESS_H */
