'use strict';
// vmas-with-locked: non-NULL vmas together with non-NULL locked.
module.exports = {
  valid: [
    {
      // A module's adapter under the API's own name maps the old 8-argument call (write,
      // force, pages, vmas) to the 5.4 form: vmas stays vmas and locked is NULL.
      name: 'self-named compat adapter of get_user_pages_remote (5.4)', era: '5.4', code: `
#if LINUX_VERSION_CODE >= KERNEL_VERSION(4, 10, 0)
#define get_user_pages_remote(t, m, s, n, w, f, p, v) \\
	get_user_pages_remote(t, m, s, n, ((w) ? FOLL_WRITE : 0) | ((f) ? FOLL_FORCE : 0), p, v, NULL)
#endif

int sa_peek(struct task_struct *tsk, struct mm_struct *mm, unsigned long at, char *out)
{
	struct vm_area_struct *vma;
	struct page *pg;
	int got = 0;

	mmap_read_lock(mm);
	if (get_user_pages_remote(tsk, mm, at, 1, 0, 1, &pg, &vma) > 0) { /* expect-none */
		copy_from_user_page(vma, pg, at, out, page_address(pg), 1);
		put_page(pg);
		got = 1;
	}
	mmap_read_unlock(mm);
	return got;
}
` },
    {
      name: 'a compat wrapper forwarding both, its callers pass NULL for one (5.4)', era: '5.4', code: `
static inline long vl_remote(struct task_struct *tsk, struct mm_struct *mm, unsigned long start,
			     unsigned long n, unsigned int flags, struct page **pages,
			     struct vm_area_struct **vmas, int *locked)
{
	return get_user_pages_remote(tsk, mm, start, n, flags, pages, vmas, locked); /* expect-none */
}

long vl_user(struct mm_struct *mm, unsigned long start, unsigned long n, struct page **pages)
{
	long got;

	down_read(&mm->mmap_sem);
	got = vl_remote(NULL, mm, start, n, FOLL_WRITE, pages, NULL, NULL);
	up_read(&mm->mmap_sem);
	return got;
}
` },
    {
      name: 'vmas with NULL locked (6.1)', era: '6.1', code: `
long vl_ok(struct mm_struct *mm, unsigned long uaddr, struct page **pages, struct vm_area_struct **vmas)
{
	long n;

	mmap_read_lock(mm);
	n = get_user_pages_remote(mm, uaddr, 1, 0, pages, vmas, NULL); /* expect-none */
	mmap_read_unlock(mm);
	return n;
}
` },
    {
      name: 'locked with NULL vmas (6.1)', era: '6.1', code: `
long vl_ok2(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
{
	int locked = 1;
	long n;

	mmap_read_lock(mm);
	n = get_user_pages_remote(mm, uaddr, 1, 0, pages, NULL, &locked); /* expect-none */
	if (locked)
		mmap_read_unlock(mm);
	return n;
}
` },
  ],
  invalid: [
    {
      // A variadic wrapper passes its arguments on as they are (not as one comma
      // expression): the call has the era's 7 arguments.
      name: 'through a variadic wrapper macro, 6.1', era: '6.1', code: `
#define vw_gup_remote(...) get_user_pages_remote(__VA_ARGS__)

long vw_va(struct mm_struct *mm, unsigned long a, struct page **p)
{
	struct vm_area_struct *vma;
	int locked = 1;
	long n;

	mmap_read_lock(mm);
	n = vw_gup_remote(mm, a, 1, FOLL_WRITE, p, &vma, &locked); /* expect: vmas-with-locked:error */
	if (locked)
		mmap_read_unlock(mm);
	return n;
}
` },
    {
      name: 'a compat wrapper forwarding both, a caller passes both (5.4)', era: '5.4', code: `
static inline long vl_remote2(struct task_struct *tsk, struct mm_struct *mm, unsigned long start,
			      unsigned long n, unsigned int flags, struct page **pages,
			      struct vm_area_struct **vmas, int *locked)
{
	return get_user_pages_remote(tsk, mm, start, n, flags, pages, vmas, locked); /* expect: vmas-with-locked:error */
}

long vl_user2(struct mm_struct *mm, unsigned long start, struct page **pages, struct vm_area_struct **vmas)
{
	int locked = 1;
	long got;

	down_read(&mm->mmap_sem);
	got = vl_remote2(NULL, mm, start, 1, FOLL_WRITE, pages, vmas, &locked);
	if (locked)
		up_read(&mm->mmap_sem);
	return got;
}
` },
    {
      name: 'both given (6.1)', era: '6.1', code: `
long vl_bad(struct mm_struct *mm, unsigned long uaddr, struct page **pages, struct vm_area_struct **vmas)
{
	int locked = 1;
	long n;

	mmap_read_lock(mm);
	n = get_user_pages_remote(mm, uaddr, 1, 0, pages, vmas, &locked); /* expect: vmas-with-locked:error */
	if (locked)
		mmap_read_unlock(mm);
	return n;
}
` },
    {
      name: 'both given, 4.10-5.8 layout with tsk (4.19)', era: '4.19', code: `
long vl_bad419(struct task_struct *tsk, struct mm_struct *mm, unsigned long uaddr,
	       struct page **pages, struct vm_area_struct **vmas)
{
	int locked = 1;
	long n;

	down_read(&mm->mmap_sem);
	n = get_user_pages_remote(tsk, mm, uaddr, 1, 0, pages, vmas, &locked); /* expect: vmas-with-locked:error */
	if (locked)
		up_read(&mm->mmap_sem);
	return n;
}
` },
  ],
};
