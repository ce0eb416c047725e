'use strict';
// unbalanced-mmap-lock: in a function with a GUP call, a path returns holding the lock it
// took, releases it twice, or releases it unheld. Primary location: the acquire or the bad
// release.
module.exports = {
  valid: [
    {
      name: 'every path releases', code: `
long ub_ok(unsigned long uaddr, struct page **pages)
{
	long n;

	if (mmap_read_lock_killable(current->mm))
		return -EINTR;
	n = get_user_pages(uaddr, 1, 0, pages); /* expect-none */
	if (n < 0)
		goto out;
	n = 0;
out:
	mmap_read_unlock(current->mm);
	return n;
}
` },
    {
      name: 'lock handed to the caller by design (__acquires)', code: `
long ub_handover(unsigned long uaddr, struct page **pages)
	__acquires(&current->mm->mmap_lock)
{
	mmap_read_lock(current->mm);
	return get_user_pages(uaddr, 1, 0, pages); /* expect-none */
}
` },
  ],
  invalid: [
    {
      name: 'error path returns with the lock held (4.9)', era: '4.9', code: `
long ub_leak(unsigned long uaddr, struct page **pages)
{
	long n;

	down_read(&current->mm->mmap_sem); /* expect: unbalanced-mmap-lock:error */
	n = get_user_pages(uaddr, 1, 0, pages, NULL);
	if (n < 0)
		return n;
	up_read(&current->mm->mmap_sem);
	return 0;
}
` },
    {
      name: 'released twice', code: `
long ub_twice(unsigned long uaddr, struct page **pages)
{
	long n;

	mmap_read_lock(current->mm);
	n = get_user_pages(uaddr, 1, 0, pages);
	if (n < 0) {
		mmap_read_unlock(current->mm);
		goto out;
	}
	n = 0;
out:
	mmap_read_unlock(current->mm); /* expect: unbalanced-mmap-lock:error */
	return n;
}
` },
  ],
};
