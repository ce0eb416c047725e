'use strict';
// prefer-locked: the lock is held around a GUP call and could be dropped inside it, but the
// _unlocked variant is not a drop-in: the lock is taken in a caller around a helper whose
// only lock need is the GUP call, or the mm is remote.
module.exports = {
  valid: [
    {
      // A trylock region is non-blocking on purpose: the suggested call would wait for the lock.
      name: 'the lock taken with mmap_read_trylock() only around the call', era: '6.12', code: `
int tp_peek(struct mm_struct *mm, unsigned long va, struct page **pg)
{
	long n;

	if (!mmap_read_trylock(mm))
		return -EAGAIN;
	n = get_user_pages_remote(mm, va, 1, FOLL_WRITE, pg, NULL); /* expect-none */
	mmap_read_unlock(mm);
	return n == 1 ? 0 : -EFAULT;
}
` },
    {
      // The helper also walks the VMAs (through a lookup of its own) and reads the VMA it
      // found: the caller's lock covers that too, not only the GUP call.
      name: 'a helper that finds a VMA by walking mm->mmap, then pins from it', era: '6.1', code: `
static int wk_find(struct mm_struct *mm, struct vm_area_struct **out)
{
	struct vm_area_struct *vma;

	for (vma = mm->mmap; vma; vma = vma->vm_next) {
		if (vma->vm_flags & VM_EXEC) {
			*out = vma;
			return 0;
		}
	}
	return -ENOENT;
}

static int wk_hash(struct mm_struct *mm, struct page **pg)
{
	struct vm_area_struct *vma = NULL;
	long n;

	if (wk_find(mm, &vma))
		return -EFAULT;
	n = get_user_pages_remote(mm, vma->vm_start, 1, FOLL_FORCE, pg, NULL, NULL); /* expect-none */
	return n == 1 ? 0 : -EFAULT;
}

int wk_run(struct task_struct *t, struct page **pg)
{
	struct mm_struct *mm = get_task_mm(t);
	int rc;

	if (!mm)
		return -EINVAL;
	mmap_read_lock(mm);
	rc = wk_hash(mm, pg);
	mmap_read_unlock(mm);
	mmput(mm);
	return rc;
}
` },
    {
      // The adapter macro asked for FOLL_NOWAIT (its argument is 1): the call must not wait.
      name: 'flags from a macro whose constant argument selects FOLL_NOWAIT', era: '6.12', code: `
#define PK_FLAGS(nw) (((nw) ? FOLL_NOWAIT : 0) | FOLL_FORCE)

int pk_peek(struct mm_struct *mm, unsigned long va)
{
	struct page *pg;
	long n;

	mmap_read_lock(mm);
	n = get_user_pages_remote(mm, va, 1, PK_FLAGS(1), &pg, NULL); /* expect-none */
	mmap_read_unlock(mm);
	if (n > 0)
		put_page(pg);
	return n > 0;
}
` },
    {
      // The 5.9-6.4 form read in a 4.9 audit (an mm where 4.9 takes the task): 4.9's
      // get_user_pages_remote() takes no locked, so no &locked advice.
      name: 'a 5.9-6.4 remote call in a 4.9 audit: no &locked advice', era: '4.9', code: `
static long e9_read(struct mm_struct *mm, unsigned long addr, struct page **page)
{
	long ret;

	down_read(&mm->mmap_sem);
	ret = get_user_pages_remote(mm, addr, 1, 0, page, NULL, NULL); /* expect-none */
	up_read(&mm->mmap_sem);
	return ret;
}
` },
    {
      // The helper's vmas parameter: one caller passes a real array, so the call needs the
      // lock for the vmas it fills.
      name: 'a helper forwarding its vmas parameter, one caller passing vmas', era: '4.9', code: `
static long pv_gup(unsigned long start, unsigned long n, struct page **out, struct vm_area_struct **vmas)
{
	return get_user_pages(start, n, FOLL_WRITE, out, vmas); /* expect-none */
}

long pv_plain(unsigned long uaddr, struct page **out)
{
	long n;

	down_read(&current->mm->mmap_sem);
	n = pv_gup(uaddr, 1, out, NULL);
	up_read(&current->mm->mmap_sem);
	return n;
}

long pv_with_vmas(unsigned long uaddr, struct page **out, struct vm_area_struct **vmas)
{
	long n;

	down_read(&current->mm->mmap_sem);
	n = pv_gup(uaddr, 1, out, vmas);
	up_read(&current->mm->mmap_sem);
	return n;
}
` },
    {
      // The fix of the 4.4 remote case: the unlocked variant of the era, on the task's mm.
      name: '4.4: get_user_pages_unlocked(tsk, mm, ...) on another task\'s mm, no lock taken', era: '4.4', code: `
long pr44_fixed(struct task_struct *task, unsigned long addr, int n, struct page **pages)
{
	return get_user_pages_unlocked(task, task->mm, addr, n, 1, 0, pages); /* expect-none */
}
` },
    {
      name: '4.9: __get_user_pages_unlocked(tsk, mm, ...) on another task\'s mm, no lock taken', era: '4.9', code: `
long pr49_fixed(struct task_struct *task, unsigned long addr, int n, struct page **pages)
{
	return __get_user_pages_unlocked(task, task->mm, addr, n, pages, FOLL_WRITE | FOLL_TOUCH | FOLL_REMOTE); /* expect-none */
}
` },
    {
      // 4.9: get_user_pages_remote() takes no `locked`, get_user_pages_locked() works on
      // current->mm only: no int *locked to plumb for a remote mm, nothing named.
      name: '4.9: a caller locks a remote mm only around a helper: no locked form exists for that mm', era: '4.9', code: `
static long pr49_helper(struct task_struct *task, struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	return get_user_pages_remote(task, mm, addr, 1, FOLL_WRITE, pages, NULL); /* expect-none */
}

long pr49_caller(struct task_struct *task, struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	long n;

	down_read(&mm->mmap_sem);
	n = pr49_helper(task, mm, addr, pages);
	up_read(&mm->mmap_sem);
	return n;
}
` },
    {
      // A staging driver of 4.9 (BROKEN there) still calls get_user_pages(tsk, mm, ...) with
      // seven arguments: read by its arity, not the 4.9 call; no replacement is built for it.
      name: '4.9: a remote-looking call of another era\'s signature', era: '4.9', code: `
long pr49_other_era(struct task_struct *task, unsigned long addr, int nr, struct page **pages)
{
	long ret;

	down_read(&task->mm->mmap_sem);
	ret = get_user_pages(task, task->mm, addr, nr, FOLL_WRITE, pages, NULL); /* expect-none */
	up_read(&task->mm->mmap_sem);
	return ret;
}
` },
    {
      name: '4.4: a remote mm locked around a get_user_pages() call that needs vmas', era: '4.4', code: `
long pr44_vmas(struct task_struct *task, struct mm_struct *mm, unsigned long addr, struct page **pages, struct vm_area_struct **vmas)
{
	long n;

	down_read(&mm->mmap_sem);
	n = get_user_pages(task, mm, addr, 1, 1, 0, pages, vmas); /* expect-none */
	up_read(&mm->mmap_sem);
	return n;
}
` },
    {
      name: 'FOLL_LONGTERM pin in 6.1: pin_user_pages_remote(..., &locked) refuses it before 6.3', era: '6.1', code: `
static int pl_lt_locked(unsigned long data, unsigned long nr, struct page **pages)
{
	long n = pin_user_pages(data, nr, FOLL_WRITE | FOLL_LONGTERM, pages, NULL); /* expect-none */

	if (n == nr)
		return 0;
	if (n > 0)
		unpin_user_pages(pages, n);
	return -EFAULT;
}

int pl_lt(unsigned long data, unsigned long nr, struct page **pages)
{
	int ret;

	mmap_read_lock(current->mm);
	ret = pl_lt_locked(data, nr, pages);
	mmap_read_unlock(current->mm);
	return ret;
}
` },
    {
      name: 'the region does other lock-dependent work', code: `
static long pl_helper(unsigned long uaddr, struct page **pages)
{
	return get_user_pages(uaddr, 1, 0, pages); /* expect-none */
}

long pl_keep(unsigned long uaddr, struct page **pages)
{
	struct vm_area_struct *vma;
	long n;

	mmap_read_lock(current->mm);
	vma = find_vma(current->mm, uaddr);
	n = vma ? pl_helper(uaddr, pages) : -EFAULT;
	mmap_read_unlock(current->mm);
	return n;
}
` },
    {
      name: 'already passes &locked', code: `
long pl_done(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
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
      // kvm's hva_to_pfn_slow() shape: FOLL_NOWAIT never waits for the fault, so GUP has no
      // retry to drop the lock for.
      name: 'FOLL_NOWAIT through a flags variable (4.9, kvm shape)', era: '4.9', code: `
static int pn_page_nowait(unsigned long start, int write, struct page **page)
{
	int flags = FOLL_NOWAIT | FOLL_HWPOISON;

	if (write)
		flags |= FOLL_WRITE;
	return get_user_pages(start, 1, flags, page, NULL); /* expect-none */
}

int pn_slow(unsigned long addr, struct page **page)
{
	int npages;

	down_read(&current->mm->mmap_sem);
	npages = pn_page_nowait(addr, 1, page);
	up_read(&current->mm->mmap_sem);
	return npages;
}
` },
    {
      name: 'FOLL_NOWAIT on a remote mm locked only around the call', code: `
long pn_remote(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
{
	long n;

	mmap_read_lock(mm);
	n = get_user_pages_remote(mm, uaddr, 1, FOLL_NOWAIT, pages, NULL); /* expect-none */
	mmap_read_unlock(mm);
	return n;
}
` },
  ],
  invalid: [
    {
      // The mm named as the code writes it, not as the task it was looked up from.
      name: 'the looked-up mm locked only around a remote call: named as written', era: '6.12', code: `
int lm_peek(struct task_struct *t, unsigned long va, struct page **pg)
{
	struct mm_struct *omm = NULL;
	long n;

	omm = get_task_mm(t);
	if (!omm)
		return -ESRCH;
	mmap_read_lock(omm);
	n = get_user_pages_remote(omm, va, 1, FOLL_FORCE, pg, NULL); /* expect: prefer-locked:note */
	mmap_read_unlock(omm);
	mmput(omm);
	return n == 1 ? 0 : -EFAULT;
}
`, messages: [/^the mmap lock of omm is held only for this get_user_pages_remote\(\) call/] },
    {
      // The same adapter asked without FOLL_NOWAIT (argument 0): its dead arm is not a flag.
      name: 'flags from a macro whose constant argument leaves FOLL_NOWAIT out', era: '6.12', code: `
#define PK_FLAGS(nw) (((nw) ? FOLL_NOWAIT : 0) | FOLL_FORCE)

int pk_read(struct mm_struct *mm, unsigned long va)
{
	struct page *pg;
	long n;

	mmap_read_lock(mm);
	n = get_user_pages_remote(mm, va, 1, PK_FLAGS(0), &pg, NULL); /* expect: prefer-locked:note */
	mmap_read_unlock(mm);
	if (n > 0)
		put_page(pg);
	return n > 0;
}
` },
    {
      // A constant test written in the call (what a header's macro leaves after expansion).
      name: 'a constant conditional in the flags argument leaves FOLL_NOWAIT out', era: '6.12', code: `
int pk_read2(struct mm_struct *mm, unsigned long va)
{
	struct page *pg;
	long n;

	mmap_read_lock(mm);
	n = get_user_pages_remote(mm, va, 1, ((0) ? FOLL_NOWAIT : 0) | FOLL_FORCE, &pg, NULL); /* expect: prefer-locked:note */
	mmap_read_unlock(mm);
	if (n > 0)
		put_page(pg);
	return n > 0;
}
` },
    {
      // The helper forwards a vmas parameter that every caller passes as NULL: no vmas.
      name: 'a helper forwarding its vmas parameter, every caller passing NULL (4.9)', era: '4.9', code: `
static long pn_gup(unsigned long start, unsigned long n, struct page **out, struct vm_area_struct **vmas)
{
	return get_user_pages(start, n, FOLL_WRITE, out, vmas); /* expect: prefer-locked:note */
}

long pn_caller(unsigned long uaddr, struct page **out)
{
	long n;

	down_read(&current->mm->mmap_sem);
	n = pn_gup(uaddr, 1, out, NULL);
	up_read(&current->mm->mmap_sem);
	return n;
}
`, messages: [/pn_caller\(\) takes the mmap lock only around pn_gup\(\), whose only lock need is this get_user_pages\(\) call/] },
    {
      // 4.4-4.5: get_user_pages(tsk, mm, ...) is the remote call, and get_user_pages_unlocked()
      // takes tsk and mm: the drop-in for another task's mm (the era's kvm async_pf fix).
      name: '4.4: a remote mm locked only around get_user_pages(tsk, mm, ...)', era: '4.4', code: `
long pr44_remote(struct task_struct *task, unsigned long addr, int n, struct page **pages)
{
	struct mm_struct *mm = task->mm;
	long ret;

	down_read(&mm->mmap_sem);
	ret = get_user_pages(task, mm, addr, n, 1, 0, pages, NULL); /* expect: prefer-locked:note */
	up_read(&mm->mmap_sem);
	return ret;
}
`, messages: [/use get_user_pages_unlocked\(task, mm, addr, n, 1, 0, pages\) and drop the lock\/unlock calls/] },
    {
      name: '4.8: a remote mm locked only around get_user_pages_remote(): __get_user_pages_unlocked() (exported until 4.9)', era: '4.8', code: `
long pr48_remote(struct task_struct *task, struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	long ret;

	down_read(&mm->mmap_sem);
	ret = get_user_pages_remote(task, mm, addr, 1, 1, 0, pages, NULL); /* expect: prefer-locked:note */
	up_read(&mm->mmap_sem);
	return ret;
}
`, messages: [/use __get_user_pages_unlocked\(task, mm, addr, 1, 1, 0, pages, FOLL_TOUCH \| FOLL_REMOTE\)/] },
    {
      name: '4.9: a remote mm locked only around get_user_pages_remote(): the flags the remote call adds are kept', era: '4.9', code: `
long pr49_remote(struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	long ret;

	down_read(&mm->mmap_sem);
	ret = get_user_pages_remote(NULL, mm, addr, 1, FOLL_WRITE, pages, NULL); /* expect: prefer-locked:note */
	up_read(&mm->mmap_sem);
	return ret;
}
`, messages: [/use __get_user_pages_unlocked\(NULL, mm, addr, 1, pages, FOLL_WRITE \| FOLL_TOUCH \| FOLL_REMOTE\)/] },
    {
      name: '4.9: flags written as a conditional expression keep their parentheses in the replacement', era: '4.9', code: `
long pr49_cond(struct task_struct *task, unsigned long addr, int write, struct page **pages)
{
	long ret;

	down_read(&task->mm->mmap_sem);
	ret = get_user_pages_remote(task, task->mm, addr, 1, write ? FOLL_WRITE : 0, pages, NULL); /* expect: prefer-locked:note */
	up_read(&task->mm->mmap_sem);
	return ret;
}
`, messages: [/use __get_user_pages_unlocked\(task, task->mm, addr, 1, pages, \(write \? FOLL_WRITE : 0\) \| FOLL_TOUCH \| FOLL_REMOTE\)/] },
    {
      // 4.4-4.5: get_user_pages_locked() takes tsk and mm, so a helper on another task's mm
      // can take an int *locked.
      name: '4.4: a caller locks a remote mm only around a helper: get_user_pages_locked(tsk, mm, ..., &locked)', era: '4.4', code: `
static long pr44_helper(struct task_struct *task, struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	return get_user_pages(task, mm, addr, 1, 1, 0, pages, NULL); /* expect: prefer-locked:note */
}

long pr44_caller(struct task_struct *task, struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	long n;

	down_read(&mm->mmap_sem);
	n = pr44_helper(task, mm, addr, pages);
	up_read(&mm->mmap_sem);
	return n;
}
`, messages: [/use get_user_pages_locked\(tsk, mm, \.\.\., &locked\)/] },
    {
      // The helper pins another task's mm: the advice keeps that mm (the _locked form would
      // pin current's).
      name: 'helper pinning a foreign mm, the caller locks only around it: the advice names that mm',
      messages: [/add an int \*locked parameter to fm_pin\(\) and use pin_user_pages_remote\(tmm, \.\.\., &locked\)/], code: `
static long fm_pin(struct mm_struct *tmm, unsigned long a, struct page **pg)
{
	return pin_user_pages_remote(tmm, a, 1, FOLL_WRITE, pg, NULL); /* expect: prefer-locked:note */
}

long fm_attach(struct task_struct *t, unsigned long a, struct page **pg)
{
	struct mm_struct *mm = get_task_mm(t);
	long n;

	if (!mm)
		return -ESRCH;
	mmap_read_lock(mm);
	n = fm_pin(mm, a, pg);
	mmap_read_unlock(mm);
	mmput(mm);
	return n;
}
` },
    {
      name: 'a second caller holds no lock: it is not said to keep one',
      messages: [/^pl_only\(\) takes the mmap lock only around pl_two_helper\(\), .* so pl_only\(\) can let the lock be dropped to retry faults$/], code: `
long pl_two_helper(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
{
	return get_user_pages_remote(mm, uaddr, 1, 0, pages, NULL); /* expect: prefer-locked:note */
}

long pl_only(unsigned long uaddr, struct page **pages)
{
	long n;

	mmap_read_lock(current->mm);
	n = pl_two_helper(current->mm, uaddr, pages);
	mmap_read_unlock(current->mm);
	return n;
}

long pl_bare(unsigned long uaddr, struct page **pages)
{
	return pl_two_helper(current->mm, uaddr, pages);
}
` },
    {
      name: 'remote mm locked only around the call', code: `
long pl_remote(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
{
	long n;

	mmap_read_lock(mm);
	n = pin_user_pages_remote(mm, uaddr, 1, FOLL_WRITE, pages, NULL); /* expect: prefer-locked:note */
	mmap_read_unlock(mm);
	return n;
}
` },
    {
      name: 'caller locks only around a helper (4.9, videobuf shape)', era: '4.9', code: `
static int pl_init_user_locked(unsigned long data, unsigned long nr, struct page **pages)
{
	int err = get_user_pages(data, nr, FOLL_WRITE, pages, NULL); /* expect: prefer-locked:note */

	return err < 0 ? err : 0;
}

int pl_init_user(unsigned long data, unsigned long nr, struct page **pages)
{
	int ret;

	down_read(&current->mm->mmap_sem);
	ret = pl_init_user_locked(data, nr, pages);
	up_read(&current->mm->mmap_sem);
	return ret;
}
` },
    {
      name: 'one caller can drop the lock, another keeps it (6.12)', era: '6.12', code: `
static int pl_pin_locked(unsigned long data, unsigned long nr, struct page **pages)
{
	long n = pin_user_pages(data, nr, FOLL_WRITE, pages); /* expect: prefer-locked:note */

	if (n == nr)
		return 0;
	if (n > 0)
		unpin_user_pages(pages, n);
	return -EFAULT;
}

int pl_pin(unsigned long data, unsigned long nr, struct page **pages)
{
	int ret;

	mmap_read_lock(current->mm);
	ret = pl_pin_locked(data, nr, pages);
	mmap_read_unlock(current->mm);
	return ret;
}

int pl_pin_checked(unsigned long data, unsigned long nr, struct page **pages)
{
	int ret = -EFAULT;

	mmap_read_lock(current->mm);
	if (vma_lookup(current->mm, data))
		ret = pl_pin_locked(data, nr, pages);
	mmap_read_unlock(current->mm);
	return ret;
}
` },
    {
      name: 'two callers lock only around the helper (6.12): "take", both named', code: `
static int pl2_locked(unsigned long data, unsigned long nr, struct page **pages)
{
	long n = pin_user_pages(data, nr, FOLL_WRITE, pages); /* expect: prefer-locked:note */

	if (n == nr)
		return 0;
	if (n > 0)
		unpin_user_pages(pages, n);
	return -EFAULT;
}

int pl2_a(unsigned long data, unsigned long nr, struct page **pages)
{
	int ret;

	mmap_read_lock(current->mm);
	ret = pl2_locked(data, nr, pages);
	mmap_read_unlock(current->mm);
	return ret;
}

int pl2_b(unsigned long data, struct page **pages)
{
	int ret;

	mmap_read_lock(current->mm);
	ret = pl2_locked(data, 1, pages);
	mmap_read_unlock(current->mm);
	return ret;
}
`,
      messages: [/^pl2_a\(\), pl2_b\(\) take the mmap lock only around pl2_locked\(\)/],
    },
  ],
};
