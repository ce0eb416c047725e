// Autofix for prefer-unlocked: drop the lock and unlock statements around the call and
// replace the call with the _unlocked variant, arguments reordered for the tree's era,
// keeping the file's indentation and line wrapping. A fix is produced only where the
// rewrite is exact; otherwise the finding keeps no fix and says why.
/** jsdiff, loaded by the first diff written (not by every audit that loads the CLI). */
// eslint-disable-next-line @typescript-eslint/no-var-requires
const jsdiff = (): typeof import('diff') => require('diff') as typeof import('diff');
import type { Finding } from '../findings';
import type { Span } from '../parse/ir';
import { lineIndex, type LineIndex } from '../parse/cut';
import { normSpace } from '../parse/extract';

export interface FindingFix {
  finding: Finding;
  edits: Edit[];
}

export interface FixPlan {
  /** Files with their new content. */
  files: { file: string; before: string; after: string; fixes: FindingFix[] }[];
  /** Findings left without a fix, and why. */
  skipped: { finding: Finding; reason: string }[];
}

export { applyEdits, planFinding, splitArgs, type Edit } from '../kernel/rewrite';
import { applyEdits, planFinding, type Edit } from '../kernel/rewrite';

/** Plan the fixes of all prefer-unlocked findings; `read` returns a file's text (latin1). */
export function planFixes(findings: Finding[], read: (file: string) => string): FixPlan {
  const plan: FixPlan = { files: [], skipped: [] };
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.ruleId !== 'prefer-unlocked') continue;
    if (!byFile.has(f.file)) byFile.set(f.file, []);
    byFile.get(f.file)!.push(f);
  }
  for (const [file, fs] of byFile) {
    const before = read(file);
    const li = lineIndex(before);
    const fixes: FindingFix[] = [];
    const taken: Edit[] = [];
    for (const f of fs) {
      const r = planFinding(f, before, li);
      if (typeof r === 'string') { plan.skipped.push({ finding: f, reason: r }); continue; }
      if (r.some((e) => taken.some((t) => e.start < t.end && t.start < e.end))) { plan.skipped.push({ finding: f, reason: 'overlaps another fix in the same file' }); continue; }
      taken.push(...r);
      fixes.push({ finding: f, edits: r });
    }
    if (fixes.length) plan.files.push({ file, before, after: applyEdits(before, taken), fixes });
  }
  return plan;
}

/** A git-style unified diff of one file, applicable with `git apply` / `patch -p1`. */
/** The hunk header's function context as git's default for C prints it: the last line
 * before the hunk that starts with a letter, `_` or `$`, trailing space cut, 80 bytes. */
export function hunkFunction(lines: string[], oldStart: number): string | null {
  for (let i = oldStart - 2; i >= 0; i--) if (/^[A-Za-z_$]/.test(lines[i])) return lines[i].replace(/\s+$/, '').slice(0, 80);
  return null;
}

/** git's diffstat for one file (`--stat` of format-patch): the line and the summary. */
export function diffStat(file: string, diff: string): string {
  let ins = 0, del = 0;
  for (const l of diff.split('\n')) {
    if (l.startsWith('+') && !l.startsWith('+++')) ins++;
    else if (l.startsWith('-') && !l.startsWith('---')) del++;
  }
  const n = ins + del;
  const plural = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
  const parts = [' 1 file changed', ...(ins ? [`${plural(ins, 'insertion')}(+)`] : []), ...(del ? [`${plural(del, 'deletion')}(-)`] : [])];
  return ` ${file} | ${n} ${'+'.repeat(ins)}${'-'.repeat(del)}\n${parts.join(', ')}\n`;
}

export function unifiedDiff(file: string, before: string, after: string): string {
  const p = jsdiff().structuredPatch(`a/${file}`, `b/${file}`, before, after, '', '', { context: 3 });
  const out = [`diff --git a/${file} b/${file}`, `--- a/${file}`, `+++ b/${file}`];
  const lines = before.split('\n');
  for (const h of p.hunks) {
    const fn = hunkFunction(lines, h.oldStart);
    out.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@${fn ? ` ${fn}` : ''}`);
    out.push(...h.lines);
  }
  return out.join('\n') + '\n';
}
