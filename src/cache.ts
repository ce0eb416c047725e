// The --cache layer: what a run learnt about each file of a tree, kept outside the tree
// (default $XDG_CACHE_HOME/gup-audit, else ~/.cache/gup-audit) for the next run.
//
//  - trees/<hash of the root>.v8: per file its stat key (size, mtime, ctime, inode), the
//    prefilter verdict and its call index (hashes of the identifiers it calls). An entry is
//    used only when the stat key is unchanged; a changed file is simply scanned again
//    (scanning a file costs what hashing it would). As in git, entries whose mtime is within
//    two seconds of the scan are "racily clean" and not trusted next time.
//  - facts/xx/<key>.v8: the facts extracted from one file, keyed by the build, the path, a
//    SHA-1 of the file's bytes and the request (names, skip list): content-addressed, so a
//    stale entry can never be used (see extract() in src/parse/worker.ts). Entries not used
//    for 30 days are removed (checked at most once a day).
//  - the last audit result in the tree's index: returned as it is when the same options
//    meet a tree in which no file changed (not stored when a file failed to parse).
//  - trees/<hash of the root>.v8.delta: after a run that kept the result although files
//    changed (src/stages/reuse.ts), only those files' entries are written, here, instead
//    of the whole index (~17 MB on a kernel tree); a delta names the index it applies to
//    (its id) and is applied when the index is loaded. The next full save replaces both.
// Both are tied to a build id: the tool version and a hash of the compiled tool, so a new
// build never reads an older build's entries.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import { createHash, randomBytes } from 'crypto';
import { toolVersion } from './version';
import { makeDirs } from './fsname';
import { indexInSorted } from './discover';
import { callHash } from './parse/needles';
import { currentMakefileDigest, type Closure, type ClosureStore, type HeaderFacts, type HeaderFactsStore } from './parse/includes';
import type { FunctionAnalysis } from './analysis/lockstate';
import { benchEdit, sealEntry, unsealEntry, writeEntry } from './cache-entry';
export { benchEdit, sealEntry, unsealEntry, writeEntry } from './cache-entry';

const FORMAT = 5;
/** Beyond this many files in the delta the whole index is written again. */
const MAX_DELTA_ROWS = 256;
const RACY_MS = 2000;
const PRUNE_EVERY_MS = 24 * 3600 * 1000;
const PRUNE_AGE_MS = 30 * 24 * 3600 * 1000;

export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'gup-audit');
}

let build: string | undefined;
/** The tool version and a hash of the whole compiled tool (dist/src and dist/rules: scans,
 * extraction, analysis and rules), whose output the cache holds. */
export function buildId(): string {
  if (build) return build;
  const h = createHash('sha1').update(toolVersion);
  const walk = (dir: string) => {
    let names: fs.Dirent[] = [];
    try { names = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1)); } catch { return; }
    for (const e of names) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|json)$/.test(e.name)) h.update(e.name).update(fs.readFileSync(p));
    }
  };
  walk(__dirname);
  walk(path.join(__dirname, '..', 'rules'));
  build = `${toolVersion}-${h.digest('hex').slice(0, 16)}`;
  return build;
}

/** What a run knows about the files of the tree, in typed arrays (60k files). */
/** Call hashes a table takes from the index without reading them: `all()` reads them at
 * the first use (null: they failed their check; the files count as unindexed). */
export interface LazyCalls { all(): Uint32Array | null }

export interface FileTable {
  /** Paths relative to the root, sorted. */
  rels: string[];
  /** Stat key per file: size, mtimeMs, ctimeMs, ino (NaN: unknown). */
  st: Float64Array;
  /** Prefilter verdict: 0 unknown, 1 no, 2 yes. */
  pre: Uint8Array;
  /** Call-index hashes (distinct, any order): an array (or a view), null (unindexed), undefined (unknown). */
  calls(i: number): Uint32Array | null | undefined;
  setCalls(i: number, buf: Uint32Array | LazyCalls | null, off?: number, len?: number): void;
}

interface Stored {
  format: number;
  /** Names this save of the index (a delta applies to one). */
  id?: string;
  build: string;
  root: string;
  needles: string;
  savedAt: number;
  prunedAt: number;
  files: string[];
  st: Float64Array;
  /** As FileTable.pre. */
  pre: Uint8Array;
  /** 1: no call index (unindexed or unknown). */
  noCalls: Uint8Array;
  off: Int32Array;
  /** The call hashes of every file (rows off[i] .. off[i+1]), kept after the sealed body as
   * raw bytes in chunks (see writeIndex); read when a run needs them. */
  raw: RawCalls;
  result?: StoredResult;
  /** Header facts for struct visibility (src/parse/includes.ts), by file with its stat key. */
  headers?: Packed<StoredHeader[]>;
  /** #include closures of the last run (see closureStore). */
  closures?: StoredClosures;
  /** Function analyses of the last run (see analysisStore). */
  analyses?: Packed<StoredAnalyses>;
  /** The macro and wrapper names of the last run (src/stages/prefilter.ts). */
  macros?: StoredMacros;
}

/** What the search for names reaching the API through macros found, and what from: the
 * candidates it started from and the files it found (both read), relative and sorted, and
 * how many files the tree had. */
export interface StoredMacros {
  candidates: string[]; found: string[]; names: string[]; files: number;
  /** The definitionsDigest of each file the search read (relative path -> digest): a
   * changed file whose definitions are the same leaves the search as it was. */
  defs?: Record<string, string>;
}

/** The entries of files changed since the index was saved (see the top of this file). */
interface Delta {
  base: string;
  rows: DeltaRow[];
  macros?: StoredMacros;
  /** A result recomputed since the index was saved, and the header facts it used when
   * they are not the index's. */
  result?: StoredResult;
  headers?: Packed<StoredHeader[]>;
  /** null: the run kept none (the index's no longer hold). */
  closures?: StoredClosures | null;
  analyses?: Packed<StoredAnalyses>;
}
interface DeltaRow { rel: string; st: number[]; pre: number; calls: Uint32Array | null }

interface StoredHeader { rel: string; st: number[]; includes: HeaderFacts['includes']; structs: string[] }

// The index file: `INDEX_MAGIC`, the length of a sealed entry (its value: the index without
// the call hashes), the entry, then the call hashes as raw bytes (4-aligned in the file),
// in chunks of RAW_CHUNK hashes, each with a SHA-256 listed in the entry. A warm run reads
// and checks the entry only (~7 of 19 MB on a kernel tree); the hashes are read when a run
// needs them: the chunk holding one file's calls (an edited file's check), or all of them
// (a caller search).
const INDEX_MAGIC = Buffer.from('gup-audit index 1\n');
const RAW_CHUNK = 1 << 18;

interface RawCalls { count: number; chunk: number; digests: string[] }

function rawDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The parts of an index file (for writeEntry): the sealed value, then the raw hashes. */
function indexParts(value: Omit<Stored, 'raw'>, hashes: Uint32Array, key: string): Buffer[] {
  const bytes = Buffer.from(hashes.buffer, hashes.byteOffset, hashes.byteLength);
  const digests: string[] = [];
  for (let at = 0; at < bytes.length; at += 4 * RAW_CHUNK) digests.push(rawDigest(bytes.subarray(at, at + 4 * RAW_CHUNK)));
  const sealed = sealEntry({ ...value, raw: { count: hashes.length, chunk: RAW_CHUNK, digests } }, buildId(), key);
  const sealedLength = sealed.reduce((a, b) => a + b.length, 0);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(sealedLength);
  const head = INDEX_MAGIC.length + 4 + sealedLength;
  return [INDEX_MAGIC, len, ...sealed, Buffer.alloc((4 - (head % 4)) % 4), bytes];
}

/** The sealed entry of an index file and where its raw hashes start; null when there is no
 * such file or it is not an index of this format (an older tool's: replaced). */
function readIndexHead(file: string): { sealed: Buffer; rawStart: number } | 'bad' | null {
  let fd: number;
  try { fd = fs.openSync(file, 'r'); } catch { return null; }
  try {
    const head = Buffer.alloc(INDEX_MAGIC.length + 4);
    if (fs.readSync(fd, head, 0, head.length, 0) !== head.length || !head.subarray(0, INDEX_MAGIC.length).equals(INDEX_MAGIC)) return null;
    const n = head.readUInt32BE(INDEX_MAGIC.length);
    if (n > fs.fstatSync(fd).size) return 'bad';
    const sealed = Buffer.allocUnsafeSlow(n);
    if (readFully(fd, sealed, head.length) !== n) return 'bad';
    const end = head.length + n;
    return { sealed, rawStart: end + ((4 - (end % 4)) % 4) };
  } catch { return 'bad'; } finally { fs.closeSync(fd); }
}

function readFully(fd: number, buf: Uint8Array, position: number): number {
  let at = 0;
  while (at < buf.length) {
    const got = fs.readSync(fd, buf, at, buf.length - at, position + at);
    if (got === 0) break;
    at += got;
  }
  return at;
}

/** A part of the index that only a run recomputing the result reads, kept serialised inside
 * it: loading the index (every warm run) then only copies its bytes. */
interface Packed<T> { packed: Uint8Array; of?: T }

function pack<T>(value: T): Packed<T> {
  return { packed: v8.serialize(value) };
}

/** A packed part as written: its bytes, without the value a run unpacked from them. */
function bare<T>(p: Packed<T>): Packed<T>;
function bare<T>(p: Packed<T> | undefined): Packed<T> | undefined;
function bare<T>(p: Packed<T> | undefined): Packed<T> | undefined {
  return p && { packed: p.packed };
}

/** The value of a packed part, or undefined when it does not decode to what `ok` accepts. */
function unpack<T>(p: Packed<T> | undefined, ok: (v: T) => boolean): T | undefined {
  if (!p) return undefined;
  let v: T;
  try { v = v8.deserialize(p.packed) as T; } catch { return undefined; }
  return ok(v) ? v : undefined;
}

const headersWellFormed = (h: StoredHeader[]) => Array.isArray(h) && h.every((x) => typeof x?.rel === 'string' && Array.isArray(x.st) && Array.isArray(x.includes) && Array.isArray(x.structs));
const packedWellFormed = (p: unknown) => p === undefined || (typeof p === 'object' && p !== null && (p as Packed<unknown>).packed instanceof Uint8Array);

/** Function analyses by key (src/analysis/program.ts AnalysisMemo), without their IR. */
interface StoredAnalyses { keys: string[]; values: Omit<FunctionAnalysis, 'fn'>[] }

function encodeAnalyses(m: ReadonlyMap<string, FunctionAnalysis>): StoredAnalyses {
  const keys: string[] = [];
  const values: Omit<FunctionAnalysis, 'fn'>[] = [];
  for (const [k, { fn: _, ...rest }] of m) { keys.push(k); values.push(rest); }
  return { keys, values };
}

/** #include closures by row of the index's file list: closure k is of file `roots[k]`, its
 * files are `members[off[k] .. off[k+1]]`. (What the run read or looked for is its result's
 * deps.read, saved with them.) */
interface StoredClosures { roots: Int32Array; complete: Uint8Array; off: Int32Array; members: Int32Array }

/** Closures as rows of `files` (sorted); a closure with a file outside the list is left out. */
function encodeClosures(kept: { file: string; closure: Closure }[], files: string[]): StoredClosures {
  const roots: number[] = [];
  const complete: number[] = [];
  const off = [0];
  const members: number[] = [];
  for (const { file, closure } of kept) {
    const root = indexInSorted(files, file);
    const rows = [...closure.files].map((f) => indexInSorted(files, f));
    if (root < 0 || rows.some((r) => r < 0)) continue;
    roots.push(root);
    complete.push(closure.complete ? 1 : 0);
    members.push(...rows);
    off.push(members.length);
  }
  return { roots: Int32Array.from(roots), complete: Uint8Array.from(complete), off: Int32Array.from(off), members: Int32Array.from(members) };
}

/** A whole audit result, reused when the same options meet a tree none of whose files
 * changed (`files`: how many files the run saw, all of them unchanged), or whose changed
 * files cannot change it: `deps` says what it was computed from (src/stages/reuse.ts). */
export interface StoredResult { key: string; files: number; value: unknown; deps?: ResultDeps }

/** What a result was computed from, besides the options of its key. */
export interface ResultDeps {
  /** The prefilter's candidates (relative, sorted) and the names that reach the API through
   * macros and wrappers. */
  candidates: string[];
  macroNames: string[];
  /** Every extraction request sent, with the digest of its answer. */
  requests: { file: string; names: string[]; first: boolean; skip: number[]; digest?: string; key?: string; deps?: [string, string | null][] }[];
  /** Every name searched for in the call indexes (caller, callee and macro searches). */
  searched: string[];
  /** Files read on the main thread (struct definitions), and the digest of what was read
   * of each (StructVisibility.readDigests). */
  read: string[];
  readDigests?: [string, string | null][];
  /** The Makefiles and Kbuild files read for -I directories, with their digests
   * (StructVisibility.makefileDigests): not in the scan, which holds .c and .h files only. */
  makefiles?: [string, string | null][];
}

export class AuditCache {
  private stored: Stored | null = null;
  readonly indexFile: string;
  readonly factsDir: string;
  /** Statistics for --profile. */
  hits = 0;
  misses = 0;
  private readonly needleKey: string;
  private newResult?: StoredResult;
  private newMacros?: StoredMacros;
  /** Files of the run whose stat key changed (or that are new), relative; and how many
   * files of the saved index the run no longer has. Set by apply(). */
  readonly changed: string[] = [];
  gone = 0;
  /** What the run should say about the cache (an entry dropped). */
  readonly notes: string[] = [];

  constructor(readonly dir: string, readonly root: string, readonly needles: string[]) {
    this.needleKey = needles.join('\0');
    this.indexFile = indexFileOf(dir, root);
    this.factsDir = factsDirOf(dir);
    const head = readIndexHead(this.indexFile);
    const got = head === 'bad' ? 'bad' : head ? unsealEntry(head.sealed, buildId(), path.basename(this.indexFile)) : 'miss';
    const s = typeof got === 'object' ? got.value as Stored : null;
    if (head && head !== 'bad') this.rawStart = head.rawStart;
    // (An index of another format is an older tool's: replaced without a word.)
    if (got === 'bad' || (s && !wellFormed(s))) {
      this.notes.push(`cache: the index ${this.indexFile} failed its integrity check: dropped (a cold run)`);
      try { fs.unlinkSync(this.indexFile); } catch { /* already gone */ }
    } else if (s && s.format === FORMAT && s.root === root) {
      this.stored = s;
      this.loadDelta(s);
    }
  }

  private get deltaFile(): string { return `${this.indexFile}.delta`; }

  /** Apply the delta written after the index (if it names this index) to its arrays. */
  private loadDelta(s: Stored): void {
    let buf: Buffer;
    try { buf = fs.readFileSync(this.deltaFile); } catch { return; }
    const got = unsealEntry(buf, buildId(), path.basename(this.deltaFile));
    const d = typeof got === 'object' ? got.value as Delta : null;
    if (got === 'bad' || (d && !deltaWellFormed(d))) {
      this.notes.push(`cache: the index delta ${this.deltaFile} failed its integrity check: dropped`);
      try { fs.unlinkSync(this.deltaFile); } catch { /* already gone */ }
      return;
    }
    if (!d || !s.id || d.base !== s.id) return; // another save's: replaced by the next one
    // (The rows' call indexes are kept beside the index's, not merged into a new array: a
    // merge copies all ~3 million hashes on every load while a delta exists.)
    for (const r of d.rows) {
      const j = indexInSorted(s.files, r.rel);
      if (j < 0) continue;
      s.st.set(r.st, 4 * j);
      s.pre[j] = r.pre;
      s.noCalls[j] = r.calls ? 0 : 1;
      this.over.set(j, r.calls);
    }
    if (d.macros) s.macros = d.macros;
    if (d.result) s.result = d.result;
    if (d.headers) s.headers = d.headers;
    if (d.closures === null || (d.closures && !closuresWellFormed(d.closures, s.files.length))) { s.closures = undefined; this.deltaClosures = null; }
    else if (d.closures) { s.closures = d.closures; this.deltaClosures = d.closures; }
    if (d.analyses) { s.analyses = d.analyses; this.deltaAnalyses = d.analyses; }
    this.deltaRows = d.rows;
    this.deltaMacros = d.macros;
    this.deltaResult = d.result;
    this.deltaHeaders = d.headers;
  }

  /** Where the index file's raw call hashes start, those read (all, or chunks), and where a
   * run's late notes go (a chunk that fails its check). */
  private rawStart = 0;
  private allRaw?: Uint32Array | null;
  private rawChunks = new Map<number, Uint32Array | null>();
  onNote?: (message: string) => void;

  private rawFailed(): void {
    if (this.allRaw === null) return;
    this.allRaw = null;
    const m = `cache: the call index in ${this.indexFile} failed its integrity check: the files' calls are looked for in the files themselves`;
    this.notes.push(m);
    this.onNote?.(m);
  }

  /** Every stored call hash (read and checked once), or null when they fail their check
   * (the files then count as unindexed: their calls are looked for by name). */
  private allHashes(): Uint32Array | null {
    if (this.allRaw !== undefined) return this.allRaw;
    const raw = this.stored!.raw;
    const bytes = this.readRaw(0, raw.count);
    for (let k = 0; bytes && k < raw.digests.length; k++) {
      if (rawDigest(bytes.subarray(4 * k * raw.chunk, 4 * (k + 1) * raw.chunk)) !== raw.digests[k]) { this.rawFailed(); return null; }
    }
    if (!bytes) { this.rawFailed(); return null; }
    return (this.allRaw = new Uint32Array(bytes.buffer, bytes.byteOffset, raw.count));
  }

  /** The stored hashes from..to (a range of one file's calls): from the chunks holding them. */
  private hashRange(from: number, to: number): Uint32Array | null {
    if (this.allRaw !== undefined) return this.allRaw?.subarray(from, to) ?? null;
    const raw = this.stored!.raw;
    const first = Math.floor(from / raw.chunk), last = Math.floor(Math.max(from, to - 1) / raw.chunk);
    const parts: Uint32Array[] = [];
    for (let k = first; k <= last; k++) {
      let c = this.rawChunks.get(k);
      if (c === undefined) {
        const n = Math.min(raw.chunk, raw.count - k * raw.chunk);
        const bytes = this.readRaw(k * raw.chunk, n);
        c = bytes && rawDigest(bytes) === raw.digests[k] ? new Uint32Array(bytes.buffer, bytes.byteOffset, n) : null;
        this.rawChunks.set(k, c);
      }
      if (!c) { this.rawFailed(); return null; }
      parts.push(c);
    }
    const base = first * raw.chunk;
    if (parts.length === 1) return parts[0].subarray(from - base, to - base);
    const joined = new Uint32Array(to - from);
    let at = 0;
    for (let k = 0; k < parts.length; k++) {
      const lo = k === 0 ? from - base : 0;
      const hi = k === parts.length - 1 ? to - (first + k) * raw.chunk : parts[k].length;
      joined.set(parts[k].subarray(lo, hi), at);
      at += hi - lo;
    }
    return joined;
  }

  /** `count` raw hashes from hash `from` of the index file (null: the file is gone or short). */
  private readRaw(from: number, count: number): Uint8Array | null {
    const bytes = new Uint8Array(new ArrayBuffer(4 * count));
    let fd: number;
    try { fd = fs.openSync(this.indexFile, 'r'); } catch { return null; }
    try { return readFully(fd, bytes, this.rawStart + 4 * from) === bytes.length ? bytes : null; } catch { return null; } finally { fs.closeSync(fd); }
  }

  /** The stored hashes as the run's table takes them: read at the first use. */
  private readonly lazyCalls: LazyCalls = { all: () => this.allHashes() };

  private deltaRows: DeltaRow[] = [];
  /** Call indexes of the delta's rows, by row of the stored index. */
  private over = new Map<number, Uint32Array | null>();
  private deltaMacros?: StoredMacros;
  private deltaResult?: StoredResult;
  private deltaHeaders?: Packed<StoredHeader[]>;
  private deltaClosures?: StoredClosures | null;
  private newClosures?: { file: string; closure: Closure }[] | null;
  private deltaAnalyses?: Packed<StoredAnalyses>;
  private newAnalyses?: ReadonlyMap<string, FunctionAnalysis>;

  /** After a run that kept the result: the changed files' entries (this.changed) are
   * written as a delta of the loaded index, or the whole index when there is none to
   * apply it to, it was built with other needles, or the delta has grown too large. */
  saveChanged(t: FileTable, startedAt: number, complete: boolean): void {
    const s = this.stored;
    if (!s?.id || s.needles !== this.needleKey || this.changed.length + this.deltaRows.length > MAX_DELTA_ROWS) {
      this.save(t, startedAt, complete);
      return;
    }
    this.writeDelta(t, startedAt, this.deltaResult, this.deltaHeaders);
  }

  /** After a run that recomputed the result: the result, with the changed files' entries,
   * as a delta of the loaded index (serialising and writing the whole index costs ~0.3 s on
   * a kernel tree), when the run's file table differs from the index in those files only;
   * else the whole index. */
  saveRecomputed(t: FileTable, startedAt: number, complete: boolean): void {
    const s = this.stored;
    if (!s?.id || s.needles !== this.needleKey || this.changed.length + this.deltaRows.length > MAX_DELTA_ROWS || !this.onlyChangedDiffer(t)) {
      this.save(t, startedAt, complete);
      return;
    }
    // (The header facts are written when this run's differ from the loaded ones: those the
    // run took from them are the same objects.)
    const loaded = this.storedHeaders();
    const used = this.usedHeaders(startedAt);
    const same = !this.headersUsed.size || (used.length === loaded.length && used.every((h, k) => h === loaded[k]));
    this.writeDelta(t, startedAt, this.newResult, same ? this.deltaHeaders : pack(used));
  }

  /** The table has the index's files, and the same verdict and call index (by presence and
   * size: the contents come from the index) for every file but the changed ones. */
  private onlyChangedDiffer(t: FileTable): boolean {
    const s = this.stored!;
    if (this.gone > 0 || t.rels.length !== s.files.length) return false;
    const changed = new Set(this.changed);
    for (let i = 0; i < t.rels.length; i++) {
      if (t.rels[i] !== s.files[i]) return false;
      if (changed.has(t.rels[i])) continue;
      const c = t.calls(i);
      if (t.pre[i] !== s.pre[i] || (c === null || c === undefined ? 1 : 0) !== s.noCalls[i] || (c && c.length !== this.storedCallsAt(i)!.length)) return false;
    }
    return true;
  }

  /** The header facts this run used, in the order it used them (racily clean ones left
   * out: the same stat key may hide another change). */
  private usedHeaders(startedAt: number): StoredHeader[] {
    return [...this.headersUsed.values()].filter((h) => h.st[1] < startedAt - RACY_MS);
  }

  /** The loaded header facts (unpacked once, by the first run step that needs them). */
  private storedHeaders(): StoredHeader[] {
    const s = this.stored;
    if (!s?.headers) return [];
    return (s.headers.of ??= unpack(s.headers, headersWellFormed) ?? []);
  }

  private writeDelta(t: FileTable, startedAt: number, result: StoredResult | undefined, headers: Packed<StoredHeader[]> | undefined): void {
    const s = this.stored!;
    const rows = new Map(this.deltaRows.map((r) => [r.rel, r]));
    for (const rel of this.changed) {
      const i = indexInSorted(t.rels, rel);
      if (i < 0) continue;
      const key = t.st.subarray(4 * i, 4 * i + 4);
      // (Racily clean, or unknown: left out, so the next run looks at the file again.)
      if (Number.isNaN(key[0]) || key[1] >= startedAt - RACY_MS) { rows.delete(rel); continue; }
      // (A copy: a view would serialise the whole buffer it is a view of.)
      rows.set(rel, { rel, st: [...key], pre: t.pre[i], calls: t.calls(i)?.slice() ?? null });
    }
    const macros = this.newMacros ?? this.deltaMacros;
    // (A run that recomputed the closures writes them, or null when it kept none: the
    // index's would otherwise be taken for this tree's.)
    const closures = this.newClosures === undefined ? this.deltaClosures : this.newClosures ? encodeClosures(this.newClosures, s.files) : null;
    const analyses = this.newAnalyses ? pack(encodeAnalyses(this.newAnalyses)) : bare(this.deltaAnalyses);
    const out: Delta = { base: s.id!, rows: [...rows.values()], ...(macros ? { macros } : {}), ...(result ? { result } : {}), ...(headers ? { headers: bare(headers) } : {}), ...(closures !== undefined ? { closures } : {}), ...(analyses ? { analyses } : {}) };
    try {
      writeEntry(this.deltaFile, sealEntry(out, buildId(), path.basename(this.deltaFile)));
    } catch { /* as in save() */ }
  }

  get loaded(): boolean { return this.stored !== null; }

  /** The files of the saved index (relative, sorted), or null without one. */
  get knownFiles(): string[] | null { return this.stored?.files ?? null; }

  /** Trust the saved index: every file's stat key is taken as it was saved, except the
   * files of `fresh` (whose keys the table already holds). For the per-file check of a
   * build, where statting the whole tree would cost more than the check. */
  assumeUnchanged(t: FileTable, fresh: Set<string>): void {
    const s = this.stored;
    if (!s) return;
    let j = 0;
    for (let i = 0; i < t.rels.length; i++) {
      const rel = t.rels[i];
      while (j < s.files.length && s.files[j] < rel) j++;
      if (j < s.files.length && s.files[j] === rel && !fresh.has(rel)) t.st.set(s.st.subarray(4 * j, 4 * j + 4), 4 * i);
    }
  }

  /** Take the cached state of every file whose stat key (already in t.st) is unchanged.
   * Both lists are sorted: one merge walk. */
  apply(t: FileTable): void {
    const s = this.stored;
    if (!s) return;
    const samePre = s.needles === this.needleKey;
    const edited = benchEdit()?.file;
    let j = 0, found = 0;
    for (let i = 0; i < t.rels.length; i++) {
      const rel = t.rels[i];
      while (j < s.files.length && s.files[j] < rel) j++;
      if (j < s.files.length && s.files[j] === rel) found++;
      if (j >= s.files.length || s.files[j] !== rel || rel === edited) { this.misses++; this.changed.push(rel); continue; }
      let same = !Number.isNaN(t.st[4 * i]);
      for (let k = 0; same && k < 4; k++) same = s.st[4 * j + k] === t.st[4 * i + k];
      if (!same) { this.misses++; this.changed.push(rel); continue; }
      this.hits++;
      if (samePre) t.pre[i] = s.pre[j];
      if (!s.noCalls[j]) {
        const o = this.over.get(j);
        if (o) t.setCalls(i, o);
        else t.setCalls(i, this.lazyCalls, s.off[j], s.off[j + 1] - s.off[j]);
      }
    }
    this.gone = s.files.length - found;
  }

  /** The stored result for `key` if every one of the run's `files` files was unchanged. */
  result(key: string, files: number): unknown {
    const r = this.stored?.result;
    if (!r || r.key !== key || r.files !== files || this.misses !== 0 || this.hits !== files) return undefined;
    return r.value;
  }

  /** The last run's macro search (the caller checks that it still holds). */
  get storedMacros(): StoredMacros | undefined { return this.stored?.macros; }

  setMacros(m: StoredMacros): void { this.newMacros = m; }

  /** The stored result for `key` whatever changed (the caller checks its deps). */
  storedResult(key: string): StoredResult | undefined {
    const r = this.stored?.result;
    return r && r.key === key ? r : undefined;
  }

  /** The stored call index of row `j` (the delta's when it has the file). */
  private storedCallsAt(j: number): Uint32Array | null {
    const s = this.stored!;
    const o = this.over.get(j);
    if (o !== undefined) return o;
    return s.noCalls[j] ? null : this.hashRange(s.off[j], s.off[j + 1]);
  }

  /** The saved call index of `rel`: null when it had none (unindexed or unknown), undefined
   * when the index does not hold the file. */
  storedCalls(rel: string): Uint32Array | null | undefined {
    const s = this.stored;
    const i = s ? indexInSorted(s.files, rel) : -1;
    if (i < 0) return undefined;
    return this.storedCallsAt(i);
  }

  /** Files of the saved index whose call index holds one of `names` (`calling`), and the
   * files it holds without a call index (`unindexed`: never scanned, e.g. by a per-file
   * check, so they might call them), relative and sorted; null without an index. The index
   * may be older than the files: the caller confirms each file on its current text. */
  filesCalling(names: string[]): { calling: string[]; unindexed: string[] } | null {
    const s = this.stored;
    if (!s) return null;
    const want = new Set(names.map(callHash));
    // (A bitmap of the hashes' low 16 bits first: ~3 million hashes for a whole kernel, of
    // which only the few that pass it are looked up in the set.)
    const low = new Uint8Array(8192);
    for (const h of want) low[(h & 0xffff) >>> 3] |= 1 << (h & 7);
    const { off } = s;
    const hashes = this.allHashes();
    const calling: string[] = [];
    const unindexed: string[] = [];
    for (let i = 0; i < s.files.length; i++) {
      if (s.noCalls[i] === 1 || (!hashes && !this.over.get(i))) { unindexed.push(s.files[i]); continue; }
      let hit = false;
      const o = this.over.size ? this.over.get(i) : undefined;
      if (o) hit = o.some((h) => want.has(h));
      else {
        for (let k = off[i], end = off[i + 1]; !hit && k < end; k++) {
          const h = hashes![k];
          hit = (low[(h & 0xffff) >>> 3] & (1 << (h & 7))) !== 0 && want.has(h);
        }
      }
      if (hit) calling.push(s.files[i]);
    }
    return { calling, unindexed };
  }

  private headersUsed = new Map<string, StoredHeader>();

  /** Header facts of earlier runs, for files whose stat key (in `t`) is unchanged; what the
   * run reads or reuses is saved with the index. */
  headerStore(t: FileTable): HeaderFactsStore {
    const stored = new Map(this.storedHeaders().map((h) => [h.rel, h]));
    const keyOf = (rel: string): number[] | null => {
      const i = indexInSorted(t.rels, rel);
      const k = i < 0 ? null : [...t.st.subarray(4 * i, 4 * i + 4)];
      return k && !k.some(Number.isNaN) ? k : null;
    };
    return {
      get: (rel) => {
        const h = stored.get(rel);
        const k = h && keyOf(rel);
        if (!h || !k || k.some((v, i) => v !== h.st[i])) return undefined;
        this.headersUsed.set(rel, h);
        return { includes: h.includes, structs: new Set(h.structs) };
      },
      set: (rel, f) => {
        const k = keyOf(rel);
        if (k) this.headersUsed.set(rel, { rel, st: k, includes: f.includes, structs: [...f.structs] });
      },
    };
  }

  /** The run's function analyses, kept for the next run (by content: no invalidation). */
  setAnalyses(m: ReadonlyMap<string, FunctionAnalysis>): void {
    this.newAnalyses = m;
  }

  /** The last run's function analyses, by key (their `fn` is the caller's to set). */
  analysisStore(): ReadonlyMap<string, FunctionAnalysis> | undefined {
    const a = unpack(this.stored?.analyses, analysesWellFormed);
    if (!a) return undefined;
    const m = new Map<string, FunctionAnalysis>();
    a.keys.forEach((k, i) => m.set(k, a.values[i] as FunctionAnalysis));
    return m;
  }

  /** The run's #include closures (null: none to keep), saved with the index and the
   * result, whose deps.read says what computing them read. */
  setClosures(kept: { file: string; closure: Closure }[] | null): void {
    this.newClosures = kept;
  }

  private makefileCheck?: string | null;

  /** A Makefile or Kbuild file that the last result's run read for -I directories and that
   * changed since (its first, sorted), else null. (Read once per run.) */
  makefileChanged(): string | null {
    if (this.makefileCheck === undefined) {
      const listed = this.stored?.result?.deps?.makefiles ?? [];
      this.makefileCheck = listed.find(([rel, d]) => currentMakefileDigest(this.root, rel) !== d)?.[0] ?? null;
    }
    return this.makefileCheck;
  }

  /** The last run's #include closures that still hold: none when a header, Makefile or
   * Kbuild changed (anything but a .c file) or a file was added or removed; else those
   * whose files all are unchanged. */
  closureStore(t: FileTable): ClosureStore | undefined {
    const s = this.stored;
    const c = s?.closures;
    const reads = s?.result?.deps?.read;
    if (!s || !c || !reads || this.gone > 0 || t.rels.length !== s.files.length || this.changed.some((f) => !f.endsWith('.c')) || this.makefileChanged()) return undefined;
    const changed = new Set(this.changed.map((f) => indexInSorted(s.files, f)));
    const byRoot = new Map<string, number>();
    for (let k = 0; k < c.roots.length; k++) byRoot.set(s.files[c.roots[k]], k);
    return {
      reads,
      get: (file) => {
        const k = byRoot.get(file);
        if (k === undefined) return undefined;
        const rows = c.members.subarray(c.off[k], c.off[k + 1]);
        if (changed.size && rows.some((r) => changed.has(r))) return undefined;
        const files = new Set<string>();
        for (const r of rows) files.add(s.files[r]);
        return { files, complete: c.complete[k] === 1 };
      },
    };
  }

  setResult(key: string, files: number, value: unknown, deps?: ResultDeps): void {
    this.newResult = { key, files, value, ...(deps ? { deps } : {}) };
  }

  /** Write what the table knows (atomically; errors are ignored: a cache that cannot be
   * written only makes the next run slower). Unless `complete` (the run saw the whole
   * tree), entries of files outside this run are kept. */
  save(t: FileTable, startedAt: number, complete: boolean): void {
    const prev = this.stored;
    // Rows: >= 0 a file of the table, < 0 a kept entry -(j+1) of the previous index.
    const rows: number[] = [];
    if (prev && !complete) {
      let j = 0;
      for (let i = 0; i < t.rels.length; i++) {
        while (j < prev.files.length && prev.files[j] < t.rels[i]) rows.push(-(j++ + 1));
        if (j < prev.files.length && prev.files[j] === t.rels[i]) j++;
        rows.push(i);
      }
      while (j < prev.files.length) rows.push(-(j++ + 1));
    } else for (let i = 0; i < t.rels.length; i++) rows.push(i);
    const n = rows.length;
    const files: string[] = new Array(n);
    const st = new Float64Array(4 * n).fill(NaN);
    const pre = new Uint8Array(n);
    const noCalls = new Uint8Array(n).fill(1);
    const off = new Int32Array(n + 1);
    let total = 0;
    for (const r of rows) {
      if (r >= 0) total += t.calls(r)?.length ?? 0;
      else total += this.storedCallsAt(-r - 1)?.length ?? 0;
    }
    const hashes = new Uint32Array(total);
    let at = 0;
    const samePre = prev?.needles === this.needleKey;
    rows.forEach((r, i) => {
      off[i] = at;
      if (r < 0) {
        const o = -r - 1, p = prev!;
        files[i] = p.files[o];
        st.set(p.st.subarray(4 * o, 4 * o + 4), 4 * i);
        pre[i] = samePre ? p.pre[o] : 0;
        noCalls[i] = p.noCalls[o];
        const calls = this.storedCallsAt(o);
        if (calls) { hashes.set(calls, at); at += calls.length; }
        return;
      }
      files[i] = t.rels[r];
      const key = t.st.subarray(4 * r, 4 * r + 4);
      // Racily clean: modified around the scan, the same stat key may hide another change.
      if (Number.isNaN(key[0]) || key[1] >= startedAt - RACY_MS) return;
      st.set(key, 4 * i);
      pre[i] = t.pre[r];
      const calls = t.calls(r);
      if (calls) { hashes.set(calls, at); at += calls.length; noCalls[i] = 0; }
    });
    off[n] = at;
    const now = Date.now();
    let prunedAt = prev?.prunedAt ?? now;
    if (now - prunedAt > PRUNE_EVERY_MS) { this.prune(now); prunedAt = now; }
    const out: Omit<Stored, 'raw'> = {
      format: FORMAT, id: randomBytes(8).toString('hex'), build: buildId(), root: this.root, needles: this.needleKey, savedAt: now, prunedAt,
      files, st, pre, noCalls, off,
      ...(this.newResult ? { result: this.newResult } : {}),
      ...(this.newMacros ?? prev?.macros ? { macros: this.newMacros ?? prev!.macros } : {}),
      // (Racily clean headers are not kept: the same stat key may hide another change. A run
      // that read none, having reused the result, keeps the last ones as they are.)
      ...(this.headersUsed.size ? { headers: pack(this.usedHeaders(startedAt)) } : prev?.headers ? { headers: bare(prev.headers) } : {}),
      ...(this.newClosures ? { closures: encodeClosures(this.newClosures, files) } : {}),
      ...(this.newAnalyses ? { analyses: pack(encodeAnalyses(this.newAnalyses)) } : {}),
    };
    try {
      writeEntry(this.indexFile, indexParts(out, at === total ? hashes : hashes.subarray(0, at), path.basename(this.indexFile)));
      fs.rmSync(this.deltaFile, { force: true });
    } catch { /* see above */ }
  }

  /** Remove fact entries not read or written for PRUNE_AGE_MS (hits refresh their mtime). */
  private prune(now: number): void {
    const facts = path.join(this.factsDir, 'facts');
    let dirs: string[] = [];
    try { dirs = fs.readdirSync(facts); } catch { return; }
    for (const d of dirs) {
      const abs = path.join(facts, d);
      let names: string[] = [];
      try { names = fs.readdirSync(abs); } catch { continue; }
      for (const n of names) {
        try {
          const p = path.join(abs, n);
          if (now - fs.statSync(p).mtimeMs > PRUNE_AGE_MS) fs.unlinkSync(p);
        } catch { /* raced with another run */ }
      }
    }
  }
}

/** The index's shape: arrays of matching lengths (a sealed entry of this build that is not
 * one is treated as failing its check). */
function wellFormed(s: Stored): boolean {
  const n = Array.isArray(s.files) ? s.files.length : -1;
  return n >= 0 && s.st instanceof Float64Array && s.st.length === 4 * n && s.pre instanceof Uint8Array && s.pre.length === n
    && s.noCalls instanceof Uint8Array && s.noCalls.length === n && s.off instanceof Int32Array && s.off.length === n + 1
    && typeof s.raw === 'object' && s.raw !== null && Number.isInteger(s.raw.count) && Number.isInteger(s.raw.chunk) && s.raw.chunk > 0
    && Array.isArray(s.raw.digests) && s.raw.digests.length === Math.ceil(s.raw.count / s.raw.chunk) && (n === 0 || s.off[n] <= s.raw.count)
    && (s.closures === undefined || closuresWellFormed(s.closures, n))
    && packedWellFormed(s.headers) && packedWellFormed(s.analyses);
}

function analysesWellFormed(a: StoredAnalyses): boolean {
  return Array.isArray(a.keys) && Array.isArray(a.values) && a.keys.length === a.values.length
    && a.values.every((v) => typeof v === 'object' && v !== null && Array.isArray(v.classes) && Array.isArray(v.atCall) && Array.isArray(v.atNode) && Array.isArray(v.exits));
}

function closuresWellFormed(c: StoredClosures, files: number): boolean {
  const k = c.roots instanceof Int32Array ? c.roots.length : -1;
  return k >= 0 && c.complete instanceof Uint8Array && c.complete.length === k && c.off instanceof Int32Array && c.off.length === k + 1
    && c.members instanceof Int32Array && c.off[k] === c.members.length
    && c.roots.every((r) => r >= 0 && r < files) && c.members.every((r) => r >= 0 && r < files);
}

function deltaWellFormed(d: Delta): boolean {
  return typeof d.base === 'string' && Array.isArray(d.rows) && d.rows.every((r) => typeof r.rel === 'string' && Array.isArray(r.st) && r.st.length === 4
    && typeof r.pre === 'number' && (r.calls === null || r.calls instanceof Uint32Array))
    && (d.result === undefined || (typeof d.result === 'object' && d.result !== null && typeof d.result.key === 'string'))
    && packedWellFormed(d.headers) && packedWellFormed(d.analyses)
    && (d.closures === undefined || d.closures === null || closuresWellFormed(d.closures, Infinity));
}

/** Check a --cache directory: absolute, outside the audited tree, a directory this process
 * can create and write (a bad one such as /proc/x is refused here, before any work). */
/** The index file of the tree at `root` in the cache directory `dir`. */
export function indexFileOf(dir: string, root: string): string {
  return path.join(dir, 'v1', 'trees', `${createHash('sha1').update(root).digest('hex').slice(0, 16)}.v8`);
}

/** Where the fact entries of the cache directory `dir` are kept (under facts/). */
export function factsDirOf(dir: string): string {
  return path.join(dir, 'v1');
}

export function cacheDirFor(dir: string | true, root: string): string {
  const abs = path.resolve(dir === true ? defaultCacheDir() : dir);
  const rel = path.relative(root, abs);
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
    throw new Error(`the cache directory must be outside the audited tree (${abs} is inside ${root})`);
  }
  try {
    makeDirs(path.join(abs, 'v1'));
    fs.accessSync(path.join(abs, 'v1'), fs.constants.W_OK);
    if (!fs.statSync(abs).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
  } catch (e) {
    throw new Error(`cannot use ${abs} as a cache directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return abs;
}

