'use strict';
// longterm-without-pin: FOLL_LONGTERM passed to a get_user_pages* (FOLL_GET) function in a
// tree that has pin_user_pages*.
module.exports = {
  valid: [
    {
      name: 'pin with FOLL_LONGTERM', code: `
int lt_ok(unsigned long uaddr, struct page **pages)
{
	return pin_user_pages_fast(uaddr, 1, FOLL_WRITE | FOLL_LONGTERM, pages); /* expect-none */
}
` },
    {
      name: 'get without FOLL_LONGTERM', code: `
int lt_ok2(unsigned long uaddr, struct page **pages)
{
	return get_user_pages_fast(uaddr, 1, FOLL_WRITE, pages); /* expect-none */
}
` },
    {
      // A configure switch (not the kernel version) between the pin and the get function:
      // a build for a version that has pin_user_pages_fast() takes the pin arm.
      name: 'compat alias: pin arm under an undecided switch, get arm after it', code: `
#ifdef LX_HAVE_PIN_USER_PAGES_FAST
#define lx_longterm_pages pin_user_pages_fast
#else
#define lx_longterm_pages get_user_pages_fast
#endif

int lt_compat(unsigned long uaddr, int n, struct page **pages)
{
	return lx_longterm_pages(uaddr, n, FOLL_WRITE | FOLL_LONGTERM, pages); /* expect-none */
}
` },
  ],
  invalid: [
    {
      name: 'get_user_pages_fast with FOLL_LONGTERM', code: `
int lt_bad(unsigned long uaddr, struct page **pages)
{
	return get_user_pages_fast(uaddr, 1, FOLL_WRITE | FOLL_LONGTERM, pages); /* expect: longterm-without-pin:warning */
}
` },
    {
      name: 'flags from a local variable (6.1)', era: '6.1', code: `
long lt_var(unsigned long uaddr, struct page **pages)
{
	unsigned int gup_flags = FOLL_LONGTERM;
	long n;

	mmap_read_lock(current->mm);
	n = get_user_pages(uaddr, 1, gup_flags, pages, NULL); /* expect: longterm-without-pin:warning */
	mmap_read_unlock(current->mm);
	return n;
}
` },
  ],
};
