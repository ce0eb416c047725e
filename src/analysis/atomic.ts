// Atomic context per path: a small forward dataflow over the same CFG as the lock state.
// The state of a path is the stack of calls that opened an atomic section (spinlocks,
// rwlocks, RCU, preemption/IRQ/BH/pagefault disabling) and are still open; a node's state
// is the set of those stacks over all paths reaching it.
import type { CfgNode, Expr, FunctionIR } from '../parse/ir';
import { callsInOrder, stripNoise } from './expr';
import { ppLiveness, repeatedPpConditions } from './lockstate';
import { ppOutcomes } from './ppcond';
import { atomicPrimitive, type AtomicClass, type Prim } from '../kernel/atomic-primitives';

export type { AtomicClass } from '../kernel/atomic-primitives';

/** A function-like macro of the same file whose body opens or closes a section. */
function macroPrimitive(fn: FunctionIR, name: string | null): Prim | null {
  if (!name || !fn.macros?.[name]?.params) return null;
  const body = fn.macros[name].value;
  const names = [...body.matchAll(/([A-Za-z_]\w*)\s*\(/g)].map((m) => m[1]);
  for (const n of names) {
    const p = atomicPrimitive(n);
    if (p && p.op !== 'try') return p;
  }
  return null;
}

export interface Opener {
  call: number;
  cls: AtomicClass;
  /** The lock argument, to pair an unlock with its own lock. */
  arg?: string;
  /** Opened by guard()/scoped_guard(): ends with the scope, never by a call. */
  scoped?: boolean;
  /** Not a section: the mark of one the function's caller opened and this function closed
   * at `call` (`spin_unlock(&v->lock); pin(...); spin_lock(&v->lock);`). Taking the same
   * lock again removes the mark: the caller's section is back. */
  drop?: true;
}

/** A lock as an expression (`v->lock` of `&v->lock`; '' for a section without a lock). */
export function lockExpr(arg: string | undefined): string {
  return arg ? arg.replace(/\s+/g, '').replace(/^&/, '') : '';
}

/** A lock expression of a function (`q->lock`) in the terms of a caller that passes its
 * root parameter (`&d->q` for q): `d->q.lock`. Null when its root is no parameter (a
 * local: the caller cannot name it); a global stays as it is. */
export function lockInCaller(expr: string, params: string[], args: string[]): string | null {
  const m = /^([A-Za-z_]\w*)(.*)$/.exec(expr);
  if (!m) return expr;
  const i = params.indexOf(m[1]);
  if (i < 0) return /^[A-Z_]/.test(m[1]) || !/->|\./.test(m[2]) ? expr : null;
  const a = (args[i] ?? '').replace(/\s+/g, '');
  if (!a) return null;
  if (a.startsWith('&') && m[2].startsWith('->')) return `${a.slice(1)}.${m[2].slice(2)}`;
  return /^[\w>.-]+$/.test(a) ? `${a}${m[2]}` : `(${a})${m[2]}`;
}

export interface AtomicAnalysis {
  /** Per call id: the open sections on each path reaching the call (before its effect). */
  atCall: Opener[][][];
  primitive: (Prim | null)[];
  /** Openers still open at a return (their sections are not counted). */
  leaked: number[];
}

const MAX_STACKS = 32;
const MAX_DEPTH = 8;

type Stack = Opener[];
const key = (s: Stack) => s.map((o) => o.call).join(',');

function apply(s: Stack, p: Prim, call: number, arg: string | undefined, scoped: boolean): Stack {
  if (p.op === 'enter' || p.op === 'try') {
    // The caller's lock taken again after this function dropped it: the mark goes.
    const back = s.findIndex((o) => o.drop && o.cls === p.cls && lockExpr(o.arg) === lockExpr(arg));
    if (back >= 0 && p.op === 'enter') return [...s.slice(0, back), ...s.slice(back + 1)];
    if (s.some((o) => o.call === call && !o.drop) || s.length >= MAX_DEPTH) return s;
    return [...s, { call, cls: p.cls, arg, scoped }];
  }
  // The unlock of the same lock if it is open, otherwise the innermost of the class.
  let at = -1;
  if (arg !== undefined) for (let i = s.length - 1; i >= 0 && at < 0; i--) if (!s[i].drop && s[i].cls === p.cls && s[i].arg === arg) at = i;
  for (let i = s.length - 1; i >= 0 && at < 0; i--) if (!s[i].drop && s[i].cls === p.cls && !s[i].scoped) at = i;
  if (at < 0) {
    // Opened by a caller: marked as dropped from here on.
    if (s.some((o) => o.drop && o.cls === p.cls && lockExpr(o.arg) === lockExpr(arg)) || s.length >= MAX_DEPTH) return s;
    return [...s, { call, cls: p.cls, arg, drop: true }];
  }
  return [...s.slice(0, at), ...s.slice(at + 1)];
}

/** The polarity of a trylock inside a branch condition: true when the true edge holds it. */
function tryPolarity(cond: Expr, call: number): boolean | null {
  let e = stripNoise(cond);
  let neg = false;
  for (let i = 0; i < 4; i++) {
    if (e.kind === 'un' && e.op === '!') { neg = !neg; e = stripNoise(e.operand); continue; }
    break;
  }
  if (e.kind === 'call' && e.call === call) return !neg;
  // `a && trylock(l)`: held on the true edge.
  if (e.kind === 'bin' && e.op === '&&' && !neg) return true;
  return null;
}

export function analyseAtomic(fn: FunctionIR): AtomicAnalysis {
  const primitive = fn.calls.map((c) => (c.name === 'scoped_guard' && c.scopeEnd === undefined ? null : atomicPrimitive(c.name, c.argText) ?? macroPrimitive(fn, c.name)));
  const argOf = (id: number): string | undefined => {
    const c = fn.calls[id];
    if (primitive[id]?.cls !== 'spin' || c.name === 'guard' || c.name === 'scoped_guard') return undefined;
    return c.argText[0]?.replace(/\s+/g, '');
  };
  const scopedAt = (id: number) => fn.calls[id].name === 'guard' || fn.calls[id].name === 'scoped_guard';
  const outOfScope = (id: number, line: number) => { const c = fn.calls[id]; return c.scopeEnd !== undefined && (line > c.scopeEnd || line < c.span.line); };
  const step = (s: Stack, id: number) => apply(s, primitive[id]!, id, argOf(id), scopedAt(id));
  const atCall: Map<string, Stack>[] = fn.calls.map(() => new Map());
  const result: AtomicAnalysis = { atCall: [], primitive, leaked: [] };
  if (!primitive.some((p) => p)) {
    // Nothing opens a section here: every call sees the empty stack (when reachable).
    result.atCall = fn.calls.map(() => [[]]);
    return result;
  }
  // A state is the stack and the decisions taken at undecided #if tests that the function
  // makes more than once (`#ifdef CONFIG_X` spin_lock ... `#ifdef CONFIG_X` spin_unlock: both
  // or neither), one `condition=0|1` per line.
  const repeated = repeatedPpConditions(fn);
  const ppLive = ppLiveness(fn, repeated);
  const inSets: Map<string, Stack>[] = fn.nodes.map(() => new Map());
  const work: [number, Stack, string][] = [];
  const add = (n: number, s: Stack, pp0 = '') => {
    if (n < 0) return;
    const pp = pp0 && pp0.split('\n').filter((d) => ppLive[n].has(d.slice(0, -2))).join('\n');
    const set = inSets[n];
    const k = pp ? `${key(s)}|${pp}` : key(s);
    if (set.has(k) || set.size >= MAX_STACKS) return;
    set.set(k, s);
    work.push([n, s, pp]);
  };
  const run = (node: CfgNode, s: Stack): { out: Stack; tries: number[] } => {
    let cur = s;
    const tries: number[] = [];
    for (const id of callsInOrder(node.expr)) {
      const k = key(cur);
      if (!atCall[id].has(k)) atCall[id].set(k, cur);
      const p = primitive[id];
      if (!p) continue;
      if (p.op === 'try') { tries.push(id); continue; }
      cur = step(cur, id);
    }
    return { out: cur, tries };
  };
  add(0, []);
  let steps = 0;
  while (work.length && steps++ < 100000) {
    const [id, s0, pp] = work.pop()!;
    const node = fn.nodes[id];
    // A guard() of an inner block is over outside the block's lines.
    const s = s0.some((o) => o.scoped && outOfScope(o.call, node.line)) ? s0.filter((o) => !(o.scoped && outOfScope(o.call, node.line))) : s0;
    const known = (atom: string) => { const d = pp.split('\n').find((x) => x.slice(0, -2) === atom); return d ? +d.slice(-1) : undefined; };
    const outs = node.kind === 'branch' && node.pp && repeated.size ? ppOutcomes(node.pp, repeated, known) : null;
    if (outs) {
      for (const o of outs) add(node.succ[o.arm], s, o.set.reduce((q, [a, v]) => (q ? `${q}\n${a}=${v}` : `${a}=${v}`), pp));
      continue;
    }
    if (node.kind === 'branch') {
      const { out, tries } = run(node, s);
      let t = out, f = out;
      for (const c of tries) {
        const pol = node.expr ? tryPolarity(node.expr, c) : null;
        if (pol === true) t = step(t, c);
        else if (pol === false) f = step(f, c);
      }
      add(node.succ[0], t, pp);
      add(node.succ[1], f, pp);
      continue;
    }
    const { out } = node.kind === 'stmt' ? run(node, s) : { out: s };
    for (const n of node.succ) add(n, out, pp);
  }
  // A section still open when the function returns was handed to a callee that drops it
  // (futex_unlock_pi() -> wake_futex_pi()) or to the caller: its extent is unknown here,
  // so it does not count. Scoped guards end with the function anyway.
  const exit = fn.nodes.findIndex((n) => n.kind === 'exit');
  const leaked = new Set<number>();
  for (const st of exit >= 0 ? inSets[exit].values() : []) for (const o of st) if (!o.scoped && !o.drop) leaked.add(o.call);
  result.atCall = atCall.map((m) => {
    const out = new Map<string, Stack>();
    for (const st of m.values()) {
      const kept = st.filter((o) => !leaked.has(o.call));
      out.set(key(kept), kept);
    }
    return [...out.values()];
  });
  result.leaked = [...leaked];
  return result;
}

export function describeClass(c: AtomicClass): string {
  switch (c) {
    case 'spin': return 'a spinlock held';
    case 'rcu': return 'the RCU read lock held (an RCU read-side critical section)';
    case 'preempt': return 'preemption disabled';
    case 'irq': return 'interrupts disabled';
    case 'bh': return 'bottom halves disabled';
    case 'pagefault': return 'page faults disabled';
  }
}
