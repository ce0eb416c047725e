// The audit pipeline, stage by stage (src/stages/): setup -> discover -> prefilter ->
// facts (parse and extract in the workers) -> caller expansion -> analysis -> rules ->
// statistics -> result. Each stage is a module; this file only calls them in order.
import * as path from 'path';
import { absentFrom, discover } from './discover';
import { UsageError } from './errors';
import { WorkerPool, workerCount } from './parse/pool';
import { buildId } from './cache';
import { AnalysisMemo, Program } from './analysis/program';
import { BudgetLedger } from './analysis/budget';
import { StructVisibility } from './parse/includes';
import { knownPaths, openCache, PREFILTER_NEEDLES, rel, resolveTree, selectRules } from './stages/setup';
import { prefilter } from './stages/prefilter';
import { FactsStore, ROOT_NAMES } from './stages/facts';
import { expandCallers, extractCallees, markUnsearched } from './stages/callers';
import { countByRule, runRules } from './stages/run-rules';
import { collectStatistics, eraNotifications } from './stages/statistics';
import { attachFromSource, buildProfile, narrowToShard, resultDeps, reusedResult, saveCache, uniqueNotifications } from './stages/finish';
import { reusableResult } from './stages/reuse';
import { emptyStats, type AuditOptions, type AuditResult } from './stages/types';
import type { Notification } from './findings';
import { devSwitches } from './dev-switches';
import { runContext } from './run-context';

export type { AuditOptions, AuditProfile, AuditResult, AuditStats } from './stages/types';
export { PREFILTER_NEEDLES, selectRules } from './stages/setup';
export { assignFingerprints } from './stages/run-rules';
export { UsageError };

export async function audit(opts: AuditOptions): Promise<AuditResult> {
  const t0 = Date.now();
  const phases: Record<string, number> = {};
  const mark = (name: string, since: number) => { phases[name] = (phases[name] ?? 0) + Date.now() - since; };
  const rules = selectRules(opts);
  const { tree, version, preprocess } = resolveTree(opts);
  const notifications: Notification[] = [];
  const { include = [], exclude = [] } = opts;
  const jobs = opts.pool ? opts.pool.size : workerCount(opts.jobs);
  // The first worker loads its modules (tree-sitter, the scan kernels) while the tree is walked.
  // A pool given (or lent by the run's caller) stays open; one started here is closed.
  const lent = opts.pool ?? runContext().lendPool?.(jobs, opts.timeoutMs ?? 60000);
  const pool = lent ?? new WorkerPool(jobs, opts.timeoutMs ?? 60000);
  pool.beginAudit();
  const maxBytes = opts.maxFileSize ?? 16 * 1024 * 1024;
  const callDepth = opts.callDepth ?? 6;
  try {
    const cache = openCache(opts, tree.root, notifications);
    const known = opts.trustIndex && opts.focus ? cache?.knownFiles : null;
    const focusRels = new Set((opts.focus ?? []).map((f) => rel(tree.root, path.resolve(f))));
    const disc = known
      ? { files: knownPaths(tree.root, known, focusRels), notes: [] }
      : await discover(opts.paths, tree.root, { include, exclude }, (dirs, root, top, given) => pool.run({ type: 'walk', dirs, root, top, given }));
    notifications.push(...disc.notes);
    mark('discover', t0);
    // Nothing to audit is an input error, not a clean pass: a CI gate pointed at the wrong
    // directory (or excluding everything) must not go green.
    if (disc.files.length === 0) throw new UsageError(`no .c or .h files found in ${opts.paths.join(', ')}${exclude.length || include.length ? ' (after include/exclude)' : ''}`);
    const stats = emptyStats(phases, disc.files.length);
    const t1 = Date.now();
    const store = new FactsStore({ pool, root: tree.root, preprocess, maxBytes, cache, opts, notifications, stats });
    const pre = await prefilter({ pool, jobs, root: tree.root, files: disc.files, cache, maxBytes, opts, focusRels, known: !!known, notifications, stats, prefetch: (c) => store.prefetch(c, ROOT_NAMES) });
    const { scan } = pre;
    phases['cache-load'] = pre.cacheLoadMs;
    mark('prefilter', t1 + pre.cacheLoadMs);
    // With --cache, an unchanged tree audited with the same options: the last result.
    const resultKey = cache ? JSON.stringify([buildId(), opts.paths.map((p) => path.resolve(p)), include, exclude, disc.notes, tree, preprocess, callDepth, maxBytes,
      opts.prefilter !== false, rules.map((r) => r.meta.id), opts.levels ?? {}, opts.shard ?? null, opts.focus ?? null]) : '';
    // (The benchmark's noResultReuse, src/dev-switches.ts: recomputed from the per-file
    // entries, its stand-in for a run after an edit that changes the result.)
    const reuse = cache && !devSwitches().noResultReuse && !opts.onProgram ? await reusableResult(cache, resultKey, scan, tree.root, pre.candidates, pre.macroNames, store, notifications) : 'no --cache';
    const wholeTree = opts.paths.length === 1 && path.resolve(opts.paths[0]) === tree.root && exclude.length === 0 && include.length === 0;
    if (typeof reuse === 'object') return reusedResult(reuse, { cache: cache!, resultKey, scan, t0, phases, tree, rules, profile: opts.profile, save: !known, wholeTree });

    const t2 = Date.now();
    const memo = new AnalysisMemo(new BudgetLedger(opts.analysisBudget), cache?.analysisStore());
    await store.extractFirst(pre.candidates, pre.macroNames.length ? [...ROOT_NAMES, ...pre.macroNames] : ROOT_NAMES, cache?.storedResult(resultKey)?.deps?.requests);
    const firstExtractMs = Date.now() - t2;
    const visibility = new StructVisibility(tree.root, wholeTree ? absentFrom(scan.rels, disc.notes) : undefined, cache?.headerStore(scan), wholeTree ? cache?.closureStore(scan) : undefined);
    await extractCallees(store, scan, version, callDepth, memo, stats, visibility);
    const expansion = await expandCallers(store, scan, tree.root, version, callDepth, memo, stats, visibility);
    if (expansion.scanMs) phases['callgraph-scan'] = expansion.scanMs;
    mark('parse', t2);

    const t4 = Date.now();
    const program = new Program(store.functions, version, callDepth, memo, visibility, store.aliases);
    markUnsearched(program, expansion);
    opts.onProgram?.(program);
    let findings = runRules(rules, program, version, tree, opts.levels, notifications);
    attachFromSource(findings, tree.root);
    stats.findingsByRule = countByRule(findings);
    collectStatistics(program, store, expansion, memo, stats, notifications);
    eraNotifications(program, version, tree.source, notifications);
    mark('analyse', t4);
    if (opts.shard || opts.focus) findings = narrowToShard(findings, scan, tree.root, stats);
    // (A trusted index is left as it was: a build's checks run in parallel, and an
    // ordinary --cache run refreshes it.)
    if (cache && !known) {
      const t5 = Date.now();
      saveCache(cache, resultKey, scan, t0, wholeTree, { findings, notifications, stats }, resultDeps(tree.root, pre, store, visibility), { visibility, memo });
      mark('cache-save', t5);
    }
    phases.total = Date.now() - t0;
    const profile = opts.profile ? { ...buildProfile(scan, store, expansion, memo, firstExtractMs, visibility), reuse } : undefined;
    return { tree, findings, notifications: uniqueNotifications(notifications), stats, rules, ...(profile ? { profile } : {}) };
  } finally {
    if (!lent) await pool.close();
  }
}
