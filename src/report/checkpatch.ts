// checkpatch.pl's shape of a problem and its closing line, shared by the plain audit's
// --format checkpatch and the gate's.
import type { Finding, Level } from '../findings';

const checkpatchTag = (l: Level) => (l === 'error' ? 'ERROR' : l === 'warning' ? 'WARNING' : 'CHECK');

/** One problem in checkpatch.pl's shape (also the plain audit's --format checkpatch):
 * `LEVEL: rule: message`, `#<n>: FILE: path:line:` (n: the patch line that added it, when
 * known) and the source line (`+` when added), then a blank line; terse: one line. */
export function checkpatchEntry(f: Finding, src: string | undefined, terse: boolean, inputLine?: number): string[] {
  const msg = `${checkpatchTag(f.level)}: ${f.ruleId}: ${f.message}`;
  if (terse) return [`${f.file}:${f.span.line}: ${msg}`];
  const out = [msg, `${inputLine !== undefined ? `#${inputLine}: ` : ''}FILE: ${f.file}:${f.span.line}:`];
  if (src !== undefined) out.push(`${inputLine !== undefined ? '+' : ' '}${src.replace(/\r$/, '')}`);
  out.push('');
  return out;
}

/** checkpatch.pl's closing line (checks counted only when notes are shown); what was
 * checked: the patches' lines (gate), the tree's files (plain audit). */
export function checkpatchTotal(shown: Finding[], checks: boolean, count: number, unit = 'lines'): string {
  const n = (l: Level) => shown.filter((f) => f.level === l).length;
  return `total: ${n('error')} errors, ${n('warning')} warnings, ${checks ? `${n('note')} checks, ` : ''}${count} ${unit} checked`;
}
