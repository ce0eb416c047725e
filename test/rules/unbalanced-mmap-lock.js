'use strict';
// unbalanced-mmap-lock: in a function with a GUP call, a path returns holding the lock it
// took, releases it twice, or releases it unheld. Primary location: the acquire or the bad
// release.
module.exports = {
  valid: [
    {
      // The caller says in the request that it holds the lock; the helper locks only when it does not.
      name: 'a helper that locks unless a member of its request says the caller holds it, set just before', era: '6.12', code: `
struct fr_req { struct mm_struct *mm; bool locked; };

static int fr_get(struct fr_req *r, unsigned long va, struct page **pg)
{
	long n;

	if (!r->locked)
		mmap_read_lock(r->mm);
	n = get_user_pages_remote(r->mm, va, 1, FOLL_WRITE, pg, NULL);
	if (!r->locked)
		mmap_read_unlock(r->mm);
	return n == 1 ? 0 : -EFAULT;
}

int fr_walk(struct fr_req *r, unsigned long va, struct page **pg)
{
	int ret;

	mmap_read_lock(r->mm);
	r->locked = true;
	ret = fr_get(r, va, pg); /* expect-none */
	r->locked = false;
	mmap_read_unlock(r->mm);
	return ret;
}
` },
    {
      // The helper locks only when its caller says it does not hold the lock; the caller
      // that holds it says so with a constant.
      name: 'a helper that locks unless its caller passes true for holding the lock', era: '6.12', code: `
static long hl_get(struct mm_struct *mm, unsigned long va, struct page **pg, bool have_lock)
{
	long n;

	if (!have_lock)
		mmap_read_lock(mm);
	n = get_user_pages_remote(mm, va, 1, 0, pg, NULL); /* expect-none */
	if (!have_lock)
		mmap_read_unlock(mm);
	return n;
}

long hl_walk(struct mm_struct *mm, unsigned long va, struct page **pg)
{
	long n;

	mmap_read_lock(mm);
	n = hl_get(mm, va, pg, true); /* expect-none */
	mmap_read_unlock(mm);
	return n;
}

long hl_one(struct mm_struct *mm, unsigned long va, struct page **pg)
{
	return hl_get(mm, va, pg, false); /* expect-none */
}
` },

    {
      // The same chain with the outer function not holding the lock: taken once.
      name: 'a helper takes the lock; its caller\'s caller does not hold it', code: `
static long tn_grab(unsigned long uaddr, int n, struct page **pages)
{
	long got;

	mmap_read_lock(current->mm);
	got = get_user_pages(uaddr, n, FOLL_WRITE, pages);
	mmap_read_unlock(current->mm);
	return got;
}

static int tn_chunk(unsigned long uaddr, int n, struct page **pages)
{
	long got = tn_grab(uaddr, n, pages);

	if (got == n)
		return 0;
	while (got-- > 0)
		put_page(pages[got]);
	return -EFAULT;
}

int tn_all(unsigned long uaddr, int total, struct page **pages)
{
	int i, err = 0;

	for (i = 0; i < total && !err; i += 16)
		err = tn_chunk(uaddr + i * PAGE_SIZE, min(16, total - i), pages + i); /* expect-none */
	return err;
}
` },
    {
      // The caller drops the lock before it calls the helper that takes it.
      name: 'a helper that takes the lock, called after the caller released it', code: `
static long dh_grab(struct mm_struct *mm, unsigned long uaddr, struct page **page)
{
	long ret;

	mmap_read_lock(mm);
	ret = get_user_pages_remote(mm, uaddr, 1, FOLL_WRITE, page, NULL);
	mmap_read_unlock(mm);
	return ret;
}

long dh_use(struct mm_struct *mm, unsigned long addr, struct page **page)
{
	bool ok;

	mmap_read_lock(mm);
	ok = vma_lookup(mm, addr) != NULL;
	mmap_read_unlock(mm);
	if (!ok)
		return -EFAULT;
	return dh_grab(mm, addr, page); /* expect-none */
}
` },
    {
      // The conjunction continued over a backslash line is the same two atoms.
      name: 'a conjunction #if continued over a backslash line, its atoms tested again in another order', code: `
long cc_pin(struct mm_struct *mm, unsigned long uaddr, unsigned long nr, struct page **pages)
{
	long n;

#if defined(CC_A) && \\
    defined(CC_B)
	mmap_read_lock(mm); /* expect-none */
	n = pin_user_pages_remote(mm, uaddr, nr, FOLL_WRITE, pages, NULL);
#else
	n = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages);
#endif
#if defined(CC_B) && defined(CC_A)
	mmap_read_unlock(mm); /* expect-none */
#endif
	return n;
}
` },
    {
      // K&R style, the function's brace on its header line: an early return ends its path.
      name: 'brace on the header line: the error branch unlocks and returns', code: `
static long kr_grab(unsigned long uaddr, struct page **pv, int count) {
	long got;

	mmap_read_lock(current->mm);
	got = get_user_pages(uaddr, count, FOLL_WRITE, pv);
	if (got < 0) {
		mmap_read_unlock(current->mm); /* expect-none */
		return got;
	}
	mmap_read_unlock(current->mm); /* expect-none */
	return got;
}

long kr_goto(struct mm_struct *mm, unsigned long uaddr, struct page **pv)
{
	long got;

	mmap_read_lock(mm);
	got = get_user_pages_remote(mm, uaddr, 1, FOLL_WRITE, pv, NULL);
	if (got != 1)
		goto fail;
	mmap_read_unlock(mm); /* expect-none */
	return 0;
fail:
	mmap_read_unlock(mm); /* expect-none */
	return -EFAULT;
}
` },
    {
      // The lock taken under a flag test and released under the same test (negated, with
      // an early return): every path that took it releases it.
      name: 'lock and unlock under the same flag test (correlated conditions)', code: `
long ub_policy(int *out, unsigned long addr, unsigned long flags)
{
	long err = 0;

	if (flags & UB_F_ADDR) {
		mmap_read_lock(current->mm);
		if (!ub_find(addr)) {
			mmap_read_unlock(current->mm);
			return -EFAULT;
		}
	}
	if (flags & UB_F_NODE)
		*out = ub_node(addr);
	if (!(flags & UB_F_ADDR))
		return err;
	mmap_read_unlock(current->mm); /* expect-none */
	return err;
}
` },
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
    {
      // Compat code with one statement header per arm of an undecided #ifdef, the brace
      // opened in each: a build takes one arm, and so does the tool (the one naming the
      // newer API); read with both, the lock would be taken twice and the braces unbalanced.
      name: 'an if header with its brace split over the arms of an undecided #ifdef', code: `
long um_split(struct mm_struct *mm, unsigned long addr, unsigned long nr, struct page **pages)
{
	long n;

#ifdef HAVE_MMAP_LOCK_KILLABLE
	if (mmap_read_lock_killable(mm)) { /* expect-none */
#else
	if (down_read_killable(&mm->mmap_lock)) { /* expect-none */
#endif
		return -EINTR;
	}
	if (!vma_lookup(mm, addr)) {
		mmap_read_unlock(mm); /* expect-none */
		return -EFAULT;
	}
	n = pin_user_pages_remote(mm, addr, nr, FOLL_WRITE, pages, NULL); /* expect-none */
	mmap_read_unlock(mm); /* expect-none */
	return n;
}
` },
    {
      // The lock and the unlock under two #ifdef groups with the same condition: one
      // decision of the build, both or neither (src/analysis/lockstate.ts, CfgNode.pp).
      name: 'lock and unlock under two #ifdefs of the same undecided switch', code: `
long um_cfg(struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	long n;

#ifdef CONFIG_UM_LOCKED_PIN
	mmap_read_lock(mm); /* expect-none */
#endif
	n = get_user_pages_remote(mm, addr, 1, FOLL_WRITE, pages, NULL);
#ifdef CONFIG_UM_LOCKED_PIN
	mmap_read_unlock(mm); /* expect-none */
#endif
	return n;
}
` },
    {
      // A disjunction is one decision whatever the order of its operands.
      name: 'lock and unlock under the same || condition written in two orders', code: `
long um_disj(struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	long n;

#if defined(UM_A) || defined(UM_B)
	mmap_read_lock(mm); /* expect-none */
#endif
	n = get_user_pages_remote(mm, addr, 1, FOLL_WRITE, pages, NULL);
#if defined(UM_B) || defined(UM_A)
	mmap_read_unlock(mm); /* expect-none */
#endif
	return n;
}
` },
    {
      // A conjunction is its atoms: the lock under X && Y, the unlock under the same two
      // tests written apart (nested, \`defined X\` spelling); and its false arm (!X, or X and
      // !Y) never takes the lock the later \`#if\` of the same two releases.
      name: 'lock under #if defined(X) && defined(Y), unlock under nested #ifdef X / #if defined Y', code: `
long um_conj(struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	long n;

#if defined(CONFIG_UM_X) && defined(CONFIG_UM_Y)
	mmap_read_lock(mm); /* expect-none */
	n = get_user_pages_remote(mm, addr, 1, FOLL_WRITE, pages, NULL);
#else
	n = get_user_pages_fast(addr, 1, FOLL_WRITE, pages);
#endif
#ifdef CONFIG_UM_X
#if defined CONFIG_UM_Y
	mmap_read_unlock(mm); /* expect-none */
#endif
#endif
	return n;
}

long um_conj_not(struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	long n;

#if !defined(CONFIG_UM_FAST) && (defined(CONFIG_UM_X))
	mmap_read_lock(mm); /* expect-none */
#endif
	n = get_user_pages_remote(mm, addr, 1, FOLL_WRITE, pages, NULL);
#ifndef CONFIG_UM_FAST
#ifdef CONFIG_UM_X
	mmap_read_unlock(mm); /* expect-none */
#endif
#endif
	return n;
}
` },
    {
      // #ifndef of the same switch is its other arm.
      name: 'lock under #ifdef X, unlock under #ifndef X ... #else', code: `
long um_cfg2(struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	long n;

#ifdef CONFIG_UM_LOCKED_PIN
	mmap_read_lock(mm); /* expect-none */
#endif
	n = get_user_pages_remote(mm, addr, 1, FOLL_WRITE, pages, NULL);
#ifndef CONFIG_UM_LOCKED_PIN
	n = n < 0 ? n : 0;
#else
	mmap_read_unlock(mm); /* expect-none */
#endif
	return n;
}
` },
    {
      // Read or write lock by the arm of one switch, the matching unlock by the same
      // switch's arm later: never the write lock with the read unlock.
      name: 'write lock in one arm, read lock in the other, each released by its own arm later', code: `
int um_acct(unsigned long start, unsigned long n, struct page **p)
{
	long got;

#ifndef HAVE_UM_ATOMIC_ACCT
	down_write(&current->mm->mmap_lock); /* expect-none */
#else
	mmap_read_lock(current->mm); /* expect-none */
#endif
	got = get_user_pages(start, n, FOLL_WRITE, p);
#ifndef HAVE_UM_ATOMIC_ACCT
	current->mm->pinned_vm += n;
	up_write(&current->mm->mmap_lock); /* expect-none */
#else
	atomic64_add(n, &current->mm->pinned_vm);
	mmap_read_unlock(current->mm); /* expect-none */
#endif
	return got;
}
` },
    {
      // Seven such switches one after another: a decision is forgotten after its last test,
      // so the paths merge again instead of doubling per switch (and widening).
      name: 'seven switches, each around its own lock and unlock', code: `
long um_seven(struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	long n = 0;

#ifdef CONFIG_UM_G0
	mmap_read_lock(mm); /* expect-none */
#endif
	n += get_user_pages_remote(mm, addr + 0 * PAGE_SIZE, 1, FOLL_WRITE, &pages[0], NULL);
#ifdef CONFIG_UM_G0
	mmap_read_unlock(mm); /* expect-none */
#endif
#ifdef CONFIG_UM_G1
	mmap_read_lock(mm); /* expect-none */
#endif
	n += get_user_pages_remote(mm, addr + 1 * PAGE_SIZE, 1, FOLL_WRITE, &pages[1], NULL);
#ifdef CONFIG_UM_G1
	mmap_read_unlock(mm); /* expect-none */
#endif
#ifdef CONFIG_UM_G2
	mmap_read_lock(mm); /* expect-none */
#endif
	n += get_user_pages_remote(mm, addr + 2 * PAGE_SIZE, 1, FOLL_WRITE, &pages[2], NULL);
#ifdef CONFIG_UM_G2
	mmap_read_unlock(mm); /* expect-none */
#endif
#ifdef CONFIG_UM_G3
	mmap_read_lock(mm); /* expect-none */
#endif
	n += get_user_pages_remote(mm, addr + 3 * PAGE_SIZE, 1, FOLL_WRITE, &pages[3], NULL);
#ifdef CONFIG_UM_G3
	mmap_read_unlock(mm); /* expect-none */
#endif
#ifdef CONFIG_UM_G4
	mmap_read_lock(mm); /* expect-none */
#endif
	n += get_user_pages_remote(mm, addr + 4 * PAGE_SIZE, 1, FOLL_WRITE, &pages[4], NULL);
#ifdef CONFIG_UM_G4
	mmap_read_unlock(mm); /* expect-none */
#endif
#ifdef CONFIG_UM_G5
	mmap_read_lock(mm); /* expect-none */
#endif
	n += get_user_pages_remote(mm, addr + 5 * PAGE_SIZE, 1, FOLL_WRITE, &pages[5], NULL);
#ifdef CONFIG_UM_G5
	mmap_read_unlock(mm); /* expect-none */
#endif
#ifdef CONFIG_UM_G6
	mmap_read_lock(mm); /* expect-none */
#endif
	n += get_user_pages_remote(mm, addr + 6 * PAGE_SIZE, 1, FOLL_WRITE, &pages[6], NULL);
#ifdef CONFIG_UM_G6
	mmap_read_unlock(mm); /* expect-none */
#endif
	return n;
}
` },
    {
      // A lock-held flag of a project's own boolean type (`IMG_BOOL` with IMG_TRUE and
      // IMG_FALSE): followed like a bool, so the guarded unlock is the only one.
      name: 'an unlock guarded by a flag set from project boolean constants', code: `
typedef enum { UB_FALSE = 0, UB_TRUE = 1 } UB_BOOL;

int ub_flag_ok(unsigned long start, long nr, struct page **pages)
{
	UB_BOOL held = UB_FALSE;
	long got;
	int err = -EFAULT;

	if (!pages)
		goto out;
	mmap_read_lock(current->mm);
	held = UB_TRUE;
	got = get_user_pages(start, nr, FOLL_WRITE, pages);
	if (got != nr)
		goto out;
	mmap_read_unlock(current->mm); /* expect-none */
	held = UB_FALSE;
	err = 0;
out:
	if (held)
		mmap_read_unlock(current->mm); /* expect-none */
	return err;
}
` },
  ],
  invalid: [
    {
      // The same, the member set to false while the caller holds the lock.
      name: 'a caller holding the lock sets the request member to false, the helper locks again', era: '6.12', code: `
struct fr_req { struct mm_struct *mm; bool locked; };

static int fr_get(struct fr_req *r, unsigned long va, struct page **pg)
{
	long n;

	if (!r->locked)
		mmap_read_lock(r->mm);
	n = get_user_pages_remote(r->mm, va, 1, FOLL_WRITE, pg, NULL);
	if (!r->locked)
		mmap_read_unlock(r->mm);
	return n == 1 ? 0 : -EFAULT;
}

int fr_walk(struct fr_req *r, unsigned long va, struct page **pg)
{
	int ret;

	mmap_read_lock(r->mm);
	r->locked = false;
	ret = fr_get(r, va, pg); /* expect: unbalanced-mmap-lock:error */
	r->locked = false;
	mmap_read_unlock(r->mm);
	return ret;
}
`, messages: [/^fr_get\(\) takes the mmap lock of r->mm \(mmap_read_lock\(\) at line 9\), but fr_walk\(\) already holds it here/] },
    {
      // The same helper, but the holder passes false: the helper takes the lock again.
      name: 'a caller that holds the lock passes false to a helper that then locks', era: '6.12', code: `
static long hl_get(struct mm_struct *mm, unsigned long va, struct page **pg, bool have_lock)
{
	long n;

	if (!have_lock)
		mmap_read_lock(mm);
	n = get_user_pages_remote(mm, va, 1, 0, pg, NULL);
	if (!have_lock)
		mmap_read_unlock(mm);
	return n;
}

long hl_walk(struct mm_struct *mm, unsigned long va, struct page **pg)
{
	long n;

	mmap_read_lock(mm);
	n = hl_get(mm, va, pg, false); /* expect: unbalanced-mmap-lock:error */
	mmap_read_unlock(mm);
	return n;
}
`, messages: [/^hl_get\(\) takes the mmap lock of mm \(mmap_read_lock\(\) at line 7\), but hl_walk\(\) already holds it here \(taken at line 18\)/] },

    {
      // The holder two calls up: the function between passes the lock on as its caller
      // left it, and the helper takes it again.
      name: 'a helper takes the lock its caller\'s caller holds', code: `
static long tl_grab(unsigned long uaddr, int n, struct page **pages)
{
	long got;

	mmap_read_lock(current->mm);
	got = get_user_pages(uaddr, n, FOLL_WRITE, pages);
	mmap_read_unlock(current->mm);
	return got;
}

static int tl_chunk(unsigned long uaddr, int n, struct page **pages)
{
	long got = tl_grab(uaddr, n, pages);

	if (got == n)
		return 0;
	while (got-- > 0)
		put_page(pages[got]);
	return -EFAULT;
}

int tl_all(unsigned long uaddr, int total, struct page **pages)
{
	int i, err = 0;

	mmap_read_lock(current->mm);
	for (i = 0; i < total && !err; i += 16)
		err = tl_chunk(uaddr + i * PAGE_SIZE, min(16, total - i), pages + i); /* expect: unbalanced-mmap-lock:error */
	mmap_read_unlock(current->mm);
	return err;
}
`, messages: [/^tl_grab\(\) takes the mmap lock of current->mm \(mmap_read_lock\(\) at line 6\) and is reached from here through tl_chunk\(\), but tl_all\(\) already holds it here \(taken at line 27\): self-deadlock/] },
    {
      // The caller holds the lock and calls a helper that takes it again.
      name: 'a helper with a GUP call takes the lock its caller holds', code: `
static long dt_grab(struct mm_struct *mm, unsigned long uaddr, struct page **page)
{
	long ret;

	mmap_read_lock(mm);
	ret = get_user_pages_remote(mm, uaddr, 1, FOLL_WRITE, page, NULL);
	mmap_read_unlock(mm);
	return ret;
}

long dt_use(struct mm_struct *mm, unsigned long addr, struct page **page)
{
	long ret = -EFAULT;

	mmap_read_lock(mm);
	if (vma_lookup(mm, addr))
		ret = dt_grab(mm, addr, page); /* expect: unbalanced-mmap-lock:error */
	mmap_read_unlock(mm);
	return ret;
}
`, messages: [/^dt_grab\(\) takes the mmap lock of mm \(mmap_read_lock\(\) at line 6\), but dt_use\(\) already holds it here \(taken at line 16\): self-deadlock/] },
    {
      // Two different switches are two decisions: the lock may be taken and not released.
      name: 'lock and unlock under #ifdefs of two different switches',
      messages: [/still held when um_cfg3\(\) returns on some path/], code: `
long um_cfg3(struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	long n;

#ifdef CONFIG_UM_LOCKED_PIN
	mmap_read_lock(mm); /* expect: unbalanced-mmap-lock:error */
#endif
	n = get_user_pages_remote(mm, addr, 1, FOLL_WRITE, pages, NULL);
#ifdef CONFIG_UM_OTHER
	mmap_read_unlock(mm); /* expect: unbalanced-mmap-lock:error */
#endif
	return n;
}
` },
    {
      // The lock under X && Y, the unlock under X alone: with X and not Y the unlock
      // releases what was never taken; with both it is balanced (no leak is reported).
      name: 'lock under #if defined(X) && defined(Y), unlock under #ifdef X only',
      messages: [/mmap_read_unlock\(\) releases the mmap lock of mm on a path where um_conj_bad\(\) has not taken it yet/], code: `
long um_conj_bad(struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	long n;

#if defined(CONFIG_UM_X) && defined(CONFIG_UM_Y)
	mmap_read_lock(mm); /* expect-none */
	n = get_user_pages_remote(mm, addr, 1, FOLL_WRITE, pages, NULL);
#else
	n = get_user_pages_fast(addr, 1, FOLL_WRITE, pages);
#endif
#ifdef CONFIG_UM_X
	mmap_read_unlock(mm); /* expect: unbalanced-mmap-lock:error */
#endif
	return n;
}
` },
    {
      name: 'the same split header, a return that keeps the lock: the kept arm is analysed',
      messages: [/still held when um_split_leak\(\) returns on some path .*\[only if defined\(HAVE_MMAP_LOCK_KILLABLE\)/], code: `
long um_split_leak(struct mm_struct *mm, unsigned long addr, unsigned long nr, struct page **pages)
{
	long n;

#ifdef HAVE_MMAP_LOCK_KILLABLE
	if (mmap_read_lock_killable(mm)) { /* expect: unbalanced-mmap-lock:error */
#else
	if (down_read_killable(&mm->mmap_lock)) {
#endif
		return -EINTR;
	}
	if (!vma_lookup(mm, addr))
		return -EFAULT;
	n = pin_user_pages_remote(mm, addr, nr, FOLL_WRITE, pages, NULL);
	mmap_read_unlock(mm);
	return n;
}
` },
    {
      name: 'the leaking return is under an #ifdef the tool cannot decide: the message says so',
      messages: [/still held when um_dbg\(\) returns on some path .*\[only if defined\(CONFIG_DRV_DEBUG\): a condition the tool cannot decide\]/], code: `
long um_dbg(unsigned long addr, struct page **pages)
{
	struct vm_area_struct *vma;
	long n;

	mmap_read_lock(current->mm); /* expect: unbalanced-mmap-lock:error */
	vma = find_vma(current->mm, addr);
#ifdef CONFIG_DRV_DEBUG
	if (!vma)
		return -EFAULT;
#endif
	n = get_user_pages(addr, 1, FOLL_WRITE, pages);
	mmap_read_unlock(current->mm);
	return n;
}
` },
    {
      // The helper that releases the lock lives in another directory's file, which has no
      // GUP call and no mmap_lock token (6.x wrappers only): its definition is searched for
      // because it is called with the lock held.
      name: 'helper in another file (no GUP, no mmap_lock token) releases the lock',
      messages: [/already released by uc_finish\(\) at line 8/], files: {
        '/drivers/uc_lib/finish.c': `
void uc_finish(struct mm_struct *mm)
{
	uc_count++;
	mmap_read_unlock(mm);
}
`,
        '/drivers/uc_drv/pin.c': `
long uc_pin(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
{
	long n;

	mmap_read_lock(mm);
	n = get_user_pages_remote(mm, uaddr, 1, 0, pages, NULL);
	uc_finish(mm);
	mmap_read_unlock(mm); /* expect: unbalanced-mmap-lock:error */
	return n;
}
` } },
    {
      // A helper whose every exit releases the caller's lock: the caller's own release
      // after it is a second release, and the message names the helper.
      // (A static one-line wrapper of the primitive is read as the primitive itself, as a
      // static inline one is: the release is at the wrapper's call, line 13.)
      name: 'released by a helper, then again by the caller', code: `
static void ub_finish(struct mm_struct *mm)
{
	mmap_read_unlock(mm);
}

long ub_helper_twice(struct mm_struct *mm, unsigned long a, struct page **p)
{
	long n;

	mmap_read_lock(mm);
	n = get_user_pages_remote(mm, a, 1, 0, p, NULL);
	ub_finish(mm);
	mmap_read_unlock(mm); /* expect: unbalanced-mmap-lock:error */
	return n;
}
`, messages: [/already released at line 13/] },
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
    {
      name: 'taken twice', code: `
long ub_twice(unsigned long uaddr, struct page **pages)
{
	long n;

	mmap_read_lock(current->mm);
	mmap_read_lock(current->mm); /* expect: unbalanced-mmap-lock:error */
	n = get_user_pages(uaddr, 1, 0, pages);
	mmap_read_unlock(current->mm);
	return n;
}
`,
      messages: [/while it is already held \(taken at line 6\): self-deadlock/],
    },
    {
      name: 'read lock released as the write side', code: `
long ub_mode(unsigned long uaddr, struct page **pages)
{
	long n;

	mmap_read_lock(current->mm);
	n = get_user_pages(uaddr, 1, 0, pages);
	mmap_write_unlock(current->mm); /* expect: unbalanced-mmap-lock:error */
	return n;
}
`,
      messages: [/^mmap_write_unlock\(\) releases the write side, but the lock was taken for read at line 6$/],
    },
    {
      name: 'killable acquire not tested', code: `
long ub_killable(unsigned long uaddr, struct page **pages)
{
	long n;

	mmap_read_lock_killable(current->mm);
	n = get_user_pages(uaddr, 1, 0, pages);
	mmap_read_unlock(current->mm); /* expect: unbalanced-mmap-lock:error */
	return n;
}
`,
      messages: [/when it is not held on a path \(the acquire at line 6 can fail\)$/],
    },
  ],
};
