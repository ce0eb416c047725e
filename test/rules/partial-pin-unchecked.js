'use strict';
// partial-pin-unchecked: the result of a multi-page GUP call ignored or only tested for < 0
// before all nr_pages entries are used or released.
module.exports = {
  valid: [
    {
      // Pages pinned into file-scope storage live on there (released by another function),
      // as a struct's array does: a full pin kept is no leak.
      name: 'a full pin kept in a file-scope array and a file-scope page pointer', era: '6.12', code: `
#define GS_NR 8
static struct page *gs_pages[GS_NR];
static struct page *gs_one;

int gs_pin(unsigned long ua)
{
	long got = pin_user_pages_fast(ua, GS_NR, FOLL_WRITE, gs_pages); /* expect-none */

	if (got != GS_NR) {
		if (got > 0)
			unpin_user_pages(gs_pages, got);
		return -EFAULT;
	}
	return 0;
}

int gs_get_one(unsigned long ua)
{
	if (pin_user_pages_fast(ua, 1, FOLL_WRITE, &gs_one) != 1) /* expect-none */
		return -EFAULT;
	return 0;
}

void gs_release(void)
{
	unpin_user_pages(gs_pages, GS_NR);
	unpin_user_page(gs_one);
}
` },
    {
      // A comparison of the first page's frame kept in the struct: no page is kept there.
      name: 'a comparison of an entry stored in a struct, the table failure releases the pages', era: '6.12', code: `
struct cv_buf { struct sg_table sgt; struct page **pv; bool low; };

int cv_pin(struct cv_buf *b, unsigned long ua, int n, size_t len)
{
	struct page **pv = kcalloc(n, sizeof(*pv), GFP_KERNEL);
	int got, err;

	if (!pv)
		return -ENOMEM;
	got = pin_user_pages_fast(ua, n, FOLL_WRITE, pv); /* expect-none */
	if (got != n) {
		if (got > 0)
			unpin_user_pages(pv, got);
		kfree(pv);
		return -EFAULT;
	}
	b->low = page_to_pfn(pv[0]) < 0x100000UL;
	err = sg_alloc_table_from_pages(&b->sgt, pv, n, 0, len, GFP_KERNEL);
	if (err)
		goto fail;
	b->pv = pv;
	return 0;
fail:
	unpin_user_pages(pv, n);
	kfree(pv);
	return err;
}
` },
    {
      // The errno kept to return, then a jump past the release; a short count goes to the
      // release of what it got.
      name: 'the errno copied to the return value, then a jump to the cleanup without the release', era: '6.12', code: `
struct ec_map { unsigned long uaddr; long nr; struct page **pv; };

int ec_pin(struct ec_map *m)
{
	long got, err;

	m->pv = kvcalloc(m->nr, sizeof(*m->pv), GFP_KERNEL);
	if (!m->pv)
		return -ENOMEM;
	got = pin_user_pages_fast(m->uaddr, m->nr, FOLL_WRITE, m->pv); /* expect-none */
	if (got < 0) {
		err = got;
		goto out_free;
	} else if (got != m->nr) {
		err = -EFAULT;
		goto out_unpin;
	}
	return 0;
out_unpin:
	unpin_user_pages(m->pv, got);
out_free:
	kvfree(m->pv);
	m->pv = NULL;
	return err;
}
` },
    {
      // The same loop moving the start and the array by what the rounds got: each round
      // fills the entries after the last one.
      name: 'a loop sums the count and asks for the rest past it', code: `
struct rg_buf {
	unsigned long uaddr;
	unsigned long npages;
	unsigned long held;
	struct page **pages;
};

int rg_pin(struct rg_buf *b)
{
	long got;

	b->held = 0;
	while (b->held < b->npages) {
		got = pin_user_pages_fast(b->uaddr + b->held * PAGE_SIZE, b->npages - b->held, FOLL_WRITE, b->pages + b->held); /* expect-none */
		if (got <= 0)
			goto undo;
		b->held += got;
	}
	return 0;
undo:
	unpin_user_pages(b->pages, b->held);
	return -EFAULT;
}
` },
    {
      // A retry of the whole range that releases a short round first and keeps no sum.
      name: 'a retry loop releases a short round before asking again', code: `
int rr_pin(unsigned long uaddr, long n, struct page **pages)
{
	long got;
	int tries = 3;

	while (tries--) {
		got = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages); /* expect-none */
		if (got == n)
			return 0;
		if (got > 0)
			unpin_user_pages(pages, got);
	}
	return -EFAULT;
}
` },
    {
      // The full-count test and its jump written by a macro of the file (`do { if (!(c))
      // goto l; } while (0)`, its message made with #cond): the macro is expanded, so a
      // short pin goes to the label that unpins the count.
      name: 'a check-or-goto macro tests the full count; its label unpins the count', code: `
#define CHECK_OR_GOTO(cond, label) \\
	do { if (!(cond)) { pr_err("check failed: %s\\n", #cond); goto label; } } while (0)

long cg_map(unsigned long uaddr, unsigned long n, struct page **pages, void **va)
{
	u64 got;

	got = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages); /* expect-none */
	CHECK_OR_GOTO(got == n, release);
	*va = vmap(pages, n, VM_MAP, PAGE_KERNEL);
	CHECK_OR_GOTO(*va, release);
	return 0;
release:
	if ((long)got > 0)
		unpin_user_pages(pages, got);
	return -EFAULT;
}
` },
    {
      // The count copied into the bound of a signed release loop: an errno is a negative
      // bound, the loop runs no round.
      name: 'j = ret, then a signed loop up to j releases the entries', code: `
int sj_pin(unsigned long addr, size_t npages)
{
	struct page *pages[8];
	int i = 0, j;
	int ret = 0;

	while (npages) {
		j = npages > 8 ? 8 : npages;
		ret = pin_user_pages_fast(addr, j, FOLL_LONGTERM, pages); /* expect-none */
		if (ret != j) {
			i = 0;
			j = ret;
			ret = -ENOMEM;
			goto free_pages;
		}
		unpin_user_pages(pages, j);
		addr += j * PAGE_SIZE;
		npages -= j;
	}
	return 0;
free_pages:
	while (i < j)
		unpin_user_page(pages[i++]);
	return ret;
}
` },
    {
      // The requested count set to the count only when the count is positive.
      name: 'nr = ret only after ret > 0, then unpin nr', code: `
int na_pin(unsigned long uaddr, int nr, struct page **pages)
{
	int ret;

	ret = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect-none */
	if (ret < 0)
		return ret;
	if (ret < nr) {
		nr = ret;
		ret = -EFAULT;
		goto out;
	}
	ret = 0;
out:
	unpin_user_pages(pages, nr);
	return ret;
}
` },
    {
      // One page tested with <= 0: an errno never reaches the use.
      name: 'one page, the count tested with <= 0 before the page is mapped', code: `
long ez_peek(struct mm_struct *mm, unsigned long addr, u8 *out)
{
	struct page *pg = NULL;
	void *kaddr;
	long ret;

	mmap_read_lock(mm);
	ret = get_user_pages_remote(mm, addr, 1, 0, &pg, NULL); /* expect-none */
	mmap_read_unlock(mm);
	if (ret <= 0)
		return ret ? ret : -EFAULT;
	kaddr = kmap_local_page(pg);
	*out = *(u8 *)(kaddr + offset_in_page(addr));
	kunmap_local(kaddr);
	put_page(pg);
	return 0;
}
` },
    {
      // Tested only against 0, but the page pointer (set to NULL first) is tested before use.
      name: 'one page tested only against 0, then the pointer tested before use', code: `
long ez_ptr(unsigned long addr, u8 *out)
{
	struct page *pg = NULL;
	long ret;

	ret = get_user_pages_fast(addr, 1, 0, &pg); /* expect-none */
	if (!ret)
		return -EFAULT;
	if (pg) {
		*out = *(u8 *)page_address(pg);
		put_page(pg);
	}
	return 0;
}
` },
    {
      // A compat wrapper returns the GUP call's count; its caller releases exactly what
      // was got on a short count.
      name: 'a count wrapper whose caller releases a short count', code: `
static long cw_grab(struct mm_struct *mm, unsigned long addr, unsigned long n, struct page **pv)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	return get_user_pages_remote(mm, addr, n, FOLL_WRITE, pv, NULL);
#else
	return get_user_pages_remote(mm, addr, n, FOLL_WRITE, pv, NULL, NULL);
#endif
}

int cw_use(struct mm_struct *mm, unsigned long addr, int n, struct page **pv)
{
	long got;
	int i;

	mmap_read_lock(mm);
	got = cw_grab(mm, addr, n, pv); /* expect-none */
	mmap_read_unlock(mm);
	if (got < 0)
		return got;
	for (i = 0; i < got; i++)
		put_page(pv[i]);
	return got == n ? 0 : -EFAULT;
}
` },
    {
      // A status flag set to a constant and tested later is correlated with the count's
      // paths (the dataflow does not split them): not reported.
      name: 'a status flag set on the short path and tested after it', code: `
int sf_probe(unsigned long va, u32 *out)
{
	struct page *pg;
	int bad = 0;

	if (get_user_pages_fast(va & PAGE_MASK, 1, 0, &pg) != 1) /* expect-none */
		bad = 1;
	if (bad)
		return -EFAULT;
	*out = page_to_pfn(pg);
	put_page(pg);
	return 0;
}
` },
    {
      // The conditional returns the count on the short side: the caller learns it.
      name: 'a returned conditional that gives the short count to the caller', code: `
int tv_fill(unsigned long uaddr, int n, struct page **pv)
{
	int got;

	got = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pv); /* expect-none */
	if (got != n)
		return got <= 0 ? -EFAULT : got;
	return 0;
}
` },
    {
      // A test that says nothing of the count: either arm may hand it on.
      name: 'a returned conditional on another variable that names the count', code: `
int tv_other(unsigned long uaddr, int n, struct page **pv, int strict)
{
	int got;

	got = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pv); /* expect-none */
	if (got != n)
		return strict ? -EFAULT : got;
	return 0;
}
` },
    {
      // An unsigned count tested != i, then < i around the release: an errno skips the
      // release (nothing held) and the path returns the error code it set.
      name: 'an unsigned count whose error path returns the error code the path set', code: `
static int uc_chunk(struct page **pages, unsigned long addr, unsigned int i, unsigned int flags)
{
	unsigned int n;
	int ret = 0;

	n = pin_user_pages_fast(addr, i, flags, pages); /* expect-none */
	if (n != i) {
		if (n < i)
			unpin_user_pages(pages, n);
		ret = -EFAULT;
	}
	return ret;
}
` },
    {
      name: 'a single page mapped into a local, then released', era: '4.9', code: `
static int km_ok(unsigned long uaddr, u32 *val)
{
	struct page *page;
	void *kaddr;

	if (__get_user_pages_fast(uaddr & PAGE_MASK, 1, 0, &page) != 1) /* expect-none */
		return -EAGAIN;
	kaddr = kmap_atomic(page);
	*val = *(u32 *)(kaddr + offset_in_page(uaddr));
	kunmap_atomic(kaddr);
	put_page(page);
	return 0;
}

static void *km_give(unsigned long uaddr)
{
	struct page *page;
	void *kaddr;

	if (get_user_pages_fast(uaddr & PAGE_MASK, 1, 0, &page) != 1) /* expect-none */
		return NULL;
	kaddr = kmap(page);
	return kaddr;
}
` },
    {
      // The same rounds, the check after the counter advanced: the unwind releases them all.
      name: 'a round left after its counter advanced: the unwind releases every entry', code: `
int rl_ok(unsigned long uva, unsigned long cap, int strict, struct page ***out)
{
	struct page **pages = kcalloc(cap, sizeof(*pages), GFP_KERNEL);
	unsigned long count = 0;
	long rc;

	if (!pages)
		return -ENOMEM;
	while (count < cap) {
		rc = get_user_pages_fast(uva + count * PAGE_SIZE, 1, FOLL_WRITE, pages + count); /* expect-none */
		if (rc < 0)
			goto unwind;
		count++;
		if (strict)
			goto unwind;
	}
	*out = pages;
	return 0;
unwind:
	while (count > 0)
		put_page(pages[--count]);
	kfree(pages);
	return -EFAULT;
}
` },
    {
      // The GUP call and its release are each under \`#ifdef CONFIG_MMU\` (tomoyo's dump of
      // an exec argument page): one build takes both arms or neither, so no path gets the
      // page and skips the put_page(). The \`#else\` arm's assignment is another build's.
      name: 'a single page got and put under two tests of the same undecided #ifdef', code: `
bool pp_dump(struct linux_binprm *bprm, unsigned long pos, struct page **last)
{
	struct page *page;
	long ret;

#ifdef CONFIG_MMU
	mmap_read_lock(bprm->mm);
	ret = get_user_pages_remote(bprm->mm, pos, 1, FOLL_FORCE, &page, NULL); /* expect-none */
	mmap_read_unlock(bprm->mm);
	if (ret <= 0)
		return false;
#else
	page = bprm->page[pos / PAGE_SIZE];
#endif
	if (page != *last)
		*last = page;
#ifdef CONFIG_MMU
	put_page(page);
#endif
	return true;
}
` },
    {
      name: 'a single page tested only for 0, released on the other side', era: '4.9', code: `
unsigned long sz_ok(unsigned long va)
{
	struct page *pg;
	unsigned long pa = 0;
	long got;

	down_read(&current->mm->mmap_sem);
	got = get_user_pages(va, 1, 0, &pg, NULL); /* expect-none */
	up_read(&current->mm->mmap_sem);
	if (got == 0)
		return 0;
	if (got > 0) {
		pa = page_to_phys(pg);
		put_page(pg);
	}
	return pa;
}
` },
    {
      // The request is a local set to 1 and never changed: a single-page pin (a short count
      // is 0 pages, nothing held), as with the literal 1.
      name: 'single-page pin with the count in a local constant 1', code: `
struct xo_dev { struct page *page; };
void xo_start(struct xo_dev *d, struct page *pg);

long xo_ioctl(struct xo_dev *d, unsigned long uaddr)
{
	int want = 1;
	int got;

	got = pin_user_pages_fast(uaddr, want, FOLL_WRITE, &d->page); /* expect-none */
	if (got != want)
		return -EFAULT;
	xo_start(d, d->page);
	return 0;
}
` },
    {
      // The arm that aliases pin_user_pages cannot be the one a 4.9 build takes: its
      // definition is left out (the FOLL_GET pages are put, which is right in 4.9).
      name: 'compat alias of an API the era lacks, under an undecided condition (4.9)', era: '4.9', code: `
#ifdef CFG_HAS_PIN
#define my_pin pin_user_pages
#else
static inline long my_pin(unsigned long start, unsigned long nr, unsigned int flags, struct page **pages)
{
	return get_user_pages_fast(start, nr, flags & FOLL_WRITE, pages);
}
#endif

static long old_era_map(struct page **pg, unsigned long uaddr, unsigned long want)
{
	long got;

	got = my_pin(uaddr, want, FOLL_WRITE, pg); /* expect-none */
	if (got < 0)
		return got;
	if (got != want) {
		while (got--)
			put_page(pg[got]);
		return -EFAULT;
	}
	return 0;
}
` },
    {
      name: 'count argument parenthesised by a macro, short count handled', code: `
#define my_gup(a, n, p) get_user_pages_fast((a), (n), FOLL_WRITE, (p))

int mg_ok(unsigned long uaddr, int nr, struct page **pg)
{
	int ret, i;

	ret = my_gup(uaddr, nr, pg); /* expect-none */
	if (ret < 0)
		return ret;
	if (ret != (nr)) {
		for (i = 0; i < ret; i++)
			put_page(pg[i]);
		return -EFAULT;
	}
	for (i = 0; i < nr; i++)
		put_page(pg[i]);
	return 0;
}
` },
    {
      name: 'count kept signed: the release loop does not run for an errno', code: `
static int ua_map_ok(void **out, unsigned long uaddr, size_t len)
{
	unsigned int want = DIV_ROUND_UP(len, PAGE_SIZE);
	int got, i;
	struct page **pg;
	void *va;

	pg = kmalloc_array(want, sizeof(*pg), GFP_KERNEL);
	if (!pg)
		return -ENOMEM;
	got = get_user_pages_fast(uaddr, want, FOLL_WRITE, pg); /* expect-none */
	if (got != want)
		goto undo;
	va = vmap(pg, want, VM_MAP, PAGE_KERNEL);
	if (!va)
		goto undo;
	*out = va;
	return 0;
undo:
	for (i = 0; i < got; i++)
		put_page(pg[i]);
	kfree(pg);
	return -EFAULT;
}
` },
    {
      name: 'count kept unsigned but tested as signed before the release loop', code: `
static long ua_grab(struct page **pg, unsigned long uaddr, unsigned long want)
{
	long ret;
	unsigned long got, i;

	ret = pin_user_pages_fast(uaddr, want, FOLL_WRITE, pg); /* expect-none */
	if (ret < 0)
		return ret;
	got = ret;
	if (got != want) {
		for (i = 0; i < got; i++)
			unpin_user_page(pg[i]);
		return -EFAULT;
	}
	return 0;
}
` },
    {
      name: 'compat macro with an alias and an older-signature definition, short pin released', code: `
#ifdef CFG_PIN_WANTS_VMAS
#define my_pin_pages(a, n, f, p) pin_user_pages((a), (n), (f), (p), NULL)
#else
#define my_pin_pages pin_user_pages
#endif

static long bm_map_ok(struct page **pg, unsigned long uaddr, unsigned long want)
{
	long got;

	mmap_read_lock(current->mm);
	got = my_pin_pages(uaddr, want, FOLL_WRITE, pg); /* expect-none */
	mmap_read_unlock(current->mm);
	if (got < 0)
		return got;
	if (got != want) {
		unpin_user_pages(pg, got);
		return -EFAULT;
	}
	return got;
}
` },
    {
      name: 'short pin handled', code: `
int pc_ok(unsigned long uaddr, struct page **pages, int nr)
{
	int n = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect-none */

	if (n < 0)
		return n;
	if (n != nr) {
		unpin_user_pages(pages, n);
		return -EFAULT;
	}
	return 0;
}
` },
    {
      name: 'single page, bool result', code: `
int pc_one(unsigned long uaddr, struct page **page)
{
	if (get_user_pages_fast(uaddr, 1, 0, page) != 1) /* expect-none */
		return -EFAULT;
	return 0;
}
` },
    {
      name: 'count written into nr before the common release', code: `
int pc_rewrite(unsigned long uaddr, struct page **pages, unsigned int nr)
{
	int ret = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect-none */

	if (ret != nr) {
		nr = ret > 0 ? ret : 0;
		ret = -EFAULT;
	}
	unpin_user_pages(pages, nr);
	return ret;
}
` },
    {
      // A helper that does more with the array than free it may keep it: not a free wrapper.
      name: 'array handed to a helper that does more than free it', code: `
void pk_note(void *p);
static void pk_done(void *p)
{
	pk_note(p);
	kvfree(p);
}

int pk_init(struct pk_obj *o, unsigned long uaddr, unsigned long n)
{
	int ret;

	o->pages = kvcalloc(n, sizeof(*o->pages), GFP_KERNEL);
	if (!o->pages)
		return -ENOMEM;
	ret = get_user_pages_fast(uaddr, n, 0, o->pages); /* expect-none */
	if (ret != n)
		goto fail;
	return 0;
fail:
	pk_done(o->pages);
	o->pages = NULL;
	return -EFAULT;
}
` },
    {
      // A call without a format string may keep the count: the code knows it.
      name: 'count passed to a helper that is no log call', code: `
void pn_record(void *dev, long nr);
int pn_pin(void *dev, unsigned long uaddr, unsigned long npages, struct page ***out)
{
	struct page **pages;
	long nr;

	pages = kvcalloc(npages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	nr = get_user_pages_fast(uaddr, npages, FOLL_WRITE, pages); /* expect-none */
	if (nr != npages) {
		pn_record(dev, nr);
		kvfree(pages);
		return -EINVAL;
	}
	*out = pages;
	return 0;
}
` },
    {
      // The release loop stops at the first NULL entry: the entries after it were never filled.
      name: 'release loop that stops at a NULL entry', code: `
int pq_check(unsigned long uaddr, int count)
{
	struct page **pages;
	int ret, j;

	pages = kcalloc(count, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	ret = pin_user_pages_fast(uaddr, count, FOLL_WRITE, pages); /* expect-none */
	if (ret != count)
		goto failed;
	for (j = 0; j < count; j++) {
		if (!pages[j])
			break;
		unpin_user_page(pages[j]);
	}
	kfree(pages);
	return 0;
failed:
	if (ret > 0)
		unpin_user_pages(pages, ret);
	kfree(pages);
	return -EINVAL;
}
` },
    {
      // The short chunk's count is added to the counter the error path releases by.
      name: 'chunked pin whose short count joins the released counter', code: `
int pr_chunked(struct page **pages, unsigned long uaddr, unsigned long npages)
{
	unsigned long done = 0;
	long ret;

	while (done < npages) {
		unsigned long nr = min(npages - done, 512UL);

		ret = get_user_pages_fast(uaddr + (done << PAGE_SHIFT), nr, FOLL_WRITE, pages + done); /* expect-none */
		if (ret != nr) {
			if (ret > 0)
				done += ret;
			goto err;
		}
		done += nr;
	}
	return 0;
err:
	while (done)
		put_page(pages[--done]);
	return -ENOMEM;
}
` },
    {
      // The if header is chosen by an #ifdef the tool cannot decide and the body is shared
      // after #endif: each arm's single-page call is tested against 1.
      name: 'single-page test split across #ifdef arms with a shared body', code: `
int ps_map(struct scatterlist *sg, unsigned long uaddr)
{
	struct page *page;

#ifdef PS_WRITE
	if (pin_user_pages_fast(uaddr, 1, FOLL_WRITE, &page) != 1) /* expect-none */
#else
	if (pin_user_pages_fast(uaddr, 1, 0, &page) != 1) /* expect-none */
#endif
		return -EFAULT;
	sg_set_page(sg, page, PAGE_SIZE, 0);
	return 0;
}
` },
    {
      name: 'error exit unpins only a positive count', code: `
static int np_map(unsigned long uaddr, int count, struct page ***out)
{
	struct page **pages;
	int np_got = 0;

	pages = kvcalloc(count, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	np_got = pin_user_pages_fast(uaddr, count, FOLL_WRITE, pages); /* expect-none */
	if (np_got < count)
		goto fail;
	*out = pages;
	return 0;
fail:
	if (np_got > 0)
		unpin_user_pages(pages, np_got);
	kvfree(pages);
	return -EFAULT;
}
` },
    {
      // The table holds the pages once it is built: freeing the array then is fine (they
      // are released through the table), and a failure path unpins them first.
      name: 'table built, array freed after; failure path unpins', code: `
static struct sg_table *tc_import(unsigned long uaddr, unsigned long count, size_t size, struct sg_table *sgt)
{
	struct page **pages;
	long got;
	int err;

	pages = kvcalloc(count, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return NULL;
	got = pin_user_pages_fast(uaddr & PAGE_MASK, count, FOLL_WRITE, pages); /* expect-none */
	if (got != count) {
		if (got > 0)
			unpin_user_pages(pages, got);
		kvfree(pages);
		return NULL;
	}
	err = sg_alloc_table_from_pages(sgt, pages, count, 0, size, GFP_KERNEL);
	if (err) {
		unpin_user_pages(pages, count);
		kvfree(pages);
		return NULL;
	}
	kvfree(pages);
	return sgt;
}
` },
    {
      // ssd-gpu-dma's shape: the variants of the call are alternatives (#if 0 / #elif an
      // undecided CONFIG_ / #else); the #else call is no use of what the #elif call filled.
      name: 'call variants in #if 0 / #elif undecided / #else are alternatives', code: `
long ie_pin(struct ie_map *m)
{
	struct page **pages;
	long ie_got;

	pages = kcalloc(m->n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	mmap_read_lock(current->mm);
#if 0
	ie_got = get_user_pages(m->vaddr, m->n, FOLL_FORCE, pages);
#elif defined(CONFIG_IE_OLD_API)
	ie_got = get_user_pages(m->vaddr, m->n, FOLL_WRITE | FOLL_FORCE, pages); /* expect-none */
#else
	ie_got = get_user_pages(m->vaddr, m->n, FOLL_WRITE, pages); /* expect-none */
#endif
	mmap_read_unlock(current->mm);
	if (ie_got <= 0) {
		kfree(pages);
		return ie_got ? ie_got : -EFAULT;
	}
	m->n = ie_got;
	m->pages = pages;
	return 0;
}
` },
    {
      name: 'chunked pin loop: the error path unpins the earlier rounds first', code: `
int cl_range(unsigned long uaddr, unsigned long nr, struct page ***out)
{
	struct page **all = kcalloc(nr, sizeof(*all), GFP_KERNEL);
	unsigned long left = nr, done = 0;
	int ret;

	if (!all)
		return -ENOMEM;
	while (left) {
		unsigned long n = left < 16 ? left : 16;

		ret = pin_user_pages_fast(uaddr + done * PAGE_SIZE, n, FOLL_WRITE, all + done); /* expect-none */
		if (ret <= 0) {
			unpin_user_pages(all, done);
			kfree(all);
			return ret ? ret : -EFAULT;
		}
		done += ret;
		left -= ret;
	}
	*out = all;
	return done;
}
` },
    {
      // The rounds' counter advanced by each call's count (not the requested one): a
      // release by it covers a short count of the last call too.
      name: 'chunked pin, counter advanced by the count, released by it', code: `
int pv_chunks(struct pv_buf *b, unsigned long uaddr, unsigned long total)
{
	unsigned long got = 0;
	long n;

	while (got < total) {
		unsigned long want = min(total - got, 256UL);

		n = pin_user_pages_fast(uaddr + (got << PAGE_SHIFT), want, FOLL_WRITE, b->pages + got); /* expect-none */
		if (n <= 0)
			goto fail;
		got += n;
		if (n != want)
			goto fail;
	}
	return 0;
fail:
	unpin_user_pages(b->pages, got);
	kvfree(b->pages);
	b->pages = NULL;
	return -EFAULT;
}
` },
    {
      // The common exit tests the out-parameter array against NULL (it is NULL only when
      // the allocation failed, before the call): on the paths that hold references it is
      // not, so the early return there is no path with the short count held.
      name: 'exit label tests the out array == NULL before releasing the count', code: `
int pn_map(unsigned long uaddr, long n, struct page ***out)
{
	long got = 0;
	int err = 0;

	*out = kvmalloc_array(n, sizeof(struct page *), GFP_KERNEL);
	if (*out == NULL) {
		err = -ENOMEM;
		goto fail;
	}
	got = pin_user_pages_fast(uaddr, n, FOLL_WRITE, *out); /* expect-none */
	if (got != n) {
		err = -EFAULT;
		goto fail;
	}
	return 0;
fail:
	if (*out == NULL)
		return err;
	if (got > 0)
		unpin_user_pages(*out, got);
	kvfree(*out);
	*out = NULL;
	return err;
}
` },
    {
      // The count is one branch of a conditional expression stored in n, and n goes back
      // to the caller: the caller handles it.
      name: 'count from a conditional expression, returned', code: `
long pc_tern(struct mm_struct *mm, unsigned long addr, unsigned long nr, struct page **pages)
{
	long n;

	mmap_read_lock(mm);
	n = vma_lookup(mm, addr) ? pin_user_pages_remote(mm, addr, nr, FOLL_WRITE, pages, NULL) : -EFAULT; /* expect-none */
	mmap_read_unlock(mm);
	return n;
}
` },
    {
      // Cast to a signed type, the test sees the errno: `(int)cnt > 0` is a real guard.
      name: 'unsigned count cast to int for the sign test', code: `
int pc_u32_cast(unsigned long uaddr, u32 want, struct page **arr)
{
	u32 cnt;

	cnt = pin_user_pages_fast(uaddr, want, FOLL_WRITE, arr); /* expect-none */
	if (cnt != want) {
		if ((int)cnt > 0)
			unpin_user_pages(arr, cnt);
		return -EFAULT;
	}
	return 0;
}
` },
    {
      // After a full pin, each entry goes through a local into a struct as a physical
      // address: the pins live on there (released by the owner), the array is just freed.
      name: 'entries handed on through a local copy, after four other stores', code: `
struct pc_hdr { unsigned long count, pgsize, offset, length; phys_addr_t phys[]; };

int pc_share(unsigned long uaddr, unsigned long npg, u32 off, u32 len, struct pc_hdr *hdr)
{
	struct page **pv;
	unsigned long k;
	long got;

	pv = kvmalloc_array(npg, sizeof(*pv), GFP_KERNEL);
	if (!pv)
		return -ENOMEM;
	got = pin_user_pages_fast(uaddr, npg, FOLL_WRITE | FOLL_LONGTERM, pv); /* expect-none */
	if (got != npg) {
		if (got > 0)
			unpin_user_pages(pv, got);
		kvfree(pv);
		return -EFAULT;
	}
	hdr->count = npg;
	hdr->pgsize = PAGE_SIZE;
	hdr->offset = off;
	hdr->length = len;
	for (k = 0; k < npg; k++) {
		struct page *pg = pv[k];

		hdr->phys[k] = page_to_phys(pg);
	}
	kvfree(pv);
	return 0;
}
` },
    {
      // An unsigned count holding an errno is above the requested count: \`n < want\` is
      // the test that keeps the errno away from the release (a GNU \`?:\` chains an
      // earlier error).
      name: 'unsigned count, released only when below the requested count', code: `
int pc_u_chunk(unsigned long uaddr, unsigned int want, struct page **pages, int ret)
{
	unsigned int n;

	n = ret ?: pin_user_pages_fast(uaddr, want, FOLL_WRITE, pages); /* expect-none */
	if (n != want) {
		if (n < want)
			unpin_user_pages(pages, n);
		return -EFAULT;
	}
	return 0;
}
` },
    {
      // A full count read again later (its entries stored in a table that the caller owns,
      // the count stored beside it): nothing is leaked.
      name: 'a full count stored with its entries after a later allocation', code: `
struct fc_frame { long nr; struct scatterlist *sgl; };

int fc_build_ok(struct fc_frame *fr, unsigned long uaddr, int nr_req)
{
	struct page **pages;
	long n, i;

	pages = vmalloc(nr_req * sizeof(*pages));
	if (!pages)
		return -ENOMEM;
	n = get_user_pages_unlocked(uaddr, nr_req, pages, FOLL_WRITE); /* expect-none */
	if (n != nr_req) {
		for (i = 0; i < n; i++)
			put_page(pages[i]);
		vfree(pages);
		return -EFAULT;
	}
	fr->sgl = kmalloc_array(n, sizeof(*fr->sgl), GFP_KERNEL);
	if (!fr->sgl) {
		for (i = 0; i < n; i++)
			put_page(pages[i]);
		vfree(pages);
		return -ENOMEM;
	}
	sg_init_table(fr->sgl, n);
	for (i = 0; i < n; i++)
		sg_set_page(&fr->sgl[i], pages[i], PAGE_SIZE, 0);
	fr->nr = n;
	vfree(pages);
	return 0;
}
` },
    {
      // The array went into a struct before the call; the struct's cleanup (which knows
      // from its flag that the pages need releasing) gets it on the later error path.
      name: 'a struct that took the array before the call, handed to its cleanup after a full pin', code: `
struct hb_info { struct page **pages; int need_release; struct scatterlist *sgl; };
void hb_cleanup(struct hb_info *info);

struct hb_info *hb_create(unsigned long ubuf, int num_pages, struct page **pages, struct scatterlist *sgl)
{
	struct hb_info *info = kzalloc(sizeof(*info), GFP_KERNEL);
	int got, i;

	if (!info)
		return NULL;
	info->pages = pages;
	info->sgl = sgl;
	got = pin_user_pages_fast(ubuf, num_pages, FOLL_WRITE, pages); /* expect-none */
	if (got != num_pages) {
		if (got > 0)
			unpin_user_pages(pages, got);
		hb_cleanup(info);
		return NULL;
	}
	info->need_release = 1;
	for (i = 0; i < num_pages; i++)
		sg_set_page(sgl + i, pages[i], PAGE_SIZE, 0);
	if (!dma_map_sg(NULL, sgl, num_pages, DMA_TO_DEVICE)) {
		hb_cleanup(info);
		return NULL;
	}
	return info;
}
` },
    {
      // The array is a local alias of the struct's own array, and the full count is stored
      // beside it: the struct's owner releases nents entries later.
      name: 'a full count stored in the struct that owns the array', code: `
struct sa_alloc { struct page **pages; unsigned long nr_pages; long nents; };

int sa_pin(struct sa_alloc *alloc, struct mm_struct *mm, unsigned long address)
{
	struct page **pages = alloc->pages;
	long pinned, i;

	pinned = get_user_pages_remote(mm, address, alloc->nr_pages, FOLL_WRITE, pages, NULL); /* expect-none */
	if (pinned <= 0)
		return pinned;
	if (pinned != alloc->nr_pages) {
		for (i = 0; i < pinned; i++)
			put_page(pages[i]);
		return -ENOMEM;
	}
	alloc->nents = pinned;
	return 0;
}
` },
    {
      // One page pointer's address: the count is 1 whatever the macro spells.
      name: 'a count macro that makes one page, into one page pointer', code: `
#define SL_PAGES (roundup(4096, PAGE_SIZE) / PAGE_SIZE)

void sl_append(unsigned long start, const char *msg, size_t len)
{
	struct page *pg = NULL;

	if (get_user_pages_fast(start, SL_PAGES, FOLL_WRITE, &pg) == (int)SL_PAGES) { /* expect-none */
		char *p = kmap_local_page(pg);

		memcpy(p, msg, min_t(size_t, len, 64));
		kunmap_local(p);
		put_page(pg);
	}
}
` },
    {
      // The same separate tests with the error taken out first: nothing to report.
      name: 'separate tests of a short count, of 0 and of an error', code: `
static int es_pin_ok(unsigned long addr, int nr_pages, struct page **pages)
{
	int npages = get_user_pages_unlocked(addr, nr_pages, pages, FOLL_WRITE); /* expect-none */

	if (npages < 0)
		return npages;
	if (npages > 0 && npages < nr_pages) {
		while (npages--)
			put_page(pages[npages]);
		return -EFAULT;
	} else if (npages == 0) {
		return -EFAULT;
	}
	return 0;
}
` },
    {
      // Only an error (or 0) reaches the return: the full and the short counts were released.
      name: 'a thread function that releases any positive count and returns 0', code: `
struct et_dev { unsigned long uaddr; struct page *pages[8]; };

static int et_thread(void *data)
{
	struct et_dev *d = data;
	long ret = get_user_pages_fast(d->uaddr, 8, FOLL_WRITE, d->pages); /* expect-none */

	if (ret > 0)
		release_pages(d->pages, ret);
	return 0;
}
` },
    {
      // The struct goes to its own cleanup, which releases the pages, before the array is freed.
      name: 'a struct-held array handed to the struct\'s cleanup on the later error path', code: `
struct sc_info { struct page **pages; unsigned int npages; void *ring; };
void sc_unpin(struct sc_info *ci);

int sc_lock(struct sc_info *ci, unsigned long uva, unsigned int npages)
{
	long rc;

	ci->pages = kmalloc_array(npages, sizeof(*ci->pages), GFP_KERNEL);
	if (!ci->pages)
		return -ENOMEM;
	ci->npages = npages;
	rc = get_user_pages_fast(uva, npages, FOLL_WRITE, ci->pages); /* expect-none */
	if (rc != npages) {
		if (rc > 0)
			release_pages(ci->pages, rc);
		kfree(ci->pages);
		return -EFAULT;
	}
	ci->ring = kzalloc(64, GFP_KERNEL);
	if (!ci->ring) {
		sc_unpin(ci);
		kfree(ci->pages);
		return -ENOMEM;
	}
	return 0;
}
` },
    {
      // The same copy into a signed local, tested for an error first: handled.
      name: 'count copied into a signed local that is tested for an error before the short count',
      code: `
int cq_pin(struct page **pages, unsigned long uaddr, unsigned int want)
{
	long nr;
	int rc;

	rc = pin_user_pages_fast(uaddr, want, FOLL_WRITE, pages); /* expect-none */
	nr = rc;
	if (nr < 0)
		return nr;
	if (nr != want) {
		unpin_user_pages(pages, nr);
		return -EFAULT;
	}
	return 0;
}
` },
    {
      // The copy into an unsigned local, but rc is tested first: the copy holds a count.
      name: 'count tested for an error, then copied into an unsigned local',
      code: `
int cr_pin(struct page **pages, unsigned long uaddr, unsigned int want)
{
	unsigned int nr, i;
	int rc;

	rc = pin_user_pages_fast(uaddr, want, FOLL_WRITE, pages); /* expect-none */
	if (rc < 0)
		return rc;
	nr = rc;
	if (nr < want) {
		for (i = 0; i < nr; i++)
			unpin_user_page(pages[i]);
		return -EFAULT;
	}
	return 0;
}
` },
    {
      // The same loop after the count was checked in full: every entry is set.
      name: 'a loop storing the bytes of all n pages after a full-count check',
      code: `
int rc_peek(unsigned long uaddr, unsigned int n, u8 *out, struct page **pages)
{
	unsigned int i;
	int ret;

	ret = get_user_pages_fast(uaddr, n, 0, pages); /* expect-none */
	if (ret != n) {
		if (ret > 0)
			release_pages(pages, ret);
		return -EFAULT;
	}
	for (i = 0; i < n; i++)
		out[i] = *(u8 *)page_address(pages[i]);
	release_pages(pages, n);
	return 0;
}
` },
    {
      // Page pointers stored into a table: handed on, the table's owner releases them.
      name: 'a loop storing the page pointers into a caller\'s table after an error test',
      code: `
int rd_fill(unsigned long uaddr, unsigned int n, struct page **tbl, struct page **pages)
{
	unsigned int i;
	int ret;

	ret = get_user_pages_fast(uaddr, n, 0, pages); /* expect-none */
	if (ret != n) {
		if (ret > 0)
			release_pages(pages, ret);
		return -EFAULT;
	}
	for (i = 0; i < n; i++)
		tbl[i] = pages[i];
	return 0;
}
` },
    {
      // A signed member count tested for an error, then a loop up to it: each entry read
      // was filled. What happens to the pages later is the struct owner's.
      name: 'count kept in a signed struct member, tested for an error, then a loop up to it',
      code: `
struct md_dev {
	long nr;
	struct page **pv;
};

int md_map(struct md_dev *dev, unsigned long uaddr, int want)
{
	long i;

	dev->nr = get_user_pages_fast(uaddr, want, FOLL_WRITE, dev->pv); /* expect-none */
	if (dev->nr < 0)
		return dev->nr;
	for (i = 0; i < dev->nr; i++)
		flush_dcache_page(dev->pv[i]);
	return 0;
}
` },
    {
      // The struct value is handed to a call that may keep what it holds: the page is
      // someone else's from there.
      name: 'one page: its address stored in a local struct that is handed to another call',
      code: `
struct sq_req {
	unsigned long vaddr;
	struct page *page;
};

long sq_queue(struct mm_struct *mm, unsigned long vaddr)
{
	struct sq_req r;

	r.vaddr = vaddr;
	mmap_read_lock(mm);
	if (get_user_pages_remote(mm, vaddr, 1, 0, &r.page, NULL) != 1) { /* expect-none */
		mmap_read_unlock(mm);
		return -EINVAL;
	}
	mmap_read_unlock(mm);
	return sq_submit(&r);
}
EXPORT_SYMBOL(sq_queue);
` },
    {
      // A struct value that only goes back to user space, the page released on every path.
      name: 'one page: its physical address copied to user space through a local struct, released on every path',
      code: `
struct sr_args {
	unsigned long vaddr;
	unsigned long phys;
};

long sr_peek(struct mm_struct *mm, void __user *argp)
{
	struct sr_args a;
	struct page *page;
	long ret = 0;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	mmap_read_lock(mm);
	if (get_user_pages_remote(mm, a.vaddr, 1, 0, &page, NULL) != 1) { /* expect-none */
		mmap_read_unlock(mm);
		return -EINVAL;
	}
	mmap_read_unlock(mm);
	a.phys = page_to_phys(page);
	if (copy_to_user(argp, &a, sizeof(a)))
		ret = -EFAULT;
	put_page(page);
	return ret;
}
EXPORT_SYMBOL(sr_peek);
` },
  ],
  invalid: [
    {
      // A chunk loop that advances by the request: the fix releases this call's entries,
      // from where it filled them.
      name: 'a chunk loop advancing by the requested count: the fix names the chunk\'s entries', era: '6.12', code: `
int ck_import(unsigned long ua, int total)
{
	struct page **pv = kvmalloc_array(total, sizeof(*pv), GFP_KERNEL);
	int done = 0, ret;

	if (!pv)
		return -ENOMEM;
	while (done < total) {
		int step = min(total - done, 32);

		ret = pin_user_pages_fast(ua + ((unsigned long)done << PAGE_SHIFT), step, FOLL_WRITE, pv + done); /* expect: partial-pin-unchecked:warning */
		if (ret <= 0) {
			ret = ret ? ret : -EFAULT;
			goto out;
		}
		done += step;
	}
	ret = 0;
out:
	if (done)
		unpin_user_pages(pv, done);
	kvfree(pv);
	return ret;
}
`, messages: [/unpin_user_pages\(pv \+ done, ret\)/] },
    {
      // A void function pins into its own array, logs the count and never releases: a leak,
      // not a count its caller could use.
      name: 'a local array pinned, the count only logged, nothing released', era: '6.12', code: `
void lf_touch(unsigned long ua, unsigned long n)
{
	struct page **vec = kvcalloc(n, sizeof(*vec), GFP_KERNEL);
	long cnt;

	if (!vec)
		return;
	cnt = pin_user_pages_fast(ua, n, FOLL_WRITE, vec); /* expect: partial-pin-unchecked:warning */
	pr_info("asked %lu got %ld\\n", n, cnt);
}
`, messages: [/but a path returns with references held that nothing owns \(line 11\): release them on that path: if \(cnt > 0\) unpin_user_pages\(vec, cnt\)/] },
    {
      // drm_free_large() (the DRM helper of kernels up to 4.14) frees the array.
      name: 'a short get, then the array freed by drm_free_large() (4.9)', era: '4.9', code: `
int dl_pin(struct dl_obj *o, unsigned long ua, int n)
{
	int got;

	o->pages = drm_malloc_ab(n, sizeof(*o->pages));
	if (!o->pages)
		return -ENOMEM;
	got = get_user_pages_fast(ua, n, 1, o->pages); /* expect: partial-pin-unchecked:warning */
	if (got != n) {
		drm_free_large(o->pages);
		o->pages = NULL;
		return -EFAULT;
	}
	return 0;
}
`, messages: [/but o->pages is freed with its references still held \(line 11\)/] },
    {
      // The count goes into a local nothing reads: as good as dropped.
      name: 'the count stored in a local that is never read', era: '6.12', code: `
int dr_first(unsigned long ua, int n, struct page **pv)
{
	long got;
	int nid;

	got = get_user_pages_fast(ua, n, FOLL_WRITE, pv); /* expect: partial-pin-unchecked:warning */
	nid = page_to_nid(pv[0]);
	put_page(pv[0]);
	return nid;
}
`, messages: [/but its result is ignored, so nobody knows how many entries hold references/] },
    {
      // The error branch (nothing got) releases all n entries of an array nothing cleared.
      name: 'the error branch releases all entries of the array', era: '6.12', code: `
struct page **oe_pin(unsigned long ua, int n)
{
	struct page **pl = kmalloc_array(n, sizeof(*pl), GFP_KERNEL);
	int got, k;

	if (!pl)
		return NULL;
	got = get_user_pages_fast(ua, n, FOLL_WRITE, pl); /* expect: partial-pin-unchecked:warning */
	if (got < 0) {
		for (k = 0; k < n; k++)
			put_page(pl[k]);
		kfree(pl);
		return NULL;
	}
	if (got != n) {
		while (got > 0)
			put_page(pl[--got]);
		kfree(pl);
		return NULL;
	}
	return pl;
}
`, messages: [/but an error path releases all n entries of pl \(line 12\) though the call failed and set none of them: release nothing when got < 0: no entry is set/] },
    {
      // The array freed through a statement-block macro that frees it and clears it.
      name: 'a short get, then the array freed by a do { kfree(p); p = NULL; } while (0) macro', era: '6.12', code: `
#define DF_FREE(ptr) do { kfree(ptr); (ptr) = NULL; } while (0)

int df_prep(struct df_req *r, unsigned long ua, unsigned int n)
{
	int got;

	r->pv = kcalloc(n, sizeof(*r->pv), GFP_KERNEL);
	if (!r->pv)
		return -ENOMEM;
	got = get_user_pages_fast(ua, n, FOLL_WRITE, r->pv); /* expect: partial-pin-unchecked:warning */
	if (got != n)
		goto out_free;
	return 0;
out_free:
	DF_FREE(r->pv);
	return -EFAULT;
}
`, messages: [/but r->pv is freed with its references still held \(line 16\)/] },
    {
      // A lone #ifdef (no #else, no version) around a call of the 5.9-6.4 layout in a 6.12
      // audit: the call is read with the layout its arguments fit, as outside any #if.
      name: 'a call of an older layout under a lone #ifdef, its one page used unchecked', era: '6.12', code: `
#ifdef DRV_HUGE_PROBE
int hp_probe(struct vm_area_struct *vma, unsigned long addr, int *locked)
{
	struct page *pages[1];

	get_user_pages_remote(vma->vm_mm, addr, 1, FOLL_WRITE, pages, NULL, locked); /* expect: partial-pin-unchecked:warning */
	if (PageTransHuge(pages[0])) {
		put_page(pages[0]);
		return 1;
	}
	put_page(pages[0]);
	return 0;
}
#endif
`, messages: [/its result is ignored, and pages is used \(line 8\) whether or not the call set it/] },
    {
      // The same, with the table failure freeing the array alone.
      name: 'a comparison of an entry stored in a struct, the table failure frees the array with the pins', era: '6.12', code: `
struct cv_buf { struct sg_table sgt; struct page **pv; bool low; };

int cv_pin(struct cv_buf *b, unsigned long ua, int n, size_t len)
{
	struct page **pv = kcalloc(n, sizeof(*pv), GFP_KERNEL);
	int got, err;

	if (!pv)
		return -ENOMEM;
	got = pin_user_pages_fast(ua, n, FOLL_WRITE, pv); /* expect: partial-pin-unchecked:warning */
	if (got != n) {
		if (got > 0)
			unpin_user_pages(pv, got);
		kfree(pv);
		return -EFAULT;
	}
	b->low = page_to_pfn(pv[0]) < 0x100000UL;
	err = sg_alloc_table_from_pages(&b->sgt, pv, n, 0, len, GFP_KERNEL);
	if (err)
		goto fail;
	b->pv = pv;
	return 0;
fail:
	kfree(pv);
	return err;
}
`, messages: [/pins all n pages on a path, but pv is freed with its references still held \(line 25\)/] },
    {
      // 5.10: the API facts do not say that unpin_user_pages() refuses an errno there: the
      // general wording.
      name: 'an errno released by unpin_user_pages() in a 5.10 audit', era: '5.10', code: `
int eo_pin(unsigned long ua, long nr, struct page **pv)
{
	long got = pin_user_pages_fast(ua, nr, FOLL_WRITE, pv); /* expect: partial-pin-unchecked:warning */

	if (got != nr) {
		unpin_user_pages(pv, got);
		return got < 0 ? got : -EFAULT;
	}
	return 0;
}
`, messages: [/an error path passes got to a release while it may still be a negative errno \(line 7\): the release takes it as a huge unsigned count/] },
    {
      // The rest is asked for, but from the same start into the same entries: the fix keeps
      // the request as written and moves the start and the array.
      name: 'a refill loop that asks for the rest from the same start', era: '6.12', code: `
int rf_fill(unsigned long ua, int want, struct page **pv)
{
	int have = 0, n;

	while (have < want) {
		n = pin_user_pages_fast(ua, want - have, FOLL_WRITE, pv); /* expect: partial-pin-unchecked:warning */
		if (n <= 0)
			break;
		have += n;
	}
	if (have != want) {
		if (have)
			unpin_user_pages(pv, have);
		return -EFAULT;
	}
	return 0;
}
`, messages: [/the loop adds the count up in have \(line 10\) and calls it again with the same start and the same pv: .*\(the start advanced by have pages, pv \+ have, want - have pages\)/] },
    {
      // The labels swapped: the errno, copied to the return value first, reaches the
      // release by the count, which takes it unsigned.
      name: 'the errno copied to the return value, then a jump to a release by the count', era: '6.12', code: `
struct ec_map { unsigned long uaddr; long nr; struct page **pv; };

int ec_pin_bad(struct ec_map *m)
{
	long got, err;

	m->pv = kvcalloc(m->nr, sizeof(*m->pv), GFP_KERNEL);
	if (!m->pv)
		return -ENOMEM;
	got = pin_user_pages_fast(m->uaddr, m->nr, FOLL_WRITE, m->pv); /* expect: partial-pin-unchecked:warning */
	if (got < 0) {
		err = got;
		goto out_unpin;
	} else if (got != m->nr) {
		err = -EFAULT;
		goto out_free;
	}
	return 0;
out_unpin:
	unpin_user_pages(m->pv, got);
out_free:
	kvfree(m->pv);
	m->pv = NULL;
	return err;
}
`, messages: [/an error path passes got to unpin_user_pages\(\) while it may still be a negative errno \(line 21\): in this kernel unpin_user_pages\(\) catches such a count with a WARN/, /also, m->pv is freed with its references still held \(line 23\)/] },
    {
      // The same through a wrapper that returns its GUP call's count: the wrapper's start
      // and pages parameters take the same arguments every round.
      name: 'a loop sums a wrapper\'s count and calls it again with the same start and array', code: `
static long rw_get(unsigned long start, long n, struct page **p)
{
	return get_user_pages_fast(start, n, FOLL_WRITE, p);
}

int rw_pin(unsigned long uaddr, long n, struct page **pages)
{
	long got, held = 0;

	while (held != n) {
		got = rw_get(uaddr, n, pages); /* expect: partial-pin-unchecked:warning */
		if (got <= 0)
			goto undo;
		held += got;
	}
	return 0;
undo:
	while (held > 0)
		put_page(pages[--held]);
	return -EFAULT;
}
`, messages: [/^rw_get\(\) returns the count of its get_user_pages_fast\(\) \(line 4\) and may get fewer than n pages it asks for, but the loop adds the count up in held \(line 15\)/] },
    {
      // An array taken with __get_free_page() and given back with free_page() on an error
      // path, the page's reference still held.
      name: 'a page array freed with free_page() with its reference held', code: `
int fp_reg(unsigned long uaddr, u64 *pa)
{
	struct page **plist;
	int ret;

	plist = (struct page **)__get_free_page(GFP_KERNEL);
	if (!plist)
		return -ENOMEM;
	ret = get_user_pages_fast(uaddr, 1, FOLL_WRITE, plist); /* expect: partial-pin-unchecked:warning */
	if (ret != 1) {
		ret = -EFAULT;
		goto out;
	}
	*pa = page_to_phys(plist[0]);
	if (fp_slot() < 0) {
		ret = -EBUSY;
		goto out;
	}
	return 0;
out:
	free_page((unsigned long)plist);
	return ret;
}
`, messages: [/but plist is freed with its references still held \(line 22\)/] },
    {
      // A retry loop that adds the counts up but asks again from the same start into the
      // same array: a short round's references are overwritten by the next round.
      name: 'a loop sums the count and calls again with the same start and array', code: `
struct rf_buf {
	unsigned long uaddr;
	unsigned long npages;
	unsigned long held;
	struct page **pages;
};

int rf_pin(struct rf_buf *b)
{
	long got;

	b->held = 0;
	while (b->held < b->npages) {
		got = pin_user_pages_fast(b->uaddr, b->npages, FOLL_WRITE, b->pages); /* expect: partial-pin-unchecked:warning */
		if (got <= 0)
			goto undo;
		b->held += got;
	}
	return 0;
undo:
	unpin_user_pages(b->pages, b->held);
	return -EFAULT;
}
`, messages: [/^pin_user_pages_fast\(\) may get fewer than b->npages pages it asks for, but the loop adds the count up in b->held \(line 18\) and calls it again with the same start and the same b->pages: after a short pin the next round fills b->pages from its first entry again/] },
    {
      // The same macro jumping past the unpin on a short pin: the array is freed with the
      // references of the short pin held (not "tested only for an error": it is tested
      // against the request, through the macro).
      name: 'a check-or-goto macro jumps past the unpin on a short pin', code: `
#define CHECK_OR_GOTO(cond, label) \\
	do { if (!(cond)) { pr_err("check failed: %s\\n", #cond); goto label; } } while (0)

long cl_map(unsigned long uaddr, unsigned long n, void **va)
{
	struct page **pages;
	u64 got;

	pages = kmalloc_array(n, sizeof(*pages), GFP_KERNEL);
	CHECK_OR_GOTO(pages, out);
	got = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */
	CHECK_OR_GOTO(got == n, free_arr);
	*va = vmap(pages, n, VM_MAP, PAGE_KERNEL);
	CHECK_OR_GOTO(*va, unpin);
	return 0;
unpin:
	unpin_user_pages(pages, n);
free_arr:
	kfree(pages);
out:
	return -EINVAL;
}
`, messages: [/^pin_user_pages_fast\(\) may get fewer than n pages it asks for, but pages is freed with its references still held \(line 20\)/] },
    {
      // One page, the result dropped: the page is read and put whether or not it was got.
      name: 'one page, the result ignored, then the page used', code: `
int ig_thp(struct vm_area_struct *vma, unsigned long addr)
{
	struct mm_struct *mm = vma->vm_mm;
	struct page *pages[1];
	int res;

	mmap_assert_locked(mm);
	get_user_pages_remote(mm, addr, 1, FOLL_WRITE, pages, NULL); /* expect: partial-pin-unchecked:warning */
	res = PageTransHuge(pages[0]);
	put_page(pages[0]);
	return res;
}
`, messages: [/^get_user_pages_remote\(\) may fail to get the page it asks for, but its result is ignored, and pages is used \(line 10\) whether or not the call set it: use pages only if the call returns 1$/] },
    {
      // `nr = ret` on the short-or-error side: an errno becomes nr, and the common exit
      // unpins that many.
      name: 'nr = ret on the error side, then unpin nr at a common exit', code: `
int nb_pin(unsigned long uaddr, int nr, struct page **pages)
{
	int ret;

	ret = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */
	if (ret < nr) {
		nr = ret;
		ret = -EFAULT;
		goto out;
	}
	ret = 0;
out:
	unpin_user_pages(pages, nr);
	return ret;
}
`, messages: [/but an error path passes nr to unpin_user_pages\(\) while it may still be a negative errno \(line 14\).*: release only a positive count: set nr = ret only if \(ret > 0\) \(line 8\), or return on ret < 0 first$/] },
    {
      // One page tested only against 0: a negative errno goes on to kmap the unset page.
      name: 'one page tested only against 0, then mapped', code: `
long ez_copy(struct mm_struct *mm, unsigned long addr, void __user *dst, size_t n)
{
	struct page *pg = NULL;
	void *kaddr;
	long ret;

	mmap_read_lock(mm);
	ret = get_user_pages_remote(mm, addr, 1, 0, &pg, NULL); /* expect: partial-pin-unchecked:warning */
	mmap_read_unlock(mm);
	if (!ret)
		return -ESRCH;
	kaddr = kmap_local_page(pg);
	ret = copy_to_user(dst, kaddr + offset_in_page(addr), n) ? -EFAULT : n;
	kunmap_local(kaddr);
	put_page(pg);
	return ret;
}
`, messages: [/^get_user_pages_remote\(\) may fail to get the page it asks for, but the count is tested only against 0 before pg is used \(line 13\): a negative errno passes that test, and pg is unset then: return on ret <= 0 \(or ret != 1\) before using pg$/] },
    {
      // The module's header renames the API (as a build for 4.6+ does): the calls are the
      // remote ones, with its arguments; the same one-page test as above.
      name: 'a header of the module renames get_user_pages to get_user_pages_remote', files: {
        'rn_compat.h': `
#define get_user_pages get_user_pages_remote
`,
        'rn_main.c': `
#include "rn_compat.h"

int rn_peek(struct mm_struct *mm, unsigned long addr, u8 *out, int n)
{
	long ret = 0;
	int i;

	mmap_read_lock(mm);
	for (i = 0; i < n; i++) {
		struct page *pg = NULL;

		ret = get_user_pages(mm, addr, 1, 0, &pg, NULL); /* expect: partial-pin-unchecked:warning */
		if (!ret)
			break;
		out[i] = *(u8 *)page_address(pg);
		put_page(pg);
		addr += PAGE_SIZE;
	}
	mmap_read_unlock(mm);
	return ret < 0 ? ret : 0;
}
` }, messages: [/^get_user_pages_remote\(\) may fail to get the page it asks for, but the count is tested only against 0 before pg is used \(line 16\).* \(called as get_user_pages\(\), which expands to get_user_pages_remote\(\)\)$/] },
    {
      // Released only in one direction after a full pin; the count's variable was reused
      // (0 at the free): the fix releases all npg entries, not "rv".
      name: 'a full pin freed with its references held, the count variable reused', code: `
int fr_once(unsigned long ubuf, int npg, bool to_cpu)
{
	struct page **pv;
	int rv, i;

	pv = kmalloc_array(npg, sizeof(*pv), GFP_KERNEL);
	if (!pv)
		return -ENOMEM;
	rv = get_user_pages_fast(ubuf, npg, to_cpu ? FOLL_WRITE : 0, pv); /* expect: partial-pin-unchecked:warning */
	if (rv != npg) {
		while (rv > 0)
			put_page(pv[--rv]);
		kfree(pv);
		return -EFAULT;
	}
	rv = 0;
	if (to_cpu) {
		for (i = 0; i < npg; i++)
			put_page(pv[i]);
	}
	kfree(pv);
	return rv;
}
`, messages: [/^get_user_pages_fast\(\) gets all npg pages on a path, but pv is freed with its references still held \(line 22\): release the pages before freeing the array: release all npg pages \(put_page\(\) each\)/] },
    {
      // The count comes back through a wrapper that keeps it in a variable; the caller
      // jumps past its release on a short count.
      name: 'a short pin through a count wrapper, the release skipped', code: `
static int cx_pin(unsigned long uaddr, int nr, struct page **pages)
{
	int n;

	n = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages);
	return n;
}

int cx_copy(unsigned long uaddr, int nr, struct page **pages, void *dst)
{
	int got, err = 0;

	got = cx_pin(uaddr, nr, pages); /* expect: partial-pin-unchecked:warning */
	if (got != nr) {
		err = -EFAULT;
		goto out;
	}
	copy_pages(dst, pages, nr);
	unpin_user_pages(pages, nr);
out:
	return err;
}
`, messages: [/^cx_pin\(\) returns the count of its pin_user_pages_fast\(\) \(line 6\) and may get fewer than nr pages it asks for, but a path returns after a short pin with the references held and the count dropped \(line 22\)/] },
    {
      // A local set to a constant is passed to put_user(): the test is of the copy, not of
      // the local, and its failure returns with the page held.
      name: 'a single page leaked when put_user() of a constant-initialised status fails', code: `
int su_probe(unsigned long va, int wr, u32 __user *ustatus)
{
	u32 status = 0;
	struct page *pg;

	if (get_user_pages_fast(va & PAGE_MASK, 1, wr ? FOLL_WRITE : 0, &pg) != 1) /* expect: partial-pin-unchecked:warning */
		return -EFAULT;
	if (put_user(status, ustatus))
		return -EFAULT;
	put_page(pg);
	return 0;
}
`, messages: [/^get_user_pages_fast\(\) takes a reference on the page it asks for, but a path returns with references held that nothing owns \(line 10\): release the page on that path \(put_page\(\)\)/] },
    {
      // The errno ternary returns the count only when it is negative: a short count is
      // replaced by -EFAULT and its pages stay pinned.
      name: 'short count lost in an errno ternary', code: `
#define TMAX 16
int tp_fill(unsigned long uaddr, int n, void (*consume)(struct page **, int))
{
	struct page *pv[TMAX];
	int got;

	got = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pv); /* expect: partial-pin-unchecked:warning */
	if (got != n)
		return got < 0 ? got : -EFAULT;
	consume(pv, n);
	unpin_user_pages(pv, n);
	return 0;
}
`, messages: [/returns after a short pin with the references held and the count dropped \(line 10\)/] },
    {
      // The array is an out-parameter's (\`*pv\`): the fix releases *pv, not pv.
      name: 'an out-parameter array tested only for an error, the requested count returned',
      messages: [/unpin_user_pages\(\*pv, ret\)/], code: `
static int op_pin(unsigned long addr, int n, struct page ***pv)
{
	int ret;

	*pv = vmalloc(n * sizeof(**pv));
	if (!*pv)
		return -ENOMEM;
	ret = pin_user_pages_fast(addr, n, FOLL_WRITE, *pv); /* expect: partial-pin-unchecked:warning */
	if (ret < 0) {
		vfree(*pv);
		return ret;
	}
	return n;
}
` },
    {
      // The mapping read by another call (a checksum) is no handing on: the early return
      // leaves the page pinned.
      name: 'a pinned page whose mapping is read by a call, left pinned on an early return',
      messages: [/a path returns with references held that nothing owns \(line 14\)/], code: `
int kv_verify(unsigned long va, u32 want)
{
	struct page *pg;
	void *kva;
	u32 crc;

	if (pin_user_pages_fast(va & PAGE_MASK, 1, 0, &pg) != 1) /* expect: partial-pin-unchecked:warning */
		return -EFAULT;
	kva = kmap_local_page(pg);
	crc = crc32_le(0, kva, PAGE_SIZE);
	kunmap_local(kva);
	if (crc != want)
		return -EBADMSG;
	unpin_user_page(pg);
	return 0;
}
` },
    {
      // The first entry handed on alone, then \`if (npg > 1)\` (an errno is above 1) and a
      // loop up to npg - 1: the unsigned errno is still walked.
      name: 'an unsigned count tested == 0, its first entry handed on, then a loop up to the count minus one under npg > 1',
      messages: [/which is unsigned: an error \(a negative errno\) becomes a huge count, and the loop at line 11 walks/], code: `
static int sgf_fill(struct scatterlist *sgl, unsigned long uaddr, unsigned int want, struct page **pv)
{
	unsigned int npg, i;

	npg = get_user_pages_fast(uaddr & PAGE_MASK, want, FOLL_WRITE, pv); /* expect: partial-pin-unchecked:warning */
	if (npg <= 0)
		return -EFAULT;
	sg_set_page(&sgl[0], pv[0], PAGE_SIZE, 0);
	if (npg > 1) {
		for (i = 1; i < npg - 1; i++)
			sg_set_page(&sgl[i], pv[i], PAGE_SIZE, 0);
	}
	return npg;
}
` },
    {
      // long against an unsigned long field: the errno passes, and the table is built from
      // all nr_pages entries, none of them set.
      name: 'an errno passed as a full count, then a table built from all entries', era: '6.1',
      messages: [/pinned is signed and r->nr_pages is unsigned and at least as wide/], code: `
struct tb_region {
	unsigned long uaddr;
	unsigned long nr_pages;
	struct page **pages;
	struct sg_table sgt;
};

static int tb_pin(struct tb_region *r)
{
	long pinned;
	int ret;

	pinned = pin_user_pages_fast(r->uaddr, r->nr_pages, FOLL_LONGTERM, r->pages); /* expect: partial-pin-unchecked:warning */
	if (pinned < r->nr_pages) {
		ret = -EFAULT;
		goto err_unpin;
	}
	ret = sg_alloc_table_from_pages(&r->sgt, r->pages, r->nr_pages, 0, r->nr_pages << PAGE_SHIFT, GFP_KERNEL);
	if (ret) {
		pinned = r->nr_pages;
		goto err_unpin;
	}
	return 0;
err_unpin:
	if (pinned > 0)
		unpin_user_pages(r->pages, pinned);
	return ret;
}
` },
    {
      // The unsigned count is used as a size before the loop (\`sg_init_table(sgl, npg)\`):
      // that is no handling of an errno, and the loop still walks a huge count.
      name: 'an unsigned count tested only == 0, passed to a call, then walked by a loop',
      messages: [/the count is kept in npg, which is unsigned: an error \(a negative errno\) becomes a huge count, and the loop at line 10 walks/], code: `
static int sgi_build(struct scatterlist *sgl, unsigned long uaddr, unsigned int nr, struct page **pages)
{
	unsigned int npg, i;

	npg = get_user_pages_fast(uaddr & PAGE_MASK, nr, 1, pages); /* expect: partial-pin-unchecked:warning */
	if (npg == 0)
		return -EFAULT;
	sg_init_table(sgl, npg);
	for (i = 0; i < npg; i++)
		sg_set_page(&sgl[i], pages[i], PAGE_SIZE, 0);
	return npg;
}
` },
    {
      // After an errno passed \`got < npages\` (int against size_t), the array is kept by
      // its owner as if all npages entries were filled.
      name: 'an errno passed as a full count, then the array stored in its owner',
      messages: [/got is signed and npages is unsigned and at least as wide: the test at line 12/], code: `
struct ns_reg {
	struct page **pages;
	size_t npages;
};

int ns_register(struct ns_reg *reg, unsigned long uaddr, size_t npages, struct page **pages)
{
	int got;

	got = pin_user_pages_fast(uaddr, npages, FOLL_WRITE | FOLL_LONGTERM, pages); /* expect: partial-pin-unchecked:warning */
	if (got < npages) {
		if (got > 0)
			unpin_user_pages(pages, got);
		return -EFAULT;
	}
	reg->pages = pages;
	reg->npages = npages;
	return 0;
}
` },
    {
      // Only an errno gets past \`got < nr\` (int against size_t): releasing all nr entries
      // later is that errno's doing, not a short pin's (a status from another call,
      // \`ret = sg_alloc_table(...)\`, says nothing about the count).
      name: 'an errno passed as a full count, then all entries released on a later error path',
      messages: [/got is signed and nr is unsigned and at least as wide/], code: `
int nr_map(struct sg_table *sgt, unsigned long uaddr, size_t nr, struct page **pages)
{
	int got, ret;

	got = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */
	if (got < nr) {
		if (got > 0)
			unpin_user_pages(pages, got);
		return -EFAULT;
	}
	ret = sg_alloc_table(sgt, nr, GFP_KERNEL);
	if (ret) {
		unpin_user_pages(pages, nr);
		return ret;
	}
	return 0;
}
` },
    {
      // The count's variable takes the error code before the common release: the fix
      // cannot name it as the count there.
      name: 'all entries released after a short pin, the count overwritten by the error code on the way',
      messages: [/keep the count in a variable of its own \(ret is overwritten at line 8\)/], code: `
static int ow_pin(struct ow_buf *buf)
{
	int ret;

	ret = pin_user_pages_fast(buf->uaddr, buf->nr_pages, FOLL_WRITE, buf->pages); /* expect: partial-pin-unchecked:warning */
	if (ret != buf->nr_pages) {
		ret = -EFAULT;
		goto err_unpin;
	}
	return 0;
err_unpin:
	unpin_user_pages(buf->pages, buf->nr_pages);
	return ret;
}
` },
    {
      // The page's mapping kept in a local is an address, not the reference: the page is
      // still this function's to release.
      name: 'a single page mapped with kmap_atomic() into a local, never released', era: '4.9',
      messages: [/a path returns with references held that nothing owns \(line 12\)/], code: `
static int km_peek(unsigned long uaddr, u32 *val)
{
	struct page *page;
	void *kaddr;

	if (__get_user_pages_fast(uaddr & PAGE_MASK, 1, 0, &page) == 0) /* expect: partial-pin-unchecked:warning */
		return -EAGAIN;
	kaddr = kmap_atomic(page);
	*val = *(u32 *)(kaddr + offset_in_page(uaddr));
	kunmap_atomic(kaddr);
	return 0;
}
` },
    {
      // One page per round into \`pages + count\`; a check after the call leaves before
      // \`count++\`: the unwind releases the earlier rounds by count, not this round's page.
      name: 'a round left before its counter advanced: its entry is not among those the unwind releases',
      messages: [/pages is freed with some of its references still held \(line 23\): the path released only part of it \(the loop at line \d+ releases only the entries of earlier rounds\)/], code: `
int rl_grab(unsigned long uva, unsigned long cap, int strict, struct page ***out)
{
	struct page **pages = kcalloc(cap, sizeof(*pages), GFP_KERNEL);
	unsigned long count = 0;
	long rc;

	if (!pages)
		return -ENOMEM;
	while (count < cap) {
		rc = get_user_pages_fast(uva + count * PAGE_SIZE, 1, FOLL_WRITE, pages + count); /* expect: partial-pin-unchecked:warning */
		if (rc < 0)
			goto unwind;
		if (strict)
			goto unwind;
		count++;
	}
	*out = pages;
	return 0;
unwind:
	while (count > 0)
		put_page(pages[--count]);
	kfree(pages);
	return -EFAULT;
}
` },
    {
      // \`got == 0\` is the only test: the other side holds the reference whenever the
      // call got the page, and the physical address is all that is returned.
      name: 'a single page tested only for 0, its reference never dropped', era: '4.9',
      messages: [/a path returns with references held that nothing owns \(line 14\)/], code: `
unsigned long sz_leak(unsigned long va)
{
	struct page *pg;
	unsigned long pa = 0;
	long got;

	down_read(&current->mm->mmap_sem);
	got = get_user_pages(va, 1, 0, &pg, NULL); /* expect: partial-pin-unchecked:warning */
	up_read(&current->mm->mmap_sem);
	if (got == 0)
		return 0;
	pa = page_to_phys(pg);
	return pa;
}
` },
    {
      // The count copied into an unsigned local, the only place it is read from: the copy
      // turned an errno into a huge count, which passes `nr < want`.
      name: 'count copied into an unsigned local, then tested with < want',
      messages: [/kept in nr, which is unsigned: an error \(a negative errno\) becomes a huge count that passes the test at line 9 as a full pin/], code: `
int cp_pin(struct page **pages, unsigned long uaddr, unsigned int want)
{
	unsigned int nr, i;
	int rc;

	rc = pin_user_pages_fast(uaddr, want, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */
	nr = rc;
	if (nr < want) {
		for (i = 0; i < nr; i++)
			unpin_user_page(pages[i]);
		return -EFAULT;
	}
	return 0;
}
` },
    {
      // The loop stores what the pages hold, not the pages: nothing is handed on, and a
      // short count leaves entries unset that the loop reads.
      name: 'count tested only for an error, then a loop storing the bytes of all n pages',
      messages: [/the count is tested only for an error before all n entries are used \(line 10\)/], code: `
int rb_peek(unsigned long uaddr, unsigned int n, u8 *out, struct page **pages)
{
	unsigned int i;
	int ret;

	ret = get_user_pages_fast(uaddr, n, 0, pages); /* expect: partial-pin-unchecked:warning */
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++)
		out[i] = *(u8 *)page_address(pages[i]);
	release_pages(pages, n);
	return 0;
}
` },
    {
      // The count kept in an unsigned member of the device struct: an errno walks the loop.
      name: 'count kept in an unsigned struct member, tested only against 0, then a loop over it',
      messages: [/the count is kept in dev->mapped\[frame\], which is unsigned: an error \(a negative errno\) becomes a huge count, and the loop at line 14 walks that many entries of pv/], code: `
struct mb_dev {
	unsigned int *mapped;
};

int mb_map(struct mb_dev *dev, struct ioctl_req *io, unsigned long uaddr, int want, struct page **pv)
{
	int frame, i;

	frame = io->frame;
	dev->mapped[frame] = get_user_pages_fast(uaddr, want, FOLL_WRITE, pv); /* expect: partial-pin-unchecked:warning */
	if (!dev->mapped[frame])
		return -EFAULT;
	for (i = 0; i < dev->mapped[frame]; i++)
		flush_dcache_page(pv[i]);
	return 0;
}
` },
    {
      // The count kept in a member sizes the scatterlist; its allocation failing frees the
      // page array with every reference held.
      name: 'count kept in a struct member sizes an allocation whose failure frees the array',
      messages: [/pv is freed with its references still held \(line 20\)/], code: `
struct mc_dev {
	long nr;
	struct scatterlist *sgl;
};

int mc_map(struct mc_dev *dev, unsigned long uaddr, int want)
{
	struct page **pv = vmalloc(want * sizeof(*pv));

	if (!pv)
		return -ENOMEM;
	dev->nr = get_user_pages_fast(uaddr, want, FOLL_WRITE, pv); /* expect: partial-pin-unchecked:warning */
	if (dev->nr <= 0) {
		vfree(pv);
		return -EFAULT;
	}
	dev->sgl = kcalloc(dev->nr, sizeof(*dev->sgl), GFP_KERNEL);
	if (!dev->sgl) {
		vfree(pv);
		return -ENOMEM;
	}
	sg_init_table(dev->sgl, dev->nr);
	return 0;
}
` },
    {
      // The count compared and not kept, while ret is the function's errno: the fix names
      // a variable the function does not use, and says to keep the count there.
      name: 'count compared but not kept, in a function whose ret holds an errno',
      messages: [/pages is freed with its references still held \(line 16\): keep the count \(got = get_user_pages_fast\(\.\.\.\)\), then release the pages before freeing the array: release exactly got pages/], code: `
int uk_chunks(struct page ***out, unsigned long uaddr, unsigned long total)
{
	struct page **pages = kvmalloc_array(total, sizeof(*pages), GFP_KERNEL);
	unsigned long done = 0, nr;
	int ret = 0;

	if (!pages)
		return -ENOMEM;
	for (; done < total; done += nr) {
		nr = min(total - done, 64UL);
		if (get_user_pages_fast(uaddr + (done << PAGE_SHIFT), nr, FOLL_WRITE, pages + done) != nr) { /* expect: partial-pin-unchecked:warning */
			ret = -EFAULT;
			if (done)
				release_pages(pages, done);
			kvfree(pages);
			return ret;
		}
	}
	*out = pages;
	return 0;
}
` },
    {
      // The page's address written into a struct value of the function's own that only
      // goes back to user space: nothing owns the reference, and the late error path keeps it.
      name: 'one page: its physical address stored in a local struct copied to user space, a late copy failure returns with it held',
      messages: [/a path returns with references held that nothing owns \(line 22\)/], code: `
struct sp_args {
	unsigned long vaddr;
	unsigned long phys;
};

long sp_peek(struct mm_struct *mm, void __user *argp)
{
	struct sp_args a;
	struct page *page;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	mmap_read_lock(mm);
	if (get_user_pages_remote(mm, a.vaddr, 1, 0, &page, NULL) != 1) { /* expect: partial-pin-unchecked:warning */
		mmap_read_unlock(mm);
		return -EINVAL;
	}
	mmap_read_unlock(mm);
	a.phys = page_to_phys(page);
	if (copy_to_user(argp, &a, sizeof(a)))
		return -EFAULT;
	put_page(page);
	return 0;
}
EXPORT_SYMBOL(sp_peek);
` },
    {
      // A short count turned into an errno before the return: the release goes where the
      // count is still known, not on the return path.
      name: 'a short pin whose count is overwritten with an errno, then returned: the fix says before which line',
      messages: [/release them before rc is overwritten at line 17: unpin_user_pages\(r->pages, rc\)$/], code: `
struct rm_ring { struct page **pages; int n_pages; void *vaddr; };

int rm_create(unsigned long addr, int pages, struct rm_ring *r)
{
	int rc;

	r->pages = kcalloc(pages, sizeof(*r->pages), GFP_KERNEL);
	if (!r->pages)
		return -ENOMEM;
	mmap_read_lock(current->mm);
	rc = pin_user_pages(addr, pages, FOLL_WRITE, r->pages); /* expect: partial-pin-unchecked:warning */
	mmap_read_unlock(current->mm);
	if (rc == pages)
		r->vaddr = vmap(r->pages, pages, VM_MAP, PAGE_KERNEL);
	else if (rc >= 0)
		rc = -EFAULT;
	if (rc > 0)
		r->n_pages = pages;
	if (rc < 0)
		return rc;
	return 0;
}
` },
    {
      // The short count overwritten with an errno before the array is freed: the release
      // goes before that line.
      name: 'a short get whose count is overwritten with an errno before the array is freed: the fix says before which line',
      messages: [/pages is freed with its references still held \(line 20\): release the pages before ret is overwritten at line 12: release exactly ret pages/], code: `
int uo_create(struct drm_device *drm, struct sg_table **out, unsigned long uaddr, unsigned int n)
{
	struct page **pages;
	int ret;

	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	ret = get_user_pages_fast(uaddr, n, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */
	if (ret != n) {
		ret = -ENOMEM;
		goto out;
	}
	*out = drm_prime_pages_to_sg(drm, pages, n);
	ret = IS_ERR(*out) ? PTR_ERR(*out) : 0;
	if (ret)
		release_pages(pages, n);
out:
	kvfree(pages);
	return ret;
}
` },
    {
      // An unsigned count tested only with < nr; the full-count path walks all nr entries.
      name: 'unsigned count tested only with < nr, then a loop over all nr entries',
      messages: [/kept in got, which is unsigned: an error \(a negative errno\) becomes a huge count that passes the test at line 7 as a full pin/], code: `
int wl_map(struct scatterlist *sg, unsigned long uaddr, unsigned int nr, struct page **pages)
{
	unsigned int got, i;

	got = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */
	if (got < nr)
		return -EFAULT;
	for (i = 0; i < nr; i++)
		sg_set_page(&sg[i], pages[i], PAGE_SIZE, 0);
	return 0;
}
` },
    {
      // The error path hands the count to a release helper whose count parameter is
      // unsigned: an errno there is a huge loop bound. With an int parameter it is not.
      name: 'count that may be an errno passed to a release helper with an unsigned count parameter',
      messages: [/an error path passes got to a release while it may still be a negative errno \(line 16\).*call uh_put\(\) only if \(got > 0\)/], code: `
static void uh_put(struct page **pages, unsigned int num)
{
	unsigned int i;

	for (i = 0; i < num; i++)
		put_page(pages[i]);
}

int uh_get(u64 uva, int n, struct page **pages)
{
	int got;

	got = get_user_pages_fast((uintptr_t)uva, n, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */
	if (got < n) {
		uh_put(pages, got);
		return -ENOMEM;
	}
	return 0;
}

static void sh_put(struct page **pages, int num)
{
	int i;

	for (i = 0; i < num; i++)
		put_page(pages[i]);
}

int sh_get(u64 uva, int n, struct page **pages)
{
	int got;

	got = get_user_pages_fast((uintptr_t)uva, n, FOLL_WRITE, pages); /* expect-none */
	if (got < n) {
		sh_put(pages, got);
		return -ENOMEM;
	}
	return 0;
}
` },
    {
      // The helper's count type is the driver's own typedef of an unsigned type (through a
      // second typedef); a typedef of a signed type stays signed.
      name: 'count that may be an errno passed to a release helper whose count type is a typedef of an unsigned type',
      messages: [/an error path passes got to a release while it may still be a negative errno \(line 20\)/], code: `
typedef uint64_t td_u64;
typedef td_u64 td_count;
typedef long td_slong;

static void td_put(struct page **pages, td_count num)
{
	td_count i;

	for (i = 0; i < num; i++)
		put_page(pages[i]);
}

int td_get(unsigned long uva, int n, struct page **pages)
{
	long got;

	got = get_user_pages_fast(uva, n, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */
	if (got != n) {
		td_put(pages, got);
		return -ENOMEM;
	}
	return 0;
}

static void ts_put(struct page **pages, td_slong num)
{
	td_slong i;

	for (i = 0; i < num; i++)
		put_page(pages[i]);
}

int ts_get(unsigned long uva, int n, struct page **pages)
{
	long got;

	got = get_user_pages_fast(uva, n, FOLL_WRITE, pages); /* expect-none */
	if (got != n) {
		ts_put(pages, got);
		return -ENOMEM;
	}
	return 0;
}
` },
    {
      // The count overwrites the (unsigned) request, \`<= 0\` catches only 0: an errno is a
      // huge count the loops walk.
      name: 'unsigned count overwriting the request, tested with <= 0, then walked by a loop',
      messages: [/the count is kept in npg, which is unsigned: an error \(a negative errno\) becomes a huge count, and the loop at line 10 walks that many entries of pv/], code: `
int sgr_read(unsigned long ubuf, struct page **pv, struct scatterlist *sgl, unsigned int maxpg)
{
	unsigned int npg = maxpg;
	unsigned int i;

	npg = get_user_pages_fast(ubuf, npg, FOLL_WRITE, pv); /* expect: partial-pin-unchecked:warning */
	if (npg <= 0)
		return -EFAULT;
	for (i = 0; i < npg; i++)
		sg_set_page(&sgl[i], pv[i], PAGE_SIZE, 0);
	for (i = 0; i < npg; i++)
		put_page(pv[i]);
	return 0;
}

int sgr_ok(unsigned long ubuf, struct page **pv, struct scatterlist *sgl, int maxpg)
{
	int npg = maxpg;
	int i;

	npg = get_user_pages_fast(ubuf, npg, FOLL_WRITE, pv); /* expect-none */
	if (npg <= 0)
		return -EFAULT;
	for (i = 0; i < npg; i++)
		sg_set_page(&sgl[i], pv[i], PAGE_SIZE, 0);
	for (i = 0; i < npg; i++)
		put_page(pv[i]);
	return 0;
}
` },
    {
      // The loop's bound is a constant away from the unsigned count (\`i < npg - 1\`): as
      // huge as the count when it holds an errno.
      name: 'unsigned count tested with <= 0, then a loop up to the count minus one',
      messages: [/the count is kept in npg, which is unsigned: an error \(a negative errno\) becomes a huge count, and the loop at line 9 walks that many entries of pv/], code: `
int sgm_read(unsigned long ubuf, struct page **pv, struct scatterlist *sgl, unsigned int maxpg)
{
	unsigned int npg, i;

	npg = get_user_pages_fast(ubuf, maxpg, FOLL_WRITE, pv); /* expect: partial-pin-unchecked:warning */
	if (npg <= 0)
		return -EFAULT;
	for (i = 1; i < npg - 1; i++)
		sg_set_page(&sgl[i], pv[i], PAGE_SIZE, 0);
	return npg;
}

int sgm_ok(unsigned long ubuf, struct page **pv, struct scatterlist *sgl, unsigned int maxpg)
{
	int npg;
	unsigned int i;

	npg = get_user_pages_fast(ubuf, maxpg, FOLL_WRITE, pv); /* expect-none */
	if (npg <= 0)
		return -EFAULT;
	for (i = 1; i < npg - 1; i++)
		sg_set_page(&sgl[i], pv[i], PAGE_SIZE, 0);
	return npg;
}
` },
    {
      // \`int got < size_t want\`: the comparison converts got to size_t, so an errno is a
      // huge count and the false edge (all pinned) is taken. The request is a field of the
      // file's own struct, or an unsigned parameter; a long count against an unsigned int
      // request (converted to long) and a test of != are signed comparisons, silent.
      name: 'a signed count compared with < to an unsigned request at least as wide',
      messages: [/got is signed and rs->want is unsigned and at least as wide: the test at line 13 converts an error/, /cnt is signed and nr is unsigned and at least as wide/], code: `
struct ms_side {
	size_t want, spare;
	unsigned int small;
	struct page **pg;
};

int ms_attach(struct ms_side *rs, unsigned long uva)
{
	int got;

	got = pin_user_pages_fast(uva, rs->want, FOLL_WRITE, rs->pg); /* expect: partial-pin-unchecked:warning */
	if (got < rs->want) {
		if (got > 0)
			unpin_user_pages(rs->pg, got);
		return -ENOMEM;
	}
	return 0;
}

int ms_param(unsigned long uva, unsigned long nr, struct page **pg)
{
	int cnt = pin_user_pages_fast(uva, nr, FOLL_WRITE, pg); /* expect: partial-pin-unchecked:warning */

	if (cnt < nr) {
		if (cnt > 0)
			unpin_user_pages(pg, cnt);
		return -EFAULT;
	}
	return 0;
}

int ms_wide_count(struct ms_side *rs, unsigned long uva)
{
	long got;

	got = pin_user_pages_fast(uva, rs->small, FOLL_WRITE, rs->pg); /* expect-none */
	if (got < rs->small) {
		if (got > 0)
			unpin_user_pages(rs->pg, got);
		return -ENOMEM;
	}
	return 0;
}

int ms_ne(struct ms_side *rs, unsigned long uva)
{
	int got;

	got = pin_user_pages_fast(uva, rs->want, FOLL_WRITE, rs->pg); /* expect-none */
	if (got != rs->want) {
		if (got > 0)
			unpin_user_pages(rs->pg, got);
		return -ENOMEM;
	}
	return 0;
}

int ms_signed_nr(unsigned long uva, int nr, struct page **pg)
{
	int cnt = pin_user_pages_fast(uva, nr, FOLL_WRITE, pg); /* expect-none */

	if (cnt < nr) {
		if (cnt > 0)
			unpin_user_pages(pg, cnt);
		return -EFAULT;
	}
	return 0;
}
` },
    {
      // K&R style: the function is analysed like any other (its body found from the brace
      // at the end of the header line).
      name: 'brace on the header line: count tested only for an error, then all entries used', code: `
int kr_map(struct scatterlist *sg, unsigned long uaddr, int n, struct page **pages) {
	int i, got;

	got = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */
	if (got < 0)
		return got;
	for (i = 0; i < n; i++)
		sg_set_page(&sg[i], pages[i], PAGE_SIZE, 0);
	return 0;
}
` },
    {
      // A log macro called with double parentheses reads the count only to print it.
      name: 'count only printed by a double-parenthesis log macro, then the array freed',
      messages: [/pages is freed with its references still held/], code: `
void pc_log_emit(int lvl, const char *fmt, ...);
#define PC_LOG(x) pc_log_emit x

int pc_logged(unsigned long uaddr, unsigned int nr, struct page ***out)
{
	struct page **pages;
	int got;

	pages = kcalloc(nr, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	got = get_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */
	if (got != nr) {
		PC_LOG((1, "got %d of %u pages", got, nr));
		kfree(pages);
		return -EFAULT;
	}
	*out = pages;
	return 0;
}
` },
    {
      // A u32 count tested only with \`<\` against the request: an errno is above any nr, so
      // it passes as a full pin and the caller is told all entries are set.
      name: 'unsigned count compared with < nr lets an errno through as a full pin',
      messages: [/kept in cnt, which is unsigned: an error \(a negative errno\) becomes a huge count that passes the test at line 8 as a full pin, and the path goes on as if all want entries were filled: keep the count in a signed long and return on cnt < 0 first, or test cnt != want/], code: `
struct pc_box { struct page *pages[16]; u32 npages; };

int pc_lt(struct pc_box *b, unsigned long uaddr, u32 want)
{
	u32 cnt = pin_user_pages_fast(uaddr, want, FOLL_WRITE, b->pages); /* expect: partial-pin-unchecked:warning */

	if (cnt < want) {
		if ((int)cnt > 0)
			unpin_user_pages(b->pages, cnt);
		return -EFAULT;
	}
	b->npages = want;
	return 0;
}

int pc_ge(struct pc_box *b, unsigned long uaddr, unsigned int want)
{
	unsigned int got;

	got = get_user_pages_fast(uaddr, want, FOLL_WRITE, b->pages); /* expect: partial-pin-unchecked:warning */
	if (got >= want) {
		b->npages = want;
		return 0;
	}
	if ((int)got > 0)
		release_pages(b->pages, got);
	return -EFAULT;
}

int pc_lt_signed(struct pc_box *b, unsigned long uaddr, u32 want)
{
	long cnt = pin_user_pages_fast(uaddr, want, FOLL_WRITE, b->pages); /* expect-none */

	if (cnt < 0)
		return cnt;
	if (cnt < want) {
		unpin_user_pages(b->pages, cnt);
		return -EFAULT;
	}
	b->npages = want;
	return 0;
}

int pc_lt_err_first(struct pc_box *b, unsigned long uaddr, u32 want)
{
	u32 cnt = pin_user_pages_fast(uaddr, want, FOLL_WRITE, b->pages); /* expect-none */

	if ((int)cnt < 0)
		return (int)cnt;
	if (cnt < want) {
		unpin_user_pages(b->pages, cnt);
		return -EFAULT;
	}
	b->npages = want;
	return 0;
}

int pc_lt_ne(struct pc_box *b, unsigned long uaddr, u32 want)
{
	u32 cnt = pin_user_pages_fast(uaddr, want, FOLL_WRITE, b->pages); /* expect-none */

	if (cnt != want) {
		if ((int)cnt > 0)
			unpin_user_pages(b->pages, cnt);
		return -EFAULT;
	}
	b->npages = want;
	return 0;
}
` },
    {
      // A u32 count: an errno is a huge number, and \`cnt > 0\` lets it through to the release.
      name: 'unsigned count guarded by cnt > 0 before the release',
      messages: [/the count is kept in cnt, which is unsigned: .*keep the count in a signed long/], code: `
int pc_u32(unsigned long uaddr, u32 want, struct page **arr)
{
	u32 cnt;

	cnt = pin_user_pages_fast(uaddr, want, FOLL_WRITE, arr); /* expect: partial-pin-unchecked:warning */
	if (cnt != want) {
		if (cnt > 0)
			unpin_user_pages(arr, cnt);
		return -EFAULT;
	}
	return 0;
}
` },
    {
      // The same conditional, but only the error is tested: the message and the fix name
      // the count variable n; a count written with a type argument reads as written.
      name: 'count from a conditional expression, tested only for an error',
      messages: [/fewer than min_t\(unsigned long, nr, 16\) pages .*handle 0 <= n < min_t\(unsigned long, nr, 16\) \(e\.g\. if \(n != min_t\(unsigned long, nr, 16\)\)/], code: `
int pc_tern_err(struct mm_struct *mm, unsigned long addr, unsigned long nr, struct page **pages)
{
	long n;

	mmap_read_lock(mm);
	n = vma_lookup(mm, addr) ? pin_user_pages_remote(mm, addr, min_t(unsigned long, nr, 16), FOLL_WRITE, pages, NULL) : -EFAULT; /* expect: partial-pin-unchecked:warning */
	mmap_read_unlock(mm);
	if (n < 0)
		return n;
	return 0;
}
` },
    {
      // The count argument as a function-like macro's expansion writes it, `(n)`, and cast:
      // the loop over nr is still the requested count.
      name: 'count argument parenthesised by a macro or cast: releasing all nr after an error-only test',
      messages: [/releases all nr entries after a short get/, /releases all nr entries after a short pin/], code: `
#define my_gup(a, n, p) get_user_pages_fast((a), (n), FOLL_WRITE, (p))

int mg_put_all(unsigned long uaddr, int nr, struct page **pg)
{
	int ret, i;

	ret = my_gup(uaddr, nr, pg); /* expect: partial-pin-unchecked:warning */
	if (ret < 0)
		return ret;
	for (i = 0; i < nr; i++)
		put_page(pg[i]);
	return 0;
}

int mg_unpin_all(unsigned long uaddr, unsigned long nr, struct page **pg)
{
	long ret;

	ret = pin_user_pages_fast(uaddr, (int)nr, FOLL_WRITE, pg); /* expect: partial-pin-unchecked:warning */
	if (ret != (long)nr)
		goto err;
	return 0;
err:
	unpin_user_pages(pg, nr);
	return -EFAULT;
}
` },
    {
      // The count kept in an unsigned variable: an error (a negative errno) becomes a huge
      // count, takes the short-count exit, and the release loop runs far past the array.
      name: 'count kept unsigned: the error path releases up to a wrapped errno',
      messages: [/the count is kept in got, which is unsigned: an error \(a negative errno\) becomes a huge count, and an error path releases that many entries \(line 21\): keep the count in a signed long/], code: `
static int ua_map(void **out, unsigned long uaddr, size_t len)
{
	unsigned int want = DIV_ROUND_UP(len, PAGE_SIZE), got, i;
	struct page **pg;
	void *va;

	pg = kmalloc_array(want, sizeof(*pg), GFP_KERNEL);
	if (!pg)
		return -ENOMEM;
	got = get_user_pages_fast(uaddr, want, FOLL_WRITE, pg); /* expect: partial-pin-unchecked:warning */
	if (got != want)
		goto undo;
	va = vmap(pg, want, VM_MAP, PAGE_KERNEL);
	if (!va)
		goto undo;
	*out = va;
	return 0;
undo:
	for (i = 0; i < got; i++)
		put_page(pg[i]);
	kfree(pg);
	return -EFAULT;
}
` },
    {
      // A compat macro with two definitions chosen by a configure symbol the tool cannot
      // decide: an alias of pin_user_pages, or a five-argument call (the older signature
      // with vmas). The alternative that fits the audited era's signature is the one
      // analysed, so the short pin that is leaked is seen through the macro.
      name: 'compat macro with an alias and an older-signature definition: the fitting one is followed',
      messages: [/a path returns after a short pin with the references held/], code: `
#ifndef CFG_PIN_WANTS_VMAS
#define my_pin_pages pin_user_pages
#else
#define my_pin_pages(a, n, f, p) pin_user_pages((a), (n), (f), (p), NULL)
#endif

struct buf_map {
	struct page **pg;
	unsigned long cnt;
};

static int bm_map(struct buf_map *bm, unsigned long uaddr, unsigned long want)
{
	long got;

	bm->pg = kcalloc(want, sizeof(*bm->pg), GFP_KERNEL);
	if (!bm->pg)
		return -ENOMEM;
	mmap_read_lock(current->mm);
	got = my_pin_pages(uaddr, want, FOLL_WRITE, bm->pg); /* expect: partial-pin-unchecked:warning */
	mmap_read_unlock(current->mm);
	if (got >= 0 && got != want)
		got = -EFAULT;
	if (got < 0)
		return got;
	bm->cnt = want;
	return 0;
}
` },
    {
      // A chunked pin into all + done: an error in a later round frees the array with the
      // entries of the earlier rounds still pinned.
      name: 'chunked pin loop: a later round fails and the array is freed with earlier rounds held',
      messages: [/all is freed on an error path with the entries that earlier rounds of the loop filled still held \(line 15\): release them before freeing the array: unpin_user_pages\(all, done\)/], code: `
int ck_range(unsigned long uaddr, unsigned long nr, struct page ***out)
{
	struct page **all = kcalloc(nr, sizeof(*all), GFP_KERNEL);
	unsigned long left = nr, done = 0;
	int ret;

	if (!all)
		return -ENOMEM;
	while (left) {
		unsigned long n = left < 16 ? left : 16;

		ret = pin_user_pages_fast(uaddr + done * PAGE_SIZE, n, FOLL_WRITE, all + done); /* expect: partial-pin-unchecked:warning */
		if (ret <= 0) {
			kfree(all);
			return ret ? ret : -EFAULT;
		}
		done += ret;
		left -= ret;
	}
	*out = all;
	return done;
}
` },
    {
      // A full pin, then building the table fails and the error exit frees the array
      // without unpinning: the table never held the pages on that path.
      name: 'table build fails, array freed with every pin held',
      messages: [/pages is freed with its references still held \(line 2\d\)/], code: `
static int tb_import(struct tb_map *um, unsigned long uaddr, unsigned long count, size_t size)
{
	struct page **pages;
	long got;
	int err;

	pages = kcalloc(count, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	got = pin_user_pages_unlocked(uaddr & PAGE_MASK, count, pages, FOLL_WRITE); /* expect: partial-pin-unchecked:warning */
	if (got < (long)count) {
		if (got > 0)
			unpin_user_pages(pages, got);
		kfree(pages);
		return -EFAULT;
	}
	err = sg_alloc_table_from_pages(&um->sgt, pages, count, 0, size, GFP_KERNEL);
	if (err < 0)
		goto fail;
	um->pages = pages;
	return 0;
fail:
	kfree(pages);
	return err;
}
` },
    {
      // ipu6's shape: the error exit unpins whatever non-zero count came back, a negative
      // errno included (unpin_user_pages() takes it as a huge unsigned count).
      name: 'error exit unpins a count that may be a negative errno',
      messages: [/passes ng_got to unpin_user_pages\(\) while it may still be a negative errno \(line 17\)/], code: `
static int ng_map(unsigned long uaddr, int count, struct page ***out)
{
	struct page **pages;
	int ng_got = 0;

	pages = kvcalloc(count, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	ng_got = pin_user_pages_fast(uaddr, count, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */
	if (ng_got < count)
		goto fail;
	*out = pages;
	return 0;
fail:
	if (ng_got)
		unpin_user_pages(pages, ng_got);
	kvfree(pages);
	return -EFAULT;
}
` },
    {
      // The array freed through a same-file wrapper of kvfree() after a short pin.
      name: 'array freed through a free wrapper after a short pin', code: `
static inline void pw_free(void *p)
{
	kvfree(p);
}

int pw_init(struct pw_obj *o, unsigned long uaddr)
{
	int ret;

	o->pages = kvcalloc(o->npages, sizeof(*o->pages), GFP_KERNEL);
	if (!o->pages)
		return -ENOMEM;
	ret = get_user_pages_fast(uaddr, o->npages, 0, o->pages); /* expect: partial-pin-unchecked:warning */
	if (ret != o->npages)
		goto clear;
	return 0;
clear:
	pw_free(o->pages);
	o->pages = NULL;
	return -EFAULT;
}
`, messages: [/freed with its references still held|frees o->pages/] },
    {
      // The count only printed by a driver's own log macro (a format string, then the count).
      name: 'count only passed to a driver log macro', files: {
        'pl.h': `#define pl_err(dev, fmt, ...) printk(fmt, ##__VA_ARGS__)\n`,
        'case.c': `#include "pl.h"
int pl_pin(void *dev, unsigned long uaddr, unsigned long npages, struct page ***out)
{
	struct page **pages;
	long nr;

	pages = kvcalloc(npages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	nr = get_user_pages_fast(uaddr, npages, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */
	if (nr != npages) {
		pl_err(dev, "pinned only %ld pages\\n", nr);
		kvfree(pages);
		return -EINVAL;
	}
	*out = pages;
	return 0;
}
` } },
    {
      // A status variable set to an error on the short path and tested before the free:
      // on that path its value is known, the free runs with the references held.
      name: 'field array freed under if (ret) after a short pin', code: `
int pf_pin(struct pf_mem *cm, unsigned long uaddr, unsigned long len)
{
	unsigned long npages = len >> PAGE_SHIFT;
	long nr;
	int ret = 0;

	cm->pages = kvcalloc(npages, sizeof(struct page *), GFP_KERNEL);
	if (!cm->pages)
		return -ENOMEM;
	nr = get_user_pages_fast(uaddr, npages, FOLL_WRITE, cm->pages); /* expect: partial-pin-unchecked:warning */
	if (nr != npages) {
		ret = -EINVAL;
		goto done;
	}
	cm->size = len;
done:
	if (ret) {
		kvfree(cm->pages);
		cm->pages = NULL;
	}
	return ret;
}
`, messages: [/freed with its references still held/] },
    {
      // A release loop left early by a goto: the entries after it are still pinned when
      // the array is freed.
      name: 'release loop left by goto before the array is freed', code: `
struct pg_info *pg_info_of(struct page *p);
int pg_check(unsigned long uaddr, int count)
{
	struct page **pages;
	int ret, j;

	pages = kcalloc(count, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	ret = pin_user_pages_fast(uaddr, count, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */
	if (ret != count)
		goto failed;
	for (j = 0; j < count; j++) {
		if (pg_info_of(pages[j])->mapping != NULL)
			goto out;
		unpin_user_page(pages[j]);
	}
	kfree(pages);
	return 0;
failed:
	if (ret > 0)
		unpin_user_pages(pages, ret);
out:
	kfree(pages);
	return -EINVAL;
}
`, messages: [/^pin_user_pages_fast\(\) pins all count pages on a path, but pages is freed with some of its references still held \(line 25\): the path released only part of it \(the release loop is left before its end at line 15\)/] },
    {
      // Releasing one entry is not releasing the array.
      name: 'one entry released before an early free', code: `
int po_check(unsigned long uaddr, int count, int bad)
{
	struct page **pages;
	int ret;

	pages = kcalloc(count, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	ret = pin_user_pages_fast(uaddr, count, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */
	if (ret != count) {
		if (ret > 0)
			unpin_user_pages(pages, ret);
		kfree(pages);
		return -EFAULT;
	}
	unpin_user_page(pages[0]);
	if (bad) {
		kfree(pages);
		return -EINVAL;
	}
	unpin_user_pages(pages + 1, count - 1);
	kfree(pages);
	return 0;
}
`, messages: [/freed with some of its references still held \(line 19\): the path released only part of it \(line 17 releases only /] },
    {
      // The count compared inline, the array argument an offset into the array, the error
      // path releasing only the earlier chunks (by another counter).
      name: 'chunked pin tested inline: the short chunk leaks', code: `
int pi_chunked(struct page **pages, unsigned long uaddr, unsigned long npages)
{
	unsigned long done = 0;

	while (done < npages) {
		unsigned long nr = min(npages - done, 512UL);

		if (get_user_pages_fast(uaddr + (done << PAGE_SHIFT), nr, FOLL_WRITE, pages + done) != nr) /* expect: partial-pin-unchecked:warning */
			goto err;
		done += nr;
	}
	return 0;
err:
	while (done)
		put_page(pages[--done]);
	return -ENOMEM;
}
` },
    {
      // An offset array argument whose call mentions a counter set to a constant elsewhere.
      name: 'second half pinned at an offset, tested inline', code: `
int ph_halves(struct page **pages, unsigned long uaddr, unsigned long npages)
{
	unsigned long done = 0;
	unsigned long half = npages / 2;

	if (get_user_pages_fast(uaddr, half, FOLL_WRITE, pages) != half) /* expect: partial-pin-unchecked:warning */
		return -ENOMEM;
	done += half;
	if (get_user_pages_fast(uaddr + (done << PAGE_SHIFT), half, FOLL_WRITE, pages + done) != half) /* expect: partial-pin-unchecked:warning */
		return -ENOMEM;
	return 0;
}
` },
    {
      // The error path releases by a counter of earlier work, not by this call's count.
      name: 'error path releasing by another counter', code: `
int pj_cleanup(struct page **pages, unsigned long uaddr, unsigned long nr)
{
	unsigned long done = 0;

	if (get_user_pages_fast(uaddr, nr, FOLL_WRITE, pages) != nr) /* expect: partial-pin-unchecked:warning */
		goto err;
	done = nr;
	return 0;
err:
	while (done)
		put_page(pages[--done]);
	return -ENOMEM;
}
` },
    {
      // The requested count initialised to 0 at its declaration, computed later: it is no
      // status flag, and the short pin freed on the error path is still a leak.
      name: 'count variable initialised to 0 before it is computed', code: `
int pz_userptr(struct pz_bo *bo, unsigned long addr)
{
	unsigned int want = 0;
	struct page **pages;
	int ret;

	want = bo->size >> PAGE_SHIFT;
	pages = kvcalloc(want, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	ret = get_user_pages_fast(addr, want, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */
	if (ret != want) {
		ret = -ENOMEM;
		goto out;
	}
	ret = pz_use(bo, pages, want);
out:
	kvfree(pages);
	return ret;
}
` },
    {
      name: 'error path releases all nr after a short pin', code: `
int pc_over(unsigned long uaddr, struct page **pages, int nr)
{
	int ret = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */

	if (ret != nr) {
		unpin_user_pages(pages, nr);
		return -EFAULT;
	}
	return 0;
}
` },
    {
      name: 'short pin returned as an error with the pages held', code: `
int pc_leak(unsigned long uaddr, struct page **pages, int nr)
{
	int ret = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */

	if (ret != nr)
		return -EFAULT;
	return 0;
}
` },
    {
      name: 'only < 0 tested, then all entries released', code: `
int pc_lt0(unsigned long uaddr, struct page **pages, int nr)
{
	int n = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */

	if (n < 0)
		return n;
	unpin_user_pages(pages, nr);
	return 0;
}
` },
    {
      name: 'result ignored (4.9)', era: '4.9', code: `
void pc_ignored(unsigned long uaddr, struct page **pages, int nr)
{
	int i;

	get_user_pages_fast(uaddr, nr, 1, pages); /* expect: partial-pin-unchecked:warning */
	for (i = 0; i < nr; i++)
		put_page(pages[i]);
}
` },
    {
      name: 'only < 0 tested, then success returned', code: `
int pp_ret(unsigned long uaddr, int nr, struct page **pages)
{
	int ret = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */

	if (ret < 0)
		return ret;
	return 0;
}
`,
      messages: [/the count is tested only for an error and then dropped \(line 8\): the caller takes all nr entries as filled: .*, or return the count$/],
    },
    {
      // As the chunked case above, with the completed rounds released by one call
      // (release_pages(pages, done)) instead of a put_page() loop: the counter was advanced
      // by the requested count, so a short count of the failing call is still held.
      name: 'chunked pin into a member array, rounds released by release_pages(pages, done)', code: `
int pr_fill(struct pr_obj *o, unsigned long uaddr, unsigned long total, int wr)
{
	unsigned long done = 0;
	int err = 0;

	while (done < total) {
		unsigned long nr = min(total - done, 1024UL);

		if (get_user_pages_fast(uaddr + (done << PAGE_SHIFT), nr, wr, o->pages + done) != nr) { /* expect: partial-pin-unchecked:warning */
			err = -ENOMEM;
			goto out;
		}
		done += nr;
	}
	return 0;
out:
	if (done)
		release_pages(o->pages, done);
	kvfree(o->pages);
	o->pages = NULL;
	return err;
}
`, messages: [/freed with its references still held/] },
    {
      // After the full count is established, the count sizes an allocation; its failure path
      // frees the array with every reference held. (Reading the count on a path of the full
      // count only does not hand the references to anyone.)
      name: 'a full count read by a later allocation, then the array freed on its failure', code: `
struct fl_frame { long nr; struct scatterlist *sgl; };

int fl_build(struct fl_frame *fr, unsigned long uaddr, int nr_req)
{
	struct page **pages;
	long n, i;

	pages = vmalloc(nr_req * sizeof(*pages));
	if (!pages)
		return -ENOMEM;
	n = get_user_pages_unlocked(uaddr, nr_req, pages, FOLL_WRITE); /* expect: partial-pin-unchecked:warning */
	if (n != nr_req) {
		for (i = 0; i < n; i++)
			put_page(pages[i]);
		vfree(pages);
		return -EFAULT;
	}
	fr->sgl = kmalloc_array(n, sizeof(*fr->sgl), GFP_KERNEL);
	if (!fr->sgl) {
		vfree(pages);
		return -ENOMEM;
	}
	sg_init_table(fr->sgl, n);
	for (i = 0; i < n; i++)
		sg_set_page(&fr->sgl[i], pages[i], PAGE_SIZE, 0);
	fr->nr = n;
	vfree(pages);
	return 0;
}
`, messages: [/^get_user_pages_unlocked\(\) gets all nr_req pages on a path, but pages is freed with its references still held \(line 21\)/] },
    {
      // An errno passing a mixed-sign test as a full count is one finding; the path of a real
      // full count goes on, and a later error path frees the array with the references held.
      name: 'an errno passed as a full count, and the real full count leaked on a later error path', code: `
int fm_import(struct sg_table *sgt, unsigned long addr, unsigned int page_count)
{
	struct page **pages;
	int result, i;

	pages = kcalloc(page_count, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	mmap_read_lock(current->mm);
	result = get_user_pages(addr, page_count, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */
	mmap_read_unlock(current->mm);
	if (result < page_count) {
		for (i = 0; i < result; i++)
			put_page(pages[i]);
		kfree(pages);
		return -ENODEV;
	}
	result = sg_alloc_table_from_pages(sgt, pages, page_count, 0, page_count * PAGE_SIZE, GFP_KERNEL);
	if (result < 0)
		goto error;
	return 0;
error:
	kfree(pages);
	return result;
}
`, messages: [/the test at line 13 converts an error .* as if all page_count entries were filled; also, pages is freed with its references still held \(line 24\)/] },
    {
      // A loop after the full count with its own counter (`for (i = 1; ...)`, the counter
      // of the short path's release loop set anew): its test says nothing about the count,
      // and the later error path frees the array with every reference held.
      name: 'a counter reused by a later loop does not hide a leak on the full path', code: `
struct lr_desc { struct sg_table sgt; int chunks; struct page **pages; };

int lr_map(struct lr_desc *d, unsigned long addr, unsigned int page_count, size_t size)
{
	struct page **pages;
	int result, i;

	pages = kcalloc(page_count, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	result = get_user_pages_fast(addr, page_count, FOLL_WRITE, pages); /* expect: partial-pin-unchecked:warning */
	if (result < 0 || result != page_count) {
		for (i = 0; i < result; i++)
			put_page(pages[i]);
		kfree(pages);
		return -EFAULT;
	}
	d->chunks = 1;
	for (i = 1; i < page_count; i++)
		if (page_to_pfn(pages[i]) != page_to_pfn(pages[i - 1]) + 1)
			d->chunks++;
	result = sg_alloc_table_from_pages(&d->sgt, pages, page_count, 0, size, GFP_KERNEL);
	if (result < 0)
		goto error;
	d->pages = pages;
	return 0;
error:
	kfree(pages);
	return result;
}
`, messages: [/gets all page_count pages on a path, but pages is freed with its references still held \(line 29\)/] },
    {
      // The short count and 0 are tested, a negative errno falls through to `return 0`.
      name: 'an error reaches the return of success past the tests of a short count and of 0', code: `
static int es_pin(unsigned long addr, int nr_pages, struct page **pages)
{
	int npages = get_user_pages_unlocked(addr, nr_pages, pages, FOLL_WRITE); /* expect: partial-pin-unchecked:warning */

	if (npages > 0 && npages < nr_pages) {
		while (npages--)
			put_page(pages[npages]);
		return -EFAULT;
	} else if (npages == 0) {
		return -EFAULT;
	}
	return 0;
}
`, messages: [/the tests of the count take out a short count but not an error: a negative errno reaches the return of success at line 13, and the caller takes all nr_pages entries of pages as filled/] },
    {
      // The struct's array, after a full get, is freed on a later allocation failure.
      name: 'a struct-held array freed with every reference held on a later error path', code: `
struct sl_info { struct page **pages; unsigned int npages; void *ring; };

int sl_lock(struct sl_info *ci, unsigned long uva, unsigned int npages)
{
	long rc;

	ci->pages = kmalloc_array(npages, sizeof(*ci->pages), GFP_KERNEL);
	if (!ci->pages)
		return -ENOMEM;
	ci->npages = npages;
	rc = get_user_pages_fast(uva, npages, FOLL_WRITE, ci->pages); /* expect: partial-pin-unchecked:warning */
	if (rc != npages) {
		if (rc > 0)
			release_pages(ci->pages, rc);
		kfree(ci->pages);
		return -EFAULT;
	}
	ci->ring = kzalloc(64, GFP_KERNEL);
	if (!ci->ring) {
		kfree(ci->pages);
		return -ENOMEM;
	}
	return 0;
}
`, messages: [/gets all npages pages on a path, but ci->pages is freed with its references still held \(line 21\)/] },
  ],
};
