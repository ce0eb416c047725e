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
      'write-lock-for-helper': '{{acquire}}() in {{caller}}() takes the mmap write lock of {{mm}} for a region that only calls {{function}}(), whose only lock need is this {{call}}() call; GUP needs only the read lock',
    },
  },
  check(ctx) {
    const done = new Set<string>();
    for (const s of ctx.sites) {
      const { fa, call, cls } = s;
      if (!ctx.locks.requiresLock(s)) continue;
      // A helper whose only lock need is this call, with the lock as at its entry: a caller
      // that takes the write lock only around the helper's call.
      if (cls.key && fa.atCall[call.id].length && fa.atCall[call.id].every((w) => ctx.locks.lockOf(w, cls.key!).st === 'E') && !/^mm\//.test(fa.fn.file)
        && !fa.fn.calls.some((c, id) => id !== call.id && (ctx.regions.needsLock(c.name ?? '') || fa.classes[id].kind === 'gup' || fa.classes[id].kind === 'lock'))
        // (`current->mm->pinned_vm += n` in the helper: the write lock guards that.)
        && ctx.regions.fieldsNeedingLock(fa).length === 0) {
        for (const st of ctx.program.callersOf(fa)) {
          if (st.caller === fa) continue;
          const k = ctx.program.mapKey(fa, cls.key, st.caller, st.call);
          const vs = k ? st.caller.atCall[st.call.id].map((w) => ctx.locks.lockOf(w, k)) : [];
          if (!k || !vs.length || !vs.every((v) => v.st === 'W' && v.acq !== undefined)) continue;
          for (const a of new Set(vs.map((v) => v.acq!))) {
            const id = `${st.caller.fn.file}:${st.caller.fn.startLine}:${a}`;
            if (done.has(id)) continue;
            const r = ctx.regions.of(st.caller, a, k);
            const wk = ctx.regions.work(st.caller, r, st.call.id);
            if (wk.gups.length !== 1 || wk.other.length || wk.escapes || r.releases.length === 0) continue;
            done.add(id);
            const acq = st.caller.fn.calls[a];
            ctx.report({
              fa, span: call.span, callText: call.text,
              messageId: 'write-lock-for-helper',
              data: { acquire: String(acq.name), caller: st.caller.fn.name, mm: k, function: fa.fn.name, call: String(call.name) },
              hint: acq.name!.startsWith('mmap_') ? 'mmap_read_lock()/mmap_read_unlock()' : 'down_read()/up_read()',
              related: [rel('acquire', st.caller, acq.callSpan, 'write lock taken here'), rel('caller', st.caller, st.call.span, `${fa.fn.name}() called with it`),
                ...r.releases.map((x) => rel('release', st.caller, st.caller.fn.calls[x].callSpan, 'released here'))],
            });
          }
        }
        continue;
      }
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
