// Stage 3: caller expansion. Functions whose lock context comes from their callers
// (a GUP call reached with the entry state, for an mm the callers can name) send the
// search to the files that call them; those files' calling functions are extracted, and
// again, up to --call-depth rounds. The lock context itself is then one summary per
// (function, mm) over the call graph (src/analysis/program.ts).
import * as path from 'path';
import { gupFunctions, isGupName, type Version } from '../kernel/api';
import { atomicPrimitive, atomicPrimitiveNames } from '../kernel/atomic-primitives';
import { ATOMIC_REGISTRATION_NAMES } from '../kernel/entries';
import { calledToken, nameToken } from '../parse/cut';
import type { TreeScan } from '../scan';
import { AnalysisMemo, Program } from '../analysis/program';
import { lockOf, type FunctionAnalysis } from '../analysis/lockstate';
import { gupSites } from '../analysis/sites';
import { gupPagesArg, RELEASES } from '../analysis/pages';
import { DMA_USE } from '../analysis/pagerefs';
import { exprText, stripNoise } from '../analysis/expr';
import { flagsArg } from '../analysis/flags';
import { walk } from '../analysis/expr';
import type { Expr } from '../parse/ir';
import type { AuditProfile, AuditStats } from './types';
import type { FactsStore } from './facts';
import type { StructVisibility } from '../parse/includes';

/** Files calling a field name (`->move(`) beyond this many: the field is too common to
 * follow by name alone, and its calls are not searched. */
const FIELD_CALLER_FILE_CAP = 64;

export interface CallerExpansion {
  rounds: AuditProfile['rounds'];
  /** `file:function` of every helper whose callers were searched. */
  searched: Set<string>;
  /** Fields whose calls were too common to search. */
  fieldsNotSearched: Set<string>;
  /** Wall ms of the caller scans. */
  scanMs: number;
}

export async function expandCallers(store: FactsStore, scan: TreeScan, root: string, version: Version, callDepth: number, memo: AnalysisMemo, stats: AuditStats, visibility?: StructVisibility): Promise<CallerExpansion> {
  const x: CallerExpansion = { rounds: [], searched: new Set(), fieldsNotSearched: new Set(), scanMs: 0 };
  const flagged = new Set<string>();
  const aliasSearched = new Set<string>();
  /** `file:function` of the functions known to sleep whose own-file callers were extracted. */
  const sleepy = new Set<string>();
  const searchedNames = new Set<string>();
  let atomicFiles: Set<string> | null = null;
  const crossAtomic: FunctionAnalysis[] = [];
  for (let round = 0; round < callDepth; round++) {
    const tr = Date.now();
    const prog = new Program(store.functions, version, callDepth, memo, visibility, store.aliases);
    const needCallers = callerDependent(prog, round).filter((fa) => !x.searched.has(`${fa.fn.file}:${fa.fn.name}`));
    // (First round: a function with a sleeping GUP call that none of the above covers, such
    // as a helper taking the mmap lock itself, has its callers in its own file extracted: one
    // of them may call it with a spinlock held, gup-in-atomic.)
    // (And in the first two rounds, a function whose GUP call's flags come from its
    // parameters, or that passes its parameters on to such a function, has its own file's
    // callers extracted: the flags the rules read, FOLL_LONGTERM, are written there.)
    // (Later rounds: the own-file callers of those found to call such a function, so that
    // an atomic section two or more calls up in the file is seen: helper <- l2 <- f.)
    // (Only in files that open an atomic section somewhere: the call indexes say which.)
    if (round === 1 && atomicFiles === null) atomicFiles = new Set([...(await scan.callers(atomicOpeners())).keys()].map((f) => path.relative(root, f)));
    const ownFile = round === 0 ? sleepingHelpers(prog, needCallers, sleepy) : sleepingCallers(prog, sleepy, atomicFiles ?? new Set());
    // (A global sleeping helper of the first round, `int drv_map_user(...)` in pin.c, may be
    // called under a spinlock from another file, an IRQ handler in irq.c: its callers in the
    // files that open an atomic section somewhere are extracted too, once.)
    if (round === 0) for (const fa of ownFile) if (!fa.fn.isStatic) crossAtomic.push(fa);
    const atomicGlobals = round === 1 ? crossAtomic.filter((fa) => !x.searched.has(`${fa.fn.file}:${fa.fn.name}`)) : [];
    if (round < 2) for (const fa of flagForwarders(prog, flagged)) if (!ownFile.includes(fa) && !needCallers.includes(fa)) ownFile.push(fa);
    // Macros found to be another name of a function whose callers were searched: their
    // callers are that function's callers (the calls resolve through Program's aliases).
    const aliasNames: string[] = [];
    for (const [m, t] of store.aliases) if (!aliasSearched.has(m) && searchedNames.has(t)) { aliasSearched.add(m); aliasNames.push(m); }
    const rp = { programMs: Date.now() - tr, callersMs: 0, extractMs: 0, files: 0, functions: store.functions.length };
    x.rounds.push(rp);
    if (needCallers.length === 0 && ownFile.length === 0 && aliasNames.length === 0 && atomicGlobals.length === 0) break;
    stats.callGraphRounds++;
    const t3 = Date.now();
    for (const fa of needCallers) searchedNames.add(fa.fn.name);
    const work = await callingFiles(needCallers, scan, root, x, ownFile, aliasNames, atomicGlobals, atomicFiles);
    if (round === 0) for (const [f, names] of await releaseHelperCallers(prog, scan, root)) {
      if (!work.has(f)) work.set(f, new Set());
      for (const n of names) work.get(f)!.add(n);
    }
    rp.callersMs = Date.now() - t3;
    x.scanMs += rp.callersMs;
    // One request per file with the names that matter there.
    const byNames = new Map<string, string[]>();
    for (const [f, names] of work) {
      const key = [...names].sort().join(',');
      if (!byNames.has(key)) byNames.set(key, []);
      byNames.get(key)!.push(f);
    }
    const te = Date.now();
    rp.files = work.size;
    await Promise.all([...byNames].map(([key, files]) => store.extract(files, key.split(','), false)));
    rp.extractMs = Date.now() - te;
    rp.functions = store.functions.length - rp.functions;
  }
  store.endReplay();
  return x;
}

/** The files that call one of `needCallers`, each with the names worth extracting there. */
async function callingFiles(needCallers: FunctionAnalysis[], scan: TreeScan, root: string, x: CallerExpansion, ownFile: FunctionAnalysis[] = [], aliasNames: string[] = [], atomicGlobals: FunctionAnalysis[] = [], atomicFiles: ReadonlySet<string> | null = null): Promise<Map<string, Set<string>>> {
  const staticByFile = new Map<string, Set<string>>();
  for (const fa of ownFile) {
    const abs = path.join(root, fa.fn.file);
    if (!staticByFile.has(abs)) staticByFile.set(abs, new Set());
    staticByFile.get(abs)!.add(nameToken(fa.fn.name));
  }
  // Global helpers by the identifier their callers call (`FNAME` for `FNAME(fetch)`),
  // with the identifiers that make a function of a calling file worth extracting.
  const globals = new Map<string, Set<string>>();
  const fieldTokens = new Set<string>();
  for (const fa of needCallers) {
    x.searched.add(`${fa.fn.file}:${fa.fn.name}`);
    // Static functions are called only from their own file, unless they live in a header.
    if (fa.fn.isStatic && !fa.fn.file.endsWith('.h')) {
      const abs = path.join(root, fa.fn.file);
      if (!staticByFile.has(abs)) staticByFile.set(abs, new Set());
      staticByFile.get(abs)!.add(nameToken(fa.fn.name));
    } else {
      const called = calledToken(fa.fn.name);
      if (!globals.has(called)) globals.set(called, new Set());
      globals.get(called)!.add(nameToken(fa.fn.name));
    }
    // Stored into an ops table: the calls through that field (`->move(`) are callers.
    for (const f of fa.fn.pointerFields ?? []) {
      if (!globals.has(f)) globals.set(f, new Set());
      globals.get(f)!.add(f);
      fieldTokens.add(f);
    }
  }
  for (const m of aliasNames) if (!globals.has(m)) globals.set(m, new Set([m]));
  const work = new Map<string, Set<string>>(staticByFile);
  if (atomicGlobals.length && atomicFiles) {
    const names = new Map<string, Set<string>>();
    for (const fa of atomicGlobals) {
      const called = calledToken(fa.fn.name);
      (names.get(called) ?? names.set(called, new Set()).get(called)!).add(nameToken(fa.fn.name));
    }
    for (const [h, got] of await scan.callers([...names.keys()])) {
      if (!atomicFiles.has(path.relative(root, h))) continue;
      if (!work.has(h)) work.set(h, new Set());
      for (const g of got) for (const t of names.get(g)!) work.get(h)!.add(t);
    }
  }
  if (!globals.size) return work;
  // Files calling one of the helpers, with the names each calls (src/scan.ts).
  const hits = await scan.callers([...globals.keys()]);
  dropCommonFields(hits, fieldTokens, globals, x.fieldsNotSearched);
  for (const [h, names] of hits) {
    if (!work.has(h)) work.set(h, new Set());
    for (const g of names) for (const t of globals.get(g)!) work.get(h)!.add(t);
  }
  return work;
}

/** Callees defined in files that are not candidates (a 6.x helper that only calls
 * mmap_read_unlock() has no prefilter token): called while an mmap lock is held in a
 * function with a GUP call, unresolved, and not part of the API. Their bodies decide whether
 * the helper releases the caller's lock (unbalanced-mmap-lock), so the files that define
 * them are searched and those functions extracted, once. */
export const CALLEE_NAME_CAP = 4000;
/** A callee name found in more files than this is not followed. */
export const CALLEE_FILE_CAP = 16;

export async function extractCallees(store: FactsStore, scan: TreeScan, version: Version, callDepth: number, memo: AnalysisMemo, stats: AuditStats, visibility?: StructVisibility): Promise<void> {
  const prog = new Program(store.functions, version, callDepth, memo, visibility, store.aliases);
  const names = new Set<string>();
  for (const fa of prog.functions) {
    if (!fa.classes.some((c) => c.kind === 'gup')) continue;
    fa.fn.calls.forEach((c, i) => {
      if (!c.name || fa.classes[i].kind !== 'other' || names.size >= CALLEE_NAME_CAP) return;
      if (!fa.atCall[i].some((w) => Object.values(w.locks).some((v) => v.st === 'R' || v.st === 'W'))) return;
      if (prog.resolve(fa, c.name).length === 0) names.add(c.name);
    });
  }
  // Helpers that FOLL_GET pages are handed to (`build_sg(pages, n, &sgl)`): they may put
  // them into a DMA mapping (get-pages-for-dma follows the array into them).
  for (const fa of prog.functions) {
    fa.fn.calls.forEach((_, i) => {
      const g = gupPagesArg(fa, i);
      const root = g && g.fam === 'get' ? stripNoise(g.arg) : null;
      // (A local, `pages`, or a struct's field, `ub->pages`.)
      if (!root || !(root.kind === 'id' || (root.kind === 'field' && fieldPath(root)))) return;
      const rt = exprText(root);
      for (const d of fa.fn.calls) {
        if (!d.name || names.size >= CALLEE_NAME_CAP || DMA_USE.test(d.name) || isGupName(d.name)) continue;
        if (d.args.some((x) => exprText(stripNoise(x)) === rt) && prog.resolve(fa, d.name).length === 0) names.add(d.name);
      }
    });
  }
  if (names.size === 0) return;
  const hits = await scan.callers([...names]);
  // A name written in many files is a kernel API (find_vma(), kfree()), modelled or not
  // lock-relevant, not a driver's helper: only the rare ones are followed.
  const files = new Map<string, number>();
  for (const ns of hits.values()) for (const n of ns) files.set(n, (files.get(n) ?? 0) + 1);
  for (const ns of hits.values()) for (const n of [...ns]) if (files.get(n)! > CALLEE_FILE_CAP) ns.delete(n);
  const byNames = new Map<string, string[]>();
  for (const [f, ns] of hits) {
    if (ns.size === 0) continue;
    const key = [...ns].sort().join(',');
    (byNames.get(key) ?? byNames.set(key, []).get(key)!).push(f);
  }
  await Promise.all([...byNames].map(([key, files]) => store.extract(files, key.split(','), false)));
  stats.calleeNamesSearched = names.size;
  stats.calleeFilesExtracted = [...byNames.values()].reduce((a, f) => a + f.length, 0);
}

/** `a->b.c`: fields over an identifier. */
function fieldPath(e: Expr): boolean {
  const x = stripNoise(e);
  return x.kind === 'id' || (x.kind === 'field' && fieldPath(x.operand));
}

/** Where --call-depth ended the caller search, the chains that reach it say so. */
export function markUnsearched(program: Program, x: CallerExpansion): void {
  for (const fa of callerDependent(program, x.rounds.length)) {
    const k = `${fa.fn.file}:${fa.fn.name}`;
    if (!x.searched.has(k)) program.unsearched.add(k);
  }
}

/** Functions that release the entries of an array parameter (`static inline void
 * drv_put_pages(struct page **p, unsigned long n) { ... put_page(p[i]); }`): their callers
 * in the files with a GUP call (where a struct field filled by the GUP call is released
 * through them: pin-put-mismatch) are extracted, once, in the first round. A helper called
 * in more than CALLEE_FILE_CAP files is a kernel API, not followed. */
async function releaseHelperCallers(p: Program, scan: TreeScan, root: string): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const gupFiles = new Set<string>();
  for (const fa of p.functions) if (fa.classes.some((c) => c.kind === 'gup')) gupFiles.add(fa.fn.file);
  if (!gupFiles.size) return out;
  const names = new Map<string, Set<string>>();
  for (const fa of p.functions) {
    if (!fa.fn.params.length || isGupName(fa.fn.name) || RELEASES.has(fa.fn.name)) continue;
    const releases = fa.fn.calls.some((c) => {
      if (!c.name || !RELEASES.has(c.name) || !c.args[0]) return false;
      let e = stripNoise(c.args[0]);
      while (e.kind === 'idx' || (e.kind === 'un' && (e.op === '*' || e.op === '&'))) e = stripNoise(e.kind === 'idx' ? e.operand : e.operand);
      return e.kind === 'id' && fa.fn.params.includes(e.name);
    });
    if (!releases) continue;
    const called = calledToken(fa.fn.name);
    (names.get(called) ?? names.set(called, new Set()).get(called)!).add(nameToken(fa.fn.name));
  }
  if (!names.size) return out;
  const hits = await scan.callers([...names.keys()]);
  const files = new Map<string, number>();
  for (const got of hits.values()) for (const g of got) files.set(g, (files.get(g) ?? 0) + 1);
  for (const [h, got] of hits) {
    if (!gupFiles.has(path.relative(root, h))) continue;
    for (const g of got) {
      if (files.get(g)! > CALLEE_FILE_CAP) continue;
      if (!out.has(h)) out.set(h, new Set());
      for (const t of names.get(g)!) out.get(h)!.add(t);
    }
  }
  return out;
}

/** Drop the hits of field names called in more than FIELD_CALLER_FILE_CAP files (recorded in
 * `dropped`), unless the same token also names a helper called directly. */
function dropCommonFields(hits: Map<string, Set<string>>, fields: Set<string>, globals: Map<string, Set<string>>, dropped: Set<string>): void {
  const count = new Map<string, number>();
  for (const names of hits.values()) for (const n of names) if (fields.has(n)) count.set(n, (count.get(n) ?? 0) + 1);
  for (const [f, n] of count) {
    if (n <= FIELD_CALLER_FILE_CAP) continue;
    dropped.add(f);
    const tokens = globals.get(f)!;
    tokens.delete(f);
    if (tokens.size === 0) for (const names of hits.values()) names.delete(f);
  }
}

/** Functions with a sleeping GUP call whose callers no other search looks for: not in
 * `searched` (the lock-context search of this round). Only their own file's callers are
 * extracted (a helper and the ioctl calling it under a spinlock): a global helper's callers
 * in other files are not searched for this alone. */
function sleepingHelpers(p: Program, searched: FunctionAnalysis[], sleepy: Set<string>): FunctionAnalysis[] {
  const skip = new Set(searched);
  const out = new Set<FunctionAnalysis>();
  for (const s of gupSites(p)) {
    if (!s.call.name || !gupFunctions.get(s.call.name)?.sleeps) continue;
    // (Known to sleep, whoever finds its callers: its own file's callers of those callers
    // are followed from the next round on, sleepingCallers.)
    sleepy.add(`${s.fa.fn.file}:${s.fa.fn.name}`);
    if (skip.has(s.fa) || out.has(s.fa) || s.fa.fn.file.endsWith('.h')) continue;
    out.add(s.fa);
  }
  return [...out];
}

/** Functions (not of headers) that call one of their own file known to sleep (one with a
 * sleeping GUP call, or one found here before) and are not known themselves: they sleep too;
 * each returned once (added to `sleepy`), for its own file's callers, when their file opens
 * an atomic section somewhere (`atomicFiles`, relative paths). */
function sleepingCallers(p: Program, sleepy: Set<string>, atomicFiles: ReadonlySet<string>): FunctionAnalysis[] {
  const out: FunctionAnalysis[] = [];
  for (const fa of p.functions) {
    const key = `${fa.fn.file}:${fa.fn.name}`;
    if (sleepy.has(key) || fa.fn.file.endsWith('.h') || !atomicFiles.has(fa.fn.file)) continue;
    // (A static function: its own file's callers are all its callers.)
    if (!fa.fn.isStatic) continue;
    if (fa.fn.calls.some((c) => c.name && p.resolve(fa, c.name).some((d) => d !== fa && d.fn.file === fa.fn.file && sleepy.has(`${d.fn.file}:${d.fn.name}`)))) out.push(fa);
  }
  for (const fa of out) sleepy.add(`${fa.fn.file}:${fa.fn.name}`);
  return out;
}

/** Functions whose GUP call takes its gup_flags from a parameter (`flagged` starts empty), and
 * then functions that pass a parameter on to one of those: each returned once (`flagged`
 * keeps `file:function` of those already returned). */
function flagForwarders(p: Program, flagged: Set<string>): FunctionAnalysis[] {
  const out: FunctionAnalysis[] = [];
  const keyOf = (fa: FunctionAnalysis) => `${fa.fn.file}:${fa.fn.name}`;
  const dependent = new Set<FunctionAnalysis>();
  const mentionsParam = (fa: FunctionAnalysis, e: Expr | null | undefined) => {
    let hit = false;
    walk(e ?? null, (x) => { if (hit) return false; if (x.kind === 'id' && fa.fn.params.includes(x.name)) hit = true; return true; });
    return hit;
  };
  for (const s of gupSites(p)) {
    if (!s.cls.era || s.fa.fn.file.endsWith('.h')) continue;
    if (mentionsParam(s.fa, flagsArg(s.cls.era.params, s.call.args))) dependent.add(s.fa);
  }
  // Forwarders: a call of an already flagged function with a parameter among its arguments.
  for (const fa of p.functions) {
    if (dependent.has(fa) || fa.fn.file.endsWith('.h')) continue;
    for (const c of fa.fn.calls) {
      if (!c.name || !c.args.some((a) => mentionsParam(fa, a))) continue;
      if (p.resolve(fa, c.name).some((d) => d !== fa && flagged.has(keyOf(d)))) { dependent.add(fa); break; }
    }
  }
  for (const fa of dependent) {
    if (flagged.has(keyOf(fa))) continue;
    flagged.add(keyOf(fa));
    out.push(fa);
  }
  return out;
}

/** An mm key the callers can name: `current->mm` or one reached from a parameter. */
function mappable(fa: FunctionAnalysis, key: string | null): boolean {
  if (!key) return false;
  const head = /^([A-Za-z_]\w*)/.exec(key)?.[1];
  return head === 'current' || (head !== undefined && fa.fn.params.includes(head));
}

/** Functions whose lock context comes from their callers: a GUP call or a call of such a
 * function reached with the lock state as at entry, for an mm the callers can name. */
function callerDependent(p: Program, round: number): FunctionAnalysis[] {
  const out = new Set<FunctionAnalysis>();
  // Self-locking variants (*_fast, *_unlocked) in a helper: only its direct callers are
  // looked for (a caller holding the lock around the helper); lock-requiring calls follow
  // the whole chain up to --call-depth.
  const selfLocking = new Set<FunctionAnalysis>();
  for (const s of gupSites(p)) {
    const e = s.cls.era;
    if (!e || e.lock === 'any' || !mappable(s.fa, s.cls.key)) continue;
    if (!s.fa.atCall[s.call.id].some((w) => lockOf(w, s.cls.key!).st === 'E')) continue;
    if (e.lock === 'forbidden') selfLocking.add(s.fa);
    else out.add(s.fa);
  }
  // Propagate to the callers that call such a function in their own entry state: a
  // worklist over the caller edges, so each edge is looked at once.
  const work = [...out];
  while (work.length) {
    const callee = work.pop()!;
    for (const step of p.callersOf(callee)) {
      const fa = step.caller;
      if (fa === callee || out.has(fa)) continue;
      if (fa.atCall[step.call.id].some((w) => Object.values(w.locks).every((v) => v.st === 'E'))) { out.add(fa); work.push(fa); }
    }
  }
  if (round === 0) for (const f of selfLocking) out.add(f);
  return [...out];
}

/** The primitives that open an atomic section (spin_lock(), local_irq_save(), ...), and the
 * registrations of callbacks run in atomic context (request_irq(), timer_setup(), ...). */
function atomicOpeners(): string[] {
  return [...atomicPrimitiveNames().filter((n) => atomicPrimitive(n)?.op !== 'exit'), ...ATOMIC_REGISTRATION_NAMES];
}
