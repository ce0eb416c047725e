// Locked regions: the CFG nodes where a given local acquire is held, and what they contain.
import type { CallSite, Expr, Span } from '../parse/ir';
import { lockOf, type FunctionAnalysis, type World } from './lockstate';
import { alternativeArms } from '../preprocess/remap';

/** Calls that never need the mmap lock and are harmless inside a region (logging, checks,
 * arithmetic helpers, memory allocation and freeing, reference counts (page references
 * too: put_page(), unpin_user_pages()), lists and scatterlists). Anything else is treated as possible lock-dependent work; so are a
 * driver's own locks taken inside the region (the lock order would change if the mmap
 * lock moved into the GUP call). */
const BENIGN = new RegExp('^(' + [
  'pr_\\w+', 'printk', 'dev_(dbg|err|warn|info|notice)\\w*', 'WARN(_ON)?(_ONCE)?', 'BUG_ON', 'likely', 'unlikely',
  'min', 'max', 'min_t', 'max_t', 'clamp\\w*', 'PAGE_ALIGN', 'ALIGN', 'offset_in_page', 'untagged_addr', 'DIV_ROUND_UP',
  'array_size', 'struct_size', 'sizeof', 'BIT', 'ilog2', 'get_order', 'lower_32_bits', 'upper_32_bits', 'u64_to_user_ptr',
  '__user', 'READ_ONCE', 'WRITE_ONCE', 'IS_ERR', 'PTR_ERR', 'ERR_PTR', 'IS_ERR_OR_NULL',
  'k[mz]alloc\\w*', 'kcalloc\\w*', 'kmalloc_array\\w*', 'kvmalloc\\w*', 'kvzalloc\\w*', 'kvcalloc\\w*', 'kmem_cache_(z?alloc|free)\\w*',
  'v[mz]alloc\\w*', 'kfree\\w*', 'kvfree\\w*', 'vfree', 'kstrdup\\w*', 'kmemdup\\w*',
  'mem(set|cpy|move|cmp)', 'str(n?cpy|n?cmp|len|scpy|lcpy)',
  'atomic(64)?_\\w+', 'refcount_\\w+', 'kref_(get|init)\\w*',
  'put_page', 'get_page', 'folio_put', 'folio_get', 'release_pages', 'unpin_user_pages?\\w*', 'put_user_pages?\\w*', 'set_page_dirty\\w*',
  'list_\\w+', 'INIT_LIST_HEAD', 'sg_(init_table|set_page|alloc_table\\w*|free_table|next)', 'trace_\\w+', 'might_sleep', 'lockdep_assert_held\\w*',
].join('|') + ')$');

/** Calls that need the mmap lock held (or the vma it protects). */
export const NEEDS_LOCK = /^(find_vma\w*|vma_lookup|find_extend_vma|expand_stack|follow_page\w*|follow_pfn\w*|follow_pte\w*|untagged_addr_remote|vm_insert\w*|zap_\w+|do_munmap|do_mmap|mprotect_fixup|vma_\w+|walk_page_\w+|handle_mm_fault|fixup_user_fault|get_user_pages\w*|pin_user_pages\w*|__get_user_pages\w*|get_user_page_vma_remote)$/;

export interface Region {
  acquire: number;
  key: string;
  nodes: Set<number>;
  /** Calls evaluated while the acquire is held (may include the release). */
  calls: number[];
  releases: number[];
}

/** Every region of a function for one lock key, built in one pass over the nodes' and
 * calls' worlds (the rules ask for one region per GUP call: a scan of the whole function per
 * question was quadratic in functions with thousands of acquires). */
/** Work counters that tests bound: worlds looked at to build regions, reasons looked at to
 * answer regionWork. */
export const regionCounters = { worlds: 0, reasons: 0 };

const regionsByFunction = new WeakMap<FunctionAnalysis, Map<string, Map<number, Region>>>();

function regionsOf(fa: FunctionAnalysis, key: string): Map<number, Region> {
  let byKey = regionsByFunction.get(fa);
  if (!byKey) { byKey = new Map(); regionsByFunction.set(fa, byKey); }
  let regions = byKey.get(key);
  if (regions) return regions;
  regions = new Map();
  const get = (acquire: number): Region => {
    let r = regions!.get(acquire);
    if (!r) { r = { acquire, key, nodes: new Set(), calls: [], releases: [] }; regions!.set(acquire, r); }
    return r;
  };
  /** The acquires held in any of the worlds (each once). */
  const heldBy = (worlds: World[]): Set<number> => {
    const out = new Set<number>();
    regionCounters.worlds += worlds.length;
    for (const w of worlds) { const v = lockOf(w, key); if ((v.st === 'R' || v.st === 'W') && v.acq !== undefined) out.add(v.acq); }
    return out;
  };
  fa.atNode.forEach((worlds, id) => { for (const a of heldBy(worlds)) get(a).nodes.add(id); });
  fa.atCall.forEach((worlds, id) => {
    const cls = fa.classes[id];
    const isRelease = cls.kind === 'lock' && cls.key === key && cls.prim.kind === 'release';
    for (const a of heldBy(worlds)) {
      const r = get(a);
      if (isRelease) r.releases.push(id);
      r.calls.push(id);
    }
  });
  byKey.set(key, regions);
  return regions;
}

export function regionOf(fa: FunctionAnalysis, acquire: number, key: string): Region {
  return regionsOf(fa, key).get(acquire) ?? { acquire, key, nodes: new Set(), calls: [], releases: [] };
}

export function within(inner: Span, outer: Span): boolean {
  const a = inner.line > outer.line || (inner.line === outer.line && inner.col >= outer.col);
  const b = inner.endLine < outer.endLine || (inner.endLine === outer.endLine && inner.endCol <= outer.endCol);
  return a && b;
}

/** The accesses of a function's body to fields the mmap lock protects (`vma->vm_flags`,
 * `mm->pinned_vm`), as reasons. */
export function fieldsNeedingLock(fa: FunctionAnalysis): string[] {
  const out: string[] = [];
  for (const n of fa.fn.nodes) fieldNeedsLock(n.expr, out);
  return out;
}

function fieldNeedsLock(e: Expr | null, out: string[]): void {
  if (!e) return;
  switch (e.kind) {
    case 'field':
      if (/^vm_/.test(e.member) || (e.operand.kind === 'id' && /vma/.test(e.operand.name) && e.arrow)) out.push(`access to ${e.member}`);
      else if (/^(mmap_base|mmap|mm_rb|mm_mt|map_count|total_vm|locked_vm|pinned_vm|start_brk|brk|start_stack|def_flags)$/.test(e.member)) out.push(`access to mm->${e.member}`);
      fieldNeedsLock(e.operand, out);
      return;
    case 'call': e.args.forEach((a) => fieldNeedsLock(a, out)); return;
    case 'un': fieldNeedsLock(e.operand, out); return;
    case 'bin': fieldNeedsLock(e.left, out); fieldNeedsLock(e.right, out); return;
    case 'assign': fieldNeedsLock(e.left, out); fieldNeedsLock(e.right, out); return;
    case 'idx': fieldNeedsLock(e.operand, out); fieldNeedsLock(e.index, out); return;
    case 'cond': fieldNeedsLock(e.test, out); fieldNeedsLock(e.whenTrue, out); fieldNeedsLock(e.whenFalse, out); return;
    case 'seq': e.items.forEach((x) => fieldNeedsLock(x, out)); return;
    case 'other': e.subs.forEach((x) => fieldNeedsLock(x, out)); return;
    default: return;
  }
}

export interface RegionWork {
  gups: number[];
  /** Human-readable reasons the region needs the lock for something besides GUP (for a
   * question about one call: the first OTHER_REASONS of them). */
  other: { why: string; call?: CallSite; line: number }[];
  /** A GUP call of the region can run again within the same region (a loop inside it). */
  readonly loops: boolean;
  /** A path returns while the region is held. */
  readonly escapes: boolean;
}

/** Reasons collected when one call is asked about: the rules only need to know that there
 * is one, and a region with thousands of GUP calls must not cost thousands each time. */
export const OTHER_REASONS = 8;

type Reason = RegionWork['other'][number] & { id: number };

/** What a region holds besides its releases, sorted once per region: `hard` calls count as
 * lock-dependent work unless they are the GUP asked about; `soft` ones unless they are also
 * inside its arguments; `fields` always. */
interface RegionFacts { calls: Set<number>; hard: Reason[]; soft: Reason[]; fields: { why: string; line: number }[] }
const factsByRegion = new WeakMap<Region, RegionFacts>();

function factsOf(fa: FunctionAnalysis, r: Region): RegionFacts {
  let f = factsByRegion.get(r);
  if (f) return f;
  f = { calls: new Set(r.calls), hard: [], soft: [], fields: [] };
  regionCounters.reasons += r.calls.length + r.nodes.size;
  const releases = new Set(r.releases);
  for (const id of r.calls) {
    if (releases.has(id)) continue;
    const c = fa.fn.calls[id];
    const cls = fa.classes[id];
    if (cls.kind === 'lock' && cls.key === r.key && cls.prim.kind === 'assert') continue;
    const name = c.name ?? '(pointer)';
    if (NEEDS_LOCK.test(name) || cls.kind === 'gup') f.hard.push({ id, why: `${name}() needs the lock`, call: c, line: c.span.line });
    else if (cls.kind === 'lock') f.soft.push({ id, why: `${name}() in the region`, call: c, line: c.span.line });
    else if (!BENIGN.test(name)) f.soft.push({ id, why: `${name}() may need the lock`, call: c, line: c.span.line });
  }
  for (const n of r.nodes) {
    const acc: string[] = [];
    fieldNeedsLock(fa.fn.nodes[n].expr, acc);
    for (const a of acc) f.fields.push({ why: a, line: fa.fn.nodes[n].line });
  }
  factsByRegion.set(r, f);
  return f;
}

/** What a region does besides GUP calls. `isGup` is the GUP call asked about (its id), or a
 * test for the GUP calls of interest (then every reason is listed). */
export function regionWork(fa: FunctionAnalysis, r: Region, isGup: number | ((id: number) => boolean)): RegionWork {
  const facts = factsOf(fa, r);
  const one = typeof isGup === 'number';
  const test = one ? (id: number) => id === isGup : isGup;
  const gups = one ? (facts.calls.has(isGup) ? [isGup] : []) : r.calls.filter(isGup);
  const gupSpans = gups.map((g) => fa.fn.calls[g].callSpan);
  const limit = one ? OTHER_REASONS : Infinity;
  // Calls in another arm of an undecided #if group than the call asked about are its
  // alternatives (`#ifdef HAVE_GUP_VMAS` / `#else` around two spellings of one call): a
  // build has one of them, never both.
  const alternative = (id: number): boolean => one && alternativeArms(fa.fn.undecided, fa.fn.calls[isGup].span.line, fa.fn.calls[id].span.line);
  const other: RegionWork['other'] = [];
  const add = (x: Reason | RegionFacts['fields'][number]) => other.push('id' in x ? { why: x.why, call: x.call, line: x.line } : x);
  for (const h of facts.hard) { if (other.length >= limit) break; regionCounters.reasons++; if (!test(h.id) && !alternative(h.id)) add(h); }
  for (const s of facts.soft) {
    if (other.length >= limit) break;
    regionCounters.reasons++;
    if (!test(s.id) && !gupSpans.some((sp) => within(s.call!.callSpan, sp)) && !alternative(s.id)) add(s);
  }
  for (const x of facts.fields) { if (other.length >= limit) break; regionCounters.reasons++; add(x); }
  // Both are walks of the region: computed only when a rule gets that far.
  let loops: boolean | undefined;
  let escapes: boolean | undefined;
  return {
    gups, other,
    get loops() { return loops ??= regionLoops(fa, r, gups); },
    get escapes() { return escapes ??= fa.exits.some((w) => { const v = lockOf(w, r.key); return (v.st === 'R' || v.st === 'W') && v.acq === r.acquire; }); },
  };
}

/** A cycle through a GUP node inside the region: the call runs more than once per acquire. */
function regionLoops(fa: FunctionAnalysis, r: Region, gups: number[]): boolean {
  const releases = new Set(r.releases);
  const gupSet = new Set(gups);
  const gupNodes = [...r.nodes].filter((n) => fa.nodeCalls[n].some((c) => gupSet.has(c)));
  for (const g of gupNodes) {
    const seen = new Set<number>();
    const stack = [...fa.fn.nodes[g].succ];
    while (stack.length) {
      const n = stack.pop()!;
      regionCounters.reasons++;
      if (n < 0 || seen.has(n) || !r.nodes.has(n)) continue;
      if (n === g) return true;
      seen.add(n);
      // Do not walk past a release of this region.
      if (fa.nodeCalls[n].some((c) => releases.has(c))) continue;
      for (const x of fa.fn.nodes[n].succ) stack.push(x); // (no spread: a switch node has one successor per case)
    }
  }
  return false;
}
