// Stage 5: run the rules over the analysed program. Each report becomes a Finding (level
// from --level/config, the rule's report or its default), with fingerprints and a stable
// order; a rule that throws is reported and the others still run. The rules share one
// context (./rule-context): what they ask of the analyses is computed once per audit.
import { createHash } from 'crypto';
import type { Version } from '../kernel/api';
import type { TreeInfo } from '../kernel/era';
import type { Program } from '../analysis/program';
import { annotateMessage } from '../preprocess/report';
import type { Finding, Level, Notification, Related } from '../findings';
import { messagePlaceholders, renderMessage } from '../findings';
import type { ReportInput, Rule } from '../rule';
import { createRuleContext } from './rule-context';

export function runRules(rules: Rule[], program: Program, version: Version, tree: TreeInfo, levels: Record<string, Level | 'off'> | undefined, notifications: Notification[]): Finding[] {
  const findings: Finding[] = [];
  const ctx = createRuleContext(program, version, tree);
  for (const rule of rules) {
    ctx.report = (r) => { findings.push(findingOf(rule, r, levels)); };
    try {
      rule.check(ctx);
    } catch (e) {
      // A defect in one rule must not cost the audit of everything else: say so, go on.
      const where = (e as Error)?.stack?.split('\n').find((l) => /\(.*\.js:\d+/.test(l))?.trim() ?? '';
      notifications.push({ level: 'error', message: `rule ${rule.meta.id} stopped with an internal error (${(e as Error)?.message ?? String(e)}${where ? `; ${where}` : ''}); its findings are incomplete`, kind: 'internal-error' });
    }
  }
  assignFingerprints(findings);
  findings.sort(compareFindings);
  return findings;
}

/** The order of a result's findings: file, line, column, rule. */
export function compareFindings(a: Finding, b: Finding): number {
  return a.file.localeCompare(b.file) || a.span.line - b.span.line || a.span.col - b.span.col || a.ruleId.localeCompare(b.ruleId);
}

/** The finding of one report: its message rendered from the rule's template (an unknown
 * messageId or a placeholder without a value throws: the rule stops with an internal error,
 * as for any defect of a rule), then annotated with what the preprocessor did. The finding's
 * data are the values of the template's placeholders (a value the template does not use is
 * left out). */
function findingOf(rule: Rule, r: ReportInput, levels: Record<string, Level | 'off'> | undefined): Finding {
  const template = Object.prototype.hasOwnProperty.call(rule.meta.messages, r.messageId) ? rule.meta.messages[r.messageId] : undefined;
  if (template === undefined) throw new Error(`rule ${rule.meta.id} reported an unknown messageId '${r.messageId}'`);
  const lvl = levels?.[rule.meta.id];
  return {
    ruleId: rule.meta.id,
    level: (lvl && lvl !== 'off' ? lvl : undefined) ?? r.level ?? rule.meta.level,
    message: annotateMessage(renderMessage(template, r.data), r.fa.fn, r.span, r.onlyWhere, r.onlyIf),
    messageId: r.messageId,
    data: Object.fromEntries(messagePlaceholders(template).map((k) => [k, r.data[k]])),
    file: r.fa.fn.file,
    span: r.span,
    function: r.fa.fn.name,
    related: dedupeRelated(r.related ?? []),
    hint: r.hint,
    callText: r.callText,
    fingerprint: '',
    flow: r.flow,
    ...(r.chains?.length ? { chains: r.chains.map((c) => c.map((st) => ({ function: st.caller.fn.name, file: st.caller.fn.file, span: st.call.span }))) } : {}),
    ...(r.rewrite ? { rewrite: r.rewrite } : {}),
  };
}

/** Findings per rule id. */
export function countByRule(findings: Finding[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of findings) out[f.ruleId] = (out[f.ruleId] ?? 0) + 1;
  return out;
}

function dedupeRelated(rs: Related[]): Related[] {
  const seen = new Set<string>();
  return rs.filter((r) => { const k = `${r.role}:${r.file}:${r.span.line}:${r.span.col}`; if (seen.has(k)) return false; seen.add(k); return true; });
}

/** Fingerprints from rule, path, function, normalised call text and an occurrence index:
 * stable when unrelated lines shift, different when the call changes. */
export function assignFingerprints(findings: Finding[]): void {
  const sorted = [...findings].sort((a, b) => a.file.localeCompare(b.file) || a.span.line - b.span.line || a.span.col - b.span.col);
  const counts = new Map<string, number>();
  for (const f of sorted) {
    const base = `${f.ruleId}\0${f.file}\0${f.function}\0${f.callText.replace(/\s+/g, '')}`;
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    f.fingerprint = createHash('sha256').update(`${base}\0${n}`).digest('hex').slice(0, 32);
  }
}
