// Stage 2: the facts store. Parse and extract files in the workers (src/parse/), keep each
// file's facts and the functions found, in file and line order whatever order the workers
// answer in, so that the program (and which caller chain a finding cites) is the same on
// every run.
import * as path from 'path';
import { gupNames, lockNames, releaseFunctions } from '../kernel/api';
import type { WorkerPool } from '../parse/pool';
import type { FileFacts, FunctionIR } from '../parse/ir';
import type { ExtractResult } from '../parse/worker';
import type { PreprocessOptions } from '../preprocess/scope';
import { buildId, type AuditCache } from '../cache';
import type { Notification } from '../findings';
import type { AuditOptions, AuditProfile, AuditStats } from './types';
import { rel } from './setup';

/** Identifiers that make a function worth extracting in the first round. */
export const ROOT_NAMES = [...gupNames, 'mmap_sem', 'mmap_lock', ...lockNames.filter((n) => /^(down_|up_|downgrade_|lockdep_|rwsem_)/.test(n) === false),
  // Release functions: pin-put-mismatch follows pages into functions that only release them.
  ...[...releaseFunctions.keys()].filter((n) => n !== 'put_vaddr_frames'),
  // Array frees: partial-pin-unchecked reads wrappers of them (`static void big_free(void *p)
  // { kvfree(p); }`) as frees of the pages array. Not kfree(): it would double the functions
  // extracted from a kernel tree (and the parse time) for wrappers that are rare.
  'kvfree', 'vfree', 'kvfree_sensitive'];

export interface FactsStoreInput {
  pool: WorkerPool;
  root: string;
  preprocess: PreprocessOptions;
  maxBytes: number;
  cache?: AuditCache;
  opts: Pick<AuditOptions, 'profile' | 'onProgress'>;
  notifications: Notification[];
  stats: AuditStats;
}

export class FactsStore {
  /** Facts of the files of the first extraction (the statistics' attribution reads them). */
  readonly factsByFile = new Map<string, FileFacts>();
  /** Every function extracted so far, in file and line order per batch. */
  readonly functions: FunctionIR[] = [];
  readonly parsedFiles = new Set<string>();
  readonly extractions: AuditProfile['slowest'] = [];
  /** Start lines of the functions already taken from each file. */
  private extracted = new Map<string, Set<number>>();

  constructor(private readonly i: FactsStoreInput) {}

  /** Extract the functions of `files` that mention one of `names` (all functions of the
   * first batch), skipping those already taken. */
  async extract(files: string[], names: string[], first: boolean): Promise<void> {
    const from = this.functions.length;
    let done = 0;
    await Promise.all(files.map(async (abs) => {
      try {
        await this.extractOne(abs, names, first);
      } finally {
        done++;
        this.i.opts.onProgress?.('parse', done, files.length);
      }
    }));
    this.settle(from);
  }

  private async extractOne(abs: string, names: string[], first: boolean): Promise<void> {
    const { pool, root, preprocess, maxBytes, cache, notifications, stats } = this.i;
    const file = rel(root, abs);
    const skip = [...(this.extracted.get(abs) ?? [])];
    try {
      const r = await pool.run<ExtractResult>({
        type: 'extract', req: { file, abs, names, gupNames, skip: first ? undefined : skip.length ? skip : [-1], preprocess }, maxBytes,
        ...(cache ? { cache: { dir: cache.factsDir, build: buildId() } } : {}),
      });
      if (this.i.opts.profile) this.extractions.push({ file, ms: r.ms ?? 0, bytes: r.bytes ?? 0, cached: !!r.cached, first });
      if (r.skipped) { notifications.push({ level: 'warning', file, message: `skipped: ${r.skipped}` }); return; }
      for (const n of r.notes ?? []) if (first) notifications.push({ level: 'note', file, message: n });
      const f = r.facts!;
      if (f.functions.length) this.parsedFiles.add(abs);
      if (first) this.factsByFile.set(abs, f);
      const seen = this.extracted.get(abs) ?? new Set<number>();
      for (const fn of f.functions) {
        if (seen.has(fn.startLine)) continue;
        seen.add(fn.startLine);
        this.functions.push(fn);
        stats.parseErrorNodes += fn.errors;
        if (fn.truncated) notifications.push({ level: 'warning', file, message: `${fn.name}() not fully analysed: ${fn.truncated}` });
      }
      this.extracted.set(abs, seen);
    } catch (e) {
      notifications.push({ level: 'error', file, message: `not parsed: ${(e as Error).message}` });
    }
  }

  /** Put the functions added since `from` in file and line order. */
  private settle(from: number): void {
    const added = this.functions.splice(from).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.startLine - b.startLine));
    for (const fn of added) this.functions.push(fn);
  }

  /** Does the file (relative path) belong to the first extraction? */
  hasFacts(file: string): boolean {
    return this.factsByFile.has(path.join(this.i.root, file));
  }
}
