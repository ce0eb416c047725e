'use strict';
// pin-put-mismatch: pages from pin_user_pages* released with put_page/release_pages, or
// pages from get_user_pages* released with unpin_user_page(s)*. Primary location: the release.
module.exports = {
  valid: [
    {
      name: 'pinned pages unpinned', code: `
int pp_ok(unsigned long uaddr, struct page **pages, int nr)
{
	int n = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect-none */

	if (n <= 0)
		return n ? n : -EFAULT;
	unpin_user_pages(pages, n);
	return 0;
}
` },
    {
      name: 'got pages put', code: `
int pp_ok_get(unsigned long uaddr, struct page **pages, int nr)
{
	int i, n = get_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect-none */

	if (n <= 0)
		return n ? n : -EFAULT;
	for (i = 0; i < n; i++)
		put_page(pages[i]);
	return 0;
}
` },
  ],
  invalid: [
    {
      name: 'pinned pages put with put_page', code: `
int pp_bad(unsigned long uaddr, struct page **pages, int nr)
{
	int i, n = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages);

	if (n <= 0)
		return n ? n : -EFAULT;
	for (i = 0; i < n; i++)
		put_page(pages[i]); /* expect: pin-put-mismatch:error */
	return 0;
}
` },
    {
      name: 'got pages unpinned', code: `
int pp_bad_get(unsigned long uaddr, struct page **pages, int nr)
{
	int n = get_user_pages_fast(uaddr, nr, FOLL_WRITE, pages);

	if (n <= 0)
		return n ? n : -EFAULT;
	unpin_user_pages(pages, n); /* expect: pin-put-mismatch:error */
	return 0;
}
` },
  ],
};
