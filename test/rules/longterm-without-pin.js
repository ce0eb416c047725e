'use strict';
// longterm-without-pin: FOLL_LONGTERM passed to a get_user_pages* (FOLL_GET) function in a
// tree that has pin_user_pages*.
module.exports = {
  valid: [
    {
      // The helper strips FOLL_LONGTERM from its parameter before the FOLL_GET call, on
      // every path: the caller's constant does not reach it.
      name: 'a caller passes FOLL_LONGTERM, the helper strips it from its parameter first', era: '6.12', code: `
static int sp_get(unsigned long ua, int nr, unsigned int gup_flags, struct page **pv)
{
	int got;

	gup_flags &= ~FOLL_LONGTERM;
	got = get_user_pages_fast(ua, nr, gup_flags, pv); /* expect-none */
	if (got != nr) {
		while (got > 0)
			put_page(pv[--got]);
		return -EFAULT;
	}
	return 0;
}

int sp_setup(unsigned long ua, int nr, struct page **pv)
{
	return sp_get(ua, nr, FOLL_LONGTERM | FOLL_WRITE, pv);
}
` },
    {
      // The long-term flag is masked off on the only path to the FOLL_GET call.
      name: 'FOLL_LONGTERM masked off (flags &= ~FOLL_LONGTERM) in the arm that calls get_user_pages_fast()', code: `
int ms_map(unsigned long uaddr, int nr, struct page **pages, bool use_pin)
{
	unsigned int flags = FOLL_WRITE | FOLL_LONGTERM;
	int n;

	if (use_pin) {
		n = pin_user_pages_fast(uaddr, nr, flags, pages);
	} else {
		flags &= ~FOLL_LONGTERM;
		n = get_user_pages_fast(uaddr, nr, flags, pages); /* expect-none */
	}
	return n;
}
` },
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
      // The flag comes from a caller's constant: the message names that caller.
      name: 'FOLL_LONGTERM passed by a caller to a FOLL_GET helper', era: '6.12', code: `
static int cf_get(unsigned long ua, int nr, unsigned int gup_flags, struct page **pv)
{
	int got = get_user_pages_fast(ua, nr, gup_flags, pv); /* expect: longterm-without-pin:warning */

	if (got != nr) {
		while (got > 0)
			put_page(pv[--got]);
		return -EFAULT;
	}
	return 0;
}

int cf_setup(unsigned long ua, int nr, struct page **pv)
{
	return cf_get(ua, nr, FOLL_LONGTERM, pv);
}
`, messages: [/gets FOLL_LONGTERM \(through gup_flags from cf_setup\(\) \(FOLL_LONGTERM\), line 16\)/] },
    {
      // Masked on one path only: the other path reaches the call with FOLL_LONGTERM.
      name: 'FOLL_LONGTERM masked off on one path only before get_user_pages_fast()', code: `
int mo_map(unsigned long uaddr, int nr, struct page **pages, bool short_term)
{
	unsigned int flags = FOLL_WRITE | FOLL_LONGTERM;

	if (short_term)
		flags &= ~FOLL_LONGTERM;
	return get_user_pages_fast(uaddr, nr, flags, pages); /* expect: longterm-without-pin:warning */
}
` },
    {
      // pin_user_pages_unlocked() rejects FOLL_LONGTERM until 6.3: the advice is the
      // era's pin_user_pages_fast().
      name: 'get_user_pages_unlocked with FOLL_LONGTERM, 6.1: pin_user_pages_fast is advised', era: '6.1',
      messages: [/use pin_user_pages_fast\(\)/], code: `
long lw_unl(unsigned long uaddr, unsigned long nr, struct page **pages)
{
	return get_user_pages_unlocked(uaddr, nr, pages, FOLL_WRITE | FOLL_LONGTERM); /* expect: longterm-without-pin:warning */
}
` },
    {
      // The flag is a constant two callers up, in the same file: the helper's and the
      // middle function's callers are looked for because the flags come from parameters.
      name: 'FOLL_LONGTERM passed down two levels', code: `
struct lw_mr { struct page **pages; unsigned long nr; long got; };

static long lw_get(struct lw_mr *mr, unsigned long uaddr, unsigned int gup_flags)
{
	return get_user_pages_fast(uaddr, mr->nr, gup_flags, mr->pages); /* expect: longterm-without-pin:warning */
}

static long lw_fill(struct lw_mr *mr, unsigned long uaddr, unsigned int gup_flags)
{
	if (!mr->nr)
		return 0;
	return lw_get(mr, uaddr, gup_flags);
}

long lw_register(struct lw_mr *mr, unsigned long uaddr)
{
	long n = lw_fill(mr, uaddr, FOLL_WRITE | FOLL_LONGTERM);

	if (n < 0)
		return n;
	mr->got = n;
	return 0;
}
` },
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
