// Positions of a function built from expanded text, taken back to the source: a call that an
// expansion produced is reported at the macro's use and remembers the macro.
import { lineIndex, lineOf, type LineIndex } from '../parse/cut';
import type { FunctionIR, Span } from '../parse/ir';
import { macroAt, originalOffset, type ExpandedText } from './expand';
import type { UndecidedRange } from './conditional';

export function remapExpanded(fn: FunctionIR, x: ExpandedText, headerStart: number, text: string, lines: LineIndex): void {
  const local = lineIndex(x.text);
  const headerLine = lineOf(lines, headerStart);
  const toLocal = (line: number, col: number) => (local.starts[line - 1 - headerLine] ?? 0) + col - 1;
  const toFile = (off: number): { line: number; col: number } => {
    const l = lineOf(lines, off);
    return { line: l + 1, col: off - lines.starts[l] + 1 };
  };
  const span = (s: Span): Span => {
    const a = toFile(headerStart + originalOffset(x, toLocal(s.line, s.col)));
    const b = toFile(headerStart + originalOffset(x, toLocal(s.endLine, s.endCol), true));
    return { line: a.line, col: a.col, endLine: b.line, endCol: b.col };
  };
  for (const c of fn.calls) {
    const via = macroAt(x, toLocal(c.span.line, c.span.col));
    c.span = span(c.span);
    c.callSpan = span(c.callSpan);
    c.stmtStart = headerStart + originalOffset(x, c.stmtStart - headerStart);
    c.stmtEnd = headerStart + originalOffset(x, c.stmtEnd - headerStart, true);
    if (via && via !== c.name) c.via = via;
  }
  void text;
}

/** The undecidable ranges that fall inside a function's lines. */
export function undecidedIn(ranges: UndecidedRange[], from: number, to: number): UndecidedRange[] {
  return ranges.filter((r) => r.to >= from && r.from <= to);
}

/** The condition under which a line is live, when the tool cannot decide it. */
export function undecidedAt(ranges: UndecidedRange[] | undefined, line: number): string | undefined {
  const hits = (ranges ?? []).filter((r) => r.from <= line && line <= r.to);
  return hits.length ? hits.map((r) => r.condition).join(' && ') : undefined;
}

/** Two lines in other arms of one undecided #if group (`#ifdef X` ... `#else` ...): a build
 * has one of them, never both. */
export function alternativeArms(ranges: UndecidedRange[] | undefined, a: number, b: number): boolean {
  const armsAt = (line: number) => (ranges ?? []).filter((r) => r.group !== undefined && r.from <= line && line <= r.to);
  const arms = armsAt(a);
  return arms.length > 0 && armsAt(b).some((y) => arms.some((x) => x.group === y.group && x.from !== y.from));
}
