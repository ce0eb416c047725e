import type { Rule } from '../src/rule';
import { rel } from '../src/rule';

const rule: Rule = {
  meta: {
    id: 'locked-out-ignored',
    name: 'LockedOutIgnored',
    level: 'error',
    short: 'The caller unlocks after a GUP call that may have dropped the lock, without testing locked.',
    full: 'With a non-NULL locked argument, get_user_pages_remote()/pin_user_pages_remote()/get_user_pages_locked() may drop the mmap lock (VM_FAULT_RETRY) and report it by setting *locked = 0. Unlocking unconditionally afterwards releases a lock that is not held. A compat wrapper of the module that hands its own int *locked parameter to such a call (and neither takes nor releases the lock itself) counts as the call at its callers.',
    tags: ['mm', 'gup', 'mmap_lock', 'correctness'],
    precision: 'high',
    messages: {
      'unlock-without-test': '{{call}}() may drop the mmap lock and clear {{locked}}, but {{unlock}}() at line {{line}} runs without testing it',
    },
  },
  check(ctx) {
    for (const fa of ctx.program.functions) {
      const reported = new Set<number>();
      fa.fn.calls.forEach((c, id) => {
        const cls = fa.classes[id];
        if (cls.kind !== 'lock' || cls.prim.kind !== 'release') return;
        for (const w of fa.atCall[id]) {
          const v = ctx.locks.lockOf(w, cls.key);
          if (v.st !== 'D' || v.by === undefined || reported.has(v.by)) continue;
          reported.add(v.by);
          const g = fa.fn.calls[v.by];
          // (A helper that hands its `locked` parameter on: the argument this call gives it.)
          const drop = fa.classes[v.by].kind === 'gup' ? undefined : ctx.program.effectsAt(fa, g)?.find((x) => x.kind === 'may-drop' && x.arg !== undefined);
          const lockedText = (fa.classes[v.by] as { lockedText?: string }).lockedText ?? (drop ? g.argText[drop.arg!] : undefined) ?? 'locked';
          ctx.report({
            fa, span: g.span, callText: g.text,
            messageId: 'unlock-without-test',
            data: { call: String(g.name), locked: lockedText.replace(/^&/, ''), unlock: String(c.name), line: c.span.line },
            hint: `if (${lockedText.replace(/^&/, '')}) ${c.name}(${c.argText.join(', ')});`,
            related: [rel('release', fa, c.callSpan, 'unconditional unlock')],
          });
        }
      });
    }
  },
};
export default rule;
