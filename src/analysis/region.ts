// Locked regions: the CFG nodes where a given local acquire is held, and what they contain.
import type { CallSite, Expr, Span } from '../parse/ir';
import { lockOf, type FunctionAnalysis } from './lockstate';

/** Calls that never need the mmap lock and are harmless inside a region (logging, checks,
 * arithmetic helpers). Anything else is treated as possible lock-dependent work. */
const BENIGN = /^(pr_\w+|printk|dev_(dbg|err|warn|info|notice)\w*|WARN(_ON)?(_ONCE)?|BUG_ON|likely|unlikely|min|max|min_t|max_t|clamp\w*|PAGE_ALIGN|ALIGN|offset_in_page|untagged_addr|DIV_ROUND_UP|array_size|sizeof|BIT|ilog2|lower_32_bits|upper_32_bits|u64_to_user_ptr|__user|READ_ONCE|IS_ERR|PTR_ERR)$/;

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

export function regionOf(fa: FunctionAnalysis, acquire: number, key: string): Region {
  const nodes = new Set<number>();
  fa.atNode.forEach((worlds, id) => {
    if (worlds.some((w) => { const v = lockOf(w, key); return (v.st === 'R' || v.st === 'W') && v.acq === acquire; })) nodes.add(id);
  });
  const calls: number[] = [];
  const releases: number[] = [];
  fa.atCall.forEach((worlds, id) => {
    if (!worlds.some((w) => { const v = lockOf(w, key); return (v.st === 'R' || v.st === 'W') && v.acq === acquire; })) return;
    const cls = fa.classes[id];
    if (cls.kind === 'lock' && cls.key === key && cls.prim.kind === 'release') releases.push(id);
    calls.push(id);
  });
  return { acquire, key, nodes, calls, releases };
}

export function within(inner: Span, outer: Span): boolean {
  const a = inner.line > outer.line || (inner.line === outer.line && inner.col >= outer.col);
  const b = inner.endLine < outer.endLine || (inner.endLine === outer.endLine && inner.endCol <= outer.endCol);
  return a && b;
}

function fieldNeedsLock(e: Expr | null, out: string[]): void {
  if (!e) return;
  switch (e.k) {
    case 'field':
      if (/^vm_/.test(e.f) || (e.e.k === 'id' && /vma/.test(e.e.n) && e.arrow)) out.push(`access to ${e.f}`);
      else if (/^(mmap_base|mmap|mm_rb|mm_mt|map_count|total_vm|locked_vm|pinned_vm|start_brk|brk|start_stack|def_flags)$/.test(e.f)) out.push(`access to mm->${e.f}`);
      fieldNeedsLock(e.e, out);
      return;
    case 'call': e.args.forEach((a) => fieldNeedsLock(a, out)); return;
    case 'un': fieldNeedsLock(e.e, out); return;
    case 'bin': fieldNeedsLock(e.l, out); fieldNeedsLock(e.r, out); return;
    case 'assign': fieldNeedsLock(e.l, out); fieldNeedsLock(e.r, out); return;
    case 'idx': fieldNeedsLock(e.e, out); fieldNeedsLock(e.i, out); return;
    case 'cond': fieldNeedsLock(e.c, out); fieldNeedsLock(e.t, out); fieldNeedsLock(e.f, out); return;
    case 'seq': e.items.forEach((x) => fieldNeedsLock(x, out)); return;
    case 'other': e.subs.forEach((x) => fieldNeedsLock(x, out)); return;
    default: return;
  }
}

export interface RegionWork {
  gups: number[];
  /** Human-readable reasons the region needs the lock for something besides GUP. */
  other: { why: string; call?: CallSite; line: number }[];
  /** A GUP call of the region can run again within the same region (a loop inside it). */
  loops: boolean;
  /** A path returns while the region is held. */
  escapes: boolean;
}

/** What a region does besides GUP calls. `isGup(id)` tells GUP calls of interest. */
export function regionWork(fa: FunctionAnalysis, r: Region, isGup: (id: number) => boolean): RegionWork {
  const gups = r.calls.filter(isGup);
  const gupSpans = gups.map((g) => fa.fn.calls[g].callSpan);
  const other: RegionWork['other'] = [];
  for (const id of r.calls) {
    if (isGup(id) || r.releases.includes(id)) continue;
    const c = fa.fn.calls[id];
    const cls = fa.classes[id];
    if (cls.kind === 'lock' && cls.key === r.key && cls.prim.kind === 'assert') continue;
    const name = c.name ?? '(pointer)';
    const inGupArgs = gupSpans.some((s) => within(c.callSpan, s));
    if (NEEDS_LOCK.test(name) || cls.kind === 'gup') { other.push({ why: `${name}() needs the lock`, call: c, line: c.span.line }); continue; }
    if (inGupArgs || BENIGN.test(name)) continue;
    if (cls.kind === 'lock') { other.push({ why: `${name}() in the region`, call: c, line: c.span.line }); continue; }
    other.push({ why: `${name}() may need the lock`, call: c, line: c.span.line });
  }
  for (const n of r.nodes) {
    const node = fa.fn.nodes[n];
    const acc: string[] = [];
    fieldNeedsLock(node.expr, acc);
    for (const a of acc) other.push({ why: a, line: node.line });
  }
  // A cycle through a GUP node inside the region: the call runs more than once per acquire.
  let loops = false;
  const gupNodes = [...r.nodes].filter((n) => fa.nodeCalls[n].some((c) => gups.includes(c)));
  for (const g of gupNodes) {
    const seen = new Set<number>();
    const stack = [...fa.fn.nodes[g].succ];
    while (stack.length && !loops) {
      const n = stack.pop()!;
      if (n < 0 || seen.has(n) || !r.nodes.has(n)) continue;
      if (n === g) { loops = true; break; }
      seen.add(n);
      // Do not walk past a release of this region.
      if (fa.nodeCalls[n].some((c) => r.releases.includes(c))) continue;
      stack.push(...fa.fn.nodes[n].succ);
    }
  }
  const escapes = fa.exits.some((w) => { const v = lockOf(w, r.key); return (v.st === 'R' || v.st === 'W') && v.acq === r.acquire; });
  return { gups, other, loops, escapes };
}
