'use strict';
// pin-put-mismatch: pages from pin_user_pages* released with put_page/release_pages, or
// pages from get_user_pages* released with unpin_user_page(s)*. Primary location: the release.
module.exports = {
  valid: [
    {
      // An extra reference taken on pinned pages (for an skb-like frag) and dropped with
      // put_page(); the pin itself is unpinned.
      name: 'get_page() of pinned pages balanced by put_page(); the pins unpinned', code: `
struct xr_frag { struct page *page; };
int xr_send(struct xr_frag *f, int n);

int xr_xmit(unsigned long uaddr, int nr, struct page **pages, struct xr_frag *frags)
{
	int i, ret;

	ret = pin_user_pages_fast(uaddr, nr, 0, pages);
	if (ret != nr) {
		if (ret > 0)
			unpin_user_pages(pages, ret);
		return -EFAULT;
	}
	for (i = 0; i < nr; i++) {
		get_page(pages[i]);
		frags[i].page = pages[i];
	}
	ret = xr_send(frags, nr);
	for (i = 0; i < nr; i++)
		put_page(pages[i]); /* expect-none */
	unpin_user_pages(pages, nr);
	return ret;
}
` },
    {
      // A helper that pins into its parameter; the callers release the way it acquired.
      name: 'pinning helper filling a parameter, callers release with the matching family', code: `
static int ah_pin(unsigned long a, int n, struct page **pages)
{
	int ret = pin_user_pages_fast(a, n, FOLL_WRITE, pages);

	if (ret <= 0)
		return -EFAULT;
	return ret;
}

static int ah_get(unsigned long a, int n, struct page **pages)
{
	return get_user_pages_fast(a, n, FOLL_WRITE, pages);
}

int ah_ok(unsigned long a, int n, struct page **pages, struct page **more)
{
	int i, cnt = ah_pin(a, n, pages);
	int got;

	if (cnt < 0)
		return cnt;
	unpin_user_pages(pages, cnt); /* expect-none */
	got = ah_get(a, n, more);
	if (got < 0)
		return got;
	for (i = 0; i < got; i++)
		put_page(more[i]); /* expect-none */
	return 0;
}
` },
    {
      name: 'pin or get chosen by an undecided #ifdef, each released by its own family', code: `
int pm_switch_ok(unsigned long addr)
{
	struct page *page;
	int n;

#ifdef HAVE_PIN_USER_PAGES_FAST
	n = pin_user_pages_fast(addr, 1, FOLL_WRITE, &page); /* expect-none */
#else
	n = get_user_pages_fast(addr, 1, FOLL_WRITE, &page); /* expect-none */
#endif
	if (n != 1)
		return -EFAULT;
#ifdef HAVE_PIN_USER_PAGES_FAST
	unpin_user_page(page);
#else
	put_page(page);
#endif
	return 0;
}
` },
    {
      name: 'release through a function-like macro of the file, of the right family', code: `
#define DRV_UNPIN(pg) unpin_user_page(pg)

int pm_macro_ok(unsigned long uaddr, struct page **pages, int nr)
{
	int ret, i;

	ret = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect-none */
	if (ret < 0)
		return ret;
	for (i = 0; i < ret; i++)
		DRV_UNPIN(pages[i]);
	return ret == nr ? 0 : -EFAULT;
}
` },
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
    {
      name: 'a struct field pinned, released in another function through a helper that unpins', code: `
struct rv_xfer { struct page **pages; unsigned long npages; };

static void rv_release(struct page **pages, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		unpin_user_page(pages[i]);
}

int rv_setup(struct rv_xfer *x, unsigned long uaddr, unsigned long nr)
{
	long ret = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, x->pages);

	if (ret < 0)
		return ret;
	x->npages = ret;
	return ret == nr ? 0 : -EFAULT;
}

void rv_done(struct rv_xfer *x)
{
	rv_release(x->pages, x->npages); /* expect-none */
	x->npages = 0;
}
` },
  ],
  invalid: [
    {
      // The same helpers, each caller releasing with the other family.
      name: 'pinning helper filling a parameter, the caller puts the pages; a get helper, the caller unpins',
      messages: [/pages was pinned \(FOLL_PIN\) by pin_user_pages_fast\(\) at line 4, but put_page\(\) releases it/, /more holds FOLL_GET references by get_user_pages_fast\(\) at line 13, but unpin_user_pages\(\) releases it as pinned pages/], code: `
static int ai_pin(unsigned long a, int n, struct page **pages)
{
	int ret = pin_user_pages_fast(a, n, FOLL_WRITE, pages);

	if (ret <= 0)
		return -EFAULT;
	return ret;
}

static int ai_get(unsigned long a, int n, struct page **pages)
{
	return get_user_pages_fast(a, n, FOLL_WRITE, pages);
}

int ai_bad(unsigned long a, int n, struct page **pages, struct page **more)
{
	int i, cnt = ai_pin(a, n, pages);
	int got;

	if (cnt < 0)
		return cnt;
	for (i = 0; i < cnt; i++)
		put_page(pages[i]); /* expect: pin-put-mismatch:error */
	got = ai_get(a, n, more);
	if (got < 0)
		return got;
	unpin_user_pages(more, got); /* expect: pin-put-mismatch:error */
	return 0;
}
` },
    {
      // A configure switch picks the family; the release is one family's: wrong in the
      // builds of the other arm, which the message names.
      name: 'pin or get chosen by an undecided #ifdef, released with put_page()',
      messages: [/pinned \(FOLL_PIN\) by pin_user_pages_fast\(\) at line \d+, but put_page\(\) releases it.*\[only if defined\(HAVE_PIN_USER_PAGES_FAST\): a condition the tool cannot decide\]/], code: `
int pm_switch(unsigned long addr)
{
	struct page *page;
	int n;

#ifdef HAVE_PIN_USER_PAGES_FAST
	n = pin_user_pages_fast(addr, 1, FOLL_WRITE, &page);
#else
	n = get_user_pages_fast(addr, 1, FOLL_WRITE, &page);
#endif
	if (n != 1)
		return -EFAULT;
	put_page(page); /* expect: pin-put-mismatch:error */
	return 0;
}
` },
    {
      name: 'release through a function-like macro of the file', messages: [/but put_page\(\) releases it as FOLL_GET references.*\(called as DRV_PUT\(\), which expands to put_page\(\)\)/], code: `
#define DRV_PUT(pg) put_page(pg)

int pm_macro(unsigned long uaddr, struct page **pages, int nr)
{
	int ret, i;

	ret = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages);
	if (ret < 0)
		return ret;
	for (i = 0; i < ret; i++)
		DRV_PUT(pages[i]); /* expect: pin-put-mismatch:error */
	return ret == nr ? 0 : -EFAULT;
}
` },
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
    {
      // The release side names no release itself: it calls a helper of the file that puts
      // the entries of its array parameter.
      name: 'a struct field pinned, released in another function through a helper that puts', messages: [/x->pages was pinned \(FOLL_PIN\) by pin_user_pages_fast\(\) at line \d+, but ri_release\(\) \(ri_release\(\) releases it with put_page\(\) at line \d+\) releases it as FOLL_GET references/], code: `
struct ri_xfer { struct page **pages; unsigned long npages; };

static void ri_release(struct page **pages, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		put_page(pages[i]);
}

int ri_setup(struct ri_xfer *x, unsigned long uaddr, unsigned long nr)
{
	long ret = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, x->pages);

	if (ret < 0)
		return ret;
	x->npages = ret;
	return ret == nr ? 0 : -EFAULT;
}

void ri_done(struct ri_xfer *x)
{
	ri_release(x->pages, x->npages); /* expect: pin-put-mismatch:error */
	x->npages = 0;
}
` },
  ],
};
