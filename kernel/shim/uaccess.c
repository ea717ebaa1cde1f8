// SPDX-License-Identifier: MIT
/*
 * uaccess.c - user copies on the host's user-copy layer, which checks
 * access_ok(), counts each copy for fault injection and zero-fills the
 * uncopied tail of a failed copy_from_user().
 */
#include "kshim.h"

unsigned long copy_from_user(void *to, const void __user *from, unsigned long n)
{
	return host_copy_from_user(kshim_host(), to, (uint64_t)(uintptr_t)from, n);
}

unsigned long copy_to_user(void __user *to, const void *from, unsigned long n)
{
	return host_copy_to_user(kshim_host(), (uint64_t)(uintptr_t)to, from, n);
}

bool kshim_access_ok(unsigned long addr, unsigned long size)
{
	return host_access_ok(kshim_host(), addr, size);
}
