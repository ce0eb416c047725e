'use strict';
// prefer-unlocked: the mmap lock of current->mm taken around exactly one lock-requiring GUP
// call whose region needs the lock for nothing else.
module.exports = {
  valid: [
    {
      // A trylock region is non-blocking on purpose: the suggested call would wait for the lock.
      name: 'the lock taken with mmap_read_trylock() only around the call', era: '6.12', code: `
int tp_prefault(unsigned long ua, struct page **pg)
{
	long n;

	if (!mmap_read_trylock(current->mm))
		return -EAGAIN;
	n = get_user_pages(ua, 1, FOLL_WRITE, pg); /* expect-none */
	mmap_read_unlock(current->mm);
	return n == 1 ? 0 : -EFAULT;
}
` },
    {
      // The lock taken only around the call, but in a helper whose caller already holds it:
      // the lock is taken twice (unbalanced-mmap-lock's), and get_user_pages_unlocked()
      // would take it twice too.
      name: 'a helper taking the lock around the call, called with the lock held', code: `
static long ph_grab(unsigned long uaddr, int n, struct page **pages)
{
	long got;

	mmap_read_lock(current->mm);
	got = get_user_pages(uaddr, n, FOLL_WRITE, pages); /* expect-none */
	mmap_read_unlock(current->mm);
	return got;
}

long ph_all(unsigned long uaddr, int n, struct page **pages)
{
	long got;

	mmap_read_lock(current->mm);
	got = ph_grab(uaddr, n, pages);
	mmap_read_unlock(current->mm);
	return got;
}
` },
    {
      // pin_user_pages_unlocked() rejects FOLL_LONGTERM in 5.10-6.2: the flag reaches the
      // call through a variable, not in the call's text.
      name: 'FOLL_LONGTERM through a flags variable, 6.1', era: '6.1', code: `
long pu_lt_var(unsigned long uaddr, unsigned long n, struct page **out)
{
	unsigned int flags = FOLL_WRITE;
	long got;

	flags |= FOLL_LONGTERM;
	mmap_read_lock(current->mm);
	got = pin_user_pages(uaddr, n, flags, out, NULL); /* expect-none */
	mmap_read_unlock(current->mm);
	return got;
}
` },
    {
      name: 'a driver mutex taken inside the region (the lock order would change)', code: `
long pu_mutex(struct mutex *m, unsigned long uaddr, struct page **pg)
{
	long n;

	mmap_read_lock(current->mm);
	mutex_lock(m);
	n = pin_user_pages(uaddr, 1, FOLL_WRITE, pg); /* expect-none */
	mutex_unlock(m);
	mmap_read_unlock(current->mm);
	return n;
}
` },
    {
      name: 'an unknown helper shares the region (it may need the lock)', code: `
long pu_helper(void *dev, unsigned long uaddr, struct page **pg)
{
	long n;

	mmap_read_lock(current->mm);
	drv_prepare(dev, uaddr);
	n = pin_user_pages(uaddr, 1, FOLL_WRITE, pg); /* expect-none */
	mmap_read_unlock(current->mm);
	return n;
}
` },
    {
      name: 'loop body does other lock-dependent work (find_vma per page)', era: '6.12', code: `
long pu_loop_vma(unsigned long uaddr, unsigned long nr, struct page **pages)
{
	unsigned long i;
	long n = 0;

	mmap_read_lock(current->mm);
	for (i = 0; i < nr; i++) {
		if (!find_vma(current->mm, uaddr + i * PAGE_SIZE))
			break;
		n = get_user_pages(uaddr + i * PAGE_SIZE, 1, 0, &pages[i]); /* expect-none */
		if (n != 1)
			break;
	}
	mmap_read_unlock(current->mm);
	return i;
}
` },
    {
      name: 'vmas requested (4.9)', era: '4.9', code: `
long pu_vmas(unsigned long uaddr, struct page **pages, struct vm_area_struct **vmas)
{
	long n;

	down_read(&current->mm->mmap_sem);
	n = get_user_pages(uaddr, 4, FOLL_WRITE, pages, vmas); /* expect-none */
	up_read(&current->mm->mmap_sem);
	return n;
}
` },
    {
      name: 'find_vma shares the region', code: `
long pu_findvma(unsigned long uaddr, struct page **pages)
{
	struct vm_area_struct *vma;
	long n = -EFAULT;

	mmap_read_lock(current->mm);
	vma = find_vma(current->mm, uaddr);
	if (vma && !(vma->vm_flags & VM_IO))
		n = get_user_pages(uaddr, 1, FOLL_WRITE, pages); /* expect-none */
	mmap_read_unlock(current->mm);
	return n;
}
` },
    {
      name: 'another mm: remote GUP on a task mm', code: `
long pu_remote(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
{
	long n;

	mmap_read_lock(mm);
	n = get_user_pages_remote(mm, uaddr, 1, FOLL_FORCE, pages, NULL); /* expect-none */
	mmap_read_unlock(mm);
	return n;
}
` },
    {
      name: 'already the _unlocked variant', code: `
long pu_done(unsigned long uaddr, struct page **pages)
{
	return get_user_pages_unlocked(uaddr, 1, pages, FOLL_WRITE); /* expect-none */
}
` },
  ],
  invalid: [
    {
      // A module's rename of the plain rwsem calls, given its own accessor of the lock.
      name: 'the lock taken through a rename macro of down_read() and an accessor of mmap_sem', era: '5.4', code: `
#define rn_down_read(s) down_read(s)
#define rn_up_read(s) up_read(s)

static inline struct rw_semaphore *rn_sem(struct mm_struct *mm)
{
	return &mm->mmap_sem;
}

long rn_grab(unsigned long va, struct page **pg)
{
	long n;

	rn_down_read(rn_sem(current->mm));
	n = get_user_pages(va, 1, FOLL_WRITE, pg, NULL); /* expect: prefer-unlocked:warning */
	rn_up_read(rn_sem(current->mm));
	return n;
}
`, messages: [/taken only around this get_user_pages\(\) call/] },
    {
      // FOLL_GET written in the locked call: the _unlocked variant would refuse it.
      name: 'the replacement leaves out a FOLL_GET the locked call passes', era: '6.12', code: `
long fg_touch(unsigned long start, unsigned long nr)
{
	long got;

	mmap_read_lock(current->mm);
	got = get_user_pages(start, nr, FOLL_GET | FOLL_WRITE, NULL); /* expect: prefer-unlocked:warning */
	mmap_read_unlock(current->mm);
	return got;
}
`, messages: [/use get_user_pages_unlocked\(start, nr, NULL, FOLL_WRITE\) and drop the lock\/unlock calls/] },
    {
      // A driver's own static (not inline) one-line lock wrappers are the primitive.
      name: 'the lock taken only around the call through static non-inline wrappers', era: '6.12', code: `
static void dl_lock(struct mm_struct *mm)
{
	mmap_read_lock(mm);
}

static void dl_unlock(struct mm_struct *mm)
{
	mmap_read_unlock(mm);
}

long dl_pin(unsigned long va, unsigned long n, struct page **pv)
{
	long got;

	dl_lock(current->mm);
	got = get_user_pages(va, n, FOLL_WRITE, pv); /* expect: prefer-unlocked:warning */
	dl_unlock(current->mm);
	return got;
}
`, messages: [/taken only around this get_user_pages\(\) call; get_user_pages_unlocked\(\) takes it itself/] },
    {
      // The finding is in the #else arm of an #ifndef: its condition reads defined(X).
      name: 'lock around one call in the #else arm of an undecided #ifndef: the suffix names defined(X)',
      messages: [/\[only if defined\(SF_NO_FAST\): a condition the tool cannot decide\]/], code: `
long sf_pin(unsigned long a, struct page **p)
{
	long n;

#ifndef SF_NO_FAST
	n = get_user_pages_fast(a, 1, FOLL_WRITE, p);
#else
	mmap_read_lock(current->mm);
	n = get_user_pages(a, 1, FOLL_WRITE, p); /* expect: prefer-unlocked:warning */
	mmap_read_unlock(current->mm);
#endif
	return n;
}
` },
    {
      // The rwsem named through a macro whose value parenthesises its argument: the lock
      // is current->mm's (src/analysis/lockstate.ts normMm).
      name: 'raw rwsem calls through a field macro', code: `
#define PU_RWSEM(mm) (mm)->mmap_lock

long pu_rwsem(unsigned long uaddr, unsigned long n, struct page **pv)
{
	long got;

	down_read(&PU_RWSEM(current->mm));
	got = pin_user_pages(uaddr, n, FOLL_WRITE, pv); /* expect: prefer-unlocked:warning */
	up_read(&PU_RWSEM(current->mm));
	return got;
}
` },
    {
      // 6.3 on, pin_user_pages_unlocked() takes FOLL_LONGTERM.
      name: 'FOLL_LONGTERM through a flags variable, 6.12', code: `
long pu_lt_var(unsigned long uaddr, unsigned long n, struct page **out)
{
	unsigned int flags = FOLL_WRITE;
	long got;

	flags |= FOLL_LONGTERM;
	mmap_read_lock(current->mm);
	got = pin_user_pages(uaddr, n, flags, out); /* expect: prefer-unlocked:warning */
	mmap_read_unlock(current->mm);
	return got;
}
` },
    {
      // The two spellings of one call in the arms of a configure switch are alternatives,
      // not two GUP calls sharing the region; the arm of the era's signature is the one.
      name: 'two arms of an undecided #ifdef spell the one GUP call (6.1)', era: '6.1',
      messages: [/\[only if defined\(HAVE_GUP_VMAS_ARG\): a condition the tool cannot decide\]/], code: `
long pu_arms(unsigned long addr, struct page **pages)
{
	long n;

	mmap_read_lock(current->mm);
#ifdef HAVE_GUP_VMAS_ARG
	n = get_user_pages(addr, 1, FOLL_WRITE, pages, NULL); /* expect: prefer-unlocked:warning */
#else
	n = get_user_pages(addr, 1, FOLL_WRITE, pages);
#endif
	mmap_read_unlock(current->mm);
	return n;
}
` },
    {
      name: 'an allocation and a memset share the region: they need no lock', code: `
long pu_alloc(unsigned long uaddr, unsigned long nr, struct page ***out)
{
	struct page **pg;
	long n;

	mmap_read_lock(current->mm);
	pg = kcalloc(nr, sizeof(*pg), GFP_KERNEL);
	if (!pg) {
		mmap_read_unlock(current->mm);
		return -ENOMEM;
	}
	memset(pg, 0, nr * sizeof(*pg));
	n = pin_user_pages(uaddr, nr, FOLL_WRITE, pg); /* expect: prefer-unlocked:warning */
	mmap_read_unlock(current->mm);
	*out = pg;
	return n;
}
` },
    {
      // A module's own function-like version macro decides an #if inside the argument
      // list: the call has the audited era's four arguments and is analysed.
      name: 'module version macro in an #if inside the GUP call\'s arguments', era: '6.12', code: `
#define MY_KVER_MIN(a, b, c) (LINUX_VERSION_CODE >= KERNEL_VERSION(a, b, c))

long pu_vermacro(unsigned long uaddr, int n, struct page **pages)
{
	long rc;

	mmap_read_lock(current->mm);
	rc = get_user_pages(uaddr, n, FOLL_WRITE, pages /* expect: prefer-unlocked:warning */
#if !MY_KVER_MIN(6, 5, 0)
			    , NULL
#endif
			    );
	mmap_read_unlock(current->mm);
	return rc;
}
` },
    {
      // riffa's style: the body's `{` ends the header line (K&R, common out of tree).
      name: 'K&R-style function: lock only around the call', code: `
static long kr_grab(unsigned long uaddr, unsigned long count,
		    struct page **pages) {
	long got;

	mmap_read_lock(current->mm);
	got = get_user_pages(uaddr, count, FOLL_WRITE, pages); /* expect: prefer-unlocked:warning */
	mmap_read_unlock(current->mm);
	if (got <= 0)
		return -EFAULT;
	return got;
}
` },
    {
      name: 'down_read around one get_user_pages (4.9)', era: '4.9',
      messages: [/get_user_pages_unlocked\(uaddr, 1, pages, FOLL_WRITE\)/], code: `
long pu_one(unsigned long uaddr, struct page **pages)
{
	long n;

	down_read(&current->mm->mmap_sem);
	n = get_user_pages(uaddr, 1, FOLL_WRITE, pages, NULL); /* expect: prefer-unlocked:warning */
	up_read(&current->mm->mmap_sem);
	return n;
}
` },
    {
      name: 'mmap_read_lock around one pin_user_pages (6.12)',
      messages: [/pin_user_pages_unlocked\(start, nr, pages, FOLL_WRITE\)/], code: `
long pu_pin(unsigned long start, unsigned long nr, struct page **pages)
{
	long n;

	mmap_read_lock(current->mm);
	n = pin_user_pages(start, nr, FOLL_WRITE, pages); /* expect: prefer-unlocked:warning */
	mmap_read_unlock(current->mm);
	return n;
}
` },
    {
      name: 'local mm alias of current->mm (6.1)', era: '6.1', code: `
long pu_alias(unsigned long uaddr, struct page **pages)
{
	struct mm_struct *mm = current->mm;
	long n;

	mmap_read_lock(mm);
	n = get_user_pages(uaddr, 1, 0, pages, NULL); /* expect: prefer-unlocked:warning */
	mmap_read_unlock(mm);
	return n;
}
` },
    {
      name: 'a retry loop around one call, error exit unlocks (4.9)', era: '4.9', code: `
long pu_loop(unsigned long uaddr, unsigned long nr, struct page **pages)
{
	unsigned long done = 0;
	long ret;

	down_read(&current->mm->mmap_sem);
	while (done < nr) {
		ret = get_user_pages(uaddr + done * PAGE_SIZE, nr - done, FOLL_WRITE, /* expect: prefer-unlocked:warning */
				     pages + done, NULL);
		if (ret <= 0) {
			up_read(&current->mm->mmap_sem);
			return done ? done : -EFAULT;
		}
		done += ret;
	}
	up_read(&current->mm->mmap_sem);
	return done;
}
` },
    {
      // A compat alias chain: an object-like macro names another macro, which a build switch
      // (not the kernel version) makes function-like; the arguments after the first macro's
      // name are the second one's (the preprocessor rescans with the following text).
      name: 'GUP reached through an object-like alias of a function-like compat macro', code: `
#if defined(PX_HAVE_PIN_USER_PAGES)
#define PX_PIN_PAGES pin_user_pages
#else
#define PX_PIN_PAGES PX_GET_PAGES
#endif

#if !defined(PX_GUP_TAKES_VMAS)
#define PX_GET_PAGES get_user_pages
#else
#define PX_GET_PAGES(start, nr, flags, pages) get_user_pages(start, nr, flags, pages, NULL)
#endif

long px_pin_one(unsigned long uaddr, struct page **page)
{
	long ret;

	mmap_read_lock(current->mm);
	ret = PX_PIN_PAGES(uaddr, 1, FOLL_WRITE, page); /* expect: prefer-unlocked:warning */
	mmap_read_unlock(current->mm);
	return ret;
}
` },
  ],
};
