// The audit pipeline: discover -> prefilter -> parse (workers) -> facts -> analysis -> rules.
import * as path from 'path';
import { createHash } from 'crypto';
import { discover } from './discover';
import { UsageError } from './errors';
import { detectTree, type TreeInfo } from './kernel/era';
import { gupNames, lockNames, releaseFunctions, type Version } from './kernel/api';
import { WorkerPool, workerCount } from './parse/pool';
import { calledToken, nameToken } from './parse/cut';
import type { FileFacts, FunctionIR } from './parse/ir';
import type { ExtractResult } from './parse/worker';
import { TreeScan, type ScanProfile, type Shard } from './scan';
import { AuditCache, buildId, cacheDirFor } from './cache';
import { AnalysisMemo, Program } from './analysis/program';
import { BudgetLedger, type AnalysisBudget, type FunctionCost } from './analysis/budget';
import { lockOf } from './analysis/lockstate';
import { lifecycleCuts } from './analysis/pagerefs';
import { gupSites, lockContextOf } from './analysis/sites';
import { rules as allRules } from '../rules';
import type { Finding, Level, Notification, Related } from './findings';
import type { Rule, RuleContext } from './rule';
import type { LockContext } from './analysis/program';
import { macroNeedles } from './preprocess/needles';
import { MACRO_TARGETS } from './preprocess/targets';
import { preprocessOptions, readSublevel } from './preprocess/options';
import { annotateMessage } from './preprocess/report';

export interface AuditOptions {
  paths: string[];
  /** Globs relative to the tree root (src/glob.ts): only files they match are audited. */
  include?: string[];
  /** Globs relative to the tree root: files and directories left out. */
  exclude?: string[];
  jobs?: number;
  kernelVersion?: string;
  callDepth?: number;
  maxFileSize?: number;
  prefilter?: boolean;
  only?: string[];
  disable?: string[];
  levels?: Record<string, Level | 'off'>;
  timeoutMs?: number;
  onProgress?: (phase: string, done: number, total: number) => void;
  /** Cache directory (true: the default, $XDG_CACHE_HOME/gup-audit); see src/cache.ts. */
  cache?: string | true;
  /** Audit shard I of N: the prefilter and first extraction cover the files of the shard,
   * caller searches the whole tree, and only findings in files of the shard are reported. */
  shard?: Shard;
  /** Files (absolute) whose findings are wanted: `paths` is then the tree root, and only
   * these files are extracted first and reported, with the whole tree's callers as their
   * lock context (the stdin file list, the `make C=1` check). */
  focus?: string[];
  /** With `focus` and a saved cache index: take the tree's file list and every other
   * file's state from the index instead of walking and statting the tree (the per-file
   * check of a build; the index is refreshed by any ordinary --cache run). */
  trustIndex?: boolean;
  /** Called with the analysed program (the callers census); the whole result of an earlier
   * run is then not reused from the cache. */
  onProgram?: (program: Program) => void;
  /** Collect AuditResult.profile (slowest files, worker time per scan). */
  profile?: boolean;
  /** A kernel tree the audited module is built against (era and headers come from it). */
  kdir?: string;
  /** Kernel config (parsed .config) for CONFIG_* conditions. */
  kconfig?: Record<string, string>;
  /** Dataflow steps per function and per file (default: analysis/budget.ts). */
  analysisBudget?: AnalysisBudget;
}

export interface AuditProfile {
  scan: ScanProfile;
  /** Extractions, slowest first (at most 20): file, ms, bytes, from the cache. */
  slowest: { file: string; ms: number; bytes: number; cached: boolean; first?: boolean }[];
  extract: { files: number; ms: number; cached: number };
  /** Call-graph rounds: wall ms building the Program, searching callers, extracting, and
   * the files and functions extracted. */
  rounds: { programMs: number; callersMs: number; extractMs: number; files: number; functions: number }[];
  /** Function analyses, slowest first (at most 20): file, function, ms, dataflow steps. */
  slowestFunctions: FunctionCost[];
  /** Wall ms of the first extraction (the candidate files), and its worker ms. */
  firstExtractMs: number;
  firstExtractWorkerMs: number;
  peakRssBytes: number;
}

export interface AuditStats {
  filesDiscovered: number;
  bytesScanned: number;
  candidateFiles: number;
  filesParsed: number;
  functionsExtracted: number;
  callGraphRounds: number;
  gupTokenSites: number;
  gupCallSitesAttributed: number;
  unattributed: { file: string; line: number; name: string; reason: string }[];
  lockContext: Record<LockContext, number>;
  findingsByRule: Record<string, number>;
  pointerCalls: number;
  /** Calls through a struct field resolved to the functions stored into it; those left
   * unresolved for too many candidates; fields whose calls were not searched for (too many
   * calling files). */
  pointerFields?: { resolvedCalls: number; cappedCalls: number; fieldsNotSearched: number };
  /** Work of the analysis, counted (bounded by tests, not timed): dataflow runs of a
   * function, (function, mm key) entry summaries, and their caller-edge evaluations. */
  analysisWork: { functionAnalyses: number; entrySummaries: number; entryEvaluations: number };
  parseErrorNodes: number;
  phasesMs: Record<string, number>;
}

export interface AuditResult {
  tree: TreeInfo;
  findings: Finding[];
  notifications: Notification[];
  stats: AuditStats;
  rules: Rule[];
  profile?: AuditProfile;
}

/** Byte needles of the first scan: any file without one cannot hold a GUP call or a raw
 * mmap lock operation. `user_page` covers get_user_pages*, pin_user_pages*,
 * get_user_page_*; the others are the remaining GUP entry points and the lock fields. */
export const PREFILTER_NEEDLES = ['user_page', 'get_vaddr_frames', 'memfd_pin_folios', 'mmap_sem', 'mmap_lock'];
/** Identifiers that make a function worth extracting in the first round. */
const ROOT_NAMES = [...gupNames, 'mmap_sem', 'mmap_lock', ...lockNames.filter((n) => /^(down_|up_|downgrade_|lockdep_|rwsem_)/.test(n) === false),
  // Release functions: pin-put-mismatch follows pages into functions that only release them.
  ...[...releaseFunctions.keys()].filter((n) => n !== 'put_vaddr_frames')];

export function selectRules(opts: Pick<AuditOptions, 'only' | 'disable' | 'levels'>): Rule[] {
  const known = new Set(allRules.map((r) => r.meta.id));
  for (const id of [...(opts.only ?? []), ...(opts.disable ?? []), ...Object.keys(opts.levels ?? {})]) {
    if (!known.has(id)) throw new UsageError(`unknown rule '${id}' (see --list-rules)`);
  }
  return allRules.filter((r) => (!opts.only?.length || opts.only.includes(r.meta.id)) && !opts.disable?.includes(r.meta.id) && opts.levels?.[r.meta.id] !== 'off');
}

export { UsageError } from './errors';

function rel(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}

export async function audit(opts: AuditOptions): Promise<AuditResult> {
  const t0 = Date.now();
  const phases: Record<string, number> = {};
  const mark = (name: string, since: number) => { phases[name] = (phases[name] ?? 0) + Date.now() - since; };
  const rules = selectRules(opts);
  const tree = detectTree(opts.paths[0], opts.kdir ? undefined : opts.kernelVersion);
  let sublevel = opts.kernelVersion ? null : readSublevel(tree.root);
  if (opts.kdir) {
    const k = detectTree(opts.kdir, opts.kernelVersion);
    tree.version = k.version;
    tree.source = `--kdir ${k.source}`;
    tree.hasMmapLockH = k.hasMmapLockH;
    sublevel = opts.kernelVersion ? null : readSublevel(k.root);
  }
  const version: Version = tree.version;
  const preprocess = preprocessOptions({ root: tree.root, version, sublevel, kernelTree: readSublevel(tree.root) !== null, ...(opts.kdir ? { kdir: opts.kdir } : {}), ...(opts.kconfig ? { config: opts.kconfig } : {}) });
  const notifications: Notification[] = [];
  const exclude = opts.exclude ?? [];
  const jobs = workerCount(opts.jobs);
  // The workers load their modules (tree-sitter, the scan kernels) while the tree is walked.
  const pool = new WorkerPool(jobs, opts.timeoutMs ?? 60000);
  const maxBytes = opts.maxFileSize ?? 16 * 1024 * 1024;
  try {
    let cache: AuditCache | undefined;
    if (opts.cache) {
      let dir: string;
      try { dir = cacheDirFor(opts.cache, tree.root); } catch (e) { throw new UsageError(`--cache: ${(e as Error).message}`); }
      cache = new AuditCache(dir, tree.root, PREFILTER_NEEDLES);
      for (const message of cache.notes) notifications.push({ level: 'note', message });
    }
    const include = opts.include ?? [];
    const known = opts.trustIndex && opts.focus ? cache?.knownFiles : null;
    const focusRels = new Set((opts.focus ?? []).map((f) => rel(tree.root, path.resolve(f))));
    const disc = known
      ? { files: [...new Set([...known, ...focusRels])].sort().map((r) => path.join(tree.root, r)), notes: [] }
      : await discover(opts.paths, tree.root, { include, exclude }, (dirs, root, top) => pool.run({ type: 'walk', dirs, root, top }));
    notifications.push(...disc.notes);
    mark('discover', t0);
    // Nothing to audit is an input error, not a clean pass: a CI gate pointed at the wrong
    // directory (or excluding everything) must not go green.
    if (disc.files.length === 0) throw new UsageError(`no .c or .h files found in ${opts.paths.join(', ')}${exclude.length || include.length ? ' (after include/exclude)' : ''}`);
    const stats: AuditStats = {
      filesDiscovered: disc.files.length, bytesScanned: 0, candidateFiles: 0, filesParsed: 0, functionsExtracted: 0,
      callGraphRounds: 0, gupTokenSites: 0, gupCallSitesAttributed: 0, unattributed: [],
      lockContext: { local: 0, caller: 0, asserted: 0, none: 0, mixed: 0, self: 0, unknown: 0 },
      findingsByRule: {}, pointerCalls: 0, analysisWork: { functionAnalyses: 0, entrySummaries: 0, entryEvaluations: 0 }, parseErrorNodes: 0, phasesMs: phases,
    };
    // ---- prefilter: which files can matter at all (src/scan.ts) ----
    const t1 = Date.now();
    const scan = new TreeScan({
      pool, jobs, root: tree.root, files: disc.files, needles: PREFILTER_NEEDLES, cache, shard: opts.shard,
      focus: opts.focus ? focusRels : undefined,
      notify: (n) => notifications.push(n), onProgress: opts.onProgress,
      // The token scan is cheap (no parse): it reads files far above --max-file-size, so
      // that a big generated header without GUP tokens is simply not a candidate; the cap
      // only bounds the scan's buffer. Candidates above --max-file-size are skipped and
      // reported by the extraction.
      maxBytes: Math.max(maxBytes, 256 * 1024 * 1024),
    });
    await scan.loadCache(known ? focusRels : undefined);
    mark('cache-load', t1);
    const t1b = Date.now();
    const candidates = await scan.prefilter(opts.prefilter !== false);
    // Names reaching the API through macros and wrappers: needles too (src/preprocess/).
    const viaMacros = await macroNeedles(candidates, MACRO_TARGETS, (names) => scan.callers(names));
    candidates.push(...viaMacros.files);
    stats.bytesScanned = scan.bytesScanned;
    stats.candidateFiles = candidates.length;
    mark('prefilter', t1b);
    // With --cache, an unchanged tree audited with the same options: the last result.
    const resultKey = cache ? JSON.stringify([buildId(), opts.paths.map((p) => path.resolve(p)), include, exclude, disc.notes, tree, preprocess, opts.callDepth ?? 6, maxBytes,
      opts.prefilter !== false, rules.map((r) => r.meta.id), opts.levels ?? {}, opts.shard ?? null, opts.focus ?? null]) : '';
    // (GUP_AUDIT_CACHE_RESULT=0: recompute it from the per-file entries; the benchmark's
    // stand-in for a run after an edit.)
    const reused = process.env.GUP_AUDIT_CACHE_RESULT === '0' || opts.onProgram ? undefined : cache?.result(resultKey, scan.rels.length) as Pick<AuditResult, 'findings' | 'notifications' | 'stats'> | undefined;
    if (reused) {
      phases.total = Date.now() - t0;
      const profile: AuditProfile | undefined = opts.profile ? {
        scan: scan.profile, slowest: [], extract: { files: 0, ms: 0, cached: 0 }, rounds: [], slowestFunctions: [], firstExtractMs: 0, firstExtractWorkerMs: 0, peakRssBytes: process.resourceUsage().maxRSS * 1024,
      } : undefined;
      return { tree, findings: reused.findings, notifications: reused.notifications, stats: { ...reused.stats, bytesScanned: 0, phasesMs: phases }, rules, ...(profile ? { profile } : {}) };
    }

    // ---- parse and extract, then follow callers of lock-dependent helpers ----
    const t2 = Date.now();
    const factsByFile = new Map<string, FileFacts>();
    const extracted = new Map<string, Set<number>>();
    const functions: FunctionIR[] = [];
    const parsedFiles = new Set<string>();
    const extractions: AuditProfile['slowest'] = [];
    const memo = new AnalysisMemo(new BudgetLedger(opts.analysisBudget));
    const extract = async (files: string[], names: string[], first: boolean) => {
      let done = 0;
      await Promise.all(files.map(async (abs) => {
        const file = rel(tree.root, abs);
        const skip = [...(extracted.get(abs) ?? [])];
        try {
          const r = await pool.run<ExtractResult>({
            type: 'extract', req: { file, abs, names, gupNames, skip: first ? undefined : skip.length ? skip : [-1], preprocess }, maxBytes,
            ...(cache ? { cache: { dir: cache.factsDir, build: buildId() } } : {}),
          });
          if (opts.profile) extractions.push({ file, ms: r.ms ?? 0, bytes: r.bytes ?? 0, cached: !!r.cached, first });
          if (r.skipped) { notifications.push({ level: 'warning', file, message: `skipped: ${r.skipped}` }); return; }
          for (const n of r.notes ?? []) if (first) notifications.push({ level: 'note', file, message: n });
          const f = r.facts!;
          if (f.functions.length) parsedFiles.add(abs);
          // (Kept for the statistics only.)
          if (first) factsByFile.set(abs, f);
          const seen = extracted.get(abs) ?? new Set<number>();
          for (const fn of f.functions) {
            if (seen.has(fn.startLine)) continue;
            seen.add(fn.startLine);
            functions.push(fn);
            stats.parseErrorNodes += fn.errors;
            if (fn.truncated) notifications.push({ level: 'warning', file, message: `${fn.name}() not fully analysed: ${fn.truncated}` });
          }
          extracted.set(abs, seen);
        } catch (e) {
          notifications.push({ level: 'error', file, message: `not parsed: ${(e as Error).message}` });
        } finally {
          done++;
          opts.onProgress?.('parse', done, files.length);
        }
      }));
    };
    // Workers answer in any order: the functions a batch added are put in file and line
    // order, so that the program (and which caller chain a finding cites) is the same on
    // every run.
    const settle = (from: number) => {
      const added = functions.splice(from).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.startLine - b.startLine));
      for (const fn of added) functions.push(fn);
    };
    const tx = Date.now();
    await extract(candidates, viaMacros.names.length ? [...ROOT_NAMES, ...viaMacros.names] : ROOT_NAMES, true);
    settle(0);
    const firstExtractMs = Date.now() - tx;

    const callDepth = opts.callDepth ?? 6;
    const searched = new Set<string>();
    const fieldsNotSearched = new Set<string>();
    const rounds: AuditProfile['rounds'] = [];
    for (let round = 0; round < callDepth; round++) {
      const tr = Date.now();
      const prog = new Program(functions, version, callDepth, memo);
      const needCallers = callerDependent(prog, round).filter((fa) => !searched.has(`${fa.fn.file}:${fa.fn.name}`));
      const rp = { programMs: Date.now() - tr, callersMs: 0, extractMs: 0, files: 0, functions: functions.length };
      rounds.push(rp);
      if (needCallers.length === 0) break;
      stats.callGraphRounds++;
      const staticByFile = new Map<string, Set<string>>();
      // Global helpers by the identifier their callers call (`FNAME` for `FNAME(fetch)`),
      // with the identifiers that make a function of a calling file worth extracting.
      const globals = new Map<string, Set<string>>();
      const fieldTokens = new Set<string>();
      for (const fa of needCallers) {
        searched.add(`${fa.fn.file}:${fa.fn.name}`);
        // Static functions are called only from their own file, unless they live in a header.
        if (fa.fn.isStatic && !fa.fn.file.endsWith('.h')) {
          const abs = path.join(tree.root, fa.fn.file);
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
      const work = new Map<string, Set<string>>(staticByFile);
      if (globals.size) {
        const t3 = Date.now();
        // Files calling one of the helpers, with the names each calls (src/scan.ts).
        const hits = await scan.callers([...globals.keys()]);
        mark('callgraph-scan', t3);
        rp.callersMs = Date.now() - t3;
        dropCommonFields(hits, fieldTokens, globals, fieldsNotSearched);
        for (const [h, names] of hits) {
          if (!work.has(h)) work.set(h, new Set());
          for (const g of names) for (const t of globals.get(g)!) work.get(h)!.add(t);
        }
      }
      // One request per file with the names that matter there.
      const byNames = new Map<string, string[]>();
      for (const [f, names] of work) {
        const key = [...names].sort().join(',');
        if (!byNames.has(key)) byNames.set(key, []);
        byNames.get(key)!.push(f);
      }
      const te = Date.now();
      rp.files = work.size;
      const before = functions.length;
      await Promise.all([...byNames].map(([key, files]) => extract(files, key.split(','), false)));
      settle(before);
      rp.extractMs = Date.now() - te;
      rp.functions = functions.length - rp.functions;
    }
    mark('parse', t2);

    // ---- analysis and rules ----
    const t4 = Date.now();
    const program = new Program(functions, version, callDepth, memo);
    // Where --call-depth ended the caller search, the chains that reach it say so.
    for (const fa of callerDependent(program, rounds.length)) {
      const k = `${fa.fn.file}:${fa.fn.name}`;
      if (!searched.has(k)) program.unsearched.add(k);
    }
    stats.functionsExtracted = functions.length;
    stats.filesParsed = parsedFiles.size;
    stats.pointerCalls = program.unresolvedPointerCalls;
    stats.pointerFields = { resolvedCalls: program.resolvedPointerCalls, cappedCalls: program.cappedPointerCalls, fieldsNotSearched: fieldsNotSearched.size };
    opts.onProgram?.(program);
    const findings: Finding[] = [];
    const ctx: RuleContext = {
      program, version,
      hasMmapLockWrappers: tree.hasMmapLockH || version[0] > 5 || (version[0] === 5 && version[1] >= 8),
      report: () => undefined,
    };
    for (const rule of rules) {
      ctx.report = (r) => {
        const lvl = opts.levels?.[rule.meta.id];
        findings.push({
          ruleId: rule.meta.id,
          level: (lvl && lvl !== 'off' ? lvl : undefined) ?? r.level ?? rule.meta.level,
          message: annotateMessage(r.message, r.fa.fn, r.span),
          file: r.fa.fn.file,
          span: r.span,
          function: r.fa.fn.name,
          related: dedupeRelated(r.related ?? []),
          hint: r.hint,
          callText: r.callText,
          fingerprint: '',
          flow: r.flow,
          ...(r.rewrite ? { rewrite: r.rewrite } : {}),
        });
      };
      try {
        rule.check(ctx);
      } catch (e) {
        // A defect in one rule must not cost the audit of everything else: say so, go on.
        const where = (e as Error)?.stack?.split('\n').find((l) => /\(.*\.js:\d+/.test(l))?.trim() ?? '';
        notifications.push({ level: 'error', message: `rule ${rule.meta.id} stopped with an internal error (${(e as Error)?.message ?? String(e)}${where ? `; ${where}` : ''}); its findings are incomplete`, kind: 'internal-error' });
      }
    }
    assignFingerprints(findings);
    findings.sort((a, b) => a.file.localeCompare(b.file) || a.span.line - b.span.line || a.span.col - b.span.col || a.ruleId.localeCompare(b.ruleId));
    for (const f of findings) stats.findingsByRule[f.ruleId] = (stats.findingsByRule[f.ruleId] ?? 0) + 1;

    // ---- statistics: attribution of every GUP token the scan saw ----
    const attributedAt = new Set<string>();
    for (const s of gupSites(program)) {
      attributedAt.add(`${s.fa.fn.file}:${s.call.span.line}:${s.call.span.col}`);
      if (s.call.via && factsByFile.has(path.join(tree.root, s.fa.fn.file))) { stats.gupTokenSites++; stats.gupCallSitesAttributed++; }
      stats.lockContext[lockContextOf(program, s)]++;
    }
    for (const f of factsByFile.values()) {
      for (const t of f.gupTokens) {
        // (A macro definition is no call site: its uses are, reported at the use.)
        const isCall = !f.unattributed.some((u) => u.line === t.line && u.name === t.name && /declaration|header|macro definition/.test(u.reason));
        if (!isCall) continue;
        stats.gupTokenSites++;
        if (attributedAt.has(`${f.file}:${t.line}:${t.col}`)) stats.gupCallSitesAttributed++;
      }
      for (const u of f.unattributed) {
        stats.unattributed.push({ file: f.file, ...u });
        // Syntax tree-sitter could not read hid a GUP call: say so, not only in --stats.
        if (/did not see a call/.test(u.reason)) notifications.push({ level: 'warning', file: f.file, message: `${u.name}() at line ${u.line} not analysed: the parser did not see a call there (syntax errors)` });
      }
    }
    for (const c of [...memo.ledger.cuts, ...lifecycleCuts(program)]) notifications.push({ level: 'warning', file: c.file, message: c.message, kind: 'analysis-budget' });
    stats.analysisWork = { functionAnalyses: memo.misses, entrySummaries: program.entries.summaries, entryEvaluations: program.entries.evaluations };
    stats.unattributed.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.name.localeCompare(b.name));
    mark('analyse', t4);
    if (opts.shard || opts.focus) {
      const mine = findings.filter((f) => scan.isInShard(path.join(tree.root, f.file)));
      findings.length = 0;
      findings.push(...mine);
      stats.findingsByRule = {};
      for (const f of findings) stats.findingsByRule[f.ruleId] = (stats.findingsByRule[f.ruleId] ?? 0) + 1;
    }
    // (A trusted index is left as it was: a build's checks run in parallel, and an
    // ordinary --cache run refreshes it.)
    if (cache && !known) {
      const t5 = Date.now();
      // (Notes about dropped cache entries concern this run, not the tree: not stored.)
      if (!notifications.some((n) => n.level === 'error')) cache.setResult(resultKey, scan.rels.length, { findings, notifications: notifications.filter((n) => !n.message.startsWith('cache: ')), stats });
      scan.save(t0, opts.paths.length === 1 && path.resolve(opts.paths[0]) === tree.root && exclude.length === 0 && include.length === 0);
      mark('cache-save', t5);
    }
    phases.total = Date.now() - t0;
    let profile: AuditProfile | undefined;
    if (opts.profile) {
      extractions.sort((a, b) => b.ms - a.ms);
      profile = {
        scan: scan.profile,
        slowest: extractions.slice(0, 20),
        extract: { files: extractions.length, ms: extractions.reduce((a, e) => a + e.ms, 0), cached: extractions.filter((e) => e.cached).length },
        rounds, slowestFunctions: memo.ledger.slowest(20), firstExtractMs, firstExtractWorkerMs: extractions.filter((e) => e.first).reduce((a, e) => a + e.ms, 0),
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
      };
    }
    // The same skip can be seen by several scans (prefilter, caller searches): report it once.
    const seenNote = new Set<string>();
    const uniqueNotes = notifications.filter((n) => { const k = `${n.level}\0${n.file ?? ''}\0${n.message}`; if (seenNote.has(k)) return false; seenNote.add(k); return true; })
      .sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || a.message.localeCompare(b.message)); // (workers finish in any order)
    return { tree, findings, notifications: uniqueNotes, stats, rules, ...(profile ? { profile } : {}) };
  } finally {
    await pool.close();
  }
}

/** Files calling a field name (`->move(`) beyond this many: the field is too common to
 * follow by name alone, and its calls are not searched. */
const FIELD_CALLER_FILE_CAP = 64;

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

/** Functions whose lock context comes from their callers: a GUP call or a call of such a
 * function reached with the lock state as at entry, for an mm the callers can name. */
function callerDependent(p: Program, round: number): import('./analysis/lockstate').FunctionAnalysis[] {
  const out = new Set<import('./analysis/lockstate').FunctionAnalysis>();
  const mappable = (fa: import('./analysis/lockstate').FunctionAnalysis, key: string | null) => {
    if (!key) return false;
    const head = /^([A-Za-z_]\w*)/.exec(key)?.[1];
    return head === 'current' || (head !== undefined && fa.fn.params.includes(head));
  };
  // Self-locking variants (*_fast, *_unlocked) in a helper: only its direct callers are
  // looked for (a caller holding the lock around the helper); lock-requiring calls follow
  // the whole chain up to --call-depth.
  const selfLocking = new Set<import('./analysis/lockstate').FunctionAnalysis>();
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

function dedupeRelated(rs: Related[]): Related[] {
  const seen = new Set<string>();
  return rs.filter((r) => { const k = `${r.role}:${r.file}:${r.span.line}:${r.span.col}`; if (seen.has(k)) return false; seen.add(k); return true; });
}

/** Fingerprints from rule, path, function, normalised call text and an occurrence index:
 * stable when unrelated lines shift, different when the call changes. */
export function assignFingerprints(findings: Finding[]): void {
  const sorted = [...findings].sort((a, b) => a.file.localeCompare(b.file) || a.span.line - b.span.line || a.span.col - b.span.col);
  const counts = new Map<string, number>();
  for (const f of sorted) {
    const base = `${f.ruleId}\0${f.file}\0${f.function}\0${f.callText.replace(/\s+/g, '')}`;
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    f.fingerprint = createHash('sha256').update(`${base}\0${n}`).digest('hex').slice(0, 32);
  }
}
