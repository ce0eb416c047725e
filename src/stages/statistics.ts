// Stage 6: statistics. Every GUP token the scan saw is attributed to a function (or listed
// with the reason it is not), lock contexts are counted, and what stopped short (analysis
// budgets, calls the parser did not see) becomes a notification.
import type { Program } from '../analysis/program';
import type { AnalysisMemo } from '../analysis/program';
import { lifecycleCuts } from '../analysis/pagerefs';
import { gupSites, lockContextOf, type GupSite } from '../analysis/sites';
import type { Notification } from '../findings';
import type { AuditStats } from './types';
import type { FactsStore } from './facts';
import { cmpVersion, fitsVersion, gupEraAt, gupFunctions, layoutFits, parseVersion, type Version } from '../kernel/api';
import { undecidedAt } from '../preprocess/remap';
import type { CallerExpansion } from './callers';

export function collectStatistics(program: Program, store: FactsStore, expansion: CallerExpansion, memo: AnalysisMemo, stats: AuditStats, notifications: Notification[]): void {
  stats.functionsExtracted = store.functions.length;
  stats.filesParsed = store.parsedFiles.size;
  stats.pointerCalls = program.unresolvedPointerCalls;
  stats.pointerFields = { resolvedCalls: program.resolvedPointerCalls, cappedCalls: program.cappedPointerCalls, fieldsNotSearched: expansion.fieldsNotSearched.size, typeFilteredTargets: program.typeFilteredTargets };
  const attributedAt = new Set<string>();
  for (const s of gupSites(program)) {
    attributedAt.add(`${s.fa.fn.file}:${s.call.span.line}:${s.call.span.col}`);
    if (s.call.via && store.hasFacts(s.fa.fn.file)) { stats.gupTokenSites++; stats.gupCallSitesAttributed++; }
    stats.lockContext[lockContextOf(program, s)]++;
  }
  for (const f of store.factsByFile.values()) {
    for (const t of f.gupTokens) {
      // (A macro definition is no call site: its uses are, reported at the use.)
      const isCall = !f.unattributed.some((u) => u.line === t.line && u.name === t.name && /declaration|header|macro definition/.test(u.reason));
      if (!isCall) continue;
      stats.gupTokenSites++;
      if (attributedAt.has(`${f.file}:${t.line}:${t.col}`)) stats.gupCallSitesAttributed++;
    }
    for (const u of f.unattributed) {
      stats.unattributed.push({ file: f.file, ...u });
      // Syntax tree-sitter could not read hid a GUP call: say so, not only in --stats.
      if (/did not see a call/.test(u.reason)) notifications.push({ level: 'warning', file: f.file, message: `${u.name}() at line ${u.line} not analysed: the parser did not see a call there (syntax errors)` });
      if (/outside any function body/.test(u.reason)) notifications.push({ level: 'warning', file: f.file, message: `${u.name}() at line ${u.line} not analysed: it is in no function body the tool could find (a definition whose braces it does not recognise)` });
    }
  }
  for (const c of [...memo.ledger.cuts, ...lifecycleCuts(program)]) notifications.push({ level: 'warning', file: c.file, message: c.message, kind: 'analysis-budget' });
  stats.analysisWork = { functionAnalyses: memo.misses, entrySummaries: program.entries.summaries, entryEvaluations: program.entries.evaluations };
  stats.unattributed.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.name.localeCompare(b.name));
}

/** Say when the audited era looks wrong for the code: GUP calls whose argument count is not
 * the era's signature (a module built for another kernel), and an era taken by default. A
 * call under an #if the tool cannot decide is no such sign when another GUP call of the
 * function fits: it is the arm for other kernels (`#ifdef HAVE_GUP_WITHOUT_VMAS` / `#else`
 * with the older call). When none fits (a feature switch around the only call, or every arm
 * written for other kernels), it is. */
export function eraNotifications(program: Program, version: Version, source: string, notifications: Notification[]): void {
  const odd: string[] = [];
  // (A GUP function the version does not have at all, `pin_user_pages()` in a 5.4 audit, fits
  // nothing either; a name the API facts do not know is left alone.)
  const fits = (s: GupSite) => !s.call.name || !gupFunctions.has(s.call.name) || (gupEraAt(s.call.name, version) !== null && fitsVersion(s.call.name, s.call.argText, version));
  const sites = gupSites(program);
  const someFit = new Set(sites.filter(fits).map((s) => s.fa));
  for (const s of sites) {
    if (undecidedAt(s.fa.fn.undecided, s.call.span.line) && someFit.has(s.fa)) continue;
    if (fits(s)) continue;
    const e = s.call.name ? gupEraAt(s.call.name, version) : null;
    const eras = s.call.name ? gupFunctions.get(s.call.name)?.eras ?? [] : [];
    if (!e && eras.length) {
      const first = eras.map((x) => parseVersion(x.from)!).sort(cmpVersion)[0];
      odd.push(`${s.call.name}() at ${s.fa.fn.file}:${s.call.span.line} is not in ${version.join('.')} (${cmpVersion(version, first) < 0 ? `it came in ${first.join('.')}` : 'it was removed before'})`);
    } else if (e && s.call.argText.length !== e.params.length) odd.push(`${s.call.name}() at ${s.fa.fn.file}:${s.call.span.line} passes ${s.call.argText.length} arguments, ${version.join('.')} takes ${e.params.length}`);
    else if (e && !layoutFits(e, s.call.argText)) odd.push(`${s.call.name}() at ${s.fa.fn.file}:${s.call.span.line} passes (${s.call.argText.slice(0, 2).join(', ')}, ...) where ${version.join('.')} takes (${e.params.slice(0, 2).map((p) => p.split(':')[0]).join(', ')}, ...)`);
  }
  if (odd.length) {
    notifications.push({ level: 'warning', message: `${odd.length} GUP call${odd.length === 1 ? '' : 's'} do${odd.length === 1 ? 'es' : ''} not match the ${version.join('.')} signature (${odd.slice(0, 3).join('; ')}${odd.length > 3 ? '; ...' : ''}): the code may be built for another kernel; pass --kernel-version X.Y or --kdir (era: ${source})` });
  }
  if (/^default/.test(source)) notifications.push({ level: 'note', message: `kernel version ${version.join('.')} taken by default (no Makefile or include/linux/mm.h found): pass --kernel-version X.Y or --kdir for the kernel the code is built against` });
}
