// Which FOLL_* flags may reach a GUP call's gup_flags argument: through the literal
// expression, local variables and their assignments (`flags |= FOLL_WRITE`), conditional
// expressions, `#define`s of the same file, and constant arguments of known callers.
import type { Expr, Span } from '../parse/ir';
import type { FunctionAnalysis } from './lockstate';
import type { Program } from './program';
import { stripNoise, walk } from './expr';
import { dominators } from './path-facts';

export interface FlagOrigin {
  /** Where the flag was written: the GUP call's file and a line in it. */
  fa: FunctionAnalysis;
  line: number;
  /** How it got there, e.g. "gup_flags |= FOLL_LONGTERM" or "#define UBUF_GUP_FLAGS". */
  how: string;
  /** The header the line is in, when not fa's file (a module header's #define). */
  file?: string;
}

/** Flag name -> where it may come from. */
export type FlagSet = Map<string, FlagOrigin[]>;

function merge(into: FlagSet, from: FlagSet): void {
  for (const [k, v] of from) {
    const cur = into.get(k) ?? [];
    for (const o of v) if (!cur.some((c) => c.fa === o.fa && c.line === o.line)) cur.push(o);
    into.set(k, cur);
  }
}

/** Assignments to local variables of a function: name -> [op, rhs, line]. */
function assignmentsOf(fa: FunctionAnalysis): Map<string, { op: string; r: Expr; line: number; node: number }[]> {
  const out = new Map<string, { op: string; r: Expr; line: number; node: number }[]>();
  for (const node of fa.fn.nodes) {
    walk(node.expr, (e) => {
      if (e.kind === 'assign' && e.left.kind === 'id') {
        const list = out.get(e.left.name) ?? [];
        list.push({ op: e.op, r: e.right, line: node.line, node: node.id });
        out.set(e.left.name, list);
      }
    });
  }
  return out;
}

/** Whether every path from the function's entry to `to` passes `through` (the chain of
 * immediate dominators of `to` holds it). */
function dominates(fa: FunctionAnalysis, through: number, to: number): boolean {
  if (through === to) return false;
  const { idom } = dominators(fa.fn);
  for (let d = idom[to]; d >= 0; d = idom[d]) if (d === through) return true;
  return false;
}

export class FlagResolver {
  private assigns = new Map<FunctionAnalysis, ReturnType<typeof assignmentsOf>>();
  constructor(private program: Program, private callerDepth = 2) {}

  /** Flags an expression may carry, in function `fa`. */
  resolve(fa: FunctionAnalysis, e: Expr, line: number): FlagSet {
    return this.expr(fa, e, line, new Set(), this.callerDepth);
  }

  private expr(fa: FunctionAnalysis, e: Expr, line: number, seen: Set<string>, depth: number): FlagSet {
    const out: FlagSet = new Map();
    switch (e.kind) {
      case 'id': {
        if (/^FOLL_\w+$/.test(e.name)) { out.set(e.name, [{ fa, line, how: e.name }]); return out; }
        const key = `${fa.fn.file}:${fa.fn.startLine}:${e.name}`;
        if (seen.has(key)) return out;
        seen.add(key);
        const locals = this.assignmentsOf(fa).get(e.name);
        // Flags a dominating `flags &= ~FOLL_X` takes out, whatever the value came from (a
        // local's assignment or a caller's argument for a parameter).
        const removed: string[] = [];
        if (locals?.length) {
          for (const a of locals) {
            // `flags &= ~FOLL_X` removes; it never adds.
            if (a.op === '&=') continue;
            const sub = this.expr(fa, a.r, a.line, seen, depth);
            for (const [k, v] of sub) out.set(k, v.map((o) => ({ ...o, how: o.how.includes('define') ? o.how : `${e.name} ${a.op} ${o.how}` })));
          }
          // A `flags &= ~FOLL_X` on every path to the use, with no other write of the
          // variable after it on the way (`flags &= ~FOLL_LONGTERM;` in the arm that calls
          // get_user_pages_fast()): FOLL_X does not reach the use.
          const use = fa.fn.nodes.find((n) => n.line === line && n.expr !== null);
          if (use) {
            for (const a of locals) {
              const r = a.r.kind === 'un' && a.r.op === '~' ? a.r.operand : null;
              if (a.op !== '&=' || !r || !dominates(fa, a.node, use.id)) continue;
              if (locals.some((b) => b !== a && b.op !== '&=' && b.line > a.line && b.line <= line)) continue;
              for (const k of this.expr(fa, r, a.line, new Set(), 0).keys()) { out.delete(k); removed.push(k); }
            }
          }
        }
        const pi = fa.fn.params.indexOf(e.name);
        if (pi >= 0) {
          if (depth <= 0) return out;
          for (const step of this.program.callersOf(fa)) {
            const arg = step.call.args[pi];
            if (!arg || step.caller === fa) continue;
            // (Named as the caller passes it: `gup_flags from a_setup()'s call: FOLL_LONGTERM`.)
            const sub = this.expr(step.caller, arg, step.call.span.line, seen, depth - 1);
            for (const [k, v] of sub) sub.set(k, v.map((o) => (o.how.includes(' from ') ? o : { ...o, how: `${e.name} from ${step.caller.fn.name}() (${o.how})` })));
            merge(out, sub);
          }
          for (const k of removed) out.delete(k);
          return out;
        }
        if (locals?.length) return out;
        const m = fa.fn.macros?.[e.name];
        if (m && !m.params) merge(out, this.macro(fa, e.name, m.value, m.line, seen, m.file));
        return out;
      }
      case 'bin':
        // `a & ~FOLL_X` keeps a's flags; `a | b`, `a + b` add both.
        if (e.op === '&') {
          const neg = e.right.kind === 'un' && e.right.op === '~' ? e.right.operand : e.left.kind === 'un' && e.left.op === '~' ? e.left.operand : null;
          if (!neg) return out;
          const kept = this.expr(fa, neg === (e.right as { e?: Expr }).e ? e.left : e.right, line, seen, depth);
          for (const k of this.expr(fa, neg, line, new Set(), 0).keys()) kept.delete(k);
          return kept;
        }
        if (e.op === '|' || e.op === '+' || e.op === '^') {
          merge(out, this.expr(fa, e.left, line, seen, depth));
          merge(out, this.expr(fa, e.right, line, seen, depth));
        }
        return out;
      case 'cond': {
        // A constant test (`(0) ? FOLL_FORCE : 0`, from a macro's argument): only its arm.
        const t = constantTest(e.test);
        if (t !== false) merge(out, this.expr(fa, e.whenTrue, line, seen, depth));
        if (t !== true) merge(out, this.expr(fa, e.whenFalse, line, seen, depth));
        return out;
      }
      case 'seq':
        return e.items.length ? this.expr(fa, e.items[e.items.length - 1], line, seen, depth) : out;
      case 'assign':
        return this.expr(fa, e.right, line, seen, depth);
      case 'call': {
        // A function-like macro of the file, e.g. #define GUP_FLAGS(w) ((w) ? FOLL_WRITE : 0)
        const m = e.callee ? fa.fn.macros?.[e.callee] : undefined;
        if (m && m.params) merge(out, this.macro(fa, e.callee!, deadArmsDropped(m.params, m.value, e.args), m.line, seen, m.file));
        return out;
      }
      default:
        return out;
    }
  }

  /** FOLL_* names in a define's text, following other defines of the same file. */
  private macro(fa: FunctionAnalysis, name: string, value: string, line: number, seen: Set<string>, file?: string): FlagSet {
    const out: FlagSet = new Map();
    const key = `${fa.fn.file}:#${name}`;
    if (seen.has(key)) return out;
    seen.add(key);
    // `x & ~FOLL_Y` removes Y: drop negated names.
    const text = value.replace(/~\s*\(?\s*FOLL_\w+/g, ' ');
    for (const id of text.match(/[A-Za-z_]\w*/g) ?? []) {
      if (/^FOLL_\w+$/.test(id)) {
        if (!out.has(id)) out.set(id, [{ fa, line, how: file ? `#define ${name} in ${file}` : `#define ${name}`, ...(file ? { file } : {}) }]);
        continue;
      }
      const m = fa.fn.macros?.[id];
      if (m && !m.params) merge(out, this.macro(fa, id, m.value, m.line, seen, m.file));
    }
    return out;
  }

  private assignmentsOf(fa: FunctionAnalysis) {
    let a = this.assigns.get(fa);
    if (!a) { a = assignmentsOf(fa); this.assigns.set(fa, a); }
    return a;
  }
}

/** The value of a test that is a number (`0`, `(1)`, `!0`), else undefined. */
function constantTest(e0: Expr): boolean | undefined {
  const e = stripNoise(e0);
  if (e.kind === 'num' && e.value !== null) return e.value !== 0;
  if (e.kind === 'un' && e.op === '!') { const v = constantTest(e.operand); return v === undefined ? undefined : !v; }
  return undefined;
}

/** A function-like macro's value with the arms of `param ? A : B` that a constant argument
 * rules out removed (`#define GUP_FLAGS(w, f) (((w) ? FOLL_WRITE : 0) | ((f) ? FOLL_FORCE : 0))`
 * called as `GUP_FLAGS(1, 0)`: FOLL_FORCE is not passed). Arms that are not a plain name or
 * number are left as written. */
function deadArmsDropped(params: string[], value: string, args: Expr[]): string {
  let out = value;
  params.forEach((p, i) => {
    const a = args[i] ? constantTest(args[i]) : undefined;
    if (a === undefined || !/^[A-Za-z_]\w*$/.test(p)) return;
    const arm = String.raw`(\w+|\(\s*\w+\s*\))`;
    const re = new RegExp(String.raw`\(?\s*!?\s*\(?\s*\b${p}\b\s*\)?\s*\)?\s*\?\s*${arm}\s*:\s*${arm}`, 'g');
    out = out.replace(re, (whole, t: string, f: string) => {
      const neg = /^\(?\s*!/.test(whole);
      return (a !== neg) ? ` ${t} ` : ` ${f} `;
    });
  });
  return out;
}

/** The gup_flags argument of a GUP call, if its layout has one. */
export function flagsArg(params: string[], args: Expr[]): Expr | null {
  const i = params.findIndex((p) => p.split(':')[0] === 'gup_flags');
  return i >= 0 && i < args.length ? args[i] : null;
}

export function lineSpan(line: number): Span {
  return { line, col: 1, endLine: line, endCol: 1 };
}
