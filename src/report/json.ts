// JSON report. Schema (stable, versioned by `schemaVersion`):
// { schemaVersion: 1, tool: {name, version}, kernel: {version, source},
//   findings: [{ ruleId, level, message, messageId, data, file, line, column, endLine, endColumn,
//                function, hint?, fingerprint, suppressed?: {kind, justification}, baselineState?,
//                related: [{ role, file, line, column, endLine, endColumn, message }],
//                chains?: [[{ function, file, line, column, endLine, endColumn }]] (innermost caller first) }],
//   notifications: [{ level, file?, message }], stats: {...} }
// Lines and columns are 1-based; end columns are exclusive. `messageId` names the rule's
// message template (meta.messages, `{{name}}` placeholders) and `data` holds the values of
// its placeholders: `message` is that template rendered with `data`, followed by the notes
// the engine adds about the preprocessor (` (called as M(), which expands to F())`,
// ` [only if C: a condition the tool cannot decide]`). Fields are only ever added within a
// schemaVersion (messageId and data were).
import type { AuditResult } from '../engine';
import type { Related } from '../findings';
import { toolVersion } from '../version';

const loc = (r: { span: { line: number; col: number; endLine: number; endCol: number } }) => ({
  line: r.span.line, column: r.span.col, endLine: r.span.endLine, endColumn: r.span.endCol,
});

export function toJson(res: AuditResult): object {
  return {
    schemaVersion: 1,
    tool: { name: 'gup-audit', version: toolVersion },
    kernel: { version: res.tree.version.join('.'), source: res.tree.source },
    findings: res.findings.map((f) => ({
      ruleId: f.ruleId, level: f.level, message: f.message, messageId: f.messageId, data: f.data, file: f.file, ...loc(f), function: f.function,
      ...(f.hint ? { hint: f.hint } : {}),
      fingerprint: f.fingerprint,
      ...(f.suppressed ? { suppressed: f.suppressed } : {}),
      ...(f.baselineState ? { baselineState: f.baselineState } : {}),
      related: f.related.map((r: Related) => ({ role: r.role, file: r.file, ...loc(r), message: r.message })),
      ...(f.chains?.length ? { chains: f.chains.map((c) => c.map((st) => ({ function: st.function, file: st.file, ...loc(st) }))) } : {}),
    })),
    notifications: res.notifications,
    stats: res.stats,
  };
}

export function formatJson(res: AuditResult): string {
  return JSON.stringify(toJson(res), null, 2) + '\n';
}
