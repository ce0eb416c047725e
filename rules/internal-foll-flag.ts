import type { Rule } from '../src/rule';
import { rel } from '../src/rule';
import type { Expr } from '../src/parse/ir';

function isNullish(e: Expr | undefined): boolean {
  return !e || e.kind === 'null' || (e.kind === 'num' && e.value === 0);
}

const rule: Rule = {
  meta: {
    id: 'internal-foll-flag',
    name: 'InternalFollFlag',
    level: 'error',
    short: 'FOLL_PIN or FOLL_GET passed explicitly by a caller outside mm/ (error where the entry rejects it, note where it is redundant).',
    full: 'The GUP wrappers choose the reference type themselves: pin_user_pages*() set FOLL_PIN, get_user_pages*() set FOLL_GET when pages != NULL. FOLL_PIN from a caller is rejected (WARN, -EINVAL) from 5.6 and is an internal flag from 6.3; FOLL_GET with pin_* is rejected; FOLL_GET with get_* and non-NULL pages is redundant at run time but states a release contract the wrapper name already states.',
    tags: ['mm', 'gup', 'pin', 'correctness'],
    precision: 'high',
  },
  check(ctx) {
    for (const { fa, call, cls } of ctx.sites) {
      if (/^mm\//.test(fa.fn.file)) continue;
      const era = cls.era;
      if (!era || !call.name) continue;
      const arg = ctx.flags.argOf(era.params, call.args);
      if (!arg) continue;
      const fs = ctx.flags.resolve(fa, arg, call.span.line);
      const pi = era.params.findIndex((p) => /^(pages|pagep|vec)$/.test(p.split(':')[0]));
      const noPages = pi >= 0 && isNullish(call.args[pi]);
      for (const flag of ['FOLL_PIN', 'FOLL_GET']) {
        const origins = fs.get(flag);
        if (!origins) continue;
        let why: string;
        // Error where the entry rejects the flag (WARN, failure, BUG); note where it is only
        // redundant (FOLL_GET to a get_* entry that sets it itself when pages != NULL).
        let level: 'error' | 'note' = 'error';
        if (flag === 'FOLL_PIN') {
          why = era.pin === 'pin'
            ? `${call.name}() sets FOLL_PIN itself; from 6.3 FOLL_PIN is an internal flag and a caller passing it gets a WARN and a failed call`
            : `${call.name}() takes FOLL_GET references that are released with put_page(); FOLL_PIN from a caller is rejected (WARN_ON_ONCE, -EINVAL) from 5.6: use the pin_user_pages*() counterpart instead`;
        } else if (era.pin === 'pin') {
          why = `${call.name}() pins (FOLL_PIN); FOLL_GET together with FOLL_PIN is rejected with a WARN and -EINVAL`;
        } else if (noPages) {
          why = `${call.name}() is called without pages but with FOLL_GET: VM_BUG_ON in 4.x __get_user_pages(), WARN and failure in 6.3+`;
        } else {
          level = 'note';
          why = `${call.name}() adds FOLL_GET itself when pages != NULL, so this is redundant at run time (harmless): drop it, the wrapper's name already states that the pages go back with put_page()`;
        }
        const direct = origins.some((o) => o.fa === fa && o.line === call.span.line && o.how === flag);
        ctx.report({
          fa, span: call.span, callText: call.text, level,
          message: `${flag} passed explicitly to ${call.name}()${direct ? '' : ` (through ${origins[0].how}, line ${origins[0].line})`}: ${why}`,
          hint: `remove ${flag} from the flags`,
          related: origins.filter((o) => !(o.fa === fa && o.line === call.span.line)).slice(0, 3)
            .map((o) => rel('call', o.fa, ctx.flags.lineSpan(o.line), `${flag} comes from ${o.how}`)),
        });
      }
    }
  },
};
export default rule;
