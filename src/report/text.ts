// Human-readable report: grouped by file, a code frame with the acquire/release lines
// marked, the rule id and a one-line fix hint.
import type { Chalk } from 'chalk';
import type { AuditResult } from '../engine';
import type { Finding } from '../findings';

/** A path as one line of a report: a name holding a newline or another control character
 * is quoted with C escapes (as git's core.quotePath does), so it cannot break or forge lines. */
export function shownPath(file: string): string {
  if (!/[\x00-\x1f\x7f\uDC80-\uDCFF]/.test(file)) return file;
  const esc: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', '"': '\\"', '\\': '\\\\' };
  // (Bytes of a name that is not UTF-8 are held as U+DC80..U+DCFF: see src/fsname.ts.)
  const hex = (n: number) => `\\x${n.toString(16).padStart(2, '0')}`;
  return '"' + file.replace(/[\x00-\x1f\x7f"\\\uDC80-\uDCFF]/g, (ch) => esc[ch] ?? hex(ch.charCodeAt(0) & 0xff)) + '"';
}

export interface TextOptions {
  chalk: Chalk;
  stats: boolean;
  /** Source lines by file (tests pass their own reader). */
  readLines?: (file: string) => string[] | null;
  /** Findings left out of the report (suppressed, below --min-level): counted in the summary. */
  hidden?: { suppressed: number; belowLevel: number; minLevel?: string };
}

export function formatText(res: AuditResult, opts: TextOptions): string {
  const c = opts.chalk;
  const cache = new Map<string, string[] | null>();
  // (The gate passes the lines of its own sides; else the engine attached them.)
  const lineOf = (f: Finding, l: number): string | undefined => {
    if (!opts.readLines) return f.source?.[l];
    if (!cache.has(f.file)) cache.set(f.file, opts.readLines(f.file));
    return cache.get(f.file)?.[l - 1];
  };
  const out: string[] = [];
  const byFile = new Map<string, Finding[]>();
  for (const f of res.findings) {
    if (!byFile.has(f.file)) byFile.set(f.file, []);
    byFile.get(f.file)!.push(f);
  }
  const lvl = (l: string) => (l === 'error' ? c.red(l) : l === 'warning' ? c.yellow(l) : c.cyan(l));
  for (const [file, fs_] of byFile) {
    out.push(c.underline(shownPath(file)));
    for (const f of fs_) {
      out.push(`  ${f.span.line}:${f.span.col}  ${lvl(f.level)}  ${f.message}  ${c.dim(`[${f.ruleId}]`)}`);
      out.push(c.dim(`      in ${f.function}()`));
      if (lineOf(f, f.span.line) !== undefined) {
        const marks = new Map<number, string>();
        for (const r of f.related) if (r.file === file) marks.set(r.span.line, r.role);
        const wanted = new Set<number>([f.span.line, ...marks.keys()]);
        const sorted = [...wanted].filter((l) => lineOf(f, l) !== undefined).sort((a, b) => a - b);
        let prev = -1;
        const width = String(sorted[sorted.length - 1] ?? 0).length;
        for (const l of sorted) {
          if (prev > 0 && l > prev + 1) out.push(c.dim(`      ${' '.repeat(width)} :`));
          const text = lineOf(f, l)!.replace(/\t/g, '    ').replace(/\r$/, '');
          const isPrimary = l === f.span.line;
          const mark = isPrimary ? c.bold('>') : ' ';
          const tag = !isPrimary && marks.has(l) ? c.dim(`   <- ${marks.get(l)}`) : '';
          out.push(`    ${mark} ${c.dim(String(l).padStart(width))} | ${isPrimary ? text : c.dim(text)}${tag}`);
          prev = l;
        }
      }
      for (const r of f.related) if (r.file !== file) out.push(c.dim(`      ${r.role}: ${shownPath(r.file)}:${r.span.line}: ${r.message}`));
      if (f.hint) out.push(`      ${c.green('fix:')} ${f.hint}`);
      out.push('');
    }
  }
  const n = (l: string) => res.findings.filter((f) => f.level === l).length;
  // Every notification is in JSON `notifications` and SARIF toolExecutionNotifications;
  // here the skips are listed (up to 50) and the notes counted by kind.
  // (A warning about the whole run, such as the era check, names no file: listed apart.)
  const general = res.notifications.filter((x) => x.level !== 'note' && !x.file);
  for (const g of general) out.push(c.yellow(`warning: ${g.message}`));
  const skipped = res.notifications.filter((x) => x.level !== 'note' && x.file);
  if (skipped.length) {
    out.push(c.yellow(`${skipped.length} file(s) skipped or not fully audited:`));
    for (const s of skipped.slice(0, 50)) out.push(`  ${shownPath(s.file!)}: ${s.message}`);
    if (skipped.length > 50) out.push(`  ... and ${skipped.length - 50} more (see --format json)`);
  }
  const notes = new Map<string, number>();
  for (const x of res.notifications) if (x.level === 'note') notes.set(x.message, (notes.get(x.message) ?? 0) + 1);
  if (notes.size) {
    const kinds = [...notes].slice(0, 5).map(([m, k]) => `${k} x ${m}`).join('; ');
    out.push(c.dim(`notes: ${kinds}${notes.size > 5 ? '; ...' : ''} (files in --format json)`));
  }
  if (opts.stats) out.push(formatStats(res));
  const v = res.tree.version.join('.');
  const total = res.findings.length;
  const summary = `${total} finding${total === 1 ? '' : 's'} (${n('error')} error, ${n('warning')} warning, ${n('note')} note) in ${byFile.size} file${byFile.size === 1 ? '' : 's'}; ${res.stats.filesDiscovered} files, ${res.stats.candidateFiles} candidates, ${res.stats.functionsExtracted} functions analysed; kernel ${v}${hiddenText(opts.hidden)}`;
  out.push(total ? c.bold(summary) : c.green(summary));
  return out.join('\n') + '\n';
}

function hiddenText(h: TextOptions['hidden']): string {
  if (!h) return '';
  return `${h.suppressed ? `; ${h.suppressed} suppressed` : ''}${h.belowLevel ? `; ${h.belowLevel} below ${h.minLevel} not shown` : ''}`;
}

export function formatStats(res: AuditResult): string {
  const s = res.stats;
  const o: string[] = [];
  o.push('Statistics:');
  o.push(`  kernel version          ${res.tree.version.join('.')} (${res.tree.source})`);
  o.push(`  files discovered        ${s.filesDiscovered}`);
  o.push(`  candidate files         ${s.candidateFiles}`);
  o.push(`  files parsed            ${s.filesParsed}`);
  o.push(`  functions analysed      ${s.functionsExtracted}`);
  o.push(`  call-graph rounds       ${s.callGraphRounds}`);
  o.push(`  GUP call sites (scan)   ${s.gupTokenSites}`);
  o.push(`  attributed to function  ${s.gupCallSitesAttributed}`);
  const gaps = s.unattributed.filter((u) => !/declaration|header/.test(u.reason));
  if (gaps.length) {
    o.push('  not attributed:');
    for (const u of gaps.slice(0, 40)) o.push(`    ${shownPath(u.file)}:${u.line} ${u.name}: ${u.reason}`);
  }
  o.push('  lock context of GUP call sites:');
  for (const [k, v] of Object.entries(s.lockContext)) o.push(`    ${k.padEnd(10)} ${v}`);
  o.push('  findings by rule:');
  for (const [k, v] of Object.entries(s.findingsByRule).sort()) o.push(`    ${k.padEnd(28)} ${v}`);
  o.push(`  calls through pointers  ${s.pointerCalls} (not resolved)`);
  if (s.pointerFields) o.push(`  calls through fields    ${s.pointerFields.resolvedCalls} resolved by field name, ${s.pointerFields.cappedCalls} left for too many candidates, ${s.pointerFields.fieldsNotSearched} fields called in too many files, ${s.pointerFields.typeFilteredTargets ?? 0} targets dropped (their struct is not visible to the caller)`);
  o.push(`  parse error nodes       ${s.parseErrorNodes}`);
  if (s.analysisWork) o.push(`  analysis work           ${s.analysisWork.functionAnalyses} function dataflows, ${s.analysisWork.entrySummaries} entry summaries, ${s.analysisWork.entryEvaluations} caller-edge evaluations`);
  o.push(`  time (ms)               ${Object.entries(s.phasesMs).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  return o.join('\n');
}
