'use strict';
// locked-out-ignored: after a call passing &locked, the caller unlocks without testing it.
module.exports = {
  valid: [
    {
      // Arms for two API generations chosen by a configure switch: the old one's eighth
      // argument is vmas, not locked (the 4.10-5.8 call of the same arity): not read as this
      // era's call.
      name: 'an older-generation arm of an undecided #if is not read with this era\'s layout', era: '6.12', code: `
static int lo_peek(struct task_struct *tsk, struct mm_struct *mm, unsigned long addr, int len, int write)
{
	struct vm_area_struct *vma;
	struct page *page;
	int done = 0;

	mmap_read_lock(mm);
	while (len > 0) {
		int ret;
#if defined(CFG_GUP_REMOTE_NO_TSK)
		ret = get_user_pages_remote(mm, addr, 1, write ? FOLL_WRITE : 0, &page, NULL); /* expect-none */
#else
		ret = get_user_pages_remote(tsk, mm, addr, 1, write, 1, &page, &vma); /* expect-none */
#endif
		if (ret <= 0)
			break;
		put_page(page);
		done++;
		len -= PAGE_SIZE;
		addr += PAGE_SIZE;
	}
	mmap_read_unlock(mm);
	return done;
}
` },
    {
      name: 'unlock guarded by if (locked)', code: `
long lo_ok(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
{
	int locked = 1;
	long n;

	mmap_read_lock(mm);
	n = get_user_pages_remote(mm, uaddr, 1, 0, pages, &locked); /* expect-none */
	if (locked)
		mmap_read_unlock(mm);
	return n;
}
` },
    {
      name: 'NULL locked: the lock is never dropped', code: `
long lo_null(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
{
	long n;

	mmap_read_lock(mm);
	n = get_user_pages_remote(mm, uaddr, 1, 0, pages, NULL); /* expect-none */
	mmap_read_unlock(mm);
	return n;
}
` },
    {
      name: 'a compat wrapper handing &locked on, the caller tests locked before unlocking', code: `
static long lo_gup(struct mm_struct *mm, unsigned long addr, int nr, unsigned int flags,
		   struct page **pages, int *locked)
{
	return get_user_pages_remote(mm, addr, nr, flags, pages, locked); /* expect-none */
}

int lo_fault_ok(struct mm_struct *mm, unsigned long addr, struct page **page)
{
	int locked = 1;
	long ret;

	mmap_read_lock(mm);
	ret = lo_gup(mm, addr, 1, FOLL_WRITE, page, &locked); /* expect-none */
	if (locked)
		mmap_read_unlock(mm);
	return ret == 1 ? 0 : -EFAULT;
}
` },
    {
      name: 'a compat wrapper given NULL for locked cannot drop the lock', code: `
static long lo_gup2(struct mm_struct *mm, unsigned long addr, int nr, unsigned int flags,
		    struct page **pages, int *locked)
{
	return get_user_pages_remote(mm, addr, nr, flags, pages, locked); /* expect-none */
}

int lo_fault_null(struct mm_struct *mm, unsigned long addr, struct page **page)
{
	long ret;

	mmap_read_lock(mm);
	ret = lo_gup2(mm, addr, 1, FOLL_WRITE, page, NULL); /* expect-none */
	mmap_read_unlock(mm);
	return ret == 1 ? 0 : -EFAULT;
}
` },
    {
      name: 'a wrapper that takes the lock back when its GUP call dropped it leaves the caller\'s lock held', code: `
static long lo_gup3(struct mm_struct *mm, unsigned long addr, struct page **pages, int *locked)
{
	long ret = get_user_pages_remote(mm, addr, 1, FOLL_WRITE, pages, locked); /* expect-none */

	if (!*locked) {
		mmap_read_lock(mm);
		*locked = 1;
	}
	return ret;
}

int lo_fault_relock(struct mm_struct *mm, unsigned long addr, struct page **page)
{
	int locked = 1;
	long ret;

	mmap_read_lock(mm);
	ret = lo_gup3(mm, addr, page, &locked); /* expect-none */
	mmap_read_unlock(mm);
	return ret == 1 ? 0 : -EFAULT;
}
` },
  ],
  invalid: [
    {
      name: 'unconditional unlock after &locked (6.12)', code: `
long lo_bad(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
{
	int locked = 1;
	long n;

	mmap_read_lock(mm);
	n = pin_user_pages_remote(mm, uaddr, 1, 0, pages, &locked); /* expect: locked-out-ignored:error */
	mmap_read_unlock(mm);
	return n;
}
` },
    {
      name: 'get_user_pages_locked then up_read (4.9)', era: '4.9', code: `
long lo_bad49(unsigned long uaddr, struct page **pages)
{
	int locked = 1;
	long n;

	down_read(&current->mm->mmap_sem);
	n = get_user_pages_locked(uaddr, 1, FOLL_WRITE, pages, &locked); /* expect: locked-out-ignored:error */
	up_read(&current->mm->mmap_sem);
	return n;
}
` },
    {
      // The &locked word goes through a compat wrapper (one GUP call per #if arm) that hands
      // it on: the caller's unconditional unlock may release a lock that was dropped.
      name: 'a compat wrapper handing &locked on, then an unconditional unlock', code: `
static long lo_compat(struct mm_struct *mm, unsigned long addr, int nr, unsigned int flags,
		      struct page **pages, int *locked)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	return get_user_pages_remote(mm, addr, nr, flags, pages, locked); /* expect-none */
#else
	return get_user_pages_remote(mm, addr, nr, flags, pages, NULL, locked);
#endif
}

int lo_fault_bad(struct mm_struct *mm, unsigned long addr, struct page **page)
{
	int locked = 1;
	long ret;

	mmap_read_lock(mm);
	ret = lo_compat(mm, addr, 1, FOLL_WRITE, page, &locked); /* expect: locked-out-ignored:error */
	mmap_read_unlock(mm);
	return ret == 1 ? 0 : -EFAULT;
}
`, messages: [/lo_compat\(\) may drop the mmap lock and clear locked, but mmap_read_unlock\(\) at line \d+ runs without testing it/] },
  ],
};
