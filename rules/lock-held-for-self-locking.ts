import type { Rule } from '../src/rule';
import { rel } from '../src/rule';

const rule: Rule = {
  meta: {
    id: 'lock-held-for-self-locking',
    name: 'LockHeldForSelfLockingGup',
    level: 'error',
    short: 'A GUP variant that takes the mmap lock itself is called with that lock held.',
    full: '*_unlocked() and *_fast() variants take the mmap read lock of current->mm themselves (the fast variants on their slow path). Calling them with the lock already held recurses on the rwsem: a deadlock when a writer is queued in between.',
    tags: ['mm', 'gup', 'mmap_lock', 'deadlock'],
    precision: 'high',
    messages: {
      'held-here': '{{call}}() takes the mmap lock of {{mm}} itself, but it is already held here',
      'held-by-caller': '{{call}}() takes the mmap lock of {{mm}} itself, but {{function}}() is called with it held from {{chain}}',
      'held-by-caller-entry': '{{call}}() takes the mmap lock of {{mm}} itself, but {{function}}() is called with it held from {{chain}}: {{entryFunction}}() is {{entry}}',
      'entry-held': '{{call}}() takes the mmap lock of {{mm}} itself, but {{function}}() is {{entry}}',
    },
  },
  check(ctx) {
    for (const s of ctx.sites) {
      const { fa, call, cls } = s;
      if (!cls.era || cls.era.lock !== 'forbidden' || !cls.key) continue;
      const worlds = fa.atCall[call.id];
      const held = worlds.map((w) => ctx.locks.lockOf(w, cls.key!)).find((v) => v.st === 'R' || v.st === 'W' || v.st === 'A');
      if (held) {
        ctx.report({
          fa, span: call.span, callText: call.text,
          messageId: 'held-here',
          data: { call: String(call.name), mm: cls.key },
          related: held.acq !== undefined ? [rel('acquire', fa, fa.fn.calls[held.acq].callSpan, 'lock taken here')] : [],
        });
        continue;
      }
      if (!worlds.some((w) => ctx.locks.lockOf(w, cls.key!).st === 'E')) continue;
      const es = ctx.program.entryState(fa, cls.key, call.id);
      if (es.held.length) {
        const chain = es.held[0];
        ctx.report({
          fa, span: call.span, callText: call.text,
          messageId: es.heldEntry ? 'held-by-caller-entry' : 'held-by-caller',
          data: { call: String(call.name), mm: cls.key, function: fa.fn.name, chain: ctx.chainText(chain), entryFunction: chain[chain.length - 1].caller.fn.name, entry: es.heldEntry ?? '' },
          related: chain.map((st) => rel('caller', st.caller, st.call.span, `called with mmap_lock held from ${st.caller.fn.name}`)),
          chains: [chain],
        });
      } else if (es.entry?.lock === 'held') {
        ctx.report({
          fa, span: call.span, callText: call.text,
          messageId: 'entry-held',
          data: { call: String(call.name), mm: cls.key, function: fa.fn.name, entry: es.entry.what },
        });
      }
    }
  },
};
export default rule;
