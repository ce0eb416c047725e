// Gate reports: text (introduced findings with code frames, fixed ones listed), json,
// sarif (every result with baselineState, baseline-suppressed ones with suppressions) and
// checkpatch (scripts/checkpatch.pl's shape, for b4 check commands and patchwork bots).
import type { Chalk } from 'chalk';
import type { AuditResult } from '../engine';
import { levelRank, type Finding, type Level } from '../findings';
import { formatText, shownPath } from '../report/text';
import { toJson } from '../report/json';
import { checkpatchEntry, checkpatchTotal } from '../report/checkpatch';
export { checkpatchEntry, checkpatchTotal } from '../report/checkpatch';
import { toolVersion } from '../version';
import type { GateResult } from './gate';

function count(fs: Finding[], l: Level): number {
  return fs.filter((f) => f.level === l).length;
}

function asResult(g: GateResult, findings: Finding[], base: AuditResult = g.after): AuditResult {
  return { ...base, tree: g.tree, findings, notifications: [] };
}

function levels(fs: Finding[]): string {
  return `${count(fs, 'error')} error, ${count(fs, 'warning')} warning, ${count(fs, 'note')} note`;
}

export function gateSummary(g: GateResult): string {
  const raised = g.updated.filter((f) => levelRank(f.level) > levelRank(g.previousLevel.get(f)!)).length;
  const live = g.introduced.filter((f) => !f.suppressed);
  return `${live.length} introduced (${levels(live)}), ${raised ? `${raised} raised, ` : ''}${g.fixed.length} fixed, ${g.unchanged.length} unchanged` +
    `${g.suppressed.length ? `, ${g.suppressed.length} suppressed by baseline` : ''}; fail-on ${g.failOn}: ${g.failing.length ? 'FAIL' : 'pass'}`;
}

export function formatGateText(g: GateResult, c: Chalk): string {
  const out: string[] = [];
  const what = g.mode === 'series' ? `${g.patches.length} patch${g.patches.length === 1 ? '' : 'es'}` : g.label;
  out.push(c.bold(`gup-audit ${g.mode}: ${what}; kernel ${g.tree.version.join('.')}`));
  out.push(`  ${g.changedFiles.length} changed source file${g.changedFiles.length === 1 ? '' : 's'}, ${g.scopeFiles.before} -> ${g.scopeFiles.after} files audited in ${g.dirs.length} director${g.dirs.length === 1 ? 'y' : 'ies'}`);
  out.push('');
  const frames = (title: string, fs: Finding[]) => {
    if (!fs.length) return;
    out.push(c.bold(`${title} (${fs.length}):`));
    const text = formatText(asResult(g, fs), { chalk: c, stats: false, readLines: (file) => g.sources.get(file) ?? null });
    const lines = text.replace(/\n$/, '').split('\n');
    lines.pop(); // formatText's own summary line
    out.push(...lines);
  };
  const live = g.introduced.filter((f) => !f.suppressed);
  frames('Introduced', live);
  const upd = g.updated.filter((f) => !f.suppressed);
  if (upd.length) {
    out.push(c.bold(`Level changed (${upd.length}):`));
    for (const f of upd) out.push(`  ${shownPath(f.file)}:${f.span.line}:${f.span.col}  ${g.previousLevel.get(f)} -> ${f.level}  ${f.message}  ${c.dim(`[${f.ruleId}]`)}`);
    out.push('');
  }
  if (g.fixed.length) {
    out.push(c.bold(`Fixed (${g.fixed.length}):`));
    for (const f of g.fixed) out.push(`  ${shownPath(f.file)}:${f.span.line}:${f.span.col}  ${f.level}  ${f.message}  ${c.dim(`[${f.ruleId}] (line in the base)`)}`);
    out.push('');
  }
  if (g.suppressed.length) {
    out.push(c.bold(`Suppressed by baseline (${g.suppressed.length}):`));
    for (const f of g.suppressed) out.push(c.dim(`  ${shownPath(f.file)}:${f.span.line}  ${f.level}  [${f.ruleId}] ${f.baselineState}`));
    out.push('');
  }
  const problems = g.notifications.filter((n) => n.level !== 'note');
  if (problems.length) {
    out.push(c.yellow(`${problems.length} file(s) or step(s) not audited:`));
    for (const s of problems.slice(0, 50)) out.push(`  ${s.file ? `${shownPath(s.file)}: ` : ''}${s.message}`);
    out.push('');
  }
  const summary = gateSummary(g);
  out.push(g.failing.length ? c.bold(summary) : c.green(summary));
  return out.join('\n') + '\n';
}

function findingJson(g: GateResult, f: Finding, base: AuditResult): object {
  const j = (toJson(asResult(g, [f], base)) as { findings: object[] }).findings[0];
  return {
    ...j,
    baselineState: f.baselineState,
    ...(g.previousLevel.has(f) ? { previousLevel: g.previousLevel.get(f) } : {}),
    ...(f.suppressed ? { suppressed: f.suppressed } : {}),
  };
}

export function formatGateJson(g: GateResult): string {
  const doc = {
    schemaVersion: 1,
    tool: { name: 'gup-audit', version: toolVersion },
    mode: g.mode,
    kernel: { version: g.tree.version.join('.'), source: g.tree.source },
    ...(g.mode === 'diff' ? { base: g.base, head: g.head } : { patches: g.patches.map((p) => ({ name: p.name, subject: p.subject })) }),
    changedFiles: g.changedFiles,
    scope: { directories: g.dirs, filesBefore: g.scopeFiles.before, filesAfter: g.scopeFiles.after },
    summary: {
      introduced: g.introduced.filter((f) => !f.suppressed).length,
      updated: g.updated.length,
      fixed: g.fixed.length,
      unchanged: g.unchanged.length,
      suppressed: g.suppressed.length,
      failOn: g.failOn,
      failed: g.failing.length > 0,
    },
    introduced: g.introduced.map((f) => findingJson(g, f, g.after)),
    updated: g.updated.map((f) => findingJson(g, f, g.after)),
    fixed: g.fixed.map((f) => findingJson(g, f, g.before)),
    unchanged: g.unchanged.map((f) => findingJson(g, f, g.after)),
    notifications: g.notifications,
    timingsMs: g.timingsMs,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

export async function formatGateSarif(g: GateResult, commandLine: string): Promise<string> {
  const { formatSarif } = await import('../report/sarif');
  const all = [...g.introduced, ...g.updated, ...g.unchanged, ...g.fixed];
  return formatSarif(asResult(g, all), { commandLine });
}

export interface CheckpatchOptions { terse: boolean; summary: boolean }

/** checkpatch.pl's output shape: per problem `LEVEL: rule: message`, `#<n>: FILE: path:line:`
 * and the line (`+` when the series added it), then `total: N errors, N warnings, N lines
 * checked`. Terse: `path:line: LEVEL: rule: message`. Only introduced findings (and raised
 * levels) appear; notes (as CHECK) only with --fail-on note. */
export function formatGateCheckpatch(g: GateResult, o: CheckpatchOptions): string {
  const shown = [...g.introduced, ...g.updated.filter((f) => levelRank(f.level) > levelRank(g.previousLevel.get(f)!))]
    .filter((f) => !f.suppressed && (f.level !== 'note' || g.failOn === 'note'))
    .sort((a, b) => a.file.localeCompare(b.file) || a.span.line - b.span.line);
  const lastPatch = g.patches.length - 1;
  const patchOf = (f: Finding) => g.origin(f.file, f.span.line)?.patch ?? g.lastPatch(f.file) ?? lastPatch;
  const out: string[] = [];
  const groups = new Map<number, Finding[]>();
  for (const f of shown) {
    const p = patchOf(f);
    if (!groups.has(p)) groups.set(p, []);
    groups.get(p)!.push(f);
  }
  const multi = g.patches.length > 1 && !o.terse;
  for (const [p, fs] of [...groups].sort((a, b) => a[0] - b[0])) {
    if (multi) out.push('-'.repeat(60), g.patches[p].name, '-'.repeat(60));
    for (const f of fs) out.push(...checkpatchEntry(f, g.sources.get(f.file)?.[f.span.line - 1], o.terse, g.origin(f.file, f.span.line)?.inputLine));
  }
  if (o.summary) out.push(checkpatchTotal(shown, g.failOn === 'note', g.linesChecked));
  return out.length ? out.join('\n') + '\n' : '';
}

