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
  ],
};
