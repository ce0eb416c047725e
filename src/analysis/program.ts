// The analysed program: every extracted function with its lock dataflow, a call graph by
// name (static functions resolve in their own file first), and the lock state at a
// function's entry as its callers provide it.
import type { CallSite, FunctionIR } from '../parse/ir';
import type { Version } from '../kernel/api';
import { analyseFunction, lockOf, normMm, type FunctionAnalysis, type St, type World } from './lockstate';

export interface CallerStep {
  caller: FunctionAnalysis;
  call: CallSite;
}

/** How the lock reaches a function's entry: chains of caller steps (outermost last). */
export interface EntryState {
  held: CallerStep[][];
  unheld: CallerStep[][];
  /** Reached from a caller that does not touch the lock either and has no callers itself. */
  unknown: CallerStep[][];
  /** No caller of this function was found at all. */
  noCaller: boolean;
  /** The call-depth bound cut the search. */
  cut: boolean;
}

export type LockContext = 'local' | 'caller' | 'asserted' | 'none' | 'mixed' | 'self' | 'unknown';

export class Program {
  readonly functions: FunctionAnalysis[];
  private byName = new Map<string, FunctionAnalysis[]>();
  private callers = new Map<FunctionAnalysis, CallerStep[]>();
  private entryMemo = new Map<string, EntryState>();
  unresolvedPointerCalls = 0;

  constructor(fns: FunctionIR[], readonly version: Version, readonly callDepth: number) {
    this.functions = fns.map((f) => analyseFunction(f, version));
    for (const fa of this.functions) {
      const list = this.byName.get(fa.fn.name) ?? [];
      list.push(fa);
      this.byName.set(fa.fn.name, list);
    }
    for (const fa of this.functions) {
      for (const c of fa.fn.calls) {
        if (!c.name) { this.unresolvedPointerCalls++; continue; }
        for (const callee of this.resolve(fa, c.name)) {
          if (callee === fa && callee.fn.calls.length === 0) continue;
          const list = this.callers.get(callee) ?? [];
          list.push({ caller: fa, call: c });
          this.callers.set(callee, list);
        }
      }
    }
  }

  /** Definitions a call by name in `from` reaches: the file's own first, then global ones. */
  resolve(from: FunctionAnalysis, name: string): FunctionAnalysis[] {
    const defs = this.byName.get(name);
    if (!defs) return [];
    const local = defs.filter((d) => d.fn.file === from.fn.file);
    if (local.length) return local;
    return defs.filter((d) => !d.fn.isStatic);
  }

  callersOf(fa: FunctionAnalysis): CallerStep[] {
    return this.callers.get(fa) ?? [];
  }

  /** Express a callee's mm key in the caller's terms at a call site, or null. */
  mapKey(callee: FunctionAnalysis, key: string, caller: FunctionAnalysis, call: CallSite): string | null {
    const m = /^([A-Za-z_]\w*)(.*)$/.exec(key);
    if (!m) return null;
    if (m[1] === 'current') return key;
    const i = callee.fn.params.indexOf(m[1]);
    if (i < 0 || i >= call.argText.length) return null;
    return normMm(call.argText[i] + m[2], caller.fn.aliases);
  }

  /** The states of `key` in the worlds at a call site; a world holding some other mm's lock
   * while `key` is untouched counts as held when `key` could not be told apart. */
  statesAt(worlds: World[], key: string): St[] {
    return worlds.map((w) => lockOf(w, key).st);
  }

  entryState(fa: FunctionAnalysis, key: string, depth = 0, visiting = new Set<FunctionAnalysis>()): EntryState {
    const memoKey = `${fa.fn.file}:${fa.fn.startLine}:${key}`;
    const memo = this.entryMemo.get(memoKey);
    if (memo && depth === 0) return memo;
    const res: EntryState = { held: [], unheld: [], unknown: [], noCaller: false, cut: false };
    const callers = this.callersOf(fa).filter((s) => s.caller !== fa);
    if (callers.length === 0) res.noCaller = true;
    if (depth >= this.callDepth) { res.cut = true; return res; }
    visiting.add(fa);
    for (const step of callers) {
      const k = this.mapKey(fa, key, step.caller, step.call);
      if (k === null) { res.unknown.push([step]); continue; }
      const sts = this.statesAt(step.caller.atCall[step.call.id], k);
      if (sts.length === 0) continue; // unreachable call site
      if (sts.some((s) => s === 'U' || s === 'D')) res.unheld.push([step]);
      if (sts.some((s) => s === 'R' || s === 'W' || s === 'A')) res.held.push([step]);
      if (sts.some((s) => s === 'E')) {
        if (visiting.has(step.caller)) continue; // recursion: the outer frame decides
        const up = this.entryState(step.caller, k, depth + 1, visiting);
        for (const c of up.held) res.held.push([step, ...c]);
        for (const c of up.unheld) res.unheld.push([step, ...c]);
        for (const c of up.unknown) res.unknown.push([step, ...c]);
        if (up.noCaller) res.unknown.push([step]);
        if (up.cut) res.cut = true;
      }
    }
    visiting.delete(fa);
    if (depth === 0) this.entryMemo.set(memoKey, res);
    return res;
  }
}

export function chainText(chain: CallerStep[]): string {
  return chain.map((s) => `${s.caller.fn.name} (${s.caller.fn.file}:${s.call.span.line})`).join(' <- ');
}
