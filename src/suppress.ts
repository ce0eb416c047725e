// Inline suppressions: a comment on a finding's line or the line above,
//   /* gup-audit: ignore <rule-id>[,<rule-id>...]: <reason> */   (or // ...)
// marks the finding suppressed (kind inSource, the reason as justification). A finding is
// never dropped: JSON and SARIF keep it with `suppressed`, the text summary counts it. A
// comment without a reason, or naming a rule the tool does not have, suppresses nothing
// and is reported as a note.
import * as fs from 'fs';
import * as path from 'path';
import type { Finding, Notification } from './findings';

const MARK = /gup-audit:\s*ignore\b([^\n]*)/;

export interface InlineSuppression { rules: string[]; reason: string | null }

/** The suppression a source line carries, if any (the reason null when missing). */
export function parseSuppression(line: string): InlineSuppression | null {
  const m = MARK.exec(line);
  if (!m) return null;
  const body = m[1].replace(/\*\/.*$/, '').trim();
  const r = /^([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*(?::\s*(.*))?$/.exec(body);
  if (!r) return { rules: [], reason: null };
  const reason = (r[2] ?? '').trim();
  return { rules: r[1].split(',').map((s) => s.trim()), reason: reason || null };
}

export type LineReader = (file: string) => string[] | null;

export function treeReader(root: string): LineReader {
  const cache = new Map<string, string[] | null>();
  return (file) => {
    if (!cache.has(file)) {
      try { cache.set(file, fs.readFileSync(path.join(root, file), 'latin1').split('\n')); } catch { cache.set(file, null); }
    }
    return cache.get(file)!;
  };
}

/** Mark findings suppressed by a comment on their line or the line above; returns the
 * notes for comments that do not apply (no reason, unknown rule). Findings already
 * suppressed (a baseline) keep that suppression. */
export function applyInlineSuppressions(findings: Finding[], read: LineReader, knownRules: Set<string>): Notification[] {
  const notes = new Map<string, Notification>();
  for (const f of findings) {
    const src = read(f.file);
    if (!src) continue;
    for (const line of [f.span.line, f.span.line - 1]) {
      const s = line >= 1 ? parseSuppression(src[line - 1] ?? '') : null;
      if (!s) continue;
      const bad = s.rules.length === 0 ? 'expected `gup-audit: ignore <rule-id>: <reason>`'
        : s.rules.find((id) => !knownRules.has(id)) ? `unknown rule '${s.rules.find((id) => !knownRules.has(id))}'`
          : s.reason === null ? 'a reason is required' : null;
      if (bad) {
        notes.set(`${f.file}:${line}`, { level: 'note', file: f.file, message: `inline suppression at line ${line} not applied: ${bad}` });
        continue;
      }
      if (!s.rules.includes(f.ruleId)) continue;
      if (!f.suppressed) f.suppressed = { kind: 'inSource', justification: s.reason! };
      break;
    }
  }
  return [...notes.values()];
}
