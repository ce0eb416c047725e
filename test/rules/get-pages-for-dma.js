'use strict';
// get-pages-for-dma: FOLL_GET pages put into a DMA mapping or scatterlist in a tree with pins.
module.exports = {
  valid: [
    {
      // The same helper; its caller only reads the pages with the CPU.
      name: 'a helper fills the caller\'s array and the caller only reads it', code: `
static int cr_pin(struct mm_struct *mm, unsigned long start, long n, struct page **p)
{
	long ret;

	mmap_read_lock(mm);
	ret = get_user_pages_remote(mm, start, n, 0, p, NULL); /* expect-none */
	mmap_read_unlock(mm);
	if (ret == n)
		return 0;
	while (ret > 0)
		put_page(p[--ret]);
	return -EFAULT;
}

int cr_sum(struct mm_struct *mm, unsigned long uaddr, long n, struct page **pages, u32 *sum)
{
	long i;
	int ret = cr_pin(mm, uaddr, n, pages);

	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		u32 *va = kmap_local_page(pages[i]);
		*sum += va[0];
		kunmap_local(va);
		put_page(pages[i]);
	}
	return 0;
}
` },
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
    {
      // A configure switch: the pin arm is built where pin_user_pages_fast() exists, the
      // FOLL_GET arm only where it does not.
      name: 'FOLL_GET call whose sibling #ifdef arm calls the pin counterpart', era: '6.12', code: `
int gc_map(struct scatterlist *sg, unsigned long uaddr)
{
	struct page *page;

#ifdef HAVE_PIN_USER_PAGES_FAST
	if (pin_user_pages_fast(uaddr, 1, FOLL_WRITE, &page) < 0)
#else
	if (get_user_pages_fast(uaddr, 1, FOLL_WRITE, &page) < 0) /* expect-none */
#endif
		return -EFAULT;
	sg_set_page(sg, page, PAGE_SIZE, 0);
	return 0;
}
` },
    {
      // The helper given the array only reads the pages (a checksum through kmap): no DMA.
      name: 'FOLL_GET pages handed to a helper that only reads them', code: `
static u32 gd_sum(struct page **pages, int n)
{
	u32 sum = 0;
	int i;

	for (i = 0; i < n; i++) {
		u32 *v = kmap_local_page(pages[i]);

		sum += v[0];
		kunmap_local(v);
	}
	return sum;
}

int gd_check(unsigned long uaddr, int n, struct page **pages, u32 *out)
{
	int got, i;

	got = get_user_pages_fast(uaddr, n, 0, pages); /* expect-none */
	if (got != n) {
		for (i = 0; i < got; i++)
			put_page(pages[i]);
		return -EFAULT;
	}
	*out = gd_sum(pages, n);
	for (i = 0; i < n; i++)
		put_page(pages[i]);
	return 0;
}
` },
    {
      // A struct's array handed to a helper that only maps it into the kernel: no DMA.
      name: 'FOLL_GET pages of a struct field handed to a helper that only vmaps them', era: '6.12', code: `
struct gv_buf {
	struct page **pages;
	void *kva;
};

static void *gv_map(struct page **pv, unsigned int cnt)
{
	return vmap(pv, cnt, VM_MAP, PAGE_KERNEL);
}

int gv_pin(struct gv_buf *b, unsigned long uaddr, unsigned int cnt)
{
	int got = get_user_pages_fast(uaddr, cnt, FOLL_WRITE, b->pages); /* expect-none */

	if (got != cnt) {
		if (got > 0)
			release_pages(b->pages, got);
		return -EFAULT;
	}
	b->kva = gv_map(b->pages, cnt);
	return b->kva ? 0 : -ENOMEM;
}
` },
  ],
  invalid: [
    {
      // A count wrapper (`return get_user_pages_fast(...)`) whose caller maps the array.
      name: 'a count wrapper fills the caller\'s array and the caller maps it', era: '6.12', code: `
static long cw_get(unsigned long start, int n, struct page **pages)
{
	return get_user_pages_fast(start, n, FOLL_WRITE, pages); /* expect: get-pages-for-dma:note */
}

int cw_map(struct device *dev, unsigned long ua, int n, dma_addr_t *dma)
{
	struct page **pv = kcalloc(n, sizeof(*pv), GFP_KERNEL);
	long got;
	int i;

	if (!pv)
		return -ENOMEM;
	got = cw_get(ua, n, pv);
	if (got != n) {
		if (got > 0)
			release_pages(pv, got);
		kfree(pv);
		return -EFAULT;
	}
	for (i = 0; i < n; i++)
		dma[i] = dma_map_page(dev, pv[i], 0, PAGE_SIZE, DMA_TO_DEVICE);
	return 0;
}
`, messages: [/^pages is filled by get_user_pages_fast\(\) \(FOLL_GET\), and cw_map\(\) \(line 15\) puts the array it passed in into a DMA mapping by dma_map_page\(\) \(line 23\)/] },
    {
      // The array is NULL unless the buffer is mapped now: on that path the call only faults
      // the range in, and a pin call would refuse it.
      name: 'a pages array that is NULL on a path (fault-in only there)', era: '6.12', code: `
int fm_import(struct device *dev, struct fm_buf *fb, unsigned long uaddr, long n)
{
	struct page **arr = NULL;
	long got, i;

	if (fb->map_now)
		arr = fb->pages;
	mmap_read_lock(current->mm);
	got = get_user_pages(uaddr, n, FOLL_WRITE, arr); /* expect: get-pages-for-dma:note */
	mmap_read_unlock(current->mm);
	if (got != n)
		goto drop;
	if (arr)
		for (i = 0; i < n; i++)
			fb->dma[i] = dma_map_page(dev, arr[i], 0, PAGE_SIZE, DMA_TO_DEVICE);
	return 0;
drop:
	if (arr)
		for (i = 0; i < got; i++)
			put_page(arr[i]);
	return -EFAULT;
}
`, messages: [/^arr is filled by get_user_pages\(\) \(FOLL_GET\) and put into a DMA mapping by dma_map_page\(\) at line 16, but it may be NULL at this call \(set at line 4\), where the call only faults the range in and pin_user_pages\(\) would refuse it: pin with pin_user_pages\(\) \(FOLL_PIN\) only on the path that passes an array/] },
    {
      // Initialised to NULL, then allocated and tested before the call: never NULL there.
      name: 'a pages array set to NULL, allocated and tested before the call', era: '6.12', code: `
int fa_map(struct device *dev, struct scatterlist *sgl, unsigned long uaddr, int n)
{
	struct page **pv = NULL;
	int got, i;

	pv = kvmalloc_array(n, sizeof(*pv), GFP_KERNEL);
	if (!pv)
		return -ENOMEM;
	got = get_user_pages_fast(uaddr, n, FOLL_WRITE, pv); /* expect: get-pages-for-dma:note */
	if (got != n) {
		while (got > 0)
			put_page(pv[--got]);
		kvfree(pv);
		return -EFAULT;
	}
	for (i = 0; i < n; i++)
		sg_set_page(&sgl[i], pv[i], PAGE_SIZE, 0);
	kvfree(pv);
	return 0;
}
`, messages: [/^pv is filled by get_user_pages_fast\(\) \(FOLL_GET\) and put into a scatterlist by sg_set_page\(\) at line 18, the form in which pages go to a device for DMA: use pin_user_pages_fast\(\)/] },
    {
      // NULL on one path, but the call is made only where the array is set.
      name: 'a pages array NULL on a path, the call only under a test of it', era: '6.12', code: `
int fb_take(struct device *dev, struct fb_ctx *c, unsigned long uaddr, int n)
{
	struct page **pp = NULL;
	int got = 0, i;

	if (c->want_pages)
		pp = c->pages;
	if (pp && n > 0)
		got = get_user_pages_fast(uaddr, n, 0, pp); /* expect: get-pages-for-dma:note */
	if (got != n) {
		while (got > 0)
			put_page(pp[--got]);
		return -EFAULT;
	}
	for (i = 0; i < n; i++)
		c->dma[i] = dma_map_page(dev, pp[i], 0, PAGE_SIZE, DMA_TO_DEVICE);
	return 0;
}
`, messages: [/^pp is filled by get_user_pages_fast\(\) \(FOLL_GET\) and put into a DMA mapping by dma_map_page\(\) at line 17: use pin_user_pages_fast\(\)/] },
    {
      // The caller puts the array its helper filled into a scatterlist.
      name: 'a helper fills the caller\'s array and the caller builds a scatterlist of it', code: `
static int cs_pin(unsigned long start, int n, struct page **p)
{
	int ret = get_user_pages_fast(start, n, FOLL_WRITE, p); /* expect: get-pages-for-dma:note */

	if (ret == n)
		return 0;
	while (ret > 0)
		put_page(p[--ret]);
	return -EFAULT;
}

int cs_build(struct scatterlist *sgl, unsigned long uaddr, int n, struct page **pages)
{
	int i, ret = cs_pin(uaddr, n, pages);

	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		sg_set_page(&sgl[i], pages[i], PAGE_SIZE, 0);
	return 0;
}
`, messages: [/^p is filled by get_user_pages_fast\(\) \(FOLL_GET\), and cs_build\(\) \(line 15\) puts the array it passed in into a scatterlist by sg_set_page\(\) \(line 20\), the form in which pages go to a device for DMA/] },
    {
      // A helper fills its caller's array; the caller maps the entries for DMA after it.
      name: 'a helper fills the caller\'s array and the caller maps it', code: `
static int cd_pin(struct mm_struct *mm, unsigned long start, long n, struct page **p)
{
	long ret;

	mmap_read_lock(mm);
	ret = get_user_pages_remote(mm, start, n, FOLL_WRITE, p, NULL); /* expect: get-pages-for-dma:note */
	mmap_read_unlock(mm);
	if (ret == n)
		return 0;
	while (ret > 0)
		put_page(p[--ret]);
	return -EFAULT;
}

int cd_map(struct device *dev, struct mm_struct *mm, unsigned long uaddr, long n,
	   struct page **pages, dma_addr_t *addrs)
{
	long i;
	int ret = cd_pin(mm, uaddr, n, pages);

	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		addrs[i] = dma_map_page(dev, pages[i], 0, PAGE_SIZE, DMA_BIDIRECTIONAL);
	return 0;
}
`, messages: [/^p is filled by get_user_pages_remote\(\) \(FOLL_GET\), and cd_map\(\) \(line 20\) puts the array it passed in into a DMA mapping by dma_map_page\(\) \(line 25\): use pin_user_pages_remote\(\)/] },
    {
      // The same helper shape with a struct's array: the helper builds the DMA table.
      name: 'FOLL_GET pages of a struct field handed to a helper that builds an sg table', era: '6.12', messages: [/ub->pages is filled by get_user_pages_fast\(\) \(FOLL_GET\) and put into a scatterlist by gu_build_sgt\(\) at line 22/], code: `
struct gu_buf {
	struct page **pages;
	struct sg_table sgt;
};

static int gu_build_sgt(struct sg_table *sgt, struct page **pv, unsigned int cnt)
{
	return sg_alloc_table_from_pages(sgt, pv, cnt, 0, (size_t)cnt << PAGE_SHIFT, GFP_KERNEL);
}

int gu_pin(struct gu_buf *ub, unsigned long uaddr, unsigned int cnt)
{
	int got, err;

	got = get_user_pages_fast(uaddr, cnt, FOLL_WRITE, ub->pages); /* expect: get-pages-for-dma:note */
	if (got != cnt) {
		if (got > 0)
			release_pages(ub->pages, got);
		return got < 0 ? got : -EFAULT;
	}
	err = gu_build_sgt(&ub->sgt, ub->pages, cnt);
	if (err)
		release_pages(ub->pages, cnt);
	return err;
}
` },
    {
      name: 'the count is stored into a struct field: the pages still go to a DMA table', era: '5.10', code: `
struct gd_buf {
	struct page **pages;
	long pagecount;
	struct sg_table sgt;
};

int gd_field_count(struct gd_buf *ub, unsigned long uaddr, int n)
{
	int ret;

	ub->pagecount = get_user_pages_fast(uaddr, n, FOLL_WRITE, ub->pages); /* expect: get-pages-for-dma:note */
	if (ub->pagecount != n)
		return -EFAULT;
	ret = sg_alloc_table_from_pages(&ub->sgt, ub->pages, n, 0, n * PAGE_SIZE, GFP_KERNEL);
	return ret;
}
` },
    {
      // drm_prime_pages_to_sg() builds the scatterlist with sg_alloc_table_from_pages_segment().
      name: 'pages handed to drm_prime_pages_to_sg', era: '6.12', code: `
struct sg_table *gp_sgt(struct drm_device *dev, unsigned long addr, struct page **pages, int npages)
{
	int ret = get_user_pages_fast(addr, npages, FOLL_WRITE, pages); /* expect: get-pages-for-dma:note */

	if (ret != npages) {
		while (ret > 0)
			put_page(pages[--ret]);
		return NULL;
	}
	return drm_prime_pages_to_sg(dev, pages, npages);
}
` },
    {
      // Both arms of an undecided #ifdef take FOLL_GET references: no pin arm to rely on.
      name: 'FOLL_GET in both #ifdef arms', era: '6.12', code: `
int gb_map(struct scatterlist *sg, unsigned long uaddr)
{
	struct page *page;

#ifdef HAVE_GB_WRITE
	if (get_user_pages_fast(uaddr, 1, FOLL_WRITE, &page) < 0) /* expect: get-pages-for-dma:note */
#else
	if (get_user_pages_fast(uaddr, 1, 0, &page) < 0) /* expect: get-pages-for-dma:note */
#endif
		return -EFAULT;
	sg_set_page(sg, page, PAGE_SIZE, 0);
	return 0;
}
` },
    {
      name: 'get_user_pages_fast pages mapped for DMA', era: '6.12', code: `
dma_addr_t gd_map(struct device *dev, unsigned long uaddr, struct page **pages)
{
	if (get_user_pages_fast(uaddr, 1, FOLL_WRITE, pages) != 1) /* expect: get-pages-for-dma:note */
		return 0;
	return dma_map_page(dev, pages[0], 0, PAGE_SIZE, DMA_FROM_DEVICE);
}
` },
    {
      // A helper builds the scatterlist from the array it is given; the caller maps it.
      name: 'FOLL_GET pages put into a scatterlist by a helper they are handed to', messages: [/put into a scatterlist by gh_build_sg\(\) at line \d+/], code: `
static int gh_build_sg(struct page **pages, int n, struct scatterlist **out)
{
	struct scatterlist *sg = kcalloc(n, sizeof(*sg), GFP_KERNEL);
	int i;

	if (!sg)
		return -ENOMEM;
	sg_init_table(sg, n);
	for (i = 0; i < n; i++)
		sg_set_page(&sg[i], pages[i], PAGE_SIZE, 0);
	*out = sg;
	return 0;
}

int gh_map_user(struct device *dev, unsigned long uaddr, int n, struct page **pages, struct scatterlist **out)
{
	int got, i, err;

	got = get_user_pages_fast(uaddr, n, FOLL_WRITE, pages); /* expect: get-pages-for-dma:note */
	if (got < n) {
		err = got < 0 ? got : -EFAULT;
		n = got;
		goto put;
	}
	err = gh_build_sg(pages, n, out);
	if (err)
		goto put;
	if (!dma_map_sg(dev, *out, n, DMA_BIDIRECTIONAL)) {
		kfree(*out);
		err = -ENOMEM;
		goto put;
	}
	return 0;
put:
	for (i = 0; i < n; i++)
		put_page(pages[i]);
	return err;
}
` },
  ],
};
