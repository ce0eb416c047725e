// Small helpers over the IR's expression trees: sub-expressions, texts, and where a call sits.
import type { CfgNode, Expr, FunctionIR } from '../parse/ir';

export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'call': return e.args;
    case 'un': return [e.operand];
    case 'bin': return [e.left, e.right];
    // The right side is evaluated first.
    case 'assign': return [e.right, e.left];
    case 'field': return [e.operand];
    case 'idx': return [e.operand, e.index];
    case 'cond': return [e.test, e.whenTrue, e.whenFalse];
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

/** C's binary operators by precedence (higher binds tighter). */
const PRECEDENCE: Record<string, number> = {
  '*': 10, '/': 10, '%': 10, '+': 9, '-': 9, '<<': 8, '>>': 8, '<': 7, '<=': 7, '>': 7, '>=': 7,
  '==': 6, '!=': 6, '&': 5, '^': 4, '|': 3, '&&': 2, '||': 1,
};
/** Operands a unary operator needs parentheses around. */
const LOOSE = new Set<Expr['kind']>(['bin', 'assign', 'cond']);

/** Normalised source-like text of an expression (for matching and for the messages). */
export function exprText(e: Expr): string {
  switch (e.kind) {
    case 'id': return e.name;
    case 'num': return e.text;
    case 'null': return 'NULL';
    case 'str': return '"…"';
    case 'call': return `${e.callee ?? '(*)'}(${e.args.map(exprText).join(', ')})`;
    case 'un': return /^(\+\+|--)$/.test(e.op) || !LOOSE.has(e.operand.kind) ? `${e.op}${exprText(e.operand)}` : `${e.op}(${exprText(e.operand)})`;
    case 'bin': {
      // (Parentheses where C's precedence needs them, `uaddr + (done << PAGE_SHIFT)`: the IR
      // keeps the tree, not the source's parentheses.)
      const p = PRECEDENCE[e.op] ?? 0;
      const side = (x: Expr, right: boolean): string => {
        const q = x.kind === 'bin' ? PRECEDENCE[x.op] ?? 0 : x.kind === 'assign' || x.kind === 'cond' ? -1 : 99;
        return q < p || (right && q === p) ? `(${exprText(x)})` : exprText(x);
      };
      return `${side(e.left, false)} ${e.op} ${side(e.right, true)}`;
    }
    case 'assign': return `${exprText(e.left)} ${e.op} ${exprText(e.right)}`;
    case 'field': return `${exprText(e.operand)}${e.arrow ? '->' : '.'}${e.member}`;
    case 'idx': return `${exprText(e.operand)}[${exprText(e.index)}]`;
    case 'cond': return `${exprText(e.test)} ? ${exprText(e.whenTrue)} : ${exprText(e.whenFalse)}`;
    case 'seq': return `(${e.items.map(exprText).join(', ')})`;
    case 'other': return `${e.text}(${e.subs.map(exprText).join(', ')})`;
  }
}

export interface CallPlace {
  node: CfgNode;
  /** The call expression itself. */
  expr: Extract<Expr, { kind: 'call' }>;
  /** Enclosing expressions, outermost first. */
  parents: Expr[];
}

/** Where call `id` sits in the CFG (the first node that evaluates it). */
export function placeOfCall(fn: FunctionIR, id: number): CallPlace | null {
  for (const node of fn.nodes) {
    let found: CallPlace | null = null;
    walk(node.expr, (e, parents) => {
      if (found) return false;
      if (e.kind === 'call' && e.call === id) { found = { node, expr: e, parents: [...parents] }; return false; }
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
  if (e.kind === 'call') out.push(e.call);
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
    if (cur.kind === 'seq' && cur.items.length === 1) { cur = cur.items[0]; continue; }
    if (cur.kind === 'call' && (cur.callee === 'likely' || cur.callee === 'unlikely' || cur.callee === 'READ_ONCE') && cur.args.length === 1) { cur = cur.args[0]; continue; }
    break;
  }
  return cur;
}
