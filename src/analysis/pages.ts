// Where the pages handed to a release call come from: a forward dataflow per function over
// the "roots" that hold pages (a local `pages` array, a `page` pointer, `obj->pages`),
// struct fields shared by the functions of one file, and helpers that release a parameter.
import type { CallSite, CfgNode, Expr } from '../parse/ir';
import type { FunctionAnalysis } from './lockstate';
import type { Program } from './program';
import { children, exprText, stripNoise } from './expr';
import { releaseFunctions } from '../kernel/api';
import { alternativeArms, undecidedAt } from '../preprocess/remap';

export type Fam = 'get' | 'pin';

/** Release functions: name -> family (folio_put() is the folio form of put_page()). */
export const RELEASES = new Map<string, Fam>([['folio_put', 'get']]);
for (const [name, r] of releaseFunctions) if (r.for === 'get' || r.for === 'pin') RELEASES.set(name, r.for);

/** Calls whose result is a page (or folio) that did not come from GUP. */
const PAGE_SOURCES = /^(alloc_pages?\w*|__alloc_pages\w*|folio_alloc\w*|dev_alloc_pages?|virt_to_page|vmalloc_to_page|pfn_to_page|phys_to_page|find_\w*(page|folio)\w*|filemap_\w*(page|folio)\w*|grab_cache_page\w*|read_mapping_(page|folio)\w*|read_cache_(page|folio)\w*|shmem_read_\w+|page_pool_\w+|follow_page\w*|vm_normal_(page|folio)|sg_page|nth_page|ZERO_PAGE|kmap_to_page|__get_free_page)$/;

/** Calls that take one more plain reference on a page the caller already holds. */
const EXTRA_REF = /^(get_page|try_get_page|get_page_unless_zero|folio_get|folio_try_get|page_ref_inc)$/;

/** Calls that only look through a page: the page itself is the argument's page. */
const SAME_PAGE = /^(page_folio|compound_head|folio_page|page_address|kmap|kmap_local_page|kmap_atomic)$/;

/** Tokens of a root's origin on a path: a GUP family, some other page, or "as named". */
type Tok = string; // 'get' | 'pin' | 'other' | `ref:${root}`
type State = Map<string, Set<Tok>>;

export interface GupRef { fa: FunctionAnalysis; call: CallSite }

/** The expression a page array or page pointer is named by, with indexes dropped. */
export function rootOf(e0: Expr): string | null {
  let e = stripNoise(e0);
  for (let i = 0; i < 8; i++) {
    switch (e.kind) {
      case 'id': return e.name;
      case 'field': return exprText(e).replace(/\[[^\]]*\]/g, '[]');
      case 'idx': e = stripNoise(e.operand); continue;
      case 'un':
        if (e.op === '&' || e.op === '*') { e = stripNoise(e.operand); continue; }
        return null;
      case 'bin':
        if (e.op === '+' || e.op === '-') { e = stripNoise(e.left); continue; }
        return null;
      case 'call':
        if (e.callee && SAME_PAGE.test(e.callee) && e.args[0]) { e = stripNoise(e.args[0]); continue; }
        return null;
      default: return null;
    }
  }
  return null;
}

/** Is the argument the whole root (strong update), not an element or an offset into it? */
function isWhole(e0: Expr): boolean {
  const e = stripNoise(e0);
  if (e.kind === 'id' || e.kind === 'field') return true;
  if (e.kind === 'un' && e.op === '&') { const x = stripNoise(e.operand); return x.kind === 'id' || x.kind === 'field'; }
  return false;
}

export function fieldKey(root: string): string | null {
  const m = /(?:->|\.)(\w+)$/.exec(root);
  return m ? m[1] : null;
}

/** The pages argument of a GUP call and its family, or null. */
export function gupPagesArg(fa: FunctionAnalysis, id: number): { arg: Expr; fam: Fam } | null {
  const cls = fa.classes[id];
  if (cls.kind !== 'gup' || !cls.era || (cls.era.pin !== 'get' && cls.era.pin !== 'pin')) return null;
  const i = cls.era.params.findIndex((p) => /^(pages|pagep|folios)$/.test(p.split(':')[0]));
  const arg = i >= 0 ? fa.fn.calls[id].args[i] : undefined;
  if (!arg) return null;
  const x = stripNoise(arg);
  if (x.kind === 'null' || (x.kind === 'num' && x.value === 0)) return null;
  return { arg, fam: cls.era.pin };
}

export interface ReleaseEvent {
  fa: FunctionAnalysis;
  call: CallSite;
  fam: Fam;
  root: string;
  /** Set when the release goes through a helper: the release call inside it. */
  via?: { fa: FunctionAnalysis; call: CallSite };
}

interface FnFacts {
  fa: FunctionAnalysis;
  /** Calls that may release, with the origin tokens of each argument's root (refs unresolved). */
  events: { call: CallSite; args: ({ root: string; toks: Set<Tok> } | null)[] }[];
  /** root -> GUP calls that filled it (flow-insensitive, for messages): of this function,
   * or (`fa`) of a helper that fills its parameter. */
  gups: Map<string, { call: CallSite; fam: Fam; fa?: FunctionAnalysis }[]>;
}

/** A function that fills a parameter with the pages of its own GUP call (`static int
 * drv_pin(..., struct page **pages) { return pin_user_pages_fast(..., pages); }`): the
 * parameter's index -> the family and the call. A call of it fills the caller's argument
 * the same way. */
type AcquireSummary = Map<number, { fam: Fam; gup: GupRef }>;
type AcquireOf = (from: FunctionAnalysis, c: CallSite) => AcquireSummary | null;

function acquireSummary(fa: FunctionAnalysis): AcquireSummary | null {
  const sm: AcquireSummary = new Map();
  const bad = new Set<number>();
  fa.fn.calls.forEach((c, id) => {
    const g = gupPagesArg(fa, id);
    const r = g ? rootOf(g.arg) : null;
    const pi = r ? fa.fn.params.indexOf(r) : -1;
    if (!g || pi < 0) return;
    const cur = sm.get(pi);
    if (cur && cur.fam !== g.fam) bad.add(pi);
    else if (!cur) sm.set(pi, { fam: g.fam, gup: { fa, call: c } });
  });
  for (const b of bad) sm.delete(b);
  return sm.size ? sm : null;
}

function cloneState(s: State): State {
  const o: State = new Map();
  for (const [k, v] of s) o.set(k, new Set(v));
  return o;
}

/** Field name -> what was stored into `x->name` anywhere in the file. */
type FieldStores = Map<string, { toks: Set<Tok>; gups: GupRef[] }>;

class FunctionPages {
  facts: FnFacts;
  /** Locals that point into another root: `pages = pvec + pinned`, `p = &obj->pages[i]`. */
  private derived = new Map<string, string>();
  constructor(private fa: FunctionAnalysis, private fields: FieldStores, private isRelease: (c: CallSite) => boolean, private acquireOf?: AcquireOf) {
    this.facts = { fa, events: [], gups: new Map() };
  }

  /** The pages argument a call fills, its family and the GUP call behind it: a GUP call,
   * or a call of a function that fills that parameter with its own GUP call. */
  private acquireAt(id: number): { arg: Expr; fam: Fam; gup: GupRef }[] {
    const g = gupPagesArg(this.fa, id);
    const call = this.fa.fn.calls[id];
    if (g) return [{ arg: g.arg, fam: g.fam, gup: { fa: this.fa, call } }];
    const sm = this.acquireOf?.(this.fa, call);
    if (!sm) return [];
    const out: { arg: Expr; fam: Fam; gup: GupRef }[] = [];
    for (const [i, v] of sm) {
      const a = call.args[i];
      const x = a ? stripNoise(a) : null;
      if (a && x && x.kind !== 'null' && !(x.kind === 'num' && x.value === 0)) out.push({ arg: a, fam: v.fam, gup: v.gup });
    }
    return out;
  }

  /** Roots worth a state: page arguments of GUP and release calls, and what they are copied
   * from or into (other locals, `i`, `ret`, ... are not followed). */
  private interesting = new Set<string>();

  private findInteresting(): void {
    const fn = this.fa.fn;
    const set = this.interesting;
    fn.calls.forEach((c, id) => {
      const gs = this.acquireAt(id);
      if (gs.length) { for (const g of gs) { const r = rootOf(g.arg); if (r) set.add(r); } return; }
      if (this.isRelease(c)) for (const a of c.args) { const r = rootOf(a); if (r) set.add(r); }
    });
    if (set.size === 0) return;
    const edges: [string, string][] = [];
    const sources = (e0: Expr, out: string[]) => {
      const e = stripNoise(e0);
      if (e.kind === 'cond') { sources(e.whenTrue, out); sources(e.whenFalse, out); return; }
      const r = rootOf(e);
      if (r) out.push(r);
    };
    for (const node of fn.nodes) {
      walkAssigns(node.expr, (l, r) => {
        const lr = rootOf(l);
        if (!lr) return;
        const srcs: string[] = [];
        sources(r, srcs);
        for (const x of srcs) edges.push([lr, x]);
      });
    }
    let changed = true;
    while (changed) {
      changed = false;
      for (const [a, b] of edges) {
        if (set.has(a) && !set.has(b)) { set.add(b); changed = true; }
        if (set.has(b) && !set.has(a)) { set.add(a); changed = true; }
      }
    }
  }

  run(): void {
    const fn = this.fa.fn;
    this.findInteresting();
    const inSets: (State | null)[] = fn.nodes.map(() => null);
    const queued = new Uint8Array(fn.nodes.length);
    const work: number[] = [0];
    inSets[0] = new Map();
    queued[0] = 1;
    let steps = 0;
    const join = (n: number, s: State) => {
      if (n < 0) return;
      const cur = inSets[n];
      let changed = false;
      if (!cur) { inSets[n] = cloneState(s); changed = true; }
      else {
        for (const [k, v] of s) {
          let t = cur.get(k);
          if (!t) { t = new Set<Tok>([`ref:${k}`]); cur.set(k, t); changed = true; }
          for (const x of v) if (!t.has(x)) { t.add(x); changed = true; }
        }
        for (const [k, v] of cur) if (!s.has(k) && !v.has(`ref:${k}`)) { v.add(`ref:${k}`); changed = true; }
      }
      if (changed && !queued[n]) { queued[n] = 1; work.push(n); }
    };
    while (work.length && steps++ < 20000) {
      const id = work.shift()!;
      queued[id] = 0;
      const s = cloneState(inSets[id]!);
      this.node(fn.nodes[id], s, false);
      for (const n of fn.nodes[id].succ) join(n, s);
    }
    // Final pass: record release events with the fixpoint states.
    for (const node of fn.nodes) if (inSets[node.id]) this.node(node, cloneState(inSets[node.id]!), true);
  }

  private node(node: CfgNode, s: State, record: boolean): void {
    if (node.expr) this.expr(node.expr, s, record);
  }

  private toksOf(e0: Expr, s: State, elementStore: boolean): Set<Tok> {
    const e = stripNoise(e0);
    if (e.kind === 'null' || e.kind === 'num') return new Set();
    if (e.kind === 'call') {
      if (e.callee === 'get_user_page_vma_remote') return new Set(['get']);
      if (e.callee && PAGE_SOURCES.test(e.callee)) return new Set(['other']);
      if (e.callee && SAME_PAGE.test(e.callee) && e.args[0]) return this.toksOf(e.args[0], s, elementStore);
      // An allocation of the array itself, or something unknown stored into one element.
      return elementStore ? new Set(['other']) : new Set();
    }
    if (e.kind === 'cond') {
      const a = this.toksOf(e.whenTrue, s, elementStore), b = this.toksOf(e.whenFalse, s, elementStore);
      for (const x of b) a.add(x);
      return a;
    }
    const r = rootOf(e);
    if (r) return new Set(s.get(r) ?? [`ref:${r}`]);
    return new Set(['other']);
  }

  private expr(e: Expr, s: State, record: boolean): void {
    switch (e.kind) {
      case 'call': {
        for (const a of e.args) this.expr(a, s, record);
        const call = this.fa.fn.calls[e.call];
        const acq = this.acquireAt(e.call);
        for (const g of acq) {
          const r = rootOf(g.arg);
          const from = g.gup.fa === this.fa ? undefined : g.gup.fa;
          if (r) {
            if (isWhole(g.arg)) s.set(r, new Set([g.fam]));
            else { const t = s.get(r) ?? new Set<Tok>([`ref:${r}`]); t.add(g.fam); s.set(r, t); }
            // `pages = pvec + pinned; gup(..., pages)` fills pvec too.
            const base = this.derived.get(r);
            if (base && base !== r) {
              const t = s.get(base) ?? new Set<Tok>([`ref:${base}`]);
              t.add(g.fam);
              s.set(base, t);
              if (record) {
                const list = this.facts.gups.get(base) ?? [];
                list.push({ call: g.gup.call, fam: g.fam, ...(from ? { fa: from } : {}) });
                this.facts.gups.set(base, list);
              }
              const bk = fieldKey(base);
              if (bk) this.storeField(bk, new Set([g.fam]), g.gup);
            }
            if (record) {
              const list = this.facts.gups.get(r) ?? [];
              list.push({ call: g.gup.call, fam: g.fam, ...(from ? { fa: from } : {}) });
              this.facts.gups.set(r, list);
            }
            const fk = fieldKey(r);
            if (fk) this.storeField(fk, new Set([g.fam]), g.gup);
          }
        }
        if (acq.length) return;
        // An extra reference taken on pages the function holds (`get_page(pages[i])` before
        // handing them to an skb frag): a put_page() of them may drop that one, not the pin.
        if (call.name && EXTRA_REF.test(call.name) && e.args[0]) {
          const r = rootOf(e.args[0]);
          if (r && this.interesting.has(r)) { const t = s.get(r) ?? new Set<Tok>([`ref:${r}`]); t.add('other'); s.set(r, t); }
        }
        if (record && this.isRelease(call)) {
          this.facts.events.push({
            call,
            args: e.args.map((a) => { const r = rootOf(a); return r ? { root: r, toks: new Set(s.get(r) ?? [`ref:${r}`]) } : null; }),
          });
        }
        return;
      }
      case 'assign': {
        this.expr(e.right, s, record);
        const l = stripNoise(e.left);
        const r = rootOf(l);
        if (!r || e.op !== '=') { this.expr(e.left, s, record); return; }
        const whole = l.kind === 'id' || l.kind === 'field';
        const fk = fieldKey(r);
        if (!this.interesting.has(r) && !fk) return;
        const rr = stripNoise(e.right);
        if (l.kind === 'id' && (rr.kind === 'bin' || (rr.kind === 'un' && rr.op === '&'))) {
          const src = rootOf(rr);
          if (src && src !== r) this.derived.set(r, src);
        }
        const toks = this.toksOf(e.right, s, !whole);
        if (this.interesting.has(r)) {
          if (whole) s.set(r, toks);
          else { const t = s.get(r) ?? new Set<Tok>([`ref:${r}`]); for (const x of toks) t.add(x); s.set(r, t); }
        }
        if (fk) {
          const concrete = new Set([...toks].filter((x) => x === 'get' || x === 'pin' || x === 'other'));
          // The GUP calls behind a copied local (`obj->pages = pages`).
          const src = rootOf(e.right);
          const gups = src ? (this.facts.gups.get(src) ?? []).map((g) => ({ fa: g.fa ?? this.fa, call: g.call })) : [];
          if (concrete.size) this.storeField(fk, concrete, ...gups);
        }
        return;
      }
      default:
        for (const c of childExprs(e)) this.expr(c, s, record);
    }
  }

  private storeField(key: string, toks: Set<Tok>, ...gups: GupRef[]): void {
    const cur = this.fields.get(key) ?? { toks: new Set<Tok>(), gups: [] };
    for (const t of toks) cur.toks.add(t);
    for (const g of gups) if (!cur.gups.some((x) => x.call === g.call)) cur.gups.push(g);
    this.fields.set(key, cur);
  }
}

/** Every `l = r` assignment in an expression. */
function walkAssigns(e: Expr | null, f: (l: Expr, r: Expr) => void): void {
  if (!e) return;
  if (e.kind === 'assign' && e.op === '=') f(e.left, e.right);
  if (e.kind === 'call') { for (const a of e.args) walkAssigns(a, f); return; }
  if (e.kind === 'assign') { walkAssigns(e.right, f); walkAssigns(e.left, f); return; }
  for (const c of childExprs(e)) walkAssigns(c, f);
}

/** Sub-expressions, without descending into calls and assignments (handled by the caller). */
function childExprs(e: Expr): Expr[] {
  return e.kind === 'call' || e.kind === 'assign' ? [] : children(e);
}

export interface Mismatch {
  ev: ReleaseEvent;
  /** The GUP calls the pages come from. */
  gups: GupRef[];
  acquired: Fam;
  /** The pages come from either family by an #if the tool cannot decide (`#ifdef
   * HAVE_PIN_USER_PAGES_FAST` / `#else`): the mismatch exists only in the builds of the
   * arms of `gups`. */
  onlyInArms?: boolean;
}

type Summary = Map<number, { fam: Fam; call: CallSite; fa: FunctionAnalysis }>;

/** Every release whose pages come, on all paths, from the other GUP family. `onRelease`
 * sees every release with the GUP calls its pages may come from (the callers census). */
export function pageMismatches(p: Program, onRelease?: (ev: ReleaseEvent, gups: GupRef[]) => void): Mismatch[] {
  // Static inline helpers in headers are called from other files.
  const headerStatics = new Map<string, FunctionAnalysis[]>();
  for (const fa of p.functions) {
    if (!fa.fn.file.endsWith('.h') || !fa.fn.isStatic) continue;
    const l = headerStatics.get(fa.fn.name) ?? [];
    l.push(fa);
    headerStatics.set(fa.fn.name, l);
  }
  const summaries = new Map<FunctionAnalysis, Summary>();
  const helperOf = (from: FunctionAnalysis, c: CallSite): Summary | null => {
    if (!c.name || RELEASES.has(c.name)) return null;
    const defs = p.resolve(from, c.name);
    for (const g of defs.length ? defs : headerStatics.get(c.name) ?? []) {
      const sm = summaries.get(g);
      if (sm && sm.size && g !== from) return sm;
    }
    return null;
  };
  const isRelease = (from: FunctionAnalysis) => (c: CallSite) => !!c.name && (RELEASES.has(c.name) || helperOf(from, c) !== null);
  // Functions filling a parameter with their GUP call's pages: their calls acquire too.
  const acquirers = new Map<FunctionAnalysis, AcquireSummary>();
  for (const fa of p.functions) {
    if (!fa.classes.some((c) => c.kind === 'gup')) continue;
    const sm = acquireSummary(fa);
    if (sm) acquirers.set(fa, sm);
  }
  const acquireOf: AcquireOf = (from, c) => {
    if (!c.name || !acquirers.size) return null;
    for (const g of p.resolve(from, c.name)) if (g !== from && acquirers.has(g)) return acquirers.get(g)!;
    return null;
  };

  // Round 0 runs the functions with a GUP or release call; each later round re-runs the
  // callers of helpers whose summaries appeared in the round before. Field stores only grow.
  const facts = new Map<FunctionAnalysis, FnFacts>();
  const fieldsOf = new Map<string, FieldStores>();
  const fieldsFor = (file: string) => { let f = fieldsOf.get(file); if (!f) { f = new Map(); fieldsOf.set(file, f); } return f; };
  const direct = (fa: FunctionAnalysis) => fa.fn.calls.some((c, id) => (c.name !== null && RELEASES.has(c.name)) || gupPagesArg(fa, id) !== null || acquireOf(fa, c) !== null);
  let todo = p.functions.filter(direct);
  for (let round = 0; round < 4 && todo.length; round++) {
    for (const fa of todo) {
      const fp = new FunctionPages(fa, fieldsFor(fa.fn.file), isRelease(fa), acquireOf);
      fp.run();
      facts.set(fa, fp.facts);
    }
    const fresh = new Set<string>();
    for (const fa of todo) {
      const sm = releaseSummary(fa, facts.get(fa)!, helperOf);
      const prev = summaries.get(fa);
      if (sm.size !== (prev?.size ?? 0)) fresh.add(fa.fn.name);
      summaries.set(fa, sm);
    }
    todo = fresh.size ? p.functions.filter((fa) => fa.fn.calls.some((c) => c.name !== null && fresh.has(c.name))) : [];
  }

  const out: Mismatch[] = [];
  for (const [fa, f] of facts) {
    const events = releaseEvents(fa, f, fieldsOf.get(fa.fn.file)!, helperOf);
    if (onRelease) for (const x of events) onRelease(x.ev, x.gups);
    out.push(...mismatchesAmong(events));
  }
  return out;
}

type HelperOf = (from: FunctionAnalysis, c: CallSite) => Summary | null;

/** A release helper's summary: parameter index -> the family its releases use (parameters
 * released by both families left out). */
function releaseSummary(fa: FunctionAnalysis, f: FnFacts, helperOf: HelperOf): Summary {
  const sm: Summary = new Map();
  const bad = new Set<number>();
  for (const ev of f.events) {
    for (const { fam, argIndex, inner } of releaseFamsOf(fa, ev.call, helperOf) ?? []) {
      const a = ev.args[argIndex];
      if (!a || a.toks.size !== 1) continue;
      const t = [...a.toks][0];
      if (!t.startsWith('ref:')) continue;
      const pi = fa.fn.params.indexOf(t.slice(4));
      if (pi < 0) continue;
      const cur = sm.get(pi);
      if (cur && cur.fam !== fam) bad.add(pi);
      else if (!cur) sm.set(pi, { fam, call: inner?.call ?? ev.call, fa: inner?.fa ?? fa });
    }
  }
  for (const b of bad) sm.delete(b);
  return sm;
}

interface ReleaseSite { ev: ReleaseEvent; resolved: Set<string>; gups: GupRef[]; local: boolean }

/** The releases of a function, each with where its pages may come from: the families
 * (`resolved`: get, pin, other or unknown) and the GUP calls. */
function releaseEvents(fa: FunctionAnalysis, f: FnFacts, fields: FieldStores, helperOf: HelperOf): ReleaseSite[] {
  const events: ReleaseSite[] = [];
  for (const e of f.events) {
    for (const { fam, argIndex, inner } of releaseFamsOf(fa, e.call, helperOf) ?? []) {
      const a = e.args[argIndex];
      if (!a) continue;
      const resolved = new Set<string>();
      const gups: GupRef[] = [];
      for (const t of a.toks) {
        if (!t.startsWith('ref:')) { resolved.add(t); continue; }
        const r = t.slice(4);
        const fk = fieldKey(r);
        const st = fk ? fields.get(fk) : undefined;
        if (st) { for (const x of st.toks) resolved.add(x); gups.push(...st.gups); continue; }
        resolved.add('unknown');
      }
      // GUP calls of this function behind the root (or the local it was copied from).
      for (const [r, list] of f.gups) if (r === a.root || a.toks.has(`ref:${r}`)) for (const g of list) gups.push({ fa: g.fa ?? fa, call: g.call });
      if (gups.length === 0) for (const list of f.gups.values()) for (const g of list) gups.push({ fa: g.fa ?? fa, call: g.call });
      events.push({ ev: { fa, call: e.call, fam, root: a.root, via: inner }, resolved, gups, local: [...a.toks].every((t) => !t.startsWith('ref:')) });
    }
  }
  return events;
}

/** The releases of one function whose pages come, on all paths, from the other family. */
function mismatchesAmong(events: ReleaseSite[]): Mismatch[] {
  // A root that comes from elsewhere (a parameter), or a struct field, released by both
  // families in one function: the code tells two kinds of pages apart (`if (buf->user)
  // unpin... else put_page...`), and the other kind may come from a file not seen here
  // or from a non-GUP helper filling the same field (TEE shared memory, triaged on 6.1).
  const out: Mismatch[] = [];
  const famsByRoot = new Map<string, Set<Fam>>();
  for (const x of events) { const s = famsByRoot.get(x.ev.root) ?? new Set<Fam>(); s.add(x.ev.fam); famsByRoot.set(x.ev.root, s); }
  for (const x of events) {
    if ((!x.local || /->|\./.test(x.ev.root)) && (famsByRoot.get(x.ev.root)?.size ?? 0) > 1) continue;
    if (x.resolved.size === 2 && x.resolved.has('get') && x.resolved.has('pin')) {
      const arms = armsMismatch(x);
      if (arms) out.push(arms);
      continue;
    }
    if (x.resolved.size !== 1) continue;
    const acquired = [...x.resolved][0];
    if (acquired !== 'get' && acquired !== 'pin') continue;
    if (acquired === x.ev.fam) continue;
    const gups = x.gups.filter((g) => gupPagesArg(g.fa, g.call.id)?.fam === acquired);
    out.push({ ev: x.ev, gups: dedupe(gups), acquired });
  }
  return out;
}

/** Pages from both families where each family's GUP calls sit in other arms of the same
 * undecided #if groups (a configure switch between pin_user_pages_fast() and
 * get_user_pages_fast()): a build has one family only, so a release of the other family is
 * a mismatch in the builds of those arms. */
function armsMismatch(x: ReleaseSite): Mismatch | null {
  // (A release in an arm of its own may go with the GUP call of that arm only: not judged.)
  const ranges = x.ev.fa.fn.undecided;
  if (undecidedAt(ranges, x.ev.call.span.line)) return null;
  const other = x.ev.fam === 'pin' ? 'get' : 'pin';
  const mine = x.gups.filter((g) => gupPagesArg(g.fa, g.call.id)?.fam === x.ev.fam);
  const theirs = x.gups.filter((g) => gupPagesArg(g.fa, g.call.id)?.fam === other);
  if (!mine.length || !theirs.length) return null;
  const apart = theirs.every((t) => t.fa === x.ev.fa && mine.every((m) => m.fa === t.fa && alternativeArms(ranges, t.call.span.line, m.call.span.line)));
  return apart ? { ev: x.ev, gups: dedupe(theirs), acquired: other, onlyInArms: true } : null;
}

function dedupe(gs: GupRef[]): GupRef[] {
  const seen = new Set<CallSite>();
  return gs.filter((g) => { if (seen.has(g.call)) return false; seen.add(g.call); return true; });
}

/** What a release call releases: the API's family on argument 0, or a helper's summary. */
function releaseFamsOf(
  fa: FunctionAnalysis, c: CallSite,
  helperOf: (from: FunctionAnalysis, c: CallSite) => Map<number, { fam: Fam; call: CallSite; fa: FunctionAnalysis }> | null,
): { fam: Fam; argIndex: number; inner?: { fa: FunctionAnalysis; call: CallSite } }[] | null {
  if (!c.name) return null;
  const api = RELEASES.get(c.name);
  if (api) return [{ fam: api, argIndex: 0 }];
  const sm = helperOf(fa, c);
  if (!sm) return null;
  return [...sm].map(([i, v]) => ({ fam: v.fam, argIndex: i, inner: { fa: v.fa, call: v.call } }));
}
