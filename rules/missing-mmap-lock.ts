import type { KernelApi, Rule, Version } from '../src/rule';
import { rel } from '../src/rule';

/** The assertion the era has: mmap_assert_locked() where it exists, else lockdep on the
 * rwsem field of that era (mmap_sem before 5.8). */
function assertionFor(api: KernelApi, key: string, v: Version): string {
  const p = api.mmapLockPrimitive('mmap_assert_locked');
  const from = p ? p.from.split('.').map(Number) : [5, 8];
  if (v[0] > from[0] || (v[0] === from[0] && v[1] >= from[1])) return 'mmap_assert_locked()';
  return `lockdep_assert_held(&${key}->mmap_sem)`;
}

const rule: Rule = {
  meta: {
    id: 'missing-mmap-lock',
    name: 'MissingMmapLock',
    level: 'error',
    short: 'A GUP function that requires the mmap lock is reached without it.',
    full: 'get_user_pages(), pin_user_pages() and *_remote() without a locked argument require the caller to hold the mmap lock of the mm they walk (6.3+ asserts it). A path reaches the call with the lock not held: not taken locally, not asserted and not held by every caller.',
    tags: ['mm', 'gup', 'mmap_lock', 'correctness'],
    precision: 'medium',
  },
  check(ctx) {
    for (const s of ctx.sites) {
      if (!ctx.locks.requiresLock(s)) continue;
      const { fa, call, cls } = s;
      const key = cls.key!;
      const worlds = fa.atCall[call.id];
      const dropped = worlds.map((w) => ctx.locks.lockOf(w, key)).filter((v) => v.st === 'U' || v.st === 'D');
      if (dropped.length) {
        const by = dropped.find((v) => v.by !== undefined)?.by;
        const related = by !== undefined ? [rel('release', fa, fa.fn.calls[by].callSpan, fa.classes[by].kind === 'gup' ? 'lock may be dropped by this call' : 'lock released (or not acquired) here')] : [];
        ctx.report({
          fa, span: call.span, callText: call.text,
          message: `${call.name}() requires the mmap lock of ${key}, but it is not held on a path to this call${by !== undefined ? ` (see line ${fa.fn.calls[by].span.line})` : ''}`,
          related,
        });
        continue;
      }
      const entry = worlds.filter((w) => ctx.locks.lockOf(w, key).st === 'E' && !ctx.locks.otherKeyHeld(w, key));
      if (entry.length === 0) continue;
      // Lock ownership kept in a state word across calls: the entry state is that word's.
      if (ctx.locks.recordsLockState(fa)) continue;
      // The body of a GUP API function (mm.h's get_user_page_vma_remote()): its contract
      // hands the requirement to its callers, which are checked at their call sites.
      if (ctx.api.isGupName(fa.fn.name)) continue;
      const es = ctx.program.entryState(fa, key, call.id);
      if (es.unheld.length) {
        const chain = es.unheld[0];
        const root = es.unheldEntry ? `: ${chain[chain.length - 1].caller.fn.name}() is ${es.unheldEntry}` : '';
        ctx.report({
          fa, span: call.span, callText: call.text,
          message: `${call.name}() requires the mmap lock of ${key}; ${fa.fn.name}() does not take it and is called without it from ${ctx.chainText(chain)}${root}`,
          related: chain.map((st) => rel('caller', st.caller, st.call.span, `called without mmap_lock from ${st.caller.fn.name}`)),
          chains: [chain],
        });
        continue;
      }
      if (es.entry?.lock === 'unheld') {
        ctx.report({
          fa, span: call.span, callText: call.text,
          message: `${call.name}() requires the mmap lock of ${key}; ${fa.fn.name}() does not take it and is ${es.entry.what}`,
        });
        continue;
      }
      if (es.entry?.lock === 'held' && !es.unknown.length) continue;
      if (es.held.length && es.unknown.length) {
        // Some callers hold the lock; another path comes from a function that takes no lock
        // and whose own callers are unknown (an entry point, or called through a pointer).
        const chain = es.unknown[0];
        const last = chain[chain.length - 1];
        // That path only reached --call-depth: no evidence against the callers that hold it
        // (the mm core's deep chains, ttm's eviction paths); stay silent.
        if (es.unknownEnd?.why !== 'unmapped' && !ctx.program.callersSearched(last.caller)) continue;
        const callee = chain.length > 1 ? chain[chain.length - 2].caller.fn.name : fa.fn.name;
        const ue = es.unknownEnd;
        const end = ue?.why === 'unmapped'
          ? `there ${callee}() uses the mm ${ue.key}, which ${last.caller.fn.name}() does not pass: the lock of that mm could not be followed`
          : !ctx.program.callersSearched(last.caller) ? `that chain reaches --call-depth ${ctx.program.callDepth}` : `no caller of ${last.caller.fn.name}() was found`;
        ctx.report({
          fa, span: call.span, callText: call.text, level: 'note',
          message: `${call.name}() requires the mmap lock of ${key}; ${fa.fn.name}() is called with it from ${ctx.chainText(es.held[0])}, but the lock is not known to be held on the path from ${ctx.chainText(chain)}: ${end}`,
          related: [...chain, ...es.held[0]].map((st) => rel('caller', st.caller, st.call.span, `called from ${st.caller.fn.name}`)),
          chains: [es.held[0], chain],
        });
        continue;
      }
      if (es.held.length) continue;
      const why = es.noCaller
        ? `no caller of ${fa.fn.name}() was found (exported, or called through a pointer)`
        : es.cut ? 'the caller chain is deeper than --call-depth' : 'its callers could not be checked';
      ctx.report({
        fa, span: call.span, callText: call.text, level: 'note',
        message: `${call.name}() requires the mmap lock of ${key}; ${fa.fn.name}() neither takes nor asserts it and ${why}: add ${assertionFor(ctx.api, key, ctx.version)} if callers hold it`,
        related: es.unknown.slice(0, 3).map((c) => rel('caller', c[0].caller, c[0].call.span, `called from ${c[0].caller.fn.name}`)),
        chains: es.unknown.slice(0, 3).map((c) => [c[0]]),
      });
    }
  },
};
export default rule;
