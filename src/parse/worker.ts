// Worker thread: token scans (prefilter, call index, caller searches), file stats and fact
// extraction. Returns plain data only.
import { parentPort } from 'worker_threads';
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import { createHash } from 'crypto';
import { isUtf8 } from 'buffer';
import type { ExtractRequest } from './extract';
import { NeedleSet, Scanner } from './needles';
import type { FileFacts } from './ir';
import { walkDirs } from '../discover';
import { lineShifts, type LineShift } from './shape';
import { answerDigest, benchEdit, benchEdited, sealEntry, unsealEntry, writeEntry } from '../cache-entry';
import { fsPath } from '../fsname';
import { TimeLimitError } from '../errors';
import { devSwitches } from '../dev-switches';
import { depsHold, type PreprocessOptions } from '../preprocess/scope';

export type WorkerTask =
  | ScanTask
  | { type: 'stat'; files: string[] }
  | { type: 'walk'; dirs: string[]; root: string; top: string; given: string[] }
  /** Load the extractor and parse a tiny function, so that the first extraction does not
   * wait for it (sent behind the last batch of a large scan: see TreeScan.prefilter). */
  | { type: 'warm' }
  /** `prevKey` (with `cache`): the cache key of the answer this request had in the run
   * whose result is kept, when the file changed since (ExtractResult.shift). */
  | { type: 'extract'; req: ExtractRequest; maxBytes: number; cache?: { dir: string; build: string }; prevKey?: string };

export interface ScanTask {
  type: 'scan';
  files: string[];
  needles: string[];
  /** Needles match whole identifiers only. */
  word?: boolean;
  /** Report every needle found per hit file (ScanResult.which), not just that one is. */
  all?: boolean;
  /** Also return each file's call index (hashes of the identifiers it calls). */
  index?: boolean;
  /** Also return each file's stat key (size, mtime, ctime, inode) for the cache. */
  stat?: boolean;
  maxBytes: number;
}

export interface ScanResult {
  hits: number[];
  /** With `all`: the needle indices found, per hit. */
  which?: number[][];
  skipped: { index: number; reason: string }[];
  bytes: number;
  /** With `index`: file i's distinct hashes are hashes[offsets[i] .. offsets[i+1]); files in
   * `unindexed` (too many names, or skipped) have none and must be searched. */
  index?: { hashes: Uint32Array; offsets: Int32Array; unindexed: number[] };
  /** With `stat`: size, mtimeMs, ctimeMs, ino per file (NaN when unreadable). */
  stat?: Float64Array;
  ms: number;
}

export interface ExtractResult {
  facts?: FileFacts;
  skipped?: string;
  notes?: string[];
  /** With --cache: a SHA-1 of the answer (facts, skip reason, notes), kept in its cache
   * entry. Two answers with the same digest are the same answer: a run after an edit
   * compares them to decide whether the edit changed what the last result was computed
   * from (src/stages/reuse.ts). */
  digest?: string;
  /** Milliseconds spent (for --profile) and whether the facts came from the cache. */
  ms?: number;
  cached?: boolean;
  bytes?: number;
  /** The file's masked and preprocessed state was the one the worker kept from an earlier
   * request (extractFile's memo). */
  memo?: boolean;
  /** With --cache: the key of the answer's cache entry (the file's bytes and the request). */
  key?: string;
  /** For a request sent with `prevKey`: where the lines of the earlier answer's functions
   * are now, when the two answers have the same shape (src/parse/shape.ts); absent when
   * they do not, or the earlier answer is no longer in the cache. */
  shift?: LineShift[];
}

/** The extractor (tree-sitter and its C grammar) is loaded by the first extraction: the
 * tree walk and scans, which come first, do not wait for it (a worker starts ~3x sooner). */
let ex: typeof import('./extract') | undefined;
function extractor(): typeof import('./extract') {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return (ex ??= require('./extract') as typeof import('./extract'));
}

let buf = Buffer.allocUnsafe(1 << 20);

function readWhole(path: string, maxBytes: number): Buffer | string {
  let fd: number;
  try {
    fd = fs.openSync(fsPath(path), 'r');
  } catch (e) {
    return `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size > maxBytes) return `larger than the size limit (${size} > ${maxBytes} bytes)`;
    if (size + 1 > buf.length) buf = Buffer.allocUnsafe(Math.max(size + 1, buf.length * 2));
    let n = 0;
    for (;;) {
      const r = fs.readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]);
    }
    return buf.subarray(0, n);
  } catch (e) {
    return `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
  } finally {
    fs.closeSync(fd);
  }
}

const edit = benchEdit();

let scanner: Scanner | null = null;
/** Bytes of source parsed since the last collection (see collectTrees). */
let parsedSince = 0;
const needleSets = new Map<string, NeedleSet>();

function scan(task: ScanTask): ScanResult {
  const t0 = Date.now();
  scanner ??= new Scanner();
  const key = `${task.word ? 'w' : 's'}\0${task.needles.join('\0')}`;
  let set = needleSets.get(key);
  if (!set) {
    if (needleSets.size > 32) needleSets.clear();
    set = new NeedleSet(task.needles, !!task.word);
    needleSets.set(key, set);
  }
  const n = task.files.length;
  const res: ScanResult = { hits: [], skipped: [], bytes: 0, ms: 0 };
  if (task.all) res.which = [];
  const parts: Uint32Array[] = [];
  const offsets = new Int32Array(n + 1);
  const unindexed: number[] = [];
  let total = 0;
  const stat = task.stat ? new Float64Array(4 * n).fill(NaN) : undefined;
  for (let i = 0; i < n; i++) {
    offsets[i] = total;
    const r = scanner.read(task.files[i], task.maxBytes);
    if (typeof r === 'string') {
      res.skipped.push({ index: i, reason: r });
      unindexed.push(i);
      continue;
    }
    if (stat) stat.set([r.size, r.mtimeMs, r.ctimeMs, r.ino], 4 * i);
    res.bytes += r.len;
    if (task.needles.length) {
      const found = scanner.search(set, r.len, !task.all);
      if (found.length) {
        res.hits.push(i);
        res.which?.push(found.sort((a, b) => a - b));
      }
    }
    if (task.index) {
      const idx = scanner.callIndex(r.len);
      if (idx) { parts.push(idx); total += idx.length; } else unindexed.push(i);
    }
  }
  offsets[n] = total;
  if (task.index) {
    const hashes = new Uint32Array(total);
    let at = 0;
    for (const p of parts) { hashes.set(p, at); at += p.length; }
    res.index = { hashes, offsets, unindexed };
  }
  if (stat) res.stat = stat;
  // A buffer grown for a big generated header (up to ~25 MB) is not kept for the rest of
  // the run: a new scanner starts small again.
  if (scanner.reserved > 8 << 20) scanner = null;
  res.ms = Date.now() - t0;
  return res;
}

let warmed = false;
function warm(): boolean {
  if (warmed) return false;
  warmed = true;
  extractor().extractFile({ file: 'warm.c', abs: 'warm.c', names: ['get_user_pages'], gupNames: ['get_user_pages'] }, 'static int f(struct mm_struct *mm)\n{\n\tmmap_read_lock(mm);\n\treturn get_user_pages(0, 1, 0, NULL);\n}\n');
  return true;
}

function statFiles(files: string[]): Float64Array {
  const out = new Float64Array(4 * files.length).fill(NaN);
  for (let i = 0; i < files.length; i++) {
    try {
      const st = fs.statSync(fsPath(files[i]), { throwIfNoEntry: false });
      if (st && st.isFile()) out.set([st.size, st.mtimeMs, st.ctimeMs, st.ino], 4 * i);
    } catch { /* NaN: not cacheable, rescanned */ }
  }
  return out;
}

function extractUncached(task: Extract<WorkerTask, { type: 'extract' }>, data: Buffer, content?: string): ExtractResult {
  const probe = data.subarray(0, Math.min(data.length, 8192));
  if (probe.indexOf(0) >= 0) return { skipped: 'binary file (contains NUL bytes)' };
  const notes: string[] = [];
  if (!isUtf8(data)) notes.push('not valid UTF-8: read as Latin-1');
  // latin1: one char per byte, so columns are byte columns and nothing fails to decode.
  const text = data.toString('latin1');
  // (The worker keeps a file's state between the rounds of one audit: see extractFile.)
  const hits = extractor().fileMemoCounters.hits;
  const facts = extractor().extractFile(task.req, text, String(auditNumber), content);
  return { facts, notes, ...(extractor().fileMemoCounters.hits > hits ? { memo: true } : {}) };
}

/** The preprocessing options as the facts key sees them (see extract). */
function preprocessKey(o: PreprocessOptions): unknown {
  const { versionCode: _lo, versionCodeMax: _hi, root, ...rest } = o;
  return o.shallow ? rest : { ...rest, root };
}

/** What a cached answer's preprocessing consulted is the same in this audit. */
function consultedSame(r: ExtractResult, o: PreprocessOptions | undefined): boolean {
  const f = r.facts;
  if (!f || !o) return true;
  if (f.version && (f.version[0] !== o.versionCode || f.version[1] !== o.versionCodeMax)) return false;
  return !f.deps || depsHold(o, f.deps);
}

/** A cached extraction of this file: skipped with a reason, or facts of this path. */
function isExtractResult(v: unknown, rel: string): v is ExtractResult {
  const r = v as ExtractResult | null;
  if (!r || typeof r !== 'object') return false;
  if (typeof r.skipped === 'string') return true;
  const f = r.facts;
  return !!f && f.file === rel && Array.isArray(f.functions) && Array.isArray(f.gupTokens) && Array.isArray(f.unattributed) && typeof f.bytes === 'number';
}

/** A fact entry's mtime is refreshed by a hit at most this often (pruning removes entries
 * unused for 30 days). */
const TOUCH_AFTER_MS = 24 * 3600 * 1000;

/** A cache entry's bytes and mtime (one open, fstat and read), or null when absent. */
function readEntryFile(file: string): { buf: Buffer; mtimeMs: number } | null {
  let fd: number;
  try { fd = fs.openSync(file, 'r'); } catch { return null; }
  try {
    const st = fs.fstatSync(fd);
    return { buf: fs.readFileSync(fd), mtimeMs: st.mtimeMs };
  } catch { return null; } finally { fs.closeSync(fd); }
}

/** Facts are cached by content: the key is the build, the path, a hash of the bytes and
 * the request, so a changed file or a different request can never hit a stale entry. The
 * preprocessing options enter the key without the audited version, and without the tree's
 * place for a kernel tree (whose headers are looked up only beside the file): an entry is
 * used only while what its preprocessing consulted is the same (the headers it tried, and
 * the version when a condition tested it), so a second tree hits on every file that is the
 * same there. */
function extract(task: Extract<WorkerTask, { type: 'extract' }>): ExtractResult {
  const { res, stale } = extractOrCached(task);
  if (!task.prevKey || !/^[0-9a-f]{40}$/.test(task.prevKey) || !task.cache || !res.key || res.digest === undefined) return res;
  // (The earlier answer is read from its own cache entry: the run that kept the result
  // stored only its key. The same key, the file's bytes unchanged, and another answer: a
  // header it reads changed, and the entry just replaced held the earlier answer.)
  let prev: unknown;
  if (res.key === task.prevKey) prev = stale;
  else {
    const got = readEntryFile(factsEntryFile(task.cache.dir, task.prevKey));
    const entry = got ? unsealEntry(got.buf, task.cache.build, path.basename(factsEntryFile(task.cache.dir, task.prevKey))) : 'miss';
    prev = typeof entry === 'object' ? entry.value : undefined;
  }
  if (!prev || !isExtractResult(prev, task.req.file) || (prev as ExtractResult).digest === res.digest) return res;
  const shift = lineShifts(prev as ExtractResult, res);
  return shift ? { ...res, shift } : res;
}

function factsEntryFile(dir: string, key: string): string {
  return path.join(dir, 'facts', key.slice(0, 2), `${key}.v8`);
}

/** The answer, from the cache entry or extracted (and stored); `stale`: the entry it
 * replaced, whose headers or version differ. */
function extractOrCached(task: Extract<WorkerTask, { type: 'extract' }>): { res: ExtractResult; stale?: unknown } {
  const t0 = Date.now();
  let data = readWhole(task.req.abs, task.maxBytes);
  if (typeof data === 'string') return { res: { skipped: data, ms: Date.now() - t0 } };
  if (edit && task.req.file === edit.file) data = benchEdited(data, edit);
  let file: string | null = null;
  let key: string | undefined;
  let stale: unknown;
  let dropped = '';
  // (The bytes' SHA-1 keys the cache entry, and the worker's kept state of the file.)
  const content = task.cache ? createHash('sha1').update(data).digest('hex') : undefined;
  if (task.cache) {
    const { names, gupNames, skip, file: rel, preprocess } = task.req;
    key = createHash('sha1').update(JSON.stringify([task.cache.build, rel, content, names, gupNames, skip ?? null, preprocess ? preprocessKey(preprocess) : null])).digest('hex');
    file = factsEntryFile(task.cache.dir, key);
    const entry = readEntryFile(file);
    const buf = entry?.buf ?? null;
    const got = buf ? unsealEntry(buf, task.cache.build, path.basename(file)) : 'miss';
    const valid = typeof got === 'object' && isExtractResult(got.value, rel);
    if (valid && consultedSame(got.value as ExtractResult, preprocess)) {
      // (A hit keeps the entry from being pruned: its mtime is refreshed, once a day at most.)
      if (Date.now() - entry!.mtimeMs > TOUCH_AFTER_MS) {
        try { const now = new Date(); fs.utimesSync(file, now, now); } catch { /* pruning is only later */ }
      }
      return { res: { ...(got.value as ExtractResult), ms: Date.now() - t0, cached: true, bytes: data.length, key } };
    }
    if (valid) stale = got.value;
    // (An entry whose headers or version differ is only stale: extracted again, replaced.)
    if (got !== 'miss' && !valid) {
      try { fs.unlinkSync(file); } catch { /* already gone */ }
      dropped = `cache: the entry ${file} failed its integrity check: dropped, extracted again`;
    }
  }
  parsedSince += data.length;
  // (Whether the worker's kept file state was used says how the answer was computed, not
  // what it is: it stays out of the digest and the cache entry.)
  const { memo, ...res } = extractUncached(task, data, content);
  if (file) {
    // (Each function's digest keys its analyses in the cache: the IR is plain data, so its
    // JSON is its content.)
    for (const fn of res.facts?.functions ?? []) fn.digest = createHash('sha1').update(JSON.stringify(fn)).digest('hex');
    res.digest = answerDigest(res);
    try { writeEntry(file, sealEntry(res, task.cache!.build, path.basename(file))); } catch { /* a cache that cannot be written is only slower */ }
  }
  if (dropped) res.notes = [...(res.notes ?? []), dropped];
  return { res: { ...res, ms: Date.now() - t0, cached: false, bytes: data.length, ...(memo ? { memo } : {}), ...(key ? { key } : {}) }, stale };
}

// The test-only fault hook (src/dev-switches.ts): the pool's replace-and-retry paths.
const { fault, faultOn, faultOnce, faultTask } = devSwitches();
function testFault(t: WorkerTask): void {
  if (!fault || !faultOn || t.type !== faultTask) return;
  if (!(t.type === 'extract' ? t.req.abs.includes(faultOn) : t.type === 'scan' && t.files.some((f) => f.includes(faultOn)))) return;
  if (faultOnce) {
    try { fs.writeFileSync(faultOnce, '', { flag: 'wx' }); } catch { return; }
  }
  if (fault === 'crash') process.exit(70);
  if (fault === 'hang') for (;;) { /* until terminated */ }
}

/** The audit the last task belonged to: a task of another one first drops the header caches
 * (a pool can serve several audits, of different trees or of a tree edited in between). */
let auditNumber = 0;

parentPort!.on('message', (msg: { id: number; task: WorkerTask; timeoutMs?: number; audit?: number }) => {
  try {
    const t = msg.task;
    if ((msg.audit ?? 0) !== auditNumber) { auditNumber = msg.audit ?? 0; ex?.clearTreeCaches(); }
    testFault(t);
    // Extraction enforces the time limit itself (see setDeadline in ./extract).
    if (t.type === 'extract') extractor().setDeadline(msg.timeoutMs);
    const result = t.type === 'scan' ? scan(t) : t.type === 'stat' ? statFiles(t.files) : t.type === 'walk' ? walkDirs(t.dirs, t.root, t.top, t.given) : t.type === 'warm' ? warm() : extract(t);
    parentPort!.postMessage({ id: msg.id, result });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: e instanceof Error ? `${e.message}` : String(e), timedOut: e instanceof TimeLimitError });
  } finally {
    ex?.setDeadline(undefined);
    collectTrees(msg.task);
  }
});

// tree-sitter trees live in native memory, freed only when the GC finalises their small
// JavaScript objects, which this worker's small heap rarely asks for: without explicit
// collections they pile up (about 0.9 GB for drivers/media parsed whole). A collection
// every few MB of parsed source; the finalisers run once this message is handled.
v8.setFlagsFromString('--expose_gc');
const gc = vm.runInNewContext('gc') as () => void;
function collectTrees(t: WorkerTask): void {
  if (t.type === 'extract' && parsedSince > 4 << 20) { gc(); parsedSince = 0; }
}

// Modules are loaded: the pool starts this worker's time limits from here.
parentPort!.postMessage({ ready: true });
