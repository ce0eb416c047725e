// Undecided #if conditions inside a function body, as the dataflows follow them: a build
// decides each condition once, so two tests of it take the same arm. A condition is read
// as a conjunction of literals (`defined(A) && !defined(B)`), each an atom and a polarity,
// so that `#if defined(X) && defined(Y)` and a later `#ifdef X` share the decision on X:
// the first one's true arm has X and Y, its false arm either !X, or X and !Y.

/** One literal of a condition: an atom (`defined(X)`, `IS_ENABLED(CONFIG_Y)`, or any
 * condition that is not a conjunction, as written) and whether it is negated. */
export interface PpLiteral { atom: string; neg: boolean }

/** At most this many literals are enumerated on a false arm; a longer conjunction is one
 * atom, as written. */
const MAX_LITERALS = 6;

const literalCache = new Map<string, PpLiteral[]>();

/** The literals of an undecided #if condition (CfgNode.pp), a conjunction. */
export function ppLiterals(pp: string): PpLiteral[] {
  let out = literalCache.get(pp);
  if (!out) {
    out = [];
    conjuncts(pp, false, out);
    if (out.length > MAX_LITERALS) out = [literal(pp)];
    if (literalCache.size > 4096) literalCache.clear();
    literalCache.set(pp, out);
  }
  return out;
}

/** Split on the top-level `&&`s; a part that is itself a parenthesised conjunction (not
 * negated) is split too. */
function conjuncts(text: string, negated: boolean, out: PpLiteral[]): void {
  const parts = negated ? null : splitTop(text, '&&');
  if (!parts || parts.length === 1) {
    const l = literal(text);
    if (negated) l.neg = !l.neg;
    // `(A && B)`: a conjunction in parentheses.
    const inner = l.neg ? null : splitTop(l.atom, '&&');
    if (inner && inner.length > 1) { for (const p of inner) conjuncts(p, false, out); return; }
    out.push(l);
    return;
  }
  for (const p of parts) conjuncts(p, false, out);
}

/** The parts of `text` between top-level occurrences of `op` (`&&`), or null when a
 * top-level `||` makes it a disjunction. */
function splitTop(text: string, op: '&&'): string[] | null {
  const parts: string[] = [];
  let depth = 0, from = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && ch === '|' && text[i + 1] === '|') return null;
    else if (depth === 0 && ch === op[0] && text[i + 1] === op[1]) { parts.push(text.slice(from, i)); from = i + 2; i++; }
  }
  parts.push(text.slice(from));
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** `!(defined X)` -> { atom: 'defined(X)', neg: true }. */
function literal(part: string): PpLiteral {
  let t = part.trim();
  let neg = false;
  for (let guard = 0; guard < 32; guard++) {
    if (t.startsWith('!') && t[1] !== '=') { neg = !neg; t = t.slice(1).trim(); continue; }
    if (t.startsWith('(') && closingParen(t, 0) === t.length - 1) { t = t.slice(1, -1).trim(); continue; }
    break;
  }
  const atom = t.replace(/\bdefined\s*\(\s*([A-Za-z_]\w*)\s*\)|\bdefined\s+([A-Za-z_]\w*)/g, (_m, a, b) => `defined(${a ?? b})`).replace(/\s+/g, ' ');
  return { atom: disjunction(atom), neg };
}

/** A disjunction's operands in one order (`defined(B) || defined(A)` is the atom of
 * `defined(A) || defined(B)`); anything else as it is. */
function disjunction(atom: string): string {
  const parts: string[] = [];
  let depth = 0, from = 0;
  for (let i = 0; i < atom.length; i++) {
    const ch = atom[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && ch === '&' && atom[i + 1] === '&') return atom; // (mixed with &&: as written)
    else if (depth === 0 && ch === '|' && atom[i + 1] === '|') { parts.push(atom.slice(from, i).trim()); from = i + 2; i++; }
  }
  if (!parts.length) return atom;
  parts.push(atom.slice(from).trim());
  return parts.map((p) => { const l = literal(p); return l.neg ? `!${/^[\w()]+$/.test(l.atom) ? l.atom : `(${l.atom})`}` : l.atom; }).sort().join(' || ');
}

function closingParen(t: string, at: number): number {
  let depth = 0;
  for (let i = at; i < t.length; i++) {
    if (t[i] === '(') depth++;
    else if (t[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** The atoms worth following per path: those that more than one #if test of the function
 * reads, and the other atoms of a conjunction that reads one of them (so that a finding on
 * one arm can name the whole configuration). */
export function trackedAtoms(pps: Iterable<string>): Set<string> {
  const seen = new Map<string, number>();
  const all: PpLiteral[][] = [];
  for (const pp of pps) {
    const lits = ppLiterals(pp);
    all.push(lits);
    for (const a of new Set(lits.map((l) => l.atom))) seen.set(a, (seen.get(a) ?? 0) + 1);
  }
  const out = new Set([...seen].filter(([, c]) => c > 1).map(([a]) => a));
  for (const lits of all) if (lits.length > 1 && lits.some((l) => out.has(l.atom))) for (const l of lits) out.add(l.atom);
  return out;
}

/** The ways a path can go through a test of `pp`: the arm (0: true, 1: false) and the
 * decisions on tracked atoms it records. `known` gives the decisions already on the path.
 * Null when the test reads no tracked atom (both arms, nothing recorded). */
export function ppOutcomes(pp: string, tracked: ReadonlySet<string>, known: (atom: string) => number | undefined): { arm: 0 | 1; set: [string, number][] }[] | null {
  const lits = ppLiterals(pp);
  if (!lits.some((l) => tracked.has(l.atom))) return null;
  const open: PpLiteral[] = [];
  for (const l of lits) {
    const v = tracked.has(l.atom) ? known(l.atom) : undefined;
    if (v === undefined) { open.push(l); continue; }
    // A literal the path already decided false: the condition is false.
    if ((l.neg ? 1 - v : v) === 0) return [{ arm: 1, set: [] }];
  }
  if (open.length === 0) return [{ arm: 0, set: [] }];
  const holds = (l: PpLiteral, v: boolean): [string, number] => [l.atom, (v ? 1 : 0) ^ (l.neg ? 1 : 0)];
  const out: { arm: 0 | 1; set: [string, number][] }[] = [];
  // True: every open literal holds.
  out.push({ arm: 0, set: open.filter((l) => tracked.has(l.atom)).map((l) => holds(l, true)) });
  // False: the first open literal that fails, the ones before it holding. An untracked one
  // failing leaves the tracked ones after it free, which covers every later case.
  const before: [string, number][] = [];
  for (const l of open) {
    if (!tracked.has(l.atom)) { out.push({ arm: 1, set: [...before] }); break; }
    out.push({ arm: 1, set: [...before, holds(l, false)] });
    before.push(holds(l, true));
  }
  return out;
}
