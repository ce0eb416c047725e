// `gup-audit callers`: the census of GUP call sites a maintainer starts from before
// changing the API tree-wide (the 6.5 removal of `vmas` was such a series): each call with
// its callee, the audited era's signature, the flags as resolved, the lock context, the
// page family and where the pages are released.
import type { Program } from './analysis/program';
import type { CallSite } from './parse/ir';
import { gupSites, lockContextOf } from './analysis/sites';
import { FlagResolver, flagsArg } from './analysis/flags';
import { pageMismatches } from './analysis/pages';
import { stripNoise } from './analysis/expr';

export interface CensusRow {
  file: string;
  line: number;
  column: number;
  function: string;
  callee: string;
  /** The callee's parameters in the audited era, and the era (`from`-`to`). */
  signature: string;
  era: string;
  /** The mm the call works on (as the tool keys it), null when it has none. */
  mm: string | null;
  /** FOLL_* flags that may reach gup_flags ([] for a literal 0); null when not resolved. */
  flags: string[] | null;
  lock: string;
  family: string;
  /** Release calls that may free the pages (file:line callee()). */
  released: string[];
  /** The call as written. */
  call: string;
}

export function census(p: Program): CensusRow[] {
  const releases = new Map<CallSite, Set<string>>();
  pageMismatches(p, (ev, gups) => {
    const where = `${ev.fa.fn.file}:${ev.call.span.line} ${ev.call.name}()${ev.via ? ` -> ${ev.via.call.name}()` : ''}`;
    for (const g of gups) {
      if (!releases.has(g.call)) releases.set(g.call, new Set());
      releases.get(g.call)!.add(where);
    }
  });
  const flags = new FlagResolver(p);
  const rows: CensusRow[] = [];
  for (const s of gupSites(p)) {
    const era = s.cls.era;
    const params = era?.params.map((x) => x.split(':')[0]) ?? [];
    const farg = era ? flagsArg(era.params, s.call.args) : null;
    let fl: string[] | null = null;
    if (farg) {
      const x = stripNoise(farg);
      const set = flags.resolve(s.fa, farg, s.call.span.line);
      fl = set.size ? [...set.keys()].sort() : x.kind === 'num' && x.value === 0 ? [] : null;
    }
    rows.push({
      file: s.fa.fn.file, line: s.call.span.line, column: s.call.span.col, function: s.fa.fn.name,
      callee: s.call.name!, signature: era ? `${s.call.name}(${params.join(', ')})` : `${s.call.name}(?)`,
      era: era ? `${era.from}-${era.to ?? ''}` : 'unknown',
      mm: s.cls.key, flags: fl, lock: lockContextOf(p, s), family: era?.pin ?? 'unknown',
      released: [...(releases.get(s.call) ?? [])].sort(),
      call: `${s.call.name}(${s.call.argText.join(', ')})`,
    });
  }
  return rows.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

const flagText = (r: CensusRow) => (r.flags === null ? '?' : r.flags.length ? r.flags.join('|') : '0');

export function formatCensusText(rows: CensusRow[]): string {
  const head = ['location', 'function', 'callee', 'lock', 'pages', 'flags', 'released'];
  const cells = rows.map((r) => [`${r.file}:${r.line}:${r.column}`, r.function, r.callee, r.lock, r.family, flagText(r), r.released.join('; ') || '-']);
  const width = head.map((h, i) => Math.min(60, Math.max(h.length, ...cells.map((c) => c[i].length))));
  const line = (c: string[]) => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(width[i]))).join('  ').trimEnd();
  const out = [line(head), ...cells.map(line)];
  const sigs = new Map<string, string>();
  for (const r of rows) sigs.set(r.signature, r.era);
  out.push('', 'signatures in this tree:');
  for (const [sig, era] of [...sigs].sort()) out.push(`  ${sig}  [${era}]`);
  const by = (k: (r: CensusRow) => string) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(k(r), (m.get(k(r)) ?? 0) + 1);
    return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([x, n]) => `${x} ${n}`).join(', ');
  };
  out.push('', `${rows.length} GUP call site${rows.length === 1 ? '' : 's'}; lock: ${by((r) => r.lock)}; pages: ${by((r) => r.family)}`);
  return out.join('\n') + '\n';
}

export function formatCensusJson(rows: CensusRow[]): string {
  return JSON.stringify({ schemaVersion: 1, callSites: rows }, null, 2) + '\n';
}

/** RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled. */
function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatCensusCsv(rows: CensusRow[]): string {
  const cols: (keyof CensusRow)[] = ['file', 'line', 'column', 'function', 'callee', 'signature', 'era', 'mm', 'flags', 'lock', 'family', 'released', 'call'];
  const val = (r: CensusRow, k: keyof CensusRow): string | number => {
    if (k === 'flags') return flagText(r);
    if (k === 'released') return r.released.join('; ');
    const v = r[k];
    return v === null ? '' : (v as string | number);
  };
  return [cols.join(','), ...rows.map((r) => cols.map((k) => csvField(val(r, k))).join(','))].join('\r\n') + '\r\n';
}
