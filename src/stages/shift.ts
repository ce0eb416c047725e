// A kept result moved with its lines (src/stages/reuse.ts). When every changed file's
// answers have the shape of the last run's (src/parse/shape.ts), the analysis would compute
// the same findings with each line of a moved function shifted: the stored result is kept
// with its lines in those files moved, in every place a report prints one (spans, related
// sites, flows, caller chains, fixes, quoted source lines, and the `line N` and `file:N`
// the messages cite). A line of a changed file that no answer's function covers cannot be
// placed: the result is then computed again, as for any other edit.
import type { LineShift } from '../parse/shape';
import type { Span } from '../parse/ir';
import type { Finding, Notification } from '../findings';
import type { AuditStats } from './types';
import { compareFindings } from './run-rules';

/** Where the lines of the changed files went, from the answers' shifts. */
export class LineMap {
  private readonly byFile = new Map<string, LineShift[]>();

  add(ranges: LineShift[]): void {
    for (const r of ranges) {
      const list = this.byFile.get(r[0]);
      if (list) list.push(r);
      else this.byFile.set(r[0], [r]);
    }
  }

  /** The old line's new place in a file of the map (the same line elsewhere, and in a file
   * none of whose ranges moved); null when no range covers it, or two disagree. */
  map(file: string, line: number): number | null {
    const list = this.byFile.get(file);
    if (!list || !list.some((r) => r[3] !== 0)) return line;
    let at: number | null = null;
    for (const [, from, to, d] of list) {
      if (line < from || line > to) continue;
      if (at !== null && at !== line + d) return null;
      at = line + d;
    }
    return at;
  }

  /** Does any line move? */
  get moves(): boolean {
    for (const list of this.byFile.values()) if (list.some((r) => r[3] !== 0)) return true;
    return false;
  }

  /** The ranges keep their order and do not overlap once moved (the functions were not
   * reordered): findings keep their order in a file, and so their fingerprints. */
  get ordered(): boolean {
    for (const list of this.byFile.values()) {
      const s = [...list].sort((a, b) => a[1] - b[1] || a[2] - b[2]);
      for (let i = 1; i < s.length; i++) {
        const [, f0, t0, d0] = s[i - 1];
        const [, f1, t1, d1] = s[i];
        if (f1 === f0 && t1 === t0 && d1 === d0) continue;
        if (f1 <= t0 ? d1 !== d0 : f1 + d1 <= t0 + d0) return false;
      }
    }
    return true;
  }

  /** The files some of whose lines moved. */
  get files(): string[] { return [...this.byFile].filter(([, list]) => list.some((r) => r[3] !== 0)).map(([f]) => f); }
}

class Unplaced extends Error {}

type Result = { findings: Finding[]; notifications: Notification[]; stats: AuditStats };

/** The result with the lines of the map's files moved; null when one of them cannot be
 * placed. */
export function shiftedResult(value: unknown, map: LineMap): unknown {
  const r = structuredClone(value) as Result;
  const files = map.files;
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const cited = files.length ? new RegExp(`(?<![\\w./-])(${files.map(esc).join('|')}):(\\d+)`, 'g') : null;
  const line = (file: string, n: number): number => {
    const m = map.map(file, n);
    if (m === null) throw new Unplaced();
    return m;
  };
  // (The stored result shares objects between its parts, as the rules built them: a flow
  // step may be a related site. Each object is moved once.)
  const done = new Set<object>();
  const first = (o: object): boolean => !done.has(o) && !!done.add(o);
  const span = (file: string, s: Span): void => {
    if (!first(s)) return;
    const end = s.endLine - s.line;
    s.line = line(file, s.line);
    s.endLine = s.line + end;
  };
  // (`line N` in a message, and the `line` of its data, is a line of the finding's own
  // file, or of another file its sites name: a `#define` in a header the flags come
  // through. Another file's line is otherwise cited as `file:N`. When the finding's sites
  // are in several files and one of them moved, which file a `line N` is in is not known:
  // no result.)
  const AMBIGUOUS = '\0';
  const text = (s: string, own?: string): string => {
    let out = cited ? s.replace(cited, (_m, f: string, n: string) => `${f}:${line(f, Number(n))}`) : s;
    if (own === AMBIGUOUS && /\bline \d/.test(out)) throw new Unplaced();
    if (own !== undefined && files.includes(own)) out = out.replace(/\bline (\d+)\b/g, (_m, n: string) => `line ${line(own, Number(n))}`);
    return out;
  };
  try {
    for (const f of r.findings) {
      const sites = new Set([f.file, ...f.related.map((x) => x.file), ...(f.flow ?? []).map((x) => x.file), ...(f.chains ?? []).flat().map((x) => x.file), ...(typeof f.data.file === 'string' ? [f.data.file] : [])]);
      const own = sites.size > 1 && [...sites].some((x) => files.includes(x)) ? AMBIGUOUS : f.file;
      span(f.file, f.span);
      f.message = text(f.message, own);
      if (f.hint !== undefined) f.hint = text(f.hint, own);
      if (first(f.data)) {
        for (const [k, v] of Object.entries(f.data)) {
          if (typeof v === 'string') f.data[k] = text(v, own);
          else if (k === 'line' && typeof f.data.file === 'string') f.data[k] = line(f.data.file, v);
          else if (k === 'line') {
            if (own === AMBIGUOUS) throw new Unplaced();
            f.data[k] = line(own, v);
          }
        }
      }
      for (const x of [...f.related, ...(f.flow ?? [])]) {
        span(x.file, x.span);
        if (first(x)) x.message = text(x.message, own);
      }
      for (const chain of f.chains ?? []) for (const s of chain) span(s.file, s.span);
      if (f.rewrite) { span(f.file, f.rewrite.call); f.rewrite.drop.forEach((s) => span(f.file, s)); }
      if (f.fix) {
        if (first(f.fix)) f.fix.description = text(f.fix.description, own);
        f.fix.edits.forEach((e) => span(f.file, e.region));
      }
      for (const u of f.utf16 ?? []) if (first(u)) u.line = line(u.file, u.line);
      if (f.source) f.source = Object.fromEntries(Object.entries(f.source).map(([n, t]) => [line(f.file, Number(n)), t]));
    }
    for (const n of r.notifications) n.message = text(n.message, n.file);
    for (const u of r.stats.unattributed) if (first(u)) u.line = line(u.file, u.line);
  } catch (e) {
    if (e instanceof Unplaced) return null;
    throw e;
  }
  r.findings.sort(compareFindings);
  return r;
}
