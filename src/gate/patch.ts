// Patch series input: git format-patch files, an mbox (b4 am / git format-patch --stdout),
// a single mail on stdin (b4's check commands) or a plain unified diff; parsed with jsdiff
// and applied in memory, in order, over files read (never written) from the tree.
//
// Strings hold bytes as Latin-1 (one char per byte) from end to end, so files and patches
// round-trip byte-exactly whatever their encoding.
import * as fs from 'fs';
import * as path from 'path';
import type { StructuredPatch, StructuredPatchHunk } from 'diff';

/** jsdiff, loaded by the first patch read (not by every audit that loads the CLI). */
// eslint-disable-next-line @typescript-eslint/no-var-requires
const jsdiff = (): typeof import('diff') => require('diff') as typeof import('diff');
import { UsageError } from '../errors';

/** A patch that cannot be read or applied: the message names the patch, the file and the hunk. */
export class PatchError extends UsageError {}

export interface PatchMessage {
  /** For messages: `0002-foo.patch`, `series.mbx [3/7]`, `stdin`. */
  name: string;
  subject: string;
  /** The unified diff part (signature removed). */
  diff: string;
  /** 1-based line of the input where `diff` starts. */
  diffLine: number;
  /** Lines of the whole input this message came from (checkpatch's "lines checked"). */
  inputLines: number;
  /** Index of the input (file) this message came from, and its display name. */
  input: number;
  inputName: string;
}

const FROM_LINE = /^From \S+.*$/;
const HEADER_LINE = /^[A-Za-z][A-Za-z0-9-]*:( |\t|$)/;

/** Split one input (file or stdin) into messages that carry a diff. Cover letters and
 * replies without a diff are dropped. */
export function splitInput(text: string, inputName: string, input: number): PatchMessage[] {
  if (/\r\n/.test(text) && (text.match(/\r\n/g)?.length ?? 0) >= (text.match(/\n/g)?.length ?? 0) / 2) text = text.replace(/\r\n/g, '\n');
  const lines = text.split('\n');
  const inputLines = text.endsWith('\n') ? lines.length - 1 : lines.length;
  // Message boundaries: an mbox "From " line followed by a header line.
  const starts: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (FROM_LINE.test(lines[i]) && (i === 0 || lines[i - 1] === '') && HEADER_LINE.test(lines[i + 1] ?? '')) starts.push(i);
  }
  const isMbox = starts.length > 0 && starts[0] === 0;
  const chunks: { start: number; end: number; mbox: boolean }[] = [];
  if (isMbox) starts.forEach((s, k) => chunks.push({ start: s + 1, end: starts[k + 1] ?? lines.length, mbox: true }));
  else chunks.push({ start: 0, end: lines.length, mbox: false });

  const out: PatchMessage[] = [];
  const withDiff = chunks.map((c) => parseMessage(lines, c.start, c.end, c.mbox)).filter((m) => m.diff !== null);
  withDiff.forEach((m, k) => {
    const label = withDiff.length > 1 ? `${inputName} [${k + 1}/${withDiff.length}]` : inputName;
    out.push({ name: label, subject: m.subject, diff: m.diff!, diffLine: m.diffLine, inputLines, input, inputName });
  });
  return out;
}

interface Parsed { subject: string; diff: string | null; diffLine: number }

function parseMessage(lines: string[], start: number, end: number, mbox: boolean): Parsed {
  // Headers (only when the chunk starts with one; a bare diff has none).
  const headers = new Map<string, string>();
  let i = start;
  if (HEADER_LINE.test(lines[i] ?? '') && !/^diff --git /.test(lines[i])) {
    let last = '';
    for (; i < end && lines[i] !== ''; i++) {
      const l = lines[i];
      if (/^[ \t]/.test(l) && last) { headers.set(last, headers.get(last)! + ' ' + l.trim()); continue; }
      const m = /^([A-Za-z][A-Za-z0-9-]*):[ \t]*(.*)$/.exec(l);
      if (!m) break;
      last = m[1].toLowerCase();
      if (!headers.has(last)) headers.set(last, m[2]);
    }
    if (lines[i] === '') i++;
  }
  const subject = decodeHeader(headers.get('subject') ?? '');
  let bodyLines = lines.slice(i, end);
  if (mbox) bodyLines = bodyLines.map((l) => (/^>+From /.test(l) ? l.slice(1) : l));
  const ctype = headers.get('content-type') ?? 'text/plain';
  const cte = headers.get('content-transfer-encoding') ?? '';
  const body = pickBody(bodyLines.join('\n'), ctype, cte);
  if (body === null) return { subject, diff: null, diffLine: 0 };
  // If the body was decoded it no longer maps to input lines: positions are then relative
  // to the message body; otherwise they are exact input lines.
  const decoded = body.decoded;
  const bl = body.text.split('\n');
  const d = extractDiff(bl);
  if (!d) return { subject, diff: null, diffLine: 0 };
  return { subject, diff: d.text, diffLine: (decoded ? 0 : i) + d.first + 1 };
}

/** The text of the part that carries the diff, decoded; null when there is none. */
function pickBody(body: string, ctype: string, cte: string): { text: string; decoded: boolean } | null {
  const boundary = /multipart\/[a-z]+;.*boundary="?([^";\s]+)"?/i.exec(ctype)?.[1];
  if (boundary) {
    const parts = body.split(new RegExp(`^--${escapeRe(boundary)}(?:--)?[ \\t]*$`, 'm')).slice(1);
    for (const part of parts) {
      const sep = part.indexOf('\n\n');
      if (sep < 0) continue;
      const hdr = part.slice(0, sep);
      const pType = /^content-type:[ \t]*([^\n]*(?:\n[ \t][^\n]*)*)/im.exec(hdr)?.[1].replace(/\s+/g, ' ') ?? 'text/plain';
      const pCte = /^content-transfer-encoding:[ \t]*(\S+)/im.exec(hdr)?.[1] ?? '';
      if (!/^(text\/|multipart\/)/i.test(pType)) continue;
      const r = pickBody(part.slice(sep + 2).replace(/^\n/, ''), pType, pCte);
      if (r && hasDiff(r.text)) return { text: r.text, decoded: true };
    }
    return null;
  }
  const enc = cte.trim().toLowerCase();
  if (enc === 'quoted-printable' && looksQuotedPrintable(body)) return { text: decodeQP(body), decoded: true };
  if (enc === 'base64' && /^[A-Za-z0-9+/=\s]+$/.test(body) && body.trim()) return { text: Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('latin1'), decoded: true };
  return { text: body, decoded: false };
}

function hasDiff(t: string): boolean {
  return /^diff --git |^--- \S.*\n\+\+\+ \S/m.test(t);
}

/** A body labelled quoted-printable may already be decoded (b4 pipes the decoded payload
 * under the original headers): QP text has no '=' other than escapes and soft breaks. */
function looksQuotedPrintable(t: string): boolean {
  return !/=(?![0-9A-Fa-f]{2}|\n|$)/.test(t);
}

function decodeQP(t: string): string {
  return t.replace(/=\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function decodeHeader(v: string): string {
  const s = v.replace(/\?=\s+=\?/g, '?==?').replace(/=\?([^?]+)\?([qQbB])\?([^?]*)\?=/g, (_m, cs: string, enc: string, data: string) => {
    const bytes = enc.toLowerCase() === 'b'
      ? Buffer.from(data, 'base64')
      : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    return /utf-?8/i.test(cs) ? bytes.toString('utf8') : bytes.toString('latin1');
  });
  return s.trim();
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** From the first file header to the end of the last hunk: the commit message before and
 * the signature (`-- ` + git version) after are cut, counting hunk lines so that a removed
 * line that reads "- " is never taken for the signature. */
function extractDiff(lines: string[]): { text: string; first: number } | null {
  let first = -1;
  for (let i = 0; i < lines.length; i++) {
    if (/^diff --git /.test(lines[i]) || (/^--- \S/.test(lines[i]) && /^\+\+\+ \S/.test(lines[i + 1] ?? '') && /^@@ /.test(lines[i + 2] ?? ''))) { first = i; break; }
  }
  if (first < 0) return null;
  const end = walkHunks(lines, first, (l) => l === '-- ' || l === '--');
  return { text: lines.slice(first, end).join('\n') + '\n', first };
}

// ---------------------------------------------------------------------------------------
// Applying

/** Where a line of the patched result came from: the patch and the 1-based line of its
 * input (for checkpatch's `#<n>:`), and the added text. */
export interface Origin { patch: number; inputLine: number }

export interface FileState {
  /** Content (Latin-1 bytes), or null when deleted / not existing. */
  content: string | null;
  /** Per line of content: the patch line that added it, when known. */
  origin: (Origin | null)[] | null;
}

export interface AppliedSeries {
  /** Tree-relative paths touched by the series, with their content before the series (null: did not exist). */
  before: Map<string, string | null>;
  /** The same paths after the series. */
  after: Map<string, FileState>;
  /** For each touched path, the index of the last patch that touched it. */
  lastPatch: Map<string, number>;
  /** Renamed files: old path -> new path. */
  renames: Map<string, string>;
  /** Notes (binary patches, mode-only changes). */
  notes: string[];
}

/**
 * Why a tree-relative path from a patch header is unsafe, or null: absolute, a `..` or empty
 * segment, a backslash or control character, or a lookalike that reads as one of those once
 * its bytes are decoded as UTF-8 and NFKC-normalised (`．．／`, `‥`). Only such a check of the
 * string is not enough: the real path is checked too when the file is read (see load()).
 */
export function unsafePatchPath(p: string): string | null {
  if (p === '' || p === '.') return 'empty';
  if (p.startsWith('/')) return 'absolute';
  if (/[\x00-\x1f\x7f\\]/.test(p)) return 'a control character or backslash';
  if (p.split('/').some((seg) => seg === '..' || seg === '')) return 'a ".." or empty segment';
  const decoded = Buffer.from(p, 'latin1').toString('utf8').normalize('NFKC');
  if (decoded !== Buffer.from(p, 'latin1').toString('utf8') && (decoded.startsWith('/') || decoded.split('/').some((seg) => seg === '..' || seg === '.' || seg === '') || /[\\]/.test(decoded))) {
    return 'a Unicode lookalike of "/", "." or ".."';
  }
  return null;
}

/** Is `real` (a resolved path) `dir` itself or below it? */
export function isWithin(real: string, dir: string): boolean {
  return real === dir || real.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

/** The real path of `abs`, or of its nearest existing ancestor when it does not exist. */
export function realPathOfNearest(abs: string): string {
  for (let p = abs; ; p = path.dirname(p)) {
    try { return fs.realpathSync(p); } catch { if (path.dirname(p) === p) return p; }
  }
}

export function stripPrefix(name: string | undefined): string | null {
  if (name === undefined) return null;
  let n = name.replace(/\t.*$/, '');
  if (n === '/dev/null') return null;
  n = n.replace(/^"(.*)"$/, '$1');
  const slash = n.indexOf('/');
  return slash >= 0 ? path.posix.normalize(n.slice(slash + 1)) : n;
}

function hunkHeader(h: StructuredPatchHunk): string {
  return `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`;
}

function splitLines(content: string): string[] {
  const ls = content.split('\n');
  if (ls.length && ls[ls.length - 1] === '') ls.pop();
  return ls;
}

/** Find where each hunk applies (exact context, offsets allowed, in order), as jsdiff does
 * with fuzzFactor 0. Returns start indices in the old lines, or the index of the first hunk
 * that fits nowhere. */
export function locateHunks(oldLines: string[], hunks: StructuredPatchHunk[]): { at: number[] } | { failed: number } {
  const at: number[] = [];
  let offset = 0;
  let minPos = 0;
  for (let k = 0; k < hunks.length; k++) {
    const h = hunks[k];
    const old = h.lines.filter((l) => l[0] === ' ' || l[0] === '-' || l === '').map((l) => l.slice(1));
    const expected = (h.oldLines === 0 ? h.oldStart : h.oldStart - 1) + offset;
    const fits = (p: number) => {
      if (p < minPos || p + old.length > oldLines.length) return false;
      for (let j = 0; j < old.length; j++) if (oldLines[p + j].replace(/\r$/, '') !== old[j].replace(/\r$/, '')) return false;
      return true;
    };
    let found = -1;
    const maxDist = Math.max(oldLines.length, 1) + old.length;
    for (let d = 0; d <= maxDist && found < 0; d++) {
      if (fits(expected + d)) found = expected + d;
      else if (d > 0 && fits(expected - d)) found = expected - d;
    }
    if (found < 0) return { failed: k };
    at.push(found);
    offset = found - (h.oldLines === 0 ? h.oldStart : h.oldStart - 1);
    minPos = found + old.length;
  }
  return { at };
}

/** Lines of the diff text (0-based) where each hunk header is, in parsePatch order. */
export function hunkHeaderLines(diff: string): number[] {
  const out: number[] = [];
  walkHunks(diff.split('\n'), 0, () => false, (i) => out.push(i));
  return out;
}

/** The one walk over a diff's hunks, from line `from`: each hunk's body is counted by its
 * header's line counts (a removed line that reads "- " or "@@ " is body, never a
 * signature or a header); in a body, an empty line is context (mailers strip the space)
 * and any other line ends the hunk early. Outside bodies, `header` is told of each hunk
 * header; the walk ends at the first line `stop` accepts. Returns that line's index (or
 * the number of lines). */
function walkHunks(lines: string[], from: number, stop: (l: string) => boolean, header?: (i: number) => void): number {
  let oldLeft = 0;
  let newLeft = 0;
  for (let i = from; i < lines.length; i++) {
    const l = lines[i];
    if (oldLeft > 0 || newLeft > 0) {
      const c = l[0];
      if (c === '\\') continue;
      if (c === '-') oldLeft--;
      else if (c === '+') newLeft--;
      else if (c === ' ' || l === '') { oldLeft--; newLeft--; }
      else { oldLeft = 0; newLeft = 0; i--; }
      continue;
    }
    const h = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(l);
    if (h) {
      header?.(i);
      oldLeft = h[1] === undefined ? 1 : Number(h[1]);
      newLeft = h[2] === undefined ? 1 : Number(h[2]);
      continue;
    }
    if (stop(l)) return i;
  }
  return lines.length;
}

export function parseDiff(diff: string, name: string): StructuredPatch[] {
  try {
    return jsdiff().parsePatch(diff);
  } catch (e) {
    throw new PatchError(`patch ${name} cannot be parsed: ${(e as Error).message}`);
  }
}

/**
 * Apply the messages in order over files read from `root` (read only). Throws PatchError
 * naming the patch, the file and the hunk for the first one that does not apply.
 */
export interface ApplyOptions {
  /** Content (Latin-1) of a git blob named by a patch's `index <old>..<new>` line, when
   * the tree is a git checkout (null: not in the repository; undefined: no repository); used when a patch does not apply to the tree as it is (the
   * tree already contains the series, as on a `b4 prep` branch, or has moved on). */
  blob?: (sha: string) => string | null | undefined;
}

/** `index <old>..<new>` of each `diff --git` section, in order. */
function gitIndexLines(diff: string): ({ old: string; new: string } | null)[] {
  const out: ({ old: string; new: string } | null)[] = [];
  for (const l of diff.split('\n')) {
    if (/^diff --git /.test(l)) { out.push(null); continue; }
    const m = /^index ([0-9a-f]+)\.\.([0-9a-f]+)/.exec(l);
    if (m && out.length && out[out.length - 1] === null) out[out.length - 1] = { old: m[1], new: m[2] };
  }
  return out;
}

/**
 * Apply the messages in order over files read from `root` (read only). Throws PatchError
 * naming the patch, the file and the hunk for the first one that does not apply.
 */
export function applySeries(messages: PatchMessage[], root: string, opts: ApplyOptions = {}): AppliedSeries {
  const series = new SeriesApplier(root, opts);
  messages.forEach((msg, mi) => series.applyMessage(msg, mi));
  return { before: series.before, after: series.state, lastPatch: series.lastPatch, renames: series.renames, notes: series.notes };
}

/** A file's state with no line's origin known (null content: no such file). */
function freshState(content: string | null): FileState {
  return { content, origin: content === null ? null : new Array(splitLines(content).length).fill(null) };
}

/** One file section of one patch of the series. */
interface FileSection {
  msg: PatchMessage;
  /** Index of the patch in the series. */
  mi: number;
  fp: StructuredPatch;
  oldP: string | null;
  newP: string | null;
  /** The name shown in messages. */
  shown: string;
  /** Index of its first hunk among the patch's hunks. */
  firstHunk: number;
  headerLines: number[];
  /** The section's `index <old>..<new>` line, when known. */
  gi: { old: string; new: string } | null;
  fail: (why: string) => never;
}

type Attempt = { result: string; origin: (Origin | null)[] | null } | string;

/** The state of the files while a series is applied. */
class SeriesApplier {
  readonly before = new Map<string, string | null>();
  readonly state = new Map<string, FileState>();
  readonly lastPatch = new Map<string, number>();
  readonly notes: string[] = [];
  readonly renames = new Map<string, string>();
  /** Paths an earlier patch of the series changed (their state is no longer the tree's). */
  private readonly touched = new Set<string>();
  private readonly realRoot: string;
  private reading = '';

  constructor(private readonly root: string, private readonly opts: ApplyOptions) {
    this.realRoot = fs.realpathSync(root);
  }

  load(p: string): FileState {
    if (!this.state.has(p)) {
      let content: string | null = null;
      const abs = path.join(this.root, p);
      // Through a linked directory (or a link at the name) the file may be anywhere: only
      // what really lies in the tree is read.
      const real = realPathOfNearest(abs);
      if (!isWithin(real, this.realRoot)) throw new PatchError(`patch ${this.reading}: ${p} resolves outside the tree (${real}): not read`);
      try {
        if (fs.lstatSync(abs).isFile()) content = fs.readFileSync(abs, 'latin1');
      } catch { content = null; }
      this.before.set(p, content);
      this.state.set(p, freshState(content));
    }
    return this.state.get(p)!;
  }

  applyMessage(msg: PatchMessage, mi: number): void {
    this.reading = msg.name;
    const files = parseDiff(msg.diff, msg.name);
    const headerLines = hunkHeaderLines(msg.diff);
    const idx = gitIndexLines(msg.diff);
    const aligned = idx.length === files.length;
    let hunkNo = 0;
    files.forEach((fp, fi) => {
      const oldP = stripPrefix(fp.oldFileName);
      const newP = stripPrefix(fp.newFileName);
      const firstHunk = hunkNo;
      hunkNo += fp.hunks.length;
      const shown = newP ?? oldP ?? '?';
      const fail = (why: string): never => { throw new PatchError(`patch ${msg.name} does not apply: ${shown}: ${why}`); };
      this.applyFile({ msg, mi, fp, oldP, newP, shown, firstHunk, headerLines, gi: aligned ? idx[fi] : null, fail });
    });
  }

  private applyFile(f: FileSection): void {
    const { msg, mi, fp, oldP, newP, shown, fail } = f;
    for (const [p, raw] of [[oldP, fp.oldFileName], [newP, fp.newFileName]] as const) {
      const why = p === null ? null : unsafePatchPath(p);
      if (why) throw new PatchError(`patch ${msg.name}: unsafe file name ${JSON.stringify(raw)} (${why}): rejected`);
    }
    if (!oldP && !newP) fail('no file names in the diff header');
    if (fp.isBinary) { this.notes.push(`${msg.name}: ${shown}: binary change not applied`); if (newP) this.lastPatch.set(newP, mi); return; }
    const creating = !oldP || fp.isCreate === true;
    const key = creating ? newP! : oldP!;
    const { result, origin, overPreimage } = this.patched(f, creating, key);
    this.touched.add(key);
    const deleting = !newP || fp.isDelete === true;
    if (deleting) {
      if (result.length && fp.hunks.length) fail('file to be deleted is not empty after the patch');
      this.state.set(oldP!, { content: null, origin: null });
      this.lastPatch.set(oldP!, mi);
      return;
    }
    if (oldP && oldP !== newP) this.moveFrom(f, creating, overPreimage);
    else this.load(newP!);
    this.state.set(newP!, { content: result, origin });
    this.touched.add(newP!);
    this.lastPatch.set(newP!, mi);
    if (!fp.hunks.length && !creating && oldP === newP) this.notes.push(`${msg.name}: ${shown}: mode change only`);
  }

  /** The section applied over the file's current state or, when that fails and the series
   * has not changed the file yet, over the pre-image the patch names (the base this patch
   * was made against); fails when neither applies. */
  private patched(f: FileSection, creating: boolean, key: string): { result: string; origin: (Origin | null)[] | null; overPreimage: boolean } {
    const { oldP, newP, gi, fail } = f;
    let r: Attempt;
    if (creating) r = this.load(newP!).content !== null ? 'file to be created already exists' : this.attempt(f, freshState(''));
    else r = this.attempt(f, this.load(oldP!));
    if (typeof r !== 'string') return { ...r, overPreimage: false };
    const pristine = !this.touched.has(key);
    const pre = !pristine || !gi || !this.opts.blob ? undefined : /^0+$/.test(gi.old) ? '' : this.opts.blob(gi.old);
    if (pre === undefined || pre === null) fail(r + (pre === null ? ` (and its pre-image ${gi!.old} is not in the repository)` : ''));
    const r2 = this.attempt(f, freshState(pre!));
    if (typeof r2 === 'string') fail(r2);
    this.before.set(key, creating ? null : pre!);
    this.notes.push(`${f.msg.name}: ${f.shown}: applied over its pre-image ${gi!.old} (the tree differs from it)`);
    return { ...(r2 as Exclude<Attempt, string>), overPreimage: true };
  }

  /** Apply over a source; a string is the reason it does not apply. */
  private attempt(f: FileSection, src: FileState): Attempt {
    const { msg, mi, fp } = f;
    if (src.content === null) return `no such file in the tree${mi > 0 ? ' (nor created by an earlier patch)' : ''}`;
    if (!fp.hunks.length) return { result: src.content, origin: src.origin };
    const applied = jsdiff().applyPatch(src.content, fp, { fuzzFactor: 0 });
    const loc = locateHunks(splitLines(src.content), fp.hunks);
    if (applied === false) {
      const k = 'failed' in loc ? loc.failed : 0;
      return `hunk #${k + 1} (${hunkHeader(fp.hunks[k])}) does not match`;
    }
    let origin = 'at' in loc && src.origin ? track(src.origin, fp.hunks, loc.at, (k, j) => ({ patch: mi, inputLine: msg.diffLine + f.headerLines[f.firstHunk + k] + 1 + j })) : null;
    if (origin && origin.length !== splitLines(applied).length) origin = null;
    return { result: applied, origin };
  }

  /** A rename or copy from oldP to newP: the old name goes (rename), the target must not
   * exist unless the series made it or the patch applied over its pre-image. */
  private moveFrom(f: FileSection, creating: boolean, overPreimage: boolean): void {
    const { mi, fp, oldP, newP, fail } = f;
    if (!fp.isCopy) {
      this.state.set(oldP!, { content: null, origin: null });
      this.lastPatch.set(oldP!, mi);
      const from = [...this.renames].find(([, to]) => to === oldP)?.[0] ?? oldP!;
      this.renames.delete(from);
      this.renames.set(from, newP!);
    }
    if (overPreimage) { this.load(newP!); if (!this.touched.has(newP!)) this.before.set(newP!, null); }
    else if (this.load(newP!).content !== null && !this.touched.has(newP!) && !creating) fail('rename or copy target already exists');
  }
}

/** The origin array after applying hunks at the located positions. */
function track(origin: (Origin | null)[], hunks: StructuredPatchHunk[], at: number[], mk: (hunk: number, line: number) => Origin): (Origin | null)[] {
  const out: (Origin | null)[] = [];
  let pos = 0;
  hunks.forEach((h, k) => {
    while (pos < at[k]) out.push(origin[pos++]);
    h.lines.forEach((l, j) => {
      const c = l[0];
      if (c === '\\') return;
      if (c === '-') { pos++; return; }
      if (c === '+') { out.push(mk(k, j)); return; }
      out.push(origin[pos++]);
    });
  });
  while (pos < origin.length) out.push(origin[pos++]);
  return out;
}
