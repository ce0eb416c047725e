import type { Rule } from '../src/rule';
import { rel } from '../src/rule';

const rule: Rule = {
  meta: {
    id: 'write-lock-for-gup',
    name: 'WriteLockForGup',
    level: 'warning',
    short: 'The mmap write lock is taken for a region whose only lock need is GUP.',
    full: 'GUP needs only the read side of the mmap lock. Taking the write lock around a region that does nothing but GUP serialises every page fault and mmap of the process for no reason.',
    tags: ['mm', 'gup', 'mmap_lock', 'performance'],
    precision: 'low',
    messages: {
      'write-lock-for-gup-only': '{{acquire}}() takes the mmap write lock of {{mm}} for a region that only calls {{calls}}; GUP needs only the read lock',
    },
  },
  check(ctx) {
    const done = new Set<string>();
    for (const s of ctx.sites) {
      const { fa, call, cls } = s;
      if (!ctx.locks.requiresLock(s)) continue;
      for (const w of fa.atCall[call.id]) {
        const v = ctx.locks.lockOf(w, cls.key!);
        if (v.st !== 'W' || v.acq === undefined) continue;
        const id = `${fa.fn.file}:${fa.fn.startLine}:${v.acq}`;
        if (done.has(id)) continue;
        done.add(id);
        const region = ctx.regions.of(fa, v.acq, cls.key!);
        const work = ctx.regions.work(fa, region, (c) => { const k = fa.classes[c]; return k.kind === 'gup' && k.era?.lock !== 'forbidden'; });
        if (work.other.length || work.escapes || region.releases.length === 0) continue;
        const first = work.gups.map((g) => fa.fn.calls[g]).sort((a, b) => a.span.line - b.span.line || a.span.col - b.span.col)[0];
        const acq = fa.fn.calls[v.acq];
        ctx.report({
          fa, span: first.span, callText: first.text,
          messageId: 'write-lock-for-gup-only',
          data: { acquire: String(acq.name), mm: String(cls.key), calls: work.gups.map((g) => fa.fn.calls[g].name + '()').join(', ') },
          hint: acq.name!.startsWith('mmap_') ? 'mmap_read_lock()/mmap_read_unlock()' : 'down_read()/up_read()',
          related: [rel('acquire', fa, acq.callSpan, 'write lock taken here'), ...region.releases.map((r) => rel('release', fa, fa.fn.calls[r].callSpan, 'released here'))],
          // (A write lock taken under an undecided #if: the finding exists only if it is built.)
          onlyWhere: [acq.span],
        });
      }
    }
  },
};
export default rule;
