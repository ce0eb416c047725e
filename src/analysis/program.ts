// The analysed program: every extracted function with its lock dataflow, a call graph by
// name (static functions resolve in their own file first), and the lock state at a
// function's entry as its callers provide it.
import type { CallSite, FunctionIR } from '../parse/ir';
import { existsIn, isGupName, mmapLockPrimitive, type Version } from '../kernel/api';
import { analyseFunction, isNullish, lockOf, normMm, otherKeyHeld, type CalleeEffect, type FunctionAnalysis, type St, type World } from './lockstate';
import { BudgetLedger } from './budget';
import type { StructVisibility } from '../parse/includes';
import { EntryStates, type CallerStep, type EntryState } from './entry-state';
import { argsContradict, callEqualities, callFacts, paramTests, worldParamTests } from './path-facts';

/** A helper's effect on the mmap lock of an mm named in its own terms (param-rooted or
 * current->mm): returns with it held (always, or when the return value is non-zero/zero),
 * or releases a lock its caller took. */
export interface LockSummary {
  key: string;
  kind: 'acquires' | 'releases' | 'may-drop';
  mode: 'R' | 'W';
  when: 'always' | 'nonzero' | 'zero';
  /** may-drop: the parameter (its index) the helper hands to its GUP call as `locked`. */
  arg?: number;
}

export type { CallerStep, EntryState } from './entry-state';

/** A call through a field name with more candidate targets than this stays unresolved: the
 * field name alone (no struct type) cannot tell them apart, and each adds caller edges. */
export const POINTER_CANDIDATE_CAP = 16;

export type LockContext = 'local' | 'caller' | 'asserted' | 'none' | 'mixed' | 'self' | 'unknown';

/** Dataflow results kept across the Programs of one audit (the call-graph rounds build a
 * new Program over a growing set of functions): a function's analysis depends only on its
 * IR, the era and the lock effects of the helpers it calls, so it is reused while those
 * effects are unchanged. */
export class AnalysisMemo {
  readonly entries = new Map<FunctionIR, { effects: string; fa: FunctionAnalysis }[]>();
  hits = 0;
  misses = 0;
  /** Analyses taken from the last run's (`kept`), and this run's to keep for the next, by
   * key: the function's digest (FunctionIR.digest), the era and the callees' effects. */
  keptHits = 0;
  readonly toKeep = new Map<string, FunctionAnalysis>();
  private versionKey = new Map<Version, string>();

  constructor(readonly ledger = new BudgetLedger(), private readonly kept?: ReadonlyMap<string, FunctionAnalysis>) {}

  get(fn: FunctionIR, version: Version, effects: string, effectsAt?: (call: CallSite) => CalleeEffect[] | null): FunctionAnalysis {
    let list = this.entries.get(fn);
    const hit = list?.find((e) => e.effects === effects);
    if (hit) { this.hits++; return hit.fa; }
    this.misses++;
    const allowance = this.ledger.allowance(fn);
    const t0 = performance.now();
    const key = fn.digest ? `${fn.digest}\0${this.keyOf(version)}\0${effects}` : null;
    // A kept analysis holds when it finished within this allowance: the dataflow is then
    // the same whatever the budget (a cut one is computed again, to be cut the same way).
    const was = key ? this.kept?.get(key) : undefined;
    const reuse = !!was && !was.exhausted && (was.steps ?? 0) <= allowance;
    const fa = reuse ? { ...was, fn } : analyseFunction(fn, version, effectsAt, allowance);
    if (reuse) this.keptHits++;
    if (key) this.toKeep.set(key, fa);
    this.ledger.record(fn, allowance, fa.steps ?? 0, fa.exhausted ?? false, performance.now() - t0);
    if (!list) this.entries.set(fn, (list = []));
    // (A function's callees' effects settle within a few rounds: keep the last few.)
    if (list.length >= 4) list.shift();
    list.push({ effects, fa });
    return fa;
  }

  private keyOf(version: Version): string {
    let k = this.versionKey.get(version);
    if (k === undefined) this.versionKey.set(version, (k = JSON.stringify(version)));
    return k;
  }
}

export class Program {
  readonly functions: FunctionAnalysis[];
  private byName = new Map<string, FunctionAnalysis[]>();
  private callers = new Map<FunctionAnalysis, CallerStep[]>();
  readonly entries = new EntryStates(this);
  unresolvedPointerCalls = 0;
  /** Calls through a struct field resolved to the functions stored into that field. */
  resolvedPointerCalls = 0;
  /** Calls through a field with more candidates than POINTER_CANDIDATE_CAP (left unresolved). */
  cappedPointerCalls = 0;
  /** Candidate targets of calls through fields dropped: the caller cannot see their struct. */
  typeFilteredTargets = 0;
  private byField = new Map<string, FunctionAnalysis[]>();
  /** `file:name` of functions whose callers the caller search did not look for. */
  unsearched = new Set<string>();

  readonly summaries = new Map<FunctionIR, LockSummary[]>();

  /** `aliases`: macros that are another name of a function (FactsStore.aliases): a call of
   * one that no function of that name answers reaches the function. */
  constructor(fns: FunctionIR[], readonly version: Version, readonly callDepth: number, memo = new AnalysisMemo(), private readonly visibility?: StructVisibility, private readonly aliases?: ReadonlyMap<string, string>) {
    let analyses = fns.map((f) => memo.get(f, version, ''));
    const index = () => {
      this.byName.clear();
      for (const fa of analyses) {
        const list = this.byName.get(fa.fn.name) ?? [];
        list.push(fa);
        this.byName.set(fa.fn.name, list);
      }
    };
    index();
    // Helpers that return with the lock held, or release their caller's lock: summarise,
    // then re-run the callers' dataflow with those effects, until nothing changes.
    for (let round = 0; round < 4; round++) {
      let changed = false;
      for (const fa of analyses) {
        const sum = summarise(fa);
        const before = JSON.stringify(this.summaries.get(fa.fn) ?? []);
        if (JSON.stringify(sum) !== before) { changed = true; if (sum.length) this.summaries.set(fa.fn, sum); else this.summaries.delete(fa.fn); }
      }
      if (!changed || this.summaries.size === 0) break;
      analyses = analyses.map((fa) => {
        const uses = fa.fn.calls.some((c) => c.name && this.resolve(fa, c.name).some((d) => d !== fa && this.summaries.has(d.fn)));
        if (!uses) return fa;
        const effects = new Map(fa.fn.calls.map((c) => [c, this.effectsAt(fa, c)]));
        return memo.get(fa.fn, version, JSON.stringify([...effects.values()]), (call) => effects.get(call) ?? null);
      });
      index();
    }
    this.functions = analyses;
    for (const fa of this.functions) for (const f of fa.fn.pointerFields ?? []) (this.byField.get(f) ?? this.byField.set(f, []).get(f)!).push(fa);
    for (const fa of this.functions) {
      for (const c of fa.fn.calls) {
        const targets = c.name ? this.resolve(fa, c.name) : this.pointerTargets(fa, c);
        if (!targets) { this.unresolvedPointerCalls++; continue; }
        for (const callee of targets) {
          if (callee === fa && callee.fn.calls.length === 0) continue;
          const list = this.callers.get(callee) ?? [];
          list.push({ caller: fa, call: c });
          this.callers.set(callee, list);
        }
      }
    }
  }

  /** Definitions a call by name in `from` reaches: the file's own first, then global ones. */
  resolve(from: FunctionAnalysis, name: string, hops = 0): FunctionAnalysis[] {
    // Calls of the kernel API (GUP entry points, mmap lock primitives) are judged by the
    // API model, never by walking into their implementation: get_user_pages_fast_only()
    // reaches a sleeping slow path only without FOLL_FAST_ONLY, which it always sets.
    // (Except a module's own function of a GUP name the version lacks, in the caller's file
    // or a header: CallSite.ownDef.)
    if (mmapLockPrimitive(name)) return [];
    if (isGupName(name)) {
      if (existsIn(name, this.version)) return [];
      // (The calling file's own definition, else one in a header, as for a static inline.)
      const defs = this.byName.get(name) ?? [];
      const local = defs.filter((d) => d.fn.file === from.fn.file);
      return local.length ? local : this.includedOf(from, defs.filter((d) => d.fn.file.endsWith('.h')));
    }
    const defs = this.byName.get(name);
    if (!defs) {
      // A module's macro that is another name of a function (`#define drv_gup(...)
      // drv_compat_gup(__VA_ARGS__)`, in a header or another file than the function).
      const to = this.aliases?.get(name);
      return to && hops < 4 ? this.resolve(from, to, hops + 1) : [];
    }
    const local = defs.filter((d) => d.fn.file === from.fn.file);
    // Global definitions, and static (inline) functions of headers, which their includers see.
    const global = () => this.includedOf(from, defs.filter((d) => !d.fn.isStatic || d.fn.file.endsWith('.h')));
    // A local __weak default: the overrides elsewhere (per architecture) are candidates too.
    if (local.length) return local.some((d) => d.fn.isWeak) ? [...new Set([...local, ...global()])] : local;
    return nearest(from, global());
  }

  /** Of several static functions of one name in different headers (two modules' compat
   * headers), the ones a call in `from` can see: those its #include closure reaches; when
   * none is known to be reached (an include the tool could not resolve), the ones not known
   * to be out of reach in the directory nearest to the caller's. Other definitions stay. */
  private includedOf(from: FunctionAnalysis, defs: FunctionAnalysis[]): FunctionAnalysis[] {
    const inHeaders = defs.filter((d) => d.fn.isStatic && d.fn.file.endsWith('.h'));
    if (!this.visibility || new Set(inHeaders.map((d) => d.fn.file)).size < 2) return defs;
    const vis = this.visibility;
    const seen = inHeaders.map((d) => vis.reaches(from.fn.file, d.fn.file));
    let keep = inHeaders.filter((_, i) => seen[i] === true);
    if (!keep.length) {
      const open = inHeaders.filter((_, i) => seen[i] === null);
      const near = (d: FunctionAnalysis) => sharedDirs(d.fn.file, from.fn.file);
      const best = Math.max(-1, ...open.map(near));
      keep = open.filter((d) => near(d) === best);
    }
    if (!keep.length) return defs;
    return defs.filter((d) => !inHeaders.includes(d) || keep.includes(d));
  }

  /** The functions a call through a struct field reaches: every function stored into a
   * field of that name (by initialiser or assignment), or null (unresolved). */
  private pointerTargets(caller: FunctionAnalysis, call: CallSite): FunctionAnalysis[] | null {
    let all = call.field ? this.byField.get(call.field) : undefined;
    if (!all) return null;
    // Stored by typed initialisers only (`struct ttm_backend_func ... = { .bind = fn }`):
    // a caller that cannot see that struct's definition cannot call through its member.
    const vis = this.visibility;
    if (vis) {
      const before = all.length;
      all = all.filter((t) => {
        const structs = t.fn.fieldStructs?.[call.field!];
        return !structs || structs.some((st) => vis.visible(caller.fn.file, st, t.fn.file));
      });
      this.typeFilteredTargets += before - all.length;
    }
    // The field name alone says nothing of the struct: a function whose parameter count
    // differs from the call's arguments is stored into another struct's field of that name
    // (`uncore->move(uncore, cpu)` never reaches a five-parameter ttm `.move`).
    const targets = all.filter((t) => t.fn.arity === undefined || t.fn.arity === call.argText.length);
    if (!targets.length) return null;
    if (targets.length > POINTER_CANDIDATE_CAP) { this.cappedPointerCalls++; return null; }
    this.resolvedPointerCalls++;
    return targets;
  }

  /** Lock effects of the helpers a call reaches, in the caller's terms. */
  effectsAt(caller: FunctionAnalysis, call: CallSite): CalleeEffect[] | null {
    if (!call.name) return null;
    const defs = this.resolve(caller, call.name).filter((d) => d.fn !== caller.fn);
    if (defs.length !== 1) return null;
    const sums = this.summaries.get(defs[0].fn);
    if (!sums) return null;
    const out: CalleeEffect[] = [];
    for (const s of sums) {
      // (A NULL `locked` from this caller: the helper's GUP call cannot drop the lock.)
      if (s.kind === 'may-drop' && (s.arg === undefined || s.arg >= call.args.length || isNullish(call.args[s.arg]))) continue;
      const k = this.mapKey(defs[0], s.key, caller, call);
      if (k) out.push({ ...s, key: k });
    }
    return out;
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
   * while `key` is untouched counts as held (`A`): the two names may be one mm, as at a GUP
   * call itself (sites.ts, otherKeyHeld). */
  statesAt(worlds: World[], key: string): St[] {
    return worlds.map((w) => {
      const st = lockOf(w, key).st;
      return st === 'E' && otherKeyHeld(w, key) ? 'A' : st;
    });
  }

  /** An expression `key` equals at `call` in `fa` by a dominating test (`if (r->mm !=
   * locked_mm) return;`): the other side when `fa`'s callers can name it (a parameter or
   * current) and the key is not already a parameter itself, 'NULL' for a null pointer. */
  equalAt(fa: FunctionAnalysis, call: CallSite, key: string): string | null {
    for (const [a, b] of callEqualities(fa.fn, call.id, fa.nodeCalls)) {
      const na = normMm(a, fa.fn.aliases), nb = normMm(b, fa.fn.aliases);
      const other = na === key ? nb : nb === key ? na : null;
      if (other === null) continue;
      if (other === 'NULL' || other === '0') return 'NULL';
      const head = /^([A-Za-z_]\w*)/.exec(other)?.[1];
      if (head && (head === 'current' || fa.fn.params.includes(head)) && /^[A-Za-z_][\w>.-]*$/.test(other)) return other;
    }
    return null;
  }

  /** For a key rooted in a local of `fa` (`next->vm_mm`): the one mm `fa` names that its
   * callers can follow (current->mm or rooted in a parameter), from its mm aliases
   * (`mm = vma->vm_mm`), the locks it takes and its GUP calls; null when none or several. */
  soleMm(fa: FunctionAnalysis, key: string): string | null {
    const head = /^([A-Za-z_]\w*)/.exec(key)?.[1];
    if (!head || head === 'current' || fa.fn.params.includes(head)) return null;
    const named = new Set<string>();
    for (const v of Object.values(fa.fn.aliases)) if (/(^|->|\.)(vm_)?mm$/.test(v)) named.add(normMm(v, fa.fn.aliases));
    for (const c of fa.classes) if ((c.kind === 'lock' || c.kind === 'gup') && c.key) named.add(c.key);
    named.delete(key);
    const ok = [...named].filter((k) => mappableKey(fa, k));
    return ok.length === 1 && named.size === 1 ? ok[0] : null;
  }

  /** The lock state of `key` at the entry of `fa` as its callers provide it (memoised per
   * function and key; see entry-state.ts). */
  entryState(fa: FunctionAnalysis, key: string, atCall?: number): EntryState {
    if (atCall === undefined) return this.entries.of(fa, key);
    // (The tests of parameters that decide whether the call runs, and the values of those
    // the paths on which the lock is the caller's carry.)
    const own = paramTests(fa.fn, atCall, fa.nodeCalls);
    const fromWorlds = worldParamTests(fa.fn, (fa.atCall[atCall] ?? []).filter((w) => lockOf(w, key).st === 'E')).filter((t) => !own.some((o) => o.index === t.index));
    return this.entries.of(fa, key, callFacts(fa.fn, atCall, fa.nodeCalls), [...own, ...fromWorlds]);
  }

  /** A call of `fa` whose constant argument makes a parameter test that dominates call
   * `atCall` of `fa` false (`helper(mm, true)`, the helper locks only `if (!have_lock)`):
   * that call of `fa` never reaches `atCall`. */
  neverReaches(fa: FunctionAnalysis, atCall: number, call: CallSite, caller?: FunctionAnalysis): boolean {
    return argsContradict(paramTests(fa.fn, atCall, fa.nodeCalls), call.args, caller ? { fn: caller.fn, callId: call.id } : undefined);
  }

  /** Did the caller search look for the callers of `fa`? (False where --call-depth ended it.) */
  callersSearched(fa: FunctionAnalysis): boolean {
    return !this.unsearched.has(`${fa.fn.file}:${fa.fn.name}`);
  }
}

export function chainText(chain: CallerStep[]): string {
  return chain.map((s) => `${s.caller.fn.name} (${s.caller.fn.file}:${s.call.span.line})`).join(' <- ');
}

function mappableKey(fa: FunctionAnalysis, key: string): boolean {
  const head = /^([A-Za-z_]\w*)/.exec(key)?.[1];
  return head === 'current' || (head !== undefined && fa.fn.params.includes(head));
}

/** Summaries from the body: every exit holds a lock taken here (always, or tied to the
 * return value), or every exit has released a lock the function did not take. */
export function summarise(fa: FunctionAnalysis): LockSummary[] {
  const out: LockSummary[] = [];
  if (fa.exits.length === 0) return out;
  const keys = new Set<string>();
  for (const w of fa.exits) for (const k of Object.keys(w.locks)) keys.add(k);
  const takesLocally = (key: string) => fa.classes.some((c) => c.kind === 'lock' && c.key === key && c.prim.kind !== 'release' && c.prim.kind !== 'assert');
  for (const key of keys) {
    if (!mappableKey(fa, key)) continue;
    const vals = fa.exits.map((w) => ({ v: lockOf(w, key), ret: w.vars.$ret }));
    const held = vals.filter((x) => (x.v.st === 'R' || x.v.st === 'W') && x.v.acq !== undefined);
    const mode = held[0]?.v.st === 'W' ? 'W' : 'R';
    if (held.length === vals.length) { out.push({ key, kind: 'acquires', mode, when: 'always' }); continue; }
    if (held.length) {
      const rest = vals.filter((x) => !held.includes(x));
      if (!rest.every((x) => x.v.st === 'U' || x.v.st === 'E')) continue;
      const zero = (r: number | undefined) => r === 0;
      if (rest.every((x) => zero(x.ret)) && held.every((x) => !zero(x.ret))) out.push({ key, kind: 'acquires', mode, when: 'nonzero' });
      else if (held.every((x) => zero(x.ret)) && rest.every((x) => x.ret !== undefined && x.ret !== 0)) out.push({ key, kind: 'acquires', mode, when: 'zero' });
      continue;
    }
    if (!takesLocally(key) && vals.every((x) => x.v.st === 'U' && x.v.by !== undefined)) {
      out.push({ key, kind: 'releases', mode: 'R', when: 'always' });
      continue;
    }
    // A compat wrapper that hands its own `int *locked` parameter to a GUP call that may
    // drop the lock (`return get_user_pages_remote(mm, ..., locked);`) and neither takes
    // nor releases that lock itself: its callers' lock may be dropped, as by the GUP call.
    if (takesLocally(key) || fa.classes.some((c) => c.kind === 'lock' && c.key === key)) continue;
    const dropped = vals.filter((x) => x.v.st === 'D' && x.v.by !== undefined);
    if (!dropped.length || !vals.every((x) => x.v.st === 'D' || x.v.st === 'E')) continue;
    const params = new Set<number>();
    for (const x of dropped) {
      const c = fa.classes[x.v.by!];
      const l = c.kind === 'gup' ? c.locked : null;
      params.add(l && l.kind === 'id' && !l.cast ? fa.fn.params.indexOf(l.name) : -1);
    }
    if (params.size === 1 && !params.has(-1)) out.push({ key, kind: 'may-drop', mode: 'R', when: 'always', arg: [...params][0] });
  }
  return out;
}

/** How many leading directories two tree-relative paths share. */
/** Of global definitions of one name in several .c files of different directories (two
 * out-of-tree modules, each with its own drv_compat_gup()), those nearest the caller: the
 * most leading directories in common with it. Definitions as far as each other
 * (per-architecture ones seen from generic code) all stay. */
function nearest(from: FunctionAnalysis, defs: FunctionAnalysis[]): FunctionAnalysis[] {
  // (Header definitions, a stub for another configuration, stay: only .c files compete.)
  const inC = defs.filter((d) => !d.fn.file.endsWith('.h'));
  if (inC.length < 2) return defs;
  const score = new Map(inC.map((d) => [d, sharedDirs(d.fn.file, from.fn.file)]));
  const best = Math.max(...score.values());
  return defs.filter((d) => !score.has(d) || score.get(d) === best);
}

function sharedDirs(a: string, b: string): number {
  const x = a.split('/').slice(0, -1);
  const y = b.split('/').slice(0, -1);
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n++;
  return n;
}
