/* SPDX-License-Identifier: MIT */
/*
 * linux/module.h - module boilerplate.  Parameters are the plain static
 * variables they name (the backend sets them from the host configuration
 * before every call); module_init() keeps a pointer to the init function,
 * which the backend calls to have the driver register itself.  Type1
 * before Linux 5.16 found the mdev bus through symbol_get().
 */
#ifndef KSHIM_LINUX_MODULE_H
#define KSHIM_LINUX_MODULE_H

#include <linux/types.h>

struct module;

#define THIS_MODULE		((struct module *)0)
#define S_IRUGO			0444
#define S_IWUSR			0200
#define module_param_named(name, value, type, perm) \
	static __attribute__((unused)) void *const kshim_param_##name = &(value)
#define MODULE_PARM_DESC(name, desc)
#define MODULE_VERSION(v)
#define MODULE_LICENSE(l)
#define MODULE_AUTHOR(a)
#define MODULE_DESCRIPTION(d)
#define module_init(fn)	\
	static int (*const kshim_module_init)(void) __attribute__((unused)) = (fn)
#define module_exit(fn)	\
	static void (*const kshim_module_exit)(void) __attribute__((unused)) = (fn)

/* Every symbol is linked in: looking one up finds it, and holds nothing. */
#define symbol_get(x)		(&(x))
#define symbol_put(x)		do { } while (0)

#endif /* KSHIM_LINUX_MODULE_H */
