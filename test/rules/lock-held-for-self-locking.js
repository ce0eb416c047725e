'use strict';
// lock-held-for-self-locking: a variant that takes the mmap lock itself (*_unlocked, *_fast)
// called while the same mm's lock is held.
module.exports = {
  valid: [
    {
      // The helper picks the call by what its caller says of the lock: the holder passes
      // true and gets the locked call, the other passes false and gets the _unlocked one.
      name: 'a helper picks the locked or the _unlocked call by a constant its callers pass', era: '6.12', code: `
static long hv_pin(unsigned long va, unsigned long nr, struct page **p, bool have_lock)
{
	if (have_lock)
		return get_user_pages(va, nr, FOLL_WRITE, p); /* expect-none */
	return get_user_pages_unlocked(va, nr, p, FOLL_WRITE); /* expect-none */
}

long hv_locked(unsigned long va, struct page **p)
{
	struct vm_area_struct *vma;
	long n = -EFAULT;

	mmap_read_lock(current->mm);
	vma = vma_lookup(current->mm, va);
	if (vma)
		n = hv_pin(va, 4, p, true);
	mmap_read_unlock(current->mm);
	return n;
}

long hv_plain(unsigned long va, struct page **p)
{
	return hv_pin(va, 4, p, false);
}
` },

    {
      name: 'unlocked variant with no lock held', code: `
long sl_ok(unsigned long uaddr, struct page **pages)
{
	return get_user_pages_unlocked(uaddr, 1, pages, FOLL_WRITE); /* expect-none */
}
` },
    {
      name: 'fast_only under the lock never locks', code: `
int sl_fast_only(unsigned long uaddr, struct page **pages)
{
	int n;

	mmap_read_lock(current->mm);
	n = get_user_pages_fast_only(uaddr, 1, FOLL_WRITE, pages); /* expect-none */
	mmap_read_unlock(current->mm);
	return n;
}
` },
    {
      name: 'another mm is locked', code: `
int sl_other_mm(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
{
	int n;

	mmap_read_lock(mm);
	n = get_user_pages_fast(uaddr, 1, FOLL_WRITE, pages); /* expect-none */
	mmap_read_unlock(mm);
	return n;
}
` },
    {
      // videobuf's qbuf and omap_vout's hook: the framework locks only for MMAP buffers, the
      // driver's hook pins only USERPTR ones: the pin is never reached with the lock.
      name: 'framework locks for one buffer kind, the hook pins for another', code: `
static int fk_get_userptr(struct fk_buf *vb, unsigned long uaddr)
{
	struct page *pages[2];

	return get_user_pages_fast(uaddr, 2, FOLL_WRITE, pages); /* expect-none */
}

static int fk_buf_prepare(struct fk_queue *q, struct fk_buf *vb)
{
	if (FK_MEMORY_USERPTR == vb->memory)
		return fk_get_userptr(vb, vb->baddr);
	return 0;
}

static const struct fk_qops fk_ops = {
	.fk_prepare = fk_buf_prepare,
};

int fk_qbuf(struct fk_queue *q, struct fk_req *b)
{
	struct fk_buf *buf = q->bufs[b->index];
	int ret;

	if (b->memory == FK_MEMORY_MMAP)
		mmap_read_lock(current->mm);
	ret = q->ops->fk_prepare(q, buf);
	if (b->memory == FK_MEMORY_MMAP)
		mmap_read_unlock(current->mm);
	return ret;
}
` },
  ],
  invalid: [
    {
      // Lock wrappers written on one line each (not cut as functions): still the lock.
      name: 'one-line static inline lock wrappers around a self-locking call', code: `
static inline void ls_rlock(struct mm_struct *mm) { mmap_read_lock(mm); }
static inline void ls_runlock(struct mm_struct *mm) { mmap_read_unlock(mm); }

long ls_one(unsigned long uaddr, unsigned long nr, struct page **pages)
{
	long n;

	ls_rlock(current->mm);
	n = pin_user_pages_unlocked(uaddr, nr, pages, FOLL_WRITE); /* expect: lock-held-for-self-locking:error */
	ls_runlock(current->mm);
	return n;
}
` },
    {
      // An mmap handler runs under the mmap write lock; the fast variant's slow path takes
      // the read lock again.
      name: 'fast variant inside a file_operations .mmap handler',
      messages: [/hm_mmap\(\) is the \.mmap handler of a file_operations table, called with the mmap lock held for write$/], code: `
static int hm_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct hm_dev *d = filp->private_data;

	return get_user_pages_fast(d->uaddr, 1, 0, d->pages); /* expect: lock-held-for-self-locking:error */
}

static const struct file_operations hm_fops = {
	.mmap = hm_mmap,
};
` },
    {
      name: 'fast variant in a helper of a .mmap handler',
      messages: [/from hn_mmap \(drivers\/c\d+_[a-z_]+\/case\.c:9\): hn_mmap\(\) is the \.mmap handler/], code: `
static int hn_fill(struct hn_dev *d)
{
	return get_user_pages_fast(d->uaddr, 1, 0, d->pages); /* expect: lock-held-for-self-locking:error */
}

static int hn_mmap(struct file *filp, struct vm_area_struct *vma)
{
	return hn_fill(filp->private_data);
}

static const struct file_operations hn_fops = {
	.mmap = hn_mmap,
};
` },
    {
      // The same shape where the hook pins for the very kind the framework locks for.
      name: 'framework locks for one buffer kind, the hook pins for that kind', code: `
static int fm_get_userptr(struct fm_buf *vb, unsigned long uaddr)
{
	struct page *pages[2];

	return get_user_pages_fast(uaddr, 2, FOLL_WRITE, pages); /* expect: lock-held-for-self-locking:error */
}

static int fm_buf_prepare(struct fm_queue *q, struct fm_buf *vb)
{
	if (FM_MEMORY_MMAP == vb->memory)
		return fm_get_userptr(vb, vb->baddr);
	return 0;
}

static const struct fm_qops fm_ops = {
	.fm_prepare = fm_buf_prepare,
};

int fm_qbuf(struct fm_queue *q, struct fm_req *b)
{
	struct fm_buf *buf = q->bufs[b->index];
	int ret;

	if (b->memory == FM_MEMORY_MMAP)
		mmap_read_lock(current->mm);
	ret = q->ops->fm_prepare(q, buf);
	if (b->memory == FM_MEMORY_MMAP)
		mmap_read_unlock(current->mm);
	return ret;
}
` },
    {
      name: 'get_user_pages_unlocked under down_read (4.9)', era: '4.9', code: `
long sl_deadlock(unsigned long uaddr, struct page **pages)
{
	long n;

	down_read(&current->mm->mmap_sem);
	n = get_user_pages_unlocked(uaddr, 1, pages, FOLL_WRITE); /* expect: lock-held-for-self-locking:error */
	up_read(&current->mm->mmap_sem);
	return n;
}
` },
    {
      name: 'pin_user_pages_fast under mmap_write_lock', code: `
int sl_fast(unsigned long uaddr, struct page **pages)
{
	int n;

	mmap_write_lock(current->mm);
	n = pin_user_pages_fast(uaddr, 1, FOLL_WRITE, pages); /* expect: lock-held-for-self-locking:error */
	mmap_write_unlock(current->mm);
	return n;
}
` },
    {
      name: 'helper called with the lock held by its caller',
      messages: [/called with it held from sl_caller \(drivers\/c\d+_[a-z_]+\/case\.c:\d+\)/], code: `
static int sl_helper(unsigned long uaddr, struct page **pages)
{
	return get_user_pages_fast(uaddr, 1, 0, pages); /* expect: lock-held-for-self-locking:error */
}

int sl_caller(unsigned long uaddr, struct page **pages)
{
	int n;

	mmap_read_lock(current->mm);
	n = sl_helper(uaddr, pages);
	mmap_read_unlock(current->mm);
	return n;
}
` },
  ],
};
