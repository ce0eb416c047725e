import type { Expr, FunctionAnalysis, Rule } from '../src/rule';

/** (Parentheses and casts are not in the IR's expressions.) */
const nullish = (e: Expr | undefined): boolean =>
  !e || e.kind === 'null' || (e.kind === 'num' && e.value === 0) || (e.kind === 'id' && e.name === 'NULL');

/** The parameter of `fa` that `e` is (a wrapper forwarding its own vmas or locked), or -1. */
function forwarded(fa: FunctionAnalysis, e: Expr): number {
  return e.kind === 'id' ? fa.fn.params.indexOf(e.name) : -1;
}

const rule: Rule = {
  meta: {
    id: 'vmas-with-locked',
    name: 'VmasWithLocked',
    level: 'error',
    short: 'Non-NULL vmas passed together with non-NULL locked.',
    full: 'When the callee may drop the mmap lock (locked != NULL), the vmas it would return are invalid; __get_user_pages_locked() hits BUG_ON(locked && vmas) up to 6.4.',
    tags: ['mm', 'gup', 'correctness'],
    precision: 'high',
    messages: {
      'vmas-and-locked': '{{call}}() is given both vmas and locked: the callee may drop the lock, which invalidates vmas (BUG_ON up to 6.4); pass NULL for one of them',
    },
  },
  check(ctx) {
    for (const { fa, call, cls } of ctx.sites) {
      if (!cls.vmas || !cls.locked) continue;
      // Its own parameters forwarded: decided by the callers found, when some are (one
      // passing non-NULL for each); without callers, a wrapper forwarding both (a compat
      // wrapper of get_user_pages_remote()) is given the benefit of the doubt, a parameter
      // next to a `&locked` of its own is not.
      const fwd = [forwarded(fa, cls.vmas), forwarded(fa, cls.locked)].filter((i) => i >= 0);
      if (fwd.length) {
        const callers = ctx.program.callersOf(fa);
        if (callers.length ? !callers.some(({ call: c }) => fwd.every((i) => !nullish(c.args[i]))) : fwd.length === 2) continue;
      }
      ctx.report({
        fa, span: call.span, callText: call.text,
        messageId: 'vmas-and-locked',
        data: { call: String(call.name) },
      });
    }
  },
};
export default rule;
