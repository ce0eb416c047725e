// Rewriting one prefer-unlocked call in a file's text: the edits that replace the call
// with the _unlocked variant (arguments reordered for the era, continuation lines kept
// aligned) and drop the lock/unlock statements around it, or why that is not exact. Pure
// text in, edits out: the engine attaches them to findings (SARIF fixes), `gup-audit fix`
// applies them.
import type { Finding } from '../findings';
import type { Span } from '../parse/ir';
import { lineIndex, type LineIndex } from '../parse/cut';
import { normSpace } from '../parse/extract';

export interface Edit {
  start: number;
  end: number;
  text: string;
  /** The same edit as a region (1-based, exclusive end) for SARIF. */
  region: Span;
}

const offsetOf = (li: LineIndex, line: number, col: number) => li.starts[line - 1] + col - 1;

function regionOf(li: LineIndex, start: number, end: number): Span {
  const pos = (o: number) => {
    let lo = 0, hi = li.starts.length - 1;
    while (lo < hi) { const m = (lo + hi + 1) >> 1; if (li.starts[m] <= o) lo = m; else hi = m - 1; }
    return { line: lo + 1, col: o - li.starts[lo] + 1 };
  };
  const a = pos(start), b = pos(end);
  return { line: a.line, col: a.col, endLine: b.line, endCol: b.col };
}

/** Split an argument list at top-level commas, keeping each piece's whitespace. */
export function splitArgs(inner: string): string[] {
  const out: string[] = [];
  let depth = 0, cur = '', i = 0;
  while (i < inner.length) {
    const c = inner[i];
    if (c === '/' && inner[i + 1] === '*') { const e = inner.indexOf('*/', i + 2); const stop = e < 0 ? inner.length : e + 2; cur += inner.slice(i, stop); i = stop; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < inner.length && inner[j] !== c) j += inner[j] === '\\' ? 2 : 1;
      cur += inner.slice(i, j + 1); i = j + 1; continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    if (c === ',' && depth === 0) { out.push(cur); cur = ''; i++; continue; }
    cur += c; i++;
  }
  out.push(cur);
  return out;
}

function visualWidth(s: string): number {
  let w = 0;
  for (const ch of s) w = ch === '\t' ? (Math.floor(w / 8) + 1) * 8 : w + 1;
  return w;
}

function indentTo(width: number): string {
  return '\t'.repeat(Math.floor(width / 8)) + ' '.repeat(width % 8);
}

/** The statement of a lock call, when it stands alone on its line(s): the range to delete. */
function plainStatementLine(text: string, li: LineIndex, span: Span): { start: number; end: number } | string {
  const start = offsetOf(li, span.line, span.col);
  const end = offsetOf(li, span.endLine, span.endCol);
  const lineStart = li.starts[span.line - 1];
  if (text.slice(lineStart, start).trim() !== '') return 'the lock call shares its line with other code (part of a condition?)';
  const after = /^[ \t]*;[ \t]*(\/\*[^\n]*?\*\/)?[ \t]*(\r?\n|$)/.exec(text.slice(end));
  if (!after) return 'the lock call is not a plain statement (its value is used)';
  // The line above must not be a brace-less `if (...)`/`else`/loop header governing it.
  let p = lineStart - 1;
  while (p > 0) {
    const ls = text.lastIndexOf('\n', p - 1) + 1;
    const prev = text.slice(ls, p).replace(/\/\*.*?\*\//g, '').trim();
    if (prev === '') { p = ls - 1; continue; }
    if (/\)\s*$/.test(prev) && /^(if|else|for|while|switch)\b|^}?\s*else\b/.test(prev)) return 'the lock call is the body of a brace-less if/else/loop';
    if (/^(else|do)$/.test(prev) || /\belse$/.test(prev)) return 'the lock call is the body of a brace-less else';
    break;
  }
  return { start: lineStart, end: end + after[0].length };
}

/** The edits that apply one prefer-unlocked finding to a file's text, or why not. */
export function planFinding(f: Finding, text: string, li = lineIndex(text)): Edit[] | string {
  const rw = f.rewrite;
  if (!rw) return 'no rewrite recorded';
  if (rw.call.endLine > li.starts.length) return 'the file changed since it was analysed (the call line is gone)';
  const start = offsetOf(li, rw.call.line, rw.call.col);
  const end = offsetOf(li, rw.call.endLine, rw.call.endCol);
  const old = text.slice(start, end);
  // Every span the edit touches (the call, each lock and unlock call) must still hold what
  // was analysed: a file edited in between is left alone.
  if (normSpace(old) !== f.callText) return 'the file changed since it was analysed (the call)';
  if (rw.drop.length !== rw.dropText?.length) return 'no analysed text of the lock/unlock calls';
  for (let k = 0; k < rw.drop.length; k++) {
    const d = rw.drop[k];
    if (d.line > li.starts.length || d.endLine > li.starts.length) return 'the file changed since it was analysed (a lock/unlock line is gone)';
    if (normSpace(text.slice(offsetOf(li, d.line, d.col), offsetOf(li, d.endLine, d.endCol))) !== rw.dropText[k]) return `the file changed since it was analysed (line ${d.line} no longer holds ${rw.dropText[k]})`;
  }
  const open = old.indexOf('(');
  if (open < 0 || !old.endsWith(')')) return 'unexpected call text';
  const oldName = old.slice(0, open).trim();
  const raw = splitArgs(old.slice(open + 1, -1));
  const newArgs: string[] = [];
  for (let k = 0; k < rw.argOrder.length; k++) {
    const o = rw.argOrder[k];
    const content = typeof o === 'number' ? raw[o]?.trim() : o;
    if (content === undefined) return 'argument count mismatch';
    const lead = k === 0 ? '' : (/^\s*/.exec(raw[k] ?? ' ')![0] || ' ');
    newArgs.push(lead + content);
  }
  // Continuation lines aligned with the old `(` move with the new, longer name.
  const lineStart = li.starts[rw.call.line - 1];
  const oldParenCol = visualWidth(text.slice(lineStart, start) + oldName) + 1;
  const newParenCol = oldParenCol + (rw.name.length - oldName.length);
  let inner = newArgs.join(',');
  inner = inner.replace(/\n([ \t]*)/g, (m, ws: string) => (visualWidth(ws) === oldParenCol ? `\n${indentTo(newParenCol)}` : m));
  const edits: Edit[] = [{ start, end, text: `${rw.name}(${inner})`, region: regionOf(li, start, end) }];
  for (const d of rw.drop) {
    const r = plainStatementLine(text, li, d);
    if (typeof r === 'string') return r;
    edits.push({ start: r.start, end: r.end, text: '', region: regionOf(li, r.start, r.end) });
  }
  edits.sort((a, b) => a.start - b.start);
  for (let i = 1; i < edits.length; i++) if (edits[i].start < edits[i - 1].end) return 'overlapping edits';
  return edits;
}

export function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

