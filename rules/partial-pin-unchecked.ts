import type { LifecycleFinding, LifecycleStep, Rule } from '../src/rule';
import type { Related } from '../src/findings';
import type { Span } from '../src/parse/ir';

function stepSpan(s: LifecycleStep): Span {
  return { line: s.line, col: s.col ?? 1, endLine: s.line, endCol: s.endCol ?? (s.col ?? 1) };
}

function asRelated(s: LifecycleStep, role: Related['role']): Related {
  return { role, file: s.fa.fn.file, span: stepSpan(s), message: s.what };
}

/** What went wrong on the path, in words, and what to write instead. */
function explain(f: LifecycleFinding): { problem: string; fix: string } {
  const { acq } = f;
  const n = acq.nr ?? '1';
  const count = acq.countVar ?? 'ret';
  const release = acq.fam === 'pin' ? `unpin_user_pages(${acq.root}, ${count})` : `release exactly ${count} pages (put_page() each)`;
  const last = f.path[f.path.length - 1];
  const handle = `handle 0 <= ${count} < ${n} (e.g. if (${count} != ${n}) { if (${count} > 0) ${release}; return -EFAULT; })`;
  switch (f.kind) {
    case 'ignored':
      return { problem: 'its result is ignored, so nobody knows how many entries hold references', fix: `store the count and ${handle}` };
    case 'short-use':
      return { problem: `the count is tested only for an error before all ${n} entries are used (line ${last.line}): after a short ${acq.fam === 'pin' ? 'pin' : 'get'} the rest of ${acq.root} is unset`, fix: handle };
    case 'short-return':
      return { problem: `the count is tested only for an error and then dropped (line ${last.line}): the caller takes all ${n} entries as filled`, fix: `${handle}, or return the count` };
    case 'negative-release':
      return { problem: `an error path passes ${count} to a release while it may still be a negative errno (line ${last.line}): the release takes it as a huge unsigned count`, fix: `release only a positive count: if (${count} > 0) ${release}` };
    case 'over-release':
      return { problem: `an error path releases all ${n} entries after a short ${acq.fam === 'pin' ? 'pin' : 'get'} (line ${last.line}), unset ones included`, fix: `release only the ${count} entries that were filled: ${release}` };
    case 'leak':
      return { problem: /count lost/.test(last.what)
        ? `a path returns after a short ${acq.fam === 'pin' ? 'pin' : 'get'} with the references held and the count dropped (line ${last.line}): whatever releases ${acq.root} later cannot tell which entries are set`
        : `a path returns with references held that nothing owns (line ${last.line})`, fix: acq.nr ? `release them on that path: ${release}` : `release the page on that path (${acq.fam === 'pin' ? 'unpin_user_page()' : 'put_page()'})` };
    case 'leak-free': {
      const earlier = f.earlier;
      if (earlier) {
        const back = acq.fam === 'pin' ? `unpin_user_pages(${acq.root}, ${earlier})` : `release the first ${earlier} pages (put_page() each)`;
        return { problem: `${acq.root} is freed on an error path with the entries that earlier rounds of the loop filled still held (line ${last.line})`, fix: `release them before freeing the array: ${back}` };
      }
      return { problem: `${acq.root} is freed with its references still held (line ${last.line})`, fix: `release the pages before freeing the array: ${release}` };
    }
  }
  return { problem: 'the count is not handled', fix: handle };
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
  },
  check(ctx) {
    for (const f of ctx.pages.lifecycle().findings) {
      const { acq } = f;
      const { problem, fix } = explain(f);
      const flow = f.path.map((s, i) => asRelated(s, i === 0 ? 'gup' : i === f.path.length - 1 ? (f.kind === 'over-release' || f.kind === 'negative-release' ? 'release' : 'call') : 'call'));
      const related: Related[] = flow.slice(1);
      for (const o of f.siblings) related.push({ role: 'gup', file: o.fa.fn.file, span: o.call.callSpan, message: `${o.call.name}() of the same function: its count is not handled either` });
      for (const c of f.callerFrees ?? []) related.push(asRelated(c, 'caller'));
      const frees = f.callerFrees?.length ? ` (${f.callerFrees.map((c) => `${c.fa.fn.name}() at ${c.fa.fn.file === acq.fa.fn.file ? 'line ' : `${c.fa.fn.file}:`}${c.line}`).join(', ')} then free${f.callerFrees.length === 1 ? 's' : ''} the array without releasing them)` : '';
      for (const o of f.also ?? []) { const last = o.path[o.path.length - 1]; related.push(asRelated(last, 'call')); }
      const more = (f.also ?? []).map((o) => explain(o).problem);
      const also = (more.length ? `; also, ${more.join('; ')}` : '') + (f.siblings.length ? ` (so is the count of ${f.siblings.map((o) => `${o.call.name}() at line ${o.call.span.line}`).join(', ')})` : '');
      ctx.report({
        fa: acq.fa, span: acq.call.span, callText: acq.call.text,
        message: `${acq.call.name}() may get fewer than ${acq.nr ?? 'the'} pages it asks for, but ${problem}${frees}${also}: ${fix}`,
        hint: fix,
        related,
        flow,
      });
    }
  },
};
export default rule;
