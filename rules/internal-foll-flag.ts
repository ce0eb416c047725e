import type { Rule } from '../src/rule';
import { rel } from '../src/rule';
import type { Expr } from '../src/parse/ir';

function isNullish(e: Expr | undefined): boolean {
  return !e || e.kind === 'null' || (e.kind === 'num' && e.value === 0);
}

/** Why the flag is wrong, by case (the flag each case is about is in its wording). */
const WHY: Record<string, [flag: string, why: string]> = {
  'pin-to-pin': ['FOLL_PIN', '{{call}}() sets FOLL_PIN itself; from 6.3 FOLL_PIN is an internal flag and a caller passing it gets a WARN and a failed call (before 6.3 it is only redundant)'],
  'pin-to-get': ['FOLL_PIN', "{{call}}() takes FOLL_GET references that are released with put_page(); FOLL_PIN from a caller is rejected (WARN_ON_ONCE, -EINVAL) from 5.6: use the pin_user_pages*() counterpart instead"],
  // (Before 5.6 the kernel has neither FOLL_PIN nor pin_user_pages*(): the name is the
  // module's own, a compat definition.)
  'pin-to-get-old': ['FOLL_PIN', "{{call}}() takes FOLL_GET references that are released with put_page(), and this kernel has no FOLL_PIN (a flag of 5.6 and later): a module's own definition of it is not a flag {{call}}() knows"],
  'get-to-pin': ['FOLL_GET', '{{call}}() pins (FOLL_PIN); FOLL_GET together with FOLL_PIN is rejected with a WARN and -EINVAL'],
  'get-without-pages': ['FOLL_GET', '{{call}}() is called without pages but with FOLL_GET: VM_BUG_ON in 4.x __get_user_pages(), WARN and failure in 6.3+'],
  'get-redundant': ['FOLL_GET', "{{call}}() adds FOLL_GET itself when pages != NULL, so this is redundant at run time (harmless): drop it, the wrapper's name already states that the pages go back with put_page()"],
};

/** Each case twice: the flag written at the call, and the flag reaching it through a
 * variable or macro (`-through`, naming where it comes from). */
const MESSAGES: Record<string, string> = Object.fromEntries(Object.entries(WHY).flatMap(([id, [flag, why]]) => [
  [id, `${flag} passed explicitly to {{call}}(): ${why}`],
  [`${id}-through`, `${flag} passed explicitly to {{call}}() (through {{origin}}, line {{line}}): ${why}`],
]));
const INTERNAL_WHY = 'from 6.3 {{flag}} is one of the internal GUP flags of mm/internal.h (INTERNAL_GUP_FLAGS): outside mm/ it is not declared, so this code does not build for this kernel, and a caller that passes its value anyway gets a WARN from is_valid_gup_args() and a failed call';
MESSAGES['internal-flag'] = `{{flag}} passed explicitly to {{call}}(): ${INTERNAL_WHY}`;
MESSAGES['internal-flag-through'] = `{{flag}} passed explicitly to {{call}}() (through {{origin}}, line {{line}}): ${INTERNAL_WHY}`;

MESSAGES['fast-mask'] = `{{flag}} passed explicitly to {{call}}(): the fast path accepts only FOLL_WRITE, FOLL_LONGTERM, FOLL_FORCE and FOLL_NOFAULT from its caller (from 5.10); any other flag WARNs and fails the call with -EINVAL`;
MESSAGES['fast-mask-through'] = `{{flag}} passed explicitly to {{call}}() (through {{origin}}, line {{line}}): the fast path accepts only FOLL_WRITE, FOLL_LONGTERM, FOLL_FORCE and FOLL_NOFAULT from its caller (from 5.10); any other flag WARNs and fails the call with -EINVAL`;

/** The flags the fast GUP path lets a caller pass (internal_get_user_pages_fast() from 5.10,
 * gup_fast_fallback() in 6.12); FOLL_PIN, FOLL_GET and FOLL_FAST_ONLY are its wrappers'. */
const FAST_ACCEPTS = new Set(['FOLL_WRITE', 'FOLL_LONGTERM', 'FOLL_FORCE', 'FOLL_NOFAULT', 'FOLL_PCI_P2PDMA', 'FOLL_HONOR_NUMA_FAULT', 'FOLL_PIN', 'FOLL_GET', 'FOLL_FAST_ONLY']);
const FAST_ENTRY = /^(get|pin)_user_pages_fast(_only)?$/;

/** INTERNAL_GUP_FLAGS of 6.3+ besides FOLL_PIN (its own cases above): a caller's flags
 * with one of them fail is_valid_gup_args() in every GUP entry that takes flags. Before
 * 6.3 the kernel tolerated them (FOLL_TOUCH, FOLL_REMOTE) or had them only in mm/. */
const INTERNAL_FROM_6_3 = ['FOLL_TOUCH', 'FOLL_TRIED', 'FOLL_REMOTE', 'FOLL_FAST_ONLY', 'FOLL_UNLOCKABLE', 'FOLL_MADV_POPULATE'];

const rule: Rule = {
  meta: {
    id: 'internal-foll-flag',
    name: 'InternalFollFlag',
    level: 'error',
    short: 'FOLL_PIN, FOLL_GET or (6.3+) another internal GUP flag passed explicitly by a caller outside mm/ (error where the entry rejects it, note where it is redundant).',
    full: 'The GUP wrappers choose the reference type themselves: pin_user_pages*() set FOLL_PIN, get_user_pages*() set FOLL_GET when pages != NULL. FOLL_PIN from a caller is rejected (WARN, -EINVAL) from 5.6 and is an internal flag from 6.3; FOLL_GET with pin_* is rejected; FOLL_GET with get_* and non-NULL pages is redundant at run time but states a release contract the wrapper name already states.',
    tags: ['mm', 'gup', 'pin', 'correctness'],
    precision: 'high',
    messages: MESSAGES,
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
      if (ctx.api.cmpVersion(ctx.version, [6, 3]) >= 0) {
        for (const flag of INTERNAL_FROM_6_3) {
          const origins = fs.get(flag);
          if (!origins) continue;
          const direct = origins.some((o) => o.fa === fa && o.line === call.span.line && o.how === flag);
          ctx.report({
            fa, span: call.span, callText: call.text, level: 'error',
            messageId: direct ? 'internal-flag' : 'internal-flag-through',
            data: { call: call.name, flag, origin: origins[0].how, line: origins[0].line },
            hint: `remove ${flag} from the flags`,
            related: origins.filter((o) => !(o.fa === fa && o.line === call.span.line)).slice(0, 3)
              .map((o) => ({ ...rel('call', o.fa, ctx.flags.lineSpan(o.line), `${flag} comes from ${o.how}`), ...(o.file ? { file: o.file } : {}) })),
          });
        }
      }
      // The fast path's own mask (5.10 on): flags it does not know fail the call. (From 6.3
      // the internal flags above are refused by is_valid_gup_args() first: one finding.)
      if (FAST_ENTRY.test(call.name) && ctx.api.cmpVersion(ctx.version, [5, 10]) >= 0) {
        const late = ctx.api.cmpVersion(ctx.version, [6, 3]) >= 0;
        for (const [flag, origins] of fs) {
          if (!/^FOLL_[A-Z0-9_]+$/.test(flag) || FAST_ACCEPTS.has(flag) || (late && INTERNAL_FROM_6_3.includes(flag)) || !origins.length) continue;
          const direct = origins.some((o) => o.fa === fa && o.line === call.span.line && o.how === flag);
          ctx.report({
            fa, span: call.span, callText: call.text, level: 'error',
            messageId: direct ? 'fast-mask' : 'fast-mask-through',
            data: { call: call.name, flag, origin: origins[0].how, line: origins[0].line },
            hint: `remove ${flag} from the flags`,
            related: origins.filter((o) => !(o.fa === fa && o.line === call.span.line)).slice(0, 3)
              .map((o) => ({ ...rel('call', o.fa, ctx.flags.lineSpan(o.line), `${flag} comes from ${o.how}`), ...(o.file ? { file: o.file } : {}) })),
          });
        }
      }
      for (const flag of ['FOLL_PIN', 'FOLL_GET']) {
        const origins = fs.get(flag);
        if (!origins) continue;
        const id = flag === 'FOLL_PIN' ? (era.pin === 'pin' ? 'pin-to-pin' : ctx.api.existsIn('pin_user_pages', ctx.version) ? 'pin-to-get' : 'pin-to-get-old')
          : era.pin === 'pin' ? 'get-to-pin' : noPages ? 'get-without-pages' : 'get-redundant';
        // Error where the entry rejects the flag (WARN, failure, BUG); note where it is only
        // redundant (FOLL_GET to a get_* entry that sets it itself when pages != NULL).
        // (FOLL_PIN to a pin_* entry is only redundant before 6.3: pin_*() set it themselves
        // and nothing checked the caller's flags for it; from 6.3 it is internal and refused.)
        const level = id === 'get-redundant' || (id === 'pin-to-pin' && ctx.api.cmpVersion(ctx.version, [6, 3]) < 0) ? 'note' : 'error';
        const direct = origins.some((o) => o.fa === fa && o.line === call.span.line && o.how === flag);
        ctx.report({
          fa, span: call.span, callText: call.text, level,
          messageId: direct ? id : `${id}-through`,
          data: { call: call.name, origin: origins[0].how, line: origins[0].line },
          hint: `remove ${flag} from the flags`,
          related: origins.filter((o) => !(o.fa === fa && o.line === call.span.line)).slice(0, 3)
            .map((o) => ({ ...rel('call', o.fa, ctx.flags.lineSpan(o.line), `${flag} comes from ${o.how}`), ...(o.file ? { file: o.file } : {}) })),
        });
      }
    }
  },
};
export default rule;
