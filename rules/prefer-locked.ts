import type { CallerStep, FunctionAnalysis, Rule, RuleContext } from '../src/rule';
import type { Expr } from '../src/parse/ir';
import { rel } from '../src/rule';

/** Does this caller take the lock (for read) only around its call of the helper, nothing
 * else in the region needing it? */
function holdsOnlyAround(ctx: RuleContext, fa: FunctionAnalysis, key: string, st: CallerStep): boolean {
  const k = ctx.program.mapKey(fa, key, st.caller, st.call);
  if (!k) return false;
  const cv = st.caller.atCall[st.call.id].map((w) => ctx.locks.lockOf(w, k));
  if (cv.length === 0 || !cv.every((v) => v.st === 'R' && v.acq !== undefined)) return false;
  return [...new Set(cv.map((v) => v.acq!))].every((a) => {
    const r = ctx.regions.of(st.caller, a, k);
    const wk = ctx.regions.work(st.caller, r, st.call.id);
    return wk.gups.length === 1 && !wk.other.length && !wk.loops && !wk.escapes && r.releases.length > 0;
  });
}

/** Does this caller hold the lock of the helper's mm (read or write) at its call? */
function holdsAt(ctx: RuleContext, fa: FunctionAnalysis, key: string, st: CallerStep): boolean {
  const k = ctx.program.mapKey(fa, key, st.caller, st.call);
  const cv = k ? st.caller.atCall[st.call.id].map((w) => ctx.locks.lockOf(w, k)) : [];
  return cv.length > 0 && cv.every((v) => v.st === 'R' || v.st === 'W');
}

/** The function (or a function of the program it calls, `depth` levels down) needs the
 * mmap lock for something: a lock-dependent call or field access. */
function needsLockWithin(ctx: RuleContext, fa: FunctionAnalysis, depth: number, seen = new Set<FunctionAnalysis>()): boolean {
  if (seen.has(fa)) return false;
  seen.add(fa);
  if (ctx.regions.fieldsNeedingLock(fa).length) return true;
  if (fa.fn.calls.some((c, id) => ctx.regions.needsLock(c.name ?? '') || fa.classes[id]?.kind === 'gup')) return true;
  return depth > 0 && fa.fn.calls.some((c) => c.name !== null && ctx.program.resolve(fa, c.name).some((d) => needsLockWithin(ctx, d, depth - 1, seen)));
}

const rule: Rule = {
  meta: {
    id: 'prefer-locked',
    name: 'PreferLockedGup',
    level: 'note',
    short: 'The lock could be dropped inside the GUP call: plumb an int *locked.',
    full: 'The mmap lock is held around a GUP call only for that call, but _unlocked is not a drop-in: the lock is taken in a caller around a helper whose only lock need is the GUP call, or the mm is remote. Passing an int *locked lets GUP drop the lock and retry faults (VM_FAULT_RETRY).',
    tags: ['mm', 'gup', 'mmap_lock', 'maintainability'],
    precision: 'low',
    messages: {
      'remote-held-for-call': 'the mmap lock of {{mm}} is held only for this {{call}}() call: pass &locked (int locked = 1) so it can drop the lock and retry faults, then unlock only if (locked)',
      'remote-unlocked-variant': 'the mmap lock of {{mm}} is held only for this {{call}}() call: {{unlocked}}() takes the lock of the mm it is given itself and can retry faults: use {{replacement}} and drop the lock/unlock calls',
      // {{keepers}}: the callers that keep the lock and pass NULL, as a clause ('' when none).
      'caller-holds-for-helper': '{{callers}} takes the mmap lock only around {{function}}(), whose only lock need is this {{call}}() call: add an int *locked parameter to {{function}}() and use {{lockedApi}} so {{firstCaller}}() can let the lock be dropped to retry faults{{keepers}}',
      'callers-hold-for-helper': '{{callers}} take the mmap lock only around {{function}}(), whose only lock need is this {{call}}() call: add an int *locked parameter to {{function}}() and use {{lockedApi}} so {{firstCaller}}() can let the lock be dropped to retry faults{{keepers}}',
    },
  },
  check(ctx) {
    // The era's call that takes `int *locked`, in the family of the call it replaces.
    // (The _locked form works on current->mm only: another mm keeps the remote form, with
    // the mm the call names.)
    // Null where the era has none for that mm: before 4.10 get_user_pages_remote() takes no
    // `locked`, and get_user_pages_locked() takes another task's mm only in 4.4-4.5.
    const lockedApiFor = (name: string, key: string, mmArg: string | undefined): string | null => {
      const fam = name.startsWith('pin_') ? 'pin' : 'get';
      const mmText = key === 'current->mm' ? 'current->mm' : (mmArg ?? key).trim();
      const lockedEra = ctx.api.gupFunctions.get(`${fam}_user_pages_locked`)?.eras.find((e) => inEra(e));
      if (lockedEra && (key === 'current->mm' || lockedEra.params.some((p) => p.split(':')[0] === 'mm'))) {
        return lockedEra.params.some((p) => p.split(':')[0] === 'mm') ? `${fam}_user_pages_locked(tsk, ${mmText}, ..., &locked)` : `${fam}_user_pages_locked()`;
      }
      const remoteEra = ctx.api.gupFunctions.get(`${fam}_user_pages_remote`)?.eras.find((e) => inEra(e));
      return remoteEra?.params.some((p) => p.split(':')[0] === 'locked') ? `${fam}_user_pages_remote(${mmText}, ..., &locked)` : null;
    };
    const inEra = (e: { from: string; to: string | null }) => {
      const from = ctx.api.parseVersion(e.from);
      const to = e.to ? ctx.api.parseVersion(e.to) : null;
      return !!from && ctx.api.cmpVersion(from, ctx.version) <= 0 && (!to || ctx.api.cmpVersion(ctx.version, to) <= 0);
    };
    // The `&locked` forms refuse FOLL_LONGTERM in some eras: get_user_pages_locked() and
    // get_user_pages_remote() from 5.2, pin_user_pages_remote(..., &locked) up to 6.2.
    const at = ctx.version[0] * 100 + ctx.version[1];
    const lockedRejectsLongterm = (name: string) => (name.startsWith('pin_') ? at <= 602 : at >= 502);
    for (const s of ctx.sites) {
      if (!ctx.locks.requiresLock(s)) continue;
      const { fa, call, cls } = s;
      const key = cls.key!;
      if (/\bFOLL_LONGTERM\b/.test(call.argText.join(' ')) && lockedRejectsLongterm(call.name!)) continue;
      // FOLL_NOWAIT: a fault that would block returns at once (VM_FAULT_RETRY with
      // FAULT_FLAG_RETRY_NOWAIT keeps the lock), so there is no retry to drop the lock for.
      const fl = cls.era ? ctx.flags.argOf(cls.era.params, call.args) : null;
      if (fl && ctx.flags.resolve(fa, fl, call.span.line).has('FOLL_NOWAIT')) continue;
      const worlds = fa.atCall[call.id];
      if (worlds.length === 0 || cls.locked) continue;
      // A vmas parameter of the helper that every known caller passes as NULL is no vmas.
      if (cls.vmas && !forwardedNull(ctx, fa, cls.vmas)) continue;
      const vals = worlds.map((w) => ctx.locks.lockOf(w, key));
      // (a) A remote mm, locked here only around this call, with a locked parameter available;
      // before 4.10, with an unlocked variant that takes tsk and mm instead.
      const remoteRepl = key !== 'current->mm' && cls.era && !cls.era.params.includes('locked') ? ctx.api.remoteUnlockedReplacement(call, cls.era, ctx.version) : null;
      // (A call read with another era's layout, `locked` and all, is advised only when the
      // audited era's function takes `locked` too: 4.9's get_user_pages_remote() does not.)
      const nowEra = ctx.api.gupFunctions.get(call.name!)?.eras.find((e) => inEra(e));
      const hasLocked = !!cls.era?.params.includes('locked') && (!nowEra || nowEra.params.some((p) => p.split(':')[0] === 'locked'));
      if (key !== 'current->mm' && (hasLocked || remoteRepl) && vals.every((v) => v.st === 'R' && v.acq !== undefined)) {
        const acqs = [...new Set(vals.map((v) => v.acq!))];
        // (A trylock region is non-blocking on purpose: a GUP call that drops the lock to
        // retry takes it again, waiting.)
        if (acqs.some((a) => { const c = fa.classes[a]; return c?.kind === 'lock' && c.prim.kind === 'trylock'; })) continue;
        const ok = acqs.every((a) => {
          const r = ctx.regions.of(fa, a, key);
          const wk = ctx.regions.work(fa, r, call.id);
          return wk.gups.length === 1 && !wk.other.length && !wk.loops && !wk.escapes && r.releases.length > 0;
        // (Not where a caller already holds that lock: taken twice, unbalanced-mmap-lock's.)
        }) && !ctx.program.entryState(fa, key, call.id).held.length;
        // (The mm as the call writes it: `owning_mm`, not the task it was looked up from.)
        const mi = cls.era ? cls.era.params.findIndex((p) => p.split(':')[0] === 'mm') : -1;
        const mmShown = (mi >= 0 ? call.argText[mi]?.replace(/\s+/g, ' ').trim() : '') || key;
        if (ok && remoteRepl) {
          ctx.report({
            fa, span: call.span, callText: call.text,
            messageId: 'remote-unlocked-variant',
            data: { mm: mmShown, call: String(call.name), unlocked: remoteRepl.name, replacement: remoteRepl.text },
            hint: remoteRepl.text,
            related: acqs.map((a) => rel('acquire', fa, fa.fn.calls[a].callSpan, 'lock taken here')),
          });
        } else if (ok) {
          ctx.report({
            fa, span: call.span, callText: call.text,
            messageId: 'remote-held-for-call',
            data: { mm: mmShown, call: String(call.name) },
            related: acqs.map((a) => rel('acquire', fa, fa.fn.calls[a].callSpan, 'lock taken here')),
          });
        }
        continue;
      }
      // (b) The seed's videobuf pattern: the lock comes from callers around a helper call.
      if (!vals.every((v) => v.st === 'E')) continue;
      // mm/ functions called with the lock held state the lock contract of a core API
      // (make_device_exclusive_range() walks the vma after its GUP call): not a helper whose
      // only lock need is the GUP call.
      if (/^mm\//.test(fa.fn.file)) continue;
      const otherNeeds = fa.fn.calls.some((c, id) => id !== call.id && (ctx.regions.needsLock(c.name ?? '') || fa.classes[id].kind === 'gup' || fa.classes[id].kind === 'lock'));
      if (otherNeeds) continue;
      // (Nor one that reads what the lock protects, `vma->vm_start`, or calls a function of
      // the program that does: a walk of mm->mmap in a lookup helper.)
      if (ctx.regions.fieldsNeedingLock(fa).length || fa.fn.calls.some((c) => c.name !== null && ctx.program.resolve(fa, c.name).some((d) => d !== fa && needsLockWithin(ctx, d, 2)))) continue;
      const callers = ctx.program.callersOf(fa).filter((c) => c.caller !== fa);
      if (callers.length === 0) continue;
      // Callers whose region holds the lock only around this helper's call can drop it;
      // the others keep the lock and pass NULL for the new parameter.
      const droppable = callers.filter((st) => holdsOnlyAround(ctx, fa, key, st));
      if (droppable.length === 0) continue;
      // (Callers that do not hold the lock at the call, or hold it only as their own
      // callers do, keep nothing: not named here; missing-mmap-lock speaks of them.)
      const keepers = callers.filter((st) => !droppable.includes(st) && holdsAt(ctx, fa, key, st));
      const lockedApi = lockedApiFor(call.name!, key, cls.era ? call.argText[cls.era.params.findIndex((p) => p.split(':')[0] === 'mm')] : undefined);
      if (!lockedApi) continue;
      const first = droppable[0];
      const names = [...new Set(droppable.map((st) => `${st.caller.fn.name}()`))].join(', ');
      const keep = keepers.length
        ? `; ${[...new Set(keepers.map((st) => `${st.caller.fn.name}()`))].join(', ')} keep${keepers.length === 1 ? 's' : ''} the lock for other work and pass${keepers.length === 1 ? 'es' : ''} NULL`
        : '';
      ctx.report({
        fa, span: call.span, callText: call.text,
        messageId: droppable.length === 1 ? 'caller-holds-for-helper' : 'callers-hold-for-helper',
        data: { callers: names, function: fa.fn.name, call: String(call.name), lockedApi, firstCaller: first.caller.fn.name, keepers: keep },
        related: [
          ...droppable.map((st) => rel('caller', st.caller, st.call.span, `${st.caller.fn.name}() holds the lock only for this call: it can pass &locked`)),
          ...keepers.slice(0, 3).map((st) => rel('caller', st.caller, st.call.span, `${st.caller.fn.name}() keeps the lock: it passes NULL`)),
        ],
        flow: [rel('caller', first.caller, first.call.span, `${first.caller.fn.name}() takes the lock around ${fa.fn.name}()`), rel('gup', fa, call.callSpan, `${call.name}() is the only lock need`)],
      });
    }
  },
};
/** The expression is a parameter of the function, and every call of it the program knows
 * (at least one) passes NULL (or 0) there. */
function forwardedNull(ctx: RuleContext, fa: FunctionAnalysis, e: Expr): boolean {
  if (e.kind !== 'id') return false;
  const i = fa.fn.params.indexOf(e.name);
  if (i < 0) return false;
  const callers = ctx.program.callersOf(fa);
  return callers.length > 0 && callers.every((st) => {
    const a = st.call.args[i];
    return !!a && (a.kind === 'null' || (a.kind === 'num' && a.value === 0) || (a.kind === 'id' && a.name === 'NULL'));
  });
}
export default rule;
