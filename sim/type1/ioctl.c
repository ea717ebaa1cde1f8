// SPDX-License-Identifier: MIT
/*
 * ioctl.c - the model as a vfiosim backend: opening and releasing a
 * container's driver instance, and the ioctl switch.  The backend is
 * linked in, not registered: nothing stands for vfio_iommu_type1_init()
 * and vfio_iommu_type1_cleanup().
 */
#include <errno.h>

#include "type1/type1.h"

/* vfio_iommu_type1_ioctl() */
static long t1_ioctl(void *data, unsigned int cmd, unsigned long arg)
{
	struct t1_iommu *iommu = data;

	if (cmd == VFIO_CHECK_EXTENSION)
		return t1_check_extension(iommu ? iommu->kernel : VFIOSIM_KERNEL_NEWEST, iommu,
					  arg);
	if (!iommu)
		return -EINVAL;
	switch (cmd) {
	case VFIO_IOMMU_GET_INFO:
		return t1_ioctl_get_info(iommu, arg);
	case VFIO_IOMMU_MAP_DMA:
		return t1_ioctl_map_dma(iommu, arg);
	case VFIO_IOMMU_UNMAP_DMA:
		return t1_ioctl_unmap_dma(iommu, arg);
	case VFIO_IOMMU_DIRTY_PAGES:
		return t1_ioctl_dirty_pages(iommu, arg);
	case VFIOSIM_IOMMU_DIRTY_PROVIDER:
		return t1_ioctl_dirty_provider(iommu, arg);
	default:
		return -ENOTTY;
	}
}

/* No driver open yet: the answer of the host's kernel version. */
static long t1_probe_extension(const struct vfiosim_host *h, unsigned long arg)
{
	return t1_check_extension(host_kernel(h), NULL, arg);
}

/* vfio_iommu_type1_open() */
static void *t1_open(struct vfiosim_host *h, unsigned long type, int *err)
{
	struct t1_iommu *iommu = host_alloc(h, sizeof(*iommu), true);

	if (!iommu) {
		*err = -ENOMEM;
		return NULL;
	}
	iommu->kernel = host_kernel(h);
	switch (type) {
	case VFIO_TYPE1_IOMMU:
		break;
	case VFIO_TYPE1_NESTING_IOMMU:
		/* Since 6.13 the number opens a plain v2 driver (if asked). */
		iommu->nesting = !t1_since(iommu, T1_NO_NESTING);
		iommu->v2 = true;
		break;
	case VFIO_TYPE1v2_IOMMU:
		iommu->v2 = true;
		break;
	default:
		host_free(h, iommu);
		*err = -EINVAL;
		return NULL;
	}
	iommu->h = h;
	iommu->dmas = RB_ROOT;
	iommu->dma_limit = h->cfg.dma_entry_limit;
	iommu->dma_avail = iommu->dma_limit;
	/* Until a domain says otherwise, any size from PAGE_SIZE up. */
	iommu->pgsize_bitmap = ~(h->page_size - 1);
	return iommu;
}

/* vfio_iommu_type1_release(), with vfio_release_domain() inline. */
static void t1_release(void *data)
{
	struct t1_iommu *iommu = data;
	struct t1_domain *dom;
	struct t1_group *tg;

	while ((tg = iommu->emulated)) {
		iommu->emulated = tg->next;
		t1_group_free(iommu, tg);
	}
	host_free(iommu->h, iommu->external);
	t1_remove_all(iommu);
	while ((dom = iommu->domains)) {
		while ((tg = dom->groups)) {
			dom->groups = tg->next;
			host_domain_detach(dom->hd, tg->g);
			t1_group_free(iommu, tg);
		}
		host_domain_free(dom->hd);
		iommu->domains = dom->next;
		host_free(iommu->h, dom);
	}
	t1_iova_free(iommu, &iommu->iovas);
	t1_fast_free(iommu);
	host_free(iommu->h, iommu);
}

/* vfio_iommu_driver_ops_type1 */
const struct vfiosim_backend vfiosim_backend = {
	.name = "model",
	.ioctl = t1_ioctl,
	.check_extension = t1_probe_extension,
	.open = t1_open,
	.release = t1_release,
	.attach_group = t1_attach_group,
	.detach_group = t1_detach_group,
	.pin_pages = t1_pin_pages,
	.unpin_pages = t1_unpin_pages,
	.register_device = t1_register_device,
	.unregister_device = t1_unregister_device,
	.dma_rw = t1_dma_rw,
	.check = t1_check,
	.locked_pages = t1_locked_pages,
};
