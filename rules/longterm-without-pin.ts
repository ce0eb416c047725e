import type { Rule } from '../src/rule';
import { rel } from '../src/rule';
import { rejectsLongterm } from './prefer-unlocked';

/** The pin_user_pages* counterpart of a get_user_pages* call. */
function pinVariant(name: string): string | null {
  const m = /^get_user_pages(_fast|_remote|_unlocked|_locked)?$/.exec(name);
  return m ? `pin_user_pages${m[1] ?? ''}` : null;
}

const WHY = ': long-term references must be FOLL_PIN in this tree (rejected with a WARN from 5.10, uncounted as a pin in 5.6-5.9); use {{pin}}() and release with unpin_user_page(s)()';

const rule: Rule = {
  meta: {
    id: 'longterm-without-pin',
    name: 'LongtermWithoutPin',
    level: 'warning',
    short: 'FOLL_LONGTERM passed to a get_user_pages* (FOLL_GET) function in a tree that has pin_user_pages*.',
    full: 'From 5.6 FOLL_LONGTERM is defined on top of FOLL_PIN. In 5.6-5.9 a get_* call with FOLL_LONGTERM takes a reference that is not counted as a pin (fork() and reclaim do not see it); from 5.10 get_user_pages/_remote/_fast reject the flag with WARN_ON_ONCE and -EINVAL, and from 6.3 every get_* does. Use the pin_user_pages* counterpart and release with unpin_user_page(s).',
    tags: ['mm', 'gup', 'pin', 'correctness'],
    precision: 'high',
    // {{pin}}: the pin_user_pages* counterpart, or 'the pin_user_pages*() counterpart'.
    messages: {
      'longterm-get': `{{call}}() is a FOLL_GET function but gets FOLL_LONGTERM${WHY}`,
      'longterm-get-through': `{{call}}() is a FOLL_GET function but gets FOLL_LONGTERM (through {{origin}}, line {{line}})${WHY}`,
    },
  },
  check(ctx) {
    if (!ctx.api.existsIn('pin_user_pages', ctx.version)) return;
    for (const { fa, call, cls } of ctx.sites) {
      const era = cls.era;
      if (!era || era.pin !== 'get' || !call.name || call.name === 'get_user_pages_longterm') continue;
      const arg = ctx.flags.argOf(era.params, call.args);
      if (!arg) continue;
      const fs = ctx.flags.resolve(fa, arg, call.span.line);
      const origins = fs.get('FOLL_LONGTERM');
      if (!origins) continue;
      // The counterpart as the era has it: pin_user_pages_unlocked() comes in 5.8 and
      // rejects FOLL_LONGTERM until 6.3, where pin_user_pages_fast() is the call to use.
      let pin = pinVariant(call.name);
      if (pin && (!ctx.api.existsIn(pin, ctx.version) || rejectsLongterm(pin, ctx.version))) pin = pin === 'pin_user_pages_unlocked' ? 'pin_user_pages_fast' : null;
      if (pin && !ctx.api.existsIn(pin, ctx.version)) pin = null;
      const direct = origins.some((o) => o.fa === fa && o.line === call.span.line && o.how === 'FOLL_LONGTERM');
      const related = origins
        .filter((o) => !(o.fa === fa && o.line === call.span.line))
        .slice(0, 3)
        .map((o) => ({ ...rel('call', o.fa, ctx.flags.lineSpan(o.line), `FOLL_LONGTERM comes from ${o.how}`), ...(o.file ? { file: o.file } : {}) }));
      ctx.report({
        fa, span: call.span, callText: call.text,
        messageId: direct ? 'longterm-get' : 'longterm-get-through',
        data: { call: call.name, origin: origins[0].how, line: origins[0].line, pin: pin ?? 'the pin_user_pages*() counterpart' },
        hint: pin ? `${pin}(...) and unpin_user_pages*() at every release site` : undefined,
        related,
      });
    }
  },
};
export default rule;
