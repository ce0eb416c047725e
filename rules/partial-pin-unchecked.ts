import type { LifecycleFinding, LifecycleStep, MessageData, Rule } from '../src/rule';
import { renderMessage } from '../src/rule';
import type { Related } from '../src/findings';
import type { Span } from '../src/parse/ir';

function stepSpan(s: LifecycleStep): Span {
  return { line: s.line, col: s.col ?? 1, endLine: s.line, endCol: s.endCol ?? (s.col ?? 1) };
}

function asRelated(s: LifecycleStep, role: Related['role']): Related {
  return { role, file: s.fa.fn.file, span: stepSpan(s), message: s.what };
}

/** What went wrong on the path, by case: the middle of the rule's message (its id is the
 * message's id), and the wording of a further problem on the same call (`; also, ...`). */
const PROBLEMS: Record<string, string> = {
  'ignored': 'its result is ignored, so nobody knows how many entries hold references',
  'errno-use': 'the count is tested only against 0 before {{pages}} is used (line {{line}}): a negative errno passes that test, and {{pages}} is unset then',
  'errno-success': 'the tests of the count take out a short count but not an error: a negative errno reaches the return of success at line {{line}}, and the caller takes all {{nr}} entries of {{pages}} as filled, none of them set',
  'ignored-one': 'its result is ignored, and {{pages}} is used (line {{line}}) whether or not the call set it',
  'short-use': 'the count is tested only for an error before all {{nr}} entries are used (line {{line}}): after a short {{family}} the rest of {{pages}} is unset',
  'short-return': 'the count is tested only for an error and then dropped (line {{line}}): the caller takes all {{nr}} entries as filled',
  'negative-release': 'an error path passes {{count}} to a release while it may still be a negative errno (line {{line}}): the release takes it as a huge unsigned count',
  'negative-release-warned': 'an error path passes {{count}} to unpin_user_pages() while it may still be a negative errno (line {{line}}): in this kernel unpin_user_pages() catches such a count with a WARN (a kernel warning splat, reported as a bug) and releases nothing',
  'negative-unsigned': 'the count is kept in {{count}}, which is unsigned: an error (a negative errno) becomes a huge count, and an error path releases that many entries (line {{line}})',
  'negative-unsigned-loop': 'the count is kept in {{count}}, which is unsigned: an error (a negative errno) becomes a huge count, and the loop at line {{line}} walks that many entries of {{pages}}',
  'negative-passes': 'the count is kept in {{count}}, which is unsigned: an error (a negative errno) becomes a huge count that passes the test at line {{line}} as a full {{family}}, and the path goes on as if all {{nr}} entries were filled',
  'negative-passes-mixed': '{{count}} is signed and {{nr}} is unsigned and at least as wide: the test at line {{line}} converts an error (a negative errno) to a huge count that passes as a full {{family}}, and the path goes on as if all {{nr}} entries were filled',
  'over-release-errno': 'an error path releases all {{nr}} entries of {{pages}} (line {{line}}) though the call failed and set none of them',
  'over-release': 'an error path releases all {{nr}} entries after a short {{family}} (line {{line}}), unset ones included',
  'leak-count-lost': 'a path returns after a short {{family}} with the references held and the count dropped (line {{line}}): whatever releases {{pages}} later cannot tell which entries are set',
  'leak': 'a path returns with references held that nothing owns (line {{line}})',
  'leak-free-earlier': '{{pages}} is freed on an error path with the entries that earlier rounds of the loop filled still held (line {{line}})',
  'leak-free': '{{pages}} is freed with its references still held (line {{line}})',
  'leak-free-partial': '{{pages}} is freed with some of its references still held (line {{line}}): the path released only part of it ({{where}})',
  'refill': 'the loop adds the count up in {{acc}} (line {{line}}) and calls it again with the same start and the same {{pages}}: after a short {{family}} the next round fills {{pages}} from its first entry again, over the references the round before took, which are lost',
  'unhandled': 'the count is not handled',
};

/** {{gets}}: what the call may do (fewer than nr pages, or not the one page); {{frees}}: the callers that then free the array; {{also}}: the other problems of the call
 * and the other calls whose count is not handled either; {{fix}}: what to write instead (the
 * hint). */
const MESSAGES: Record<string, string> = Object.fromEntries(Object.entries(PROBLEMS).map(([id, problem]) =>
  [id, `{{call}}() {{gets}}, but ${problem}{{frees}}{{also}}: {{fix}}`]));

/** The fix of a negative count released: through the release call the path names when
 * it is a helper of the tree (`qp_release_pages() gets retval ...`). */
function negativeFix(what: string, count: string, release: string): string {
  const via = /^([A-Za-z_]\w*)\(\) gets /.exec(what)?.[1];
  if (via && !/^(unpin_user_pages\w*|put_user_pages\w*)$/.test(via)) return `release only a positive count: call ${via}() only if (${count} > 0)`;
  return `release only a positive count: if (${count} > 0) ${release}`;
}

/** What went wrong on the path (a key of PROBLEMS and the values of its placeholders), and
 * what to write instead. */
function explain(f: LifecycleFinding): { id: string; data: MessageData; fix: string } {
  const r = explainKind(f);
  // (The call's count kept nowhere: the fix names a new variable for it.)
  if (!f.acq.countVar && f.kind !== 'ignored' && r.data.count && f.acq.nr !== null) r.fix = `keep the count (${r.data.count} = ${f.acq.call.name}(...)), then ${r.fix}`;
  return r;
}

function explainKind(f: LifecycleFinding): { id: string; data: MessageData; fix: string } {
  const { acq } = f;
  const n = acq.nrText ?? acq.nr ?? '1';
  // (Not stored: a name the function does not use yet, and the fix says to keep it there.)
  const count = acq.countVar ?? acq.countName ?? 'ret';
  // (The array as the call was given it: `*pv` for an out-parameter `struct page ***pv`.)
  // (Or as the call filled it from an offset, `pages + done`: the entries this call set.)
  const esc = acq.root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const offset = acq.call.argText.map((t) => t.replace(/\s+/g, ' ').trim()).find((t) => new RegExp(`^(?:${esc}\\s*\\+|&\\s*${esc}\\s*\\[)`).test(t));
  const arr = acq.call.argText.some((t) => t.replace(/[\s()]/g, '') === `*${acq.root}`) ? `*${acq.root}` : offset ?? acq.root;
  const release = acq.fam === 'pin' ? `unpin_user_pages(${arr}, ${count})` : `release exactly ${count} pages (put_page() each)`;
  const last = f.path[f.path.length - 1];
  const data = { nr: n, line: last.line, family: acq.fam === 'pin' ? 'pin' : 'get', pages: acq.root, count };
  const handle = `handle 0 <= ${count} < ${n} (e.g. if (${count} != ${n}) { if (${count} > 0) ${release}; return -EFAULT; })`;
  switch (f.kind) {
    case 'refill': {
      const acc = f.acc ?? count;
      // (A request already written as the rest, `nr - got`: only the start and the array
      // stay behind.)
      const rest = n.replace(/\s+/g, '').endsWith(`-${acc.replace(/\s+/g, '')}`) ? n : `${n} - ${acc}`;
      return { id: 'refill', data: { ...data, acc }, fix: `ask for the rest from where the rounds got to (the start advanced by ${acc} pages, ${acq.root} + ${acc}, ${rest} pages), or release the ${count} pages of a short round before asking again` };
    }
    case 'ignored':
      if (!acq.nr) return { id: 'ignored-one', data, fix: `use ${acq.root} only if the call returns 1` };
      return { id: 'ignored', data, fix: `store the count and ${handle}` };
    case 'short-use': return { id: 'short-use', data, fix: handle };
    case 'errno-use': return { id: 'errno-use', data, fix: `return on ${count} <= 0 (or ${count} != 1) before using ${acq.root}` };
    case 'errno-success': return { id: 'errno-success', data, fix: `return an error when ${count} < 0 (test ${count} != ${n} once, releasing ${count} > 0 entries, instead of the separate tests)` };
    case 'short-return': return { id: 'short-return', data, fix: `${handle}, or return the count` };
    case 'negative-release':
      if (/ walks .*is unsigned/.test(last.what)) return { id: 'negative-unsigned-loop', data, fix: `keep the count in a signed long and return on ${count} < 0 before the loop` };
      return /is unsigned/.test(last.what)
        ? { id: 'negative-unsigned', data, fix: `keep the count in a signed long and return on ${count} < 0 before releasing ${count} entries` }
        : (() => {
          // (The requested count set to the count on the way, `nr = ret`: the release gets
          // that variable.)
          const held = /\(\) gets ([A-Za-z_]\w*), which may still be a negative errno/.exec(last.what)?.[1];
          if (!held || held === count) return { id: 'negative-release', data, fix: negativeFix(last.what, count, release) };
          const via = f.path.find((st) => st.what.startsWith(`${held} = `));
          return { id: 'negative-release', data: { ...data, count: held }, fix: `release only a positive count: set ${held} = ${count} only if (${count} > 0)${via ? ` (line ${via.line})` : ''}, or return on ${count} < 0 first` };
        })();
    case 'negative-passes': {
      const mixed = f.path.find((s) => /is signed and .* unsigned, so a negative errno converts/.test(s.what));
      if (mixed) return { id: 'negative-passes-mixed', data: { ...data, line: mixed.line }, fix: `return on ${count} < 0 before comparing it with ${n}, or test ${count} != ${n}` };
      const test = f.path.find((s) => /is unsigned, so a negative errno/.test(s.what));
      return { id: 'negative-passes', data: { ...data, line: test?.line ?? last.line }, fix: `keep the count in a signed long and return on ${count} < 0 first, or test ${count} != ${n}` };
    }
    case 'over-release': {
      // (The count overwritten on the path, `ret = -EFAULT; goto err;`: it no longer says
      // how many entries were filled there.)
      const lost = f.path.find((s) => / is overwritten: the count is lost$/.test(s.what));
      if (lost) return { id: 'over-release', data, fix: `keep the count in a variable of its own (${count} is overwritten at line ${lost.line}) and release only the entries that were filled` };
      if (/ after an error, none of them set$/.test(last.what)) return { id: 'over-release-errno', data, fix: `release nothing when ${count} < 0: no entry is set` };
      return { id: 'over-release', data, fix: `release only the ${count} entries that were filled: ${release}` };
    }
    case 'leak': {
      // (The count overwritten on the way, `else if (rc >= 0) rc = -EFAULT;`: released on
      // the return path it would be a negative count; the release goes before that line.)
      const lost = f.path.find((s) => / is overwritten: the count is lost$/.test(s.what));
      return { id: /count lost/.test(last.what) ? 'leak-count-lost' : 'leak', data,
        // (A path that never tested the count may carry an errno: release a positive count.)
        fix: acq.nr ? (lost ? `release them before ${count} is overwritten at line ${lost.line}: ${release}` : `release them on that path: ${f.path.some((st) => / is (true|false) here/.test(st.what)) ? release : `if (${count} > 0) ${release}`}`) : `release the page on that path (${acq.fam === 'pin' ? 'unpin_user_page()' : 'put_page()'})` };
    }
    case 'leak-free': {
      if (f.partial) {
        // (The step that released part of the array: a loop left early, or a release of some
        // entries.)
        const part = f.path.find((s) => /^leaves the loop releasing |\(\) releases only |releases the entries of earlier rounds/.test(s.what));
        const only = part ? /\(\) releases only (.*)$/.exec(part.what)?.[1] : undefined;
        const loop = !!part && /^leaves the loop/.test(part.what);
        const where = !part ? 'earlier on the path' : loop ? `the release loop is left before its end at line ${part.line}`
          : only ? `line ${part.line} releases only ${only}` : `the loop at line ${part.line} releases only the entries of earlier rounds`;
        return { id: 'leak-free-partial', data: { ...data, where },
          fix: loop ? `release the entries the loop has not reached before leaving it at line ${part.line} (or leave it only after releasing them)` : `release the entries that are still held before freeing the array` };
      }
      const earlier = f.earlier;
      if (earlier) {
        const back = acq.fam === 'pin' ? `unpin_user_pages(${acq.root}, ${earlier})` : `release the first ${earlier} pages (put_page() each)`;
        return { id: 'leak-free-earlier', data, fix: `release them before freeing the array: ${back}` };
      }
      // (After a full count every entry holds a reference: all nr of them, whatever the
      // count's variable holds by then.)
      if (f.full) return { id: 'leak-free', data, fix: `release the pages before freeing the array: ${acq.fam === 'pin' ? `unpin_user_pages(${arr}, ${n})` : `release all ${n} pages (put_page() each)`}` };
      // (The count overwritten before the free, `ret = -ENOMEM; goto out;`: the release goes
      // where it is still the count.)
      const lost = f.path.find((s) => / is overwritten: the count is lost$/.test(s.what));
      if (lost) return { id: 'leak-free', data, fix: `release the pages before ${count} is overwritten at line ${lost.line}: ${release}` };
      return { id: 'leak-free', data, fix: `release the pages before freeing the array: ${release}` };
    }
  }
  return { id: 'unhandled', data, fix: handle };
}

const rule: Rule = {
  meta: {
    id: 'partial-pin-unchecked',
    name: 'PartialPinUnchecked',
    level: 'warning',
    short: 'The page count of a GUP call is not handled: a short pin is used, over-released or leaked.',
    full: 'GUP entry points return the number of pages they got, which can be less than nr_pages (a hole, a VMA boundary, a fatal signal, FOLL_NOWAIT, a lockless walk that stops early); a negative errno comes back only when nothing was obtained. The references are followed from the call along every path: a path that ignores the count or tests it only for an error and then uses, maps or releases all nr_pages entries, that releases all nr_pages entries after a short count, that frees the array with references held, or that returns with references nothing owns (the count lost) is reported.',
    tags: ['mm', 'gup', 'correctness'],
    precision: 'medium',
    messages: MESSAGES,
  },
  check(ctx) {
    for (const f of ctx.pages.lifecycle().findings) {
      const { acq } = f;
      const e0 = explain(f);
      // (unpin_user_pages() refuses an errno count with a WARN in 6.1 and 6.12, as far as
      // the API facts go: the other releases, unpin_user_pages_dirty_lock(..., true) among
      // them, loop over it.)
      const warned = e0.id === 'negative-release' && /^unpin_user_pages\(\) gets /.test(f.path[f.path.length - 1].what) && ctx.api.cmpVersion(ctx.version, [6, 1]) >= 0;
      const { id, data, fix } = warned ? { ...e0, id: 'negative-release-warned' } : e0;
      const flow = f.path.map((s, i) => asRelated(s, i === 0 ? 'gup' : i === f.path.length - 1 ? (f.kind === 'over-release' || (f.kind === 'negative-release' && id !== 'negative-unsigned-loop') ? 'release' : 'call') : 'call'));
      const related: Related[] = flow.slice(1);
      for (const o of f.siblings) related.push({ role: 'gup', file: o.fa.fn.file, span: o.call.callSpan, message: `${o.call.name}() of the same function: its count is not handled either` });
      for (const c of f.callerFrees ?? []) related.push(asRelated(c, 'caller'));
      const frees = f.callerFrees?.length ? ` (${f.callerFrees.map((c) => `${c.fa.fn.name}() at ${c.fa.fn.file === acq.fa.fn.file ? 'line ' : `${c.fa.fn.file}:`}${c.line}`).join(', ')} then free${f.callerFrees.length === 1 ? 's' : ''} the array without releasing them)` : '';
      for (const o of f.also ?? []) { const last = o.path[o.path.length - 1]; related.push(asRelated(last, 'call')); }
      // (A compat wrapper's call: the GUP call whose count it returns.)
      const v = acq.via;
      const where = v ? (v.fa.fn.file === acq.fa.fn.file ? `line ${v.call.span.line}` : `${v.fa.fn.file}:${v.call.span.line}`) : '';
      const wraps = v ? `returns the count of its ${v.call.name}() (${where}) and ` : '';
      if (v) related.push({ role: 'gup', file: v.fa.fn.file, span: v.call.callSpan, message: `${acq.call.name}() returns the count of this ${v.call.name}() call` });
      const more = (f.also ?? []).map((o) => { const e = explain(o); return renderMessage(PROBLEMS[e.id], e.data); });
      const also = (more.length ? `; also, ${more.join('; ')}` : '') + (f.siblings.length ? ` (so is the count of ${f.siblings.map((o) => `${o.call.name}() at line ${o.call.span.line}`).join(', ')})` : '');
      ctx.report({
        fa: acq.fa, span: acq.call.span, callText: acq.call.text,
        messageId: id,
        // (A single page is got or not: no "fewer than 1 pages". A leak of it is about the
        // path on which the call got it.)
        data: { ...data, call: String(acq.call.name), gets: wraps + (f.full ? `${acq.fam === 'pin' ? 'pins' : 'gets'} all ${acq.nrText ?? acq.nr} pages on a path` : acq.nr ? `may get fewer than ${acq.nrText ?? acq.nr} pages it asks for` : id === 'leak' ? `${acq.fam === 'pin' ? 'pins' : 'takes a reference on'} the page it asks for` : 'may fail to get the page it asks for'), frees, also, fix },
        hint: fix,
        related,
        flow,
      });
    }
  },
};
export default rule;
