// Lock-state dataflow over a function's CFG. The abstract state is a set of "worlds": each
// world maps an mm key to a lock state and a few lock-relevant variables to known values,
// so that `ret = mmap_read_lock_killable(mm); if (ret) ...`, trylocks and the `locked`
// word of GUP calls are followed exactly, path by path, and joined by set union.
import type { CallSite, CfgNode, Expr, FunctionIR } from '../parse/ir';
import { callsInOrder, exprText } from './expr';
import { gupEraAt, gupLayout, mmapLockPrimitive, primitiveIn, type GupEra, type LockPrimitive, type Version } from '../kernel/api';
import { undecidedAt } from '../preprocess/remap';
import { ppLiterals, ppOutcomes, trackedAtoms } from './ppcond';

/** U: not held (released locally, or a failed acquire). D: dropped by a GUP callee through
 * `*locked`. E: as at function entry (up to the callers). A: asserted held. R/W: held. */
export type St = 'U' | 'R' | 'W' | 'E' | 'A' | 'D';

export interface LockVal {
  st: St;
  /** Call id of the local acquire, for R/W. */
  acq?: number;
  /** Call id that made it U/D (release, failed acquire, dropping GUP call). */
  by?: number;
}

export interface World {
  locks: Record<string, LockVal>;
  vars: Record<string, number>;
}

export type CallClass =
  | { kind: 'lock'; prim: LockPrimitive; key: string }
  | { kind: 'gup'; era: GupEra | null; key: string | null; locked: Expr | null; lockedText: string | null; vmas: Expr | null }
  /** expand_stack(mm, addr) in 6.5+: NULL return with the mmap lock dropped. */
  | { kind: 'drops-on-null'; key: string }
  | { kind: 'other' };

/** What a call of a summarised helper does to the caller's lock state (keys in the
 * caller's terms). `when`: the helper's return value that goes with the lock held. */
export interface CalleeEffect {
  key: string;
  kind: 'acquires' | 'releases' | 'may-drop';
  mode: 'R' | 'W';
  when: 'always' | 'nonzero' | 'zero';
  /** may-drop: the argument the helper hands to its GUP call as `locked`. */
  arg?: number;
}

export type EffectLookup = (call: CallSite) => CalleeEffect[] | null;

export interface FunctionAnalysis {
  fn: FunctionIR;
  classes: CallClass[];
  /** Worlds just before each call's own effect (after its arguments). */
  atCall: World[][];
  /** Worlds at entry of each CFG node. */
  atNode: World[][];
  exits: World[];
  /** Which nodes contain which call ids (for regions). */
  nodeCalls: number[][];
  /** True when the world cap was hit and variables were dropped. */
  widened: boolean;
  /** Dataflow steps taken, and whether the step budget stopped the dataflow first. */
  steps?: number;
  exhausted?: boolean;
}

const MAX_WORLDS_PER_NODE = 48;

export function worldKey(w: World): string {
  const ks = Object.keys(w.locks).sort();
  let s = '';
  for (const k of ks) { const v = w.locks[k]; s += `${k}=${v.st}${v.acq ?? ''}/${v.by ?? ''};`; }
  s += '|';
  for (const k of Object.keys(w.vars).sort()) s += `${k}=${w.vars[k]};`;
  return s;
}

export function lockOf(w: World, key: string): LockVal {
  return w.locks[key] ?? { st: 'E' };
}

function withLock(w: World, key: string, v: LockVal): World {
  return { locks: { ...w.locks, [key]: v }, vars: w.vars };
}

function withVar(w: World, name: string, v: number | undefined): World {
  const vars = { ...w.vars };
  if (v === undefined) delete vars[name]; else vars[name] = v;
  return { locks: w.locks, vars };
}

/** Some other mm's lock is held or asserted in this world: the key may be an alias of it. */
export function otherKeyHeld(w: World, key: string): boolean {
  return Object.entries(w.locks).some(([k, v]) => k !== key && (v.st === 'R' || v.st === 'W' || v.st === 'A'));
}

/** Normalise an mm expression: `&current->mm->mmap_sem`, `current->mm` and a local `mm`
 * assigned from `current->mm` all become `current->mm`; so does a macro's expansion
 * `&(current->mm)->mmap_lock`. */
export function normMm(text: string, aliases: Record<string, string>): string {
  let t = bare(text.replace(/\s+/g, ''));
  t = bare(t.replace(/(->|\.)mmap_(sem|lock)$/, ''));
  const gtm = /^get_task_mm\((.*)\)$/.exec(t);
  if (gtm) t = `${gtm[1]}->mm`;
  for (let i = 0; i < 4; i++) {
    const m = /^([A-Za-z_]\w*)(.*)$/.exec(t);
    if (!m || !aliases[m[1]] || aliases[m[1]] === m[1]) break;
    t = aliases[m[1]] + m[2];
  }
  return t;
}

/** Without a leading `&`, a pointer cast (`(struct rw_semaphore *)&mm->mmap_lock`, spaces
 * already removed) and parentheses around the whole (`&((x))` is `x`). */
function bare(t: string): string {
  for (let i = 0; i < 4; i++) {
    const before = t;
    t = t.replace(/^\((?:const)?[A-Za-z_]\w*\*+\)(?=[&A-Za-z_(])/, '');
    t = t.replace(/^&/, '');
    if (t.startsWith('(') && t.endsWith(')') && closingParen(t) === t.length - 1) t = t.slice(1, -1);
    if (t === before) break;
  }
  return t;
}

function closingParen(t: string): number {
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '(') depth++;
    else if (t[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

function isRawMmapArg(text: string): boolean {
  return /(->|\.)\s*mmap_(sem|lock)\s*\)?$/.test(text.replace(/\s+/g, ''));
}

export function isNullish(e: Expr | undefined): boolean {
  if (!e) return true;
  return e.kind === 'null' || (e.kind === 'num' && e.value === 0);
}

export function classifyCall(c: CallSite, fn: FunctionIR, version: Version): CallClass {
  if (!c.name) return { kind: 'other' };
  const prim = mmapLockPrimitive(c.name);
  // (A module's own empty definition of a primitive the version lacks, `mmap_read_lock()`
  // for kernels before 5.8: it takes no lock. CallSite.ownDef.)
  if (prim && c.ownDef && !primitiveIn(c.name, c.text, version)) return { kind: 'other' };
  if (prim) {
    const arg = c.argText[prim.name === 'down_write_nest_lock' ? 1 : 0];
    if (arg === undefined) return { kind: 'other' };
    if (prim.arg.startsWith('&')) {
      if (!isRawMmapArg(arg)) return { kind: 'other' };
    }
    return { kind: 'lock', prim, key: normMm(arg, fn.aliases) };
  }
  // expand_stack(mm, addr) (6.5, and backported to 6.1.y) drops the lock when it returns
  // NULL; the older expand_stack(vma, addr) did not. Tell them apart by the first argument.
  if (c.name === 'expand_stack' && c.args.length === 2 && /(^|->|\.|_)mm$/.test(normMm(c.argText[0], fn.aliases))) {
    return { kind: 'drops-on-null', key: normMm(c.argText[0], fn.aliases) };
  }
  // (A module's own function of a GUP name the version lacks, `pin_user_pages()` for
  // kernels before it: the call is one of that function, followed through the call graph.)
  if (c.ownDef && !gupEraAt(c.name, version)) return { kind: 'other' };
  let era = gupLayout(c.name, c.args.length, version, c.argText);
  // A call of another era's signature in an arm of an #if the tool cannot decide is that
  // era's arm, not this one's: its arguments are not read by a guessed layout (an old
  // get_user_pages_remote(tsk, mm, start, nr, write, force, pages, vmas) has the arity of
  // the 4.10-5.8 one, whose eighth argument is `locked`).
  // (Not the arm of a lone switch, `#ifdef CONFIG_FOO` with no `#else` and no version in
  // it: such an arm is built on every kernel, and its call is read as outside any #if.)
  if (era && era !== gupEraAt(c.name, version) && undecidedAt(fn.undecided, c.span.line) && !loneSwitch(fn.undecided, c.span.line)) era = null;
  if (era || /^(get|pin)_user_pages?(_\w+)?$|^__get_user_pages_(fast|unlocked)$|^get_vaddr_frames$|^memfd_pin_folios$/.test(c.name)) {
    if (!era) return { kind: 'gup', era: null, key: null, locked: null, lockedText: null, vmas: null };
    const at = (role: string) => {
      const i = era.params.findIndex((p) => p.split(':')[0] === role);
      return i >= 0 ? i : -1;
    };
    let key: string | null = null;
    if (era.mm === 'current') key = 'current->mm';
    else if (era.mm === 'arg' && at('mm') >= 0) key = normMm(c.argText[at('mm')], fn.aliases);
    const li = at('locked');
    const vi = at('vmas');
    const locked = li >= 0 && !isNullish(c.args[li]) ? c.args[li] : null;
    return {
      kind: 'gup', era, key, locked, lockedText: li >= 0 ? c.argText[li] : null,
      vmas: vi >= 0 && !isNullish(c.args[vi]) ? c.args[vi] : null,
    };
  }
  return { kind: 'other' };
}

/** Every undecided `#if` around `line` is a lone switch: no other arm of its group in the
 * function, and no kernel version in its condition (`#ifdef CONFIG_FOO`, `#ifdef
 * DRV_HMM` with no `#else`). Such an arm is built whenever the switch is on, on any
 * kernel, and is read as code outside an `#if` is. */
function loneSwitch(ranges: FunctionIR['undecided'], line: number): boolean {
  const all = ranges ?? [];
  const hits = all.filter((r) => r.from <= line && line <= r.to);
  return hits.length > 0 && hits.every((r) => !/\b(?:LINUX_VERSION_CODE|KERNEL_VERSION|RHEL_\w+|SLE_\w+)\b/.test(r.condition)
    && (r.group === undefined || !all.some((o) => o !== r && o.group === r.group && o.from !== r.from)));
}

type Val = number | undefined;
type Outcome = [World, Val];

/** Variables worth tracking: results of conditional acquires and `locked` words. */
function relevantVars(fn: FunctionIR, classes: CallClass[]): Set<string> {
  const vars = new Set<string>();
  const visit = (e: Expr | null): void => {
    if (!e) return;
    switch (e.kind) {
      case 'assign':
        if (e.left.kind === 'id' && e.right.kind === 'call') {
          const cls = classes[e.right.call];
          if (cls.kind === 'lock' && ['killable', 'trylock', 'interruptible'].includes(cls.prim.kind)) vars.add(e.left.name);
          if ((cls.kind === 'lock' && cls.prim.conditional) || cls.kind === 'drops-on-null') vars.add(e.left.name);
        }
        visit(e.left); visit(e.right);
        return;
      case 'call': {
        const cls = classes[e.call];
        if (cls.kind === 'gup' && cls.locked && cls.locked.kind === 'un' && cls.locked.op === '&' && cls.locked.operand.kind === 'id') vars.add(cls.locked.operand.name);
        e.args.forEach((a) => visit(a));
        return;
      }
      case 'un': visit(e.operand); return;
      case 'bin': visit(e.left); visit(e.right); return;
      case 'field': visit(e.operand); return;
      case 'idx': visit(e.operand); visit(e.index); return;
      case 'cond': visit(e.test); visit(e.whenTrue); visit(e.whenFalse); return;
      case 'seq': e.items.forEach((x) => visit(x)); return;
      case 'other': e.subs.forEach((x) => visit(x)); return;
      default: return;
    }
  };
  for (const n of fn.nodes) visit(n.expr);
  return vars;
}

/** The value of a comparison of two known values (undefined: unknown, or not a comparison). */
function compare(op: string, a: Val, b: Val): Val {
  if (a === undefined || b === undefined) return undefined;
  switch (op) {
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '<': return a < b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    default: return undefined;
  }
}

class Evaluator {
  atCall: Map<string, World>[];
  /** Guard conditions followed as pseudo-variables `?<text>` (see guardConditions). */
  conds = new Map<string, string[]>();
  /** Undecided #if conditions tested more than once in the function (repeatedPpConditions). */
  ppConds = new Set<string>();
  constructor(private fa: { fn: FunctionIR; classes: CallClass[] }, private vars: Set<string>, private guards: Set<string>, private effects?: EffectLookup) {
    this.atCall = fa.fn.calls.map(() => new Map());
  }

  /** Forget the guard conditions that read `name` (it was assigned). */
  forget(w: World, name: string): World {
    let out = w;
    for (const [text, ids] of this.conds) if (ids.includes(name) && out.vars[`?${text}`] !== undefined) out = withVar(out, `?${text}`, undefined);
    return out;
  }

  eval(e: Expr | null, w: World): Outcome[] {
    if (!e) return [[w, undefined]];
    switch (e.kind) {
      case 'id': {
        const v = w.vars[e.name];
        // An unknown guard of a lock operation: follow both values, so that
        // `if (need && lock()) ...; if (need) unlock();` stays correlated.
        if (v === undefined && this.guards.has(e.name)) return [[withVar(w, e.name, 0), 0], [withVar(w, e.name, 1), 1]];
        return [[w, v]];
      }
      case 'num':
        return [[w, e.value ?? undefined]];
      case 'null':
        return [[w, 0]];
      case 'str':
        return [[w, 1]];
      case 'call':
        return this.call(e, w);
      case 'un': {
        const r = this.eval(e.operand, w);
        if (e.op === '!') return r.map(([x, v]) => [x, v === undefined ? undefined : v ? 0 : 1]);
        if (e.op === '-') return r.map(([x, v]) => [x, v === undefined ? undefined : -v]);
        return r.map(([x]) => [x, undefined]);
      }
      case 'bin':
        return this.evalBin(e, w);
      case 'assign':
        return this.evalAssign(e, w);
      case 'field':
        return this.eval(e.operand, w).map(([x]) => [x, undefined]);
      case 'idx': {
        const out: Outcome[] = [];
        for (const [x] of this.eval(e.operand, w)) for (const [y] of this.eval(e.index, x)) out.push([y, undefined]);
        return out;
      }
      case 'cond': {
        const out: Outcome[] = [];
        for (const [x, v] of this.eval(e.test, w)) {
          if (v === undefined || v !== 0) out.push(...this.eval(e.whenTrue, x));
          if (v === undefined || v === 0) out.push(...this.eval(e.whenFalse, x));
        }
        return dedupe(out);
      }
      case 'seq': {
        let cur: Outcome[] = [[w, undefined]];
        for (const item of e.items) {
          const next: Outcome[] = [];
          for (const [x] of cur) next.push(...this.eval(item, x));
          cur = dedupe(next);
        }
        return cur;
      }
      case 'other': {
        let cur: Outcome[] = [[w, undefined]];
        for (const item of e.subs) {
          const next: Outcome[] = [];
          for (const [x] of cur) next.push(...this.eval(item, x).map(([y]) => [y, undefined] as Outcome));
          cur = dedupe(next);
        }
        // likely()/unlikely()-style wrappers are calls; other nodes have unknown values.
        return cur.map(([x]) => [x, undefined]);
      }
    }
  }

  /** A binary operator: a membership test decided by a guard, short-circuit `&&`/`||`
   * (both outcomes when the left side is unknown), or a comparison of known values. */
  private evalBin(e: Extract<Expr, { kind: 'bin' }>, w: World): Outcome[] {
    // A test of x against constants, decided by a guard computed from x earlier.
    const mt = membership(e);
    if (mt) {
      const v = this.membershipValue(mt, w);
      if (v !== undefined) return [[w, v]];
    }
    if (e.op === '&&' || e.op === '||') {
      const out: Outcome[] = [];
      // Short-circuit: when the left value is unknown, one outcome skips the right side
      // (and its calls) entirely; the other evaluates it with the left side decided.
      const truth = (v: Val): Val => (v === undefined ? undefined : v ? 1 : 0);
      const skip = e.op === '&&' ? 0 : 1;
      for (const [w1, v1] of this.eval(e.left, w)) {
        const t1 = truth(v1);
        if (t1 === skip) { out.push([w1, skip]); continue; }
        if (t1 === undefined) out.push([w1, skip]);
        for (const [w2, v2] of this.eval(e.right, w1)) out.push([w2, truth(v2)]);
      }
      return dedupe(out);
    }
    const out: Outcome[] = [];
    for (const [w1, a] of this.eval(e.left, w)) {
      for (const [w2, b] of this.eval(e.right, w1)) {
        out.push([w2, compare(e.op, a, b)]);
      }
    }
    return out;
  }

  /** An assignment: tracked variables take the value; guard conditions reading the
   * assigned root are forgotten. */
  private evalAssign(e: Extract<Expr, { kind: 'assign' }>, w: World): Outcome[] {
    let r = this.eval(e.right, w);
    if (this.conds.size) {
      let root: Expr = e.left;
      while (root.kind === 'field' || root.kind === 'idx' || (root.kind === 'un' && root.op === '*') || (root.kind === 'seq' && root.items.length === 1)) root = root.kind === 'seq' ? root.items[0] : root.operand;
      if (root.kind === 'id') { const n = root.name; r = r.map(([x, v]) => [this.forget(x, n), v]); }
    }
    if (e.left.kind === 'id' && this.vars.has(e.left.name)) {
      const name = e.left.name;
      return r.map(([x, v]) => [withVar(x, name, e.op === '=' ? v : undefined), v]);
    }
    if (e.left.kind !== 'id') {
      const out: Outcome[] = [];
      for (const [x, v] of r) for (const [y] of this.eval(e.left, x)) out.push([y, v]);
      return out;
    }
    return r;
  }

  private relations: { v: string; x: string; kind: 'in' | 'notin'; set: string[] }[] | null = null;

  /** The value of `x in L` (or `x not in L`) when a tracked variable assigned once from a
   * membership test of the same x (`g = x != A && x != B`) has a known value here. */
  membershipValue(t: { x: string; kind: 'in' | 'notin'; set: string[] }, w: World): Val {
    if (this.relations === null) {
      const count = new Map<string, number>();
      const found: { v: string; x: string; kind: 'in' | 'notin'; set: string[] }[] = [];
      for (const n of this.fa.fn.nodes) {
        const e = n.expr;
        if (!e || e.kind !== 'assign' || e.left.kind !== 'id') continue;
        count.set(e.left.name, (count.get(e.left.name) ?? 0) + 1);
        const m = membership(e.right);
        if (m) found.push({ v: e.left.name, ...m });
      }
      this.relations = found.filter((x) => count.get(x.v) === 1 && this.vars.has(x.v));
    }
    for (const r of this.relations) {
      if (r.x !== t.x || w.vars[r.v] === undefined) continue;
      const inS = (r.kind === 'in') === !!w.vars[r.v];
      let inL: boolean | undefined;
      if (inS) inL = r.set.every((c) => t.set.includes(c)) ? true : r.set.every((c) => !t.set.includes(c)) ? false : undefined;
      else inL = t.set.every((c) => r.set.includes(c)) ? false : undefined;
      if (inL === undefined) continue;
      return (t.kind === 'in') === inL ? 1 : 0;
    }
    return undefined;
  }

  call(e: Extract<Expr, { kind: 'call' }>, w: World): Outcome[] {
    let cur: World[] = [w];
    for (const a of e.args) {
      const next: World[] = [];
      for (const x of cur) for (const [y] of this.eval(a, x)) next.push(y);
      cur = dedupeWorlds(next);
    }
    const out: Outcome[] = [];
    const cls = this.fa.classes[e.call];
    for (const x of cur) {
      const obs = this.atCall[e.call];
      const k = worldKey(x);
      if (!obs.has(k)) obs.set(k, x);
      out.push(...this.effect(e, cls, x));
    }
    return dedupe(out);
  }

  effect(e: Extract<Expr, { kind: 'call' }>, cls: CallClass, w: World): Outcome[] {
    if (e.callee === 'likely' || e.callee === 'unlikely' || e.callee === '__builtin_expect') {
      // The value of the wrapped condition; its effects were applied with the arguments.
      const inner = e.args[0];
      if (inner && inner.kind === 'id') return [[w, w.vars[inner.name]]];
      return [[w, undefined]];
    }
    if (cls.kind === 'lock') {
      const p = cls.prim;
      const held: LockVal = { st: p.mode === 'write' ? 'W' : 'R', acq: e.call };
      const cur = lockOf(w, cls.key);
      switch (p.kind) {
        case 'acquire':
          if (p.conditional) return [[withLock(w, cls.key, held), 1], [withLock(w, cls.key, { st: 'U', by: e.call }), 0]];
          return [[withLock(w, cls.key, held), undefined]];
        case 'killable':
        case 'interruptible':
          return [[withLock(w, cls.key, held), 0], [withLock(w, cls.key, { st: 'U', by: e.call }), -4]];
        case 'trylock':
          return [[withLock(w, cls.key, held), 1], [withLock(w, cls.key, { st: 'U', by: e.call }), 0]];
        case 'release':
          return [[withLock(w, cls.key, { st: 'U', by: e.call }), undefined]];
        case 'downgrade':
          return [[withLock(w, cls.key, cur.st === 'W' ? { st: 'R', acq: cur.acq } : cur), undefined]];
        case 'assert':
          return [[cur.st === 'E' ? withLock(w, cls.key, { st: 'A' }) : w, undefined]];
        default:
          return [[w, undefined]];
      }
    }
    if (cls.kind === 'other' && this.effects) {
      const effs = this.effects(this.fa.fn.calls[e.call]);
      if (effs && effs.length) {
        let outs: Outcome[] = [[w, undefined]];
        for (const ef of effs) {
          const next: Outcome[] = [];
          for (const [x] of outs) {
            if (ef.kind === 'releases') { next.push([withLock(x, ef.key, { st: 'U', by: e.call }), undefined]); continue; }
            if (ef.kind === 'may-drop') { next.push(...this.mayDrop(x, ef.key, this.fa.fn.calls[e.call].args[ef.arg ?? -1], e.call)); continue; }
            const held = withLock(x, ef.key, { st: ef.mode, acq: e.call });
            if (ef.when === 'always') next.push([held, undefined]);
            else {
              const failed = withLock(x, ef.key, { st: 'U', by: e.call });
              next.push([held, ef.when === 'nonzero' ? 1 : 0], [failed, ef.when === 'nonzero' ? 0 : -1]);
            }
          }
          outs = next;
        }
        return outs;
      }
    }
    if (cls.kind === 'drops-on-null') {
      return [[w, 1], [withLock(w, cls.key, { st: 'U', by: e.call }), 0]];
    }
    if (cls.kind === 'gup' && cls.locked && cls.key && cls.era && cls.era.lock === 'via-locked') return this.mayDrop(w, cls.key, cls.locked, e.call);
    return [[w, undefined]];
  }

  /** A call that may drop the mmap lock of `key` and say so by clearing `*locked` (a GUP
   * call with a `locked` argument, or a helper that hands its own `locked` parameter to
   * one): held on, with `locked` still 1, or dropped, with it 0. */
  private mayDrop(w: World, key: string, locked: Expr | undefined, call: number): Outcome[] {
    const cur = lockOf(w, key);
    const v = locked && locked.kind === 'un' && locked.op === '&' && locked.operand.kind === 'id' ? locked.operand.name : null;
    const set = (x: World, n: number) => (v && this.vars.has(v) ? withVar(x, v, n) : x);
    if (cur.st === 'U' || cur.st === 'D') return [[w, undefined]];
    return [[set(w, 1), undefined], [set(withLock(w, key, { st: 'D', by: call }), 0), undefined]];
  }
}

/** Plain variables that guard a lock operation: `need && mmap_read_lock_killable(mm)`, or
 * `if (need) mmap_read_unlock(mm)`. */
function guardVars(fn: FunctionIR, classes: CallClass[]): Set<string> {
  const out = new Set<string>();
  const hasLockCall = (e: Expr | null): boolean => {
    const ids: number[] = [];
    callsInOrder(e, ids);
    return ids.some((i) => classes[i].kind === 'lock');
  };
  const ident = (e: Expr): string | null => (e.kind === 'id' ? e.name : e.kind === 'un' && e.op === '!' && e.operand.kind === 'id' ? e.operand.name : null);
  const visit = (e: Expr | null): void => {
    if (!e) return;
    if (e.kind === 'bin' && (e.op === '&&' || e.op === '||')) {
      const l = ident(e.left), r = ident(e.right);
      if (l && hasLockCall(e.right)) out.add(l);
      if (r && hasLockCall(e.left)) out.add(r);
    }
    switch (e.kind) {
      case 'un': visit(e.operand); return;
      case 'bin': visit(e.left); visit(e.right); return;
      case 'assign': visit(e.right); return;
      case 'cond': visit(e.test); visit(e.whenTrue); visit(e.whenFalse); return;
      case 'seq': e.items.forEach(visit); return;
      default: return;
    }
  };
  for (const n of fn.nodes) {
    if (n.kind !== 'branch' || !n.expr) { visit(n.expr); continue; }
    visit(n.expr);
    const g = ident(n.expr);
    if (!g) continue;
    // `if (g) unlock();`: the first statement of either successor is a lock operation.
    for (const s of n.succ) if (s >= 0 && fn.nodes[s].kind === 'stmt' && hasLockCall(fn.nodes[s].expr)) out.add(g);
  }
  return out;
}

/** Conditions that guard a lock operation and are tested again later in the function
 * (`if (flags & F_ADDR) mmap_read_lock(mm); ... if (flags & F_ADDR) helper();`): each
 * such test is followed as a pseudo-variable of the world, so the second test takes the
 * arm the first one took. Only side-effect-free tests (names, fields, constants, operators:
 * no calls, no assignments) qualify; the value is forgotten when one of its names is
 * assigned. Text of the condition -> the names it reads. */
/** The undecided #if conditions every one of `worlds` took the same way (the correlated ones
 * of repeatedPpConditions), as a condition: `defined(X)`, `!(defined(X))`, joined by `&&`;
 * undefined when there is none. */
export function undecidedWhere(worlds: World[]): string | undefined {
  let common: Map<string, number> | null = null;
  for (const w of worlds) {
    const mine = new Map(Object.entries(w.vars).filter(([k]) => k.startsWith('?#')));
    if (!common) common = mine;
    else for (const [k, v] of common) if (mine.get(k) !== v) common.delete(k);
    if (common.size === 0) return undefined;
  }
  if (!common?.size) return undefined;
  // (`!defined(X)`, not `!(defined(X))`; a longer condition keeps its parentheses.)
  return [...common].sort().map(([k, v]) => (v ? k.slice(2) : /^defined\([A-Za-z_]\w*\)$/.test(k.slice(2)) ? `!${k.slice(2)}` : `!(${k.slice(2)})`)).join(' && ');
}

/** Per node, the tracked atoms (ppcond.ts, trackedAtoms) that a branch at the node or after
 * it still tests: a decision no later test reads is forgotten, so that the paths of one
 * group after another (`#ifdef A` lock .. unlock, `#ifdef B` lock .. unlock, ...) merge
 * again instead of doubling per condition. */
export function ppLiveness(fn: FunctionIR, tracked: Set<string>): Set<string>[] {
  const live = fn.nodes.map(() => new Set<string>());
  if (tracked.size === 0) return live;
  const preds = fn.nodes.map(() => [] as number[]);
  fn.nodes.forEach((n) => { for (const s of n.succ) if (s >= 0) preds[s].push(n.id); });
  const work: number[] = [];
  fn.nodes.forEach((n) => {
    if (n.kind !== 'branch' || !n.pp) return;
    for (const l of ppLiterals(n.pp)) if (tracked.has(l.atom)) live[n.id].add(l.atom);
    if (live[n.id].size) work.push(n.id);
  });
  while (work.length) {
    const n = work.pop()!;
    for (const p of preds[n]) {
      let grew = false;
      for (const t of live[n]) if (!live[p].has(t)) { live[p].add(t); grew = true; }
      if (grew) work.push(p);
    }
  }
  // The other atoms of a conjunction that decided a live one stay known with it: a finding
  // under `#if defined(X) && defined(Y)` ... `#ifdef X` names X and Y.
  const co = new Map<string, Set<string>>();
  for (const n of fn.nodes) {
    if (n.kind !== 'branch' || !n.pp) continue;
    const atoms = ppLiterals(n.pp).map((l) => l.atom).filter((a) => tracked.has(a));
    if (atoms.length > 1) for (const a of atoms) for (const b of atoms) if (a !== b) (co.get(a) ?? co.set(a, new Set()).get(a)!).add(b);
  }
  if (co.size) for (const set of live) for (const a of [...set]) for (const b of co.get(a) ?? []) set.add(b);
  return live;
}

/** The atoms of the function's undecided #if tests worth following per path. */
export function repeatedPpConditions(fn: FunctionIR): Set<string> {
  const pps: string[] = [];
  for (const n of fn.nodes) if (n.kind === 'branch' && n.pp) pps.push(n.pp);
  return pps.length > 1 ? trackedAtoms(pps) : new Set();
}

function guardConditions(fn: FunctionIR, classes: CallClass[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const hasLockCall = (e: Expr | null): boolean => {
    const ids: number[] = [];
    callsInOrder(e, ids);
    return ids.some((i) => classes[i].kind === 'lock');
  };
  const names = (e: Expr, acc: string[]): boolean => {
    switch (e.kind) {
      case 'id': acc.push(e.name); return true;
      case 'num': case 'null': return true;
      case 'field': return names(e.operand, acc);
      case 'un': return names(e.operand, acc);
      case 'bin': return names(e.left, acc) && names(e.right, acc);
      case 'seq': return e.items.length === 1 && names(e.items[0], acc);
      default: return false;
    }
  };
  const seen = new Map<string, number>();
  const guarding = new Set<string>();
  for (const n of fn.nodes) {
    if (n.kind !== 'branch' || !n.expr || n.loop || n.expr.kind === 'id') continue;
    const t = condText(n.expr);
    if (!t) continue;
    seen.set(t.text, (seen.get(t.text) ?? 0) + 1);
    if (n.succ.some((x) => x >= 0 && fn.nodes[x].kind === 'stmt' && hasLockCall(fn.nodes[x].expr))) guarding.add(t.text);
  }
  for (const n of fn.nodes) {
    if (n.kind !== 'branch' || !n.expr || n.loop) continue;
    const t = condText(n.expr);
    if (!t || !guarding.has(t.text) || (seen.get(t.text) ?? 0) < 2 || out.has(t.text)) continue;
    const acc: string[] = [];
    if (names(t.e, acc) && acc.length) out.set(t.text, [...new Set(acc)]);
  }
  return out;
}

/** A branch condition without its negations: the text that identifies it and whether it
 * is negated (`!(flags & F)` is the test `flags & F`, negated). */
function condText(e0: Expr): { text: string; e: Expr; negated: boolean } | null {
  let e = e0;
  let negated = false;
  for (let i = 0; i < 4; i++) {
    if (e.kind === 'seq' && e.items.length === 1) { e = e.items[0]; continue; }
    if (e.kind === 'un' && e.op === '!') { e = e.operand; negated = !negated; continue; }
    break;
  }
  if (e.kind === 'id' || e.kind === 'num') return null;
  return { text: exprText(e), e, negated };
}

const isConstText = (t: string) => /^[A-Z_][A-Z0-9_]*$|^-?\d/.test(t);

/** `x == C` -> x in {C}; `x != A && x != B` -> x not in {A, B}; `x == A || x == B` -> in. */
function membership(e: Expr): { x: string; kind: 'in' | 'notin'; set: string[] } | null {
  if (e.kind !== 'bin') return null;
  if (e.op === '==' || e.op === '!=') {
    const l = atomText(e.left), r = atomText(e.right);
    if (!l || !r) return null;
    const [x, c] = isConstText(l) && !isConstText(r) ? [r, l] : [l, r];
    if (!isConstText(c) || isConstText(x)) return null;
    return { x, kind: e.op === '==' ? 'in' : 'notin', set: [c] };
  }
  if (e.op === '&&' || e.op === '||') {
    const a = membership(e.left), b = membership(e.right);
    if (!a || !b || a.x !== b.x || a.kind !== b.kind) return null;
    if ((e.op === '&&' && a.kind === 'notin') || (e.op === '||' && a.kind === 'in')) return { x: a.x, kind: a.kind, set: [...a.set, ...b.set] };
  }
  return null;
}

function atomText(e: Expr): string | null {
  return e.kind === 'id' ? e.name : e.kind === 'num' ? e.text : null;
}

function dedupe(xs: Outcome[]): Outcome[] {
  if (xs.length < 2) return xs;
  const seen = new Set<string>();
  const out: Outcome[] = [];
  for (const x of xs) {
    const k = `${worldKey(x[0])}#${x[1]}`;
    if (!seen.has(k)) { seen.add(k); out.push(x); }
  }
  return out;
}

function dedupeWorlds(xs: World[]): World[] {
  if (xs.length < 2) return xs;
  const seen = new Set<string>();
  return xs.filter((x) => { const k = worldKey(x); if (seen.has(k)) return false; seen.add(k); return true; });
}

/** The variables the dataflow follows: results of conditional acquires, `locked` words,
 * guards of lock operations, and results of helpers that conditionally return with the
 * lock (`effects`). */
function trackedVars(fn: FunctionIR, classes: CallClass[], effects?: EffectLookup): { vars: Set<string>; guards: Set<string> } {
  const vars = relevantVars(fn, classes);
  const guards = guardVars(fn, classes);
  for (const g of guards) vars.add(g);
  // Variables that receive the result of a helper that conditionally returns with the lock.
  if (effects) {
    for (const n of fn.nodes) {
      const e = n.expr;
      if (e && e.kind === 'assign' && e.left.kind === 'id' && e.right.kind === 'call') {
        const effs = effects(fn.calls[e.right.call]);
        if (effs?.some((x) => x.when !== 'always')) vars.add(e.left.name);
      }
    }
    // `locked` words handed to a helper that may drop the lock (`drv_gup(mm, ..., &locked)`).
    for (const c of fn.calls) {
      if (classes[c.id]?.kind !== 'other') continue;
      const effs = effects(c);
      for (const ef of effs ?? []) {
        const a = ef.kind === 'may-drop' && ef.arg !== undefined ? c.args[ef.arg] : undefined;
        if (a && a.kind === 'un' && a.op === '&' && a.operand.kind === 'id') vars.add(a.operand.name);
      }
    }
  }
  return { vars, guards };
}

/** The locks held at entry: __releases()/__must_hold() say the caller hands the lock over held. */
function entryLocks(fn: FunctionIR): Record<string, LockVal> {
  const locks: Record<string, LockVal> = {};
  for (const a of [...fn.releases, ...fn.mustHold]) if (/mmap_(sem|lock)/.test(a)) locks[normMm(a, fn.aliases)] = { st: 'A' };
  return locks;
}

/** One step of the dataflow: world `w` through `node`; the worlds reaching its successors
 * go to `add`, those reaching the exit to `exits`. */
function step(node: CfgNode, w: World, ev: Evaluator, add: (node: number, w: World) => void, exits: Map<string, World>): void {
  switch (node.kind) {
    case 'exit': exits.set(worldKey(w), w); break;
    case 'entry':
    case 'join':
      for (const s of node.succ) add(s, w);
      break;
    case 'stmt':
      for (const [x, v] of ev.eval(node.expr, w)) {
        // The returned value goes with the exit world (summaries of lock-returning helpers).
        const y = node.ret && node.expr ? { locks: x.locks, vars: { ...x.vars, $ret: v === undefined ? NaN : v } } : x;
        for (const s of node.succ) add(s, y);
      }
      break;
    case 'branch': {
      // A correlated test: decided by an earlier test of the same condition on the path, or
      // recorded now for the later ones (the test has no side effects to evaluate).
      const correlated = (key: string, negated: boolean) => {
        const known = w.vars[key];
        const holds = (val: number) => (negated ? 1 - val : val);
        if (known !== undefined) { add(node.succ[holds(known) ? 0 : 1], w); return; }
        add(node.succ[holds(1) ? 0 : 1], withVar(w, key, 1));
        add(node.succ[holds(0) ? 0 : 1], withVar(w, key, 0));
      };
      // An undecided #if tested again later in the function: the build decided it once.
      const pp = node.pp && ev.ppConds.size ? ppOutcomes(node.pp, ev.ppConds, (a) => w.vars[`?#${a}`]) : null;
      if (pp) {
        for (const o of pp) {
          let x = w;
          for (const [a, v] of o.set) x = withVar(x, `?#${a}`, v);
          add(node.succ[o.arm], x);
        }
        break;
      }
      if (!node.expr) { add(node.succ[0], w); add(node.succ[1], w); break; }
      const c = ev.conds.size ? condText(node.expr) : null;
      if (c && ev.conds.has(c.text)) { correlated(`?${c.text}`, c.negated); break; }
      for (const [x, v] of ev.eval(node.expr, w)) {
        if (v === undefined || v !== 0) add(node.succ[0], x);
        if (v === undefined || v === 0) add(node.succ[1], x);
      }
      break;
    }
  }
}

/** `maxSteps`: the dataflow's budget (see analysis/budget.ts); past it the worlds found so
 * far are the result and `exhausted` says so. */
export function analyseFunction(fn: FunctionIR, version: Version, effects?: EffectLookup, maxSteps = 200000): FunctionAnalysis {
  const classes = fn.calls.map((c) => classifyCall(c, fn, version));
  const { vars, guards } = trackedVars(fn, classes, effects);
  const ev = new Evaluator({ fn, classes }, vars, guards, effects);
  ev.conds = guardConditions(fn, classes);
  ev.ppConds = repeatedPpConditions(fn);
  const ppLive = ppLiveness(fn, ev.ppConds);
  const inSets: Map<string, World>[] = fn.nodes.map(() => new Map());
  const exits = new Map<string, World>();
  const work: [number, World][] = [];
  let widened = false;
  const add = (node: number, w: World) => {
    if (node < 0) return;
    const set = inSets[node];
    let x = w;
    if (ev.ppConds.size) {
      for (const k of Object.keys(x.vars)) if (k.startsWith('?#') && !ppLive[node].has(k.slice(2))) x = withVar(x, k, undefined);
    }
    if (set.size >= MAX_WORLDS_PER_NODE && Object.keys(x.vars).length) { x = { locks: x.locks, vars: {} }; widened = true; }
    const k = worldKey(x);
    if (set.has(k)) return;
    if (set.size >= MAX_WORLDS_PER_NODE * 2) { widened = true; return; }
    set.set(k, x);
    work.push([node, x]);
  };
  add(0, { locks: entryLocks(fn), vars: {} });
  let steps = 0;
  while (work.length && steps < maxSteps) {
    steps++;
    const [id, w] = work.pop()!;
    step(fn.nodes[id], w, ev, add, exits);
  }
  const nodeCalls = fn.nodes.map((n) => { const out: number[] = []; callsInOrder(n.expr, out); return out; });
  const atCall = ev.atCall.map((m) => [...m.values()]);
  applyRwsemGuards(fn, atCall);
  return {
    fn, classes,
    atCall,
    atNode: inSets.map((m) => [...m.values()]),
    exits: [...exits.values()],
    nodeCalls,
    widened,
    steps,
    exhausted: work.length > 0,
  };
}

/** `guard(rwsem_read)(&mm->mmap_lock)` and `scoped_guard(rwsem_read, &mm->mmap_lock) {
 * ... }` (cleanup.h, the rwsem's guard classes; `rwsem_write` likewise) hold the mmap lock
 * from the guard to the end of its scope, and release it on every way out: the calls in
 * that scope, after the guard, see it held (lexically: no path leaves the scope with it).
 * A world that already has the lock keeps its own state. */
const RWSEM_GUARD = /^(?:guard\s*\(\s*(rwsem_read|rwsem_write)\s*\)\s*\(\s*(.+?)\s*\)|scoped_guard\s*\(\s*(rwsem_read|rwsem_write)\s*,\s*(.+?)\s*\))$/s;
function applyRwsemGuards(fn: FunctionIR, atCall: World[][]): void {
  const guards: { key: string; st: 'R' | 'W'; from: number; to: number; id: number }[] = [];
  for (const c of fn.calls) {
    if (c.name !== null && c.name !== 'scoped_guard') continue;
    if (!c.text.startsWith('guard') && !c.text.startsWith('scoped_guard')) continue;
    const m = RWSEM_GUARD.exec(c.text);
    if (!m) continue;
    const cls = m[1] ?? m[3], arg = (m[2] ?? m[4]).replace(/\s+/g, '');
    if (!isRawMmapArg(arg)) continue;
    guards.push({ key: normMm(arg, fn.aliases), st: cls === 'rwsem_write' ? 'W' : 'R', from: c.span.line, to: c.scopeEnd ?? fn.endLine, id: c.id });
  }
  if (!guards.length) return;
  fn.calls.forEach((c, id) => {
    for (const g of guards) {
      if (id === g.id || c.span.line < g.from || c.span.line > g.to) continue;
      atCall[id] = atCall[id].map((w) => (lockOf(w, g.key).st === 'E' || lockOf(w, g.key).st === 'U' ? withLock(w, g.key, { st: g.st, acq: g.id }) : w));
    }
  });
}

/** The function records lock ownership in a state word (`obj->locked = 1`, `*locked = 1`):
 * it hands the lock over by design. */
export function recordsLockState(exprs: (Expr | null)[]): boolean {
  const isLockWord = (l: Expr) => (l.kind === 'field' && /locked$/.test(l.member)) || (l.kind === 'un' && l.op === '*' && l.operand.kind === 'id' && /locked$/.test(l.operand.name));
  const stack = exprs.filter((e): e is Expr => !!e);
  while (stack.length) {
    const e = stack.pop()!;
    if (e.kind === 'assign' && isLockWord(e.left)) return true;
    if (e.kind === 'seq') for (const x of e.items) stack.push(x);
    else if (e.kind === 'assign') stack.push(e.right);
  }
  return false;
}
