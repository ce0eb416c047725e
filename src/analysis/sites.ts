// GUP call sites and their lock context, shared by the rules and --stats.
import type { CallSite } from '../parse/ir';
import { lockOf, otherKeyHeld, type CallClass, type FunctionAnalysis } from './lockstate';
import type { LockContext, Program } from './program';
import { existsIn, isGupName } from '../kernel/api';

export interface GupSite {
  fa: FunctionAnalysis;
  call: CallSite;
  cls: Extract<CallClass, { kind: 'gup' }>;
}

export function gupSites(p: Program): GupSite[] {
  const out: GupSite[] = [];
  for (const fa of p.functions) {
    fa.fn.calls.forEach((call, i) => {
      const cls = fa.classes[i];
      if (cls.kind === 'gup') out.push({ fa, call, cls });
    });
  }
  return out;
}

/** Does the call need the mmap lock held by its caller? */
export function requiresLock(s: GupSite): boolean {
  const e = s.cls.era;
  if (!e || !s.cls.key) return false;
  return e.lock === 'required' || e.lock === 'via-locked';
}

export { otherKeyHeld } from './lockstate';

export function lockContextOf(p: Program, s: GupSite): LockContext {
  const e = s.cls.era;
  if (!e || !s.cls.key) return 'unknown';
  if (e.lock === 'forbidden' || e.lock === 'any') return 'self';
  const worlds = s.fa.atCall[s.call.id];
  if (worlds.length === 0) return 'unknown';
  const kinds = new Set<string>();
  for (const w of worlds) {
    const st = lockOf(w, s.cls.key).st;
    if (st === 'R' || st === 'W') kinds.add('local');
    else if (st === 'A') kinds.add('asserted');
    else if (st === 'U' || st === 'D') kinds.add('none');
    else if (otherKeyHeld(w, s.cls.key)) kinds.add('local');
    else if (isGupName(s.fa.fn.name) && existsIn(s.fa.fn.name, p.version)) kinds.add('caller'); // an API function's body: its contract
    else {
      const es = p.entryState(s.fa, s.cls.key, s.call.id);
      if (es.unheld.length) kinds.add('none');
      if (es.held.length) kinds.add('caller');
      if (!es.unheld.length && !es.held.length) kinds.add('unknown');
    }
  }
  if (kinds.size === 1) return [...kinds][0] as LockContext;
  if (kinds.has('none')) return 'mixed';
  if (kinds.has('unknown') && kinds.size === 2) return [...kinds].find((k) => k !== 'unknown') as LockContext;
  return 'mixed';
}
