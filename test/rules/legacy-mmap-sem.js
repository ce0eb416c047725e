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
    {
      name: 'down_write_trylock in 6.12: mmap_write_trylock() is gone since 6.6, no wrapper to name', code: `
long ls_try(unsigned long uaddr, struct page **pages)
{
	long n = -EAGAIN;

	if (down_write_trylock(&current->mm->mmap_lock)) { /* expect: legacy-mmap-sem:note */
		n = get_user_pages(uaddr, 1, 0, pages);
		up_write(&current->mm->mmap_lock); /* expect: legacy-mmap-sem:note */
	}
	return n;
}
`,
      messages: [/but none for down_write_trylock\(\); keep it with a comment or baseline it$/, /use mmap_write_unlock\(current->mm\)$/],
    },
  ],
};
