// Page references from a GUP call to their release, path by path. For every GUP call that
// fills a pages array (or one `struct page *`), a forward dataflow over the function's CFG
// follows how many entries hold a reference (none after an error, a short count, or all
// nr_pages), what the code learns about the count from its tests, and what it does with
// the entries: uses or releases all nr_pages, releases exactly the count, hands the array
// to an owner, frees it, or returns. The family (FOLL_GET / FOLL_PIN) of each release is
// judged by the family dataflow of pages.ts; both rules query `pageLifecycle()`.
import { ppLiterals, ppOutcomes, trackedAtoms } from './ppcond';
import type { CallSite, CfgNode, Expr, FunctionIR } from '../parse/ir';
import type { FunctionAnalysis } from './lockstate';
import type { Program } from './program';
import { children, exprText, predecessors, stripNoise, walk } from './expr';
import { unwrapArg } from '../kernel/replace';
import { fieldKey, gupPagesArg, pageMismatches, rootOf, RELEASES, type Fam, type Mismatch } from './pages';

/** Entry points that do not return a page count for their pages argument. */
const NOT_COUNTED = new Set(['get_vaddr_frames', 'memfd_pin_folios', 'get_user_page_fast_only', 'get_user_page_vma_remote']);

/** Calls that free the array itself (not the pages in it). */
// (free_page()/free_pages() of an array taken with __get_free_page(): `free_page((unsigned long)pages)`.)
const ARRAY_FREE = /^(kfree|kvfree|vfree|kfree_sensitive|kvfree_sensitive|free_page|free_pages|drm_free_large)$/;

/** Calls that read a page without keeping it (no ownership taken). */
/** Calls giving a page's kernel address (a local holding it keeps no reference). */
const MAPPING = /^(kmap|kmap_atomic|kmap_local_page|page_address)$/;
function calleeOf(e: Expr): string {
  const x = stripNoise(e);
  return x.kind === 'call' && x.callee ? x.callee : '';
}

/** Entry points that return the number of pages got, never an errno (0 when none). */
const NO_ERRNO = /^(__get_user_pages_fast|get_user_pages_fast_only|get_user_page_fast_only)$/;

/** Calls that print or trace their arguments: a page pointer passed there is not used. */
const PRINT_LIKE = /^(trace_\w+|pr_\w+|printk\w*|dev_(dbg|err|warn|info|notice)\w*|WARN\w*|BUG_ON|likely|unlikely|sizeof|IS_ERR\w*)$/;
const LOOKS_ONLY = /^(kmap\w*|kunmap\w*|page_address|set_page_dirty\w*|SetPageDirty|folio_mark_dirty\w*|flush_dcache_page|page_to_pfn|page_to_phys|page_to_virt|page_folio|compound_head|PageHighMem|is_zone_device_page|is_zero_page|page_is_\w+|folio_test_\w+|Page\w+|copy_\w*page\w*|memset\w*|trace_\w+|pr_\w+|printk\w*|dev_(dbg|err|warn|info)\w*|WARN\w*|BUG_ON|likely|unlikely|offset_in_page|page_size|page_shift|sizeof|min|max|min_t|max_t|clear_user_highpage|zero_user\w*)$/;

/** Is `x` an argument of `call` that comes after a string literal (a format string)? A
 * print-like call (`drv_err(dev, "got %ld of %lu\n", ret, nr)`, a driver's own log macro)
 * only formats what follows its format: it neither keeps nor releases it. */
function formatArg(call: Extract<Expr, { kind: 'call' }>, x: Expr): boolean {
  // (A log macro called with its arguments in double parentheses, `DPF((lvl, "fmt", n))`,
  // passes them as one comma expression.)
  const only = call.args.length === 1 ? stripNoise(call.args[0]) : undefined;
  const args = only?.kind === 'seq' && only.items.length > 1 ? commaItems(only) : call.args;
  const i = args.findIndex((a) => a === x || contains(a, x));
  return i > 0 && args.slice(0, i).some((a) => stripNoise(a).kind === 'str');
}

/** The operands of a comma expression, nested ones (`a, (b, c)`) flattened. */
function commaItems(e: Expr): Expr[] {
  return e.kind === 'seq' && e.items.length > 1 ? e.items.flatMap(commaItems) : [e];
}

function contains(e: Expr, x: Expr): boolean {
  let hit = false;
  walk(e, (y) => { if (hit) return false; if (y === x) hit = true; return !hit; });
  return hit;
}

/** Calls that put a page into a DMA mapping or a scatterlist. */
// (drm_prime_pages_to_sg() is sg_alloc_table_from_pages_segment() over the whole array, for
// a dma-buf importer to map: drivers/gpu/drm/drm_prime.c.)
export const DMA_USE = /^(sg_set_page|sg_alloc_table_from_pages\w*|__sg_alloc_table_from_pages|sg_alloc_append_table_from_pages|dma_map_page\w*|ib_dma_map_page|pci_map_page|drm_prime_pages_to_sg)$/;

/** What may be true of the returned count on a path: E an error or 0 (nothing held),
 * S a short count (1 <= ret < nr), F the full count. */
const E = 1, S = 2, F = 4, ALL = 7;
/** With E: the count is unsigned and a test against nr took its (huge) errno for a full
 * count (`u32 n = ...; if (n < nr) goto err;`): the path goes on as if all were filled. */
const W = 8;
/** Calls that build a table over the pages and return a status (0 or -errno). */
const TABLE_BUILD = /^(sg_alloc_table_from_pages|sg_alloc_table_from_pages_segment|__sg_alloc_table_from_pages)$/;

/** `v = call(...)` (or `v = call(...)` inside parentheses) in a statement: v, else null. */
function assignedStatus(e: Expr | null, call: Extract<Expr, { kind: 'call' }>): string | null {
  let out: string | null = null;
  walk(e, (x) => {
    if (x.kind === 'assign' && x.op === '=' && x.left.kind === 'id' && stripNoise(x.right) === call) out = x.left.name;
    return true;
  });
  return out;
}

/** The successor index of a branch on which a status variable reports failure (`err < 0`,
 * `err`, `err != 0`: true; `!err`, `err == 0`, `err >= 0`: false), or null when the
 * condition is not such a test. */
function statusFailureEdge(c0: Expr, v: string): number | null {
  const c = stripNoise(c0);
  const isV = (x: Expr) => { const y = stripNoise(x); return y.kind === 'id' && y.name === v; };
  if (isV(c)) return 0;
  if (c.kind === 'un' && c.op === '!' && isV(c.operand)) return 1;
  if (c.kind === 'call' && c.callee === 'unlikely' && c.args[0]) return statusFailureEdge(c.args[0], v);
  if (c.kind === 'bin' && isV(c.left)) {
    const r = stripNoise(c.right);
    if (r.kind === 'num' && r.value === 0) {
      if (c.op === '<' || c.op === '!=') return 0;
      if (c.op === '>=' || c.op === '==') return 1;
    }
  }
  return null;
}

/** Releases whose count parameter is unsigned: a negative errno is a huge count. */
const UNSIGNED_COUNT_RELEASE = /^(unpin_user_pages|unpin_user_pages_dirty_lock|put_user_pages|put_user_pages_dirty_lock)$/;

export interface PageAcquire {
  fa: FunctionAnalysis;
  call: CallSite;
  fam: Fam;
  /** The array (or page pointer) named by the pages argument, indexes dropped. */
  root: string;
  /** Text of the nr_pages argument; null for one page. */
  nr: string | null;
  /** The count as written at the call, for messages (`nr` is the form that is matched
   * against loops and releases): the source text unless a macro's expansion wrote it. */
  nrText?: string;
  /** The variable that receives the count, if any. */
  countVar: string | null;
  /** Without one: a name the function does not use, for the messages' fixes to keep the
   * count in. */
  countName?: string;
  /** The node that copies the count into countVar (`nr = ret;` after `ret = gup(...)`:
   * forwardedCount), passed over as part of the call. */
  forwardAt?: number;
  /** The call's result is neither stored nor tested. */
  ignored: boolean;
  /** The array is a local of the function (not a parameter, not reached through a struct). */
  local: boolean;
  /** The count is stored through a pointer or into a struct (recorded for someone else):
   * its pages are followed for their DMA use only, not for the count's handling. */
  recorded?: boolean;
  /** The call is of a count wrapper (a function that returns its own GUP call's count for
   * pages and a count its caller passes): the GUP call inside it. */
  via?: { fa: FunctionAnalysis; call: CallSite };
}

export type LifecycleKind = 'errno-use' | 'errno-success' | 'short-use' | 'short-release' | 'short-return' | 'ignored' | 'leak' | 'leak-free' | 'over-release' | 'negative-release' | 'negative-passes' | 'refill';

export interface LifecycleStep { fa: FunctionAnalysis; line: number; col?: number; endCol?: number; what: string }

export interface LifecycleFinding {
  kind: LifecycleKind;
  acq: PageAcquire;
  /** acquire -> tests -> the event (use, release, free, return). */
  path: LifecycleStep[];
  /** The other GUP calls of the function reported for the same reason. */
  siblings: PageAcquire[];
  /** Callers that free the array they passed in without releasing its pages. */
  callerFrees?: LifecycleStep[];
  /** Further paths of the same call with another problem. */
  also?: LifecycleFinding[];
  /** leak-free of the entries earlier rounds of a loop filled: their counter. */
  earlier?: string;
  /** The path is one of a full count only: all nr entries hold references. */
  full?: boolean;
  /** refill: the sum the loop adds the count up in. */
  acc?: string;
  /** leak-free after some entries were released (a release loop left before its end): the
   * others are still held. */
  partial?: boolean;
}

const KIND_ORDER: LifecycleKind[] = ['refill', 'negative-release', 'negative-passes', 'errno-success', 'errno-use', 'over-release', 'short-use', 'ignored', 'leak-free', 'leak', 'short-return'];

export interface Lifecycle {
  acquires: PageAcquire[];
  findings: LifecycleFinding[];
  mismatches: Mismatch[];
  /** GUP calls of the get family whose pages reach a DMA mapping or scatterlist here. */
  /** `use`: the DMA call, or the call of a helper of the program that puts the pages into
   * one (`inner`: that helper's DMA call). */
  /** `caller`: the use is in a caller of the GUP call's function, which passed the array
   * in (`caller.call`) and maps it after the call returns. */
  dmaUses: { acq: PageAcquire; use: CallSite; inner?: { fa: FunctionAnalysis; call: CallSite }; caller?: { fa: FunctionAnalysis; call: CallSite } }[];
  /** Functions whose GUP calls were not all followed: the work budget ran out. */
  cuts: { file: string; function: string; message: string }[];
  /** Work done: CFG nodes scanned plus dataflow steps, over all acquires. */
  work: number;
}

/** Work units (CFG nodes scanned and dataflow steps) one function's page-reference
 * analysis may spend over all its GUP calls; far above what any function of the 4.9, 6.1
 * and 6.12 trees needs. Past it the remaining calls of that function are not followed and
 * the cut is reported. */
export const LIFECYCLE_FUNCTION_BUDGET = 400000;

const memo = new WeakMap<Program, Lifecycle>();

/** Work done by every page-reference analysis of this process (asserted on by tests). */
export const lifecycleCounters = { work: 0, cuts: 0 };

/** The cuts of a page-reference analysis already run on `p` (none if no rule asked for it). */
export function lifecycleCuts(p: Program): Lifecycle['cuts'] {
  return memo.get(p)?.cuts ?? [];
}

export function pageLifecycle(p: Program): Lifecycle {
  const hit = memo.get(p);
  if (hit) return hit;
  const res: Lifecycle = { acquires: [], findings: [], mismatches: pageMismatches(p), dmaUses: [], cuts: [], work: 0 };
  const helpers = new ReleaseHelpers(p);
  for (const fa of p.functions) {
    const acqs: PageAcquire[] = [];
    fa.fn.calls.forEach((call) => {
      const a = acquireOf(fa, call) ?? wrappedAcquire(p, fa, call);
      if (a) acqs.push(a);
    });
    if (!acqs.length) continue;
    const loops = loopsOf(fa);
    const byAcq = new Map<PageAcquire, LifecycleFinding[]>();
    let spent = 0;
    for (const [i, a] of acqs.entries()) {
      let acq = a;
      if (a.recorded) {
        // (Its count is someone else's to handle: only where the pages go is followed.)
        if (a.fam === 'get') { const use = dmaUseOf(p, fa, a.root) ?? callerDmaUse(p, fa, a.root); if (use) res.dmaUses.push({ acq: a, ...use }); }
        // (But a count kept in a member of a struct this function names is read here as it
        // is kept: what its tests and loops do with an errno or a short count.)
        const fc = memberCountAcquire(fa, a);
        if (!fc) continue;
        acq = fc;
      }
      res.acquires.push(acq);
      if (spent >= LIFECYCLE_FUNCTION_BUDGET) {
        lifecycleCounters.cuts++;
        res.cuts.push({ file: fa.fn.file, function: fa.fn.name, message: `${fa.fn.name}(): page references of ${acqs.length - i} of its ${acqs.length} GUP calls not followed: the analysis budget of ${LIFECYCLE_FUNCTION_BUDGET} steps was spent` });
        break;
      }
      const flow = new AcquireFlow(acq, acq === a ? loops : loopsOf(acq.fa), helpers, (root) => nullTolerantOwner(p, fa, root));
      let fs = flow.run();
      // (A count kept in a struct is not lost when the function returns: its owner knows it.
      // Only what the function itself does with it wrongly is said.)
      if (acq !== a) fs = fs.filter((f) => MEMBER_COUNT_KINDS.has(f.kind));
      const refill = acq === a ? refillOf(fa, a) : null;
      if (refill) fs = [refill, ...fs];
      spent += flow.work;
      byAcq.set(a, fs);
      if (a.fam === 'get' && acq === a) {
        const use = dmaUseOf(p, fa, a.root) ?? callerDmaUse(p, fa, a.root);
        if (use) res.dmaUses.push({ acq: a, ...use });
      }
    }
    // Two calls of one function whose count is tested only for an error: each names the other.
    const shortOnes = acqs.filter((a) => (byAcq.get(a) ?? []).some((f) => f.kind.startsWith('short')));
    res.work += spent;
    lifecycleCounters.work += spent;
    for (const a of acqs) {
      if (!byAcq.has(a)) continue;
      // One finding per call: the most telling path, the others as further steps.
      const fs = byAcq.get(a)!.sort((x, y) => KIND_ORDER.indexOf(x.kind) - KIND_ORDER.indexOf(y.kind));
      if (!fs.length) continue;
      const f = fs[0];
      f.also = fs.slice(1);
      if (f.kind.startsWith('short')) f.siblings = shortOnes.filter((x) => x !== a);
      if (f.kind === 'leak') f.callerFrees = callerFrees(p, a);
      res.findings.push(f);
    }
  }
  memo.set(p, res);
  return res;
}

/** `gup(start, nr, ..., pages)` called again in a loop that adds its count up (`held +=
 * got`, the loop going on until that sum is reached) but moves neither the start nor the
 * array: after a short count the next round fills the array from its first entry again,
 * over the references of the round before, which are lost. Every name and field the start
 * and pages arguments are written with must be left alone in the loop (a call in them, or an
 * assignment to one of them, moves them: not this case). */
function refillOf(fa: FunctionAnalysis, a: PageAcquire): LifecycleFinding | null {
  // (Through a count wrapper, a.via: the wrapper's parameters its GUP call passes as start
  // and pages, and this call's arguments for them.)
  const g = a.via ?? { fa, call: a.call };
  const cls = g.fa.classes[g.call.id];
  if (!a.nr || !a.countVar || cls.kind !== 'gup' || !cls.era) return null;
  const at = (role: string) => cls.era!.params.findIndex((x) => x.split(':')[0] === role);
  const argOf = (role: string): Expr | undefined => {
    const inner = g.call.args[at(role)];
    if (!a.via || !inner) return inner;
    const e = stripNoise(inner);
    const i = e.kind === 'id' ? g.fa.fn.params.indexOf(e.name) : -1;
    return i >= 0 ? a.call.args[i] : undefined;
  };
  const start = argOf('start'), pages = argOf('pages');
  if (!start || !pages) return null;
  const names = new Set<string>();
  let opaque = false;
  for (const e of [start, pages]) walk(e, (x) => { if (x.kind === 'call') opaque = true; if (x.kind === 'id' || x.kind === 'field') names.add(exprText(x)); return true; });
  if (opaque || !names.size) return null;
  const place = placeOf(fa, a.call.id);
  if (!place) return null;
  const fn = fa.fn;
  const preds = predecessors(fn);
  for (const h of fn.nodes) {
    if (h.kind !== 'branch' || !h.loop || !h.expr) continue;
    const body = loopBody(fn, preds, h);
    if (!body.has(place.node.id)) continue;
    let moved = false;
    let acc: { text: string; line: number } | null = null;
    for (const id of [h.id, ...body]) {
      walk(fn.nodes[id].expr, (x) => {
        if (x.kind === 'assign') {
          const left = exprText(stripNoise(x.left));
          if (names.has(left)) moved = true;
          const r = stripNoise(x.right);
          if (x.op === '+=' && r.kind === 'id' && r.name === a.countVar && id !== h.id) acc = { text: left, line: fn.nodes[id].line };
        }
        if (x.kind === 'un' && /\+\+|--/.test(x.op) && names.has(exprText(stripNoise(x.operand)))) moved = true;
        return true;
      });
    }
    const sum = acc as { text: string; line: number } | null;
    if (moved || !sum || names.has(sum.text) || !mentionsText(h.expr, sum.text)) continue;
    return {
      kind: 'refill', acq: a, siblings: [],
      path: [
        { fa, line: a.call.span.line, col: a.call.callSpan.col, what: `${a.call.name}() fills ${a.root} from its first entry` },
        { fa, line: sum.line, what: `${sum.text} += ${a.countVar}: the loop asks again from the same start into the same ${a.root} until ${sum.text} is reached` },
      ],
      acc: sum.text,
    };
  }
  return null;
}

/** A function of the same file that releases entries through the same access path,
 * one by one, after testing each entry (or its copy) for NULL. */
function nullTolerantOwner(p: Program, from: FunctionAnalysis, root: string): FunctionAnalysis | null {
  const key = fieldKey(root);
  if (!key) return null;
  for (const g of p.functions) {
    if (g.fn.file !== from.fn.file || g === from) continue;
    for (const n of g.fn.nodes) {
      let hit = false;
      eachCall(n.expr, (e) => {
        if (hit || !e.callee || !RELEASES.has(e.callee) || !e.args[0]) return;
        const el = elementOf(g, e.args[0], n.id);
        // The same access path (`vsg->pages` in both): a field name alone is shared by
        // unrelated structs of one file.
        if (!el || fieldKey(el.root) !== key || el.root !== root) return;
        const copy = stripNoise(e.args[0]);
        hit = g.fn.nodes.some((b) => b.kind === 'branch' && !b.loop && b.expr !== null
          && (mentionsElement(b.expr, el.root) || (copy.kind === 'id' && mentionsId(b.expr, copy.name))));
      });
      if (hit) return g;
    }
  }
  return null;
}

/** A helper leaking a short pin of a parameter array: the callers that free that array. */
function callerFrees(p: Program, a: PageAcquire): LifecycleStep[] {
  const head = /^[A-Za-z_]\w*/.exec(a.root)?.[0] ?? '';
  const pi = a.fa.fn.params.indexOf(head);
  if (pi < 0 || head !== a.root) return [];
  const out: LifecycleStep[] = [];
  for (const st of p.callersOf(a.fa)) {
    const arg = st.call.args[pi];
    const root = arg ? rootOf(arg) : null;
    if (!root) continue;
    for (const c of st.caller.fn.calls) {
      if (c.name && ARRAY_FREE.test(c.name) && c.args[0] && rootOf(c.args[0]) === root && c.span.line > st.call.span.line) {
        out.push({ fa: st.caller, line: c.callSpan.line, col: c.callSpan.col, endCol: c.callSpan.endLine === c.callSpan.line ? c.callSpan.endCol : undefined, what: `${st.caller.fn.name}() frees ${root} after ${a.fa.fn.name}() failed, without releasing its pages` });
        break;
      }
    }
  }
  return out.slice(0, 3);
}

function paramIndex(fa: FunctionAnalysis, role: RegExp, call: CallSite): number {
  const cls = fa.classes[call.id];
  if (cls.kind !== 'gup' || !cls.era) return -1;
  return cls.era.params.findIndex((x) => role.test(x.split(':')[0]));
}

/** A local that holds 1 wherever it is read: initialised (or set) to 1 once, never written
 * otherwise (`int pages_nb_req = 1; ... pin_user_pages_fast(a, pages_nb_req, ...)`). */
function constantOne(fa: FunctionAnalysis, e: Expr): boolean {
  if (e.kind !== 'id' || fa.fn.params.includes(e.name)) return false;
  let sets = 0, one = false, other = false;
  for (const n of fa.fn.nodes) {
    walk(n.expr, (x) => {
      if (x.kind === 'assign') {
        const l = stripNoise(x.left);
        if (l.kind === 'id' && l.name === e.name) {
          sets++;
          const r = stripNoise(x.right);
          if (x.op === '=' && r.kind === 'num' && r.value === 1) one = true;
          else other = true;
        }
      } else if (x.kind === 'un' && x.op === '&') {
        // (`x++` is an assignment in the IR, counted above.)
        const o = stripNoise(x.operand);
        if (o.kind === 'id' && o.name === e.name) other = true;
      }
      return true;
    });
    if (other) return false;
  }
  return sets === 1 && one;
}

/** A count wrapper's shape: the parameters its GUP call takes the pages array and the
 * count from (count: -1 for one page), the family and the GUP call. */
interface CountWrapper { pages: number; nr: number; fam: Fam; call: CallSite }
const wrapperCache = new WeakMap<FunctionIR, CountWrapper | null>();

/** A function whose only GUP calls (one, or one per #if arm) fill its pages parameter with
 * a count its parameter gives, and whose every return gives back the count of that call
 * (`return get_user_pages_remote(...)`, or `n = ...; ...; return n;`): a compat wrapper
 * around an era's signature. Its callers handle the count as they would the GUP call's. */
function countWrapperOf(fa: FunctionAnalysis): CountWrapper | null {
  if (wrapperCache.has(fa.fn)) return wrapperCache.get(fa.fn)!;
  let out: CountWrapper | null = null;
  const fn = fa.fn;
  const shapes: CountWrapper[] = [];
  const vars = new Set<string>();
  let bad = false;
  fn.calls.forEach((call) => {
    if (bad || !call.name) return;
    const g = gupPagesArg(fa, call.id);
    if (!g) return;
    const arg = stripNoise(g.arg);
    const pi = arg.kind === 'id' ? fn.params.indexOf(arg.name) : -1;
    const ni = paramIndex(fa, /^nr_pages$/, call);
    const nrE = ni >= 0 ? call.args[ni] : undefined;
    const nx = nrE ? stripNoise(nrE) : null;
    const single = !nx || (nx.kind === 'num' && nx.value === 1);
    const nri = single ? -1 : nx && nx.kind === 'id' ? fn.params.indexOf(nx.name) : -2;
    if (NOT_COUNTED.has(call.name) || pi < 0 || nri === -2) { bad = true; return; }
    const place = placeOf(fa, call.id);
    const parent = place?.parents[place.parents.length - 1];
    if (place && !parent && place.node.ret) { shapes.push({ pages: pi, nr: nri, fam: g.fam, call }); return; }
    const l = parent && parent.kind === 'assign' && parent.op === '=' ? stripNoise(parent.left) : null;
    if (l && l.kind === 'id' && place!.parents.length === 1) { vars.add(l.name); shapes.push({ pages: pi, nr: nri, fam: g.fam, call }); return; }
    bad = true;
  });
  if (!bad && shapes.length && shapes.every((x) => x.pages === shapes[0].pages && x.nr === shapes[0].nr && x.fam === shapes[0].fam)) {
    // Every return gives the count back: the call itself, or the variable that holds it
    // (never written otherwise).
    const rets = fn.nodes.filter((n) => n.ret);
    const ok = rets.length > 0 && rets.every((n) => {
      const e = n.expr ? stripNoise(n.expr) : null;
      return !!e && ((e.kind === 'call' && shapes.some((x) => x.call.id === e.call)) || (e.kind === 'id' && vars.has(e.name)));
    });
    let otherWrites = false;
    if (ok && vars.size) for (const n of fn.nodes) walk(n.expr, (x) => {
      if (x.kind === 'assign') { const l = stripNoise(x.left); if (l.kind === 'id' && vars.has(l.name) && !(x.op === '=' && stripNoise(x.right).kind === 'call' && shapes.some((y) => y.call.id === (stripNoise(x.right) as { call: number }).call))) otherWrites = true; }
      if (x.kind === 'un' && x.op === '&') { const o = stripNoise(x.operand); if (o.kind === 'id' && vars.has(o.name)) otherWrites = true; }
      return true;
    });
    if (ok && !otherWrites) out = shapes[0];
  }
  wrapperCache.set(fa.fn, out);
  return out;
}

/** A call of a count wrapper, as an acquire of the caller: the caller's arguments are the
 * array and the count. (Only when every definition the call may reach is such a wrapper of
 * the same shape.) */
function wrappedAcquire(p: Program, fa: FunctionAnalysis, call: CallSite): PageAcquire | null {
  if (!call.name || fa.classes[call.id]?.kind === 'gup') return null;
  const defs = p.resolve(fa, call.name).filter((d) => d !== fa);
  if (!defs.length) return null;
  const ws = defs.map(countWrapperOf);
  const w = ws[0];
  if (!w || ws.some((x) => !x || x.pages !== w.pages || x.nr !== w.nr || x.fam !== w.fam)) return null;
  const arg = call.args[w.pages];
  if (!arg) return null;
  const x = stripNoise(arg);
  if (x.kind === 'null' || (x.kind === 'num' && x.value === 0)) return null;
  return acquireOf(fa, call, { arg, fam: w.fam, nr: w.nr, via: { fa: defs[0], call: w.call } });
}

function acquireOf(fa: FunctionAnalysis, call: CallSite, wrapped?: { arg: Expr; fam: Fam; nr: number; via: { fa: FunctionAnalysis; call: CallSite } }): PageAcquire | null {
  let recorded = false;
  if (!call.name || (!wrapped && NOT_COUNTED.has(call.name))) return null;
  const g = wrapped ?? gupPagesArg(fa, call.id);
  if (!g) return null;
  const root = rootOf(g.arg);
  if (!root) return null;
  const ni = wrapped ? wrapped.nr : paramIndex(fa, /^nr_pages$/, call);
  const nrE = ni >= 0 ? call.args[ni] : undefined;
  // (The address of one page pointer, `&pg` of `struct page *pg`, holds one page whatever
  // the count reads: `LOG_PAGES` that a macro makes 1. A larger count would overrun it.)
  const ga = stripNoise(g.arg);
  const single = ga.kind === 'un' && ga.op === '&' && stripNoise(ga.operand).kind === 'id';
  const one = !nrE || single || (stripNoise(nrE).kind === 'num' && (stripNoise(nrE) as { value: number | null }).value === 1) || constantOne(fa, stripNoise(nrE));
  const place = placeOf(fa, call.id);
  let countVar: string | null = null;
  let forwardAt: number | undefined;
  let ignored = false;
  if (place) {
    // A branch of `c ? gup(...) : -EFAULT` gives its value to what the whole expression
    // gives it to.
    let pi = place.parents.length - 1;
    while (pi >= 0 && isBranchOf(place.parents[pi], place.expr)) pi--;
    const parent = place.parents[pi];
    if (!parent) {
      if (place.node.ret) return null; // the count goes to the caller
      ignored = place.node.kind === 'stmt';
    } else if (parent.kind === 'assign' && parent.op === '=') {
      const l = stripNoise(parent.left);
      // Stored through a pointer or into a struct: the count is recorded for someone else.
      if (l.kind !== 'id') recorded = true;
      else {
        const fw = forwardedCount(fa, l.name, place.node);
        countVar = fw?.name ?? l.name;
        if (fw) forwardAt = fw.at;
        // (A local the count is stored in and that nothing ever reads: as good as dropped.)
        if (!fw && place.node.kind === 'stmt' && !fa.fn.params.includes(l.name) && !readAnywhere(fa.fn, l.name)) ignored = true;
      }
    } else if (parent.kind === 'assign') return null;
  }
  const head = /^[A-Za-z_]\w*/.exec(root)?.[0] ?? '';
  // (A file-scope array, `static struct page *pages[N]`, lives on after the function: what
  // it holds is the file's, released elsewhere, as a struct's array is.)
  const local = !/->|\./.test(root) && !fa.fn.params.includes(head) && (fa.fn.locals ?? []).includes(head);
  // (As the expression reads, without parentheses or casts: `(nr)` from a macro's expansion
  // and `(int)nr` are the `nr` the loops and releases name.)
  let nr = one || !nrE ? null : exprText(stripNoise(nrE));
  // (A cast or parentheses around the count read as what they wrap: `nr` for `(int)nr`.)
  let written = nr !== null && !call.via && call.argText[ni] ? unwrapArg(unwrapArg(call.argText[ni].replace(/\s+/g, ' ')).replace(/^\(\s*[A-Za-z_][\w ]*\)\s*(?=[A-Za-z_(])/, '')) : undefined;
  // `npg = gup(..., npg, ...)`: the count overwrites the request, so no later expression
  // names the requested count (a loop over npg is a loop over what was got). The request
  // keeps its text for the messages only.
  if (nr !== null && countVar === nr) { written ??= nr; nr = `\0${nr}`; }
  return { fa, call, fam: g.fam, root, nr, ...(written && written !== nr ? { nrText: written } : {}), countVar, ...(forwardAt !== undefined ? { forwardAt } : {}), ...(countVar === null ? { countName: freshName(fa.fn, ['ret', 'got', 'pinned', 'npinned']) } : {}), ignored, local, ...(recorded ? { recorded } : {}), ...(wrapped ? { via: wrapped.via } : {}) };
}

const predCache = new WeakMap<FunctionIR, number[][]>();
function predecessorsOf(fn: FunctionIR): number[][] {
  let p = predCache.get(fn);
  if (!p) predCache.set(fn, (p = predecessors(fn)));
  return p;
}

/** The call's CFG node and its parents, skipping wrappers that do not change the value. */
/** The value of `e` is call `id`'s result (the call, or a branch of `c ? x : y`). */
function yieldsCall(e: Expr, id: number): boolean {
  const x = stripNoise(e);
  if (x.kind === 'call') return x.call === id;
  return x.kind === 'cond' && (yieldsCall(x.whenTrue, id) || yieldsCall(x.whenFalse, id));
}

/** `e` is a `c ? x : y` with `inner` in x or y, not in c. */
function isBranchOf(e: Expr, inner: Expr): boolean {
  if (e.kind !== 'cond') return false;
  let inTest = false;
  walk(e.test, (x) => { if (x === inner) inTest = true; return !inTest; });
  return !inTest;
}

/** The first of `names` that no identifier of the function is. */
function freshName(fn: FunctionIR, names: string[]): string {
  const used = new Set<string>(fn.params);
  for (const n of fn.nodes) walk(n.expr, (x) => { if (x.kind === 'id') used.add(x.name); return true; });
  return names.find((n) => !used.has(n)) ?? `${names[0]}_${fn.name}`;
}

/** Calls a struct value of the function may be handed to without anything taking what it
 * holds: copies to and from user space or memory, and printing. */
const SCRATCH_USE = /^(?:__)?copy_(?:to|from)_user$|^mem(?:cpy|set|cmp|move)$|^sizeof$|^(?:pr_\w+|printk\w*|dev_(?:dbg|err|warn|info|notice)\w*|trace_\w+)$/;

/** `l` is a member of a struct value local to the function (`a.phys`, `a.x.y`) that is
 * never handed to any other call, returned or stored. */
function intoScratchStruct(fa: FunctionAnalysis, l: Expr): boolean {
  let x = stripNoise(l);
  while (x.kind === 'field' && !x.arrow) x = stripNoise(x.operand);
  if (x.kind !== 'id' || x === stripNoise(l) || !fa.fn.structLocals?.includes(x.name)) return false;
  const name = x.name;
  let ok = true;
  for (const n of fa.fn.nodes) {
    walk(n.expr, (y, parents) => {
      if (!ok) return false;
      if (y.kind !== 'id' || y.name !== name) return true;
      let i = parents.length - 1;
      // (Its members are read and written where it stands: `a.phys`.)
      if (parents[i]?.kind === 'field' && !(parents[i] as { arrow: boolean }).arrow) return true;
      if (parents[i]?.kind === 'un' && (parents[i] as { op: string }).op === '&') i--;
      const p = parents[i];
      if (p?.kind === 'call' && SCRATCH_USE.test(p.callee ?? '')) return true;
      if (p?.kind === 'other') return true;
      ok = false;
      return false;
    });
    if (n.ret && n.expr && mentionsId(n.expr, name)) ok = false;
    if (!ok) break;
  }
  return ok;
}

/** What a count kept in a struct member can be found doing wrong within the function. */
const MEMBER_COUNT_KINDS = new Set<LifecycleKind>(['errno-use', 'short-use', 'short-release', 'leak-free', 'over-release', 'negative-release', 'negative-passes']);

/** `cam->nr[frame] = gup(...)`: the count stored straight into a struct member (or an
 * element of one) whose access path names only identifiers the function never assigns.
 * The acquire of a copy of the function where that access path reads as one name, so that
 * its tests, loops and releases are followed as a local count's; unsigned when the member
 * (or its element type) is. Null for any other place. */
function memberCountAcquire(fa: FunctionAnalysis, a: PageAcquire): PageAcquire | null {
  if (a.via) return null;
  const place = placeOf(fa, a.call.id);
  let pi = place ? place.parents.length - 1 : -1;
  while (pi >= 0 && isBranchOf(place!.parents[pi], place!.expr)) pi--;
  const parent = pi >= 0 ? place!.parents[pi] : undefined;
  if (!parent || parent.kind !== 'assign' || parent.op !== '=') return null;
  const l = stripNoise(parent.left);
  if (l.kind !== 'field' && l.kind !== 'idx') return null;
  const ids: string[] = [];
  const path = (e: Expr): boolean => {
    const x = stripNoise(e);
    if (x.kind === 'id') { ids.push(x.name); return true; }
    if (x.kind === 'num') return true;
    if (x.kind === 'field') return path(x.operand);
    if (x.kind === 'idx') return path(x.operand) && path(x.index);
    return false;
  };
  if (!path(l) || !ids.length) return null;
  // (Set before the call only, `frame = io->frame;`, with the call in no loop: the path
  // names the same member from the call on.)
  const inLoop = loopsOf(fa).some((lp) => lp.body.has(place!.node.id));
  const assigned = new Set<string>();
  for (const n of fa.fn.nodes) {
    const before = !inLoop && n.line < a.call.span.line;
    walk(n.expr, (x) => {
      if (x.kind === 'assign') { const t = stripNoise(x.left); if (t.kind === 'id' && !(before && x.op === '=')) assigned.add(t.name); }
      if (x.kind === 'un' && /\+\+|--|&/.test(x.op)) { const t = stripNoise(x.operand); if (t.kind === 'id') assigned.add(t.name); }
      return true;
    });
  }
  if (ids.some((n) => assigned.has(n))) return null;
  const text = exprText(l);
  const rename = (e: Expr): Expr => {
    if ((e.kind === 'field' || e.kind === 'idx') && exprText(e) === text) return { kind: 'id', name: text };
    switch (e.kind) {
      case 'call': return { ...e, args: e.args.map(rename) };
      case 'un': return { ...e, operand: rename(e.operand) };
      case 'bin': case 'assign': return { ...e, left: rename(e.left), right: rename(e.right) };
      case 'field': return { ...e, operand: rename(e.operand) };
      case 'idx': return { ...e, operand: rename(e.operand), index: rename(e.index) };
      case 'cond': return { ...e, test: rename(e.test), whenTrue: rename(e.whenTrue), whenFalse: rename(e.whenFalse) };
      case 'seq': return { ...e, items: e.items.map(rename) };
      case 'other': return { ...e, subs: e.subs.map(rename) };
      default: return e;
    }
  };
  const widths = fa.fn.intWidths ?? {};
  const member = l.kind === 'field' ? `.${l.member}` : stripNoise(l.operand).kind === 'field' ? `.${(stripNoise(l.operand) as { member: string }).member}[]` : null;
  const unsigned = member !== null && (widths[member] ?? 0) > 0;
  const fn: FunctionIR = { ...fa.fn, nodes: fa.fn.nodes.map((n) => (n.expr ? { ...n, expr: rename(n.expr) } : n)), ...(unsigned ? { unsignedVars: [...(fa.fn.unsignedVars ?? []), text] } : {}) };
  const got = acquireOf({ ...fa, fn }, a.call);
  return got && got.countVar === text && !got.recorded ? got : null;
}

/** `ret = gup(...); nr = ret;` with nothing else reading ret: the count lives in nr (a
 * local assigned only there), and its tests, loops and releases name nr. When nr is
 * unsigned, that copy made an errno a huge count, which the unsigned count's checks then
 * see. Null when the count stays where the call put it. */
function forwardedCount(fa: FunctionAnalysis, r: string, at: CfgNode): { name: string; at: number } | null {
  if (at.succ.length !== 1 || at.succ[0] < 0) return null;
  const next = fa.fn.nodes[at.succ[0]];
  const e = next?.expr ? stripNoise(next.expr) : null;
  if (!e || next.kind !== 'stmt' || e.kind !== 'assign' || e.op !== '=') return null;
  const l = stripNoise(e.left);
  const v = stripNoise(e.right);
  if (l.kind !== 'id' || v.kind !== 'id' || v.name !== r || l.name === r || fa.fn.params.includes(l.name)) return null;
  // ret appears only where the call sets it and where it is copied; nr is set only there.
  let uses = 0;
  let sets = 0;
  for (const n of fa.fn.nodes) {
    walk(n.expr, (x) => {
      if (x.kind === 'id' && x.name === r) uses++;
      if (x.kind === 'assign') { const t = stripNoise(x.left); if (t.kind === 'id' && t.name === l.name) sets++; }
      if (x.kind === 'un' && /\+\+|--|&/.test(x.op) && stripNoise(x.operand).kind === 'id' && (stripNoise(x.operand) as { name: string }).name === l.name) sets++;
      return true;
    });
  }
  return uses === 2 && sets === 1 ? { name: l.name, at: next.id } : null;
}

function placeOf(fa: FunctionAnalysis, id: number): Place | null {
  let places = placeCache.get(fa.fn);
  if (!places) {
    // Every call of the function placed in one pass (a scan per call is quadratic).
    places = new Map();
    for (const node of fa.fn.nodes) {
      walk(node.expr, (e, parents) => {
        if (e.kind === 'call' && e.call !== undefined && !places!.has(e.call)) {
          places!.set(e.call, { node, expr: e, parents: parents.filter((x) => !(x.kind === 'seq' && x.items.length === 1) && !(x.kind === 'call' && /^(likely|unlikely)$/.test(x.callee ?? ''))) });
        }
        return true;
      });
    }
    placeCache.set(fa.fn, places);
  }
  return places.get(id) ?? null;
}
interface Place { node: CfgNode; expr: Expr; parents: Expr[] }
const placeCache = new WeakMap<FunctionIR, Map<number, Place>>();

/** A loop header (`for (i = 0; i < bound; i++)`, `while (i < bound)`), its body nodes and
 * the index it counts with. */
interface Loop { header: number; idx: string; bound: string; body: Set<number>; base: string }

/** A loop's body: the nodes reachable from the header's true edge without passing the
 * header, and reaching it back. */
function loopBody(fn: FunctionIR, preds: number[][], h: CfgNode): Set<number> {
  const fwd = new Set<number>();
  const st = [h.succ[0]];
  while (st.length) { const x = st.pop()!; if (x < 0 || x === h.id || fwd.has(x)) continue; fwd.add(x); st.push(...fn.nodes[x].succ); }
  const body = new Set<number>();
  const bk = [...preds[h.id]];
  while (bk.length) { const x = bk.pop()!; if (body.has(x) || x === h.id || !fwd.has(x)) continue; body.add(x); bk.push(...preds[x]); }
  return body;
}

function loopsOf(fa: FunctionAnalysis): Loop[] {
  const fn = fa.fn;
  const preds = predecessors(fn);
  const out: Loop[] = [];
  for (const n of fn.nodes) {
    if (n.kind !== 'branch' || !n.loop || !n.expr) continue;
    let c = stripNoise(n.expr);
    // `pages && i < nr`: the index test is the loop's bound.
    while (c.kind === 'bin' && c.op === '&&') c = stripNoise(c.right);
    // A decrementing index counts itself: `while (n > 0)`, `while (n)`, `while (n--)` (an
    // update in the IR, `+=` of an unknown amount),
    // `for (; i >= 0; i--)` (`put_page(pages[--n])` releases the n entries below it).
    const down = c.kind === 'id' ? c.name
      : c.kind === 'assign' && c.right.kind === 'num' && c.right.value === null && stripNoise(c.left).kind === 'id' ? (stripNoise(c.left) as { name: string }).name
      : c.kind === 'bin' && ['>', '>=', '!='].includes(c.op) && stripNoise(c.left).kind === 'id' && stripNoise(c.right).kind === 'num' && ((stripNoise(c.right) as { value: number }).value === 0 || (c.op === '>' && (stripNoise(c.right) as { value: number }).value === -1)) ? (stripNoise(c.left) as { name: string }).name
        : null;
    if (!down && (c.kind !== 'bin' || !['<', '!=', '<='].includes(c.op))) continue;
    const l = down ? { kind: 'id' as const, name: down } : stripNoise((c as Extract<Expr, { kind: 'bin' }>).left);
    if (l.kind !== 'id') continue;
    const body = loopBody(fn, preds, n);
    // (`i < npg - 1`: a bound a constant away from a count is as huge as the count when that
    // holds a negative errno in an unsigned variable.)
    if (down) { out.push({ header: n.id, idx: down, bound: down, body, base: down }); continue; }
    const r = stripNoise((c as Extract<Expr, { kind: 'bin' }>).right);
    const base = r.kind === 'bin' && (r.op === '-' || r.op === '+') && stripNoise(r.right).kind === 'num' ? exprText(stripNoise(r.left)) : exprText(r);
    out.push({ header: n.id, idx: l.name, bound: exprText(r), body, base });
  }
  return out;
}

/** Release helpers: functions that release the pages of one parameter, with the parameter
 * that counts them (`put_pages(pages, n)`), found by the same loop/release reading. */
class ReleaseHelpers {
  private cache = new Map<FunctionAnalysis, ReleaseHelperShape | null>();
  private freeCache = new Map<FunctionAnalysis, number>();
  constructor(private p: Program) {}

  /** The parameter a wrapper of kfree()/kvfree() frees, or -1: a function of the tree
   * (`static void big_free(void *p) { kvfree(p); }`) that frees the parameter and does
   * nothing else with it than test it, or a function-like macro of the file
   * (`#define big_free(p) kvfree(p)`, `#define big_free kvfree`). */
  freedParam(from: FunctionAnalysis, c: CallSite): number {
    if (!c.name || ARRAY_FREE.test(c.name)) return -1;
    const m = from.fn.macros?.[c.name];
    if (m) {
      if (!m.params) return ARRAY_FREE.test(m.value.trim()) ? 0 : -1;
      // (Also in a statement block, `do { kfree(p); (p) = NULL; } while (0)`: the free and
      // at most clearing the parameter.)
      const body = m.value.replace(/^\s*do\s*\{/, '').replace(/\}\s*while\s*\(\s*0\s*\)\s*;?\s*$/, '');
      const stmts = body.split(';').map((t) => t.trim()).filter(Boolean);
      let at = -1;
      for (const st of stmts) {
        const x = /^\(?\s*([A-Za-z_]\w*)\s*\(\s*\(?\s*([A-Za-z_]\w*)\s*\)?\s*\)\s*\)?$/.exec(st);
        if (x && ARRAY_FREE.test(x[1]) && at < 0) { at = m.params.indexOf(x[2]); continue; }
        if (/^\(?\s*[A-Za-z_]\w*\s*\)?\s*=\s*(?:NULL|0|\(\s*void\s*\*\s*\)\s*0)$/.test(st)) continue;
        return -1;
      }
      return at;
    }
    for (const d of this.p.resolve(from, c.name)) {
      if (d === from) continue;
      const i = this.freeSummary(d);
      if (i >= 0) return i;
    }
    return -1;
  }

  private freeSummary(fa: FunctionAnalysis): number {
    const hit = this.freeCache.get(fa);
    if (hit !== undefined) return hit;
    this.freeCache.set(fa, -1);
    let res = -1;
    fa.fn.params.forEach((n, pi) => {
      if (res >= 0) return;
      let frees = false, other = false;
      for (const node of fa.fn.nodes) {
        walk(node.expr, (x, parents) => {
          if (other) return false;
          if (x.kind !== 'id' || x.name !== n) return true;
          let call: Extract<Expr, { kind: 'call' }> | null = null;
          for (let j = parents.length - 1; j >= 0 && !call; j--) { const q = parents[j]; if (q.kind === 'call') call = q; }
          if (call) {
            const ai = call.args.findIndex((a) => stripNoise(a) === x);
            const cs = fa.fn.calls[call.call];
            if (ai >= 0 && call.callee && (ARRAY_FREE.test(call.callee) ? ai === 0 : cs && this.freedParam(fa, cs) === ai)) frees = true;
            else if (!call.callee || !(LOOKS_ONLY.test(call.callee) || /^(is_vmalloc_addr|IS_ERR|IS_ERR_OR_NULL|ZERO_OR_NULL_PTR)$/.test(call.callee))) other = true;
            return false;
          }
          const parent = parents[parents.length - 1];
          // Tested, or cleared (`p = NULL`): anything else (stored, returned) keeps it.
          if (!(node.kind === 'branch' || (parent && parent.kind === 'assign' && parent.left === x))) other = true;
          return false;
        });
        if (other) break;
      }
      if (frees && !other) res = pi;
    });
    this.freeCache.set(fa, res);
    return res;
  }

  of(from: FunctionAnalysis, c: CallSite): ReleaseHelperShape | null {
    if (!c.name || RELEASES.has(c.name)) return null;
    for (const d of this.p.resolve(from, c.name)) {
      if (d === from) continue;
      const s = this.summary(d);
      if (s) return s;
    }
    return null;
  }

  private summary(fa: FunctionAnalysis): ReleaseHelperShape | null {
    if (this.cache.has(fa)) return this.cache.get(fa)!;
    this.cache.set(fa, null);
    const ps = fa.fn.params;
    const loops = loopsOf(fa);
    let res: ReleaseHelperShape | null = null;
    for (const node of fa.fn.nodes) {
      eachCall(node.expr, (e) => {
        if (res || !e.callee) return;
        const r = releaseShape(fa, e, node.id, loops, this);
        if (!r) return;
        const pi = ps.indexOf(/^[A-Za-z_]\w*/.exec(r.root)?.[0] ?? '');
        const ci = ps.indexOf(r.count ?? '');
        // `while (n-- > 0) put_page(pages[n])`: the count parameter is the index itself.
        if (pi >= 0 && ci >= 0) res = { pages: pi, count: ci, ...(fa.fn.unsignedVars?.includes(ps[ci]) ? { unsigned: true } : {}) };
      });
      if (res) break;
    }
    this.cache.set(fa, res);
    return res;
  }
}

/** A release helper's shape: the index of its pages and count parameters, and whether the
 * count is declared unsigned (a negative errno is then a huge count). */
interface ReleaseHelperShape { pages: number; count: number; unsigned?: boolean }

function eachCall(e: Expr | null, f: (c: Extract<Expr, { kind: 'call' }>) => void): void {
  walk(e, (x) => { if (x.kind === 'call') f(x); return true; });
}

/** A release of pages: the array root and the count text (`pages[i]` in a loop over
 * `i < bound` counts `bound`; a decrementing index counts itself). */
function releaseShape(fa: FunctionAnalysis, e: Extract<Expr, { kind: 'call' }>, node: number, loops: Loop[], helpers: ReleaseHelpers | null): { root: string; count: string | null; fam?: Fam } | null {
  if (!e.callee) return null;
  const fam = RELEASES.get(e.callee);
  const call = fa.fn.calls[e.call];
  if (fam) {
    const a0 = e.args[0];
    if (!a0) return null;
    if (/^(unpin_user_pages\w*|release_pages)$/.test(e.callee)) {
      const root = rootOf(a0);
      return root ? { root, count: e.args[1] ? exprText(stripNoise(e.args[1])) : null, fam } : null;
    }
    // One page: an element of an array in a loop, a copy of one, or a page pointer.
    const el = elementOf(fa, a0, node);
    if (el) {
      const lp = innermostLoop(loops, node, el.idx);
      return { root: el.root, count: lp ? lp.bound : el.idx, fam };
    }
    const root = rootOf(a0);
    return root ? { root, count: '1', fam } : null;
  }
  if (helpers && call) {
    const h = helpers.of(fa, call);
    if (h && e.args[h.pages]) {
      const root = rootOf(e.args[h.pages]);
      return root ? { root, count: e.args[h.count] ? exprText(stripNoise(e.args[h.count])) : null } : null;
    }
  }
  return null;
}

/** `pages[i]`, or a local that was assigned `pages[i]` (element copy): the root and index. */
function elementOf(fa: FunctionAnalysis, e0: Expr, node: number): { root: string; idx: string } | null {
  const e = stripNoise(e0);
  if (e.kind === 'idx') {
    const i = stripNoise(e.index);
    const root = rootOf(e.operand);
    if (root && (i.kind === 'id' || i.kind === 'assign')) return { root, idx: i.kind === 'id' ? i.name : exprText(stripNoise(i.left)) };
    return null;
  }
  if (e.kind !== 'id') return null;
  for (const r of elementCopies(fa.fn).get(e.name) ?? []) {
    const hit = elementOf(fa, r, node);
    if (hit) return hit;
  }
  return null;
}

const copiesCache = new WeakMap<FunctionIR, Map<string, Expr[]>>();
/** Element copies of a function (`page = pages[i]`): each local and the element
 * expressions assigned to it, in source order; computed once per function. */
function elementCopies(fn: FunctionIR): Map<string, Expr[]> {
  let m = copiesCache.get(fn);
  if (m) return m;
  m = new Map();
  for (const n of fn.nodes) {
    walk(n.expr, (x) => {
      if (x.kind === 'assign' && x.op === '=') {
        const l = stripNoise(x.left);
        if (l.kind === 'id' && stripNoise(x.right).kind === 'idx') {
          const list = m!.get(l.name) ?? [];
          list.push(x.right);
          m!.set(l.name, list);
        }
      }
      return true;
    });
  }
  copiesCache.set(fn, m);
  return m;
}

function innermostLoop(loops: Loop[], node: number, idx: string): Loop | null {
  let best: Loop | null = null;
  for (const l of loops) if (l.idx === idx && l.body.has(node) && (!best || l.body.size < best.body.size)) best = l;
  return best;
}

/** A use of the pages (the array `root` of `fa`) by a DMA mapping or scatterlist call in
 * this function, or in a helper of the program the array is passed to (`build_sg(pages, n,
 * &sgl)` whose body calls sg_set_page() on that parameter's entries), two calls deep. */
/** A helper that fills its caller's array (a parameter: `drv_pin(mm, start, n, pages)`)
 * and returns: a caller that puts that array into a DMA mapping or a scatterlist after the
 * call (in itself, or in a helper it passes the array to), the first such caller found. */
function callerDmaUse(p: Program, fa: FunctionAnalysis, root: string): { use: CallSite; inner?: { fa: FunctionAnalysis; call: CallSite }; caller: { fa: FunctionAnalysis; call: CallSite } } | null {
  const pi = fa.fn.params.indexOf(root);
  if (pi < 0) return null;
  for (const st of p.callersOf(fa)) {
    if (st.caller === fa) continue;
    const arg = st.call.args[pi];
    const r = arg ? rootOf(arg) : null;
    if (!r) continue;
    const found = dmaUseOf(p, st.caller, r, 1);
    if (found && found.use.span.line > st.call.span.line) return { ...found, caller: { fa: st.caller, call: st.call } };
  }
  return null;
}

function dmaUseOf(p: Program, fa: FunctionAnalysis, root: string, depth = 0): { use: CallSite; inner?: { fa: FunctionAnalysis; call: CallSite } } | null {
  for (const node of fa.fn.nodes) {
    let hit: CallSite | null = null;
    eachCall(node.expr, (e) => {
      if (hit || !e.callee || !DMA_USE.test(e.callee)) return;
      for (const arg of e.args) {
        const el = elementOf(fa, arg, node.id);
        const r = el?.root ?? rootOf(arg);
        if (r === root) { hit = fa.fn.calls[e.call]; return; }
      }
    });
    if (hit) return { use: hit };
  }
  if (depth >= 2) return null;
  for (const c of fa.fn.calls) {
    if (!c.name || DMA_USE.test(c.name)) continue;
    // (The array itself, a local or a struct's field: `ub->pages`.)
    const i = c.args.findIndex((x) => { const y = stripNoise(x); return (y.kind === 'id' || y.kind === 'field') && exprText(y) === root; });
    if (i < 0) continue;
    const defs = p.resolve(fa, c.name).filter((d) => d !== fa);
    if (defs.length !== 1 || i >= defs[0].fn.params.length) continue;
    const down = dmaUseOf(p, defs[0], defs[0].fn.params[i], depth + 1);
    if (down) return { use: c, inner: down.inner ?? { fa: defs[0], call: down.use } };
  }
  return null;
}

/** The abstract state of one path: what the count may be, whether references are still
 * held by this function, and the steps that got there (for the code flow). */
/** What a path knows of a local set to a constant after the call (`ret = -EINVAL;`): its
 * value, or only its sign for an errno. */
type Known = number | 'neg' | 'pos';

interface PathState { k: number; held: boolean; steps: LifecycleStep[]; /** Decisions on the undecided #if conditions this path took (`atom=0|1` lines, ppcond.ts): a later test of the same condition takes the same arm. */ pp?: string; /** Some entries were released (one entry, or a release loop left early): the others are still held. */ partial?: boolean; /** Locals set to a constant on this path after the call. */ vals?: Record<string, Known>; /** The count variable was overwritten: its later tests say nothing about this call. */ lost?: boolean; /** Variables set on a path that depended on the count (`if (ret != n) err = -EFAULT`). */ /** A later branch tested such a variable: the path may be infeasible. */ unsure?: boolean; /** The pages went into a table built by a call whose status is in this variable (`err = sg_alloc_table_from_pages(...)`): handed on once it succeeded, still held here if it failed. */ pending?: string; /** The call fills the array from an offset (`all + done`) in a loop: entries of earlier rounds, before that counter, hold references too. */ prior?: string; /** The path advanced that counter after the call: this call's entries are among those below it. */ advanced?: boolean; /** One page: the count was tested only against 0 (`if (!ret)`), so an errno may be on this path with the page unset. */ zeroTested?: boolean; /** One page whose call's result was dropped (with zeroTested: nothing tests it). */ ignoredOne?: boolean; /** The requested count's variable was set to the count (`nr = ret`) on a path where the count may be an errno: that variable holds it now. */ countAlias?: string; /** A loop up to the count entered on a path of the full count (its header node): its exit is taken only after a round. */ entered?: number; /** Locals this path set to a constant after the call (kept when they change again): no longer correlated with the count. */ reset?: string[] }

class AcquireFlow {
  private out: LifecycleFinding[] = [];
  private seen = new Set<string>();
  /** Variables set in the arms of a test of the count (`if (ret != n) err = -EFAULT;`):
   * a later test of one of them is correlated with the count, which paths here ignore. */
  private corr: string[] = [];
  /** Locals computed from the pages (`pfn = page_to_pfn(page)`): handing one on hands on
   * the reference (memory_failure(pfn, MF_COUNT_INCREASED)). */
  private derived: string[] = [];
  /** Locals whose struct took the array before the call (see holderLocals). */
  private holders: string[] = [];
  /** Locals holding the page's kernel mapping (see mappedLocals). */
  private mapped: string[] = [];
  /** Counters advanced by the requested count (`done += nr`, `done = nr`): they count the
   * calls that completed, so a release by one of them leaves a short count of this call held. */
  private progress: string[] = [];
  /** The countAlias of the state afterNode() is applying (refine() reads it). */
  private curAlias: string | undefined;
  /** Work done by run(): CFG nodes scanned and dataflow steps. */
  work = 0;
  /** The #if atoms more than one undecided test of the function reads (ppcond.ts). */
  private tracked: ReadonlySet<string> = new Set();
  constructor(private a: PageAcquire, private loops: Loop[], private helpers: ReleaseHelpers, private ownerOf: (root: string) => FunctionAnalysis | null) {}

  run(): LifecycleFinding[] {
    const { fa, call } = this.a;
    const fn = fa.fn;
    if (this.a.ignored && this.a.nr) {
      this.report('ignored', [this.step(call.span.line, `${call.name}() fills ${this.a.root}; its count is dropped`, call)]);
      return this.out;
    }
    // (One page whose result is dropped: any path may have an errno, and a use of the page
    // is a use of what the call may not have set: errno-use, below.)
    const unchecked = this.a.ignored && !this.a.nr;
    const start = placeOf(fa, call.id);
    if (!start) return this.out;
    this.corr = this.countCorrelated();
    this.derived = this.derivedLocals();
    this.holders = this.holderLocals();
    // (The struct whose field is the array, `ci` of `ci->pages`: handed to a call, its owner
    // may release the pages through it.)
    const base = /->|\./.test(this.a.root) ? /^[A-Za-z_]\w*/.exec(this.a.root)?.[0] : undefined;
    if (base && !this.holders.includes(base)) this.holders.push(base);
    this.mapped = this.mappedLocals();
    this.progress = this.progressCounters();
    this.work = 3 * fn.nodes.length;
    const inSets: Map<string, PathState>[] = fn.nodes.map(() => new Map());
    const work: number[] = [];
    const add = (n: number, s: PathState) => {
      if (n < 0) return;
      const key = `${s.k}/${s.held}/${s.lost ? 1 : 0}/${s.unsure ? 1 : 0}/${s.partial ? 1 : 0}/${s.pending ?? ''}/${s.prior ?? ''}${s.advanced ? '+' : ''}/${s.vals ? JSON.stringify(s.vals) : ''}/${s.pp ?? ''}/${s.zeroTested ? 'z' : ''}${s.ignoredOne ? 'i' : ''}/${s.countAlias ?? ''}/${s.entered ?? ''}/${s.reset?.join(',') ?? ''}/${s.steps.map((x) => x.line).join(',')}`;
      const m = inSets[n];
      if (m.has(key) || m.size >= 24) return;
      m.set(key, s);
      work.push(n);
    };
    // The GUP node itself: the state after the call, then its own branch (if it is one).
    const prior = this.chunkCounter(start.node.id);
    this.tracked = trackedAtoms(fn.nodes.filter((n) => n.kind === 'branch' && n.pp).map((n) => n.pp!));
    const pp0 = this.tracked.size ? armsAround(fn, call.span.line, this.tracked) : '';
    this.afterNode(start.node, { k: ALL, held: true, ...(unchecked ? { zeroTested: true, ignoredOne: true } : {}), ...(prior ? { prior } : {}), ...(pp0 ? { pp: pp0 } : {}), steps: [this.step(call.span.line, `${call.name}() takes ${this.a.fam === 'pin' ? 'pins (FOLL_PIN)' : 'references (FOLL_GET)'} on ${this.a.nr ? `up to ${this.a.nrText ?? this.a.nr} entries of ` : ''}${this.a.root}`, call)] }, add, true);
    let steps = 0;
    const done = new Set<string>();
    while (work.length && steps++ < 4000) {
      const n = work.pop()!;
      for (const [key, s] of inSets[n]) {
        const dk = `${n}:${key}`;
        if (done.has(dk)) continue;
        done.add(dk);
        if (n === start.node.id) continue; // the call runs again: a new acquisition
        this.afterNode(fn.nodes[n], s, add, false);
      }
    }
    this.work += steps;
    return this.out;
  }

  /** `gup(..., all + done)` in a loop that advances `done`: the counter of the entries that
   * earlier rounds filled, or null. */
  private chunkCounter(startNode: number): string | null {
    const { fa, call, root } = this.a;
    let counter: string | null = null;
    for (const t of call.argText) {
      const m = /^([A-Za-z_][\w>.-]*)\s*\+\s*([A-Za-z_]\w*)$/.exec(t) ?? /^&\s*([A-Za-z_][\w>.-]*)\[\s*([A-Za-z_]\w*)\s*\]$/.exec(t);
      if (m && m[1] === root) counter = m[2];
    }
    if (!counter) return null;
    let advanced = false;
    for (const n of fa.fn.nodes) walk(n.expr, (x) => { if (x.kind === 'assign' && x.op === '+=' && stripNoise(x.left).kind === 'id' && (stripNoise(x.left) as { name: string }).name === counter) advanced = true; return true; });
    if (!advanced) return null;
    // The call's node lies on a cycle of the graph (a loop around it).
    const seen = new Set<number>();
    const stack = [...fa.fn.nodes[startNode].succ];
    while (stack.length) {
      const n = stack.pop()!;
      if (n < 0 || seen.has(n)) continue;
      if (n === startNode) return counter;
      seen.add(n);
      stack.push(...fa.fn.nodes[n].succ);
    }
    return null;
  }

  private progressCounters(): string[] {
    const nr = this.a.nr;
    if (nr === null) return [];
    const out = new Set<string>();
    for (const n of this.a.fa.fn.nodes) {
      walk(n.expr, (x) => {
        if (x.kind !== 'assign') return true;
        const l = stripNoise(x.left), r = stripNoise(x.right);
        if (l.kind !== 'id' || l.name === nr || l.name === this.a.countVar) return true;
        const step = x.op === '+=' || x.op === '=' ? exprText(r) === nr
          : false;
        const sum = x.op === '=' && r.kind === 'bin' && r.op === '+' && ((exprText(stripNoise(r.left)) === l.name && exprText(stripNoise(r.right)) === nr) || (exprText(stripNoise(r.right)) === l.name && exprText(stripNoise(r.left)) === nr));
        if (step || sum) out.add(l.name);
        return true;
      });
    }
    return [...out];
  }

  /** Edges that leave a loop's body other than through its header (a goto, break or return
   * inside it), except the test of an entry for NULL (`if (!pages[i]) break;`: the entries
   * after it were never filled). */
  private earlyExits(lp: Loop, rel: CallSite): { from: number; to: number }[] {
    const fn = this.a.fa.fn;
    const out: { from: number; to: number }[] = [];
    // The loop proper (what reaches a back edge: the header dominates its source), not what
    // an enclosing loop brings back to the header; the release must be in it.
    const body = naturalBody(fn, lp.header);
    if (![...body].some((n) => callsIn(fn.nodes[n].expr).includes(rel.id))) return out;
    for (const n of body) {
      const node = fn.nodes[n];
      for (const t of node.succ) {
        if (t < 0 || t === lp.header || body.has(t)) continue;
        if (node.kind === 'branch' && node.expr && this.nullTestOfEntry(node.expr, n)) continue;
        out.push({ from: n, to: t });
      }
    }
    return out;
  }

  private nullTestOfEntry(c0: Expr, node: number): boolean {
    let c = stripNoise(c0);
    if (c.kind === 'un' && c.op === '!') c = stripNoise(c.operand);
    else if (c.kind === 'bin' && (c.op === '==' || c.op === '!=')) {
      const r = stripNoise(c.right);
      if (!(r.kind === 'null' || (r.kind === 'num' && r.value === 0))) return false;
      c = stripNoise(c.left);
    }
    return elementOf(this.a.fa, c, node)?.root === this.a.root;
  }

  /** Locals given the page's kernel mapping (`kaddr = kmap(page)`). */
  private mappedLocals(): string[] {
    const out = new Set<string>();
    for (const n of this.a.fa.fn.nodes) {
      walk(n.expr, (x) => {
        if (x.kind === 'assign' && x.op === '=' && stripNoise(x.left).kind === 'id' && MAPPING.test(calleeOf(x.right)) && rootOf(x.right) === this.a.root) out.add((stripNoise(x.left) as { name: string }).name);
        return true;
      });
    }
    return [...out];
  }

  /** Locals (struct pointers) a field of which is given the array itself before the call
   * (`info->pages = pages;`): the struct holds the array from then on. */
  private holderLocals(): string[] {
    const out = new Set<string>();
    const a = this.a;
    const callLine = a.call.span.line;
    for (const n of a.fa.fn.nodes) {
      if (n.line >= callLine) continue;
      walk(n.expr, (x) => {
        if (x.kind !== 'assign' || x.op !== '=') return true;
        const l = stripNoise(x.left);
        const r = stripNoise(x.right);
        const h = baseId(l);
        if (l.kind === 'field' && r.kind === 'id' && r.name === a.root && h && h !== a.root && h !== a.countVar) out.add(h);
        return true;
      });
    }
    return [...out];
  }

  private derivedLocals(): string[] {
    const out = new Set<string>();
    const a = this.a;
    for (const n of a.fa.fn.nodes) {
      walk(n.expr, (x) => {
        if (x.kind !== 'assign' || x.op !== '=') return true;
        const l = stripNoise(x.left);
        const r = stripNoise(x.right);
        if (l.kind === 'id' && l.name !== a.root && l.name !== a.countVar && r.kind === 'call' && (mentionsElement(r, a.root) || mentionsId(r, a.root)) && !elementOf(a.fa, r, n.id)) out.add(l.name);
        return true;
      });
    }
    return [...out];
  }

  private countCorrelated(): string[] {
    const fn = this.a.fa.fn;
    const out = new Set<string>();
    const r = this.a.countVar;
    for (const n of fn.nodes) {
      if (n.kind !== 'branch' || !n.expr) continue;
      const tests = (r && mentionsId(n.expr, r)) || callsIn(n.expr).includes(this.a.call.id);
      if (!tests) continue;
      for (const first of n.succ) {
        let cur = first;
        for (let i = 0; i < 4 && cur >= 0; i++) {
          const x = fn.nodes[cur];
          if (x.kind === 'branch') break;
          // (A call's result, `ret = sg_alloc_table(...)`, says what that call did, not
          // which arm of the count's test ran; the requested count rewritten in an arm,
          // `nr_pages = ret`, ends the paths through it: see storeEffects.)
          walk(x.expr, (e) => { if (e.kind === 'assign') { const l = stripNoise(e.left); if (l.kind === 'id' && l.name !== r && l.name !== this.a.nr && stripNoise(e.right).kind !== 'call') out.add(l.name); } return true; });
          if (x.succ.length !== 1) break;
          cur = x.succ[0];
        }
      }
    }
    // Status variables set to a constant anywhere (`ret = -EINVAL; break;` in a check loop,
    // then `if (ret)`): their tests are correlated with paths this dataflow does not split.
    for (const n of fn.nodes) {
      walk(n.expr, (e) => {
        if (e.kind === 'assign' && e.op === '=') {
          const l = stripNoise(e.left), v = stripNoise(e.right);
          const constant = v.kind === 'num' || (v.kind === 'un' && v.op === '-') || (v.kind === 'id' && /^E[A-Z0-9]+$/.test(v.name));
          // (The requested count is no status flag: `npages = 0;` before it is computed.)
          if (l.kind === 'id' && l.name !== r && l.name !== this.a.nr && constant && !this.loops.some((lp) => lp.idx === l.name)) out.add(l.name);
        }
        return true;
      });
    }
    // Conditions that guard the call itself (`if (y == ny) uv = gup(...)`): testing them
    // again later is correlated with whether the call ran.
    // One backward walk from the call finds every node that can reach it (linear in the
    // function), instead of a forward walk from each arm of each branch (cubic overall).
    const site = placeOf(this.a.fa, this.a.call.id)?.node.id ?? -1;
    const canReach = new Set<number>();
    if (site >= 0) {
      const preds = predecessorsOf(fn);
      const st = [site];
      while (st.length) { const x = st.pop()!; if (canReach.has(x)) continue; canReach.add(x); for (const q of preds[x]) st.push(q); }
    }
    // (A guard is met before the call: reachable from the entry without passing it. A test
    // in a loop after the call, `if (strict) goto unwind;`, reaches the next round's call
    // through the back edge, but no path meets it before the first call.)
    const before = new Set<number>();
    if (site >= 0) {
      const st = [0];
      while (st.length) { const x = st.pop()!; if (x < 0 || x === site || before.has(x)) continue; before.add(x); for (const q of fn.nodes[x].succ) st.push(q); }
    }
    for (const n of fn.nodes) {
      if (n.kind !== 'branch' || n.loop || !n.expr || n.id === site || n.succ.length < 2 || !before.has(n.id)) continue;
      const t = n.succ[0] >= 0 && canReach.has(n.succ[0]), f = n.succ[1] >= 0 && canReach.has(n.succ[1]);
      if (t !== f) walk(n.expr, (e) => {
        if (e.kind === 'id' || e.kind === 'field') {
          // A whole name (`vsg->pages`), never its base (`vsg`), which other tests mention too.
          // (Nor the requested count: a later test of it is the test of the count itself,
          // `if (gup(.., half, ..) != half)` twice in a row.)
          if (exprText(e) !== r && exprText(e) !== this.a.root && exprText(e) !== this.a.nr) out.add(exprText(e));
          return false;
        }
        return e.kind !== 'call';
      });
    }
    return [...out];
  }

  private step(line: number, what: string, c?: CallSite): LifecycleStep {
    return c ? { fa: this.a.fa, line: c.callSpan.line, col: c.callSpan.col, endCol: c.callSpan.endLine === c.callSpan.line ? c.callSpan.endCol : undefined, what } : { fa: this.a.fa, line, what };
  }

  private report(kind: LifecycleKind, path: LifecycleStep[], earlier?: string, full?: boolean, partial?: boolean): void {
    const last = path[path.length - 1];
    const key = `${kind}:${last.line}`;
    if (this.seen.has(key)) return;
    // One finding per kind and acquire: the first path found tells the story.
    if ([...this.seen].some((k) => k.startsWith(`${kind}:`))) return;
    this.seen.add(key);
    this.out.push({ kind, acq: this.a, path, siblings: [], ...(earlier ? { earlier } : {}), ...(full ? { full } : {}), ...(partial ? { partial } : {}) });
  }

  /** Apply one node to a path state and pass the result to the successors. */
  private afterNode(node: CfgNode, s0: PathState, add: (n: number, s: PathState) => void, isStart: boolean): void {
    let s: PathState | null = s0;
    this.curAlias = s0.countAlias;
    // A loop that releases the entries: the release happens whether or not the body runs
    // (its exit edge must not count as a path that kept them).
    const lp = !isStart && node.kind === 'branch' ? this.loops.find((l) => l.header === node.id) : undefined;
    if (lp && s.held) {
      const rel = this.releaseIn(lp);
      // A loop releasing by the counter of the rounds before the path advanced it past this
      // call (`if (bad) goto unwind; ... count++;`): the earlier rounds go back, the entries
      // this call filled stay held.
      if (rel && s.prior && lp.bound === s.prior && !s.advanced && s.k & (S | F) && !s.unsure) {
        add(node.succ[1], { ...s, prior: undefined, partial: true, steps: [...s.steps, this.step(rel.span.line, `${rel.name}() in the loop over ${lp.bound} releases the entries of earlier rounds; the ${this.a.nr ? 'entries' : 'entry'} this call filled ${this.a.nr ? 'are' : 'is'} above ${lp.bound} and still held`, rel)] });
        return;
      }
      // (A loop up to the variable that took the count, `nr = ret`: an errno there is a
      // negative bound, and a signed loop runs no round.)
      if (rel && s.countAlias && lp.bound === s.countAlias) return;
      if (rel) {
        // A loop up to the count, kept in an unsigned variable, on a path where the call may
        // have failed: the negative errno is a huge bound.
        if (lp.base === this.a.countVar && !s.lost && s.k & E && this.a.fa.fn.unsignedVars?.includes(lp.base)) {
          this.report('negative-release', [...s.steps, this.step(rel.span.line, `${rel.name}() in the loop over ${lp.bound} releases up to ${lp.bound}, and ${lp.base} is unsigned: a negative errno is a huge count here`, rel)]);
        }
        if (this.a.nr !== null && lp.bound === this.a.nr && s.k & W && !(s.k & S) && !s.unsure) {
          this.report('negative-passes', [...s.steps, this.step(rel.span.line, `${rel.name}() in the loop over ${lp.bound} releases all ${lp.bound} entries of ${this.a.root}, none of them set after an error`, rel)]);
        } else if (this.a.nr !== null && lp.bound === this.a.nr && s.k & (E | S)) {
          this.report('over-release', [...s.steps, this.step(rel.span.line, s.k === E ? `${rel.name}() in the loop over ${lp.bound} entries releases all of them after an error, none of them set` : `${rel.name}() in the loop over ${lp.bound} entries releases all of them, unset ones included`, rel)]);
        }
        // Released by a counter of the calls that completed: a short count of this one
        // is not among them.
        if (this.progress.includes(lp.bound) && s.k & S) {
          add(node.succ[1], { ...s, k: s.k & (E | S), steps: [...s.steps, this.step(rel.span.line, `${rel.name}() in the loop over ${lp.bound} releases the entries of the calls that completed, not a short count of this one`, rel)] });
          return;
        }
        // A goto, break or return out of the body: the entries not yet released are held.
        for (const x of this.earlyExits(lp, rel)) {
          add(x.to, { ...s, partial: true, steps: [...s.steps, { fa: this.a.fa, line: this.a.fa.fn.nodes[x.from].line, what: `leaves the loop releasing ${this.a.root} before its end: the entries not yet released are still held` }] });
        }
        return;
      }
      const body = this.bodyUse(lp);
      // A loop up to an unsigned count that reads or hands on the entries, on a path where
      // the call may have failed: it walks a huge number of them.
      if (body && lp.base === this.a.countVar && !s.lost && s.k & E && this.a.fa.fn.unsignedVars?.includes(lp.base)) {
        this.report('negative-release', [...s.steps, { fa: this.a.fa, line: node.line, what: `the loop over ${lp.bound} walks ${this.a.root} up to ${lp.bound}, and ${lp.base} is unsigned: a negative errno is a huge count here` }]);
        return;
      }
      if (body === 'stored') return;
      if (body && this.a.nr !== null && lp.bound === this.a.nr && s.k & W && !s.unsure && !s.lost) {
        this.report('negative-passes', [...s.steps, { fa: this.a.fa, line: node.line, what: `the loop over ${this.a.nrText ?? this.a.nr} entries walks ${this.a.root}, none of them set after an error` }]);
        // (The path of a real full count goes on: its references still need an owner.)
        if (!(s.k & F) || body !== 'read') return;
        s = { ...s, k: F };
      }
      if (body === 'read' && this.a.nr !== null && lp.bound === this.a.nr && s.k & S) {
        this.report('short-use', [...s.steps, { fa: this.a.fa, line: node.line, what: `the loop over ${lp.bound} entries reads ${this.a.root}` }]);
        return;
      }
      // A loop up to the count (or nr) on a path of the full count runs its body at least
      // once: the way past it without a round is no path (`for (i = 0; i < n; i++)
      // sg_set_page(&t->sgl[i], pages[i], ...)` hands every entry on).
      const ca = this.a.countVar;
      if (body && s.k === F && !s.unsure && s.entered !== node.id && (lp.bound === this.a.nr || (ca && (lp.bound === ca || lp.base === ca)))) {
        add(node.succ[0], { ...s, entered: node.id });
        return;
      }
    }
    // A table built from the pages, its status not tested yet: the test decides whether
    // the table holds them (success: handed on) or the array still does (failure).
    if (s.pending !== undefined && !isStart) {
      const edge = node.kind === 'branch' && node.expr ? statusFailureEdge(node.expr, s.pending) : null;
      if (edge === null) return; // used otherwise first: taken as handed on
      const back = { ...s, pending: undefined, steps: [...s.steps, { fa: this.a.fa, line: node.line, what: `${exprText(node.expr!)}: the table was not built on this path, ${this.a.root} still holds the references` }] };
      add(node.succ[edge], back);
      return;
    }
    if (node.id === this.a.forwardAt && !isStart) { for (const n of node.succ) add(n, s); return; }
    if (s.held && !isStart) s = this.effects(node, s);
    else if (s.held && isStart) s = this.effects(node, s, this.a.call.id);
    if (!s) return;
    // A test of an undecided #if condition this path decided already: the same arm.
    if (node.kind === 'branch' && node.pp && this.tracked.size) {
      const known = s.pp ? (atom: string) => { const d = s!.pp!.split('\n').find((x) => x.slice(0, -2) === atom); return d ? +d.slice(-1) : undefined; } : () => undefined;
      const outs = ppOutcomes(node.pp, this.tracked, known);
      if (outs) {
        for (const o of outs) add(node.succ[o.arm], o.set.length ? { ...s, pp: o.set.reduce((q, [at, v]) => (q ? `${q}\n${at}=${v}` : `${at}=${v}`), s.pp ?? '') } : s);
        return;
      }
    }
    if (node.kind === 'branch' && node.expr && s.held) {
      // A test of locals this path set to a constant (`ret = -EINVAL; goto out; ... out: if (ret)`)
      // takes the arm their values decide.
      const d = s.vals ? decide(node.expr, s.vals) : null;
      if (d !== null) { add(node.succ[d ? 0 : 1], s); return; }
      const [t, f] = this.refine(node.expr, s.k, s.lost);
      if (t === null) { return; } // the count is looked at in a way we do not model: handled
      // (The call's own arguments, `pages + done`, say nothing about a later path.)
      // A counter of the calls that completed, tested by a loop over it (`while (done)
      // put_page(pages[--done])`) or before releasing by it (`if (done) release_pages(pages,
      // done)`), holds whatever this call got: its test says nothing about this call's path.
      // (Only the variable's own value: an argument of a call, `put_user(status, p)`,
      // `copy_to_user(u, &v, n)`, is tested for what that call did.)
      // (Not one the path set to a constant since the call, `for (i = 1; ...)`: it no longer
      // holds what the count made it.)
      if (this.corr.some((v) => mentionsValue(node.expr, v, this.a.call.id) && !this.progress.includes(v) && !s!.reset?.includes(v))) s = { ...s, unsure: true };
      const cv = this.a.countVar;
      const why = () => (cv && !this.a.fa.fn.unsignedVars?.includes(cv) ? `: ${cv} is signed and ${this.a.nrText ?? this.a.nr} unsigned, so a negative errno converts to a huge count and passes as a full count` : `: ${cv} is unsigned, so a negative errno passes it as a full count`);
      const note = (k: number, to: string) => k === s!.k ? s!.steps : [...s!.steps, { fa: this.a.fa, line: node.line, what: `${exprText(node.expr!)} is ${to} here${k & W && !(s!.k & W) ? why() : k === E ? ' (nothing held)' : k & S ? ' (a short count goes this way)' : ''}` }];
      // One page, its count tested only against 0 (`if (!ret)`, `ret == 0`, `if (ret)`): a
      // negative errno goes the non-zero way, with the page unset. A test of the page
      // pointer itself (`if (pg)`) says whether it was set.
      if (this.a.nr === null && !s.lost) {
        const zt = this.zeroTest(node.expr);
        if (zt !== null) {
          const z = (k: number, to: string): PathState => ({ ...s!, k, zeroTested: true, steps: [...s!.steps, { fa: this.a.fa, line: node.line, what: `${exprText(node.expr!)} is ${to} here: it tests ${this.a.countVar ?? 'the count'} only against 0, and a negative errno goes this way` }] });
          if (t) add(node.succ[0], zt === 0 && t & E ? z(t, 'true') : { ...s, k: t, steps: note(t, 'true') });
          if (f) add(node.succ[1], zt === 1 && f & E ? z(f, 'false') : { ...s, k: f, steps: note(f, 'false') });
          return;
        }
        if (s.zeroTested && mentionsId(node.expr, this.a.root)) s = { ...s, zeroTested: undefined };
      }
      if (t) add(node.succ[0], { ...s, k: t, steps: note(t, 'true') });
      if (f) add(node.succ[1], { ...s, k: f, steps: note(f, 'false') });
      return;
    }
    if (node.kind === 'exit' || node.ret || node.succ.every((x) => x < 0)) { this.atExit(node, s); if (node.kind === 'exit' || node.ret) return; }
    for (const n of node.succ) add(n, s);
  }

  /** Uses, releases, frees and ownership changes in a node. Returns null when this path
   * stops mattering (released, owned, or the count is handled). */
  private effects(node: CfgNode, s: PathState, skipUpTo?: number): PathState | null {
    const a = this.a;
    const fa = a.fa;
    let state: PathState | null = s;
    const r = s.lost ? null : a.countVar;
    // The count itself handed to a release that takes it as unsigned (unpin_user_pages():
    // npages is unsigned long) on a path where it may still be a negative errno.
    if ((r || s.countAlias) && s.k & E && node.kind !== 'branch') {
      let neg: Extract<Expr, { kind: 'call' }> | null = null;
      eachCall(node.expr, (e) => {
        if (neg || !e.callee) return;
        if (UNSIGNED_COUNT_RELEASE.test(e.callee) && e.args.some((x) => (!!r && exprText(stripNoise(x)) === r) || (!!s.countAlias && exprText(stripNoise(x)) === s.countAlias)) && e.args[0] && rootOf(e.args[0]) === a.root) { neg = e; return; }
        // A release helper whose count parameter is unsigned (`static void drv_put(struct
        // page **p, unsigned int n)`): it loops over the errno as a huge count.
        const hc = fa.fn.calls[e.call];
        const h = hc && this.helpers ? this.helpers.of(fa, hc) : null;
        if (h?.unsigned && e.args[h.count] && exprText(stripNoise(e.args[h.count])) === r && e.args[h.pages] && rootOf(e.args[h.pages]) === a.root) neg = e;
      });
      const c = neg ? fa.fn.calls[(neg as Extract<Expr, { kind: 'call' }>).call] : undefined;
      if (c) {
        const v = (r && neg && (neg as Extract<Expr, { kind: 'call' }>).args.some((x) => exprText(stripNoise(x)) === r) ? r : s.countAlias) ?? '';
        const unsigned = fa.fn.unsignedVars?.includes(v);
        this.report('negative-release', [...s.steps, this.step(c.span.line, unsigned ? `${c.name}() gets ${v}, which is unsigned: a negative errno is a huge count here` : `${c.name}() gets ${v}, which may still be a negative errno here`, c)]);
        return null;
      }
    }
    // The count variable read for anything but an error test: the code knows the count.
    // Not when it is unsigned and may hold an errno (`sg_init_table(sgl, npg)` after only
    // `npg == 0` was tested): the path goes on to what the huge count does to the entries,
    // but says nothing more about leaks (the count went somewhere).
    // (A returned conditional that tests the count, `return got < 0 ? got : -EFAULT;`, is
    // left to the return: each arm's side of the count decides, notHandedOn().)
    // (`nr = ret` where ret may still be a negative errno: nr holds the errno there, and a
    // release of nr entries gets it. The other sides of the count end here: the requested
    // count rewritten names what the code knows it got, see storeEffects.)
    if (r && a.nr !== null && state.k & E && !a.fa.fn.unsignedVars?.includes(a.nr) && assignsCount(node.expr, a.nr, r)) {
      return { ...state, k: E, countAlias: a.nr, steps: [...state.steps, { fa, line: node.line, what: `${a.nr} = ${r}: ${a.nr} holds the count, which may be a negative errno here` }] };
    }
    const splitReturn = node.ret && node.expr && this.splitsCount(stripNoise(node.expr), state.k, !!state.lost);
    // (On a path of the full count only, the count says nothing the path does not know: all
    // nr entries hold references, and only a release, a store or a hand-over of the array
    // ends it. `sgl = kmalloc_array(n, ...)` after `n == nr` leaves them to be released.)
    const fullOnly = state.k === F && !state.unsure;
    // (But the count kept in a struct, `obj->nents = n`: whoever owns that struct knows how
    // many entries hold references, and releases them.)
    if (r && fullOnly && node.kind !== 'branch' && storesCountOutside(node.expr, r)) return null;
    // (On a path where the count can only be an errno, `ret = pinned;` before a jump to the
    // cleanup keeps the errno to return: nothing is held, and a release by the count further
    // on still gets the errno.)
    if (r && node.kind !== 'branch' && !splitReturn && !fullOnly && !(state.k === E && copiesCount(node.expr, r)) && readsCount(node.expr, r, a.call.id)) {
      if (!(state.k & E && a.fa.fn.unsignedVars?.includes(r))) return null;
      if (!state.unsure) state = { ...state, unsure: true };
    }
    eachCall(node.expr, (e) => {
      if (state && e.call !== skipUpTo && e.call !== a.call.id) state = this.callEffect(node, state, e);
    });
    if (!state) return null;
    return this.storeEffects(node, state, r);
  }

  /** What one call in a node does to the pages: releases, frees, uses all entries, keeps them
   * (null: this path stops mattering), or nothing (the state as it was). */
  private callEffect(node: CfgNode, s: PathState, e: Extract<Expr, { kind: 'call' }>): PathState | null {
    const a = this.a;
    const fa = a.fa;
    let state: PathState = s;
    const c = fa.fn.calls[e.call];
    if (!e.callee || !c) return state;
    // One page on the non-zero side of a test only against 0, with an errno possible: the
    // page handed to a call (mapped, read, released) was never set.
    // (The path goes on with the page got: what happens to it there is reported too.)
    if (a.nr === null && s.zeroTested && s.k & E && !s.unsure && !s.lost && (s.ignoredOne || !NO_ERRNO.test(a.via?.call.name ?? a.call.name ?? '')) && !PRINT_LIKE.test(e.callee) && e.args.some((x) => !formatArg(e, x) && rootOf(x) === a.root)) {
      this.report(s.ignoredOne ? 'ignored' : 'errno-use', [...s.steps, this.step(c.span.line, `${c.name}() gets ${a.root}, which is unset ${s.ignoredOne ? 'if the call failed' : 'after an error'}`, c)]);
      if (!(s.k & ~E & (S | F))) return null;
      state = { ...s, k: s.k & ~E, zeroTested: undefined };
    }
    const rel = releaseShape(fa, e, node.id, this.loops, this.helpers);
    // (A release counted by the variable that took the count, `nr = ret`, on the errno
    // side: one that takes the count unsigned was reported above; the others do nothing.)
    if (rel && rel.root === a.root && s.countAlias && rel.count === s.countAlias) return null;
    if (rel && rel.root === a.root) {
      // Released by the counter of the rounds: earlier entries (and this call's, once it
      // is added) go back; a counter advanced by the requested count (progress, below)
      // never adds a short count of this call.
      if (state.prior && rel.count === state.prior && !(this.progress.includes(rel.count) && state.k & S)) return null;
      const all = a.nr !== null && rel.count === a.nr;
      // (Whether the count's variable was overwritten since does not matter: no entry is set.)
      if (all && state.k & W && !(state.k & S) && !state.unsure) {
        // Only an errno taken for a full count gets here (the test caught a short count).
        this.report('negative-passes', [...state.steps, this.step(c.span.line, `${c.name}() releases all ${a.nr} entries of ${a.root}, none of them set after an error`, c)]);
      } else if (all && (state.k & (E | S))) {
        // (Only an errno on this path: the call set no entry at all.)
        this.report('over-release', [...state.steps, this.step(c.span.line, state.k === E ? `${c.name}() releases all ${a.nr} entries after an error, none of them set` : `${c.name}() releases all ${a.nr} entries, unset ones included`, c)]);
      } else if (all && (state.k & S) === 0 && state.k & F) {
        // released in full after the full count was established: fine
      }
      // One entry of a multi-page array (`unpin_user_page(pages[0])`): the others are held.
      const a0 = e.args[0] ? stripNoise(e.args[0]) : null;
      if (!all && a.nr !== null && rel.count === '1' && a0 && a0.kind === 'idx' && stripNoise(a0.index).kind === 'num') {
        state = { ...state, partial: true, steps: [...state.steps, this.step(c.span.line, `${c.name}() releases only ${exprText(a0)}`, c)] };
        return state;
      }
      // Released by a counter of the calls that completed (`while (done) put_page(pages[--done])`).
      if (!all && rel.count !== null && this.progress.includes(rel.count) && state.k & S) {
        state = { ...state, k: state.k & (E | S), prior: state.prior === rel.count ? undefined : state.prior, steps: [...state.steps, this.step(c.span.line, `${c.name}() releases by ${rel.count}, the entries of the calls that completed, not a short count of this one`, c)] };
        return state;
      }
      return null;
    }
    const carries = (x: Expr) => rootOf(x) === a.root || elementOf(fa, x, node.id)?.root === a.root || mentionsElement(x, a.root)
      || (a.nr === null && mentionsId(x, a.root)) || this.derived.some((d) => !this.mapped.includes(d) && mentionsId(x, d));
    // (A kernel mapping handed to a call, `crc32_le(0, kaddr, PAGE_SIZE)`, is read there: the
    // reference stays here; returning it hands it on, see atExit.)
    const passes = e.args.some(carries);
    // A struct that took the array before the call (`info->pages = pages; ... n =
    // pin_user_pages_fast(..., pages);`) handed to a call: its owner may release the pages
    // through it (a cleanup of the whole object). Not a free of that struct.
    if (!passes && this.holders.length && !ARRAY_FREE.test(e.callee) && !LOOKS_ONLY.test(e.callee) && !PRINT_LIKE.test(e.callee)
      && e.args.some((x) => { const h = stripNoise(x); return h.kind === 'id' && this.holders.includes(h.name); })) return null;
    if (!passes) return state;
    const fi = this.helpers.freedParam(fa, c);
    if (ARRAY_FREE.test(e.callee) || (fi >= 0 && e.args[fi] && rootOf(e.args[fi]) === a.root)) {
      // (A struct's array freed on a path of the full count only: every reference is lost
      // with it, whoever owns the struct.)
      if (!state.unsure && state.k & (S | F) && (a.local || state.k === S || state.k === (E | S) || state.k === F)) {
        const n = state.partial ? 'some of' : state.k & F ? 'all' : 'the short count of';
        // (Some entries released first, by a loop left before its end or a release of a few:
        // the rest still held, on a path of the full count or of a short one.)
        this.report('leak-free', [...state.steps, this.step(c.span.line, `${c.name}() frees ${a.root} with ${n} its references still held`, c)], undefined, state.k === F && a.nr !== null, state.partial);
      } else if (!state.unsure && state.prior) {
        this.report('leak-free', [...state.steps, this.step(c.span.line, `${c.name}() frees ${a.root} with the entries of earlier rounds (before ${state.prior}) still held`, c)], state.prior);
      }
      return null;
    }
    if (LOOKS_ONLY.test(e.callee)) return state;
    // `err = sg_alloc_table_from_pages(...)`: handed to the table only if it succeeds.
    const status = TABLE_BUILD.test(e.callee) ? assignedStatus(node.expr, e) : null;
    // (A table built from all nr entries after an errno passed as a full count: none set.)
    if (status && a.nr !== null && state.k & W && !state.unsure && !state.lost && e.args.some((x) => exprText(stripNoise(x)) === a.nr)) {
      this.report('negative-passes', [...state.steps, this.step(c.span.line, `${c.name}() builds a table from all ${a.nr} entries of ${a.root}, none of them set after an error`, c)]);
      // (The path of a real full count goes on: its references still need an owner.)
      if (!(state.k & F)) return null;
      state = { ...state, k: F };
    }
    if (status) return { ...state, pending: status, steps: [...state.steps, this.step(c.span.line, `${c.name}() builds a table from ${a.root}; its status is in ${status}`, c)] };
    // Only formatted by a print-like call (after its format string): looked at, not kept.
    if (e.args.every((x) => formatArg(e, x) || !carries(x))) return state;
    const usesAll = a.nr !== null && (e.args.some((x) => exprText(stripNoise(x)) === a.nr) || this.loopBound(node.id) === a.nr);
    if (usesAll && state.k & W && !state.unsure && !state.lost) {
      this.report('negative-passes', [...state.steps, this.step(c.span.line, `${c.name}() uses all ${a.nr} entries of ${a.root}, none of them set after an error`, c)]);
      if (!(state.k & F)) return null;
      state = { ...state, k: F };
    }
    if (usesAll && state.k & S) {
      this.report('short-use', [...state.steps, this.step(c.span.line, `${c.name}() uses all ${a.nr} entries of ${a.root}`, c)]);
      return null;
    }
    // One fixed entry (`sg_set_page(&sg[0], pages[0], ...)`) handed on while an unsigned
    // count may hold an errno: the rest of the path still walks the count (as after a read
    // of the count, see effects), with no leak claims.
    const cv = a.countVar;
    if (cv && !state.lost && state.k & E && fa.fn.unsignedVars?.includes(cv) && e.args.filter(carries).every((x) => fixedElement(x, a.root))) {
      return state.unsure ? state : { ...state, unsure: true };
    }
    // Handed to a helper or an owner that may keep or release it.
    return null;
  }

  /** Stores of the pages (someone else owns them), overwrites of the count and of the
   * requested count, known values, and a loop over all entries that reads them. */
  private storeEffects(node: CfgNode, s: PathState, r: string | null): PathState | null {
    const a = this.a;
    const fa = a.fa;
    let state: PathState = s;
    // Stored into a struct, a pointer or another variable: someone else owns the pages.
    let stored = false;
    let lost = false;
    let overwritten = false;
    walk(node.expr, (x) => {
      if (x.kind === 'assign' && x.op === '=') {
        const src = rootOf(x.right);
        const l = stripNoise(x.left);
        if (src === a.root && exprText(stripNoise(x.right)) !== exprText(l)) {
          // (A local given the page's kernel mapping, `kaddr = kmap_atomic(page)`, holds an
          // address, not the reference: nothing releases the page through it.)
          if (!(l.kind === 'id' && (elementOf(fa, x.right, node.id) || MAPPING.test(calleeOf(x.right))))) stored = true;
        }
        // An entry (or what it maps to: page_to_pfn(), page_address()) kept in a struct,
        // an array or through a pointer: the pages live on there.
        // (Not a struct value of this function's own that only goes back to user space,
        // `a.phys = page_to_phys(page); copy_to_user(argp, &a, sizeof(a))`: nothing there
        // releases the page.)
        // (Not a truth value computed from one, `u->carve = page_to_pfn(pg[0]) < LIMIT`: a
        // comparison keeps no page.)
        if (l.kind !== 'id' && !intoScratchStruct(fa, l) && !truthValue(x.right) && (carriesElement(fa, x.right, a.root) || (a.nr === null && mentionsId(x.right, a.root)))) stored = true;
        // The variable that holds the pages is given another value (`page = bprm->page[i]`,
        // often the other arm of an #if the tool could not decide): what it holds from here
        // on is not this call's.
        if (l.kind === 'id' && l.name === a.root && !mentionsId(x.right, a.root) && !yieldsCall(x.right, a.call.id)) overwritten = true;
        if (r && stripNoise(x.left).kind === 'id' && (stripNoise(x.left) as { name: string }).name === r && !yieldsCall(x.right, a.call.id)) {
          // The count variable is overwritten: a later test no longer concerns this call.
          lost = true;
        }
      }
      return true;
    });
    // Stored as a whole on a path where an errno passed the test as a full count: the
    // owner takes all nr entries as filled.
    if (stored && state.k & W && !state.unsure && !state.lost && a.nr !== null) {
      this.report('negative-passes', [...state.steps, { fa, line: node.line, what: `${exprText(node.expr!)} keeps ${a.root} as if all ${a.nrText ?? a.nr} entries were filled, none of them set after an error` }]);
    }
    if (stored || overwritten) return null;
    if (state.prior && !state.advanced && assignsTo(node.expr, state.prior)) state = { ...state, advanced: true };
    // The requested count is rewritten (`nr_pages = ret`, `nr_pages = 0` on the error path):
    // later uses of it name what the code knows it got.
    if (a.nr !== null && assignsTo(node.expr, a.nr)) return null;
    if (lost) state = { ...state, lost: true, steps: [...state.steps, { fa, line: node.line, what: `${r} is overwritten: the count is lost` }] };
    const vals = knownAfter(node.expr, state.vals);
    if (vals !== state.vals) {
      // (Set to a constant on this path: from here on it holds what the path made it, not
      // what the count did, even after `i++`. See the correlated tests in afterNode.)
      const reset = new Set(state.reset ?? []);
      for (const k of Object.keys(vals ?? {})) if (!state.vals || !(k in state.vals) || state.vals[k] !== vals![k]) reset.add(k);
      state = { ...state, vals, ...(reset.size ? { reset: [...reset].sort() } : {}) };
    }
    // A loop over all nr entries reading the array (element use without a call).
    if (a.nr !== null && state.k & S && this.loopBound(node.id) === a.nr && mentionsElement(node.expr, a.root)) {
      this.report('short-use', [...state.steps, this.step(node.line, `the loop over ${a.nr} entries reads ${a.root}`)]);
      return null;
    }
    return state;
  }

  /** What a loop's body does with the entries: keeps them somewhere (an element, or what it
   * maps to, stored outside the function's locals), only reads them, or nothing. */
  private bodyUse(lp: Loop): 'stored' | 'read' | null {
    const fa = this.a.fa;
    let read = false;
    for (const n of lp.body) {
      const e = fa.fn.nodes[n].expr;
      if (!carriesElement(fa, e, this.a.root)) continue;
      read = true;
      let stored = false;
      walk(e, (x) => { if (x.kind === 'assign' && stripNoise(x.left).kind !== 'id' && storesElement(fa, x.right, this.a.root)) stored = true; return !stored; });
      if (stored) return 'stored';
    }
    return read ? 'read' : null;
  }

  /** A release of this acquire's array inside the loop's body, counted by the loop. */
  private releaseIn(lp: Loop): CallSite | null {
    const fa = this.a.fa;
    for (const n of lp.body) {
      let hit: CallSite | null = null;
      eachCall(fa.fn.nodes[n].expr, (e) => {
        if (hit) return;
        const r = releaseShape(fa, e, n, this.loops, this.helpers);
        if (r && r.root === this.a.root && r.count === lp.bound) hit = fa.fn.calls[e.call];
      });
      if (hit) return hit;
    }
    return null;
  }

  private loopBound(node: number): string | null {
    let best: Loop | null = null;
    for (const l of this.loops) if (l.body.has(node) && (!best || l.body.size < best.body.size)) best = l;
    return best?.bound ?? null;
  }

  private atExit(node: CfgNode, s: PathState): void {
    const a = this.a;
    if (s.k & W && !s.unsure && !s.lost && this.returnsSuccess(node, s)) {
      const line = node.kind === 'exit' ? a.fa.fn.endLine : node.line;
      this.report('negative-passes', [...s.steps, { fa: a.fa, line, what: `returns as if all ${a.nrText ?? a.nr} entries were filled, none of them set after an error` }]);
    }
    // A path on which the tests of the count took out the short counts but not an error
    // (`if (n > 0 && n < nr) {...} else if (n == 0) {...} return 0;`), returning success:
    // the caller takes the array as filled, and after an error none of it is set.
    // (The error shares the path with the full count, which the return reports: not a
    // path an error alone takes, `if (ret > 0) release(...); return 0;`.)
    if (a.nr !== null && s.k & E && s.k & F && s.held && !(s.k & S) && !(s.k & W) && !s.unsure && !s.lost && !s.countAlias && node.expr) {
      const rv = stripNoise(node.expr);
      const tested = s.steps.some((x) => / is (true|false) here/.test(x.what));
      if (rv.kind === 'num' && rv.value === 0 && tested) {
        this.report('errno-success', [...s.steps, { fa: a.fa, line: node.line, what: `returns 0 (success) on a path an error takes, with none of ${a.root} set` }]);
      }
    }
    if (!s.held || !(s.k & (S | F)) || s.unsure) return;
    // Returning the array or the count hands them to the caller.
    if (node.expr) {
      const left = this.notHandedOn(stripNoise(node.expr), s.k, !!s.lost);
      if (!(left & (S | F))) return;
      if (left !== s.k) s = { ...s, k: left };
    }
    const line = node.kind === 'exit' ? a.fa.fn.endLine : node.line;
    // A struct-owned array whose release function (same file) skips NULL entries: the
    // entries a short call did not fill are NULL in a zeroed array, and the object's
    // release puts exactly the ones it got.
    if (s.k & S && a.nr !== null && /->|\./.test(a.root) && this.ownerOf(a.root)) return;
    // (A local array the function neither returns nor hands on: whatever the count, every
    // reference it holds is lost here; no caller takes its entries.)
    if (a.local && a.nr !== null && s.k & F) {
      this.report('leak', [...s.steps, { fa: a.fa, line, what: `returns with the references in ${a.root} held; nothing releases them` }]);
      return;
    }
    if (s.k & S && a.nr !== null) {
      // Nothing outside this function learns how many entries hold references.
      const kind: LifecycleKind = s.k & F ? 'short-return' : 'leak';
      this.report(kind, [...s.steps, { fa: a.fa, line, what: kind === 'leak' ? `returns with the references of a short ${a.fam === 'pin' ? 'pin' : 'get'} held and the count lost` : `returns ${a.nrText ?? a.nr} entries as if all were filled` }]);
      return;
    }
    // (A single page tested only for 0, `if (got == 0)`, or not at all: the path holds the
    // reference whenever the call got the page, and nothing on it releases the page.)
    if (a.local && (s.k === F || (a.nr === null && (s.k & F) !== 0)) && !s.unsure) {
      this.report('leak', [...s.steps, { fa: a.fa, line, what: `returns with the ${a.nr ? 'references in ' : 'reference on '}${a.root} held; nothing releases ${a.nr ? 'them' : 'it'}` }]);
    }
  }

  /** A test of the count only against 0: the successor index its non-zero side takes (0
   * for `if (ret)`, `ret != 0`; 1 for `if (!ret)`, `ret == 0`), else null. */
  private zeroTest(c0: Expr | null): 0 | 1 | null {
    if (!c0) return null;
    const c = stripNoise(c0);
    const isCount = (x: Expr): boolean => {
      const y = stripNoise(x);
      if (this.a.countVar && y.kind === 'id' && y.name === this.a.countVar) return true;
      if (y.kind === 'call' && y.call === this.a.call.id) return true;
      return y.kind === 'assign' && y.op === '=' && isCount(y.right);
    };
    if (isCount(c)) return 0;
    if (c.kind === 'un' && c.op === '!' && isCount(c.operand)) return 1;
    if (c.kind === 'bin' && (c.op === '==' || c.op === '!=')) {
      const [l, r] = isCount(c.left) ? [c.left, stripNoise(c.right)] : [c.right, stripNoise(c.left)];
      if (isCount(l) && r.kind === 'num' && r.value === 0) return c.op === '!=' ? 0 : 1;
    }
    return null;
  }

  /** A conditional whose test tells the count's sides apart (for this path's `k`). */
  private splitsCount(rv: Expr, k: number, lost: boolean): boolean {
    if (rv.kind !== 'cond') return false;
    const [t, f] = this.refine(rv.test, k, lost);
    return t !== null && (t !== k || f !== k);
  }

  /** What of `k` (the count's possible sides on this path) returning `rv` does not hand to
   * the caller (0: all of it goes): the array, what a page maps to, or the count hands the
   * references on. A conditional value is split by its test (`return got < 0 ? got :
   * -EFAULT;` returns the count only on the error side: a short count is lost); a test that
   * says nothing of the count hands on if either arm does. */
  private notHandedOn(rv: Expr, k: number, lost: boolean): number {
    const a = this.a;
    if (rv.kind === 'cond') {
      const wt = stripNoise(rv.whenTrue), wf = stripNoise(rv.whenFalse);
      if (!this.splitsCount(rv, k, lost)) return this.notHandedOn(wt, k, lost) && this.notHandedOn(wf, k, lost);
      const [t, f] = this.refine(rv.test, k, lost) as [number, number];
      return (t & (S | F) ? this.notHandedOn(wt, t, lost) : 0) | (f & (S | F) ? this.notHandedOn(wf, f, lost) : 0);
    }
    if (rootOf(rv) === a.root) return 0;
    // `return page_to_pfn(page)`: what the page maps to goes to the caller with its reference.
    if (mentionsId(rv, a.root) || mentionsElement(rv, a.root)) return 0;
    // (A local holding the page's mapping, `kaddr = kmap(page)`, returned: the caller
    // gets the page with it, to kunmap() and release.)
    if (this.mapped.some((d) => mentionsId(rv, d))) return 0;
    return a.countVar && !lost && mentionsId(rv, a.countVar) ? 0 : k;
  }

  /** A return that tells the caller nothing failed: no value, or one that is neither the
   * count, the array, nor an error (`return 0;`, `return ret;` with ret not the count). */
  private returnsSuccess(node: CfgNode, s?: PathState): boolean {
    if (!node.expr) return true;
    const rv = stripNoise(node.expr);
    if (rv.kind === 'un' && rv.op === '-') return false;
    // (A variable this path set to an error code: `ret = -EFAULT; ... return ret;`.)
    if (rv.kind === 'id' && s?.vals?.[rv.name] !== undefined) { const v = s.vals[rv.name]; if (v === 'neg' || (typeof v === 'number' && v < 0)) return false; }
    if (rv.kind === 'id' && /^E[A-Z0-9]+$/.test(rv.name)) return false;
    if (rootOf(rv) === this.a.root || mentionsId(rv, this.a.root)) return false;
    if (this.a.countVar && mentionsId(rv, this.a.countVar)) return false;
    if (rv.kind === 'call' && /^(?:ERR_PTR|PTR_ERR)$/.test(rv.callee ?? '')) return false;
    return true;
  }

  /** Split the count knowledge by a condition: [if true, if false]; null = the count is
   * read in a way that is not an error test or a comparison with nr (the code handles it). */
  private refine(c0: Expr, k: number, lost = false): [number, number] | [null, null] {
    const c = stripNoise(c0);
    const r = lost ? null : this.a.countVar;
    const nr = this.a.nr ?? '1';
    const alias = this.curAlias;
    const isCount = (x: Expr): boolean => {
      const y = stripNoise(x);
      if (r && y.kind === 'id' && y.name === r) return true;
      if (alias && y.kind === 'id' && y.name === alias) return true;
      if (y.kind === 'call' && y.call === this.a.call.id) return true;
      if (y.kind === 'assign' && y.op === '=' && isCount(y.right)) return true;
      return false;
    };
    if (c.kind === 'un' && c.op === '!') {
      const [t, f] = this.refine(c.operand, k, lost);
      return t === null ? [null, null] : [f, t];
    }
    if (c.kind === 'bin' && (c.op === '&&' || c.op === '||')) {
      const [lt, lf] = this.refine(c.left, k, lost);
      if (lt === null) return [null, null];
      if (c.op === '||') {
        const [rt, rf] = this.refine(c.right, lf, lost);
        if (rt === null) return [null, null];
        return [lt | rt, rf];
      }
      const [rt, rf] = this.refine(c.right, lt, lost);
      if (rt === null) return [null, null];
      return [rt, lf | rf];
    }
    // (A negative errno is non-zero: `if (ret)` and `ret != 0` keep the error side on their
    // true edge; a release there may get the errno as a count.)
    if (isCount(c)) return [k, k & E];
    // The array the call filled is not NULL on any path that holds references (`if (pages)`,
    // `pages != NULL`, an out-parameter's `*pages == NULL` negated).
    const isArray = (x: Expr) => rootOf(x) === this.a.root && (exprText(x) === this.a.root || exprText(x) === `*${this.a.root}`);
    if (isArray(c)) return [k, k & E];
    if (c.kind === 'bin' && (c.op === '==' || c.op === '!=')) {
      const side = [c.left, c.right].map(stripNoise);
      const arr = side.findIndex(isArray);
      const nul = side[1 - arr];
      if (arr >= 0 && nul && (nul.kind === 'null' || (nul.kind === 'num' && nul.value === 0) || (nul.kind === 'id' && nul.name === 'NULL'))) return c.op === '!=' ? [k, k & E] : [k & E, k];
    }
    if (c.kind === 'call' && c.callee === 'IS_ERR_VALUE' && c.args[0] && isCount(c.args[0])) return [k & E, k & (S | F)];
    if (c.kind === 'bin' && ['<', '<=', '>', '>=', '==', '!='].includes(c.op)) {
      let op = c.op, l = c.left, rr = c.right;
      if (!isCount(l) && isCount(rr)) { l = c.right; rr = c.left; op = ({ '<': '>', '>': '<', '<=': '>=', '>=': '<=' } as Record<string, string>)[op] ?? op; }
      if (isCount(l)) {
        const other = stripNoise(rr);
        const lv = stripNoise(l);
        const zero = other.kind === 'num' && other.value === 0;
        const neg = other.kind === 'un' && other.op === '-';
        const unsigned = zero && r !== null && lv.kind === 'id' && !lv.cast && !!this.a.fa.fn.unsignedVars?.includes(r);
        if (unsigned) {
          // An unsigned count holds a negative errno as a huge number: `cnt > 0` and
          // `cnt != 0` keep it on their true edge (their false edge is cnt == 0, nothing
          // held), `cnt < 0` is never true.
          if (op === '<' || op === '<=' || op === '==') return [0, k];
          return [k, 0];
        }
        if (zero || neg) {
          // ret < 0, ret <= 0, ret == 0: the error side; ret > 0, ret >= 0: the rest; ret != 0
          // (and the false edge of ret == 0) keeps a negative errno too.
          if (zero && op === '==') return [k & E, k];
          if (zero && op === '!=') return [k, k & E];
          if (op === '<' || op === '<=' || op === '==') return [k & E, k & (S | F)];
          return [k & (S | F), k & E];
        }
        // An unsigned count against another positive constant (`if (npg > 1)`): an errno
        // is a huge count, on the side above the constant; the rest may be on either side.
        if (other.kind === 'num' && other.value !== null && other.value > 0 && r !== null && lv.kind === 'id' && !lv.cast && this.a.fa.fn.unsignedVars?.includes(r) && exprText(other) !== nr) {
          const rest = k & ~E;
          if (op === '>' || op === '>=') return [k, rest];
          if (op === '<' || op === '<=') return [rest, k];
        }
        if (exprText(other) === nr) {
          // (An unsigned count holding an errno is above nr: `n < nr` is false for it. So
          // is a signed one compared with an unsigned nr at least as wide: the usual
          // arithmetic conversions make the errno a huge unsigned number.)
          const big = lv.kind === 'id' && !lv.cast && r !== null && (!!this.a.fa.fn.unsignedVars?.includes(r) || mixedSign(this.a.fa.fn, r, other));
          const passed = k & (F | E | W) | (k & E ? W : 0);
          if (big && op === '<') return [k & S, passed];
          if (big && op === '>=') return [passed, k & S];
          if (op === '!=' || op === '<') return [k & (E | S), k & F];
          if (op === '==' || op === '>=') return [k & F, k & (E | S)];
        }
        return k === F ? [k, k] : [null, null];
      }
    }
    if (r && mentionsId(c, r)) return k === F ? [k, k] : [null, null];
    return [k, k];
  }
}

/** `x->f = r` (or `*p = r`, `a[i] = r`): the count variable's value stored outside the
 * function's locals. */
function storesCountOutside(e: Expr | null, r: string): boolean {
  let hit = false;
  walk(e, (x) => {
    if (hit) return false;
    if (x.kind === 'assign' && x.op === '=' && stripNoise(x.left).kind !== 'id') {
      const v = stripNoise(x.right);
      if (v.kind === 'id' && v.name === r) hit = true;
    }
    return !hit;
  });
  return hit;
}

/** The variable at the base of a field or element (`info` of `info->pages`, `d->buf[i].pg`). */
function baseId(e0: Expr): string | null {
  let e = stripNoise(e0);
  for (let i = 0; i < 8; i++) {
    if (e.kind === 'id') return e.name;
    if (e.kind === 'field' || e.kind === 'idx') e = stripNoise(e.operand);
    else if (e.kind === 'un' && e.op === '*') e = stripNoise(e.operand);
    else return null;
  }
  return null;
}

/** A signed count compared with an unsigned request at least as wide (`int got` with a
 * `size_t want` variable or field of the file's own struct): the comparison converts the
 * count to the unsigned type. */
function mixedSign(fn: FunctionIR, count: string, nr: Expr): boolean {
  const cw = fn.intWidths?.[count];
  if (cw === undefined || cw >= 0) return false;
  const key = nr.kind === 'id' && !nr.cast ? nr.name : nr.kind === 'field' ? `.${nr.member}` : null;
  const nw = key ? fn.intWidths?.[key] : undefined;
  return nw !== undefined && nw > 0 && nw >= -cw;
}

/** The decisions on tracked atoms that the undecided #if arms around a line make (the
 * GUP call sits in them: a path from it took those arms), as `atom=v` lines. */
function armsAround(fn: FunctionAnalysis['fn'], line: number, tracked: ReadonlySet<string>): string {
  const out: string[] = [];
  for (const u of fn.undecided ?? []) {
    if (line < u.from || line > u.to) continue;
    for (const l of ppLiterals(u.condition)) if (tracked.has(l.atom) && !out.some((x) => x.slice(0, -2) === l.atom)) out.push(`${l.atom}=${l.neg ? 0 : 1}`);
  }
  return out.join('\n');
}

/** `pages[0]` (a constant index) of the root. */
function fixedElement(e0: Expr, root: string): boolean {
  const e = stripNoise(e0);
  return e.kind === 'idx' && rootOf(e.operand) === root && stripNoise(e.index).kind === 'num';
}

/** `text = r` (exactly the count's variable) in the expression. */
function assignsCount(e: Expr | null, text: string, r: string): boolean {
  let hit = false;
  walk(e, (x) => { if (x.kind === 'assign' && x.op === '=' && exprText(stripNoise(x.left)) === text) { const v = stripNoise(x.right); if (v.kind === 'id' && v.name === r) hit = true; } return !hit; });
  return hit;
}

function assignsTo(e: Expr | null, text: string): boolean {
  let hit = false;
  walk(e, (x) => { if (hit) return false; if (x.kind === 'assign' && exprText(stripNoise(x.left)) === text) hit = true; return true; });
  return hit;
}

function callsIn(e: Expr | null): number[] {
  const out: number[] = [];
  walk(e, (x) => { if (x.kind === 'call') out.push(x.call); return true; });
  return out;
}

/** Does the expression name this variable or field path (`vsg->state`)? */
/** Calls whose value is their argument's, for a test: `unlikely(err)`, `WARN_ON(ret)`. */
const PASS_THROUGH = /^(likely|unlikely|WARN_ON|WARN_ON_ONCE|WARN|WARN_ONCE|IS_ERR|IS_ERR_OR_NULL|IS_ERR_VALUE|PTR_ERR|PTR_ERR_OR_ZERO|ERR_PTR|abs|min|max|min_t|max_t)$/;

/** mentionsText, but not inside the arguments of a call other than a pass-through one. */
function mentionsValue(e: Expr | null, text: string, skipCall?: number): boolean {
  let hit = false;
  walk(e, (x) => {
    if (hit) return false;
    if (x.kind === 'call') return x.call !== skipCall && !!x.callee && PASS_THROUGH.test(x.callee);
    if ((x.kind === 'id' || x.kind === 'field') && exprText(x) === text) { hit = true; return false; }
    return true;
  });
  return hit;
}

function mentionsText(e: Expr | null, text: string, skipCall?: number): boolean {
  let hit = false;
  walk(e, (x) => { if (hit) return false; if (x.kind === 'call' && x.call === skipCall) return false; if ((x.kind === 'id' || x.kind === 'field') && exprText(x) === text) { hit = true; return false; } return true; });
  return hit;
}

function mentionsId(e: Expr | null, n: string): boolean {
  let hit = false;
  walk(e, (x) => { if (hit) return false; if (x.kind === 'id' && x.name === n) hit = true; return true; });
  return hit;
}

/** `e` names an entry of `root`, directly or through a local the function copies an entry
 * into (`pg = pages[i]; ... hdr->phys[i] = page_to_phys(pg)`). */
/** A comparison or a logical expression (`a < b`, `x == y`, `!p`, `a && b`): 0 or 1. */
function truthValue(e0: Expr): boolean {
  const e = stripNoise(e0);
  if (e.kind === 'un') return e.op === '!';
  return e.kind === 'bin' && /^(?:<|>|<=|>=|==|!=|&&|\|\|)$/.test(e.op);
}

function carriesElement(fa: FunctionAnalysis, e: Expr | null, root: string): boolean {
  if (mentionsElement(e, root)) return true;
  const copies = elementCopies(fa.fn);
  if (copies.size === 0) return false;
  let hit = false;
  walk(e, (x) => { if (hit) return false; if (x.kind === 'id' && copies.has(x.name) && elementOf(fa, x, -1)?.root === root) hit = true; return true; });
  return hit;
}

/** The value `e` holds an entry of `root` (or what a call makes of one, `page_address(
 * pages[i])`), not only what the entry points to: `*(u8 *)page_address(pages[i])` and
 * `kmap(pages[i])[off]` read the page's bytes, and storing them hands no reference on. */
function storesElement(fa: FunctionAnalysis, e: Expr | null, root: string): boolean {
  const copies = elementCopies(fa.fn);
  let hit = false;
  walk(e, (x) => {
    if (hit) return false;
    if (x.kind === 'un' && x.op === '*') return false;
    if (x.kind === 'idx' && rootOf(x.operand) !== root) { walk(x.index, (y) => { if (y.kind === 'idx' && rootOf(y.operand) === root) hit = true; return !hit; }); return false; }
    if (x.kind === 'field' && x.arrow && stripNoise(x.operand).kind === 'call') return false;
    if (x.kind === 'idx' && rootOf(x.operand) === root) hit = true;
    else if (x.kind === 'id' && copies.has(x.name) && elementOf(fa, x, -1)?.root === root) hit = true;
    return !hit;
  });
  return hit;
}

function mentionsElement(e: Expr | null, root: string): boolean {
  let hit = false;
  walk(e, (x) => { if (hit) return false; if (x.kind === 'idx' && rootOf(x.operand) === root) hit = true; return true; });
  return hit;
}

const ALLOCATOR = /^(?:devm_)?(?:k|kv|v)(?:[mz]alloc|calloc)(?:_array|_node)?$|^vmalloc_array$|^vzalloc_node$/;
/** A variable read anywhere in the function (anything but the target of a plain `=`). */
function readAnywhere(fn: FunctionIR, name: string): boolean {
  let hit = false;
  for (const n of fn.nodes) {
    walk(n.expr, (x, parents) => {
      if (hit) return false;
      if (x.kind !== 'id' || x.name !== name) return true;
      const p = parents[parents.length - 1];
      if (p && p.kind === 'assign' && p.op === '=' && p.left === x) return true;
      hit = true;
      return false;
    });
    if (hit) return true;
  }
  return false;
}

/** `x = r;` (a declaration's `= r` too, a cast allowed): the count copied into another
 * plain variable, nothing else. */
function copiesCount(e: Expr | null, r: string): boolean {
  if (!e || e.kind !== 'assign' || e.op !== '=') return false;
  const l = stripNoise(e.left), v = stripNoise(e.right);
  return l.kind === 'id' && l.name !== r && v.kind === 'id' && v.name === r;
}

const SIZE_HELPER = /^(?:array_size|array3_size|struct_size|size_mul|size_add)$/;

/** Is the count variable read (not written, not only tested) in this expression? */
function readsCount(e: Expr | null, r: string, gupCall: number): boolean {
  let hit = false;
  walk(e, (x, parents) => {
    if (hit) return false;
    if (x.kind !== 'id' || x.name !== r) return true;
    const p = parents[parents.length - 1];
    if (p && p.kind === 'assign' && p.left === x && p.op === '=') return true; // written
    if (p && p.kind === 'assign' && p.right.kind === 'call' && p.right.call === gupCall) return true;
    // (An argument of the GUP call itself: `npg = gup(..., npg, ...)` reads the request.)
    if (p && p.kind === 'call' && p.call === gupCall) return true;
    if (p && p.kind === 'call' && p.callee && /^(pr_\w+|printk\w*|dev_(dbg|err|warn|info|notice)\w*|trace_\w+|WARN\w*|likely|unlikely)$/.test(p.callee)) return true;
    // The size of an allocation (`kcalloc(cnt, sizeof(*sgl), GFP_KERNEL)`, `vmalloc(cnt *
    // sizeof(x))`): the memory is sized by it, nothing learns which entries are set.
    for (let i = parents.length - 1; i >= 0; i--) {
      const q = parents[i];
      if (q.kind === 'bin' || q.kind === 'other' || (q.kind === 'call' && SIZE_HELPER.test(q.callee ?? ''))) continue;
      if (q.kind === 'call' && ALLOCATOR.test(q.callee ?? '')) return true;
      break;
    }
    // Printed by a print-like call after its format string (a driver's own log macro).
    for (let i = parents.length - 1; i >= 0; i--) {
      const q = parents[i];
      if (q.kind !== 'call') continue;
      if (formatArg(q, x)) return true;
      break;
    }
    hit = true;
    return false;
  });
  void children;
  return hit;
}

/** What an expression leaves known of locals set to constants: `v = 0`, `v = -EINVAL`
 * record a value; any other write of v, or its address taken, forgets it. */
function knownAfter(e: Expr | null, vals: Record<string, Known> | undefined): Record<string, Known> | undefined {
  let out = vals;
  walk(e, (x) => {
    if (x.kind === 'assign') {
      const l = stripNoise(x.left);
      if (l.kind === 'id') {
        const v = x.op === '=' ? constantOf(x.right) : undefined;
        if (v !== undefined) out = { ...out, [l.name]: v };
        else if (out && l.name in out) { out = { ...out }; delete out[l.name]; }
      }
    } else if (x.kind === 'un' && x.op === '&') {
      const y = stripNoise(x.operand);
      if (y.kind === 'id' && out && y.name in out) { out = { ...out }; delete out[y.name]; }
    }
    return true;
  });
  return out;
}

function constantOf(e0: Expr): Known | undefined {
  const e = stripNoise(e0);
  if (e.kind === 'num' && e.value !== null) return e.value;
  if (e.kind === 'null') return 0;
  if (e.kind === 'id' && /^E[A-Z0-9]+$/.test(e.name)) return 'pos';
  if (e.kind === 'un' && e.op === '-') {
    const x = stripNoise(e.operand);
    if (x.kind === 'num' && x.value !== null) return -x.value;
    if (x.kind === 'id' && /^E[A-Z0-9]+$/.test(x.name)) return 'neg';
  }
  return undefined;
}

/** The truth of a condition over known locals, or null when it depends on anything else. */
function decide(c0: Expr, vals: Record<string, Known>): boolean | null {
  const c = stripNoise(c0);
  if (c.kind === 'id') { const v = vals[c.name]; return v === undefined ? null : v !== 0; }
  if (c.kind === 'un' && c.op === '!') { const d = decide(c.operand, vals); return d === null ? null : !d; }
  if (c.kind === 'bin' && (c.op === '&&' || c.op === '||')) {
    const l = decide(c.left, vals), r = decide(c.right, vals);
    if (c.op === '&&') return l === false || r === false ? false : l === true && r === true ? true : null;
    return l === true || r === true ? true : l === false && r === false ? false : null;
  }
  if (c.kind === 'bin' && ['==', '!=', '<', '<=', '>', '>='].includes(c.op)) {
    const l = stripNoise(c.left);
    const rv = constantOf(c.right);
    if (l.kind !== 'id' || vals[l.name] === undefined || rv === undefined) return null;
    const lv = vals[l.name];
    // The sign of an errno against 0; numbers against numbers.
    const sign = (v: Known): number | null => (v === 'neg' ? -1 : v === 'pos' ? 1 : null);
    let cmp: number | null;
    if (typeof lv === 'number' && typeof rv === 'number') cmp = Math.sign(lv - rv);
    else if (rv === 0) cmp = sign(lv);
    else if (lv === 0) { const sr = sign(rv); cmp = sr === null ? null : -sr; }
    else return null;
    if (cmp === null) return null;
    switch (c.op) {
      case '==': return cmp === 0;
      case '!=': return cmp !== 0;
      case '<': return cmp < 0;
      case '<=': return cmp <= 0;
      case '>': return cmp > 0;
      default: return cmp >= 0;
    }
  }
  return null;
}

/** The natural loop of a header: the nodes that reach a back edge's source (a predecessor
 * of the header that the header dominates) without passing the header. */
function naturalBody(fn: FunctionIR, header: number): Set<number> {
  const preds = predecessorsOf(fn);
  // Reachable from the entry without passing the header: not dominated by it.
  const free = new Set<number>();
  const st = [0];
  while (st.length) { const x = st.pop()!; if (x < 0 || x === header || free.has(x)) continue; free.add(x); st.push(...fn.nodes[x].succ); }
  const body = new Set<number>();
  const bk = preds[header].filter((p) => !free.has(p));
  while (bk.length) { const x = bk.pop()!; if (x === header || body.has(x) || free.has(x)) continue; body.add(x); bk.push(...preds[x]); }
  return body;
}
