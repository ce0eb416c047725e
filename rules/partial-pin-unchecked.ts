import type { Rule } from '../src/rule';
import { rel } from '../src/rule';
import type { Related } from '../src/findings';
import type { CfgNode, Expr, FunctionIR } from '../src/parse/ir';
import { gupSites } from '../src/analysis/sites';
import { exprText, placeOfCall, predecessors, stripNoise, walk } from '../src/analysis/expr';

/** Entry points that do not return a page count for a pages array. */
const NOT_COUNTED = new Set(['get_vaddr_frames', 'memfd_pin_folios', 'get_user_page_fast_only', 'get_user_page_vma_remote']);
const LOGGING = /^(pr_\w+|printk\w*|dev_(dbg|err|warn|info|notice|err_ratelimited|warn_ratelimited)\w*|trace_\w+|WARN\w*|BUG_ON|netdev_\w+|ibdev_\w+|drm_\w+|DRM_\w+|no_printk)$/;

const COMPARE = new Set(['==', '!=', '<', '>', '<=', '>=']);

/** A constant that says nothing about a partial count: 0, a negative number, NULL. */
function isErrConst(e: Expr): boolean {
  const x = stripNoise(e);
  if (x.k === 'null') return true;
  if (x.k === 'num') return x.v === 0;
  if (x.k === 'un' && x.op === '-') return true;
  return false;
}

function isNullish(e: Expr | undefined): boolean {
  return !e || e.k === 'null' || (e.k === 'num' && e.v === 0);
}

type Use = 'error-check' | 'handled' | 'none';

/** Is `cond` a test that only separates errors (ret < 0, ret <= 0, !ret, IS_ERR_VALUE(ret))? */
function errorTestOf(cond: Expr | null, r: string): boolean {
  if (!cond) return false;
  let found = false;
  walk(cond, (e) => {
    if (found) return false;
    if (e.k === 'bin' && COMPARE.has(e.op)) {
      const l = stripNoise(e.l), rr = stripNoise(e.r);
      if ((l.k === 'id' && l.n === r && isErrConst(rr)) || (rr.k === 'id' && rr.n === r && isErrConst(l))) found = true;
    }
    if (e.k === 'un' && e.op === '!' && stripNoise(e.e).k === 'id' && (stripNoise(e.e) as { n: string }).n === r) found = true;
    if (e.k === 'call' && e.callee === 'IS_ERR_VALUE' && e.args[0] && stripNoise(e.args[0]).k === 'id') found = true;
    const s = stripNoise(e);
    if (s.k === 'id' && s.n === r && e === cond) found = true;
    return true;
  });
  return found;
}

/** A `return r;` reached only through an error test of r (walking back over straight-line code). */
function isErrorReturn(fn: FunctionIR, preds: number[][], node: CfgNode, r: string): boolean {
  let cur = node.id;
  for (let i = 0; i < 12; i++) {
    const ps = preds[cur];
    if (ps.length !== 1) return false;
    const p = fn.nodes[ps[0]];
    if (p.kind === 'branch') return errorTestOf(p.expr, r);
    cur = p.id;
  }
  return false;
}

/** How the function uses variable `r` (the stored count), apart from the store itself. */
function usesOf(fn: FunctionIR, r: string, gupCall: number): { use: Use; check?: number } {
  const preds = predecessors(fn);
  let use: Use = 'none';
  let check: number | undefined;
  for (const node of fn.nodes) {
    if (!node.expr) continue;
    if (node.kind === 'branch' && (() => { const s = stripNoise(node.expr!); return s.k === 'id' && s.n === r; })()) {
      if (use === 'none') { use = 'error-check'; check = node.line; }
      continue;
    }
    walk(node.expr, (e, parents) => {
      if (use === 'handled') return false;
      if (e.k !== 'id' || e.n !== r) return true;
      // Skip the parents that do not change the value's meaning.
      let i = parents.length - 1;
      while (i >= 0 && (parents[i].k === 'seq' || (parents[i].k === 'call' && /^(likely|unlikely)$/.test((parents[i] as { callee: string | null }).callee ?? '')))) i--;
      const p = i >= 0 ? parents[i] : null;
      if (!p) {
        if (node.ret) {
          if (!isErrorReturn(fn, preds, node, r)) use = 'handled';
        }
        return true;
      }
      if (p.k === 'assign') {
        if (p.l === e) return true; // r is written, not read
        if (p.r.k === 'call' && p.r.call === gupCall) return true;
        use = 'handled';
        return true;
      }
      if (p.k === 'bin' && COMPARE.has(p.op)) {
        const other = p.l === e ? p.r : p.l;
        if (isErrConst(other)) { if (use === 'none') { use = 'error-check'; check = node.line; } } else use = 'handled';
        return true;
      }
      if (p.k === 'un' && p.op === '!') { if (use === 'none') { use = 'error-check'; check = node.line; } return true; }
      if (p.k === 'call') {
        if (p.callee === 'IS_ERR_VALUE') { if (use === 'none') { use = 'error-check'; check = node.line; } return true; }
        if (p.callee && LOGGING.test(p.callee)) return true;
        use = 'handled';
        return true;
      }
      if (p.k === 'cond' && p.c === e) { if (use === 'none') { use = 'error-check'; check = node.line; } return true; }
      if (p.k === 'cond') {
        // `return ret < 0 ? ret : 0`-style: the value is passed on only when the test allows.
        return true;
      }
      use = 'handled';
      return true;
    });
    if ((use as Use) === 'handled') break;
  }
  return { use, check };
}

const rule: Rule = {
  meta: {
    id: 'partial-pin-unchecked',
    name: 'PartialPinUnchecked',
    level: 'warning',
    short: 'The page count of a multi-page GUP call is ignored or only tested for < 0.',
    full: 'GUP entry points return the number of pages they got, which can be less than nr_pages (a hole, a VMA boundary, a fatal signal, FOLL_NOWAIT, a lockless walk that stops early); a negative errno comes back only when nothing was obtained. Code that ignores the count, or tests only ret < 0 before using or releasing all nr_pages entries, uses stale array entries, releases pages it never got, or leaks the ones it got.',
    tags: ['mm', 'gup', 'correctness'],
    precision: 'medium',
  },
  check(ctx) {
    for (const { fa, call, cls } of gupSites(ctx.program)) {
      const era = cls.era;
      if (!era || !call.name || NOT_COUNTED.has(call.name)) continue;
      const at = (role: string) => era.params.findIndex((p) => p.split(':')[0] === role);
      const ni = at('nr_pages');
      const pi = at('pages');
      if (ni < 0 || pi < 0) continue;
      const nr = stripNoise(call.args[ni] ?? { k: 'null' });
      if (nr.k === 'num' && nr.v === 1) continue;
      if (isNullish(call.args[pi])) continue;
      const place = placeOfCall(fa.fn, call.id);
      if (!place) continue;
      let i = place.parents.length - 1;
      while (i >= 0 && (place.parents[i].k === 'seq' || (place.parents[i].k === 'call' && /^(likely|unlikely)$/.test((place.parents[i] as { callee: string | null }).callee ?? '')))) i--;
      const parent = i >= 0 ? place.parents[i] : null;
      const me = place.expr;
      let problem: string | null = null;
      let checkLine: number | undefined;
      if (!parent) {
        if (place.node.ret) continue; // the count goes to the caller
        problem = 'its result is ignored';
      } else if (parent.k === 'assign' && parent.r === me) {
        const l = stripNoise(parent.l);
        if (l.k !== 'id' || parent.op !== '=') continue; // stored in a field or through a pointer
        const u = usesOf(fa.fn, l.n, call.id);
        if (u.use === 'handled') continue;
        if (u.use === 'none') problem = `its result (${l.n}) is never looked at`;
        else { problem = `${l.n} is only tested for an error`; checkLine = u.check; }
      } else if (parent.k === 'bin' && COMPARE.has(parent.op)) {
        const other = parent.l === me ? parent.r : parent.l;
        if (!isErrConst(other)) continue;
        problem = `its result is only tested for an error (${exprText(parent)})`;
        checkLine = place.node.line;
      } else if (parent.k === 'un' && parent.op === '!') {
        problem = 'its result is only tested for zero';
        checkLine = place.node.line;
      } else {
        continue;
      }
      const related: Related[] = [];
      if (checkLine !== undefined && checkLine !== call.span.line) related.push(rel('call', fa, { line: checkLine, col: 1, endLine: checkLine, endCol: 1 }, 'the only test of the count'));
      const nrText = call.argText[ni];
      const release = era.pin === 'pin' ? 'unpin_user_pages(pages, ret)' : 'release exactly ret pages';
      ctx.report({
        fa, span: call.span, callText: call.text,
        message: `${call.name}() may get fewer than ${nrText} pages, but ${problem}: a short count leaves ${call.argText[pi]} partly unset and the pages it did get are leaked or over-released; handle 0 <= ret < ${nrText} (e.g. if (ret != ${nrText}) { ${release}; return -EFAULT; })`,
        hint: `if (ret != ${nrText}) { ${release}; ... }`,
        related,
      });
    }
  },
};
export default rule;
