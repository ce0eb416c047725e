// File names that are not valid UTF-8 (kernel trees unpacked from old archives, hostile
// trees). Node decodes such a name to U+FFFD, which names no file: the file would be
// reported missing. Names are kept as strings through the whole pipeline, with each byte
// that is not part of valid UTF-8 held as a lone surrogate U+DC80..U+DCFF (Python's
// "surrogateescape"); fsPath() turns such a string back into the exact bytes for the file
// system. Valid names (all but a handful) are untouched strings and cost nothing.
import * as fs from 'fs';
import * as path from 'path';

const ESCAPED = /[\uDC80-\uDCFF]/;

/** The argument to give fs for a path that may hold escaped bytes. */
export function fsPath(p: string): string | Buffer {
  return ESCAPED.test(p) ? toBytes(p) : p;
}

/** The bytes of a path: UTF-8, escaped bytes as themselves. */
export function toBytes(p: string): Buffer {
  const out: number[] = [];
  for (const ch of p) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xdc80 && cp <= 0xdcff) out.push(cp - 0xdc00);
    else out.push(...Buffer.from(ch, 'utf8'));
  }
  return Buffer.from(out);
}

/** A name's bytes as a string: valid UTF-8 decoded, every other byte escaped. */
export function fromBytes(b: Buffer): string {
  let out = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    const n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n > 0 && i + n <= b.length) {
      const s = b.subarray(i, i + n).toString('utf8');
      // One code point back and the same bytes again: a valid sequence.
      if ([...s].length === 1 && Buffer.from(s, 'utf8').equals(b.subarray(i, i + n))) { out += s; i += n; continue; }
    }
    out += String.fromCharCode(0xdc00 + c);
    i++;
  }
  return out;
}

/** readdir with types, names that are not valid UTF-8 escaped (see above). */
export function readDirEntries(dir: string): { name: string; dirent: fs.Dirent }[] {
  const entries = fs.readdirSync(fsPath(dir), { withFileTypes: true });
  if (!entries.some((e) => e.name.includes('\uFFFD'))) return entries.map((dirent) => ({ name: dirent.name, dirent }));
  return fs.readdirSync(fsPath(dir), { withFileTypes: true, encoding: 'buffer' })
    .map((dirent) => ({ name: fromBytes(dirent.name as unknown as Buffer), dirent: dirent as unknown as fs.Dirent }));
}

/** mkdir -p, one level at a time: Node's recursive mkdirSync loops forever where a parent
 * cannot hold directories (/proc/x: ENOENT at every try). */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) {
    if (path.dirname(d) === d) break;
    missing.push(d);
  }
  for (const d of missing.reverse()) {
    try { fs.mkdirSync(d); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; }
  }
}
