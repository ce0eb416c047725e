import type { CallSite, FunctionAnalysis, Rule, RuleContext } from '../src/rule';
import { rel } from '../src/rule';

/** The _unlocked variants refuse FOLL_LONGTERM in some eras (see src/kernel/kernel-gup-api.json):
 * get_user_pages_unlocked from 5.2 on; pin_user_pages_unlocked from 5.10 to 6.2. */
export function rejectsLongterm(name: string, v: [number, number]): boolean {
  const at = v[0] * 100 + v[1];
  if (name === 'get_user_pages_unlocked') return at >= 502;
  if (name === 'pin_user_pages_unlocked') return at >= 510 && at <= 602;
  return false;
}

function longtermReaches(ctx: RuleContext, fa: FunctionAnalysis, call: CallSite, era: { params: string[] }): boolean {
  const arg = ctx.flags.argOf(era.params, call.args);
  return !!arg && ctx.flags.resolve(fa, arg, call.span.line).has('FOLL_LONGTERM');
}

const rule: Rule = {
  meta: {
    id: 'prefer-unlocked',
    name: 'PreferUnlockedGup',
    level: 'warning',
    short: 'The mmap lock is taken only around one GUP call: use the _unlocked variant.',
    full: 'The read lock of current->mm is taken and released around exactly one get_user_pages()/pin_user_pages() call (or *_remote on current->mm without locked) and nothing else in the region needs it. get_user_pages_unlocked()/pin_user_pages_unlocked() take the lock themselves and can drop it to retry faults (VM_FAULT_RETRY).',
    tags: ['mm', 'gup', 'mmap_lock', 'maintainability'],
    precision: 'medium',
    messages: {
      'taken-around-call': 'the mmap lock of current->mm is taken only around this {{call}}() call; {{unlocked}}() takes it itself and can retry faults: use {{replacement}} and drop the lock/unlock calls',
      'held-for-loop': 'the mmap lock of current->mm is held only for a loop around this {{call}}() call (nothing else in the loop needs it); {{unlocked}}() takes it itself and can retry faults: call {{replacement}} inside the loop and drop the lock/unlock calls around it',
    },
  },
  check(ctx) {
    for (const s of ctx.sites) {
      const { fa, call, cls } = s;
      if (!cls.era || cls.key !== 'current->mm' || cls.locked || cls.vmas) continue;
      if (cls.era.lock !== 'required' && cls.era.lock !== 'via-locked') continue;
      const repl = ctx.api.unlockedReplacement(call, cls.era, ctx.version);
      if (!repl) continue;
      // FOLL_LONGTERM written in the call, or reaching it through a flags variable
      // (`flags |= FOLL_LONGTERM`), a define or a caller's constant.
      if (rejectsLongterm(repl.name, ctx.version) && (/\bFOLL_LONGTERM\b/.test(call.argText.join(' ')) || longtermReaches(ctx, fa, call, cls.era))) continue;
      const worlds = fa.atCall[call.id];
      if (worlds.length === 0) continue;
      const vals = worlds.map((w) => ctx.locks.lockOf(w, 'current->mm'));
      if (!vals.every((v) => v.st === 'R' && v.acq !== undefined)) continue;
      const acqs = [...new Set(vals.map((v) => v.acq!))];
      let ok = true;
      let inLoop = false;
      const related = [];
      const releases = new Set<number>();
      for (const a of acqs) {
        // (A trylock region is non-blocking on purpose: the _unlocked call would wait for
        // the lock.)
        const ac = fa.classes[a];
        if (ac?.kind === 'lock' && ac.prim.kind === 'trylock') { ok = false; break; }
        const region = ctx.regions.of(fa, a, 'current->mm');
        const work = ctx.regions.work(fa, region, call.id);
        // A region holding only a loop around the one call (local arithmetic, an error exit
        // that unlocks) is a positive too: the _unlocked call goes inside the loop. Any other
        // lock-dependent work in the loop body shows up in `work.other`.
        if (work.gups.length !== 1 || work.other.length || work.escapes || region.releases.length === 0) { ok = false; break; }
        if (work.loops) inLoop = true;
        related.push(rel('acquire', fa, fa.fn.calls[a].callSpan, 'mmap lock taken here'));
        region.releases.forEach((r) => releases.add(r));
      }
      if (!ok) continue;
      // A caller already holds the lock where it calls this function: the lock is taken
      // twice (unbalanced-mmap-lock says so), and so would it be by the _unlocked call.
      if (ctx.program.entryState(fa, 'current->mm', call.id).held.length) continue;
      for (const r of releases) related.push(rel('release', fa, fa.fn.calls[r].callSpan, 'and released here'));
      const acq = related.find((r) => r.role === 'acquire')!;
      const relFirst = related.find((r) => r.role === 'release');
      ctx.report({
        fa, span: call.span, callText: call.text,
        messageId: inLoop ? 'held-for-loop' : 'taken-around-call',
        data: { call: String(call.name), unlocked: repl.name, replacement: repl.text },
        hint: repl.text,
        related,
        flow: [acq, rel('gup', fa, call.callSpan, `${call.name}() needs only this`), ...(relFirst ? [relFirst] : [])],
        rewrite: {
          call: { line: call.span.line, col: call.span.col, endLine: call.callSpan.endLine, endCol: call.callSpan.endCol },
          name: repl.name, argOrder: repl.order,
          drop: [...acqs, ...releases].map((id) => fa.fn.calls[id].callSpan),
          dropText: [...acqs, ...releases].map((id) => fa.fn.calls[id].text),
        },
      });
    }
  },
};
export default rule;
