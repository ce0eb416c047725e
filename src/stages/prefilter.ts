// Stage 1: the prefilter. A token scan of every discovered file (src/scan.ts) keeps the
// files that can matter: GUP or mmap-lock tokens, or a macro or wrapper that reaches them
// (src/preprocess/needles.ts).
import type { WorkerPool } from '../parse/pool';
import { TreeScan } from '../scan';
import type { AuditCache } from '../cache';
import * as path from 'path';
import { definitionsDigest, macroNeedles, type MacroNeedles } from '../preprocess/needles';
import * as fs from 'fs';
import { benchEdit, benchEdited } from '../cache-entry';
import { callHash } from '../parse/needles';
import { indexInSorted, sameList } from '../discover';
import { MACRO_TARGETS } from '../preprocess/targets';
import type { Notification } from '../findings';
import type { AuditOptions, AuditStats } from './types';
import { PREFILTER_NEEDLES, rel } from './setup';

export interface Prefiltered {
  scan: TreeScan;
  candidates: string[];
  /** Names that reach the API through macros and wrappers (extracted as roots too). */
  macroNames: string[];
  cacheLoadMs: number;
}

/** The last run's macro search when no changed file can change it (the search reads the
 * candidates and the files calling a name it found, and looks names up in the call index):
 * the same candidates, no file added or removed, no changed file among those read, and no
 * changed file calling one of the names. Else null: searched again. */
function keptMacroNeedles(cache: AuditCache | undefined, scan: TreeScan, root: string, candidates: string[]): MacroNeedles | null {
  const s = cache?.storedMacros;
  if (!cache || !s || cache.gone > 0 || s.files !== scan.rels.length) return null;
  if (!sameList(s.candidates, candidates.map((c) => rel(root, c)).sort())) return null;
  // The search is a function of the candidates, the definitions in the files it read and
  // which files call the names it found: a changed file must leave the last two as they were.
  const isCandidate = new Set(s.candidates);
  const found = new Set(s.found);
  const searched = new Set(s.names.map(callHash));
  for (const c of cache.changed) {
    const i = indexInSorted(scan.rels, c);
    const calls = i >= 0 ? scan.calls(i) : undefined;
    if (!calls) return null;
    if (!isCandidate.has(c) && calls.some((h) => searched.has(h)) !== found.has(c)) return null;
    if (isCandidate.has(c) || found.has(c)) {
      const was = s.defs?.[c];
      let text: string;
      try { text = readAsRun(path.join(root, c), c); } catch { return null; }
      if (!was || definitionsDigest(text, c.endsWith('.h')) !== was) return null;
    }
  }
  return { names: s.names, files: s.found.map((f) => path.join(root, f)) };
}

/** A file's text as this run's extraction reads it (the benchmark's edit applied). */
export function readAsRun(abs: string, file: string): string {
  const data = fs.readFileSync(abs);
  const edit = benchEdit();
  return (edit && edit.file === file ? benchEdited(data, edit) : data).toString('latin1');
}

export async function prefilter(input: { pool: WorkerPool; jobs: number; root: string; files: string[]; cache?: AuditCache; maxBytes: number; opts: AuditOptions; focusRels: Set<string>; known: boolean; notifications: Notification[]; stats: AuditStats;
  /** Called with the prefilter's candidates after a large scan (a cold run), before the
   * macro search: their extraction can start (FactsStore.prefetch). */
  prefetch?: (candidates: string[]) => void }): Promise<Prefiltered> {
  const { opts, notifications } = input;
  const t = Date.now();
  const scan = new TreeScan({
    pool: input.pool, jobs: input.jobs, root: input.root, files: input.files, needles: PREFILTER_NEEDLES, cache: input.cache, shard: opts.shard,
    focus: opts.focus ? input.focusRels : undefined,
    notify: (n) => notifications.push(n), onProgress: opts.onProgress,
    // The token scan is cheap (no parse): it reads files far above --max-file-size, so
    // that a big generated header without GUP tokens is simply not a candidate; the cap
    // only bounds the scan's buffer. Candidates above --max-file-size are skipped and
    // reported by the extraction.
    maxBytes: Math.max(input.maxBytes, 256 * 1024 * 1024),
  });
  await scan.loadCache(input.known ? input.focusRels : undefined);
  const cacheLoadMs = Date.now() - t;
  const candidates = await scan.prefilter(opts.prefilter !== false);
  if (scan.warmed > 0) input.prefetch?.(candidates);
  const whole = !input.known && !opts.focus && !opts.shard;
  const kept = whole ? keptMacroNeedles(input.cache, scan, input.root, candidates) : null;
  const digests = input.cache && whole ? new Map<string, string>() : undefined;
  const viaMacros = kept ?? await macroNeedles(candidates, MACRO_TARGETS, (names) => scan.callers(names), digests);
  if (input.cache && whole) {
    scan.profile.macroSearch = kept ? 'kept' : 'searched';
    // (Kept: the changed files' definitions are the ones stored.)
    const defs = kept ? input.cache.storedMacros?.defs : Object.fromEntries([...digests!].map(([abs, d]) => [rel(input.root, abs), d]));
    input.cache.setMacros({ candidates: candidates.map((c) => rel(input.root, c)).sort(), found: viaMacros.files.map((f) => rel(input.root, f)).sort(), names: viaMacros.names, files: scan.rels.length, ...(defs ? { defs } : {}) });
  }
  candidates.push(...viaMacros.files);
  input.stats.bytesScanned = scan.bytesScanned;
  input.stats.candidateFiles = candidates.length;
  return { scan, candidates, macroNames: viaMacros.names, cacheLoadMs };
}
