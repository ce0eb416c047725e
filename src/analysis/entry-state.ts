// The lock state at a function's entry as its callers provide it, as one summary per
// (function, mm key). Caller context flows over the call graph: a caller that holds the
// lock, or lacks it, at the call decides directly; a caller that reaches the call with the
// lock as at its own entry passes on its own summary. The summaries are a least fixpoint
// (recursion adds nothing of its own), solved once per node and memoised, so the work is
// bounded by the edges of the call graph times the three verdicts, never by the number of
// caller paths. Each verdict keeps ONE witness: a shortest caller chain that shows it.
import type { CallSite } from '../parse/ir';
import type { FunctionAnalysis, St, World } from './lockstate';
import { stripNoise, walk } from './expr';
import { argsContradict, callFacts, contradicts, factsKey, mergeFacts, paramTests, paramTestsKey, worldFacts, type ParamTest, type PathFact } from './path-facts';

export interface CallerStep {
  caller: FunctionAnalysis;
  call: CallSite;
}

/** How the lock reaches a function's entry: one witness caller chain (outermost last) per
 * verdict that some path gives, empty when no path gives it. */
export interface EntryState {
  held: CallerStep[][];
  unheld: CallerStep[][];
  /** Reached from a caller that does not touch the lock either and has no callers itself
   * (or whose callers were not searched), or the mm could not be named in a caller. */
  unknown: CallerStep[][];
  /** No caller of this function was found at all. */
  noCaller: boolean;
  /** Some chain reaches a function whose callers were not searched (--call-depth). */
  cut: boolean;
  /** Where the unknown witness ends: the mm could not be named in the last caller (`key`,
   * as the function it calls names it), or that caller has no callers of its own. */
  unknownEnd?: { why: 'unmapped'; key: string; ownMm?: 'callee' | 'caller' } | { why: 'entry' };
  /** The unheld witness ends at an entry point (a file_operations handler, a DRM ioctl, a
   * system call): what it is. */
  unheldEntry?: string;
  /** The same for the held witness (a `.mmap` handler). */
  heldEntry?: string;
  /** The function itself is such an entry point. */
  entry?: { lock: 'unheld' | 'held'; what: string };
  /** Callers were found, and every one passes a constant that rules out the paths on which
   * the lock is the caller's (`helper(mm, false)` where the helper locks `if (!have_lock)`):
   * no caller reaches the call without the function's own lock. */
  ruledOut?: boolean;
  /** The mm's root is a local the function itself assigns (`mm = task->mm` after
   * `task = pid_task(...)`): no caller can hold the lock of an mm it does not know. */
  ownMm?: boolean;
}

type Verdict = 'held' | 'unheld' | 'unknown';

/** An mm key that is a VMA's mm (`vma->vm_mm`, `vp->vma->vm_mm`). */
const VMA_MM = /^\*?[A-Za-z_]\w*(?:(?:->|\.)\w+)*(?:->|\.)vm_mm$/;

/** `key` is the mm of a VMA held in a local of `fa` (not reached from a parameter). */
function localVmaMm(fa: FunctionAnalysis, key: string): boolean {
  const head = /^\*?([A-Za-z_]\w*)/.exec(key)?.[1];
  return VMA_MM.test(key) && head !== undefined && head !== 'current' && !fa.fn.params.includes(head);
}
const VERDICTS: Verdict[] = ['held', 'unheld', 'unknown'];

interface Witness {
  step: CallerStep;
  /** The caller's node whose witness continues the chain, or null: the chain ends here. */
  next: EntryNode | null;
  length: number;
  /** Ends here because the mm (`key`, in the callee's terms) could not be named in the caller. */
  unmapped?: string;
  /** The mm's root is a local a function of the chain assigns (`task = pid_task(...)`), not
   * a parameter or a global: that function finds the mm itself. 'callee': the function the
   * step calls (its key did not map to the caller); 'caller': the step's caller (it has no
   * callers of its own). */
  ownMm?: 'callee' | 'caller';
  /** Ends here because the caller is an entry point with a known lock state: what it is. */
  entry?: string;
}

/** After a call through a struct field from a core directory into a driver's function:
 * the driver's and the core's directories. Callers above stay inside them: the core calls
 * a driver's ops on objects that driver made, so a chain that went into radeon's ops from
 * ttm does not come from another driver's ioctl through the same ttm code. */
interface Scope { driver: string; core: string }

const dirOf = (fa: FunctionAnalysis): string => {
  const i = fa.fn.file.lastIndexOf('/');
  return i < 0 ? '.' : fa.fn.file.slice(0, i);
};
const under = (a: string, b: string): boolean => a === b || a.startsWith(`${b}/`);

interface EntryNode {
  fa: FunctionAnalysis;
  key: string;
  scope?: Scope;
  /** Member/constant facts that hold on the way down to the call (src/analysis/path-facts.ts). */
  facts: PathFact[];
  /** The parameter truth tests that hold at the call below (a caller whose constant
   * argument contradicts one never reaches it). */
  ptests: ParamTest[];
  via: Partial<Record<Verdict, Witness>>;
  noCaller: boolean;
  cut: boolean;
  /** Callers that reach the call with the lock as at their own entry. */
  up: { step: CallerStep; node: EntryNode }[];
  /** Every caller found was dropped by a parameter test (ptests). */
  ruledOut?: boolean;
  solved: boolean;
  state?: EntryState;
}

/** What the solver needs of the program. */
export interface CallGraphView {
  callersOf(fa: FunctionAnalysis): CallerStep[];
  mapKey(callee: FunctionAnalysis, key: string, caller: FunctionAnalysis, call: CallSite): string | null;
  /** An expression `key` equals at a call of `fa` by a dominating test, that `fa`'s callers
   * can name (rooted in a parameter or current), or 'NULL', or null. */
  equalAt(fa: FunctionAnalysis, call: CallSite, key: string): string | null;
  /** The one mm `fa` names in terms its callers can map, for a key rooted in a local. */
  soleMm(fa: FunctionAnalysis, key: string): string | null;
  statesAt(worlds: World[], key: string): St[];
  /** False for a function whose callers the caller search did not look for. */
  callersSearched(fa: FunctionAnalysis): boolean;
}

export class EntryStates {
  private nodes = new Map<FunctionAnalysis, Map<string, EntryNode>>();
  /** Work done: caller steps examined plus witness relaxations (bounded by edges x 3). */
  evaluations = 0;
  /** (function, key) summaries computed. */
  summaries = 0;
  /** Caller steps not followed: another driver's call into the core above an ops hop. */
  outOfScope = 0;
  /** Caller worlds dropped: they contradict the member facts of the path below. */
  contradicted = 0;

  constructor(private readonly graph: CallGraphView) {}

  of(fa: FunctionAnalysis, key: string, facts: PathFact[] = [], ptests: ParamTest[] = []): EntryState {
    const root = this.node(fa, key, undefined, facts, ptests);
    if (!root.solved) this.solve(root);
    return (root.state ??= this.stateOf(root));
  }

  private node(fa: FunctionAnalysis, key: string, scope: Scope | undefined, facts: PathFact[], ptests: ParamTest[]): EntryNode {
    let byKey = this.nodes.get(fa);
    if (!byKey) this.nodes.set(fa, (byKey = new Map()));
    const k = `${key}\0${scope ? `${scope.driver}\0${scope.core}` : ''}\0${factsKey(facts)}\0${paramTestsKey(ptests)}`;
    let n = byKey.get(k);
    if (!n) byKey.set(k, (n = { fa, key, scope, facts, ptests, via: {}, noCaller: false, cut: false, up: [], solved: false }));
    return n;
  }

  /** Every unsolved node reachable from `root` over entry-state callers: examined once,
   * then the cut flag and the shortest witnesses flow down to the callees. */
  private solve(root: EntryNode): void {
    const fresh: EntryNode[] = [];
    const seen = new Set<EntryNode>([root]);
    for (let i = 0, queue = [root]; i < queue.length; i++) {
      const n = queue[i];
      fresh.push(n);
      this.examine(n);
      for (const { node } of n.up) if (!node.solved && !seen.has(node)) { seen.add(node); queue.push(node); }
    }
    this.summaries += fresh.length;
    const down = new Map<EntryNode, EntryNode[]>();
    for (const n of fresh) {
      for (const { node } of n.up) {
        if (node.solved) continue;
        const list = down.get(node) ?? down.set(node, []).get(node)!;
        if (list[list.length - 1] !== n) list.push(n);
      }
    }
    this.flowCut(fresh, down);
    for (const v of VERDICTS) this.flowWitnesses(v, fresh, down);
    for (const n of fresh) n.solved = true;
  }

  /** The direct verdicts of a node's callers, and its entry-state callers. */
  private examine(n: EntryNode): void {
    const callers = this.graph.callersOf(n.fa).filter((s) => s.caller !== n.fa);
    n.noCaller = callers.length === 0;
    n.cut = !this.graph.callersSearched(n.fa);
    n.ruledOut = callers.length > 0 && n.ptests.length > 0 && callers.every((st) => argsContradict(n.ptests, st.call.args, { fn: st.caller.fn, callId: st.call.id }));
    for (const step of callers) {
      this.evaluations++;
      const sc = n.scope;
      // Another driver's caller of the core: not a path to this driver's ops (no verdict).
      if (sc && !under(dirOf(step.caller), sc.driver) && !under(dirOf(step.caller), sc.core)) { this.outOfScope++; continue; }
      // A constant argument that makes a test the path below needs false (`helper(mm, true)`
      // where the helper pins only `if (!have_lock)`): this caller never gets there.
      if (n.ptests.length && argsContradict(n.ptests, step.call.args, { fn: step.caller.fn, callId: step.call.id })) { this.contradicted++; continue; }
      let k = this.graph.mapKey(n.fa, n.key, step.caller, step.call);
      // An equality tested before the call (`if (r->mm != locked_mm) return;`): the mm is
      // that other expression, which the callers may name better (a parameter), or NULL
      // (no GUP runs on this path: no verdict).
      if (k !== null) {
        const eq = this.graph.equalAt(step.caller, step.call, k);
        if (eq !== null) k = eq;
        if (k === 'NULL' || k === '0') { this.outOfScope++; continue; }
      }
      // An mm reached from a local (`next->vm_mm`) in a function that names one mm its
      // callers can follow (`mm = vma->vm_mm`): followed as that mm, but a caller found
      // without it is not claimed on a guess.
      let guessed = false;
      if (k === null) {
        const g = this.graph.soleMm(n.fa, n.key);
        if (g !== null) { k = this.graph.mapKey(n.fa, g, step.caller, step.call); guessed = k !== null; }
      }
      const unmapped: Witness = { step, next: null, length: 1, unmapped: n.key, ...(assignsLocalRoot(n.fa, n.key) ? { ownMm: 'callee' as const } : {}) };
      // The mm of a VMA the function holds in a local (`vma->vm_mm`, `vp->vma->vm_mm`): a VMA
      // is only found (find_vma(), vma_lookup(), the VMA iterators) under its mm's lock, so
      // this path holds it where the VMA was found.
      if (k === null ? VMA_MM.test(n.key) : localVmaMm(step.caller, k)) { offer(n, 'held', { step, next: null, length: 1 }); continue; }
      if (k === null) { offer(n, 'unknown', unmapped); continue; }
      // The facts below and at this call: a world of the caller that contradicts them
      // (its lock was taken for b->memory == MMAP, the pin runs for USERPTR) is not this path.
      const facts = mergeFacts(n.facts, callFacts(step.caller.fn, step.call.id, step.caller.nodeCalls));
      let worlds = step.caller.atCall[step.call.id];
      if (facts.length) {
        const kept = worlds.filter((w) => !contradicts(worldFacts(w), facts));
        this.contradicted += worlds.length - kept.length;
        if (kept.length === 0 && worlds.length) continue;
        worlds = kept;
      }
      const sts = this.graph.statesAt(worlds, k);
      if (sts.some((s) => s === 'U' || s === 'D')) offer(n, guessed ? 'unknown' : 'unheld', guessed ? unmapped : { step, next: null, length: 1 });
      if (sts.some((s) => s === 'R' || s === 'W' || s === 'A')) offer(n, 'held', { step, next: null, length: 1 });
      if (sts.some((s) => s === 'E')) n.up.push({ step, node: this.node(step.caller, k, this.scopeAbove(n, step), facts, paramTests(step.caller.fn, step.call.id, step.caller.nodeCalls)) });
    }
  }

  /** The scope of a caller's node: set by a call through a struct field from another
   * directory (neither inside the other), kept otherwise. */
  private scopeAbove(n: EntryNode, step: CallerStep): Scope | undefined {
    if (step.call.name || !step.call.field) return n.scope;
    const d = dirOf(n.fa);
    const c = dirOf(step.caller);
    return under(d, c) || under(c, d) ? n.scope : { driver: d, core: c };
  }

  private flowCut(fresh: EntryNode[], down: Map<EntryNode, EntryNode[]>): void {
    const work = fresh.filter((n) => n.cut || n.up.some((u) => u.node.cut));
    for (const n of work) n.cut = true;
    while (work.length) {
      for (const d of down.get(work.pop()!) ?? []) {
        this.evaluations++;
        if (!d.cut) { d.cut = true; work.push(d); }
      }
    }
  }

  /** Shortest witness chains for one verdict: a breadth-first relaxation in order of chain
   * length, from the direct verdicts and the solved callers, down to the callees. */
  private flowWitnesses(v: Verdict, fresh: EntryNode[], down: Map<EntryNode, EntryNode[]>): void {
    for (const n of fresh) {
      for (const u of n.up) {
        // A caller that is an entry point (a file_operations handler, a DRM ioctl, a system
        // call): the chain ends there with the lock state entry gives.
        const role = u.node.fa.fn.entry;
        if (role && role.lock === v) offer(n, v, { step: u.step, next: null, length: 1, entry: role.what });
        // A caller with no callers of its own: the chain ends there, lock unknown.
        else if (v === 'unknown' && u.node.noCaller && !role) offer(n, v, { step: u.step, next: null, length: 1, ...(assignsLocalRoot(u.node.fa, u.node.key) ? { unmapped: u.node.key, ownMm: 'caller' as const } : {}) });
        const w = u.node.solved ? u.node.via[v] : undefined;
        if (w) offer(n, v, { step: u.step, next: u.node, length: w.length + 1 });
      }
    }
    const buckets: EntryNode[][] = [];
    for (const n of fresh) { const w = n.via[v]; if (w) (buckets[w.length] ??= []).push(n); }
    for (let len = 1; len < buckets.length; len++) {
      for (const n of buckets[len] ?? []) {
        if (n.via[v]!.length !== len) continue; // superseded by a shorter witness
        for (const d of down.get(n) ?? []) {
          this.evaluations++;
          for (const u of d.up) {
            if (u.node !== n) continue;
            if (offer(d, v, { step: u.step, next: n, length: len + 1 })) (buckets[len + 1] ??= []).push(d);
          }
        }
      }
    }
  }

  private stateOf(n: EntryNode): EntryState {
    const last: Partial<Record<Verdict, Witness>> = {};
    const chain = (v: Verdict): CallerStep[][] => {
      if (!n.via[v]) return [];
      const out: CallerStep[] = [];
      for (let w: Witness | undefined = n.via[v]; w; w = w.next?.via[v]) { out.push(w.step); last[v] = w; }
      return [out];
    };
    const state: EntryState = { held: chain('held'), unheld: chain('unheld'), unknown: chain('unknown'), noCaller: n.noCaller, cut: n.cut, ...(n.ruledOut ? { ruledOut: true } : {}) };
    const u = last.unknown;
    if (u) state.unknownEnd = u.unmapped !== undefined ? { why: 'unmapped', key: u.unmapped, ...(u.ownMm ? { ownMm: u.ownMm } : {}) } : { why: 'entry' };
    if (last.unheld?.entry) state.unheldEntry = last.unheld.entry;
    if (last.held?.entry) state.heldEntry = last.held.entry;
    if (n.fa.fn.entry) state.entry = n.fa.fn.entry;
    if (assignsLocalRoot(n.fa, n.key)) state.ownMm = true;
    return state;
  }
}

/** Keep the witness if it is the first or a shorter one for the verdict. */
function offer(n: EntryNode, v: Verdict, w: Witness): boolean {
  const cur = n.via[v];
  if (cur && cur.length <= w.length) return false;
  n.via[v] = w;
  return true;
}

/** Allocations: an object (or mm) made here is nobody else's yet (exec's bprm and its new
 * mm), so its mm being used without the lock is not a lookup left unlocked. */
const ALLOCATION = /(?:^|_)(?:[kv]?[zmc]?alloc\w*|alloc\w*|mm_alloc|dup_mm|kmemdup)$/;

/** The root of an mm expression (`task` of `task->mm`) is a local the function assigns from
 * a lookup (`task = pid_task(...)`), not a parameter, `current`, a global or an object it
 * allocates. */
function assignsLocalRoot(fa: FunctionAnalysis, key: string): boolean {
  const root = /^([A-Za-z_]\w*)/.exec(key)?.[1];
  if (!root || root === 'current' || fa.fn.params.includes(root)) return false;
  let hit = false, fresh = false;
  for (const n of fa.fn.nodes) {
    walk(n.expr, (x) => {
      if (x.kind === 'assign' && x.op === '=' && x.left.kind === 'id' && x.left.name === root) {
        hit = true;
        const r = stripNoise(x.right);
        if (r.kind === 'call' && r.callee && ALLOCATION.test(r.callee)) fresh = true;
      }
      return true;
    });
  }
  return hit && !fresh;
}
