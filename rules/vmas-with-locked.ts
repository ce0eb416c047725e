import type { Rule } from '../src/rule';

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
      ctx.report({
        fa, span: call.span, callText: call.text,
        messageId: 'vmas-and-locked',
        data: { call: String(call.name) },
      });
    }
  },
};
export default rule;
