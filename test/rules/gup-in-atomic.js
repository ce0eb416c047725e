'use strict';
// gup-in-atomic: a sleeping GUP function called with a spinlock held, under rcu_read_lock(),
// or with preemption/pagefaults disabled.
module.exports = {
  valid: [
    {
      // scoped_guard(spinlock) ends with its block: the call after it is outside.
      name: 'scoped_guard(spinlock) block, the GUP call after it', code: `
struct sgd { spinlock_t lock; int busy; };

int sgd_pin(struct sgd *d, unsigned long uaddr, struct page **pages, int nr)
{
	scoped_guard(spinlock, &d->lock) {
		if (d->busy)
			return -EBUSY;
		d->busy = 1;
	}
	return pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect-none */
}
` },
    {
      // guard() of an inner block: the spinlock is released at the block's end.
      name: 'guard(spinlock) in an inner block, the GUP call after the block', code: `
int gb_after(struct gb_dev *d, struct page **pages)
{
	unsigned long uaddr;
	int nr, n;

	{
		guard(spinlock)(&d->lock);
		uaddr = d->uaddr;
		nr = d->nr;
	}
	n = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect-none */
	if (n > 0)
		unpin_user_pages(pages, n);
	return n;
}
` },
    {
      // Two modules, each with its own non-static helper of one name: the spinlocked caller
      // of module b reaches module b's helper, which never sleeps.
      name: 'same-named helpers in two modules: the caller reaches its own module\'s', files: {
        'moda/compat.c': `
long tm_compat_gup(unsigned long uaddr, int nr, struct page **pages)
{
	return pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect-none */
}
`,
        'moda/main.c': `
int tm_a_fill(unsigned long uaddr, struct page **pages)
{
	return tm_compat_gup(uaddr, 4, pages);
}
`,
        'modb/compat.c': `
long tm_compat_gup(unsigned long uaddr, int nr, struct page **pages)
{
	return get_user_pages_fast_only(uaddr, nr, 0, pages);
}
`,
        'modb/main.c': `
struct tm_q { spinlock_t lock; unsigned long uaddr; struct page *page; };

int tm_q_peek(struct tm_q *q)
{
	int n;

	spin_lock(&q->lock);
	n = tm_compat_gup(q->uaddr, 1, &q->page);
	spin_unlock(&q->lock);
	return n;
}
` } },
    {
      // A threaded IRQ's thread function runs in a kernel thread: it may sleep.
      name: 'pinning from the thread function of a threaded interrupt', code: `
struct ti_dev { struct page *pages[4]; unsigned long uaddr; };

static irqreturn_t ti_thread(int irq, void *data)
{
	struct ti_dev *d = data;

	pin_user_pages_fast(d->uaddr, 1, FOLL_WRITE, d->pages); /* expect-none */
	return IRQ_HANDLED;
}

int ti_probe(struct ti_dev *d, int irq)
{
	return request_threaded_irq(irq, NULL, ti_thread, IRQF_ONESHOT, "ti", d);
}
` },
    {
      // The caller holds the spinlock; the function two calls down drops it around the pin
      // and takes it again (kvm's vpa update shape): no GUP call runs under it.
      name: 'a callee drops the caller spinlock around the pinning call, two levels down', code: `
struct gd_v { spinlock_t lock; unsigned long gpa; void *va; };

static void *gd_pin(unsigned long gpa)
{
	struct page *page;

	if (get_user_pages_fast(gpa, 1, FOLL_WRITE, &page) != 1) /* expect-none */
		return NULL;
	return page_address(page);
}

static void gd_update(struct gd_v *v)
{
	void *va;

	spin_unlock(&v->lock);
	va = gd_pin(v->gpa);
	spin_lock(&v->lock);
	v->va = va;
}

static void gd_update_all(struct gd_v *v)
{
	gd_update(v);
}

void gd_run(struct gd_v *v)
{
	spin_lock(&v->lock);
	gd_update_all(v);
	spin_unlock(&v->lock);
}
` },
    {
      // The section opens under X && Y; the call is under !X: no build has both.
      name: 'spin lock under #if defined(X) && defined(Y), the call under #ifndef X', code: `
struct ga_pp { spinlock_t lock; struct page *pages[4]; };
int ga_pp_off(struct ga_pp *d, unsigned long a)
{
	int n;
#if defined(CONFIG_GA_A) && defined(CONFIG_GA_B)
	spin_lock(&d->lock);
#endif
#ifndef CONFIG_GA_A
	n = pin_user_pages_fast(a, 1, FOLL_WRITE, d->pages); /* expect-none */
#else
	n = 0;
#endif
#if defined(CONFIG_GA_A) && defined(CONFIG_GA_B)
	spin_unlock(&d->lock);
#endif
	return n;
}
` },
    {
      name: 'fast_only under a spinlock', code: `
int ga_ok(spinlock_t *lock, unsigned long uaddr, struct page **page)
{
	bool ok;

	spin_lock(lock);
	ok = get_user_page_fast_only(uaddr, FOLL_WRITE, page); /* expect-none */
	spin_unlock(lock);
	return ok ? 0 : -EFAULT;
}
` },
    {
      name: 'mutex is a sleeping lock', code: `
int ga_mutex(struct mutex *m, unsigned long uaddr, struct page **pages)
{
	int n;

	mutex_lock(m);
	n = pin_user_pages_fast(uaddr, 1, FOLL_WRITE, pages); /* expect-none */
	mutex_unlock(m);
	return n;
}
` },
    {
      name: 'spinlock released before the call', code: `
int ga_after(spinlock_t *lock, unsigned long uaddr, struct page **pages)
{
	spin_lock(lock);
	spin_unlock(lock);
	return pin_user_pages_fast(uaddr, 1, FOLL_WRITE, pages); /* expect-none */
}
` },
    {
      // One-call static wrappers are read as the primitive they call (src/preprocess/scope.ts):
      // the unlock wrapper closes the section the lock wrapper opened.
      name: 'a lock wrapper and an unlock wrapper, the call after both', code: `
struct ga_dev { spinlock_t lock; struct page **pages; };

static inline void ga_dev_lock(struct ga_dev *d)
{
	spin_lock(&d->lock);
}

static inline void ga_dev_unlock(struct ga_dev *d)
{
	spin_unlock(&d->lock);
}

int ga_wrapped_after(struct ga_dev *d, unsigned long uaddr)
{
	ga_dev_lock(d);
	ga_dev_unlock(d);
	return pin_user_pages_fast(uaddr, 1, FOLL_WRITE, d->pages); /* expect-none */
}
` },
    {
      // v4.9 paging_tmpl.h's shape: every function is named through FNAME(); the one that
      // pins is never called with the spinlock that another FNAME() function takes.
      name: 'functions named by a pasting macro are distinct', code: `
#define FNAME(name) ga_paging_##name

static int FNAME(update_bits)(unsigned long uaddr, struct page **page)
{
	return get_user_pages_fast(uaddr, 1, 1, page); /* expect-none */
}

static int FNAME(walk)(unsigned long uaddr, struct page **page)
{
	return FNAME(update_bits)(uaddr, page);
}

static int FNAME(fetch)(spinlock_t *lock)
{
	spin_lock(lock);
	spin_unlock(lock);
	return 0;
}

int FNAME(page_fault)(spinlock_t *lock, unsigned long uaddr, struct page **page)
{
	int r = FNAME(walk)(uaddr, page);

	spin_lock(lock);
	r |= FNAME(fetch)(lock);
	spin_unlock(lock);
	return r;
}
` },
    {
      // Two calls (a lock and its unlock around a store) make no section wrapper: the
      // section is closed when the helper returns.
      name: 'a helper that locks, stores and unlocks is not a section wrapper', era: '6.1', files: {
        'ow_q.h': `
struct ow_q { spinlock_t lock; unsigned long uaddr; struct page *page; long n; };

static inline void ow_q_count(struct ow_q *q)
{
	spin_lock(&q->lock);
	q->n++;
	spin_unlock(&q->lock);
}
`,
        'ow_q.c': `
#include "ow_q.h"

int ow_q_fill(struct ow_q *q)
{
	int n;

	ow_q_count(q);
	n = get_user_pages_fast(q->uaddr, 1, FOLL_WRITE, &q->page); /* expect-none */
	return n == 1 ? 0 : -EFAULT;
}
`,
      } },
  ],
  invalid: [
    {
      // A global helper that takes the mmap lock itself (its callers are not needed for
      // the lock) is called under a spinlock from another file.
      name: 'a global self-locking helper called under a spinlock from another file',
      messages: [/runs with a spinlock held: spin_lock_irqsave\(\) at .*xa_irq\.c:11 \(xa_fault_in\(\) is called from xa_isr\(\)\)/], files: {
        'xa_pin.c': `
int xa_fault_in(struct mm_struct *mm, unsigned long addr)
{
	struct page *page;
	long got;

	mmap_read_lock(mm);
	got = get_user_pages_remote(mm, addr, 1, FOLL_WRITE, &page, NULL); /* expect: gup-in-atomic:error */
	mmap_read_unlock(mm);
	if (got != 1)
		return -EFAULT;
	put_page(page);
	return 0;
}
`,
        'xa_irq.c': `
struct xa_dev { spinlock_t lock; struct mm_struct *mm; unsigned long addr; };
int xa_fault_in(struct mm_struct *mm, unsigned long addr);

static irqreturn_t xa_isr(int irq, void *arg)
{
	struct xa_dev *d = arg;
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&d->lock, flags);
	ret = xa_fault_in(d->mm, d->addr);
	spin_unlock_irqrestore(&d->lock, flags);
	return ret ? IRQ_NONE : IRQ_HANDLED;
}
` } },
    {
      name: 'scoped_guard(spinlock) block around the GUP call', code: `
struct sgi { spinlock_t lock; struct page *pages[8]; };

int sgi_pin(struct sgi *d, unsigned long uaddr, int nr)
{
	int n = 0;

	scoped_guard(spinlock, &d->lock) {
		n = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, d->pages); /* expect: gup-in-atomic:error */
	}
	return n;
}
`, messages: [/called with a spinlock held \(scoped_guard\(\) at line 8\)/] },
    {
      name: 'guard(spinlock) in an inner block, the GUP call inside it', code: `
int gb_inside(struct gb_dev *d, struct page **pages)
{
	int n = 0;

	if (d->nr) {
		guard(spinlock)(&d->lock);
		n = pin_user_pages_fast(d->uaddr, d->nr, FOLL_WRITE, pages); /* expect: gup-in-atomic:error */
	}
	if (n > 0)
		unpin_user_pages(pages, n);
	return n;
}

int gb_body(struct gb_dev *d, struct page **pages)
{
	int n;

	guard(spinlock)(&d->lock);
	n = pin_user_pages_fast(d->uaddr, d->nr, FOLL_WRITE, pages); /* expect: gup-in-atomic:error */
	if (n > 0)
		unpin_user_pages(pages, n);
	return n;
}
` },
    {
      // The callee drops one of the caller's two spinlocks (the queue's) around the pin:
      // the device lock is still held; the message names it.
      name: 'a callee drops one of two caller spinlocks around the pin: the other is still held',
      messages: [/runs with a spinlock held: spin_lock\(\) at .*case\.c:24 \(do_pin\(\) is called from do_prep\(\) <- do_submit\(\)\)/], code: `
struct do_q { spinlock_t lock; unsigned long uaddr; struct page *page; };
struct do_dev { spinlock_t lock; struct do_q q; };

static int do_pin(struct do_q *q)
{
	return pin_user_pages_fast(q->uaddr, 1, FOLL_WRITE, &q->page); /* expect: gup-in-atomic:error */
}

static int do_prep(struct do_q *q)
{
	int ret;

	spin_unlock(&q->lock);
	ret = do_pin(q);
	spin_lock(&q->lock);
	return ret;
}

int do_submit(struct do_dev *d)
{
	int ret;

	spin_lock(&d->lock);
	spin_lock(&d->q.lock);
	ret = do_prep(&d->q);
	spin_unlock(&d->q.lock);
	spin_unlock(&d->lock);
	return ret;
}
` },
    {
      // The callee calls the pin helper once before it drops the caller's lock.
      name: 'a callee calls the pin helper before it drops the caller spinlock',
      messages: [/runs with a spinlock held: spin_lock\(\) at .*case\.c:23 \(cb_pin\(\) is called from cb_prep\(\) <- cb_submit\(\)\)/], code: `
struct cb_r { spinlock_t lock; unsigned long uaddr; struct page *page; };

static int cb_pin(struct cb_r *r)
{
	return pin_user_pages_fast(r->uaddr, 1, FOLL_WRITE, &r->page); /* expect: gup-in-atomic:error */
}

static int cb_prep(struct cb_r *r)
{
	int ret = cb_pin(r);

	spin_unlock(&r->lock);
	ret = cb_pin(r);
	spin_lock(&r->lock);
	return ret;
}

int cb_submit(struct cb_r *r)
{
	int ret;

	spin_lock(&r->lock);
	ret = cb_prep(r);
	spin_unlock(&r->lock);
	return ret;
}
` },
    {
      // Callbacks the kernel runs in atomic context: an interrupt handler (through a
      // helper), a timer callback, a transmit handler.
      name: 'sleeping GUP in an interrupt handler, a timer callback and .ndo_start_xmit',
      messages: [/pin_user_pages_fast\(\) can sleep, but it runs in ai_irq\(\), an interrupt handler \(request_irq\(\)\) \(ai_pin\(\) is called from ai_irq\(\)\)/, /but ai_timer\(\) is a timer callback \(timer_setup\(\)\), run in softirq context/, /but ai_xmit\(\) is the \.ndo_start_xmit handler of a net_device_ops table/], code: `
struct ai_dev { struct page *pages[4]; unsigned long uaddr; struct timer_list t; };

static int ai_pin(struct ai_dev *d)
{
	return pin_user_pages_fast(d->uaddr, 1, FOLL_WRITE, d->pages); /* expect: gup-in-atomic:error */
}

static irqreturn_t ai_irq(int irq, void *data)
{
	ai_pin(data);
	return IRQ_HANDLED;
}

static void ai_timer(struct timer_list *t)
{
	struct ai_dev *d = from_timer(d, t, t);
	struct page *pg;

	if (get_user_pages_fast(d->uaddr, 1, FOLL_WRITE, &pg) == 1) /* expect: gup-in-atomic:error */
		put_page(pg);
}

static netdev_tx_t ai_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct page *pg;

	if (get_user_pages_fast((unsigned long)skb->data, 1, 0, &pg) == 1) /* expect: gup-in-atomic:error */
		put_page(pg);
	return NETDEV_TX_OK;
}

static const struct net_device_ops ai_ops = {
	.ndo_start_xmit = ai_xmit,
};

int ai_probe(struct ai_dev *d, int irq)
{
	timer_setup(&d->t, ai_timer, 0);
	return request_irq(irq, ai_irq, 0, "ai", d);
}
` },
    {
      // Callbacks of an hrtimer (stored into its .function), a perf overflow handler and an
      // alarm timer: interrupt or NMI context.
      name: 'sleeping GUP in an hrtimer callback, a perf overflow handler and an alarm callback',
      messages: [/but it runs in ht_fire\(\), the \.function callback of a timer, run in interrupt or softirq context \(ht_sample\(\) is called from ht_fire\(\)\)/, /but ht_ovf\(\) is a perf overflow handler \(perf_event_create_kernel_counter\(\)\), run in NMI or interrupt context/, /but ht_alarm\(\) is an alarm timer callback \(alarm_init\(\)\)/], code: `
struct ht_ctx { struct hrtimer tm; struct alarm al; struct task_struct *tsk; unsigned long va; };

static int ht_sample(struct ht_ctx *c)
{
	struct page *pg;
	int n = get_user_pages_remote(c->tsk->mm, c->va, 1, 0, &pg, NULL); /* expect: gup-in-atomic:error */

	if (n == 1)
		put_page(pg);
	return n;
}

static enum hrtimer_restart ht_fire(struct hrtimer *t)
{
	ht_sample(container_of(t, struct ht_ctx, tm));
	return HRTIMER_RESTART;
}

static void ht_ovf(struct perf_event *ev, struct perf_sample_data *d, struct pt_regs *regs)
{
	struct page *pg;

	if (get_user_pages_fast(instruction_pointer(regs), 1, 0, &pg) == 1) /* expect: gup-in-atomic:error */
		put_page(pg);
}

static enum alarmtimer_restart ht_alarm(struct alarm *a, ktime_t now)
{
	struct page *pg;

	if (pin_user_pages_fast(0x1000, 1, 0, &pg) == 1) /* expect: gup-in-atomic:error */
		unpin_user_page(pg);
	return ALARMTIMER_NORESTART;
}

int ht_start(struct ht_ctx *c, struct perf_event_attr *attr)
{
	hrtimer_init(&c->tm, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	c->tm.function = ht_fire;
	alarm_init(&c->al, ALARM_REALTIME, ht_alarm);
	return PTR_ERR_OR_ZERO(perf_event_create_kernel_counter(attr, -1, c->tsk, ht_ovf, NULL));
}
` },
    {
      // Interrupts off three calls up, through one-line functions of the same file.
      name: 'interrupts disabled three calls up the same file, through one-line pass-through functions',
      messages: [/runs with interrupts disabled: local_irq_save\(\) at .*case\.c:21 \(gt_helper\(\) is called from gt_l2\(\) <- gt_l1\(\) <- gt_run\(\)\)/], code: `
static int gt_helper(struct mm_struct *mm, unsigned long addr)
{
	struct page *page;
	int ret;

	mmap_read_lock(mm);
	ret = get_user_pages_remote(mm, addr, 1, FOLL_FORCE, &page, NULL); /* expect: gup-in-atomic:error */
	mmap_read_unlock(mm);
	if (ret == 1)
		put_page(page);
	return ret;
}
static void gt_l2(struct mm_struct *mm, unsigned long addr) { gt_helper(mm, addr); }
static void gt_l1(struct mm_struct *mm, unsigned long addr) { gt_l2(mm, addr); }

void gt_run(struct mm_struct *mm, unsigned long addr)
{
	unsigned long flags;

	local_irq_save(flags);
	gt_l1(mm, addr);
	local_irq_restore(flags);
}
` },
    {
      // The macro naming the module's helper is in the calling file, the helper in another.
      name: 'helper of another file called through a macro of the caller file, under a spinlock',
      messages: [/runs with a spinlock held: spin_lock\(\) at .*main\.c:11 \(gm_compat_gup\(\) is called from gm_submit\(\)\)/], files: {
        'compat.c': `
struct gm_dev { spinlock_t lock; struct mm_struct *mm; struct page *pages[16]; };

long gm_compat_gup(struct mm_struct *mm, unsigned long start, unsigned long nr,
		   unsigned int flags, struct page **pages)
{
	return pin_user_pages_remote(mm, start, nr, flags, pages, NULL); /* expect: gup-in-atomic:error */
}
`,
        'main.c': `
struct gm_dev { spinlock_t lock; struct mm_struct *mm; struct page *pages[16]; };
#define gm_gup(mm, start, nr, flags, pages) \\
	gm_compat_gup(mm, start, nr, flags, pages)

int gm_submit(struct gm_dev *d, unsigned long uaddr, int nr)
{
	long n;

	mmap_read_lock(d->mm);
	spin_lock(&d->lock);
	n = gm_gup(d->mm, uaddr, nr, FOLL_WRITE, d->pages);
	spin_unlock(&d->lock);
	mmap_read_unlock(d->mm);
	return n;
}
` } },
    {
      // The section opens under X && Y; the call is under Y: a build with both has it.
      name: 'spin lock under #if defined(X) && defined(Y), the call under #ifdef Y',
      messages: [/called with a spinlock held \(spin_lock\(\) at line 7\)/], code: `
struct ga_pp { spinlock_t lock; struct page *pages[4]; };
int ga_pp_on(struct ga_pp *d, unsigned long a)
{
	int n;
#if defined(CONFIG_GA_A) && defined(CONFIG_GA_B)
	spin_lock(&d->lock);
#endif
#ifdef CONFIG_GA_B
	n = pin_user_pages_fast(a, 1, FOLL_WRITE, d->pages); /* expect: gup-in-atomic:error */
#else
	n = 0;
#endif
#if defined(CONFIG_GA_A) && defined(CONFIG_GA_B)
	spin_unlock(&d->lock);
#endif
	return n;
}
` },
    {
      name: 'get_user_pages_fast under a spinlock (6.12): the era\'s non-sleeping variant is named', era: '6.12',
      messages: [/or use get_user_pages_fast_only\(\) there with a sleeping fallback outside/], code: `
int ga_fast_new(spinlock_t *l, unsigned long uaddr, struct page **pages)
{
	int n;

	spin_lock(l);
	n = get_user_pages_fast(uaddr, 1, FOLL_WRITE, pages); /* expect: gup-in-atomic:error */
	spin_unlock(l);
	return n;
}
` },
    {
      name: 'get_user_pages_fast under a spinlock (5.4): get_user_pages_fast_only() is not there yet', era: '5.4',
      messages: [/or use __get_user_pages_fast\(\) there \(it never sleeps\) with a sleeping fallback outside/], code: `
int ga_fast_old(spinlock_t *l, unsigned long uaddr, struct page **pages)
{
	int n;

	spin_lock(l);
	n = get_user_pages_fast(uaddr, 1, FOLL_WRITE, pages); /* expect: gup-in-atomic:error */
	spin_unlock(l);
	return n;
}
` },
    {
      name: 'spin_lock_irqsave around get_user_pages_fast', code: `
int ga_spin(spinlock_t *lock, unsigned long uaddr, struct page **pages)
{
	unsigned long flags;
	int n;

	spin_lock_irqsave(lock, flags);
	n = get_user_pages_fast(uaddr, 1, FOLL_WRITE, pages); /* expect: gup-in-atomic:error */
	spin_unlock_irqrestore(lock, flags);
	return n;
}
` },
    {
      name: 'rcu read side (4.9)', era: '4.9',
      messages: [/get_user_pages_unlocked\(\) can sleep \(it faults pages in and takes the mmap lock\), but it is called with the RCU read lock held \(an RCU read-side critical section\) \(rcu_read_lock\(\) at line \d+\)/], code: `
long ga_rcu(unsigned long uaddr, struct page **pages)
{
	long n;

	rcu_read_lock();
	n = get_user_pages_unlocked(uaddr, 1, pages, FOLL_WRITE); /* expect: gup-in-atomic:error */
	rcu_read_unlock();
	return n;
}
` },
    {
      // A static (not inline) wrapper of spin_lock_irqsave() in the same file: the section
      // it opens is the caller's; the message names the wrapper as written.
      name: 'a static wrapper of spin_lock_irqsave around the call', code: `
struct ga_q { spinlock_t lock; struct page **pages; };

static void ga_q_lock(struct ga_q *q, unsigned long *flags)
{
	spin_lock_irqsave(&q->lock, *flags);
}

static void ga_q_unlock(struct ga_q *q, unsigned long *flags)
{
	spin_unlock_irqrestore(&q->lock, *flags);
}

int ga_q_fill(struct ga_q *q, unsigned long uaddr)
{
	unsigned long flags;
	int n;

	ga_q_lock(q, &flags);
	n = pin_user_pages_fast(uaddr, 1, FOLL_WRITE, q->pages); /* expect: gup-in-atomic:error */
	ga_q_unlock(q, &flags);
	return n;
}
`, messages: [/called with a spinlock held \(ga_q_lock\(\) at line 19\)/] },
    {
      // Lock and unlock under two #ifdefs of one switch: with the switch on, the call is in
      // the section (it was dropped as a section left open at a return).
      name: 'spinlock under #ifdef CONFIG_X around the call, unlock under another #ifdef CONFIG_X',
      messages: [/\[only if defined\(CONFIG_GA_SERIAL\): a condition the tool cannot decide\]/], code: `
struct ga_cfg { spinlock_t lock; struct page *page; };

int ga_cfg_grab(struct ga_cfg *d, unsigned long uaddr)
{
	int n;

#ifdef CONFIG_GA_SERIAL
	spin_lock(&d->lock);
#endif
	n = get_user_pages_fast(uaddr, 1, FOLL_WRITE, &d->page); /* expect: gup-in-atomic:error */
#ifdef CONFIG_GA_SERIAL
	spin_unlock(&d->lock);
#endif
	return n;
}
` },
    {
      // A trylock wrapper written as a function (\`return spin_trylock(...)\`), read in the
      // caller's condition as the trylock it is.
      name: 'a static inline trylock wrapper in an if', code: `
struct ga_t { spinlock_t lock; struct page **pages; };

static inline int ga_trylock(struct ga_t *d) { return spin_trylock(&d->lock); }

int ga_try(struct ga_t *d, unsigned long uaddr)
{
	int n;

	if (!ga_trylock(d))
		return -EBUSY;
	n = pin_user_pages_fast(uaddr, 1, FOLL_WRITE, d->pages); /* expect: gup-in-atomic:error */
	spin_unlock(&d->lock);
	return n;
}
` },
    {
      name: 'preemption disabled', code: `
int ga_preempt(unsigned long uaddr, struct page **pages)
{
	int n;

	preempt_disable();
	n = pin_user_pages_fast(uaddr, 1, 0, pages); /* expect: gup-in-atomic:error */
	preempt_enable();
	return n;
}
` },
    {
      name: 'a function named by a pasting macro, called by that name under a spinlock', code: `
#define FNAME(name) ga_pasted_##name

static int FNAME(pin)(unsigned long uaddr, struct page **page)
{
	return get_user_pages_fast(uaddr, 1, 1, page); /* expect: gup-in-atomic:error */
}

int FNAME(locked)(spinlock_t *lock, unsigned long uaddr, struct page **page)
{
	int r;

	spin_lock(lock);
	r = FNAME(pin)(uaddr, page);
	spin_unlock(lock);
	return r;
}
`, messages: [/FNAME\(pin\)\(\) is called from FNAME\(locked\)\(\)/] },
    {
      // The chain is named innermost caller first, joined by ' <- ' (as missing-mmap-lock's
      // chains). The outer caller takes the mmap lock: callers are extracted when they
      // mention GUP or the mmap lock (docs/rules/gup-in-atomic.md).
      name: 'a chain of two callers, the spinlock in the outermost', code: `
static long ga_leaf(unsigned long uaddr, struct page **page)
{
	return get_user_pages(uaddr, 1, FOLL_WRITE, page); /* expect: gup-in-atomic:error */
}

static long ga_mid(unsigned long uaddr, struct page **page)
{
	return ga_leaf(uaddr, page);
}

long ga_top(spinlock_t *lock, unsigned long uaddr, struct page **page)
{
	long r;

	mmap_read_lock(current->mm);
	spin_lock(lock);
	r = ga_mid(uaddr, page);
	spin_unlock(lock);
	mmap_read_unlock(current->mm);
	return r;
}
`, messages: [/^get_user_pages\(\) can sleep, but it runs with a spinlock held: spin_lock\(\) at drivers\/c\d+_[a-z_]+\/case\.c:17 \(ga_leaf\(\) is called from ga_mid\(\) <- ga_top\(\)\)$/] },
    {
      // A header's inline lock wrapper that also records the owner (a store besides the
      // primitive): its caller's section is open at the GUP call.
      name: 'an inline lock wrapper with a store besides spin_lock() opens the section', era: '6.1',
      messages: [/called with a spinlock held \(ow_lock\(\) at line \d+\)/], files: {
        'ow.h': `
struct ow { spinlock_t lock; struct task_struct *owner; unsigned long uaddr; struct page *page; };

static inline void ow_lock(struct ow *o)
{
	spin_lock(&o->lock);
	o->owner = current;
}

static inline void ow_unlock(struct ow *o)
{
	o->owner = NULL;
	spin_unlock(&o->lock);
}
`,
        'ow.c': `
#include "ow.h"

int ow_refill(struct ow *o)
{
	int n = 1;

	ow_lock(o);
	if (!o->page)
		n = get_user_pages_fast(o->uaddr, 1, FOLL_WRITE, &o->page); /* expect: gup-in-atomic:error */
	ow_unlock(o);
	return n == 1 ? 0 : -EFAULT;
}
`,
      } },
  ],
};
