import type { Rule, Span } from '../src/rule';
import { rel } from '../src/rule';

/** The mm as the caller's own acquire writes it (`mmap_read_lock(r->mm)`,
 * `down_read(&r->mm->mmap_sem)`): r->mm. */
function mmWritten(acquire: { argText: string[] }): string | null {
  const a = acquire.argText[0]?.replace(/\s+/g, '');
  if (!a) return null;
  const m = /^&\(?(.+?)\)?->mmap_(?:sem|lock)$/.exec(a);
  return m ? m[1] : /mmap_(?:sem|lock)/.test(a) ? null : a;
}

const rule: Rule = {
  meta: {
    id: 'unbalanced-mmap-lock',
    name: 'UnbalancedMmapLock',
    level: 'error',
    short: 'The mmap lock is leaked on a return path, taken twice, or released when not held.',
    full: 'In a function with a GUP call, a path acquires the mmap lock and returns without releasing it, acquires it while already holding it (itself, or by calling a helper with a GUP call that takes it), or releases it when it is not held (twice, after a failed killable/trylock acquire, or with the wrong mode).',
    tags: ['mm', 'mmap_lock', 'correctness'],
    precision: 'medium',
    messages: {
      'double-acquire': '{{call}}() takes the mmap lock of {{mm}} while it is already held (taken at line {{line}}): self-deadlock on the rwsem',
      'double-acquire-helper': '{{helper}}() takes the mmap lock of {{mm}} ({{call}}() at {{where}}), but {{function}}() already holds it here (taken at line {{line}}): self-deadlock on the rwsem (a read lock taken twice waits behind a queued writer)',
      'double-acquire-chain': '{{helper}}() takes the mmap lock of {{mm}} ({{call}}() at {{where}}) and is reached from here through {{through}}, but {{function}}() already holds it here (taken at line {{line}}): self-deadlock on the rwsem (a read lock taken twice waits behind a queued writer)',
      'release-before-acquire': '{{call}}() releases the mmap lock of {{mm}} on a path where {{function}}() has not taken it yet',
      'release-unheld': '{{call}}() releases the mmap lock of {{mm}} when it is not held on a path (not held)',
      'release-after-release': '{{call}}() releases the mmap lock of {{mm}} when it is not held on a path (already released at line {{line}})',
      'release-after-failed-acquire': '{{call}}() releases the mmap lock of {{mm}} when it is not held on a path (the acquire at line {{line}} can fail)',
      'release-after-helper': '{{call}}() releases the mmap lock of {{mm}} when it is not held on a path (already released by {{helper}}() at line {{line}})',
      'wrong-mode': '{{call}}() releases the {{mode}} side, but the lock was taken for {{taken}} at line {{line}}',
      'held-at-return': 'the mmap lock of {{mm}} taken here is still held when {{function}}() returns on some path (no __acquires annotation)',
    },
  },
  check(ctx) {
    // A helper with a GUP call that takes the lock of its caller's mm itself, called where
    // the caller holds that lock (taken by the caller itself on every path there).
    for (const d of ctx.program.functions) {
      if (!d.classes.some((c) => c.kind === 'gup')) continue;
      d.fn.calls.forEach((hc, hid) => {
        const cls = d.classes[hid];
        if (cls.kind !== 'lock' || !['acquire', 'killable', 'interruptible'].includes(cls.prim.kind)) return;
        // (Taken with the lock as the caller left it: not re-taken after a release.)
        if (!d.atCall[hid].length || !d.atCall[hid].every((w) => ctx.locks.lockOf(w, cls.key).st === 'E')) return;
        const heldHere = (caller: typeof d, call: typeof hc, key: string | null) => {
          const worlds = caller.atCall[call.id] ?? [];
          if (!key || !worlds.length) return null;
          const vs = worlds.map((w) => ctx.locks.lockOf(w, key));
          return vs.every((v) => (v.st === 'R' || v.st === 'W') && v.acq !== undefined) ? caller.fn.calls[vs[0].acq!] : null;
        };
        const where = (caller: typeof d) => (d.fn.file === caller.fn.file ? `line ${hc.span.line}` : `${d.fn.file}:${hc.span.line}`);
        // (The helper's acquire in an undecided #if arm, or on paths through such arms only:
        // the finding says so.)
        const onlyIf = [ctx.api.undecidedAt(d.fn.undecided, hc.span.line), ctx.locks.undecidedWhere(d.atCall[hid])].filter(Boolean).join(' && ') || undefined;
        const only = onlyIf ? { onlyIf } : {};
        for (const step of ctx.program.callersOf(d)) {
          const caller = step.caller;
          if (caller === d || ctx.program.neverReaches(d, hid, step.call, caller)) continue;
          const key = ctx.program.mapKey(d, cls.key, caller, step.call);
          const first = heldHere(caller, step.call, key);
          if (!first) continue;
          ctx.report({
            fa: caller, span: step.call.span, callText: step.call.text, ...only,
            messageId: 'double-acquire-helper',
            data: { helper: d.fn.name, call: String(hc.name), where: where(caller), mm: mmWritten(first) ?? key!, function: caller.fn.name, line: first.span.line },
            related: [rel('acquire', caller, first.callSpan, 'first acquired here'), rel('acquire', d, hc.callSpan, `${d.fn.name}() takes it again`)],
          });
        }
        // The holder further up: callers that pass the lock on as their own callers left it
        // (the entry state's shortest chain to a caller holding it, every path there).
        const chain = ctx.program.entryState(d, cls.key, hid).held[0];
        if (!chain || chain.length < 2) return;
        let key: string | null = cls.key;
        let callee = d;
        for (const st of chain) { key = key && ctx.program.mapKey(callee, key, st.caller, st.call); callee = st.caller; }
        const last = chain[chain.length - 1];
        const first = heldHere(last.caller, last.call, key);
        if (!first) return;
        ctx.report({
          fa: last.caller, span: last.call.span, callText: last.call.text, ...only,
          messageId: 'double-acquire-chain',
          data: { helper: d.fn.name, call: String(hc.name), where: where(last.caller), mm: mmWritten(first) ?? key!, function: last.caller.fn.name, line: first.span.line,
            through: chain.slice(0, -1).reverse().map((st) => `${st.caller.fn.name}()`).join(', ') },
          related: [rel('acquire', last.caller, first.callSpan, 'first acquired here'),
            ...chain.slice(0, -1).reverse().map((st) => rel('caller', st.caller, st.call.span, `${st.caller.fn.name}() calls on with the lock held`)),
            rel('acquire', d, hc.callSpan, `${d.fn.name}() takes it again`)],
        });
      });
    }
    for (const fa of ctx.program.functions) {
      if (!fa.classes.some((c) => c.kind === 'gup')) continue;
      const annotated = fa.fn.acquires.length > 0 || fa.fn.releases.length > 0;
      const seen = new Set<string>();
      const takesLocally = (key: string) => fa.classes.some((k) => k.kind === 'lock' && k.key === key && ['acquire', 'killable', 'trylock', 'interruptible'].includes(k.prim.kind));
      const once = (k: string) => { if (seen.has(k)) return false; seen.add(k); return true; };
      fa.fn.calls.forEach((c, id) => {
        const cls = fa.classes[id];
        if (cls.kind !== 'lock') return;
        const p = cls.prim;
        for (const w of fa.atCall[id]) {
          const v = ctx.locks.lockOf(w, cls.key);
          if (['acquire', 'killable', 'trylock', 'interruptible'].includes(p.kind) && (v.st === 'R' || v.st === 'W') && v.acq !== undefined && p.kind !== 'trylock') {
            if (!once(`a${id}`)) continue;
            const first = fa.fn.calls[v.acq];
            ctx.report({
              fa, span: c.span, callText: c.text,
              messageId: 'double-acquire',
              data: { call: String(c.name), mm: cls.key, line: first.span.line },
              related: [rel('acquire', fa, first.callSpan, 'first acquired here')],
            });
          } else if (p.kind === 'release' && v.st === 'E' && !annotated && takesLocally(cls.key)) {
            // The function takes this lock itself, yet a path reaches the release without it.
            if (!once(`e${id}`)) continue;
            ctx.report({
              fa, span: c.span, callText: c.text,
              messageId: 'release-before-acquire',
              data: { call: String(c.name), mm: cls.key, function: fa.fn.name },
            });
          } else if (p.kind === 'release' && v.st === 'U' && !annotated) {
            if (!once(`r${id}`)) continue;
            const by = v.by !== undefined ? fa.fn.calls[v.by] : null;
            const byCls = v.by !== undefined ? fa.classes[v.by] : null;
            // What left it unheld: a local release, an acquire that can fail, or a helper
            // whose every exit releases the caller's lock.
            const released = byCls?.kind === 'lock' ? byCls.prim.kind === 'release' : !!by;
            const why = !by ? 'not held'
              : byCls?.kind === 'lock' && byCls.prim.kind === 'release' ? `already released at line ${by.span.line}`
                : byCls?.kind === 'lock' ? `the acquire at line ${by.span.line} can fail`
                  : `already released by ${by.name}() at line ${by.span.line}`;
            ctx.report({
              fa, span: c.span, callText: c.text,
              messageId: !by ? 'release-unheld' : byCls?.kind !== 'lock' ? 'release-after-helper' : released ? 'release-after-release' : 'release-after-failed-acquire',
              data: { call: String(c.name), mm: cls.key, ...(by ? { helper: String(by.name), line: by.span.line } : {}) },
              related: by ? [rel(released ? 'release' : 'acquire', fa, by.callSpan, why)] : [],
            });
          } else if (p.kind === 'release' && ((v.st === 'R' && p.mode === 'write') || (v.st === 'W' && p.mode === 'read')) && v.acq !== undefined) {
            if (!once(`m${id}`)) continue;
            const first = fa.fn.calls[v.acq];
            ctx.report({
              fa, span: c.span, callText: c.text,
              messageId: 'wrong-mode',
              data: { call: String(c.name), mode: p.mode, taken: v.st === 'R' ? 'read' : 'write', line: first.span.line },
              related: [rel('acquire', fa, first.callSpan, 'acquired here')],
            });
          }
        }
      });
      // A function that records lock ownership in a state word (`obj->locked = 1`,
      // `*locked = 1`) hands the lock over by design, like an __acquires annotation.
      if (annotated || ctx.locks.recordsLockState(fa)) continue;
      for (const w of fa.exits) {
        for (const [key, v] of Object.entries(w.locks)) {
          if ((v.st !== 'R' && v.st !== 'W') || v.acq === undefined) continue;
          if (!once(`x${v.acq}`)) continue;
          const a = fa.fn.calls[v.acq];
          // The returns reached with this acquire held (none when the path falls off the end).
          const acq = v.acq;
          const rets = fa.fn.nodes.filter((n) => n.ret && (fa.atNode[n.id] ?? []).some((x) => { const l = x.locks[key]; return !!l && (l.st === 'R' || l.st === 'W') && l.acq === acq; }));
          const at = rets.map((n): Span => ({ line: n.line, col: 1, endLine: n.line, endCol: 1 }));
          ctx.report({
            fa, span: a.span, callText: a.text,
            messageId: 'held-at-return',
            data: { mm: key, function: fa.fn.name },
            ...(at.length ? { onlyWhere: at } : {}),
          });
        }
      }
    }
  },
};
export default rule;
