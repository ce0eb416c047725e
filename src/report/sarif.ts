// Placeholder replaced by the SARIF 2.1.0 formatter.
import type { AuditResult } from '../engine';
export function formatSarif(res: AuditResult, _o: { commandLine: string }): string {
  return JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'gup-audit' } }, results: res.findings.length }] });
}
