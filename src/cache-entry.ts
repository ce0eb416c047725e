// Cache entries as files: sealed (build id, key and body under one digest), written through
// an exclusive temporary file and a rename. The parse workers write and read fact entries
// with these; src/cache.ts holds the cache's index and results.
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import { createHash, randomBytes } from 'crypto';
import { makeDirs } from './fsname';
import { devSwitches } from './dev-switches';

/** BENCH-ONLY: GUP_AUDIT_BENCH_EDIT=<path relative to the root>:<tag>[:<n>|:body] makes a
 * run see that file as edited (its index entry unused, as after a change of its stat key),
 * without writing to the tree: the benchmark's "one file edited" rows on a read-only tree.
 * The bytes read for extraction get a comment line naming the tag appended; with <n>, n
 * comment lines inserted at the start (every line of the file moves); with `body`, the
 * tag's comment and an empty line at the start of every function body (a `{` alone on a
 * line after the function's header): the lines of each function's body move within it,
 * which changes the facts of every function of the file. */
export function benchEdit(): { file: string; tag: string; lines: number; body?: boolean } | undefined {
  const v = devSwitches().benchEdit;
  if (!v) return undefined;
  const m = /^(.*):([^:]*):(\d+|body)$/.exec(v);
  if (m) return { file: m[1], tag: m[2], lines: m[3] === 'body' ? 0 : Number(m[3]), ...(m[3] === 'body' ? { body: true } : {}) };
  const at = v.lastIndexOf(':');
  return at < 0 ? { file: v, tag: '', lines: 0 } : { file: v.slice(0, at), tag: v.slice(at + 1), lines: 0 };
}

/** The bytes of `data` as the bench edit sees them. */
export function benchEdited(data: Buffer, edit: { tag: string; lines: number; body?: boolean }): Buffer {
  if (edit.body) return Buffer.from(data.toString('latin1').replace(/\n\{\n/g, `\n{\n/* edited: ${edit.tag} */\n\n`), 'latin1');
  if (edit.lines > 0) return Buffer.concat([Buffer.from(`/* edited: ${edit.tag} */\n`.repeat(edit.lines)), data]);
  return Buffer.concat([data, Buffer.from(`\n/* edited: ${edit.tag} */\n`)]);
}

/** Write a cache file: a temporary file created exclusively (never through a link), then
 * renamed; errors are the caller's to ignore. */
export function writeEntry(file: string, data: Buffer | readonly Buffer[]): void {
  makeDirs(path.dirname(file));
  const tmp = `${file}.${randomBytes(12).toString('hex')}.tmp`;
  try {
    // (Parts are written one after the other: a sealed index is not copied into one more
    // buffer of its size, ~19 MB on a kernel tree, at the peak of a run's memory.)
    const fd = fs.openSync(tmp, 'wx');
    try {
      for (const part of Buffer.isBuffer(data) ? [data] : data) {
        for (let at = 0; at < part.length;) at += fs.writeSync(fd, part, at, part.length - at);
      }
    } finally { fs.closeSync(fd); }
    fs.renameSync(tmp, file);
  } catch (e) {
    try { fs.unlinkSync(tmp); } catch { /* not created */ }
    throw e;
  }
}

// ---------------------------------------------------------------------------------------
// Entries: every file of the cache is sealed. The header names the build in clear (another
// build's entry is simply not used) and a SHA-256 of the build, the entry's key (its file
// name: an entry copied under another key fails) and the body; an entry that fails is
// dropped and reported, never used.

const MAGIC = Buffer.from('gup-audit cache 3\n');

/** A sealed entry as the parts of its file (see writeEntry; Buffer.concat makes it one). */
export function sealEntry(value: unknown, build: string, key: string): Buffer[] {
  const body = v8.serialize(value);
  const b = Buffer.from(build);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return [MAGIC, len, b, entryDigest(build, key, body), body];
}

function entryDigest(build: string, key: string, body: Buffer): Buffer {
  return createHash('sha256').update(build).update('\0').update(key).update('\0').update(body).digest();
}

/** The value of a sealed entry: `miss` for another build, `foreign` for a file of another
 * format (an older tool's index; at a fact key, only a planted file), `bad` when it fails
 * its check (dropped by the caller, with a note). */
export function unsealEntry(buf: Buffer, build: string, key: string): { value: unknown } | 'miss' | 'foreign' | 'bad' {
  if (buf.length < MAGIC.length + 2 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return 'foreign';
  const n = buf.readUInt16BE(MAGIC.length);
  const at = MAGIC.length + 2;
  if (buf.toString('utf8', at, at + n) !== build) return 'miss';
  const digest = buf.subarray(at + n, at + n + 32);
  const body = buf.subarray(at + n + 32);
  if (digest.length !== 32 || !digest.equals(entryDigest(build, key, body))) return 'bad';
  try { return { value: v8.deserialize(body) }; } catch { return 'bad'; }
}

/** The digest of an answer: its JSON (a canonical text: v8's serialisation writes an object
 * met twice as a back-reference, so equal facts built with shared parts would differ), with
 * sets and maps as arrays, and without the file's size, which only the profile reads (a
 * comment appended changes nothing the result depends on). */
export function answerDigest(res: { facts?: { bytes: number; deps?: [string, string | null][] } }): string {
  // (Without the size and the headers' hashes: an edit that leaves the facts alone, a
  // comment added to the file or to a header it reads, gives the same digest.)
  const facts = res.facts ? { ...res.facts, bytes: 0, ...(res.facts.deps ? { deps: res.facts.deps.map(([name]) => name) } : {}) } : undefined;
  // (Nor how it was computed: `memo`, the worker's kept file state.)
  const { memo: _memo, ...rest } = res as typeof res & { memo?: boolean };
  const text = JSON.stringify({ ...rest, facts }, (_k, v: unknown) => (v instanceof Set || v instanceof Map ? [...v] : v));
  return createHash('sha1').update(text).digest('hex');
}
