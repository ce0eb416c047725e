// Text-level helpers that run before any parsing: masking comments and strings, and cutting
// functions out of a file. Kernel style opens and closes a function body with `{` and `}` in
// column 0, so a function can be cut out as text and parsed alone; most of a large driver is
// never parsed at all.

/** Replace comments and string/char literal contents with spaces, keeping newlines and
 * offsets, so that token scans and brace matching see only code. Text of one byte per
 * character (the worker reads files as Latin-1) is masked as bytes, about 8 times faster
 * than over characters (the 369 candidate files of 6.12, 14 MB: ~55 vs ~450 ms with the
 * conversions); other text takes the same rules character by character. */
export function maskCode(text: string): string {
  if (NOT_LATIN1.test(text)) return maskChars(text);
  const b = Buffer.from(text, 'latin1');
  maskBytes(b);
  return b.toString('latin1');
}

const NOT_LATIN1 = /[^\x00-\xff]/;
/** Bytes that can open a comment or a literal. */
const OPENS = new Uint8Array(256);
OPENS[47] = OPENS[34] = OPENS[39] = 1;

/** maskCode over bytes, in place. Comments are found and blanked with Buffer's native
 * indexOf and fill (about twice as fast as a byte loop: comments are a third of the
 * kernel's bytes); code and literals are walked byte by byte. */
export function maskBytes(b: Buffer): void {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (OPENS[c] === 0) { i++; continue; }
    if (c === 47 /* / */) {
      const d = i + 1 < n ? b[i + 1] : 0;
      if (d === 42 /* * */) {
        const e = b.indexOf('*/', i + 2, 'latin1');
        const stop = e < 0 ? n : e + 2;
        // Spaces up to each newline, which stays.
        for (let k = i; ;) {
          const nl = b.indexOf(10, k);
          const end = nl < 0 || nl >= stop ? stop : nl;
          b.fill(32, k, end);
          if (end === stop) break;
          k = end + 1;
        }
        i = stop;
      } else if (d === 47) {
        const nl = b.indexOf(10, i);
        const end = nl < 0 ? n : nl;
        b.fill(32, i, end);
        i = end;
      } else i++;
      continue;
    }
    // " or ': the quotes stay, the contents go; an unterminated one ends at the line's end.
    let j = i + 1;
    while (j < n) {
      const d = b[j];
      if (d === 92 /* \ */) { if (j + 1 < n && b[j + 1] !== 10) b[j + 1] = 32; b[j] = 32; j += 2; continue; }
      if (d === c || d === 10) break;
      b[j] = 32;
      j++;
    }
    i = j + 1;
  }
}

/** maskCode over characters (text with characters above U+00FF). */
export function maskChars(text: string): string {
  const out = text.split('');
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 42 /* * */) {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let j = i; j < stop; j++) if (out[j] !== '\n') out[j] = ' ';
      i = stop;
    } else if (c === 47 && text.charCodeAt(i + 1) === 47) {
      let j = i;
      while (j < n && text.charCodeAt(j) !== 10) out[j++] = ' ';
      i = j;
    } else if (c === 34 /* " */ || c === 39 /* ' */) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 92 /* \ */) { if (j + 1 < n && out[j + 1] !== '\n') out[j + 1] = ' '; out[j] = ' '; j += 2; continue; }
        if (d === c || d === 10) break;
        out[j] = ' ';
        j++;
      }
      i = j + 1;
    } else {
      i++;
    }
  }
  return out.join('');
}

export interface LineIndex {
  starts: number[];
}

export function lineIndex(text: string): LineIndex {
  const starts = [0];
  let p = text.indexOf('\n');
  while (p >= 0) {
    starts.push(p + 1);
    p = text.indexOf('\n', p + 1);
  }
  return { starts };
}

/** 0-based line of an offset. */
export function lineOf(idx: LineIndex, offset: number): number {
  const s = idx.starts;
  let lo = 0, hi = s.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (s[mid] <= offset) lo = mid; else hi = mid - 1;
  }
  return lo;
}

export interface CutFunction {
  /** 0-based line where the header starts, and its offset. */
  headerLine: number;
  headerStart: number;
  /** 0-based line of the opening `{`. */
  braceLine: number;
  /** Offset just past the closing `}`. */
  end: number;
  endLine: number;
  name: string;
  nameOffset: number;
  isStatic: boolean;
  params: string[];
  acquires: string[];
  releases: string[];
  mustHold: string[];
}

const notNames = new Set([
  '__attribute__', '__printf', '__scanf', '__section', '__aligned', '__diag_push', '__diag_ignore',
  '__no_sanitize_address', '__must_hold', '__acquires', '__releases', '__cond_acquires', 'if', 'while',
  'for', 'switch', 'return', 'sizeof', 'typeof', '__typeof__', '__alloc_size', '__malloc', '__nocfi',
]);

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0, cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) { parts.push(cur); cur = ''; } else cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  return parts.map((p) => p.trim());
}

function matchParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') { depth--; if (depth === 0) return i; }
  }
  return -1;
}

/** Name, parameters and annotations from a function header (comments already masked). */
export function parseHeader(header: string): Omit<CutFunction, 'headerLine' | 'headerStart' | 'braceLine' | 'end' | 'endLine' | 'nameOffset'> & { nameAt: number } | null {
  const re = /\(/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(header))) {
    // depth-0 parens only
    let depth = 0;
    for (let i = 0; i < m.index; i++) { if (header[i] === '(') depth++; else if (header[i] === ')') depth--; }
    if (depth !== 0) continue;
    const before = header.slice(0, m.index).replace(/\s+$/, '');
    const idm = /([A-Za-z_]\w*)$/.exec(before);
    const close = matchParen(header, m.index);
    if (!idm || close < 0) return null;
    const id = idm[1];
    if (notNames.has(id)) { re.lastIndex = close + 1; continue; }
    const inner = header.slice(m.index + 1, close);
    const rest = header.slice(close + 1);
    const acquires = [...rest.matchAll(/__acquires\s*\(([^)]*\)?)\)/g)].map((x) => x[1].trim());
    const mustHold = [...rest.matchAll(/__must_hold\s*\(([^)]*\)?)\)/g)].map((x) => x[1].trim());
    const releases = [...rest.matchAll(/__releases\s*\(([^)]*\)?)\)/g)].map((x) => x[1].trim());
    const isStatic = /\bstatic\b/.test(before);
    const sys = /^(?:COMPAT_)?SYSCALL_DEFINE(\d)$/.exec(id);
    if (sys) {
      const args = splitTopLevel(inner);
      const params: string[] = [];
      for (let i = 2; i < args.length; i += 2) params.push(args[i]);
      const nameArg = args[0] ?? 'unknown';
      return { name: `sys_${nameArg}`, nameAt: idm.index, isStatic: false, params, acquires, releases, mustHold };
    }
    const params = splitTopLevel(inner)
      .map((p) => /([A-Za-z_]\w*)\s*(\[[^\]]*\]\s*)*$/.exec(p.replace(/\)\s*\([^)]*\)\s*$/, ')'))?.[1] ?? '')
      .map((p) => p.replace(/^\(\*?/, ''))
      .filter((p) => p && p !== 'void');
    return { name: id, nameAt: idm.index, isStatic, params, acquires, releases, mustHold };
  }
  return null;
}

/** Cut kernel-style functions (`{` and `}` in column 0) out of masked text. */
export function cutFunctions(masked: string, idx: LineIndex, blanked?: Set<number>): CutFunction[] {
  const out: CutFunction[] = [];
  const starts = idx.starts;
  const nLines = starts.length;
  const lineText = (i: number) => masked.slice(starts[i], i + 1 < nLines ? starts[i + 1] - 1 : masked.length);
  let i = 0;
  while (i < nLines) {
    const lt = lineText(i);
    if (!(lt.length > 0 && lt[0] === '{' && lt.slice(1).trim() === '')) { i++; continue; }
    let j = i + 1;
    while (j < nLines && lineText(j)[0] !== '}') {
      // A new column-0 `{` before any `}`: the previous one was not a function body.
      j++;
    }
    if (j >= nLines) break;
    // Header: the lines above, up to a blank line, a `;`/`}` line end, or a preprocessor line.
    // (Lines the preprocessor blanked, such as another era's prototype, are looked through.)
    let k = i - 1;
    let seen = 0;
    while (k >= 0 && seen <= 12) {
      if (blanked?.has(k)) { k--; continue; }
      seen++;
      const t = lineText(k).trim();
      if (t === '' || t.endsWith(';') || t.endsWith('}') || t.startsWith('#') || t.endsWith('{')) break;
      k--;
    }
    const headerLine = k + 1;
    if (headerLine < i) {
      const header = masked.slice(starts[headerLine], starts[i]);
      const h = /\(/.test(header) && !/=\s*$/.test(header.trim()) ? parseHeader(header) : null;
      if (h) {
        const end = starts[j] + 1;
        out.push({
          headerLine, headerStart: starts[headerLine], braceLine: i, end, endLine: j,
          name: h.name, nameOffset: starts[headerLine] + h.nameAt, isStatic: h.isStatic, params: h.params,
          acquires: h.acquires, releases: h.releases, mustHold: h.mustHold,
        });
      }
    }
    i = j + 1;
  }
  return out;
}
