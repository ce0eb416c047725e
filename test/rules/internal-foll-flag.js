'use strict';
// internal-foll-flag: a caller outside mm/ passes an internal FOLL_* flag explicitly.
// (Only cases on which every revision of the rule agrees: flags the entry rejects.)
module.exports = {
  valid: [
    {
      name: '6.1: flags the fast path accepts', era: '6.1', code: `
long if_fast_ok(unsigned long uaddr, struct page **pages)
{
	return get_user_pages_fast(uaddr, 1, FOLL_WRITE | FOLL_NOFAULT | FOLL_FORCE, pages); /* expect-none */
}
` },
    {
      // Before 6.3 FOLL_TOUCH and FOLL_REMOTE from a caller were tolerated.
      name: '6.1: FOLL_TOUCH and FOLL_REMOTE from a caller are tolerated', era: '6.1', code: `
long if_touch_61(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
{
	long n;

	mmap_read_lock(mm);
	n = get_user_pages_remote(mm, uaddr, 1, FOLL_WRITE | FOLL_TOUCH | FOLL_REMOTE, pages, NULL, NULL); /* expect-none */
	mmap_read_unlock(mm);
	return n;
}
` },
    {
      name: '6.12: mm/ passes FOLL_TOUCH to its own entry', files: { '/mm/touch_helper.c': `
long if_touch_mm(unsigned long uaddr, struct page **pages)
{
	return get_user_pages_fast(uaddr, 1, FOLL_TOUCH, pages); /* expect-none */
}
` } },
    {
      name: 'public flags only', code: `
int if_ok(unsigned long uaddr, struct page **pages)
{
	return pin_user_pages_fast(uaddr, 1, FOLL_WRITE | FOLL_LONGTERM, pages); /* expect-none */
}
` },
    {
      name: 'inside mm/ the flags are the implementation own', files: { '/mm/gup_helper.c': `
int if_mm(unsigned long uaddr, struct page **pages)
{
	return pin_user_pages_fast(uaddr, 1, FOLL_GET, pages); /* expect-none */
}
` } },
  ],
  invalid: [
    {
      name: '6.1: FOLL_HWPOISON written at a fast call', era: '6.1', code: `
long if_fast_hwp(unsigned long uaddr, struct page **pages)
{
	return pin_user_pages_fast(uaddr, 1, FOLL_WRITE | FOLL_HWPOISON, pages); /* expect: internal-foll-flag:error */
}
`,
      messages: [/^FOLL_HWPOISON passed explicitly to pin_user_pages_fast\(\): the fast path accepts only/],
    },
    {
      // Before 6.3 pin_*() set FOLL_PIN themselves and nothing refused it from a caller.
      name: '6.1: FOLL_PIN passed to a pin_* entry is only redundant, a note', era: '6.1', code: `
long if_pin_61(unsigned long uaddr, struct page **pages)
{
	return pin_user_pages_fast(uaddr, 1, FOLL_PIN | FOLL_WRITE, pages); /* expect: internal-foll-flag:note */
}
`,
      messages: [/before 6.3 it is only redundant/],
    },
    {
      // 5.10-6.2: the fast path's own mask refuses FOLL_TOUCH (and FOLL_NOWAIT, ...).
      name: '6.1: a flag outside the fast path\'s mask', era: '6.1', code: `
long if_fast_touch(unsigned long uaddr, struct page **pages)
{
	unsigned int flags = FOLL_WRITE | FOLL_NOWAIT;

	return get_user_pages_fast(uaddr, 1, flags, pages); /* expect: internal-foll-flag:error */
}
`,
      messages: [/^FOLL_NOWAIT passed explicitly to get_user_pages_fast\(\) \(through flags = FOLL_NOWAIT, line 4\): the fast path accepts only/],
    },
    {
      name: '6.12: FOLL_TOUCH from a caller is an internal flag', code: `
long if_touch(unsigned long uaddr, unsigned long nr, struct page **pages)
{
	return get_user_pages_unlocked(uaddr, nr, pages, FOLL_WRITE | FOLL_TOUCH); /* expect: internal-foll-flag:error */
}
`,
      messages: [/^FOLL_TOUCH passed explicitly to get_user_pages_unlocked\(\): from 6.3 FOLL_TOUCH is one of the internal GUP flags/],
    },
    {
      name: '6.12: FOLL_REMOTE through a flags variable to pin_user_pages_remote()', code: `
long if_remote_var(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
{
	unsigned int gup_flags = FOLL_WRITE;
	long n;

	gup_flags |= FOLL_REMOTE;
	mmap_read_lock(mm);
	n = pin_user_pages_remote(mm, uaddr, 1, gup_flags, pages, NULL); /* expect: internal-foll-flag:error */
	mmap_read_unlock(mm);
	return n;
}
`,
      messages: [/^FOLL_REMOTE passed explicitly to pin_user_pages_remote\(\) \(through gup_flags \|= FOLL_REMOTE, line 7\): /],
    },
    {
      // 4.9 has no FOLL_PIN: a compat definition passed to get_*(); the message names no
      // pin_user_pages*() (the era lacks them).
      name: 'a compat FOLL_PIN passed to get_user_pages_remote in 4.9', era: '4.9',
      messages: [/this kernel has no FOLL_PIN \(a flag of 5\.6 and later\)/, /^(?![\s\S]*pin_user_pages)/], code: `
#ifndef FOLL_PIN
#define FOLL_PIN 0
#endif

long iff_old(struct task_struct *tsk, struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	long n;

	down_read(&mm->mmap_sem);
	n = get_user_pages_remote(tsk, mm, addr, 1, FOLL_WRITE | FOLL_PIN, pages, NULL); /* expect: internal-foll-flag:error */
	up_read(&mm->mmap_sem);
	return n;
}
` },
    {
      name: 'the same through a flags variable, 4.9', era: '4.9',
      messages: [/\(through .*\): get_user_pages_remote\(\) takes FOLL_GET references .* this kernel has no FOLL_PIN/], code: `
#ifndef FOLL_PIN
#define FOLL_PIN 0
#endif

long iff_old2(struct task_struct *tsk, struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	unsigned int flags = FOLL_WRITE | FOLL_PIN;
	long n;

	down_read(&mm->mmap_sem);
	n = get_user_pages_remote(tsk, mm, addr, 1, flags, pages, NULL); /* expect: internal-foll-flag:error */
	up_read(&mm->mmap_sem);
	return n;
}
` },
    {
      name: 'FOLL_PIN passed to a get_* entry', code: `
long if_pin(unsigned long uaddr, struct page **pages)
{
	return get_user_pages_unlocked(uaddr, 1, pages, FOLL_WRITE | FOLL_PIN); /* expect: internal-foll-flag:error */
}
` },
    {
      name: 'FOLL_GET passed to a pin_* entry', code: `
int if_get(unsigned long uaddr, struct page **pages)
{
	return pin_user_pages_fast(uaddr, 1, FOLL_GET, pages); /* expect: internal-foll-flag:error */
}
` },
    {
      name: 'FOLL_GET passed to a get_* entry with pages: redundant, a note', code: `
long if_get_redundant(unsigned long uaddr, struct page **pages)
{
	return get_user_pages_unlocked(uaddr, 1, pages, FOLL_WRITE | FOLL_GET); /* expect: internal-foll-flag:note */
}
` },
    {
      name: 'FOLL_PIN passed to a pin_* entry', code: `
int if_pin_pin(unsigned long uaddr, struct page **pages)
{
	return pin_user_pages_fast(uaddr, 1, FOLL_WRITE | FOLL_PIN, pages); /* expect: internal-foll-flag:error */
}
`,
      messages: [/^FOLL_PIN passed explicitly to pin_user_pages_fast\(\): pin_user_pages_fast\(\) sets FOLL_PIN itself/],
    },
    {
      name: 'FOLL_PIN through a flags variable to a get_* entry', code: `
long if_pin_var(unsigned long uaddr, struct page **pages)
{
	unsigned int flags = FOLL_WRITE | FOLL_PIN;

	return get_user_pages_unlocked(uaddr, 1, pages, flags); /* expect: internal-foll-flag:error */
}
`,
      messages: [/^FOLL_PIN passed explicitly to get_user_pages_unlocked\(\) \(through flags = FOLL_PIN, line 4\): /],
    },
    {
      name: 'FOLL_GET without pages', code: `
long if_nopages(unsigned long uaddr)
{
	long n;

	mmap_read_lock(current->mm);
	n = get_user_pages(uaddr, 1, FOLL_GET, NULL); /* expect: internal-foll-flag:error */
	mmap_read_unlock(current->mm);
	return n;
}
`,
      messages: [/get_user_pages\(\) is called without pages but with FOLL_GET: VM_BUG_ON/],
    },
  ],
};
