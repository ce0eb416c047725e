// Whether a local pointer may be NULL where a call is made: a forward dataflow of the
// assignments of NULL to it, cut by other assignments and by the tests that rule NULL out
// on a branch (`if (pages)`, `if (!pages) return`, `pages != NULL && ...`).
import type { Expr, FunctionIR } from '../parse/ir';
import { placeOfCall, stripNoise, walk } from './expr';

/** How a branch condition constrains `v` on its true and false edges: 'nonnull', 'null' or
 * nothing known (undefined). */
function edgeFacts(c0: Expr | null, v: string): [Fact, Fact] {
  if (!c0) return [undefined, undefined];
  const c = stripNoise(c0);
  const isV = (x: Expr) => { const y = stripNoise(x); return y.kind === 'id' && y.name === v; };
  const isNull = (x: Expr) => { const y = stripNoise(x); return y.kind === 'null' || (y.kind === 'num' && y.value === 0); };
  if (isV(c)) return ['nonnull', 'null'];
  if (c.kind === 'un' && c.op === '!') { const [t, f] = edgeFacts(c.operand, v); return [f, t]; }
  if (c.kind === 'bin') {
    if ((c.op === '==' || c.op === '!=') && ((isV(c.left) && isNull(c.right)) || (isV(c.right) && isNull(c.left)))) {
      return c.op === '==' ? ['null', 'nonnull'] : ['nonnull', 'null'];
    }
    // `v && x`: true only with v; `!v || x`: false only with v.
    if (c.op === '&&') { const [l] = edgeFacts(c.left, v); const [r] = edgeFacts(c.right, v); return [l ?? r, undefined]; }
    if (c.op === '||') { const [, l] = edgeFacts(c.left, v); const [, r] = edgeFacts(c.right, v); return [undefined, l ?? r]; }
  }
  return [undefined, undefined];
}
type Fact = 'nonnull' | 'null' | undefined;

/** The lines of the assignments of NULL to local `v` (`v = NULL`, a declaration's `= NULL`)
 * whose value may reach call `id` of `fn`; empty when none can. Any other assignment to
 * `v`, or `&v` handed to a call, replaces the NULL. */
export function nullReaching(fn: FunctionIR, id: number, v: string): number[] {
  const place = placeOfCall(fn, id);
  if (!place) return [];
  // (Only a name the function assigns NULL to can be NULL here: parameters and fields are
  // another function's business.)
  const nullLines = new Set<number>();
  for (const node of fn.nodes) walk(node.expr, (e) => {
    if (e.kind === 'assign' && e.op === '=') {
      const l = stripNoise(e.left), r = stripNoise(e.right);
      if (l.kind === 'id' && l.name === v && (r.kind === 'null' || (r.kind === 'num' && r.value === 0))) nullLines.add(node.line);
    }
  });
  if (!nullLines.size) return [];
  const transfer = (expr: Expr | null, line: number, s: Set<number>, stopAt?: number): Set<number> => {
    let out = s;
    let stopped = false;
    walk(expr, (e) => {
      if (stopped) return false;
      if (e.kind === 'call' && e.call === stopAt) { stopped = true; return false; }
      if (e.kind === 'assign') {
        const l = stripNoise(e.left);
        if (l.kind === 'id' && l.name === v) {
          const r = stripNoise(e.right);
          out = e.op === '=' && (r.kind === 'null' || (r.kind === 'num' && r.value === 0)) ? new Set([line]) : new Set();
        }
      } else if (e.kind === 'un' && e.op === '&') {
        const o = stripNoise(e.operand);
        if (o.kind === 'id' && o.name === v) out = new Set();
      }
      return true;
    });
    return out;
  };
  const ins: (Set<number> | null)[] = fn.nodes.map(() => null);
  ins[0] = new Set();
  const work = [0];
  let steps = 0;
  while (work.length && steps++ < 20000) {
    const id0 = work.shift()!;
    const node = fn.nodes[id0];
    const s = ins[id0]!;
    const isBranch = node.kind === 'branch' && node.succ.length === 2;
    // (A condition may assign too: `if (!(v = kmalloc(...)))`.)
    const out = transfer(node.expr, node.line, s);
    const facts = isBranch ? edgeFacts(node.expr, v) : [];
    node.succ.forEach((n, i) => {
      if (n < 0) return;
      const f = isBranch ? facts[i] : undefined;
      const o = f === 'nonnull' ? new Set<number>() : out;
      const cur = ins[n];
      if (!cur) { ins[n] = new Set(o); work.push(n); return; }
      let changed = false;
      for (const x of o) if (!cur.has(x)) { cur.add(x); changed = true; }
      if (changed) work.push(n);
    });
  }
  const at = ins[place.node.id];
  if (!at) return [];
  return [...transfer(place.node.expr, place.node.line, at, id)].sort((a, b) => a - b);
}
