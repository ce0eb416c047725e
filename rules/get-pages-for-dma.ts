import type { PageAcquire, PageQueries, Rule, RuleContext } from '../src/rule';
import { rel } from '../src/rule';

/** A call of the pin counterpart on the same pages in another arm of an `#if` group the tool
 * cannot decide (`#ifdef HAVE_PIN_USER_PAGES_FAST` / `#else`, a configure switch): the FOLL_GET
 * arm is the fallback for kernels without the pin call, the author already pins where it can. */
function pinInSiblingArm(pages: PageQueries, acq: PageAcquire, pin: string): boolean {
  const ranges = acq.fa.fn.undecided ?? [];
  const at = (line: number) => ranges.filter((r) => r.group !== undefined && r.from <= line && line <= r.to);
  const mine = at(acq.call.span.line);
  if (!mine.length) return false;
  return acq.fa.fn.calls.some((c) => {
    if (c.name !== pin) return false;
    const g = pages.gupPagesArg(acq.fa, c.id);
    if (!g || g.fam !== 'pin' || pages.rootOf(g.arg) !== acq.root) return false;
    return at(c.span.line).some((r) => mine.some((m) => m.group === r.group && m.from !== r.from));
  });
}

/** The pin_user_pages* counterpart of a get_user_pages* call, when the era has it. */
function pinVariant(ctx: RuleContext, name: string): string | null {
  const m = /^get_user_pages(_fast|_remote|_unlocked|_locked)?$/.exec(name);
  if (!m) return null;
  const pin = `pin_user_pages${m[1] ?? ''}`;
  return ctx.api.existsIn(pin, ctx.version) ? pin : null;
}

/** The calls that map pages for DMA themselves (the others of DMA_USE build scatterlists). */
const DMA_MAPPER = /^(dma_map_page\w*|ib_dma_map_page|pci_map_page)$/;

const rule: Rule = {
  meta: {
    id: 'get-pages-for-dma',
    name: 'GetPagesForDma',
    level: 'note',
    short: 'Pages from get_user_pages*() (FOLL_GET) are put into a DMA mapping or scatterlist in a tree that has pin_user_pages*().',
    full: 'Pages whose contents a device reads or writes (DMA, a scatterlist handed to a driver) should be pinned with FOLL_PIN (pin_user_pages*(), 5.6+) and released with unpin_user_page(s)*(): a FOLL_GET reference is not counted as a pin, so the core mm (writeback, fork, page migration checks through folio_maybe_dma_pinned()) cannot tell that the page is under DMA. Advisory: the code works as it did before pins existed.',
    tags: ['mm', 'gup', 'pin', 'maintainability'],
    precision: 'medium',
    messages: {
      'get-for-dma': '{{pages}} is filled by {{call}}() (FOLL_GET) and put into a DMA mapping by {{mapper}}() at line {{line}}: use {{pin}}() (FOLL_PIN) and release the pages with unpin_user_pages() (unpin_user_pages_dirty_lock() when the device wrote them) instead of put_page() or release_pages()',
      'get-for-sg': '{{pages}} is filled by {{call}}() (FOLL_GET) and put into a scatterlist by {{mapper}}() at line {{line}}, the form in which pages go to a device for DMA: use {{pin}}() (FOLL_PIN) and release the pages with unpin_user_pages() (unpin_user_pages_dirty_lock() when the device wrote them) instead of put_page() or release_pages()',
      'get-for-dma-caller': '{{pages}} is filled by {{call}}() (FOLL_GET), and {{caller}}() ({{callAt}}) puts the array it passed in into a DMA mapping by {{mapper}}() ({{useAt}}): use {{pin}}() (FOLL_PIN) and release the pages with unpin_user_pages() (unpin_user_pages_dirty_lock() when the device wrote them) instead of put_page() or release_pages()',
      'get-for-dma-null': '{{pages}} is filled by {{call}}() (FOLL_GET) and put into {{into}} by {{mapper}}() at line {{line}}, but it may be NULL at this call (set at line {{nullAt}}), where the call only faults the range in and {{pin}}() would refuse it: pin with {{pin}}() (FOLL_PIN) only on the path that passes an array, release those pages with unpin_user_pages() (unpin_user_pages_dirty_lock() when the device wrote them) instead of put_page() or release_pages(), and keep the fault-in without pages as it is',
      'get-for-sg-caller': '{{pages}} is filled by {{call}}() (FOLL_GET), and {{caller}}() ({{callAt}}) puts the array it passed in into a scatterlist by {{mapper}}() ({{useAt}}), the form in which pages go to a device for DMA: use {{pin}}() (FOLL_PIN) and release the pages with unpin_user_pages() (unpin_user_pages_dirty_lock() when the device wrote them) instead of put_page() or release_pages()',
    },
  },
  check(ctx) {
    const done = new Set<string>();
    for (const u of ctx.pages.lifecycle().dmaUses) {
      // (A count wrapper's call, `got = drv_get(ua, n, pages)` where drv_get() returns its
      // get_user_pages_fast(): the GUP call is the wrapper's, the mapping its caller's.)
      const inside = u.acq.via && !u.caller ? ctx.pages.gupPagesArg(u.acq.via.fa, u.acq.via.call.id) : null;
      const { acq, use, inner, caller } = u.acq.via && !u.caller
        ? { ...u, acq: { ...u.acq, fa: u.acq.via.fa, call: u.acq.via.call, root: (inside && ctx.pages.rootOf(inside.arg)) ?? u.acq.root }, caller: { fa: u.acq.fa, call: u.acq.call } }
        : u;
      const pin = pinVariant(ctx, acq.call.name!);
      if (!pin || pinInSiblingArm(ctx.pages, acq, pin)) continue;
      // (The wrapper's own call and its caller's wrapped one can name the same use.)
      const key = `${acq.fa.fn.file}:${acq.call.span.line}:${acq.call.span.col}:${use.span.line}:${use.span.col}`;
      if (done.has(key)) continue;
      done.add(key);
      // (A scatterlist is not itself a mapping: sg_set_page() and the table builders put the
      // pages where a DMA mapping, or a driver that maps them, takes them from.)
      const sg = !DMA_MAPPER.test(inner?.call.name ?? use.name ?? '');
      const into = sg ? 'into a scatterlist' : 'into a DMA mapping';
      if (caller) {
        // (The array a caller passed in, mapped by that caller after the call.)
        const at = (line: number) => (caller.fa.fn.file === acq.fa.fn.file ? `line ${line}` : `${caller.fa.fn.file}:${line}`);
        ctx.report({
          fa: acq.fa, span: acq.call.span, callText: acq.call.text,
          messageId: sg ? 'get-for-sg-caller' : 'get-for-dma-caller',
          data: { pages: acq.root, call: String(acq.call.name), caller: caller.fa.fn.name, callAt: at(caller.call.span.line), mapper: String(use.name), useAt: at(use.span.line), pin },
          hint: `${pin}(...)`,
          related: [rel('caller', caller.fa, caller.call.callSpan, `${caller.fa.fn.name}() passes the array in`), rel('call', caller.fa, use.callSpan, `${use.name}() puts the pages ${into}`),
            ...(inner ? [rel('call', inner.fa, inner.call.callSpan, `${inner.call.name}() in ${inner.fa.fn.name}() puts them ${into}`)] : [])],
          flow: [rel('gup', acq.fa, acq.call.callSpan, `${acq.call.name}() takes FOLL_GET references`), rel('call', caller.fa, use.callSpan, `${use.name}() puts them ${into}`)],
        });
        continue;
      }
      // (A pages argument that may be NULL here: the call faults pages in on that path, and a
      // pin call refuses a NULL array. The fix is to split the paths, not to rename the call.)
      const nulls = acq.local ? ctx.pages.nullReaching(acq.fa, acq.call.id, acq.root) : [];
      if (nulls.length) {
        ctx.report({
          fa: acq.fa, span: acq.call.span, callText: acq.call.text,
          messageId: 'get-for-dma-null',
          data: { pages: acq.root, call: String(acq.call.name), into: sg ? 'a scatterlist' : 'a DMA mapping', mapper: String(use.name), line: use.span.line, nullAt: nulls[0], pin },
          related: [rel('call', acq.fa, use.callSpan, inner || sg ? `${use.name}() puts the pages ${into}` : `${use.name}() maps the pages for DMA`),
            ...nulls.map((l) => rel('call', acq.fa, ctx.flags.lineSpan(l), `${acq.root} is set to NULL here`))],
          flow: [rel('gup', acq.fa, acq.call.callSpan, `${acq.call.name}() takes FOLL_GET references`), rel('call', acq.fa, use.callSpan, inner || sg ? `${use.name}() puts them ${into}` : `${use.name}() hands them to the device`)],
        });
        continue;
      }
      ctx.report({
        fa: acq.fa, span: acq.call.span, callText: acq.call.text,
        messageId: sg ? 'get-for-sg' : 'get-for-dma',
        data: { pages: acq.root, call: String(acq.call.name), mapper: String(use.name), line: use.span.line, pin },
        hint: `${pin}(...)`,
        related: [rel('call', acq.fa, use.callSpan, inner || sg ? `${use.name}() puts the pages ${into}` : `${use.name}() maps the pages for DMA`),
          ...(inner ? [rel('call', inner.fa, inner.call.callSpan, `${inner.call.name}() in ${inner.fa.fn.name}() puts them ${into}`)] : [])],
        flow: [rel('gup', acq.fa, acq.call.callSpan, `${acq.call.name}() takes FOLL_GET references`), rel('call', acq.fa, use.callSpan, inner || sg ? `${use.name}() puts them ${into}` : `${use.name}() hands them to the device`),
          ...(inner ? [rel('call', inner.fa, inner.call.callSpan, `${inner.call.name}() puts them ${into}`)] : [])],
      });
    }
  },
};
export default rule;
