// The token scans of the tree, run in the worker pool: the prefilter (which files can hold
// a GUP call or an mmap lock operation) and the caller searches of the call graph (which
// files call one of these helpers).
//
// The tree is read once. While a file is in memory for the prefilter, the worker also
// records the identifiers it calls (`name(`) as distinct 32-bit hashes, about 12 MB for a
// whole kernel; caller searches are then answered from these call indexes without reading
// the tree again. Files without an index (never scanned: --no-prefilter, another --shard;
// too many distinct calls; unreadable) are searched with the names themselves. A hash
// collision can only add a file, whose extraction then finds nothing.
//
// With --cache, the stat key, prefilter verdict and call index of every file come from the
// previous run when the file's stat key is unchanged (src/cache.ts).
import * as path from 'path';
import type { WorkerPool } from './parse/pool';
import type { ScanResult, ScanTask } from './parse/worker';
import { callHash } from './parse/needles';
import type { AuditCache, FileTable, LazyCalls } from './cache';
import type { Notification } from './findings';
import { devSwitches } from './dev-switches';

export interface Shard { index: number; count: number }

/** Parse `I/N` (1 <= I <= N). */
export function parseShard(s: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  if (!m || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) {
    throw new Error(`--shard: expected I/N with 1 <= I <= N, got '${s}'`);
  }
  return { index: Number(m[1]), count: Number(m[2]) };
}

/** The shard (0-based) of a file: a hash of its path relative to the kernel root, so that a
 * file keeps its shard when others are added or removed. */
export function shardOf(relPath: string, count: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < relPath.length; i++) h = Math.imul(h ^ relPath.charCodeAt(i), 16777619);
  return (h >>> 0) % count;
}

/** Home slot of hash `h` in an open-addressing table of 2^bits slots. */
function homeSlot(h: number, bits: number): number {
  return (Math.imul(h, 0x9e3779b1) >>> (32 - bits)) & ((1 << bits) - 1);
}

/** Hashes in a small open-addressing table (0 = empty; hashes are never 0), the slot of
 * each, and a 64 Ki-entry byte filter on their low bits, which rejects almost every other
 * hash with one load. */
function hashTable(hs: number[]): { table: Uint32Array; filter: Uint8Array; bits: number; slots: number[] } {
  const bits = Math.max(4, Math.ceil(Math.log2(hs.length * 4)));
  const mask = (1 << bits) - 1;
  const table = new Uint32Array(mask + 1);
  const filter = new Uint8Array(1 << 16);
  const slots = hs.map((h) => {
    filter[h & 0xffff] = 1;
    let sl = homeSlot(h, bits);
    while (table[sl] !== 0 && table[sl] !== h) sl = (sl + 1) & mask;
    table[sl] = h;
    return sl;
  });
  return { table, filter, bits, slots };
}

/** Positions q of `hashes` whose hash is in `table` (see hashTable), as pairs [q, slot]. A
 * function of its own, with only typed arrays and numbers, so that V8 keeps one optimised
 * version of this loop over ~3M hashes for every round (inline in callers it was
 * deoptimised after the first round and ran ~10x slower in the next). */
function matchHashes(hashes: Uint32Array, filter: Uint8Array, table: Uint32Array, bits: number): number[] {
  const out: number[] = [];
  const mask = (1 << bits) - 1;
  for (let q = 0; q < hashes.length; q++) {
    const h = hashes[q];
    if (filter[h & 0xffff] === 0) continue;
    let sl = homeSlot(h, bits);
    while (table[sl] !== 0) {
      if (table[sl] === h) { out.push(q, sl); break; }
      sl = (sl + 1) & mask;
    }
  }
  return out;
}

// Type feedback for every path of matchHashes (a hit, a filtered-out hash, a probe past an
// occupied slot) before its first real pass: otherwise the optimised loop is compiled in
// the middle of that pass without it and bails out at the first hit, back to the
// interpreter for the rest of ~3M hashes (seen as one round's caller search taking ~100 ms).
{
  const hs = [0x12345678, 0x9abcdef1];
  const { table, filter, bits } = hashTable(hs);
  const sample = Uint32Array.of(1, hs[0], 2, hs[1], 0x00005678, 3);
  for (let i = 0; i < 2000; i++) matchHashes(sample, filter, table, bits);
}

export interface ScanProfile {
  /** Worker milliseconds and bytes read, per kind of scan. */
  workerMs: Record<string, number>;
  bytes: Record<string, number>;
  files: Record<string, number>;
  cacheHits: number;
  cacheMisses: number;
  /** With --cache: whether the search for names reaching the API through macros was kept
   * from the last run or run again (src/stages/prefilter.ts). */
  macroSearch?: 'kept' | 'searched';
}

export interface TreeScanOptions {
  pool: WorkerPool;
  jobs: number;
  root: string;
  /** Every discovered file (absolute, sorted). */
  files: string[];
  needles: string[];
  cache?: AuditCache;
  shard?: Shard;
  /** Files of interest (relative to root): only these are prefiltered and extracted first,
   * like a shard; caller searches still cover every discovered file. */
  focus?: Set<string>;
  notify: (n: Notification) => void;
  onProgress?: (phase: string, done: number, total: number) => void;
  /** Files above this size are skipped (and reported) by the scans (default: no limit). */
  maxBytes?: number;
}

const SCAN_BATCH = 256;
/** Files scanned by the prefilter from which the workers load the extractor early. */
const WARM_AFTER = 2048;
const STAT_BATCH = 4096;

/** `abs` relative to `root`, with '/' (a prefix cut when possible: path.relative is slow
 * for 60k files). */
function relPath(root: string, abs: string): string {
  const r = abs.startsWith(root + path.sep) ? abs.slice(root.length + 1) : path.relative(root, abs);
  return path.sep === '/' ? r : r.split(path.sep).join('/');
}

const NEVER = -1, UNINDEXED = -2;

export class TreeScan implements FileTable {
  readonly rels: string[];
  readonly st: Float64Array;
  readonly pre: Uint8Array;
  /** Call index of file i: bufs[buf[i]][off[i] .. off[i]+len[i]); buf[i] NEVER or UNINDEXED. */
  private readonly buf: Int32Array;
  private readonly off: Int32Array;
  private readonly len: Int32Array;
  private readonly bufs: (Uint32Array | LazyCalls)[] = [];
  private readonly inShard: Uint8Array;
  private readonly notified = new Set<string>();
  bytesScanned = 0;
  readonly profile: ScanProfile = { workerMs: {}, bytes: {}, files: {}, cacheHits: 0, cacheMisses: 0 };

  constructor(private readonly o: TreeScanOptions) {
    const n = o.files.length;
    this.rels = o.files.map((f) => relPath(o.root, f));
    this.st = new Float64Array(4 * n).fill(NaN);
    this.pre = new Uint8Array(n);
    this.buf = new Int32Array(n).fill(NEVER);
    this.off = new Int32Array(n);
    this.len = new Int32Array(n);
    this.inShard = new Uint8Array(n).fill(1);
    this.rels.forEach((r, i) => { if (!this.isInShardRel(r)) this.inShard[i] = 0; });
  }

  private isInShardRel(rel: string): boolean {
    if (this.o.focus && !this.o.focus.has(rel)) return false;
    return !this.o.shard || shardOf(rel, this.o.shard.count) === this.o.shard.index - 1;
  }

  calls(i: number): Uint32Array | null | undefined {
    const b = this.buf[i];
    if (b === NEVER) return undefined;
    if (b === UNINDEXED) return null;
    return this.resolved(b)?.subarray(this.off[i], this.off[i] + this.len[i]) ?? null;
  }

  /** Buffer b, read now if it is the index's (null: it failed its check). */
  private resolved(b: number): Uint32Array | null {
    const x = this.bufs[b];
    if (x instanceof Uint32Array) return x;
    const all = x.all();
    if (all) this.bufs[b] = all;
    return all;
  }

  setCalls(i: number, buf: Uint32Array | LazyCalls | null, off = 0, len = buf instanceof Uint32Array ? buf.length : 0): void {
    if (!buf) { this.buf[i] = UNINDEXED; return; }
    let b = this.bufs.lastIndexOf(buf);
    if (b < 0) { b = this.bufs.length; this.bufs.push(buf); }
    this.buf[i] = b;
    this.off[i] = off;
    this.len[i] = len;
  }

  isInShard(abs: string): boolean {
    if (!this.o.shard && !this.o.focus) return true;
    return this.isInShardRel(relPath(this.o.root, abs));
  }

  /** With a loaded cache: stat every file (in the workers) and take what is still valid. */
  async loadCache(trustExcept?: Set<string>): Promise<void> {
    const cache = this.o.cache;
    if (!cache?.loaded) return;
    const files = this.o.files;
    const tasks: Promise<void>[] = [];
    if (trustExcept) {
      // Only the named files are statted; the others are as the index last saw them.
      const idx = this.rels.flatMap((r, i) => (trustExcept.has(r) ? [i] : []));
      tasks.push(this.o.pool.run<Float64Array>({ type: 'stat', files: idx.map((i) => files[i]) }).then((st) => {
        idx.forEach((i, k) => this.st.set(st.subarray(4 * k, 4 * k + 4), 4 * i));
      }, () => undefined));
    } else {
      for (let i = 0; i < files.length; i += STAT_BATCH) {
        const from = i;
        tasks.push(this.o.pool.run<Float64Array>({ type: 'stat', files: files.slice(i, i + STAT_BATCH) }).then((st) => {
          this.st.set(st, 4 * from);
        }, () => undefined));
      }
    }
    await Promise.all(tasks);
    if (trustExcept) cache.assumeUnchanged(this, trustExcept);
    cache.apply(this);
    this.profile.cacheHits = cache.hits;
    this.profile.cacheMisses = cache.misses;
  }

  private skippedFile(i: number, reason: string): void {
    this.st.fill(NaN, 4 * i, 4 * i + 4);
    this.pre[i] = 1;
    this.buf[i] = UNINDEXED;
    const rel = this.rels[i];
    if (reason && !this.notified.has(rel)) {
      this.notified.add(rel);
      this.o.notify({ level: 'warning', file: rel, message: `skipped: ${reason}` });
    }
  }

  private async scan(kind: string, idx: number[], task: Omit<ScanTask, 'files' | 'type' | 'maxBytes'>,
    onHit: (i: number, which: number[] | undefined) => void): Promise<void> {
    const files = this.o.files;
    const tasks: Promise<void>[] = [];
    let done = 0;
    // Batches small enough that the workers finish together.
    const batch = Math.max(16, Math.min(SCAN_BATCH, Math.ceil(idx.length / (this.o.jobs * 8))));
    const prefilter = task.needles.length > 0 && !task.word;
    for (let b = 0; b < idx.length; b += batch) {
      const part = idx.slice(b, b + batch);
      const t: ScanTask = { type: 'scan', files: part.map((i) => files[i]), maxBytes: this.o.maxBytes ?? Number.MAX_SAFE_INTEGER, stat: !!this.o.cache, ...task };
      tasks.push(this.o.pool.run<ScanResult>(t).then((r) => {
        this.bytesScanned += r.bytes;
        this.profile.workerMs[kind] = (this.profile.workerMs[kind] ?? 0) + r.ms;
        this.profile.bytes[kind] = (this.profile.bytes[kind] ?? 0) + r.bytes;
        this.profile.files[kind] = (this.profile.files[kind] ?? 0) + part.length;
        const skipped = new Set<number>();
        for (const s of r.skipped) { skipped.add(s.index); this.skippedFile(part[s.index], s.reason); }
        const unindexed = new Set(r.index?.unindexed ?? []);
        if (prefilter) for (const j of part.keys()) if (!skipped.has(j)) this.pre[part[j]] = 1;
        r.hits.forEach((h, k) => {
          if (prefilter) this.pre[part[h]] = 2;
          onHit(part[h], r.which?.[k]);
        });
        part.forEach((i, j) => {
          if (skipped.has(j)) return;
          if (r.stat) this.st.set(r.stat.subarray(4 * j, 4 * j + 4), 4 * i);
          if (r.index) {
            if (unindexed.has(j)) this.buf[i] = UNINDEXED;
            else this.setCalls(i, r.index.hashes, r.index.offsets[j], r.index.offsets[j + 1] - r.index.offsets[j]);
          }
        });
        done += part.length;
        this.o.onProgress?.('scan', done, idx.length);
      }, (e: Error) => {
        for (const i of part) this.skippedFile(i, '');
        // Each file of the batch is named: none of them is audited.
        for (const i of part) this.o.notify({ level: 'error', file: this.rels[i], message: `not scanned (${kind}): ${e.message}` });
      }));
    }
    await Promise.all(tasks);
  }

  /** Workers asked to load the extractor behind the prefilter's batches (for tests). */
  warmed = 0;

  /** Files of the shard that pass the prefilter (all of them with `prefilter` false). */
  async prefilter(prefilter: boolean): Promise<string[]> {
    const files = this.o.files;
    if (!prefilter) return files.filter((_, i) => this.inShard[i] === 1);
    const todo: number[] = [];
    for (let i = 0; i < files.length; i++) if (this.inShard[i] === 1 && this.pre[i] === 0) todo.push(i);
    const scanned = this.scan('prefilter', todo, { needles: this.o.needles, index: true }, () => undefined);
    // A large scan (a cold run) is followed by extractions: each worker loads the extractor
    // as its last task of the scan, while the other still scans and the main thread
    // gathers the candidates, instead of at its first extraction. (Not after a small scan:
    // a warm --cache run may extract nothing at all.)
    if (todo.length >= WARM_AFTER) {
      for (let w = 0; w < this.o.jobs; w++) { this.warmed++; this.o.pool.run({ type: 'warm' }).catch(() => undefined); }
    }
    await scanned;
    return files.filter((_, i) => this.inShard[i] === 1 && this.pre[i] === 2);
  }

  /** Every name callers() was asked for (src/stages/reuse.ts: an edit that adds or removes
   * a call of one of them can change the result). */
  readonly searchedNames = new Set<string>();

  /** Files that call (or, when searched by bytes, mention) one of `names`, with the names. */
  async callers(names: string[]): Promise<Map<string, Set<string>>> {
    for (const n of names) this.searchedNames.add(n);
    const out = new Map<string, Set<string>>();
    const add = (i: number, name: string) => {
      const f = this.o.files[i];
      let s = out.get(f);
      if (!s) out.set(f, (s = new Set()));
      s.add(name);
    };
    // (Test-only, src/dev-switches.ts: read every file and match bytes, substrings, every
    // name for a hit, as before call indexes; the tests compare.)
    if (devSwitches().scanByBytes) {
      await this.scan('callers-bytes', this.o.files.map((_, i) => i), { needles: names }, (i) => { for (const n of names) add(i, n); });
      return out;
    }
    const { table, filter, bits, slots } = hashTable(names.map(callHash));
    const slotName = new Int32Array(table.length);
    slots.forEach((sl, k) => { slotName[sl] = k; });
    const neverScanned: number[] = [];
    const unindexed: number[] = [];
    for (let i = 0; i < this.rels.length; i++) {
      const b = this.buf[i];
      if (b === NEVER) neverScanned.push(i);
      else if (b === UNINDEXED) unindexed.push(i);
    }
    // One flat pass over every indexed hash; the file of a (rare) hit by binary search.
    const { hashes, starts, files } = this.compact();
    const found = matchHashes(hashes, filter, table, bits);
    for (let k = 0; k < found.length; k += 2) {
      const q = found[k];
      let lo = 0, hi = starts.length - 1;
      while (lo < hi) { const mid = (lo + hi + 1) >>> 1; if (starts[mid] <= q) lo = mid; else hi = mid - 1; }
      add(files[lo], names[slotName[found[k + 1]]]);
    }
    const onHit = (i: number, which: number[] | undefined) => { for (const k of which ?? []) add(i, names[k]); };
    if (neverScanned.length) await this.scan('callers', neverScanned, { needles: names, word: true, all: true, index: true }, onHit);
    if (unindexed.length) await this.scan('callers-unindexed', unindexed, { needles: names, word: true, all: true }, onHit);
    return out;
  }

  /** All call indexes in one array (files in order; `starts[k]` is where files[k]'s
   * hashes begin), rebuilt only after new files were indexed. */
  private flat: { hashes: Uint32Array; starts: Int32Array; files: Int32Array; count: number } | null = null;
  private indexed = 0;
  private compact(): { hashes: Uint32Array; starts: Int32Array; files: Int32Array } {
    // (The index's hashes are read now; files whose hashes failed their check are unindexed.)
    for (let b = 0; b < this.bufs.length; b++) {
      if (this.resolved(b)) continue;
      for (let i = 0; i < this.rels.length; i++) if (this.buf[i] === b) this.buf[i] = UNINDEXED;
    }
    let count = 0, total = 0;
    for (let i = 0; i < this.rels.length; i++) if (this.buf[i] >= 0) { count++; total += this.len[i]; }
    if (this.flat && this.flat.count === count && this.indexed === this.bufs.length) return this.flat;
    // Already one contiguous array in file order (a warm cache of the whole tree): no copy.
    const bufs = this.bufs as Uint32Array[];
    let contiguous = bufs.length === 1 && bufs[0].length === total;
    for (let i = 0, at = 0; contiguous && i < this.rels.length; i++) {
      if (this.buf[i] < 0) continue;
      contiguous = this.off[i] === at;
      at += this.len[i];
    }
    const hashes = contiguous ? bufs[0] : new Uint32Array(total);
    const starts = new Int32Array(count);
    const files = new Int32Array(count);
    let at = 0, k = 0;
    for (let i = 0; i < this.rels.length; i++) {
      const b = this.buf[i];
      if (b < 0) continue;
      starts[k] = at;
      files[k++] = i;
      if (!contiguous) hashes.set(bufs[b].subarray(this.off[i], this.off[i] + this.len[i]), at);
      this.off[i] = at;
      at += this.len[i];
    }
    // From now on every file's index is a range of the flat array.
    this.bufs.length = 0;
    this.bufs.push(hashes);
    for (let i = 0; i < this.rels.length; i++) if (this.buf[i] >= 0) this.buf[i] = 0;
    this.indexed = this.bufs.length;
    this.flat = { hashes, starts, files, count };
    return this.flat;
  }

  /** Store what this run learnt (with --cache). `complete`: the whole tree was discovered,
   * so entries of files no longer there can go. */
  save(startedAt: number, complete: boolean): void {
    this.o.cache?.save(this, startedAt, complete);
  }

  /** After a run that recomputed the result from a loaded index: the result and what
   * changed, when that is all (see AuditCache.saveRecomputed). */
  saveRecomputed(startedAt: number, complete: boolean): void {
    this.o.cache?.saveRecomputed(this, startedAt, complete);
  }

  /** After a run that kept the last result: only what changed (see AuditCache.saveChanged). */
  saveChanged(startedAt: number, complete: boolean): void {
    this.o.cache?.saveChanged(this, startedAt, complete);
  }
}
