/* SPDX-License-Identifier: MIT */
/* linux/dma-iommu.h - iommu_get_msi_cookie() is declared in linux/iommu.h. */
#include <linux/iommu.h>
