'use strict';
// legacy-mmap-sem: raw rwsem calls on the mmap lock field in a tree whose headers provide
// mmap_read_lock() (v5.8+). Primary location: the rwsem call.
module.exports = {
  valid: [
    {
      name: 'mmap_sem in a 6.12 tree: compat code for kernels before 5.8, which a 6.12 build never compiles', era: '6.12', code: `
long ls_compat(unsigned long uaddr, struct page **pages)
{
	long n;

	down_read(&current->mm->mmap_sem); /* expect-none */
	n = get_user_pages_fast(uaddr, 1, 0, pages);
	up_read(&current->mm->mmap_sem); /* expect-none */
	return n;
}
` },
    {
      name: 'a driver\'s own rw_semaphore named mmap_lock', era: '6.12', code: `
struct lm_dev {
	struct rw_semaphore mmap_lock;
	struct page **pages;
};

long lm_own_lock(struct lm_dev *dev, unsigned long uaddr)
{
	long n;

	down_read(&dev->mmap_lock); /* expect-none */
	n = pin_user_pages_fast(uaddr, 1, 0, dev->pages);
	up_read(&dev->mmap_lock); /* expect-none */
	return n;
}
` },
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
      // A driver's rename of down_write() given its accessor of the lock: the mm is the
      // accessor's argument, without the `&(...)` its expansion wraps it in.
      name: 'a rename macro of down_write() on an accessor of the lock', era: '6.12', code: `
#define ad_down_write(s) down_write(s)
#define ad_up_write(s) up_write(s)

static inline struct rw_semaphore *ad_sem(struct mm_struct *mm)
{
	return &mm->mmap_lock;
}

long ad_grow(unsigned long va)
{
	struct vm_area_struct *vma;
	long ret = -EFAULT;

	ad_down_write(ad_sem(current->mm)); /* expect: legacy-mmap-sem:note */
	vma = find_vma(current->mm, va);
	if (vma)
		ret = 0;
	ad_up_write(ad_sem(current->mm)); /* expect: legacy-mmap-sem:note */
	return ret;
}
`, messages: [/^raw down_write\(\) on the mmap lock of current->mm: this tree has the mmap_lock\.h wrappers; use mmap_write_lock\(current->mm\)/, /^raw up_write\(\) on the mmap lock of current->mm: .*use mmap_write_unlock\(current->mm\)/] },
    {
      // A header's static inline wrappers: reported once each, at the wrapper's body, not
      // again at every use that expands them.
      name: 'raw rwsem calls in a header\'s static inline wrappers, used from a .c file', files: {
        'lw.h': `
static inline void lw_lock(struct mm_struct *mm)
{
	down_read(&mm->mmap_lock); /* expect: legacy-mmap-sem:note */
}

static inline void lw_unlock(struct mm_struct *mm)
{
	up_read(&mm->mmap_lock); /* expect: legacy-mmap-sem:note */
}
`,
        'lw.c': `#include "lw.h"

long lw_peek(struct mm_struct *mm, unsigned long va, struct page **pg)
{
	long n;

	lw_lock(mm); /* expect-none */
	n = get_user_pages_remote(mm, va, 1, 0, pg, NULL);
	lw_unlock(mm); /* expect-none */
	return n;
}
`,
      } },
    {
      // A compat shim renaming the field for 5.8+: the calls on mmap_sem are raw calls on
      // mmap_lock in this tree.
      name: 'a file renaming mmap_sem to mmap_lock for 5.8+, then raw rwsem calls on mmap_sem', code: `
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 8, 0)
#define mmap_sem mmap_lock
#endif

long lr_peek(struct mm_struct *mm, unsigned long va, struct page **pg)
{
	long n;

	down_read(&mm->mmap_sem); /* expect: legacy-mmap-sem:note */
	n = get_user_pages_remote(mm, va, 1, 0, pg, NULL);
	up_read(&mm->mmap_sem); /* expect: legacy-mmap-sem:note */
	return n;
}
`, messages: [/raw down_read\(\) on the mmap lock of mm: this tree has the mmap_lock.h wrappers; use mmap_read_lock\(mm\)/] },
    {
      // A feature switch the tool cannot decide around a raw call on the mmap_lock field:
      // every kernel with that field has the wrappers, so it is no compat fallback.
      name: 'raw call on mmap_lock under an undecided feature #ifdef',
      messages: [/raw down_read\(\) on the mmap lock of current->mm: .*\[only if defined\(LG_SGREAD\)/], code: `
long lg_feat(unsigned long uaddr, struct page **pg)
{
	long n = 0;

#ifdef LG_SGREAD
	down_read(&current->mm->mmap_lock); /* expect: legacy-mmap-sem:note */
	n = get_user_pages(uaddr, 1, FOLL_WRITE, pg);
	up_read(&current->mm->mmap_lock); /* expect: legacy-mmap-sem:note */
#endif
	return n;
}
` },
    {
      // The rwsem reached through a cast: the mm is still \`mm\`, and so is the hint's.
      name: 'raw rwsem calls on a cast of the mmap lock field',
      messages: [/raw down_read\(\) on the mmap lock of mm: this tree has the mmap_lock\.h wrappers; use mmap_read_lock\(mm\)/, /use mmap_read_unlock\(mm\)/], code: `
long lc_peek(struct mm_struct *mm, unsigned long uaddr, struct page **pg)
{
	long n;

	down_read((struct rw_semaphore *)&mm->mmap_lock); /* expect: legacy-mmap-sem:note */
	n = get_user_pages_remote(mm, uaddr, 1, 0, pg, NULL);
	up_read((struct rw_semaphore *)&mm->mmap_lock); /* expect: legacy-mmap-sem:note */
	return n;
}
` },
    {
      name: 'raw rwsem on the mm of a vma and of a local holding one', era: '6.12', code: `
long lm_vma(struct vm_area_struct *vma, unsigned long uaddr, struct page **pages)
{
	struct mm_struct *owner = vma->vm_mm;
	long n;

	down_read(&vma->vm_mm->mmap_lock); /* expect: legacy-mmap-sem:note */
	n = get_user_pages_remote(vma->vm_mm, uaddr, 1, 0, pages, NULL);
	up_read(&owner->mmap_lock); /* expect: legacy-mmap-sem:note */
	return n;
}

long lm_named(struct mm_struct *mm_s, unsigned long uaddr, struct page **pages)
{
	long n;

	down_write(&mm_s->mmap_lock); /* expect: legacy-mmap-sem:note */
	n = get_user_pages_remote(mm_s, uaddr, 1, 0, pages, NULL);
	up_write(&mm_s->mmap_lock); /* expect: legacy-mmap-sem:note */
	return n;
}
` },
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
