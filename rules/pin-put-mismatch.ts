import type { Rule } from '../src/rule';
import { rel } from '../src/rule';
import type { Related } from '../src/findings';

const rule: Rule = {
  meta: {
    id: 'pin-put-mismatch',
    name: 'PinPutMismatch',
    level: 'error',
    short: 'Pages pinned with pin_user_pages*() released with put_page(), or FOLL_GET pages released with unpin_user_page*().',
    full: 'FOLL_PIN and FOLL_GET count references differently (a pin adds GUP_PIN_COUNTING_BIAS to a small folio, or 1 to _pincount of a large one). put_page() on a pinned page leaks it and leaves folio_maybe_dma_pinned() true for good; unpin_user_page() on a FOLL_GET page underflows the refcount and frees a page that is still mapped. The pages are followed from the GUP call through local variables, struct fields of the same file and release helpers.',
    tags: ['mm', 'gup', 'pin', 'correctness'],
    precision: 'medium',
    // {{source}}: the GUP call that took the references (`f() at line N`, or the family when
    // none is known); {{via}}: the helper clause (` (f() releases it with g() at line N)`, or '').
    messages: {
      'pinned-put': '{{pages}} was pinned (FOLL_PIN) by {{source}}, but {{release}}(){{via}} releases it as FOLL_GET references: release pinned pages with unpin_user_page()/unpin_user_pages() (unpin_user_pages_dirty_lock(pages, n, true) when the device wrote them)',
      'got-unpinned': '{{pages}} holds FOLL_GET references by {{source}}, but {{release}}(){{via}} releases it as pinned pages: release FOLL_GET pages with put_page()/release_pages(), or acquire them with the pin_user_pages*() counterpart',
    },
  },
  check(ctx) {
    if (!ctx.api.existsIn('pin_user_pages', ctx.version)) return;
    for (const m of ctx.pages.lifecycle().mismatches) {
      const { ev, gups, acquired, onlyInArms } = m;
      const name = ev.call.name!;
      const src = gups[0];
      const where = src ? `${src.call.name}() at ${src.fa.fn.file === ev.fa.fn.file ? 'line ' : `${src.fa.fn.file}:`}${src.call.span.line}` : `a ${acquired === 'pin' ? 'pin_user_pages*()' : 'get_user_pages*()'} call`;
      const via = ev.via ? ` (${name}() releases it with ${ev.via.call.name}() at ${ev.via.fa.fn.file === ev.fa.fn.file ? 'line ' : `${ev.via.fa.fn.file}:`}${ev.via.call.span.line})` : '';
      const related: Related[] = gups.slice(0, 3).map((g) => rel('gup', g.fa, g.call.callSpan, `${ev.root} ${acquired === 'pin' ? 'pinned (FOLL_PIN)' : 'referenced (FOLL_GET)'} by ${g.call.name}() here`));
      if (ev.via) related.push(rel('release', ev.via.fa, ev.via.call.callSpan, `${ev.via.call.name}() releases it`));
      ctx.report({
        fa: ev.fa, span: ev.call.span, callText: ev.call.text,
        // A mismatch releases with the other family (ev.fam !== acquired).
        messageId: acquired === 'pin' ? 'pinned-put' : 'got-unpinned',
        data: { pages: ev.root, source: where, release: name, via },
        hint: acquired === 'pin' ? 'unpin_user_page(s)()' : 'put_page()',
        // (Only in the builds whose #if arm has those GUP calls: the message says which.)
        ...(onlyInArms ? { onlyWhere: gups.map((g) => g.call.span) } : {}),
        related,
        // acquire -> (helper call) -> the release of the other family
        flow: [
          ...(gups[0] ? [rel('gup', gups[0].fa, gups[0].call.callSpan, `${gups[0].call.name}() ${acquired === 'pin' ? 'pins' : 'takes FOLL_GET references on'} ${ev.root}`)] : []),
          rel('release', ev.fa, ev.call.callSpan, `${name}() releases ${ev.root}${ev.via ? '' : ` as ${ev.fam === 'pin' ? 'pinned pages' : 'FOLL_GET references'}`}`),
          ...(ev.via ? [rel('release', ev.via.fa, ev.via.call.callSpan, `${ev.via.call.name}() releases them as ${ev.fam === 'pin' ? 'pinned pages' : 'FOLL_GET references'}`)] : []),
        ],
      });
    }
  },
};
export default rule;
