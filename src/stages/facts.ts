// Stage 2: the facts store. Parse and extract files in the workers (src/parse/), keep each
// file's facts and the functions found, in file and line order whatever order the workers
// answer in, so that the program (and which caller chain a finding cites) is the same on
// every run.
import * as fs from 'fs';
import * as path from 'path';
import { gupNames, lockNames, releaseFunctions } from '../kernel/api';
import type { WorkerPool } from '../parse/pool';
import type { FileFacts, FunctionIR } from '../parse/ir';
import type { ExtractResult, WorkerTask } from '../parse/worker';
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
  opts: Pick<AuditOptions, 'profile' | 'onProgress' | 'share' | 'factsCache'>;
  notifications: Notification[];
  stats: AuditStats;
}

/** An extraction request sent to a worker and the digest of its answer (with --cache):
 * what a stored result was computed from (src/stages/reuse.ts). */
export interface SentRequest {
  file: string; names: string[]; first: boolean; skip: number[]; digest?: string;
  /** The key of its answer's cache entry (ExtractResult.key). */
  key?: string;
  /** The headers its preprocessing consulted, with their SHA-1 (FileFacts.deps). */
  deps?: [string, string | null][];
}

export class FactsStore {
  /** With --cache: every request sent, in the order the answers were taken. */
  readonly requests: SentRequest[] = [];
  /** Facts of the files of the first extraction (the statistics' attribution reads them). */
  readonly factsByFile = new Map<string, FileFacts>();
  /** Every function extracted so far, in file and line order per batch. */
  readonly functions: FunctionIR[] = [];
  readonly parsedFiles = new Set<string>();
  /** Macros that are another name of a function whose callers were searched (FileFacts.aliases):
   * macro -> function, the first answer's. */
  readonly aliases = new Map<string, string>();
  readonly extractions: AuditProfile['slowest'] = [];
  /** Start lines of the functions already taken from each file. */
  private extracted = new Map<string, Set<number>>();
  /** Requests (file, names, skip list) that gave no new function: asked again (another
   * round, the same names, nothing taken from the file since), the deterministic answer
   * would be the same, so it is not sent. */
  private fruitless = new Set<string>();
  /** Requests not sent for that reason (--profile, tests). */
  repeatsSkipped = 0;
  /** Requests with no name left (a caller file found only through a field name too common
   * to follow: src/stages/callers.ts drops the name, not the file) are not sent either: a
   * later round's request takes nothing but functions mentioning a name (extractFile). */
  emptySkipped = 0;
  /** First-round requests sent before their names were final (see prefetch), and how many
   * of them were used. */
  prefetched = 0;
  prefetchUsed = 0;
  private early: { names: Set<string>; pending: Map<string, Promise<ExtractResult>> } | null = null;
  /** The last run's later-round requests, sent ahead (see replay), by request key, and
   * their tasks. */
  private replayed = new Map<string, Promise<ExtractResult>>();
  private replayTasks = new Set<WorkerTask>();
  replaySent = 0;
  replayUsed = 0;

  /** AuditOptions.factsCache, when the entries' keys do not depend on the tree's place (a
   * kernel tree's preprocessing looks up headers only beside the file): a temporary tree's
   * entries would otherwise be keyed by its random path, written and never read. */
  private readonly factsOnly: string | undefined;

  constructor(private readonly i: FactsStoreInput) {
    this.factsOnly = i.opts.factsCache && (!i.preprocess || i.preprocess.shallow) ? i.opts.factsCache : undefined;
  }

  /** The preprocessing options its requests carry. */
  get preprocess(): PreprocessOptions { return this.i.preprocess; }

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

  /** Send the first-round requests of `files` with `names` now, before the first round's
   * names are final (the prefilter's candidates, while the main thread still looks for the
   * macros and wrappers that reach the API: src/preprocess/needles.ts). extract() uses the
   * answer for a file when its request would have been the same: the names it adds are
   * not tokens of the file, so they select nothing more (extractFile takes the functions
   * that mention a name as a token). Not with --cache: its entries are keyed by the
   * request's names. */
  prefetch(files: string[], names: string[]): void {
    if (this.i.cache || this.early) return;
    const pending = new Map<string, Promise<ExtractResult>>();
    for (const abs of files) {
      const p = this.send(abs, names, true);
      p.catch(() => undefined); // (an unused answer's failure is nobody's)
      pending.set(abs, p);
    }
    this.prefetched += files.length;
    this.early = { names: new Set(names), pending };
  }

  /** The first extraction (every function of the candidates that mentions a name), then,
   * with the last run's requests, those of its later rounds (replay). */
  async extractFirst(files: string[], names: string[], last?: readonly SentRequest[]): Promise<void> {
    const first = this.extract(files, names, true);
    if (last) this.replay(last);
    await first;
  }

  /** With --cache, when the stored result could not be kept: send the last run's
   * later-round requests now, so that the caller rounds, which ask the same questions as
   * long as the facts they are asked about are the same, find their answers ready instead
   * of waiting round after round. A round uses an answer only for exactly the same request
   * (file, names, functions already taken): it is the answer it would get. */
  replay(requests: readonly SentRequest[]): void {
    for (const q of requests) {
      const k = requestKey(q.file, q.names, q.skip);
      if (q.first || this.replayed.has(k)) continue;
      const task = this.task(path.join(this.i.root, q.file), q.names, false, q.skip);
      const p = this.i.pool.run<ExtractResult>(task);
      p.catch(() => undefined); // (an unused answer's failure is nobody's)
      this.replayTasks.add(task);
      this.replayed.set(k, p);
      this.replaySent++;
    }
  }

  /** Drop the replayed requests no round asked for that are still queued (the rounds are
   * over). */
  endReplay(): void {
    const unused = new Set([...this.replayTasks]);
    this.i.pool.dropQueued((t) => unused.has(t));
    this.replayed.clear();
    this.replayTasks.clear();
  }

  private takeReplayed(file: string, names: string[], skip: number[]): Promise<ExtractResult> | undefined {
    if (this.replayed.size === 0) return undefined;
    const k = requestKey(file, names, skip);
    const p = this.replayed.get(k);
    if (p) { this.replayed.delete(k); this.replayUsed++; }
    return p;
  }

  /** The prefetched answer for `abs`, if its request equals a first-round request with `names`. */
  private takeEarly(abs: string, names: string[]): Promise<ExtractResult> | undefined {
    const p = this.early?.pending.get(abs);
    if (!p) return undefined;
    this.early!.pending.delete(abs);
    const extra = names.filter((n) => n.length > 0 && !this.early!.names.has(n));
    if (extra.length) {
      let text: string;
      try { text = fs.readFileSync(abs, 'latin1'); } catch { return undefined; }
      if (new RegExp(`\\b(${extra.map((n) => n.replace(/[$]/g, '\\$')).join('|')})\\b`).test(text)) return undefined;
    }
    this.prefetchUsed++;
    return p;
  }

  private async send(abs: string, names: string[], first: boolean, skip: number[] = [], prevKey?: string): Promise<ExtractResult> {
    const task = this.task(abs, names, first, skip);
    if (prevKey && task.type === 'extract') task.prevKey = prevKey;
    const share = this.i.opts.share;
    const file = rel(this.i.root, abs);
    if (!share || this.i.cache || share.differs.has(file)) return this.i.pool.run<ExtractResult>(task);
    const key = `${first ? 1 : 0}\0${requestKey(file, names, first ? [] : skip)}`;
    const r = await this.i.pool.run<ExtractResult & { shared?: boolean }>(task, { key, answers: share.answers });
    if (!r.shared) return r;
    // The other tree's answer holds here when the file is the same (checked above) and so is
    // everything its preprocessing read; notes and skips are said of the other tree's paths.
    const holds = !r.skipped && !r.notes?.length && r.facts && (r.facts.deps ?? []).every(([name]) => (name === '?headers' ? !share.headerListDiffers : path.isAbsolute(name) || !share.differs.has(name)));
    if (!holds) return this.i.pool.run<ExtractResult>(task);
    const { shared: _, ...own } = r;
    return { ...own, facts: structuredClone(r.facts) };
  }

  private task(abs: string, names: string[], first: boolean, skip: number[]): WorkerTask {
    const { root, preprocess, maxBytes, cache } = this.i;
    return {
      type: 'extract', req: { file: rel(root, abs), abs, names, gupNames, skip: first ? undefined : skip.length ? skip : [-1], preprocess }, maxBytes,
      ...(cache ? { cache: { dir: cache.factsDir, build: buildId() } } : this.factsOnly ? { cache: { dir: this.factsOnly, build: buildId() } } : {}),
    };
  }

  private async extractOne(abs: string, names: string[], first: boolean): Promise<void> {
    const { root, notifications, stats } = this.i;
    const file = rel(root, abs);
    const skip = [...(this.extracted.get(abs) ?? [])];
    if (!first && !names.some((n) => n.length > 0)) { this.emptySkipped++; return; }
    const key = first ? '' : `${abs}\0${names.join(',')}\0${skip.join(',')}`;
    if (key && this.fruitless.has(key)) { this.repeatsSkipped++; return; }
    try {
      const r = await ((first ? this.takeEarly(abs, names) : this.takeReplayed(file, names, skip)) ?? this.send(abs, names, first, skip));
      if (this.i.cache) this.requests.push({ file, names, first, skip, digest: r.digest, ...(r.key ? { key: r.key } : {}), ...(r.facts?.deps ? { deps: r.facts.deps } : {}) });
      if (this.i.opts.profile) this.extractions.push({ file, ms: r.ms ?? 0, bytes: r.bytes ?? 0, cached: !!r.cached, first, ...(r.memo ? { memo: true } : {}) });
      if (r.skipped) { notifications.push({ level: 'warning', file, message: `skipped: ${r.skipped}` }); return; }
      for (const n of r.notes ?? []) if (first) notifications.push({ level: 'note', file, message: n });
      const f = r.facts!;
      for (const [m, t] of f.aliases ?? []) if (!this.aliases.has(m)) this.aliases.set(m, t);
      if (f.functions.length) this.parsedFiles.add(abs);
      if (first) this.factsByFile.set(abs, f);
      const seen = this.extracted.get(abs) ?? new Set<number>();
      const before = seen.size;
      for (const fn of f.functions) {
        if (seen.has(fn.startLine)) continue;
        seen.add(fn.startLine);
        this.functions.push(fn);
        stats.parseErrorNodes += fn.errors;
        if (fn.truncated) notifications.push({ level: 'warning', file, message: `${fn.name}() not fully analysed: ${fn.truncated}` });
      }
      this.extracted.set(abs, seen);
      if (key && seen.size === before) this.fruitless.add(key);
    } catch (e) {
      notifications.push({ level: 'error', file, message: `not parsed: ${(e as Error).message}` });
    }
  }

  /** Send a recorded request again (the file may have changed since): its answer. */
  /** Its answer carries the line shifts from the recorded answer (ExtractResult.shift)
   * when the two differ only by moved lines. */
  resend(req: SentRequest): Promise<ExtractResult> {
    return this.send(path.join(this.i.root, req.file), req.names, req.first, req.skip, req.key);
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

function requestKey(file: string, names: readonly string[], skip: readonly number[]): string {
  return `${file}\0${names.join(',')}\0${skip.join(',')}`;
}
