// Text-level helpers that run before any parsing: masking comments and strings, and cutting
// functions out of a file. Kernel style opens and closes a function body with `{` and `}` in
// column 0, so a function can be cut out as text and parsed alone; most of a large driver is
// never parsed at all.

/** Replace comments and string/char literal contents with spaces, keeping newlines and
 * offsets, so that token scans and brace matching see only code. Text of one byte per
 * character (the worker reads files as Latin-1) is masked as bytes, about 8 times faster
 * than over characters (the 369 candidate files of 6.12, 14 MB: ~55 vs ~450 ms with the
 * conversions); other text takes the same rules character by character. */
/** A file written with CRLF line ends read as LF: each `\r` before a `\n` becomes a space
 * (offsets, lines and columns unchanged). The preprocessor's directive and definition
 * patterns read a line up to its end; a trailing `\r` made every `#include`, `#if` and
 * `#define` of such a file invisible. */
export function lfText(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?=\n)/g, ' ') : text;
}

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
  /** Column (0-based) of the opening `{` when it is not in column 0: K&R style (`int f(void)
   * {` on the header's last line), or a function written on one line. */
  braceCol?: number;
  /** Offset just past the closing `}`. */
  end: number;
  endLine: number;
  name: string;
  nameOffset: number;
  /** False when the name is not written at nameOffset (SYSCALL_DEFINEn makes sys_...). */
  nameInText: boolean;
  isStatic: boolean;
  /** A `__weak` default that another definition (an architecture's) may override. */
  isWeak: boolean;
  params: string[];
  /** How many arguments a call passes (null: variadic, or not known from the text). */
  arity: number | null;
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

/** The name of a function whose name a macro pastes from one identifier (`FNAME(fetch)`):
 * kept as written, so that every such function stays distinct from the others built by the
 * same macro and a call written the same way (`FNAME(fetch)(...)`) names it. */
export function macroBuiltName(macro: string, arg: string): string {
  return `${macro}(${arg.trim()})`;
}

/** Macros that paste a function name are upper case (FNAME, PREFIX); lower-case ones such as
 * cleanup.h's guard(spinlock)(&lock) are calls of what they return, not names. */
export function isNamePastingMacro(id: string): boolean {
  return /^[A-Z][A-Z0-9_]*$/.test(id);
}

/** The identifier a caller's text contains for a function name: the pasted argument for a
 * macro-built name (`FNAME(fetch)` -> `fetch`), else the name itself. */
export function nameToken(name: string): string {
  return /^\w+\((\w+)\)$/.exec(name)?.[1] ?? name;
}

/** The identifier a caller's text calls (`name(`) for a function name: the macro of a
 * macro-built name (`FNAME(fetch)(...)` calls `FNAME`), else the name itself. */
export function calledToken(name: string): string {
  return /^(\w+)\(\w+\)$/.exec(name)?.[1] ?? name;
}

/** Functions that a defining macro names by its first argument and whose parameters are the
 * (type, name) pairs after it: the name the kernel's expansion gives the function. */
function definedByMacro(id: string, inner: string): { name: string; params: string[] } | null {
  const m = /^(COMPAT_SYSCALL_DEFINE|SYSCALL_DEFINE|BPF_CALL_)(\d)$/.exec(id);
  if (!m) return null;
  const args = splitTopLevel(inner);
  const params: string[] = [];
  for (let i = 2; i < args.length; i += 2) params.push(args[i]);
  const base = args[0] ?? 'unknown';
  const prefix = m[1] === 'SYSCALL_DEFINE' ? 'sys_' : m[1] === 'COMPAT_SYSCALL_DEFINE' ? 'compat_sys_' : '';
  return { name: prefix + base, params };
}

/** Name, parameters and annotations from a function header (comments already masked).
 * `nameInText`: the name is written at `nameAt` (false for names a defining macro makes). */
/** Annotations that follow a function's parameters (`__acquires(x)`). */
const ANNOTATION = /^(__acquires|__releases|__must_hold|__attribute__|__printf|__scanf|__alloc_size|__cond_acquires|__cond_releases)$/;

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
    let inner = header.slice(m.index + 1, close);
    let rest = header.slice(close + 1);
    // A return type wrapped in a macro (`DECLHIDDEN(int) name(...)`, `DECLINLINE(void)`):
    // the name is the identifier before the next parentheses.
    if (/^[A-Z][A-Z0-9_]*$/.test(id) && !definedByMacro(id, inner)) {
      const next = /^\s*(?:\*\s*)*([A-Za-z_]\w*)\s*\(/.exec(rest);
      if (next && !ANNOTATION.test(next[1])) { re.lastIndex = close + 1; continue; }
    }
    const isStatic = /\bstatic\b/.test(before);
    const isWeak = /\b__weak\b|__attribute__\s*\(\(\s*(__)?weak(__)?\s*\)\)/.test(before);
    // A name pasted by a macro (`static int FNAME(walk_addr)(struct kvm_vcpu *vcpu, ...)`):
    // each `MACRO(arg)` is a function of its own, and its parameters are in the next parens.
    const pasted = /^\s*\(/.exec(rest) && isNamePastingMacro(id) && /^\s*[A-Za-z_]\w*\s*$/.test(inner) ? macroBuiltName(id, inner) : null;
    if (pasted) {
      const open2 = close + 1 + rest.indexOf('(');
      const close2 = matchParen(header, open2);
      if (close2 < 0) return null;
      inner = header.slice(open2 + 1, close2);
      rest = header.slice(close2 + 1);
    }
    const acquires = [...rest.matchAll(/__acquires\s*\(([^)]*\)?)\)/g)].map((x) => x[1].trim());
    const mustHold = [...rest.matchAll(/__must_hold\s*\(([^)]*\)?)\)/g)].map((x) => x[1].trim());
    const releases = [...rest.matchAll(/__releases\s*\(([^)]*\)?)\)/g)].map((x) => x[1].trim());
    const defined = definedByMacro(id, inner);
    if (defined) return { name: defined.name, nameAt: idm.index, nameInText: false, isStatic: false, isWeak, params: defined.params, arity: null, acquires, releases, mustHold };
    // Every declared parameter counts, named or not (`int f(int, char *)`); `(void)` is none.
    const decls = splitTopLevel(inner).map((p) => p.trim()).filter(Boolean);
    const arity = decls.some((p) => p === '...' || /^[A-Z_][A-Z0-9_]*$/.test(p)) ? null : decls.length === 1 && decls[0] === 'void' ? 0 : decls.length;
    const params = splitTopLevel(inner)
      .map((p) => /([A-Za-z_]\w*)\s*(\[[^\]]*\]\s*)*$/.exec(p.replace(/\)\s*\([^)]*\)\s*$/, ')'))?.[1] ?? '')
      .map((p) => p.replace(/^\(\*?/, ''))
      .filter((p) => p && p !== 'void');
    return { name: pasted ?? id, nameAt: idm.index, nameInText: !pasted || /^\w+\(\w+\)$/.test(header.slice(idm.index, close + 1)), isStatic, isWeak, params, arity, acquires, releases, mustHold };
  }
  return null;
}

/** Cut functions out of masked text: kernel style (`{` and `}` in column 0), and the
 * K&R style of many out-of-tree modules (a header that starts in column 0 and ends its last
 * line with `{`, the closing `}` in column 0). */
export function cutFunctions(masked: string, idx: LineIndex, blanked?: Set<number>): CutFunction[] {
  const out: CutFunction[] = [];
  const starts = idx.starts;
  const nLines = starts.length;
  const lineText = (i: number) => masked.slice(starts[i], i + 1 < nLines ? starts[i + 1] - 1 : masked.length);
  let i = 0;
  while (i < nLines) {
    const lt = lineText(i);
    const kernelStyle = lt.length > 0 && lt[0] === '{' && lt.slice(1).trim() === '';
    const knr = !kernelStyle && knrBrace(lt);
    if (!kernelStyle && !knr) {
      const one = oneLine(lt);
      if (one) {
        const h = parseHeader(lt.slice(0, one.open));
        if (h) out.push({
          headerLine: i, headerStart: starts[i], braceLine: i, braceCol: one.open, end: starts[i] + one.close + 1, endLine: i,
          name: h.name, nameOffset: starts[i] + h.nameAt, nameInText: h.nameInText, isStatic: h.isStatic, isWeak: h.isWeak, params: h.params, arity: h.arity,
          acquires: h.acquires, releases: h.releases, mustHold: h.mustHold,
        });
      }
      i++;
      continue;
    }
    let j = i + 1;
    while (j < nLines && lineText(j)[0] !== '}') {
      // A new column-0 `{` before any `}`: the previous one was not a function body.
      j++;
    }
    if (j >= nLines) break;
    // Header: the lines above, up to a blank line, a `;`/`}` line end, or a preprocessor line.
    // (Lines the preprocessor blanked, such as another era's prototype, are looked through.)
    // In K&R style the header ends on the brace's own line.
    // (A preprocessor line inside the parameter list, an `#ifdef` around one parameter, is
    // looked through too: the lines below it close more parentheses than they open.)
    let k = i - 1;
    let seen = 0;
    let open = 0;
    let directives = false;
    while (k >= 0 && seen <= 12) {
      if (blanked?.has(k)) { k--; continue; }
      seen++;
      const t = lineText(k).trim();
      if (t.startsWith('#') && open > 0 && !t.endsWith('\\')) { directives = true; k--; continue; }
      if (t === '' || t.endsWith(';') || t.endsWith('}') || t.startsWith('#') || t.endsWith('{')) break;
      for (let x = 0; x < t.length; x++) { const c = t.charCodeAt(x); if (c === 41) open++; else if (c === 40) open--; }
      k--;
    }
    const headerLine = k + 1;
    const headerEnd = knr ? starts[i] + lt.lastIndexOf('{') : starts[i];
    // (K&R: the header must start in column 0 with a name, as a definition does; an
    // indented `if (x) {` is a statement.)
    const startsAtZero = !knr || /^[A-Za-z_]/.test(lineText(headerLine));
    if ((headerLine < i || knr) && startsAtZero) {
      let header = masked.slice(starts[headerLine], headerEnd);
      if (directives) header = header.replace(/^[ \t]*#.*$/gm, (d) => ' '.repeat(d.length));
      const h = /\(/.test(header) && !/=\s*$/.test(header.trim()) && !(knr && KNR_NOT_FUNCTION.test(header.trim())) ? parseHeader(header) : null;
      if (h) {
        const end = starts[j] + 1;
        out.push({
          headerLine, headerStart: starts[headerLine], braceLine: i, ...(knr ? { braceCol: lt.lastIndexOf('{') } : {}), end, endLine: j,
          name: h.name, nameOffset: starts[headerLine] + h.nameAt, nameInText: h.nameInText, isStatic: h.isStatic, isWeak: h.isWeak, params: h.params, arity: h.arity,
          acquires: h.acquires, releases: h.releases, mustHold: h.mustHold,
        });
        i = j + 1;
        continue;
      }
    }
    // (A K&R candidate that is no function: look on from the next line.)
    i = knr ? i + 1 : j + 1;
  }
  return out;
}

/** A whole function on one line, from column 0: `static void f(int x) { g(x); }` (its
 * first `{` closing at the end of the line). The offsets of its `{` and `}`. */
function oneLine(line: string): { open: number; close: number } | null {
  // (Every line outside a body comes here: no string is made before the cheap tests.)
  let e = line.length - 1;
  while (e >= 0 && (line.charCodeAt(e) === 32 || line.charCodeAt(e) === 9 || line.charCodeAt(e) === 13)) e--;
  const c0 = line.charCodeAt(0);
  if (e < 7 || line.charCodeAt(e) !== 125 || !((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122) || c0 === 95)) return null;
  const t = line.slice(0, e + 1);
  const open = t.indexOf('{');
  if (open < 0) return null;
  // (Nested braces are fine when the first `{` closes at the end of the line.)
  let depth = 0;
  for (let i = open; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 123) depth++;
    else if (c === 125 && --depth === 0 && i !== t.length - 1) return null;
  }
  if (depth !== 0) return null;
  const head = t.slice(0, open);
  // A definition's header: a parameter list closing before the brace (attributes may follow
  // it), no `;` and no initialiser (`struct x y = {...}`, `int a[] = { 1 }`).
  if (!/\)[\s\w()]*$/.test(head) || head.includes(';') || /=/.test(head.replace(/[!<>=]=/g, '')) || KNR_NOT_FUNCTION.test(head.trim())) return null;
  return { open, close: t.length - 1 };
}

/** A line that ends with `{` after a closing parenthesis (`int f(void) {`), not a column-0
 * `{` line. */
function knrBrace(line: string): boolean {
  const t = line.trimEnd();
  if (t.length < 3 || t[t.length - 1] !== '{' || t[0] === '{' || t[0] === '}' || t[0] === '#') return false;
  return /\)[\s\w()]*\{$/.test(t);
}

/** K&R-looking headers that are statements or declarations, not definitions. */
const KNR_NOT_FUNCTION = /^(?:if|else|for|while|switch|do|return|case|struct\s+\w+\s*\{|enum|union|typedef)\b|=/;
