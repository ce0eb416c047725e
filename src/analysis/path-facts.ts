// Facts about a member compared with an enum constant (`vb->memory == V4L2_MEMORY_USERPTR`)
// that hold where a call is made, and the contradiction between two of them across a caller
// chain. A framework that takes the lock for one kind of buffer (`if (b->memory ==
// V4L2_MEMORY_MMAP) down_read(...)`) and calls a driver's hook that pins only for another
// kind (`if (V4L2_MEMORY_USERPTR == vb->memory) get_user_pages(...)`) never reaches the pin
// with the lock held. The facts match by member name and by the constants' family (the
// same prefix up to the last underscore): different objects (`b` and `vb`) are taken to
// carry one value, which is how such frameworks use them.
import type { Expr, FunctionIR } from '../parse/ir';
import type { World } from './lockstate';
import { exprText, placeOfCall, predecessors, stripNoise, walk } from './expr';

export interface PathFact {
  field: string;
  /** True: field == value; false: field != value. */
  eq: boolean;
  value: string;
}

const CONST = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
const family = (c: string) => c.slice(0, c.lastIndexOf('_'));

/** The member a side of a comparison names (`vb->memory` -> memory), or null. */
function memberOf(e: Expr): string | null {
  while (e.kind === 'seq' && e.items.length === 1) e = e.items[0];
  return e.kind === 'field' ? e.member : null;
}

/** Facts a condition gives when it evaluates to `truth`. */
export function conditionFacts(e: Expr, truth: boolean, out: PathFact[] = []): PathFact[] {
  if (e.kind === 'seq' && e.items.length === 1) return conditionFacts(e.items[0], truth, out);
  if (e.kind === 'un' && e.op === '!') return conditionFacts(e.operand, !truth, out);
  if (e.kind !== 'bin') return out;
  if ((e.op === '&&' && truth) || (e.op === '||' && !truth)) {
    conditionFacts(e.left, truth, out);
    conditionFacts(e.right, truth, out);
    return out;
  }
  if (e.op !== '==' && e.op !== '!=') return out;
  const [m, c] = memberOf(e.left) !== null ? [memberOf(e.left), e.right] : [memberOf(e.right), e.left];
  if (m === null || c.kind !== 'id' || !CONST.test(c.name)) return out;
  out.push({ field: m, eq: (e.op === '==') === truth, value: c.name });
  return out;
}

/** Facts of the correlated guard conditions a world carries (`?<text>` = 0/1). */
export function worldFacts(w: World): PathFact[] {
  const out: PathFact[] = [];
  for (const [k, v] of Object.entries(w.vars)) {
    if (!k.startsWith('?') || (v !== 0 && v !== 1)) continue;
    const direct = /^.*?(?:->|\.)([A-Za-z_]\w*) (==|!=) ([A-Z][A-Z0-9_]*)$/.exec(k.slice(1));
    const reversed = /^([A-Z][A-Z0-9_]*) (==|!=) .*?(?:->|\.)([A-Za-z_]\w*)$/.exec(k.slice(1));
    const [field, op, value] = direct ? [direct[1], direct[2], direct[3]] : reversed ? [reversed[3], reversed[2], reversed[1]] : [null, null, null];
    if (!field || !value || !CONST.test(value)) continue;
    out.push({ field, eq: (op === '==') === (v === 1), value });
  }
  return out;
}

/** Two sets of facts that cannot hold together: one member equal to two constants of one
 * family, or equal and unequal to the same constant. */
export function contradicts(a: PathFact[], b: PathFact[]): boolean {
  for (const x of a) {
    for (const y of b) {
      if (x.field !== y.field || family(x.value) !== family(y.value)) continue;
      if (x.eq && y.eq && x.value !== y.value) return true;
      if (x.eq !== y.eq && x.value === y.value) return true;
    }
  }
  return false;
}

/** Merge two fact lists (at most `cap` facts kept, first ones first). */
export function mergeFacts(a: PathFact[], b: PathFact[], cap = 4): PathFact[] {
  const out = [...a];
  for (const f of b) if (out.length < cap && !out.some((g) => g.field === f.field && g.eq === f.eq && g.value === f.value)) out.push(f);
  return out;
}

export function factsKey(f: PathFact[]): string {
  return f.map((x) => `${x.field}${x.eq ? '==' : '!='}${x.value}`).sort().join('&');
}

const memo = new WeakMap<FunctionIR, Map<number, { e: Expr; truth: boolean }[]>>();

/** The branch conditions that dominate call `callId` of `fn`, each with the polarity of
 * the edge that leads to the call. */
function dominatingTests(fn: FunctionIR, callId: number, nodeCalls: number[][]): { e: Expr; truth: boolean }[] {
  let byCall = memo.get(fn);
  if (!byCall) memo.set(fn, (byCall = new Map()));
  const hit = byCall.get(callId);
  if (hit) return hit;
  const out: { e: Expr; truth: boolean }[] = [];
  const at = nodeCalls.findIndex((ids) => ids.includes(callId));
  const dom = at >= 0 && fn.nodes.some((n) => n.kind === 'branch' && n.expr && (/(==|!=)/.test(exprText(n.expr)) || paramTested(fn, n.expr) !== null)) ? dominators(fn) : null;
  if (dom) {
    const { idom, preds } = dom;
    const chain = new Set<number>();
    for (let d = at; d >= 0 && !chain.has(d); d = idom[d]) chain.add(d);
    for (const d of chain) {
      const b = fn.nodes[d];
      if (b.kind !== 'branch' || !b.expr || b.loop || b.succ.length !== 2 || b.succ[0] === b.succ[1]) continue;
      // The edge leads to the call only when its target has no other way in (a join after
      // `if (c) x;` is reached from both edges).
      const only = (t: number) => chain.has(t) && preds[t].length === 1;
      if (only(b.succ[0])) out.push({ e: b.expr, truth: true });
      else if (only(b.succ[1])) out.push({ e: b.expr, truth: false });
    }
  }
  byCall.set(callId, out);
  return out;
}

/** The facts that hold at call `callId` of `fn`: the member/constant comparisons of the
 * branches that dominate it, with the polarity of the edge that leads to it. */
export function callFacts(fn: FunctionIR, callId: number, nodeCalls: number[][]): PathFact[] {
  let out: PathFact[] = [];
  for (const t of dominatingTests(fn, callId, nodeCalls)) out = conditionFacts(t.e, t.truth, out);
  return out;
}

/** Equalities of two expressions that hold at a call (`if (r->mm != locked_mm) return;`
 * before it gives r->mm == locked_mm), as pairs of texts. */
export function callEqualities(fn: FunctionIR, callId: number, nodeCalls: number[][]): [string, string][] {
  const out: [string, string][] = [];
  const visit = (e0: Expr, truth: boolean) => {
    let e = e0;
    while (e.kind === 'seq' && e.items.length === 1) e = e.items[0];
    if (e.kind === 'un' && e.op === '!') { visit(e.operand, !truth); return; }
    if (e.kind !== 'bin') return;
    if ((e.op === '&&' && truth) || (e.op === '||' && !truth)) { visit(e.left, truth); visit(e.right, truth); return; }
    if ((e.op === '==' && truth) || (e.op === '!=' && !truth)) out.push([exprText(e.left), exprText(e.right)]);
  };
  for (const t of dominatingTests(fn, callId, nodeCalls)) visit(t.e, t.truth);
  return out;
}

/** Immediate dominators over the CFG (Cooper, Harvey and Kennedy), -1 for the entry and
 * for unreachable nodes. */
export function dominators(fn: FunctionIR): { idom: number[]; preds: number[][] } {
  const n = fn.nodes.length;
  const entry = fn.nodes.findIndex((x) => x.kind === 'entry');
  const order: number[] = [];
  const rpoIndex = new Array<number>(n).fill(-1);
  const seen = new Uint8Array(n);
  // Iterative post-order.
  const stack: [number, number][] = [[entry, 0]];
  seen[entry] = 1;
  while (stack.length) {
    const top = stack[stack.length - 1];
    const succ = fn.nodes[top[0]].succ;
    if (top[1] < succ.length) {
      const s = succ[top[1]++];
      if (s >= 0 && s < n && !seen[s]) { seen[s] = 1; stack.push([s, 0]); }
    } else {
      order.push(top[0]);
      stack.pop();
    }
  }
  order.reverse();
  order.forEach((x, i) => { rpoIndex[x] = i; });
  const preds: number[][] = Array.from({ length: n }, () => []);
  for (const x of order) for (const s of fn.nodes[x].succ) if (s >= 0 && s < n) preds[s].push(x);
  const idom = new Array<number>(n).fill(-2);
  idom[entry] = entry;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (rpoIndex[a] > rpoIndex[b]) a = idom[a];
      while (rpoIndex[b] > rpoIndex[a]) b = idom[b];
    }
    return a;
  };
  for (let changed = true, rounds = 0; changed && rounds < 50; rounds++) {
    changed = false;
    for (const x of order) {
      if (x === entry) continue;
      let d = -2;
      for (const p of preds[x]) if (idom[p] !== -2) d = d === -2 ? p : intersect(p, d);
      if (d !== -2 && idom[x] !== d) { idom[x] = d; changed = true; }
    }
  }
  return { idom: idom.map((d, i) => (i === entry || d === -2 ? -1 : d)), preds };
}

/** A test of a parameter's truth that holds where a call is made: parameter `index` is
 * non-zero (`truthy`) or zero. */
export interface ParamTest { index: number; truthy: boolean; /** A member of the parameter (`r->locked`). */ field?: string }

/** The parameter a condition tests for truth (`p`, `!p`, `p == NULL`, `p != 0`, `likely(p)`)
 * and whether the condition is true when it is non-zero; null for any other condition. A
 * parameter the function assigns is not the caller's value: null. */
function paramTested(fn: FunctionIR, e0: Expr): { index: number; whenTrue: boolean; field?: string } | null {
  let e = stripNoise(e0);
  let neg = false;
  while (e.kind === 'un' && e.op === '!') { neg = !neg; e = stripNoise(e.operand); }
  const isZero = (x: Expr) => { const y = stripNoise(x); return y.kind === 'null' || (y.kind === 'num' && y.value === 0); };
  // A parameter, or a member of one (`r->locked`, `r.locked`).
  const named = (x: Expr) => x.kind === 'id' || (x.kind === 'field' && stripNoise(x.operand).kind === 'id');
  let id: Expr | null = null;
  if (named(e)) id = e;
  else if (e.kind === 'bin' && (e.op === '==' || e.op === '!=')) {
    const [l, r] = [stripNoise(e.left), stripNoise(e.right)];
    if (named(l) && isZero(r)) id = l;
    else if (named(r) && isZero(l)) id = r;
    if (id && e.op === '==') neg = !neg;
  }
  if (!id) return null;
  const base = id.kind === 'id' ? id : id.kind === 'field' ? stripNoise(id.operand) : null;
  if (!base || base.kind !== 'id') return null;
  const index = fn.params.indexOf(base.name);
  if (index < 0 || assignsParam(fn, base.name)) return null;
  if (id.kind === 'field') {
    // (A member the function itself writes is not the caller's.)
    if (assignsMember(fn, base.name, id.member)) return null;
    return { index, whenTrue: !neg, field: id.member };
  }
  return { index, whenTrue: !neg };
}

function assignsMember(fn: FunctionIR, base: string, member: string): boolean {
  let hit = false;
  for (const n of fn.nodes) walk(n.expr, (x) => {
    if (hit) return false;
    if (x.kind === 'assign') { const l = stripNoise(x.left); if (l.kind === 'field' && l.member === member && stripNoise(l.operand).kind === 'id' && (stripNoise(l.operand) as { name: string }).name === base) hit = true; }
    return !hit;
  });
  return hit;
}

const assigned = new WeakMap<FunctionIR, Set<string>>();
function assignsParam(fn: FunctionIR, name: string): boolean {
  let set = assigned.get(fn);
  if (!set) {
    set = new Set();
    for (const n of fn.nodes) walk(n.expr, (x) => {
      if (x.kind === 'assign' && x.left.kind === 'id') set!.add(x.left.name);
      else if (x.kind === 'un' && (x.op === '&' || x.op === '++' || x.op === '--') && x.operand.kind === 'id') set!.add(x.operand.name);
    });
    assigned.set(fn, set);
  }
  return set.has(name);
}

/** The parameter truth tests that dominate call `callId` of `fn`. */
export function paramTests(fn: FunctionIR, callId: number, nodeCalls: number[][]): ParamTest[] {
  const out: ParamTest[] = [];
  for (const t of dominatingTests(fn, callId, nodeCalls)) {
    const p = paramTested(fn, t.e);
    if (p) out.push({ index: p.index, truthy: p.whenTrue === t.truth, ...(p.field ? { field: p.field } : {}) });
  }
  return out;
}

/** A call whose constant argument makes one of the callee's parameter tests false
 * (`helper(mm, true)` where the callee locks only `if (!have_lock)`): the callee's code
 * under that test never runs for this call. */
export function argsContradict(tests: ParamTest[], args: Expr[], caller?: { fn: FunctionIR; callId: number }): boolean {
  for (const t of tests) {
    const a = args[t.index] ? stripNoise(args[t.index]) : null;
    if (!a) continue;
    if (t.field) {
      // (`r->locked = true;` in the caller on the way to the call, its object the argument.)
      const v = caller ? memberSetBefore(caller.fn, caller.callId, a, t.field) : null;
      if (v !== null && (v !== 0) !== t.truthy) return true;
      continue;
    }
    const v = a.kind === 'null' ? 0 : a.kind === 'num' && a.value !== null ? a.value : null;
    if (v !== null && (v !== 0) !== t.truthy) return true;
  }
  return false;
}

export function paramTestsKey(t: ParamTest[]): string {
  return t.map((x) => `${x.index}${x.field ? `.${x.field}` : ''}${x.truthy ? '+' : '-'}`).join(',');
}

/** The constant a member of the object `arg` names was last set to on the straight way to
 * call `callId` of `fn` (`r->locked = true;` a few statements before `helper(r)`, with no
 * branch in between), or null. */
function memberSetBefore(fn: FunctionIR, callId: number, arg: Expr, member: string): number | null {
  const obj = arg.kind === 'un' && arg.op === '&' ? exprText(stripNoise(arg.operand)) : exprText(arg);
  const viaAddr = arg.kind === 'un' && arg.op === '&';
  const place = placeOfCall(fn, callId);
  if (!place) return null;
  let at = place.node.id;
  const preds = predecessors(fn);
  for (let steps = 0; steps < 32; steps++) {
    const ps = preds[at];
    if (ps.length !== 1) return null;
    at = ps[0];
    const n = fn.nodes[at];
    let found: number | null | undefined;
    walk(n.expr, (x) => {
      if (found !== undefined) return false;
      if (x.kind !== 'assign' || x.op !== '=') return true;
      const l = stripNoise(x.left);
      if (l.kind !== 'field' || l.member !== member || exprText(stripNoise(l.operand)) !== obj || l.arrow === viaAddr) return true;
      const r = stripNoise(x.right);
      found = r.kind === 'null' ? 0 : r.kind === 'num' && r.value !== null ? r.value : null;
      return false;
    });
    if (found !== undefined) return found;
    if (n.kind === 'entry') return null;
  }
  return null;
}

/** The parameter truth values every one of `worlds` carries (the worlds at a call where the
 * lock is as the caller left it, each with the value a test of a parameter took on its way:
 * `if (!have_lock) mmap_read_lock(mm);` leaves have_lock non-zero in those): a caller
 * whose constant argument gives another value reaches the call with the lock taken here. */
export function worldParamTests(fn: FunctionIR, worlds: World[]): ParamTest[] {
  const out: ParamTest[] = [];
  if (!worlds.length) return out;
  fn.params.forEach((name, index) => {
    if (!name || assignsParam(fn, name)) return;
    const vals = worlds.map((w) => w.vars[name] ?? w.vars[`?${name}`]);
    if (vals.some((v) => v === undefined)) return;
    const truthy = vals[0] !== 0;
    if (vals.every((v) => (v !== 0) === truthy)) out.push({ index, truthy });
  });
  // The guards on a member of a parameter the paths took (`?r->mm_locked`), where the
  // function does not write that member itself.
  const keys = new Set<string>();
  for (const w of worlds) for (const k of Object.keys(w.vars)) if (k.startsWith('?')) keys.add(k);
  for (const k of keys) {
    const m = /^\?([A-Za-z_]\w*)(?:->|\.)([A-Za-z_]\w*)$/.exec(k);
    if (!m) continue;
    const index = fn.params.indexOf(m[1]);
    if (index < 0 || assignsParam(fn, m[1]) || assignsMember(fn, m[1], m[2])) continue;
    const vals = worlds.map((w) => w.vars[k]);
    if (vals.some((v) => v === undefined)) continue;
    const truthy = vals[0] !== 0;
    if (vals.every((v) => (v !== 0) === truthy)) out.push({ index, truthy, field: m[2] });
  }
  return out;
}
