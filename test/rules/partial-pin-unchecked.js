'use strict';
// partial-pin-unchecked: the result of a multi-page GUP call ignored or only tested for < 0
// before all nr_pages entries are used or released.
module.exports = {
  valid: [
    {
      name: 'short pin handled', code: `
int pc_ok(unsigned long uaddr, struct page **pages, int nr)
{
	int n = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect-none */

	if (n < 0)
		return n;
	if (n != nr) {
		unpin_user_pages(pages, n);
		return -EFAULT;
	}
	return 0;
}
` },
    {
      name: 'single page, bool result', code: `
int pc_one(unsigned long uaddr, struct page **page)
{
	if (get_user_pages_fast(uaddr, 1, 0, page) != 1) /* expect-none */
		return -EFAULT;
	return 0;
}
` },
    {
      name: 'count written into nr before the common release', code: `
int pc_rewrite(unsigned long uaddr, struct page **pages, unsigned int nr)
{
	int ret = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect-none */

	if (ret != nr) {
		nr = ret > 0 ? ret : 0;
		ret = -EFAULT;
	}
	unpin_user_pages(pages, nr);
	return ret;
}
` },
  ],
  invalid: [
    {
      // The requested count initialised to 0 at its declaration, computed later: it is no
      // status flag, and the short pin freed on the error path is still a leak.
      name: 'count variable initialised to 0 before it is computed', code: `
int pz_userptr(struct pz_bo *bo, unsigned long addr)
{
	unsigned int want = 0;
	struct page **pages;
	int ret;

	want = bo->size >> PAGE_SHIFT;
	pages = kvcalloc(want, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	ret = get_user_pages_fast(addr, want, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */
	if (ret != want) {
		ret = -ENOMEM;
		goto out;
	}
	ret = pz_use(bo, pages, want);
out:
	kvfree(pages);
	return ret;
}
` },
    {
      name: 'error path releases all nr after a short pin', code: `
int pc_over(unsigned long uaddr, struct page **pages, int nr)
{
	int ret = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */

	if (ret != nr) {
		unpin_user_pages(pages, nr);
		return -EFAULT;
	}
	return 0;
}
` },
    {
      name: 'short pin returned as an error with the pages held', code: `
int pc_leak(unsigned long uaddr, struct page **pages, int nr)
{
	int ret = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */

	if (ret != nr)
		return -EFAULT;
	return 0;
}
` },
    {
      name: 'only < 0 tested, then all entries released', code: `
int pc_lt0(unsigned long uaddr, struct page **pages, int nr)
{
	int n = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */

	if (n < 0)
		return n;
	unpin_user_pages(pages, nr);
	return 0;
}
` },
    {
      name: 'result ignored (4.9)', era: '4.9', code: `
void pc_ignored(unsigned long uaddr, struct page **pages, int nr)
{
	int i;

	get_user_pages_fast(uaddr, nr, 1, pages); /* expect: partial-pin-unchecked:warning */
	for (i = 0; i < nr; i++)
		put_page(pages[i]);
}
` },
  ],
};
