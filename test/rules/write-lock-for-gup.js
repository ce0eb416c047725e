'use strict';
// write-lock-for-gup: the mmap write lock taken around a region whose only lock need is GUP.
module.exports = {
  valid: [
    {
      name: 'read lock', code: `
long wl_read(unsigned long uaddr, struct page **pages, struct vm_area_struct *vma)
{
	long n;

	mmap_read_lock(current->mm);
	n = get_user_pages(uaddr, 2, 0, pages); /* expect-none */
	vma = find_vma(current->mm, uaddr);
	mmap_read_unlock(current->mm);
	return n;
}
` },
    {
      name: 'the write lock is needed: vm_flags changed', code: `
long wl_needed(unsigned long uaddr, struct page **pages)
{
	struct vm_area_struct *vma;
	long n;

	mmap_write_lock(current->mm);
	vma = find_vma(current->mm, uaddr);
	vm_flags_set(vma, VM_DONTCOPY);
	n = get_user_pages(uaddr, 1, 0, pages); /* expect-none */
	mmap_write_unlock(current->mm);
	return n;
}
` },
    {
      // The caller's write-locked region also changes the VMA flags: the write lock is needed.
      name: 'a caller that needs the write lock for more than the helper', era: '6.1', code: `
static long wv_pin(unsigned long uaddr, long nr, struct page **pages)
{
	return pin_user_pages(uaddr, nr, FOLL_WRITE | FOLL_LONGTERM, pages, NULL); /* expect-none */
}

long wv_attach(unsigned long uaddr, long nr, struct page **pages)
{
	struct vm_area_struct *vma;
	long ret;

	mmap_write_lock(current->mm);
	vma = find_vma(current->mm, uaddr);
	if (vma)
		vm_flags_set(vma, VM_DONTCOPY);
	ret = wv_pin(uaddr, nr, pages);
	mmap_write_unlock(current->mm);
	return ret;
}
` },
    {
      // The helper also accounts the pages in mm->pinned_vm, which the write lock guards (4.x).
      name: 'a helper that updates mm->pinned_vm besides its GUP call, under the caller\'s write lock', era: '4.9', code: `
static int wp_get(unsigned long start, size_t num, struct page **p)
{
	long ret = get_user_pages(start, num, FOLL_WRITE, p, NULL); /* expect-none */

	if (ret < 0)
		return ret;
	current->mm->pinned_vm += ret;
	return 0;
}

int wp_pin(unsigned long start, size_t num, struct page **p)
{
	int ret;

	down_write(&current->mm->mmap_sem);
	ret = wp_get(start, num, p);
	up_write(&current->mm->mmap_sem);
	return ret;
}
` },
  ],
  invalid: [
    {
      // Dropping page references in the region needs no mmap lock at all.
      name: 'write lock around a GUP call and the put_page() of a short count',
      messages: [/down_write\(\) takes the mmap write lock of current->mm for a region that only calls get_user_pages\(\)/], era: '4.9', code: `
int wp_get(unsigned long pva, int np, struct page **p)
{
	long r;
	int err = 0;

	down_write(&current->mm->mmap_sem);
	r = get_user_pages(pva, np, FOLL_WRITE, p, NULL); /* expect: write-lock-for-gup:warning */
	if (r != np) {
		while (r > 0)
			put_page(p[--r]);
		err = -ENOMEM;
	}
	up_write(&current->mm->mmap_sem);
	return err;
}
` },
    {
      // The write lock only in one arm of an undecided switch: the finding says so.
      name: 'write lock under an undecided #ifdef, read lock in its #else',
      messages: [/\[only if defined\(CONFIG_WL_EXCL\): a condition the tool cannot decide\]/], code: `
long wl_cfg(struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	long n;

#ifdef CONFIG_WL_EXCL
	mmap_write_lock(mm);
#else
	mmap_read_lock(mm);
#endif
	n = pin_user_pages_remote(mm, addr, 1, FOLL_WRITE, pages, NULL); /* expect: write-lock-for-gup:warning */
#ifdef CONFIG_WL_EXCL
	mmap_write_unlock(mm);
#else
	mmap_read_unlock(mm);
#endif
	return n;
}
` },
    {
      name: 'write lock around a buffer allocation and one GUP call', code: `
long wl_alloc(unsigned long uaddr, struct page **pg)
{
	void *tmp;
	long n;

	mmap_write_lock(current->mm);
	tmp = kmalloc(64, GFP_KERNEL);
	n = pin_user_pages(uaddr, 1, FOLL_WRITE, pg); /* expect: write-lock-for-gup:warning */
	mmap_write_unlock(current->mm);
	kfree(tmp);
	return n;
}
` },
    {
      name: 'down_write around get_user_pages only (4.9)', era: '4.9', code: `
long wl_only(unsigned long uaddr, struct page **pages)
{
	long n;

	down_write(&current->mm->mmap_sem);
	n = get_user_pages(uaddr, 2, FOLL_WRITE, pages, NULL); /* expect: write-lock-for-gup:warning */
	up_write(&current->mm->mmap_sem);
	return n;
}
` },
    {
      name: 'mmap_write_lock around a remote pin', code: `
long wl_remote(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
{
	long n;

	mmap_write_lock(mm);
	n = pin_user_pages_remote(mm, uaddr, 2, FOLL_WRITE, pages, NULL); /* expect: write-lock-for-gup:warning */
	mmap_write_unlock(mm);
	return n;
}
` },
    {
      name: 'a caller that takes the write lock only around a helper whose only lock need is GUP', era: '6.1',
      messages: [/mmap_write_lock\(\) in wh_attach\(\) takes the mmap write lock of current->mm for a region that only calls wh_pin\(\), whose only lock need is this pin_user_pages\(\) call/], code: `
static long wh_pin(unsigned long uaddr, long nr, struct page **pages)
{
	long n = pin_user_pages(uaddr, nr, FOLL_WRITE | FOLL_LONGTERM, pages, NULL); /* expect: write-lock-for-gup:warning */

	if (n > 0 && n != nr) {
		unpin_user_pages(pages, n);
		return -EFAULT;
	}
	return n < 0 ? n : 0;
}

long wh_attach(unsigned long uaddr, long nr, struct page **pages)
{
	long ret;

	mmap_write_lock(current->mm);
	ret = wh_pin(uaddr, nr, pages);
	mmap_write_unlock(current->mm);
	return ret;
}
` },
  ],
};
