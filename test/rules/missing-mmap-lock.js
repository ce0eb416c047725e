'use strict';
// missing-mmap-lock: a GUP function that needs the caller to hold the mmap lock, reached on
// a path where it is not held.
module.exports = {
  valid: [
    {
      name: 'lock taken locally', code: `
long mm_local(unsigned long uaddr, struct page **pages)
{
	long n;

	mmap_read_lock(current->mm);
	n = get_user_pages(uaddr, 1, FOLL_WRITE, pages); /* expect-none */
	mmap_read_unlock(current->mm);
	return n;
}
` },
    {
      name: 'asserted', code: `
long mm_asserted(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
{
	mmap_assert_locked(mm);
	return get_user_pages_remote(mm, uaddr, 1, 0, pages, NULL); /* expect-none */
}
` },
    {
      name: 'every caller holds it (static helper)', code: `
static long mm_helper(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
{
	return get_user_pages_remote(mm, uaddr, 1, 0, pages, NULL); /* expect-none */
}

long mm_caller(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
{
	long n;

	mmap_read_lock(mm);
	n = mm_helper(mm, uaddr, pages);
	mmap_read_unlock(mm);
	return n;
}
` },
    {
      name: 'self-locking variant needs no lock (4.9)', era: '4.9', code: `
long mm_selflock(unsigned long uaddr, struct page **pages)
{
	return get_user_pages_unlocked(uaddr, 1, pages, FOLL_WRITE); /* expect-none */
}
` },
    {
      // uprobes' shape: a __weak default in the core file, called there with the lock held;
      // an architecture's override pins. The override is a candidate of that call too.
      name: '__weak function overridden elsewhere: its callers are the override callers', files: {
        'core.c': `
int __weak mw_set_bp(struct mm_struct *mm, unsigned long vaddr)
{
	return 0;
}

int mw_install(struct mm_struct *mm, unsigned long vaddr)
{
	int r;

	mmap_read_lock(mm);
	r = mw_set_bp(mm, vaddr);
	mmap_read_unlock(mm);
	return r;
}
`,
        'arch.c': `
int mw_set_bp(struct mm_struct *mm, unsigned long vaddr)
{
	struct page *page;

	return get_user_pages_remote(mm, vaddr, 1, FOLL_FORCE, &page, NULL); /* expect-none */
}
` } },
    {
      // radeon's userptr shape: the pinning helper is reached only through an ops table
      // (`.move = &drv_move`) that the core calls as bo->dev->funcs->move(); the driver's
      // ioctl holds the lock around the core entry point.
      name: 'helper reached through a designated initialiser of an ops table', files: {
        'drv.c': `
static int fp_pin(struct fp_bo *bo, unsigned long uaddr, struct page **pages)
{
	return get_user_pages(uaddr, 1, FOLL_WRITE, pages); /* expect-none */
}

static int fp_bind(struct fp_bo *bo)
{
	return fp_pin(bo, bo->uaddr, bo->pages);
}

static int fp_move(struct fp_bo *bo, bool evict)
{
	if (bo->userptr)
		return fp_bind(bo);
	return 0;
}

static struct fp_funcs fp_driver = {
	.create = &fp_create,
	.move = &fp_move,
};

int fp_userptr_ioctl(struct fp_bo *bo)
{
	int r;

	mmap_read_lock(current->mm);
	r = fp_validate(bo);
	mmap_read_unlock(current->mm);
	return r;
}
`,
        'core.c': `
static int fp_handle_move(struct fp_bo *bo, bool evict)
{
	return bo->dev->funcs->move(bo, evict);
}

int fp_validate(struct fp_bo *bo)
{
	return fp_handle_move(bo, false);
}
` } },
    {
      // do_get_mempolicy()'s shape: the lock is taken under a flag test, and the helper is
      // called under the same test later; the path that skipped the lock skips the call.
      name: 'helper called under the same flag test that took the lock (correlated conditions)', code: `
static long cc_lookup(unsigned long addr)
{
	struct page *p;

	return get_user_pages(addr & PAGE_MASK, 1, 0, &p); /* expect-none */
}

long cc_get_policy(int *out, unsigned long addr, unsigned long flags)
{
	long err = 0;

	if (flags & CC_F_ADDR) {
		mmap_read_lock(current->mm);
		if (!cc_find(addr)) {
			mmap_read_unlock(current->mm);
			return -EFAULT;
		}
	}
	if (flags & CC_F_NODE) {
		if (flags & CC_F_ADDR) {
			err = cc_lookup(addr);
			if (err >= 0)
				*out = err;
		} else {
			*out = 0;
		}
	}
	if (!(flags & CC_F_ADDR))
		return err;
	mmap_read_unlock(current->mm);
	return err;
}
` },
    {
      // radeon's shape again, plus a perf driver that calls its own `->fr_shift` (two
      // arguments, another struct) on CPU hotplug without the lock: the field name alone
      // would make that call a caller of the five-argument driver one; the argument count
      // tells them apart.
      name: 'a same-named field of another struct, called with another argument count, is no caller', files: {
        'drv.c': `
static int fr_pin(struct fr_bo *bo, unsigned long uaddr, struct page **pages)
{
	return get_user_pages(uaddr, 1, FOLL_WRITE, pages); /* expect-none */
}

static int fr_move(struct fr_bo *bo, bool evict, void *ctx, void *mem, void *hop)
{
	if (bo->userptr)
		return fr_pin(bo, bo->uaddr, bo->pages);
	return 0;
}

static struct fr_funcs fr_driver = {
	.fr_shift = &fr_move,
};

int fr_userptr_ioctl(struct fr_bo *bo)
{
	int r;

	mmap_read_lock(current->mm);
	r = bo->dev->funcs->fr_shift(bo, false, NULL, NULL, NULL);
	mmap_read_unlock(current->mm);
	return r;
}
`,
        'uncore.c': `
static int fr_uncore_down(unsigned int cpu)
{
	struct fr_uncore *uncore = &fr_uncores[cpu];

	uncore->fr_shift(uncore, cpu);
	return 0;
}
` } },
    {
      name: 'helper stored into a struct field by assignment, called through it', files: {
        'drv.c': `
static int fa_populate(struct fa_tt *tt)
{
	return get_user_pages(tt->uaddr, 1, 0, tt->pages); /* expect-none */
}

void fa_setup(struct fa_ops *ops)
{
	ops->fa_fill = fa_populate;
}
`,
        'core.c': `
int fa_core_fill(struct fa_tt *tt)
{
	int r;

	mmap_read_lock(current->mm);
	r = tt->ops->fa_fill(tt);
	mmap_read_unlock(current->mm);
	return r;
}
` } },
  ],
  invalid: [
    {
      name: 'a caller through an ops table without the lock',
      messages: [/called without it from fq_run \(drivers\/c\d+_[a-z_]+\/core\.c:7\)/], files: {
        'drv.c': `
static int fq_fill(struct fq_tt *tt)
{
	return get_user_pages(tt->uaddr, 1, 0, tt->pages); /* expect: missing-mmap-lock:error */
}

static const struct fq_ops fq_driver_ops[] = {
	{ .name = "a", .fq_fill = fq_fill },
};
`,
        'core.c': `
int fq_run(struct fq_tt *tt)
{
	mmap_read_lock(current->mm);
	tt->uaddr = 0;
	mmap_read_unlock(current->mm);
	return tt->ops->fq_fill(tt);
}
` } },
    {
      name: 'lock dropped before the call (4.9)', era: '4.9', code: `
long mm_dropped(unsigned long uaddr, struct page **pages)
{
	struct vm_area_struct *vma;

	down_read(&current->mm->mmap_sem);
	vma = find_vma(current->mm, uaddr);
	up_read(&current->mm->mmap_sem);
	if (!vma)
		return -EFAULT;
	return get_user_pages(uaddr, 1, FOLL_WRITE, pages, NULL); /* expect: missing-mmap-lock:error */
}
` },
    {
      name: 'a caller without the lock, named with its line',
      messages: [/called without it from mm_bad_caller \(drivers\/c\d+_[a-z_]+\/case\.c:14\)/], code: `
static long mm_pin_helper(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
{
	return pin_user_pages_remote(mm, uaddr, 1, 0, pages, NULL); /* expect: missing-mmap-lock:error */
}

long mm_bad_caller(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
{
	long n;

	mmap_read_lock(mm);
	n = mm_pin_helper(mm, uaddr, pages);
	mmap_read_unlock(mm);
	n += mm_pin_helper(mm, uaddr + PAGE_SIZE, pages + 1);
	return n;
}
` },
    {
      name: 'a chain of two callers, outermost last',
      messages: [/called without it from mm_mid \(drivers\/c\d+_[a-z_]+\/case\.c:9\) <- mm_top \(drivers\/c\d+_[a-z_]+\/case\.c:16\)$/], code: `
static long mm_leaf(unsigned long uaddr, struct page **pages)
{
	return get_user_pages(uaddr, 1, 0, pages); /* expect: missing-mmap-lock:error */
}

static long mm_mid(unsigned long uaddr, struct page **pages)
{
	return mm_leaf(uaddr, pages);
}

long mm_top(unsigned long uaddr, struct page **pages)
{
	mmap_read_lock(current->mm);
	mmap_read_unlock(current->mm);
	return mm_mid(uaddr, pages);
}
` },
    {
      name: 'no caller found: a note', code: `
long mm_orphan(unsigned long uaddr, struct page **pages)
{
	return get_user_pages(uaddr, 1, FOLL_WRITE, pages); /* expect: missing-mmap-lock:note */
}
` },
  ],
};
