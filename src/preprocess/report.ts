// What a finding's message adds about the preprocessor: the macro a call was written as, and
// the condition the tool could not decide when the finding exists only under it.
import type { FunctionIR, Span } from '../parse/ir';
import { undecidedAt } from './remap';

export function annotateMessage(message: string, fn: FunctionIR, at: Span, where?: Span[], given?: string): string {
  let out = message;
  // Every call an expansion produces is reported at the macro's use: the one meant is the one
  // the message names first (`UPTR(a)` in the arguments of a macro that calls pin_user_pages
  // is there too, and may be quoted later, in the suggested replacement).
  const here = fn.calls.filter((c) => c.via && c.span.line === at.line && c.span.col === at.col);
  const named = (c: (typeof here)[number]) => { const i = message.indexOf(`${c.name}(`); return i < 0 ? Infinity : i; };
  const call = here.reduce<(typeof here)[number] | undefined>((best, c) => (!best || named(c) < named(best) ? c : best), undefined);
  if (call?.via && !out.includes(`${call.via}(`)) out += ` (called as ${call.via}(), which expands to ${call.name}())`;
  let cond = undecidedAt(fn.undecided, at.line);
  // (The places where it happens, all under undecided conditions: the finding exists only
  // if one of them is built.)
  if (!cond && where?.length) {
    const conds = where.map((w) => undecidedAt(fn.undecided, w.line));
    if (conds.every((c) => c)) cond = [...new Set(conds)].map((c) => (conds.length > 1 ? `(${c})` : c)).join(' || ');
  }
  cond ??= given;
  if (cond) out += ` [only if ${cond}: a condition the tool cannot decide]`;
  return out;
}
