// Stage 7: the result. Findings narrowed to the shard or focus files, the cache updated,
// the profile assembled, notifications reported once each in a stable order.
import * as path from 'path';
import type { AuditCache, ResultDeps } from '../cache';
import type { StructVisibility } from '../parse/includes';
import type { Prefiltered } from './prefilter';
import type { Reuse } from './reuse';
import { rel } from './setup';
import type { TreeScan } from '../scan';
import type { AnalysisMemo } from '../analysis/program';
import type { Finding, Notification } from '../findings';
import type { Span } from '../parse/ir';
import type { AuditProfile, AuditResult, AuditStats } from './types';
import type { FactsStore } from './facts';
import type { CallerExpansion } from './callers';
import { countByRule } from './run-rules';
import * as fs from 'fs';
import { planFinding } from '../kernel/rewrite';
import { fsPath } from '../fsname';

/** With --shard or a focus list: only the findings in the files of this run. */
export function narrowToShard(findings: Finding[], scan: TreeScan, root: string, stats: AuditStats): Finding[] {
  const mine = findings.filter((f) => scan.isInShard(path.join(root, f.file)));
  stats.findingsByRule = countByRule(mine);
  return mine;
}

/** Store the result and the scan index (unless the run had errors: a failed file is not
 * a result to reuse), with the #include closures (of a whole-tree run) and the function
 * analyses the next run can reuse. */
export function saveCache(cache: AuditCache, resultKey: string, scan: TreeScan, t0: number, wholeTree: boolean, result: { findings: Finding[]; notifications: Notification[]; stats: AuditStats }, deps: ResultDeps, kept: { visibility: StructVisibility; memo: AnalysisMemo }): void {
  cache.setClosures(wholeTree ? kept.visibility.closuresToKeep() : null);
  cache.setAnalyses(kept.memo.toKeep);
  // (Notes about dropped cache entries concern this run, not the tree: not stored.)
  if (!result.notifications.some((n) => n.level === 'error')) {
    cache.setResult(resultKey, scan.rels.length, { ...result, notifications: result.notifications.filter((n) => !n.message.startsWith('cache: ')) }, deps);
    scan.saveRecomputed(t0, wholeTree);
  } else scan.save(t0, wholeTree);
}

/** What the result is computed from (src/stages/reuse.ts). */
export function resultDeps(root: string, pre: Prefiltered, store: FactsStore, visibility: StructVisibility): ResultDeps {
  return {
    candidates: pre.candidates.map((c) => rel(root, c)).sort(), macroNames: [...pre.macroNames].sort(),
    requests: store.requests, searched: [...pre.scan.searchedNames].sort(), read: visibility.readPaths.sort(), readDigests: visibility.readDigests, makefiles: visibility.makefileDigests,
  };
}

/** The result of a run that reused the stored one (src/stages/reuse.ts). After an edit that
 * cannot change it, the index is saved with the new stat keys and the result kept. */
export function reusedResult(reuse: Reuse, r: { cache: AuditCache; resultKey: string; scan: TreeScan; t0: number; phases: Record<string, number>; tree: AuditResult['tree']; rules: AuditResult['rules']; profile?: boolean; save: boolean; wholeTree: boolean }): AuditResult {
  const value = reuse.value as Pick<AuditResult, 'findings' | 'notifications' | 'stats'>;
  // (What the findings quote of the changed files is read again: a comment edited on a
  // finding's line leaves the facts alone, not the quoted line or the fix's text.)
  const changed = new Set(r.cache.changed);
  const touched = value.findings.filter((f) => changed.has(f.file) || [...f.related, ...(f.flow ?? []), ...(f.chains ?? []).flat()].some((x) => changed.has(x.file)));
  if (touched.length) {
    for (const f of touched) { delete f.source; delete f.utf16; if (f.rewrite) delete f.fix; }
    attachFromSource(touched, r.tree.root);
  }
  if (reuse.changed > 0 && r.save) {
    r.cache.setResult(r.resultKey, r.scan.rels.length, value, reuse.deps);
    // (A result moved with its lines is a new result: written as a recomputed one is.)
    if (reuse.moved) r.scan.saveRecomputed(r.t0, r.wholeTree);
    else r.scan.saveChanged(r.t0, r.wholeTree);
  }
  r.phases.total = Date.now() - r.t0;
  return {
    // (What this run says of the cache itself, such as a delta dropped, is this run's.)
    tree: r.tree, findings: value.findings, notifications: uniqueNotifications([...value.notifications, ...r.cache.notes.map((message) => ({ level: 'note' as const, message }))]), stats: { ...value.stats, bytesScanned: 0, phasesMs: r.phases }, rules: r.rules,
    ...(r.profile ? { profile: { ...reusedProfile(r.scan), reuse: `reused: ${reuse.changed} changed file(s) checked, ${reuse.resent} request(s) sent again${reuse.moved ? ', lines moved' : ''}` } } : {}),
  };
}

export function buildProfile(scan: TreeScan, store: FactsStore, expansion: CallerExpansion, memo: AnalysisMemo, firstExtractMs: number, visibility: StructVisibility): AuditProfile {
  const extractions = [...store.extractions].sort((a, b) => b.ms - a.ms);
  return {
    scan: scan.profile,
    slowest: extractions.slice(0, 20),
    extract: { files: extractions.length, ms: extractions.reduce((a, e) => a + e.ms, 0), cached: extractions.filter((e) => e.cached).length, memo: extractions.filter((e) => e.memo).length, ...(store.replaySent ? { replayed: { sent: store.replaySent, used: store.replayUsed } } : {}) },
    rounds: expansion.rounds, slowestFunctions: memo.ledger.slowest(20), firstExtractMs, firstExtractWorkerMs: extractions.filter((e) => e.first).reduce((a, e) => a + e.ms, 0),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    closures: { computed: visibility.closuresComputed, kept: visibility.closuresKept },
    analyses: { computed: memo.misses - memo.keptHits, kept: memo.keptHits },
  };
}

/** The profile of a run that reused the cached result. */
export function reusedProfile(scan: TreeScan): AuditProfile {
  return { scan: scan.profile, slowest: [], extract: { files: 0, ms: 0, cached: 0 }, rounds: [], slowestFunctions: [], firstExtractMs: 0, firstExtractWorkerMs: 0, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
}

/** The same skip can be seen by several scans (prefilter, caller searches): report it once,
 * in file and message order (workers finish in any order). */
export function uniqueNotifications(notifications: Notification[]): Notification[] {
  const seen = new Set<string>();
  return notifications.filter((n) => { const k = `${n.level}\0${n.file ?? ''}\0${n.message}`; if (seen.has(k)) return false; seen.add(k); return true; })
    .sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || a.message.localeCompare(b.message));
}

/** What the reports need from the analysed bytes, each file read once (the reporters read
 * no source file): the exact edits of each finding that records a rewrite (prefer-unlocked;
 * a file that cannot be read or no longer matches gets none), then the UTF-16 columns of
 * the spans a SARIF result cites (Finding.utf16). */
export function attachFromSource(findings: Finding[], root: string): void {
  const texts = new Map<string, string | null>();
  const read = (file: string): string | null => {
    if (!texts.has(file)) {
      try { texts.set(file, fs.readFileSync(fsPath(path.join(root, file)), 'latin1')); } catch { texts.set(file, null); }
    }
    return texts.get(file)!;
  };
  for (const f of findings) {
    if (!f.rewrite) continue;
    const text = read(f.file);
    if (text === null) continue;
    const edits = planFinding(f, text);
    if (typeof edits === 'string') continue;
    f.fix = { description: `Use ${f.rewrite.name}() and drop the lock/unlock around the call.`, edits: edits.map((e) => ({ region: e.region, text: e.text })) };
  }
  attachUtf16Columns(findings, read);
  attachSourceLines(findings, read);
}

/** The lines the text and checkpatch reports quote (Finding.source). */
export function attachSourceLines(findings: Finding[], read: (file: string) => string | null): void {
  const lines = new Map<string, string[] | null>();
  for (const f of findings) {
    if (!lines.has(f.file)) lines.set(f.file, read(f.file)?.split('\n') ?? null);
    const src = lines.get(f.file);
    if (!src) continue;
    const source: Record<number, string> = {};
    for (const l of [f.span.line, ...f.related.filter((r) => r.file === f.file).map((r) => r.span.line)]) {
      if (l >= 1 && l <= src.length) source[l] = src[l - 1];
    }
    f.source = source;
  }
}

/** Spans count bytes (files are read as Latin-1: one character per byte); SARIF counts
 * UTF-16 code units. Each column a finding's SARIF result cites (its span, related sites,
 * flow, caller chain steps, fix regions) whose line has non-ASCII bytes before it is
 * converted (UTF-8 decoded, counted in UTF-16 units) and recorded in Finding.utf16 when it
 * differs. `read` gives a file's text (Latin-1) by tree-relative path, null if unreadable
 * (its columns stay byte columns). */
export function attachUtf16Columns(findings: Finding[], read: (file: string) => string | null): void {
  const lines = new Map<string, string[] | null>();
  const lineOf = (file: string, n: number): string | undefined => {
    if (!lines.has(file)) {
      const text = read(file);
      // (An all-ASCII file has no column to convert.)
      lines.set(file, text !== null && /[\x80-\xff]/.test(text) ? text.split('\n') : null);
    }
    return lines.get(file)?.[n - 1];
  };
  for (const f of findings) {
    const cols: NonNullable<Finding['utf16']> = [];
    const column = (file: string, line: number, col: number) => {
      const text = lineOf(file, line);
      if (text === undefined || !/[\x80-\xff]/.test(text.slice(0, col - 1))) return;
      const utf16 = Buffer.from(text.slice(0, col - 1), 'latin1').toString('utf8').length + 1;
      if (utf16 !== col && !cols.some((c) => c.file === file && c.line === line && c.col === col)) cols.push({ file, line, col, utf16 });
    };
    const span = (file: string, s: Span) => { column(file, s.line, s.col); column(file, s.endLine, s.endCol); };
    span(f.file, f.span);
    for (const r of [...f.related, ...(f.flow ?? [])]) span(r.file, r.span);
    for (const chain of f.chains ?? []) for (const st of chain) span(st.file, st.span);
    for (const e of f.fix?.edits ?? []) span(f.file, e.region);
    if (cols.length) f.utf16 = cols;
    else delete f.utf16;
  }
}
