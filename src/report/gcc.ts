// One line per finding, for editors and build logs: the form gcc and sparse print
// (`file:line:col: warning: message [rule-id]`), which vim's quickfix, emacs compile-mode
// and kbuild users read; and checkpatch.pl's form for the plain audit.
import * as path from 'path';
import type { AuditResult } from '../engine';
import type { Finding } from '../findings';
import { checkpatchEntry, checkpatchTotal } from './checkpatch';

/** A finding's file as the reader's tools resolve it: relative to `cwd` (an editor's or
 * make's working directory), absolute when it lies outside. */
export function displayPath(root: string, file: string, cwd: string): string {
  const abs = path.join(root, file);
  const r = path.relative(cwd, abs);
  return r.startsWith('..') || path.isAbsolute(r) ? abs : r;
}

/** `file:line:col: LEVEL: message [rule-id]`: error, warning or note, as gcc names them. */
export function gccLine(f: Finding, file: string): string {
  return `${file}:${f.span.line}:${f.span.col}: ${f.level}: ${f.message} [${f.ruleId}]`;
}

export function formatGcc(res: AuditResult, cwd = process.cwd()): string {
  return res.findings.map((f) => gccLine(f, displayPath(res.tree.root, f.file, cwd)) + '\n').join('');
}

export function formatAuditCheckpatch(res: AuditResult, o: { terse: boolean; summary: boolean }): string {
  const out: string[] = [];
  const srcLine = (f: Finding): string | undefined => f.source?.[f.span.line];
  for (const f of res.findings) out.push(...checkpatchEntry(f, o.terse ? undefined : srcLine(f), o.terse));
  if (o.summary) out.push(checkpatchTotal(res.findings, res.findings.some((f) => f.level === 'note'), res.stats.filesDiscovered, 'files'));
  return out.length ? out.join('\n') + '\n' : '';
}
