// SPDX-License-Identifier: MIT
/*
 * bug.c - WARN, WARN_ONCE, BUG and printk for the kernel code.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "kshim.h"

void kshim_warn(const char *file, int line, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	host_warn(kshim_host(), file, line, "%s", msg);
}

bool kshim_warn_once_first(const char *file, unsigned int site)
{
	struct kshim_instance *inst = kshim_cur_inst;
	unsigned int i;

	if (!inst)
		return true;
	for (i = 0; i < inst->nr_once; i++)
		if (inst->once[i].site == site && inst->once[i].file == file)
			return false;
	if (inst->nr_once < KSHIM_ONCE_SITES) {
		inst->once[inst->nr_once].file = file;
		inst->once[inst->nr_once].site = site;
		inst->nr_once++;
	}
	return true;
}

_Noreturn void kshim_bug(const char *file, int line, const char *what)
{
	host_warn(kshim_host(), file, line, "kernel BUG: %s", what);
	if (kshim_cur_inst)
		kshim_cur_inst->dead = true;
	if (kshim_bug_jmp)
		longjmp(*kshim_bug_jmp, 1);
	fprintf(stderr, "%s:%d: kernel BUG outside any backend call: %s\n", file, line, what);
	abort();
}

void kshim_printk(const char *level, const char *fmt, ...)
{
	static int verbose = -1;
	va_list ap;

	if (verbose < 0)
		verbose = getenv("VFIOSIM_KLOG") != NULL;
	if (!verbose)
		return;
	fprintf(stderr, "kernel %s: ", level);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}
