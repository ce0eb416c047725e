// What the plain audit shows: inline suppressions applied, the display filter
// (--min-level), and the counts of what either left out of the report.
import type { AuditResult } from '../engine';
import { levelRank, type Level } from '../findings';
import { applyInlineSuppressions, treeReader } from '../suppress';

export interface Hidden {
  /** Suppressed findings (baseline or inline comment) at or above the display level. */
  suppressed: number;
  /** Findings below --min-level (suppressed or not). */
  belowLevel: number;
  minLevel?: Level;
}

export interface AuditView {
  /** Findings at or above the display level, suppressed ones included (JSON, SARIF). */
  reported: AuditResult;
  /** The same without the suppressed ones (text, gcc, checkpatch). */
  shown: AuditResult;
  /** Every finding not suppressed, whatever the display level (the exit code). */
  live: AuditResult;
  hidden: Hidden;
}

export function auditView(res: AuditResult, minLevel?: Level): AuditView {
  const notes = applyInlineSuppressions(res.findings, treeReader(res.tree.root), new Set(res.rules.map((r) => r.meta.id)));
  const notifications = [...res.notifications, ...notes];
  const atLevel = res.findings.filter((f) => !minLevel || levelRank(f.level) >= levelRank(minLevel));
  const reported: AuditResult = { ...res, findings: atLevel, notifications };
  const shown: AuditResult = { ...reported, findings: atLevel.filter((f) => !f.suppressed) };
  const live: AuditResult = { ...reported, findings: res.findings.filter((f) => !f.suppressed) };
  return { reported, shown, live, hidden: { suppressed: atLevel.length - shown.findings.length, belowLevel: res.findings.length - atLevel.length, minLevel } };
}
