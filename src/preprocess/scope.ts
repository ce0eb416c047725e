// The preprocessor's view of one file for the audited era and config: its live text, the
// ranges live only under undecidable conditions, and the macros and static inline wrappers
// (its own and its headers') through which it reaches the GUP and mmap-lock API.
import * as fs from 'fs';
import * as path from 'path';
import { cutFunctions, lineIndex, lineOf, maskCode } from '../parse/cut';
import { evaluateConditionals, liveText, type ConditionalResult, type MacroDefinition, type ScopeHooks, type UndecidedRange } from './conditional';
import type { ConditionEnv } from './condition';
import { MACRO_TARGETS } from './targets';
import { isGupName } from '../kernel/api';

/** Plain data (crosses to the workers): what the audited kernel is and where headers are. */
export interface PreprocessOptions {
  versionCode: number;
  versionCodeMax: number;
  config?: Record<string, string>;
  /** Absolute directories searched for `<...>` includes (and quoted ones not beside the file). */
  includeDirs: string[];
  /** Follow `<...>` includes recursively (a module audited against --kdir): names none of
   * them defines are then known to be undefined. Off for whole kernel trees (cost). */
  followSystem: boolean;
  root: string;
}

export interface FileScope {
  /** The source with dead branches blanked (same offsets), raw and masked. */
  text: string;
  masked: string;
  undecided: UndecidedRange[];
  /** Macros and wrappers that reach one of the API names, by the name used in the code. */
  macros: Map<string, MacroDefinition>;
  /** 0-based lines the preprocessor blanked. */
  blanked: Set<number>;
}

/** Budget of headers read per worker (a module against a kernel tree reads a few hundred). */
const MAX_HEADERS = 3000;
const MAX_INCLUDE_DEPTH = 24;
/** Names a build defines on the command line or in generated headers, never in the tree. */
const GENERATED = /^(HAVE_|CONFIG_)|CONF_|_PRESENT$|^MODULE$|^KBUILD_/;

interface HeaderScope { result: ConditionalResult; wrappers: MacroDefinition[] }
const headers = new Map<string, HeaderScope | null>();
let headerOptionsKey = '';

function conditionEnv(o: PreprocessOptions): Omit<ConditionEnv, 'defined' | 'value'> {
  return { versionCode: o.versionCode, versionCodeMax: o.versionCodeMax, ...(o.config ? { config: o.config } : {}) };
}

function relName(o: PreprocessOptions, abs: string): string {
  const r = path.relative(o.root, abs);
  return r.startsWith('..') ? abs : r.split(path.sep).join('/');
}

function resolveInclude(o: PreprocessOptions, spec: string, quoted: boolean, fromAbs: string): string | null {
  const cands = [...(quoted ? [path.resolve(path.dirname(fromAbs), spec)] : []), ...o.includeDirs.map((d) => path.join(d, spec))];
  for (const c of cands) {
    try { if (fs.statSync(c).isFile()) return c; } catch { /* next */ }
  }
  return null;
}

/** A `static inline` function whose body is one call that takes or releases the mmap lock
 * (a lock wrapper): the call, read as a function-like macro. GUP helpers stay functions (the
 * interprocedural analysis follows them). */
export function isLockWrapper(masked: string, headerStart: number, nameOffset: number, body: string): RegExpExecArray | null {
  if (!/\binline\b/.test(masked.slice(headerStart, nameOffset))) return null;
  const m = /^(?:return\s+)?([A-Za-z_]\w*)\s*\([^;{}]*\)\s*;$/.exec(body);
  if (!m || !(LOCK_TARGETS.has(m[1]) || /\bmmap_(sem|lock)\b/.test(body))) return null;
  m[1] = body.replace(/^return\s+/, '').replace(/;$/, '').trim();
  return m;
}

const LOCK_TARGETS = new Set([...MACRO_TARGETS].filter((n) => !isGupName(n)));

/** Lock wrappers of a text: function-like macros. */
function wrappersOf(masked: string, file: string): MacroDefinition[] {
  const lines = lineIndex(masked);
  const out: MacroDefinition[] = [];
  for (const c of cutFunctions(masked, lines)) {
    if (!c.isStatic) continue;
    const body = masked.slice(lines.starts[c.braceLine] + 1, c.end - 1).trim();
    const m = isLockWrapper(masked, c.headerStart, c.nameOffset, body);
    if (!m) continue;
    out.push({ name: c.name, params: c.params, value: m[1].replace(/\s+/g, ' '), line: c.headerLine + 1, file });
  }
  return out;
}

function hooksFor(o: PreprocessOptions, fromAbs: string, depth: number, unresolved: { any: boolean }): ScopeHooks {
  return {
    defined: (name) => (name === '__KERNEL__' ? true : o.followSystem && !unresolved.any && !GENERATED.test(name) ? false : null),
    include: (spec, quoted, into, conditional) => {
      if (!quoted && !o.followSystem) {
        // A kernel tree's own headers are not followed (cost); a module's are.
        const abs = resolveInclude(o, spec, false, fromAbs);
        if (!abs || !abs.startsWith(o.root + path.sep) || /[/\\]include[/\\](linux|asm|asm-generic|uapi)[/\\]/.test(abs)) { unresolved.any = true; return; }
      }
      const abs = resolveInclude(o, spec, quoted, fromAbs);
      if (!abs) { unresolved.any = true; return; }
      const h = headerScope(o, abs, depth + 1, unresolved);
      if (!h) return;
      for (const [k, v] of h.result.defined) if (!into.defined.has(k) || into.defined.get(k) !== true) into.defined.set(k, conditional && v === true ? 'maybe' : v);
      for (const [k, v] of h.result.macros) if (!into.macros.has(k)) into.macros.set(k, conditional ? { ...v, conditional } : v);
      for (const w of h.wrappers) if (!into.macros.has(w.name)) into.macros.set(w.name, conditional ? { ...w, conditional } : w);
    },
  };
}

function headerScope(o: PreprocessOptions, abs: string, depth: number, unresolved: { any: boolean }): HeaderScope | null {
  const key = JSON.stringify([o.versionCode, o.versionCodeMax, o.config ?? null, o.includeDirs, o.followSystem, o.root]);
  if (key !== headerOptionsKey) { headers.clear(); headerOptionsKey = key; }
  if (headers.has(abs)) return headers.get(abs)!;
  if (depth > MAX_INCLUDE_DEPTH || headers.size >= MAX_HEADERS) { unresolved.any = true; return null; }
  headers.set(abs, null); // (an include cycle sees nothing)
  let raw: string;
  try { raw = fs.readFileSync(abs, 'latin1'); } catch { unresolved.any = true; return null; }
  const masked = maskCode(raw);
  const file = relName(o, abs);
  const result = evaluateConditionals(masked, raw, file, conditionEnv(o), hooksFor(o, abs, depth, unresolved));
  const h: HeaderScope = { result, wrappers: wrappersOf(liveText(masked, result), file) };
  headers.set(abs, h);
  return h;
}

/** Keep the macros whose expansion reaches one of `targets` (transitively), except those
 * named like an API function themselves (a module's own fallback definition of it). */
export function relevantMacros(all: Map<string, MacroDefinition>, targets: ReadonlySet<string>): Map<string, MacroDefinition> {
  const reach = new Map<string, boolean>();
  const reaches = (name: string, stack: Set<string>): boolean => {
    const known = reach.get(name);
    if (known !== undefined) return known;
    const def = all.get(name);
    if (!def || stack.has(name)) return false;
    stack.add(name);
    let r = false;
    for (const id of def.value.match(/[A-Za-z_]\w*/g) ?? []) {
      if (targets.has(id) || (id !== name && reaches(id, stack))) { r = true; break; }
    }
    stack.delete(name);
    reach.set(name, r);
    return r;
  };
  const out = new Map<string, MacroDefinition>();
  for (const [k, v] of all) if (!targets.has(k) && reaches(k, new Set())) out.set(k, v);
  return out;
}

/** Preprocess one file (raw text and its masked form). */
export function preprocessFile(o: PreprocessOptions, abs: string, file: string, raw: string, masked: string, targets: ReadonlySet<string>): FileScope {
  const unresolved = { any: false };
  const result = evaluateConditionals(masked, raw, file, conditionEnv(o), hooksFor(o, abs, 0, unresolved));
  const liveMasked = liveText(masked, result);
  const all = new Map(result.macros);
  for (const w of wrappersOf(liveMasked, file)) if (!all.has(w.name)) all.set(w.name, w);
  return { text: liveText(raw, result), masked: liveMasked, undecided: result.undecided, macros: relevantMacros(all, targets), blanked: blankedLines(masked, result.dead) };
}

function blankedLines(text: string, dead: [number, number][]): Set<number> {
  const out = new Set<number>();
  if (dead.length === 0) return out;
  const lines = lineIndex(text);
  for (const [s, e] of dead) {
    let l = lineOf(lines, s);
    // A line counts when the range covers it from its start.
    if (lines.starts[l] < s) l++;
    for (; l < lines.starts.length && lines.starts[l] < e; l++) out.add(l);
  }
  return out;
}
