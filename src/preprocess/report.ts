// What a finding's message adds about the preprocessor: the macro a call was written as, and
// the condition the tool could not decide when the finding exists only under it.
import type { FunctionIR, Span } from '../parse/ir';
import { undecidedAt } from './remap';

export function annotateMessage(message: string, fn: FunctionIR, at: Span): string {
  let out = message;
  const call = fn.calls.find((c) => c.via && c.span.line === at.line && c.span.col === at.col);
  if (call?.via && !out.includes(`${call.via}(`)) out += ` (called as ${call.via}(), which expands to ${call.name}())`;
  const cond = undecidedAt(fn.undecided, at.line);
  if (cond) out += ` [only if ${cond}: a condition the tool cannot decide]`;
  return out;
}
