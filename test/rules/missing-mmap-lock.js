'use strict';
// missing-mmap-lock: a GUP function that needs the caller to hold the mmap lock, reached on
// a path where it is not held.
module.exports = {
  valid: [
    {
      // The caller sets the request's member to false: the helper takes the lock itself.
      name: 'a helper that locks unless a member of its request says so, the member set to false', era: '6.12', code: `
struct mf_req { struct mm_struct *mm; unsigned long va; struct page *pg; bool mm_locked; };

static int mf_one(struct mf_req *r)
{
	long n;

	if (!r->mm_locked)
		mmap_read_lock(r->mm);
	n = get_user_pages_remote(r->mm, r->va, 1, FOLL_WRITE, &r->pg, NULL); /* expect-none */
	if (!r->mm_locked)
		mmap_read_unlock(r->mm);
	return n == 1 ? 0 : -EFAULT;
}

static long mf_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct mf_req *r = f->private_data;
	int ret;

	r->mm_locked = false;
	ret = mf_one(r);
	if (!ret)
		put_page(r->pg);
	return ret;
}

static const struct file_operations mf_fops = {
	.unlocked_ioctl = mf_ioctl,
};
` },
    {
      // Its only caller passes false: the helper takes the lock itself on that path.
      name: 'a helper that locks unless told the caller holds it, called with false', era: '6.12', code: `
static long hk_get(struct mm_struct *mm, unsigned long va, struct page **pg, bool have_lock)
{
	long n;

	if (!have_lock)
		mmap_read_lock(mm);
	n = get_user_pages_remote(mm, va, 1, 0, pg, NULL); /* expect-none */
	if (!have_lock)
		mmap_read_unlock(mm);
	return n;
}

long hk_one(struct mm_struct *mm, unsigned long va, struct page **pg)
{
	return hk_get(mm, va, pg, false);
}
` },
    {
      // A task passed in may be current: holding current->mm's lock is not flagged.
      name: 'a remote call on a task parameter\'s mm with current->mm locked', code: `
long cp_peek(struct task_struct *task, unsigned long addr, struct page **pg)
{
	long ret;

	mmap_read_lock(current->mm);
	ret = get_user_pages_remote(task->mm, addr, 1, 0, pg, NULL); /* expect-none */
	mmap_read_unlock(current->mm);
	return ret == 1 ? 0 : -EFAULT;
}
` },
    {
      // cleanup.h's rwsem guard on the mmap lock holds it to the end of the function.
      name: 'guard(rwsem_read) on mm->mmap_lock in an ioctl handler', code: `
static long gr_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct mm_struct *mm = current->mm;
	struct page *page;

	guard(rwsem_read)(&mm->mmap_lock);
	if (!vma_lookup(mm, arg))
		return -EFAULT;
	if (get_user_pages(arg, 1, 0, &page) != 1) /* expect-none */
		return -EFAULT;
	put_page(page);
	return 0;
}

static const struct file_operations gr_fops = {
	.unlocked_ioctl = gr_ioctl,
};
` },
    {
      // scoped_guard() holds it for its block.
      name: 'scoped_guard(rwsem_read) on mm->mmap_lock around the remote call', code: `
static long sg_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct mm_struct *mm = current->mm;
	struct page *page = NULL;
	long ret = -EFAULT;

	scoped_guard(rwsem_read, &mm->mmap_lock) {
		if (vma_lookup(mm, arg))
			ret = get_user_pages_remote(mm, arg, 1, 0, &page, NULL); /* expect-none */
	}
	if (ret != 1)
		return -EFAULT;
	put_page(page);
	return 0;
}

static const struct file_operations sg_fops = {
	.unlocked_ioctl = sg_ioctl,
};
` },
    {
      // The looked-up task's mm locked around the remote call on that mm: right.
      name: 'another task\'s mm locked around get_user_pages_remote() on that mm', code: `
long om_remote(pid_t pid, unsigned long addr, unsigned long n, struct page **pv)
{
	struct task_struct *t;
	struct mm_struct *mm;
	long got;

	t = get_pid_task(find_get_pid(pid), PIDTYPE_PID);
	if (!t)
		return -ESRCH;
	mm = get_task_mm(t);
	put_task_struct(t);
	if (!mm)
		return -EINVAL;
	mmap_read_lock(mm);
	got = get_user_pages_remote(mm, addr, n, FOLL_WRITE, pv, NULL); /* expect-none */
	mmap_read_unlock(mm);
	mmput(mm);
	return got;
}
` },
    {
      // A work item locking the mm it works on itself (kvm's async page fault shape).
      name: 'a work item that takes the lock of the mm it pins from', code: `
struct wv_req { struct work_struct work; struct mm_struct *mm; unsigned long addr; };

static void wv_fault(struct work_struct *work)
{
	struct wv_req *r = container_of(work, struct wv_req, work);
	int locked = 1;

	mmap_read_lock(r->mm);
	get_user_pages_remote(r->mm, r->addr, 1, FOLL_WRITE, NULL, &locked); /* expect-none */
	if (locked)
		mmap_read_unlock(r->mm);
}

void wv_queue(struct wv_req *r)
{
	INIT_WORK(&r->work, wv_fault);
	schedule_work(&r->work);
}
` },
    {
      // The function finds the mm itself and locks it around the call.
      name: 'an mm looked up by pid, locked around the remote pin', code: `
long om_ok(pid_t pid, unsigned long a, struct page **pg)
{
	struct task_struct *t = pid_task(find_vpid(pid), PIDTYPE_PID);
	struct mm_struct *mm = get_task_mm(t);
	long n;

	mmap_read_lock(mm);
	n = pin_user_pages_remote(mm, a, 1, FOLL_WRITE, pg, NULL); /* expect-none */
	mmap_read_unlock(mm);
	mmput(mm);
	return n;
}
` },
    {
      // A compat layer: the helper in its own file, a macro in the module's header as the
      // name the driver calls it by; the caller (another file) holds the lock.
      name: 'helper called through a macro of a header, from another file, with the lock held', files: {
        'drv.h': `
struct ma_dev { struct mm_struct *mm; struct page *pages[16]; };
long ma_compat_gup(struct mm_struct *mm, unsigned long start, unsigned long nr,
		   unsigned int flags, struct page **pages);
#define ma_gup(...)	ma_compat_gup(__VA_ARGS__)
`,
        'compat.c': `
#include "drv.h"

long ma_compat_gup(struct mm_struct *mm, unsigned long start, unsigned long nr,
		   unsigned int flags, struct page **pages)
{
	return pin_user_pages_remote(mm, start, nr, flags, pages, NULL); /* expect-none */
}
`,
        'main.c': `
#include "drv.h"

int ma_submit(struct ma_dev *d, unsigned long uaddr, int nr)
{
	long n;

	mmap_read_lock(d->mm);
	n = ma_gup(d->mm, uaddr, nr, FOLL_WRITE, d->pages);
	mmap_read_unlock(d->mm);
	return n;
}
` } },
    {
      name: 'helper with a macro-wrapped return type, called with the lock held', code: `
#define DRV_DECL(type) __attribute__((visibility("hidden"))) type

DRV_DECL(long) mm_gup_helper(unsigned long uaddr, unsigned long n, struct page **pages)
{
	return get_user_pages(uaddr, n, FOLL_WRITE, pages); /* expect-none */
}

DRV_DECL(int) mm_lock_range(unsigned long uaddr, unsigned long n, struct page **pages)
{
	long got;

	mmap_read_lock(current->mm);
	got = mm_gup_helper(uaddr, n, pages);
	mmap_read_unlock(current->mm);
	return got;
}
` },
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
      {
      // The mm reaches the helper through a local object of a function that works on one
      // mm (its own `mm = current->mm`); the outermost caller holds that lock.
      name: 'mm of a local object in a function that names one mm', code: `
static int uv_write(struct mm_struct *mm, unsigned long vaddr)
{
	struct page *page;

	return get_user_pages_remote(mm, vaddr, 1, 0, &page, NULL); /* expect-none */
}

int uv_register(struct mm_struct *mm, unsigned long vaddr)
{
	int r;

	mmap_write_lock(mm);
	r = uv_write(mm, vaddr);
	mmap_write_unlock(mm);
	return r;
}

int uv_on_map(struct uv_area *area)
{
	return uv_write(area->owner_mm, area->start);
}

static unsigned long uv_map_region(struct file *file, unsigned long addr)
{
	struct mm_struct *mm = current->mm;
	struct uv_area *area;

	area = uv_area_alloc(mm, file);
	uv_on_map(area);
	return addr;
}

unsigned long uv_vm_map(struct file *file, unsigned long addr)
{
	unsigned long r;

	mmap_write_lock(current->mm);
	r = uv_map_region(file, addr);
	mmap_write_unlock(current->mm);
	return r;
}
` },
    {
      // sgi-gru's shape: the interrupt handler reaches the helper holding the lock of the
      // mm it names itself, taken by a trylock inside a compound condition.
      name: 'caller holds an mm lock from a trylock in a compound condition', code: `
static int gt_lookup(unsigned long vaddr, struct page **pages)
{
	return get_user_pages(vaddr, 1, 0, pages); /* expect-none */
}

static int gt_dropin(struct gt_state *gts, unsigned long vaddr)
{
	return gt_lookup(vaddr, gts->pages);
}

int gt_user_call(struct gt_state *gts, unsigned long vaddr)
{
	int r;

	mmap_read_lock(current->mm);
	r = gt_dropin(gts, vaddr);
	mmap_read_unlock(current->mm);
	return r;
}

irqreturn_t gt_intr(int irq, void *dev_id)
{
	struct gt_state *gts = dev_id;

	if (!gts->force && mmap_read_trylock(gts->mm)) {
		gt_dropin(gts, gts->vaddr);
		mmap_read_unlock(gts->mm);
	}
	return IRQ_HANDLED;
}
` },
    {
      // uprobes' shape (uprobe_mmap() from the VMA code): the mm is that of a VMA the caller
      // holds in a local. VMAs are found under their mm's lock, so that path holds it.
      name: 'mm of a VMA held in a local', code: `
static int uw_write(struct mm_struct *mm, unsigned long vaddr)
{
	struct page *page;

	return get_user_pages_remote(mm, vaddr, 1, 0, &page, NULL); /* expect-none */
}

int uw_register(struct mm_struct *mm, unsigned long vaddr)
{
	int r;

	mmap_write_lock(mm);
	r = uw_write(mm, vaddr);
	mmap_write_unlock(mm);
	return r;
}

static int uw_on_map(struct vm_area_struct *vma)
{
	return uw_write(vma->vm_mm, vma->vm_start);
}

int uw_merge(struct uw_iter *it)
{
	struct vm_area_struct *next = uw_next(it);

	return uw_on_map(next);
}
` },
    {
      // A network driver's info->bind(dev, x) and a GPU backend's .bind: same field name, same argument count, but net.c never includes the header that defines the backend's struct.
      name: 'a same-named field of a struct the caller cannot see is no caller (typed initialiser, include closure)', files: {
        'sv_tt.h': `
struct sv_backend_func {
	int (*bind)(struct sv_tt *tt, unsigned long start);
};
`,
        'drv.c': `
#include "sv_tt.h"

static int sv_bind(struct sv_tt *tt, unsigned long start)
{
	return get_user_pages(start, 1, 0, tt->pages); /* expect-none */
}

static struct sv_backend_func sv_funcs = {
	.bind = sv_bind,
};
`,
        'core.c': `
#include "sv_tt.h"

int sv_tt_bind(struct sv_tt *tt)
{
	int r;

	mmap_read_lock(current->mm);
	r = tt->func->bind(tt, tt->start);
	mmap_read_unlock(current->mm);
	return r;
}
`,
        'net.c': `
struct sv_info {
	int (*bind)(void *dev, unsigned long flags);
};

int sv_probe(struct sv_info *info, void *dev)
{
	return info->bind(dev, 0);
}
` } },
    {
      // A helper reached only from a file_operations .mmap handler: the VFS calls it with
      // the mmap lock held for write.
      name: 'helper called from a .mmap handler of a file_operations table', code: `
static int em_fill(struct vm_area_struct *vma, struct page **pages)
{
	return get_user_pages(vma->vm_start, 1, 0, pages); /* expect-none */
}

static int em_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct em_dev *d = filp->private_data;

	return em_fill(vma, d->pages);
}

static const struct file_operations em_fops = {
	.owner = THIS_MODULE,
	.mmap = em_mmap,
};
` },
    {
      // ttm's shape: a core calls a driver's ops through a field; one driver reaches the
      // core holding the lock, another driver's ioctl reaches the same core code without
      // it. The other driver's objects never carry the first driver's ops: not a path.
      name: 'another driver calling the core above an ops hop is no path to this driver', files: {
        '/drivers/sc_core/core.c': `
int sc_validate(struct sc_bo *bo)
{
	return bo->bdev->funcs->sc_move(bo, 1);
}
`,
        '/drivers/sc_b/b.c': `
static int sc_b_move(struct sc_bo *bo, int evict)
{
	return get_user_pages(bo->uaddr, 1, 0, bo->pages); /* expect-none */
}

static struct sc_funcs sc_b_funcs = {
	.sc_move = sc_b_move,
};

int sc_b_userptr(struct sc_bo *bo)
{
	int r;

	mmap_read_lock(current->mm);
	r = sc_validate(bo);
	mmap_read_unlock(current->mm);
	return r;
}
`,
        '/drivers/sc_a/a.c': `
int sc_a_submit(struct sc_bo *bo)
{
	return sc_validate(bo);
}
` } },
    {
      // mali kbase's shape: the helper pins only the mm its caller says it has locked
      // (r->mm == locked_mm); the caller without a lock passes NULL, so it never pins.
      name: 'helper pins only the mm its caller passes as locked; the unlocked caller passes NULL', code: `
static int lg_pin(struct lg_res *r)
{
	long got;

	got = get_user_pages_remote(r->mm, r->addr, 1, FOLL_WRITE, r->pages, NULL); /* expect-none */
	return got == 1 ? 0 : -EFAULT;
}

static int lg_map(struct lg_res *r, struct mm_struct *locked_mm)
{
	if (r->mm != locked_mm)
		return -EINVAL;
	return lg_pin(r);
}

int lg_job(struct lg_res *r)
{
	int ret;

	mmap_read_lock(current->mm);
	ret = lg_map(r, current->mm);
	mmap_read_unlock(current->mm);
	return ret;
}

int lg_sticky(struct lg_res *r)
{
	return lg_map(r, NULL);
}
` },
    {
      // A helper one caller calls with the lock; another chain is deeper than --call-depth:
      // the search stopped, which is no evidence of a path without the lock.
      name: 'held by one caller, another chain only reaches --call-depth', code: `
static int dd_pin(struct mm_struct *mm, unsigned long a, struct page **p)
{
	return get_user_pages_remote(mm, a, 1, 0, p, NULL); /* expect-none */
}

int dd_locked(struct mm_struct *mm, unsigned long a, struct page **p)
{
	int r;

	mmap_read_lock(mm);
	r = dd_pin(mm, a, p);
	mmap_read_unlock(mm);
	return r;
}

int dd_l1(struct mm_struct *mm, unsigned long a, struct page **p)
{
	return dd_pin(mm, a, p);
}

int dd_l2(struct mm_struct *mm, unsigned long a, struct page **p)
{
	return dd_l1(mm, a, p);
}

int dd_l3(struct mm_struct *mm, unsigned long a, struct page **p)
{
	return dd_l2(mm, a, p);
}

int dd_l4(struct mm_struct *mm, unsigned long a, struct page **p)
{
	return dd_l3(mm, a, p);
}

int dd_l5(struct mm_struct *mm, unsigned long a, struct page **p)
{
	return dd_l4(mm, a, p);
}

int dd_l6(struct mm_struct *mm, unsigned long a, struct page **p)
{
	return dd_l5(mm, a, p);
}

int dd_l7(struct mm_struct *mm, unsigned long a, struct page **p)
{
	return dd_l6(mm, a, p);
}

int dd_l8(struct mm_struct *mm, unsigned long a, struct page **p)
{
	return dd_l7(mm, a, p);
}
` },
    {
      // A compat lock wrapper whose arms a build-time switch (not the kernel version)
      // chooses, each one lock call of the same kind, used through a driver macro: the lock
      // is held at the call.
      name: 'compat lock wrapper with undecided arms, called through a macro', files: {
        'cw_mm.h': `
static inline void cw_read_lock(struct mm_struct *mm)
{
#if defined(CW_HAVE_MMAP_LOCK)
	mmap_read_lock(mm);
#else
	down_read(&mm->mmap_sem);
#endif
}

static inline void cw_read_unlock(struct mm_struct *mm)
{
#if defined(CW_HAVE_MMAP_LOCK)
	mmap_read_unlock(mm);
#else
	up_read(&mm->mmap_sem);
#endif
}

#define cw_lock_traced(mm) ({ typeof(mm) __m = (mm); cw_trace(__m, 1); cw_read_lock(__m); })
#define cw_unlock_traced(mm) ({ typeof(mm) __m = (mm); cw_read_unlock(__m); cw_trace(__m, 0); })
`,
        'case.c': `
#include "cw_mm.h"

int cw_peek(struct mm_struct *mm, unsigned long addr, struct page **page)
{
	long n;

	cw_lock_traced(mm);
	n = get_user_pages_remote(mm, addr, 1, 0, page, NULL); /* expect-none */
	cw_unlock_traced(mm);
	return n == 1 ? 0 : -EFAULT;
}
` } },
    {
      name: 'an mm taken with get_task_mm() and locked before the remote call', era: '6.12', code: `
int tm_ok(struct task_struct *task, unsigned long addr, struct page **page)
{
	struct mm_struct *mm = get_task_mm(task);
	long n;

	if (!mm)
		return -ESRCH;
	mmap_read_lock(mm);
	n = get_user_pages_remote(mm, addr, 1, FOLL_FORCE, page, NULL); /* expect-none */
	mmap_read_unlock(mm);
	mmput(mm);
	return n == 1 ? 0 : -EFAULT;
}
EXPORT_SYMBOL(tm_ok);
` },
    {
      // The lock taken through a helper that returns its address (`down_read(drv_lock())`).
      name: 'the mmap lock taken through a static inline returning &current->mm->mmap_lock', era: '6.12', code: `
static inline struct rw_semaphore *hl_mmap_lock(void)
{
	return &current->mm->mmap_lock;
}

static long hl_pin(unsigned long addr, long nr, struct page **pages)
{
	return get_user_pages(addr, nr, FOLL_WRITE, pages); /* expect-none */
}

long hl_prepare(unsigned long addr, long nr, struct page **pages)
{
	long ret;

	down_read(hl_mmap_lock());
	ret = hl_pin(addr, nr, pages);
	up_read(hl_mmap_lock());
	return ret;
}
EXPORT_SYMBOL(hl_prepare);
` },
    {
      // An #ifdef inside a parameter list (and an argument list): the function is still cut
      // and its caller found.
      name: 'a caller whose parameter list has an #ifdef holds the lock', era: '6.12', code: `
struct ia_buf { struct mm_struct *mm; unsigned long address; struct page **pages; };

static int ia_pin(struct ia_buf *eb)
{
	long pinned = get_user_pages_remote(eb->mm, eb->address, 1, FOLL_WRITE, eb->pages, NULL); /* expect-none */

	if (pinned != 1)
		return pinned < 0 ? pinned : -EFAULT;
	return 0;
}

int ia_map(struct ia_buf *eb, struct mm_struct *locked_mm
#ifdef CONFIG_IA_FENCES
		, unsigned int *fence_count
#endif
		)
{
	if (eb->mm != locked_mm)
		return -EINVAL;
	return ia_pin(eb);
}

int ia_submit(struct ia_buf *eb)
{
	int ret;

	mmap_read_lock(current->mm);
	ret = ia_map(eb, current->mm
#ifdef CONFIG_IA_FENCES
			  , NULL
#endif
			  );
	mmap_read_unlock(current->mm);
	return ret;
}
` },
    {
      // The accessor picks the lock field by a configure switch the tool cannot decide: the
      // arm naming the era's field is the one taken.
      name: 'the mmap lock taken through an accessor whose #if arms return mmap_lock or mmap_sem', era: '6.12', code: `
static inline struct rw_semaphore *ha_mm_sem(struct mm_struct *mm)
{
#if defined(HA_MM_HAS_MMAP_LOCK)
	return &mm->mmap_lock;
#else
	return &mm->mmap_sem;
#endif
}

static long ha_one(struct mm_struct *mm, unsigned long a, struct page **p)
{
	return get_user_pages_remote(mm, a, 1, FOLL_WRITE, p, NULL); /* expect-none */
}

long ha_grab(struct mm_struct *mm, unsigned long a, struct page **p)
{
	long got;

	down_read(ha_mm_sem(mm));
	got = ha_one(mm, a, p);
	up_read(ha_mm_sem(mm));
	return got;
}
EXPORT_SYMBOL(ha_grab);
` },
    {
      // An accessor of an accessor, global and weak: down_read_trylock() through it takes
      // the mmap lock as much as through the inner one.
      name: 'the mmap lock taken through a global accessor that returns another accessor', era: '6.12', code: `
static inline struct rw_semaphore *ha_mm_sem(struct mm_struct *mm)
{
	return &mm->mmap_lock;
}

struct rw_semaphore *__attribute__((weak)) ha_log_sem(struct mm_struct *mm)
{
	return ha_mm_sem(mm);
}

int ha_log_pin(struct mm_struct *mm, unsigned long a, struct page **p)
{
	long got;

	if (!down_read_trylock(ha_log_sem(mm)))
		return -EAGAIN;
	got = get_user_pages_remote(mm, a, 1, FOLL_WRITE, p, NULL); /* expect: prefer-locked:note */
	up_read(ha_log_sem(mm));
	if (got != 1)
		return -EFAULT;
	put_page(p[0]);
	return 0;
}
EXPORT_SYMBOL(ha_log_pin);
` },
    {
      // A header's static GUP helper that no file calls (the build includes the header
      // with -include, or calls it through macros the tool does not follow): silent.
      name: 'a header\'s static GUP helper that no file of the tree calls', era: '4.9', files: {
        'compat.h': `
static inline long hc_compat_gup(unsigned long start, unsigned long nr, struct page **pages)
{
	return get_user_pages(start, nr, FOLL_WRITE, pages, NULL); /* expect-none */
}
`,
        'main.c': `
#include "compat.h"

int hc_nothing(void)
{
	return 0;
}
` } },
  ],
  invalid: [
    {
      // The mm named as the call writes it (sc->mm), not as the alias the analysis follows.
      name: 'a kernel thread pins on the mm of its context, named as written', era: '6.12',
      messages: [/^pin_user_pages_remote\(\) requires the mmap lock of sc->mm; kt_fn\(\) does not take it and is a kernel thread/], code: `
struct kt_ctx { struct mm_struct *mm; unsigned long va; };

static int kt_fn(void *data)
{
	struct kt_ctx *sc = data;
	struct page *pg;

	if (pin_user_pages_remote(sc->mm, sc->va, 1, 0, &pg, NULL) == 1) /* expect: missing-mmap-lock:error */
		unpin_user_page(pg);
	return 0;
}

void kt_start(struct kt_ctx *c)
{
	kthread_run(kt_fn, c, "kt");
}
` },
    {
      // Nobody calls it: the note says the helper takes the lock on some paths only.
      name: 'a helper that locks unless told the caller holds it, with no caller', era: '6.12',
      messages: [/^get_user_pages_remote\(\) requires the mmap lock of mm; hk_get\(\) takes it only on some paths to this call \(mmap_read_lock\(\) at line 7\) and no caller of hk_get\(\) was found/], code: `
static long hk_get(struct mm_struct *mm, unsigned long va, struct page **pg, bool have_lock)
{
	long n;

	if (!have_lock)
		mmap_read_lock(mm);
	n = get_user_pages_remote(mm, va, 1, 0, pg, NULL); /* expect: missing-mmap-lock:note */
	if (!have_lock)
		mmap_read_unlock(mm);
	return n;
}
` },
    {
      // A caller that says it holds the lock but does not: an error from that path.
      name: 'a helper told the caller holds the lock by a caller that does not', era: '6.12',
      messages: [/hk_get\(\) does not take it and is called without it from hk_ioctl/], code: `
static long hk_get(struct mm_struct *mm, unsigned long va, struct page **pg, bool have_lock)
{
	long n;

	if (!have_lock)
		mmap_read_lock(mm);
	n = get_user_pages_remote(mm, va, 1, 0, pg, NULL); /* expect: missing-mmap-lock:error */
	if (!have_lock)
		mmap_read_unlock(mm);
	return n;
}

static long hk_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct page *pg;
	long n = hk_get(current->mm, arg, &pg, true);

	if (n == 1)
		put_page(pg);
	return n;
}

static const struct file_operations hk_fops = {
	.unlocked_ioctl = hk_ioctl,
};
` },
    {
      // The same helper called from a file of the tree without the lock: an error there.
      name: 'a header\'s static GUP helper called without the lock from an ioctl handler', era: '4.9', files: {
        'compat.h': `
static inline long hd_compat_gup(unsigned long start, unsigned long nr, struct page **pages)
{
	return get_user_pages(start, nr, FOLL_WRITE, pages, NULL); /* expect: missing-mmap-lock:error */
}
`,
        'main.c': `
#include "compat.h"

static long hd_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct page *pg[1];
	long n = hd_compat_gup(arg, 1, pg);

	if (n == 1)
		put_page(pg[0]);
	return n == 1 ? 0 : -EFAULT;
}

static const struct file_operations hd_fops = {
	.unlocked_ioctl = hd_ioctl,
};
` } },
    {
      // The caller takes the other mm's lock on one path only (when it is not its own):
      // the same call site is held and not held, and the message says so.
      name: 'a helper called from one site with the lock taken there on one path only', era: '6.12', code: `
static int hd_grab(struct mm_struct *src, unsigned long va, struct page **pg)
{
	long ret = get_user_pages_remote(src, va, 1, FOLL_WRITE, pg, NULL); /* expect: missing-mmap-lock:note */

	return ret == 1 ? 0 : -EFAULT;
}

static vm_fault_t hd_fault(struct vm_fault *vmf)
{
	struct hd_seg *seg = vmf->vma->vm_private_data;
	bool other = seg->mm != vmf->vma->vm_mm;
	struct page *pg;
	vm_fault_t r = VM_FAULT_SIGBUS;

	if (other)
		mmap_read_lock(seg->mm);
	if (!hd_grab(seg->mm, seg->base, &pg)) {
		r = vmf_insert_page(vmf->vma, vmf->address, pg);
		put_page(pg);
	}
	if (other)
		mmap_read_unlock(seg->mm);
	return r;
}

const struct vm_operations_struct hd_vm_ops = {
	.fault = hd_fault,
};
`, messages: [/hd_grab\(\) is called from hd_fault \(.*:18\) with the lock held on some paths there and not on others, and no caller of hd_fault\(\) was found$/] },
    {
      // The chain of accessors names current's lock; the call works on another mm.
      name: 'a remote call under the lock of another mm, taken through an accessor of an accessor', era: '6.12', code: `
static inline struct rw_semaphore *hb_mm_sem(struct mm_struct *mm)
{
	return &mm->mmap_lock;
}

static struct rw_semaphore *hb_own_sem(struct mm_struct *mm)
{
	return hb_mm_sem(mm);
}

long hb_peek(pid_t pid, unsigned long a, struct page **p)
{
	struct task_struct *task = pid_task(find_vpid(pid), PIDTYPE_PID);
	long got;

	if (!task || !task->mm)
		return -ESRCH;
	down_read(hb_own_sem(current->mm));
	got = get_user_pages_remote(task->mm, a, 1, 0, p, NULL); /* expect: missing-mmap-lock:error */
	up_read(hb_own_sem(current->mm));
	return got;
}
EXPORT_SYMBOL(hb_peek);
`, messages: [/the lock held here is the one of current->mm/] },
    {
      // The remote call works on the looked-up task's mm; the lock taken is current's.
      name: 'a remote call on a pid-looked-up task\'s mm with only current->mm locked', code: `
long cm_peek(pid_t pid, unsigned long addr, u8 *out)
{
	struct task_struct *task;
	struct page *pg = NULL;
	long ret;

	task = pid_task(find_vpid(pid), PIDTYPE_PID);
	if (!task || !task->mm)
		return -ESRCH;
	mmap_read_lock(current->mm);
	ret = get_user_pages_remote(task->mm, addr, 1, 0, &pg, NULL); /* expect: missing-mmap-lock:error */
	mmap_read_unlock(current->mm);
	if (ret != 1)
		return -EFAULT;
	*out = *(u8 *)page_address(pg);
	put_page(pg);
	return 0;
}
`, messages: [/^get_user_pages_remote\(\) requires the mmap lock of task->mm, the mm of a task cm_peek\(\) looks up \(task = pid_task\(\)\), but the lock held here is the one of current->mm: take the lock of task->mm instead$/] },
    {
      // The scoped guard's block ends before the call: the lock is not held there.
      name: 'get_user_pages() after a scoped_guard(rwsem_read) block, in an ioctl handler', code: `
static long sa_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct mm_struct *mm = current->mm;
	struct page *page;
	bool ok = false;

	scoped_guard(rwsem_read, &mm->mmap_lock) {
		ok = vma_lookup(mm, arg) != NULL;
	}
	if (!ok || get_user_pages(arg, 1, 0, &page) != 1) /* expect: missing-mmap-lock:error */
		return -EFAULT;
	put_page(page);
	return 0;
}

static const struct file_operations sa_fops = {
	.unlocked_ioctl = sa_ioctl,
};
` },
    {
      // The same with the mm variable initialised to NULL (goto-cleanup style): the NULL
      // names no mm, get_task_mm() still says whose mm it is.
      name: 'another task\'s mm, its variable initialised to NULL, locked around get_user_pages()', code: `
long on_wrong(pid_t pid, unsigned long addr, unsigned long n, struct page **pv)
{
	struct task_struct *t = NULL;
	struct mm_struct *mm = NULL;
	long got = -EINVAL;

	t = get_pid_task(find_get_pid(pid), PIDTYPE_PID);
	if (!t)
		return -ESRCH;
	mm = get_task_mm(t);
	if (!mm)
		goto out;
	mmap_read_lock(mm);
	got = get_user_pages(addr, n, FOLL_WRITE, pv); /* expect: missing-mmap-lock:error */
	mmap_read_unlock(mm);
	mmput(mm);
out:
	put_task_struct(t);
	return got;
}
`, messages: [/the lock held here is the one of mm, the mm of a task on_wrong\(\) looks up \(t = get_pid_task\(\)\), not of current->mm/] },
    {
      // get_user_pages() works on current->mm; the lock held is the one of a task looked up
      // by pid.
      name: 'another task\'s mm locked around get_user_pages(), which works on current->mm', code: `
long om_wrong(pid_t pid, unsigned long addr, unsigned long n, struct page **pv)
{
	struct task_struct *t;
	struct mm_struct *mm;
	long got;

	t = get_pid_task(find_get_pid(pid), PIDTYPE_PID);
	if (!t)
		return -ESRCH;
	mm = get_task_mm(t);
	put_task_struct(t);
	if (!mm)
		return -EINVAL;
	mmap_read_lock(mm);
	got = get_user_pages(addr, n, FOLL_WRITE, pv); /* expect: missing-mmap-lock:error */
	mmap_read_unlock(mm);
	mmput(mm);
	return got;
}
`, messages: [/the lock held here is the one of mm, the mm of a task om_wrong\(\) looks up \(t = get_pid_task\(\)\), not of current->mm: to work on that mm, use get_user_pages_remote\(mm, \.\.\.\)/] },
    {
      // A kworker holds no mmap lock: a work item that calls a lock-requiring GUP function
      // without taking it is an error where it is registered, like an ioctl handler.
      name: 'a work item (INIT_WORK) calling pin_user_pages() without the lock', code: `
struct wi_req { struct work_struct work; unsigned long addr; struct page *page; };

static void wi_pin(struct work_struct *work)
{
	struct wi_req *r = container_of(work, struct wi_req, work);

	pin_user_pages(r->addr, 1, FOLL_WRITE, &r->page); /* expect: missing-mmap-lock:error */
}

void wi_queue(struct wi_req *r)
{
	INIT_WORK(&r->work, wi_pin);
	schedule_work(&r->work);
}
`, messages: [/wi_pin\(\) does not take it and is a work item \(INIT_WORK\(\)\), run by a kworker without the mmap lock/] },
    {
      // The mm comes from a task the function looks up: no caller can hold its lock.
      name: 'an mm looked up by pid, pinned without its lock, in the function or in its caller',
      messages: [/om_bad\(\) finds that mm itself \(t->mm\) and takes none of its lock/, /om_pages\(\) does not take it and is called without it from om_handler \(.*\): om_handler\(\) finds that mm itself \(task->mm\) and takes none of its lock/], code: `
long om_bad(pid_t pid, unsigned long a, struct page **pg)
{
	struct task_struct *t = pid_task(find_vpid(pid), PIDTYPE_PID);
	struct mm_struct *mm = t->mm;

	return pin_user_pages_remote(mm, a, 1, FOLL_WRITE, pg, NULL); /* expect: missing-mmap-lock:error */
}

static int om_pages(struct mm_struct *mm, unsigned long start, int n, struct page **pages)
{
	return pin_user_pages_remote(mm, start, n, FOLL_WRITE, pages, NULL); /* expect: missing-mmap-lock:error */
}

int om_handler(pid_t hpid, unsigned long va, int n, struct page **pages)
{
	struct task_struct *task;
	struct mm_struct *mm;

	task = pid_task(find_vpid(hpid), PIDTYPE_PID);
	mm = task->mm;
	return om_pages(mm, va, n, pages);
}
` },
    {
      // The helper uses a global's mm, which its caller does not pass: the note says so.
      name: 'the chain ends where the helper uses an mm its caller does not pass',
      messages: [/gh_pages\(\) neither takes nor asserts it and it is called from gh_top \(.*\), but there gh_pages\(\) uses the mm g_dev->mm, which gh_top\(\) does not pass/], code: `
struct gh_d { struct mm_struct *mm; };
extern struct gh_d *g_dev;
static int gh_pages(unsigned long start, struct page **pages)
{
	return pin_user_pages_remote(g_dev->mm, start, 1, FOLL_WRITE, pages, NULL); /* expect: missing-mmap-lock:note */
}

int gh_top(unsigned long va, struct page **pages)
{
	return gh_pages(va, pages);
}
` },
    {
      // The chain ends at a function nobody calls: the note names it.
      name: 'the caller chain ends at a function with no caller: the note names it',
      messages: [/nc_pages\(\) neither takes nor asserts it and it is called from nc_top \(.*\), and no caller of nc_top\(\) was found/], code: `
static int nc_pages(struct mm_struct *mm, unsigned long start, struct page **pages)
{
	return pin_user_pages_remote(mm, start, 1, FOLL_WRITE, pages, NULL); /* expect: missing-mmap-lock:note */
}

int nc_top(struct mm_struct *mm, unsigned long va, struct page **pages)
{
	return nc_pages(mm, va, pages);
}
` },
    {
      // The same layer; the caller is an ioctl handler that never takes the lock.
      name: 'helper called through a macro of a header, from an ioctl handler of another file, without the lock',
      messages: [/mb_compat_gup\(\) does not take it and is called without it from mb_ioctl \(.*main\.c:8\)/], files: {
        'drv.h': `
struct mb_dev { struct mm_struct *mm; struct page *pages[16]; };
long mb_compat_gup(struct mm_struct *mm, unsigned long start, unsigned long nr,
		   unsigned int flags, struct page **pages);
#define mb_gup(...)	mb_compat_gup(__VA_ARGS__)
`,
        'compat.c': `
#include "drv.h"

long mb_compat_gup(struct mm_struct *mm, unsigned long start, unsigned long nr,
		   unsigned int flags, struct page **pages)
{
	return pin_user_pages_remote(mm, start, nr, flags, pages, NULL); /* expect: missing-mmap-lock:error */
}
`,
        'main.c': `
#include "drv.h"

static long mb_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct mb_dev *d = f->private_data;

	return mb_gup(d->mm, arg, 1, FOLL_WRITE, d->pages);
}

static const struct file_operations mb_fops = {
	.unlocked_ioctl = mb_ioctl,
};
` } },
    {
      // The lock is taken only under an undecided #ifdef: the call is unlocked exactly when
      // the switch is off, and the message says so.
      name: 'lock and unlock under #ifdefs of one switch: missing only when it is off',
      messages: [/\[only if !defined\(CONFIG_MM_LOCKED_PIN\): a condition the tool cannot decide\]/], code: `
long mm_cfg(struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	long n;

#ifdef CONFIG_MM_LOCKED_PIN
	mmap_read_lock(mm);
#endif
	n = get_user_pages_remote(mm, addr, 1, FOLL_WRITE, pages, NULL); /* expect: missing-mmap-lock:note */
#ifdef CONFIG_MM_LOCKED_PIN
	mmap_read_unlock(mm);
#endif
	return n;
}
` },
    {
      // The module's own switches, defined from LINUX_VERSION_CODE: off in 6.12 (defined on
      // dead lines only), even though <linux/version.h> is not there to read.
      name: 'feature switches the module derives from the version pick the one live call', era: '6.12', code: `
#include <linux/version.h>

#if KERNEL_VERSION(5, 9, 0) > LINUX_VERSION_CODE
#define MM_GUP_HAS_TSK
#endif
#if KERNEL_VERSION(6, 5, 0) > LINUX_VERSION_CODE
#define MM_GUP_HAS_VMAS
#endif

static long mm_lookup(struct task_struct *t, unsigned long addr, struct page **pg)
{
#ifdef MM_GUP_HAS_TSK
	return get_user_pages_remote(t, t->mm, addr, 1, 0, pg, NULL, NULL);
#elif defined(MM_GUP_HAS_VMAS)
	return get_user_pages_remote(t->mm, addr, 1, 0, pg, NULL, NULL);
#else
	return get_user_pages_remote(t->mm, addr, 1, 0, pg, NULL); /* expect: missing-mmap-lock:error */
#endif
}

static long mm_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct page *pg;
	long n = mm_lookup(current, arg, &pg);

	if (n == 1)
		put_page(pg);
	return n;
}

static const struct file_operations mm_fops = {
	.unlocked_ioctl = mm_ioctl,
};
` },
    {
      name: 'a helper of a system call pins without the lock',
      messages: [/called without it from sys_sy_pin \(drivers\/c\d+_[a-z_]+\/case\.c:9\): sys_sy_pin\(\) is a system call/], code: `
static int sy_helper(unsigned long a, struct page **p)
{
	return get_user_pages(a, 1, 0, p); /* expect: missing-mmap-lock:error */
}

SYSCALL_DEFINE2(sy_pin, unsigned long, a, struct page **, p)
{
	return sy_helper(a, p);
}
` },
    {
      // A function whose name merely starts with sys_ (fbdev's sys_copyarea()) is no
      // system call: its callers are unknown, a note.
      name: 'a sys_-named function that is not a system call',
      messages: [/its callers could not be checked|no caller of/], code: `
static int sz_helper(unsigned long a, struct page **p)
{
	return get_user_pages(a, 1, 0, p); /* expect: missing-mmap-lock:note */
}

int sys_sz_copyarea(unsigned long a, struct page **p)
{
	return sz_helper(a, p);
}
` },
    {
      // The same shape where the other caller passes current->mm without taking the lock:
      // the equality does not rule that path out, so the note stays.
      name: 'helper pins the mm its caller passes; a caller passes current->mm without the lock',
      messages: [/not known to be held on the path from lh_map \(drivers\/c\d+_[a-z_]+\/case\.c:14\) <- lh_sticky \(drivers\/c\d+_[a-z_]+\/case\.c:29\): no caller of lh_sticky\(\) was found$/], code: `
static int lh_pin(struct lh_res *r)
{
	long got;

	got = get_user_pages_remote(r->mm, r->addr, 1, FOLL_WRITE, r->pages, NULL); /* expect: missing-mmap-lock:note */
	return got == 1 ? 0 : -EFAULT;
}

static int lh_map(struct lh_res *r, struct mm_struct *locked_mm)
{
	if (r->mm != locked_mm)
		return -EINVAL;
	return lh_pin(r);
}

int lh_job(struct lh_res *r)
{
	int ret;

	mmap_read_lock(current->mm);
	ret = lh_map(r, current->mm);
	mmap_read_unlock(current->mm);
	return ret;
}

int lh_sticky(struct lh_res *r)
{
	return lh_map(r, current->mm);
}
` },
    {
      // tt-kmd's shape: an ioctl handler in a file_operations table is entered from the
      // ioctl system call, which never holds the mmap lock: a path without it, an error.
      name: 'helper reached from an .unlocked_ioctl handler',
      messages: [/called without it from ei_ioctl \(drivers\/c\d+_[a-z_]+\/case\.c:10\): ei_ioctl\(\) is the \.unlocked_ioctl handler of a file_operations table, entered from a system call without the mmap lock$/], code: `
static int ei_pin(unsigned long start, int nr, struct page **pages)
{
	return pin_user_pages(start, nr, FOLL_WRITE | FOLL_LONGTERM, pages); /* expect: missing-mmap-lock:error */
}

static long ei_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct page *pages[4];
	int n = ei_pin(arg, 4, pages);

	if (n > 0)
		unpin_user_pages(pages, n);
	return n < 0 ? n : 0;
}

static const struct file_operations ei_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ei_ioctl,
};
` },
    {
      // A binary format's core dump handler: do_coredump() calls it without the mmap lock.
      name: 'helper reached from a linux_binfmt .core_dump handler',
      messages: [/called without it from bd_dump \(drivers\/c\d+_[a-z_]+\/case\.c:\d+\): bd_dump\(\) is the \.core_dump handler of a linux_binfmt, called by do_coredump\(\) without the mmap lock$/], code: `
static struct page *bd_page(unsigned long va)
{
	struct page *pg;

	if (get_user_pages(va, 1, FOLL_FORCE, &pg) != 1) /* expect: missing-mmap-lock:error */
		return NULL;
	return pg;
}

static int bd_dump(struct coredump_params *cprm)
{
	struct page *pg = bd_page(cprm->regs->ip);

	if (pg)
		put_page(pg);
	return 1;
}

static struct linux_binfmt bd_format = {
	.module = THIS_MODULE,
	.core_dump = bd_dump,
};
` },
    {
      // The work item hands its container to the helper in the call itself: a type as a
      // macro's argument (`container_of(w, struct jb_job, work)`) must not hide the call.
      name: 'helper called with container_of() of a work item as its argument',
      messages: [/called without it from jb_work \(drivers\/c\d+_[a-z_]+\/case\.c:\d+\): jb_work\(\) is a work item \(INIT_WORK\(\)\)/], code: `
struct jb_job { struct work_struct work; struct mm_struct *mm; unsigned long va; struct page *pg; };

static void jb_run(struct jb_job *j)
{
	if (get_user_pages_remote(j->mm, j->va, 1, FOLL_WRITE, &j->pg, NULL) == 1) /* expect: missing-mmap-lock:error */
		put_page(j->pg);
}

static void jb_work(struct work_struct *w)
{
	jb_run(container_of(w, struct jb_job, work));
}

void jb_queue(struct jb_job *j)
{
	INIT_WORK(&j->work, jb_work);
	schedule_work(&j->work);
}
` },
    {
      // A call of an older layout (vmas, before 6.5) under a config switch only: the arm is
      // built on every kernel, so the call is read as it is outside any #if (it was dropped).
      name: 'an older layout under #ifdef CONFIG_X with no #else, from an ioctl handler', era: '6.12',
      messages: [/get_user_pages\(\) requires the mmap lock of current->mm; cx_grab\(\) does not take it and is called without it from cx_ioctl .*\[only if defined\(CONFIG_CX_DEBUG\)/], code: `
#ifdef CONFIG_CX_DEBUG
static long cx_grab(unsigned long va, struct page **pg)
{
	struct vm_area_struct *vma;

	return get_user_pages(va, 1, FOLL_WRITE, pg, &vma); /* expect: missing-mmap-lock:error */
}
#endif

static long cx_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct page *pg;
	long n = -ENOTTY;

#ifdef CONFIG_CX_DEBUG
	n = cx_grab(arg, &pg);
	if (n == 1)
		put_page(pg);
#endif
	return n;
}

static const struct file_operations cx_fops = {
	.unlocked_ioctl = cx_ioctl,
};
` },
    {
      // sysfs handlers run from the read/write system calls: a store declared with
      // DEVICE_ATTR_WO() and a binary attribute's .write.
      name: 'GUP from a DEVICE_ATTR_WO() store handler and a bin_attribute .write handler', era: '6.12',
      messages: [/sa_grab\(\) does not take it and is called without it from start_store .*: start_store\(\) is the \.store handler of a sysfs attribute, entered from the write system call without the mmap lock$/, /sa_blob_write\(\) does not take it and is the \.write handler of a sysfs attribute \(struct bin_attribute\)/], code: `
static long sa_grab(unsigned long va, struct page **pg)
{
	return get_user_pages(va, 1, FOLL_WRITE, pg); /* expect: missing-mmap-lock:error */
}

static ssize_t start_store(struct device *dev, struct device_attribute *attr, const char *buf, size_t len)
{
	struct page *pg;
	unsigned long va;

	if (kstrtoul(buf, 0, &va))
		return -EINVAL;
	if (sa_grab(va, &pg) == 1)
		put_page(pg);
	return len;
}
static DEVICE_ATTR_WO(start);

static ssize_t sa_blob_write(struct file *f, struct kobject *kobj, struct bin_attribute *a, char *buf, loff_t off, size_t len)
{
	struct page *pg;

	if (get_user_pages(*(unsigned long *)buf, 1, 0, &pg) == 1) /* expect: missing-mmap-lock:error */
		put_page(pg);
	return len;
}

static struct bin_attribute sa_blob = {
	.attr = { .name = "blob", .mode = 0200 },
	.write = sa_blob_write,
};
` },
    {
      // The handler's header is one use of a function-like macro of the file that pastes its
      // name: named as the expansion declares it, so the ops table's entry is found.
      name: 'an ioctl handler whose header a pasting macro writes', era: '6.12',
      messages: [/mh_grab\(\) does not take it and is called without it from mh_op_ioctl .*: mh_op_ioctl\(\) is the \.unlocked_ioctl handler/], code: `
#define MH_HANDLER(n) \\
	long mh_op_ ## n(struct file *filp, unsigned int cmd, unsigned long arg)

static int mh_grab(unsigned long ua, struct page **pv)
{
	return get_user_pages(ua, 1, FOLL_WRITE, pv) == 1 ? 0 : -EFAULT; /* expect: missing-mmap-lock:error */
}

MH_HANDLER(ioctl)
{
	struct page *pv[1];
	int err = mh_grab(arg, pv);

	if (!err)
		put_page(pv[0]);
	return err;
}

static const struct file_operations mh_fops = {
	.unlocked_ioctl = mh_op_ioctl,
};
` },
    {
      name: 'a DRM ioctl handler pins without the lock',
      messages: [/ed_userptr_ioctl\(\) does not take it and is a DRM ioctl handler/], code: `
int ed_userptr_ioctl(struct drm_device *dev, void *data, struct drm_file *filp)
{
	struct ed_args *args = data;

	return get_user_pages(args->addr, 1, FOLL_WRITE, args->pages); /* expect: missing-mmap-lock:error */
}

static const struct drm_ioctl_desc ed_ioctls[] = {
	DRM_IOCTL_DEF_DRV(ED_USERPTR, ed_userptr_ioctl, DRM_AUTH | DRM_RENDER_ALLOW),
};
` },
    {
      // A .read member of a driver's own ops struct is not a VFS entry: its callers are
      // unknown, so a note, not an error.
      name: 'a .read member of another struct is no system call entry',
      messages: [/its callers could not be checked|no caller of er_read\(\) was found/], code: `
static int er_read(struct er_chan *ch, unsigned long uaddr)
{
	return get_user_pages(uaddr, 1, 0, ch->pages); /* expect: missing-mmap-lock:note */
}

static const struct er_chan_ops er_ops = {
	.read = er_read,
};
` },
    {
      // The same shape, where the other caller includes the struct's header: it is a caller, so the note stays.
      name: 'a call through a field of a struct the caller sees (included) is a caller', files: {
        'svi_tt.h': `
struct svi_backend_func {
	int (*bind)(struct svi_tt *tt, unsigned long start);
};
`,
        'drv.c': `
#include "svi_tt.h"

static int svi_bind(struct svi_tt *tt, unsigned long start)
{
	return get_user_pages(start, 1, 0, tt->pages); /* expect: missing-mmap-lock:note */
}

static struct svi_backend_func svi_funcs = {
	.bind = svi_bind,
};
`,
        'core.c': `
#include "svi_tt.h"

int svi_tt_bind(struct svi_tt *tt)
{
	int r;

	mmap_read_lock(current->mm);
	r = tt->func->bind(tt, tt->start);
	mmap_read_unlock(current->mm);
	return r;
}
`,
        'net.c': `
#include "svi_tt.h"
struct svi_info {
	int (*bind)(void *dev, unsigned long flags);
};

int svi_probe(struct svi_info *info, void *dev)
{
	return info->bind(dev, 0);
}
` } },
    {
      // The mm comes from a local object of a function that names no mm of its own: the chain
      // ends there, and the note says the mm could not be followed (not "no caller").
      name: 'mm of a local object in a function naming no mm: not followed, said so',
      messages: [/from uz_on_new \(drivers\/c\d+_[a-z_]+\/case\.c:23\) <- uz_new_vma \(drivers\/c\d+_[a-z_]+\/case\.c:28\): there uz_on_new\(\) uses the mm ctx->mm, which uz_new_vma\(\) does not pass: the lock of that mm could not be followed$/], code: `
static int uz_write(struct mm_struct *mm, unsigned long vaddr)
{
	struct page *page;

	return get_user_pages_remote(mm, vaddr, 1, 0, &page, NULL); /* expect: missing-mmap-lock:note */
}

int uz_register(struct mm_struct *mm, unsigned long vaddr)
{
	int r;

	mmap_write_lock(mm);
	r = uz_write(mm, vaddr);
	mmap_write_unlock(mm);
	return r;
}

static int uz_on_new(void)
{
	struct uz_ctx *ctx = uz_ctx_pop();

	return uz_write(ctx->mm, ctx->start);
}

int uz_new_vma(void)
{
	return uz_on_new();
}
` },
    {
      // The same shape as 'mm of a local object ...' with no lock at the top: the mm is
      // followed by a guess, so the note says so instead of claiming a caller without it.
      name: 'mm of a local object, outermost caller without the lock',
      messages: [/from ux_map_region \(drivers\/c\d+_[a-z_]+\/case\.c:25\) <- ux_vm_map \(drivers\/c\d+_[a-z_]+\/case\.c:31\): no caller of ux_vm_map\(\) was found$/], code: `
static int ux_write(struct mm_struct *mm, unsigned long vaddr)
{
	struct page *page;

	return get_user_pages_remote(mm, vaddr, 1, 0, &page, NULL); /* expect: missing-mmap-lock:note */
}

int ux_register(struct mm_struct *mm, unsigned long vaddr)
{
	int r;

	mmap_write_lock(mm);
	r = ux_write(mm, vaddr);
	mmap_write_unlock(mm);
	return r;
}

static unsigned long ux_map_region(struct file *file, unsigned long addr)
{
	struct mm_struct *mm = current->mm;
	struct ux_area *area;

	area = ux_area_alloc(mm, file);
	ux_write(area->owner_mm, area->start);
	return addr;
}

unsigned long ux_vm_map(struct file *file, unsigned long addr)
{
	return ux_map_region(file, addr);
}
` },
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
    {
      // mm_d8() -> ... -> mm_d1() -> mm_d0(), one file each: the search stops at --call-depth 6.
      name: 'caller chain deeper than --call-depth', files: {
        'd0.c': `
long mm_d0(unsigned long uaddr, struct page **pages)
{
	return get_user_pages(uaddr, 1, 0, pages); /* expect: missing-mmap-lock:note */
}
`,
        ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((i) => [`d${i}.c`, `
long mm_d${i}(unsigned long a, struct page **p)
{
	return mm_d${i - 1}(a, p);
}
`])),
      },
      messages: [/mm_d0\(\) neither takes nor asserts it and the caller chain is deeper than --call-depth: add mmap_assert_locked\(\)/],
    },
    {
      // The same compat wrappers, released before the call: not held there.
      name: 'compat lock wrapper with undecided arms, released before the call', files: {
        'cw_mm.h': `
static inline void cw_read_lock(struct mm_struct *mm)
{
#if defined(CW_HAVE_MMAP_LOCK)
	mmap_read_lock(mm);
#else
	down_read(&mm->mmap_sem);
#endif
}

static inline void cw_read_unlock(struct mm_struct *mm)
{
#if defined(CW_HAVE_MMAP_LOCK)
	mmap_read_unlock(mm);
#else
	up_read(&mm->mmap_sem);
#endif
}

#define cw_lock_traced(mm) ({ typeof(mm) __m = (mm); cw_trace(__m, 1); cw_read_lock(__m); })
#define cw_unlock_traced(mm) ({ typeof(mm) __m = (mm); cw_read_unlock(__m); cw_trace(__m, 0); })
`,
        'case.c': `
#include "cw_mm.h"

int cw_late(struct mm_struct *mm, unsigned long addr, struct page **page)
{
	long n;

	cw_lock_traced(mm);
	cw_unlock_traced(mm);
	n = get_user_pages_remote(mm, addr, 1, 0, page, NULL); /* expect: missing-mmap-lock:error */
	return n == 1 ? 0 : -EFAULT;
}
` } },
    {
      // Two modules of one repository, each with its own compat header defining the same
      // static inline helper: a call reaches the definition its file includes, not the
      // other module's (whose only caller does not lock).
      name: 'same static inline helper in two modules\' headers: callers by include', files: {
        '/modules/ma/ma_compat.h': `
static inline long mx_get_pages(unsigned long start, unsigned long nr, struct page **pages)
{
	return get_user_pages(start, nr, FOLL_WRITE, pages); /* expect-none */
}
`,
        '/modules/ma/ma_main.c': `
#include "ma_compat.h"

long ma_pin(unsigned long uaddr, struct page **pages)
{
	long n;

	mmap_read_lock(current->mm);
	n = mx_get_pages(uaddr, 4, pages);
	mmap_read_unlock(current->mm);
	return n;
}
`,
        '/modules/mb/mb_compat.h': `
static inline long mx_get_pages(unsigned long start, unsigned long nr, struct page **pages)
{
	return get_user_pages(start, nr, 0, pages); /* expect: missing-mmap-lock:note */
}
`,
        '/modules/mb/mb_main.c': `
#include "mb_compat.h"

long mb_peek(unsigned long uaddr, struct page **pages)
{
	return mx_get_pages(uaddr, 1, pages);
}
` } },
    {
      // The function takes its own reference to the task's mm: no caller can have locked an
      // mm it never passed, so the missing lock is an error, not a request to assert it.
      name: 'an mm taken with get_task_mm() in an exported function, no lock taken', era: '6.12',
      messages: [/tm_bad\(\) finds that mm itself \(mm = get_task_mm\(task\)\) and takes none of its lock/], code: `
int tm_bad(struct task_struct *task, unsigned long addr, unsigned long *flags)
{
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	struct page *page;

	mm = get_task_mm(task);
	if (!mm)
		return -ESRCH;
	page = get_user_page_vma_remote(mm, addr, FOLL_FORCE, &vma); /* expect: missing-mmap-lock:error */
	if (IS_ERR(page)) {
		mmput(mm);
		return PTR_ERR(page);
	}
	*flags = vma->vm_flags;
	put_page(page);
	mmput(mm);
	return 0;
}
EXPORT_SYMBOL(tm_bad);
` },
    {
      name: 'a caller whose parameter list has an #ifdef is followed up the chain', era: '6.12', code: `
struct ib_buf { struct mm_struct *mm; unsigned long address; struct page **pages; };

static int ib_pin(struct ib_buf *eb)
{
	long pinned = get_user_pages_remote(eb->mm, eb->address, 1, FOLL_WRITE, eb->pages, NULL); /* expect: missing-mmap-lock:note */

	if (pinned != 1)
		return pinned < 0 ? pinned : -EFAULT;
	return 0;
}

int ib_map(struct ib_buf *eb, struct mm_struct *locked_mm
#ifdef CONFIG_IB_FENCES
		, unsigned int *fence_count
#endif
		)
{
	if (eb->mm != locked_mm)
		return -EINVAL;
	return ib_pin(eb);
}

int ib_submit(struct ib_buf *eb)
{
	int ret;

	ret = ib_map(eb, current->mm
#ifdef CONFIG_IB_FENCES
			  , NULL
#endif
			  );
	return ret;
}
`, messages: [/ib_pin\(\) neither takes nor asserts it and it is called from ib_map \(.*\) <- ib_submit \(.*\), and no caller of ib_submit\(\) was found/] },
  ],
};
