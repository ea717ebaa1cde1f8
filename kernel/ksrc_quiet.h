/* SPDX-License-Identifier: MIT */
/*
 * ksrc_quiet.h - the tree's vfio_iommu_type1.c as a system header, whose
 * lines draw no warning (gcc and clang alike), while the code around it in
 * type1_tu.c keeps the project's -Werror.  The kernel's own warnings come
 * from type1_tu.c's other compilation (kernel/README.md, "Warnings").
 */
#pragma GCC system_header
#include KSRC_TYPE1_C
