'use strict';
// legacy-mmap-sem: raw rwsem calls on the mmap lock field in a tree whose headers provide
// mmap_read_lock() (v5.8+). Primary location: the rwsem call.
module.exports = {
  valid: [
    {
      name: 'v4.9 tree: rwsem calls are the API', era: '4.9', code: `
long ls_old(unsigned long uaddr, struct page **pages)
{
	long n;

	down_read(&current->mm->mmap_sem);
	n = get_user_pages(uaddr, 1, 0, pages, NULL); /* expect-none */
	up_read(&current->mm->mmap_sem);
	return n;
}
` },
    {
      name: 'wrappers used', code: `
long ls_new(unsigned long uaddr, struct page **pages)
{
	long n;

	mmap_read_lock(current->mm);
	n = get_user_pages(uaddr, 1, 0, pages); /* expect-none */
	mmap_read_unlock(current->mm);
	return n;
}
` },
  ],
  invalid: [
    {
      name: 'down_read on mmap_lock in 6.12', code: `
long ls_raw(unsigned long uaddr, struct page **pages)
{
	long n;

	down_read(&current->mm->mmap_lock); /* expect: legacy-mmap-sem:note */
	n = get_user_pages(uaddr, 1, 0, pages);
	up_read(&current->mm->mmap_lock); /* expect: legacy-mmap-sem:note */
	return n;
}
` },
  ],
};
