// Facts compared modulo moved lines. An edit that only moves a file's functions (lines
// inserted or removed above them, or between them) changes every line in their facts, so
// the answer's digest differs, but not what the analysis computes from them, apart from
// the lines. The shape of an answer is its digest with each function's lines counted from
// the function's first line (and its statements' byte offsets from its first statement's):
// two answers of the same shape differ by a shift of each function's lines, and the shifts
// say where each line of the old facts went (src/stages/shift.ts moves a kept result by them).
import { createHash } from 'crypto';
import type { FileFacts, FunctionIR } from './ir';

/** The keys that hold a line of the file in the IR (Span, CfgNode, CallSite.scopeEnd,
 * FunctionIR.startLine/endLine/undecided) and a byte offset (CallSite). (MacroDef.line is
 * left out of the shape: see relativeFunction.) */
const LINE_KEYS = new Set(['line', 'endLine', 'startLine', 'scopeEnd', 'from', 'to']);
const BYTE_KEYS = new Set(['stmtStart', 'stmtEnd']);

/** [file, first line, last line, shift]: the old lines first..last of the file are at
 * line + shift in the new text. */
export type LineShift = [string, number, number, number];

interface Answer { facts?: FileFacts; skipped?: string; notes?: string[] }

const plain = (_k: string, v: unknown): unknown => (v instanceof Set || v instanceof Map ? [...v] : v);

/** A function's IR as JSON with its lines relative to its first line. (Its digest, a hash
 * of the absolute IR, is left out.) */
function relativeFunction(fn: FunctionIR): string {
  const base = fn.startLine;
  let byteBase = 0;
  for (const c of fn.calls) if (byteBase === 0 || c.stmtStart < byteBase) byteBase = c.stmtStart;
  // (The analysis reads an undecided #if range only at the function's own lines, and its
  // group, the line of the `#if`, only to tell groups apart: a range is cut to the function
  // and its group numbered in order, so that lines inserted between an `#if` far above and
  // the function leave the shape alone.)
  const groups = new Map<number | undefined, number>();
  const undecided = fn.undecided?.map((u) => {
    if (!groups.has(u.group)) groups.set(u.group, groups.size);
    return { ...u, from: Math.max(u.from, fn.startLine), to: Math.min(u.to, fn.endLine), group: groups.get(u.group) };
  });
  return JSON.stringify(undecided ? { ...fn, undecided } : fn, function (this: Record<string, unknown>, k: string, v: unknown) {
    if (k === 'digest' && this.startLine === base && this.calls === fn.calls) return undefined;
    if (typeof v === 'number') {
      // (A `#define`, of the file or of a header, is compared without its line: lineShifts()
      // places it on its own, so that lines inserted between it and the function, or in
      // the header, leave the shape alone.)
      if (k === 'line' && typeof this.value === 'string' && !('kind' in this)) return undefined;
      if (LINE_KEYS.has(k)) return v - base;
      if (BYTE_KEYS.has(k)) return v - byteBase;
    }
    return plain(k, v);
  });
}

/** The SHA-1 of an answer with every function's lines relative to the function (see the
 * file comment); what is outside the functions keeps its lines, so that moving it is a
 * different shape. The same fields as answerDigest (src/cache-entry.ts) otherwise: not the
 * file's size, the headers' hashes, or how and when the answer was computed. */
export function answerShape(res: Answer): string {
  const f = res.facts;
  let facts: unknown;
  if (f) {
    const fns = f.functions;
    const within = (line: number): number => fns.findIndex((fn) => fn.file === f.file && line >= fn.startLine && line <= fn.endLine);
    facts = {
      ...f, bytes: 0, ...(f.deps ? { deps: f.deps.map(([name]) => name) } : {}),
      functions: fns.map(relativeFunction),
      // (A token outside the functions, and an unattributed one, is compared without its
      // line; lineShifts() places it by its order.)
      gupTokens: f.gupTokens.map((t) => { const i = within(t.line); return i < 0 ? { ...t, line: -1 } : { ...t, line: t.line - fns[i].startLine, fn: i }; }),
      unattributed: f.unattributed.map((u) => ({ ...u, line: -1 })),
    };
  }
  const text = JSON.stringify({ skipped: res.skipped ?? null, notes: res.notes ?? null, facts: facts ?? null }, plain);
  return createHash('sha1').update(text).digest('hex');
}

/** The lines an answer's functions cover, each range moved by `shift` (of the function, or
 * of one of the `#define`s it uses): the functions' own lines, and the lines of those
 * `#define`s, in the file or in a header. (lineShifts() adds the lines of the GUP tokens
 * outside them.) */
export function lineRanges(facts: FileFacts | undefined, shift: (fn: number, macro?: string) => number): LineShift[] {
  const out: LineShift[] = [];
  (facts?.functions ?? []).forEach((fn, i) => {
    out.push([fn.file, fn.startLine, fn.endLine, shift(i)]);
    for (const [name, m] of Object.entries(fn.macros ?? {})) out.push([m.file ?? fn.file, m.line, m.line, shift(i, name)]);
  });
  return out;
}

/** Where the lines of `prev`'s functions are in `now`, when the two answers have the same
 * shape; else null. */
export function lineShifts(prev: Answer, now: Answer): LineShift[] | null {
  if (answerShape(prev) !== answerShape(now)) return null;
  const a = prev.facts, b = now.facts;
  const out = lineRanges(a, (i, macro) => (macro === undefined
    ? b!.functions[i].startLine - a!.functions[i].startLine
    : b!.functions[i].macros![macro].line - a!.functions[i].macros![macro].line));
  if (a && b) {
    // (Same shape: the same unattributed tokens, in the same order.)
    a.unattributed.forEach((u, i) => out.push([a.file, u.line, u.line, b.unattributed[i].line - u.line]));
  }
  return out;
}

/** The ranges of an answer that did not change: every line where it was. */
export function unmoved(facts: FileFacts | undefined): LineShift[] {
  const out = lineRanges(facts, () => 0);
  for (const u of facts?.unattributed ?? []) out.push([facts!.file, u.line, u.line, 0]);
  return out;
}
