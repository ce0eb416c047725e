// Small helpers over the IR's expression trees: sub-expressions, texts, and where a call sits.
import type { CfgNode, Expr, FunctionIR } from '../parse/ir';

export function children(e: Expr): Expr[] {
  switch (e.k) {
    case 'call': return e.args;
    case 'un': return [e.e];
    case 'bin': return [e.l, e.r];
    // The right side is evaluated first.
    case 'assign': return [e.r, e.l];
    case 'field': return [e.e];
    case 'idx': return [e.e, e.i];
    case 'cond': return [e.c, e.t, e.f];
    case 'seq': return e.items;
    case 'other': return e.subs;
    default: return [];
  }
}

/** Pre-order walk with the chain of parents (outermost first). Return false to skip children. */
export function walk(e: Expr | null, visit: (e: Expr, parents: Expr[]) => boolean | void, parents: Expr[] = []): void {
  if (!e) return;
  if (visit(e, parents) === false) return;
  parents.push(e);
  for (const c of children(e)) walk(c, visit, parents);
  parents.pop();
}

/** Normalised source-like text of an expression (for matching, not for display). */
export function exprText(e: Expr): string {
  switch (e.k) {
    case 'id': return e.n;
    case 'num': return e.t;
    case 'null': return 'NULL';
    case 'str': return '"…"';
    case 'call': return `${e.callee ?? '(*)'}(${e.args.map(exprText).join(', ')})`;
    case 'un': return `${e.op}${exprText(e.e)}`;
    case 'bin': return `${exprText(e.l)} ${e.op} ${exprText(e.r)}`;
    case 'assign': return `${exprText(e.l)} ${e.op} ${exprText(e.r)}`;
    case 'field': return `${exprText(e.e)}${e.arrow ? '->' : '.'}${e.f}`;
    case 'idx': return `${exprText(e.e)}[${exprText(e.i)}]`;
    case 'cond': return `${exprText(e.c)} ? ${exprText(e.t)} : ${exprText(e.f)}`;
    case 'seq': return `(${e.items.map(exprText).join(', ')})`;
    case 'other': return `${e.t}(${e.subs.map(exprText).join(', ')})`;
  }
}

export interface CallPlace {
  node: CfgNode;
  /** The call expression itself. */
  expr: Extract<Expr, { k: 'call' }>;
  /** Enclosing expressions, outermost first. */
  parents: Expr[];
}

/** Where call `id` sits in the CFG (the first node that evaluates it). */
export function placeOfCall(fn: FunctionIR, id: number): CallPlace | null {
  for (const node of fn.nodes) {
    let found: CallPlace | null = null;
    walk(node.expr, (e, parents) => {
      if (found) return false;
      if (e.k === 'call' && e.call === id) { found = { node, expr: e, parents: [...parents] }; return false; }
      return true;
    });
    if (found) return found;
  }
  return null;
}

/** Calls in evaluation order (arguments before the call). */
export function callsInOrder(e: Expr | null, out: number[] = []): number[] {
  if (!e) return out;
  for (const c of children(e)) callsInOrder(c, out);
  if (e.k === 'call') out.push(e.call);
  return out;
}

/** Predecessors of every CFG node. */
export function predecessors(fn: FunctionIR): number[][] {
  const preds: number[][] = fn.nodes.map(() => []);
  for (const n of fn.nodes) for (const s of n.succ) if (s >= 0) preds[s].push(n.id);
  return preds;
}

/** Strip unary wrappers that do not change what an expression names. */
export function stripNoise(e: Expr): Expr {
  let cur = e;
  for (let i = 0; i < 8; i++) {
    if (cur.k === 'seq' && cur.items.length === 1) { cur = cur.items[0]; continue; }
    if (cur.k === 'call' && (cur.callee === 'likely' || cur.callee === 'unlikely' || cur.callee === 'READ_ONCE') && cur.args.length === 1) { cur = cur.args[0]; continue; }
    break;
  }
  return cur;
}
