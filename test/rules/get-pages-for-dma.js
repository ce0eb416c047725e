'use strict';
// get-pages-for-dma: FOLL_GET pages put into a DMA mapping or scatterlist in a tree with pins.
module.exports = {
  valid: [
    {
      name: 'pinned pages in a scatterlist', era: '6.12', code: `
int gd_pin(struct sg_table *sgt, unsigned long uaddr, struct page **pages, int nr)
{
	int n = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect-none */

	if (n != nr) {
		if (n > 0)
			unpin_user_pages(pages, n);
		return -EFAULT;
	}
	return sg_alloc_table_from_pages(sgt, pages, nr, 0, nr * PAGE_SIZE, GFP_KERNEL);
}
` },
    {
      name: 'a 4.9 tree has no pin_user_pages', era: '4.9', code: `
int gd_old(struct sg_table *sgt, unsigned long uaddr, struct page **pages, int nr)
{
	int n = get_user_pages_fast(uaddr, nr, 1, pages); /* expect-none */

	if (n != nr) {
		while (n > 0)
			put_page(pages[--n]);
		return -EFAULT;
	}
	return sg_alloc_table_from_pages(sgt, pages, nr, 0, nr * PAGE_SIZE, GFP_KERNEL);
}
` },
  ],
  invalid: [
    {
      name: 'get_user_pages_fast pages mapped for DMA', era: '6.12', code: `
dma_addr_t gd_map(struct device *dev, unsigned long uaddr, struct page **pages)
{
	if (get_user_pages_fast(uaddr, 1, FOLL_WRITE, pages) != 1) /* expect: get-pages-for-dma:note */
		return 0;
	return dma_map_page(dev, pages[0], 0, PAGE_SIZE, DMA_FROM_DEVICE);
}
` },
  ],
};
