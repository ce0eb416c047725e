// Conditional compilation over masked text (comments and literals already blanked): which
// lines the compiler sees for the audited era and config. Dead branches are blanked (spaces,
// newlines kept, so offsets and lines stay), the directives of decided groups too; groups
// whose condition is undecidable stay as they are (every alternative is analysed, as
// tree-sitter sees `#if` inside a body) and are recorded so that findings there can say so.
// `#define`/`#undef`/`#include` are followed in order, so `defined(X)` sees what the file and
// its headers defined above the test.
import { evaluateCondition, type ConditionEnv } from './condition';
import { lineIndex, lineOf, type LineIndex } from '../parse/cut';
import { apiSince, gupEraAt, gupNames, isGupName, lockNames, mmapLockPrimitive, primitiveIn, type Version } from '../kernel/api';
import { matchParen, splitArgs } from './expand';

/** A macro definition found in live (or undecidable) code. */
export interface MacroDefinition {
  name: string;
  params?: string[];
  /** Replacement text, whitespace-normalised. */
  value: string;
  /** 1-based line and file (relative to the audited root, or absolute outside it). */
  line: number;
  file: string;
  /** Only under a condition the tool cannot decide. */
  conditional?: string;
}

/** A line range (1-based, inclusive) that is live only under an undecidable condition. */
export interface UndecidedRange {
  from: number;
  to: number;
  condition: string;
  /** Line of the group's `#if`/`#ifdef`: the arms of one group share it. */
  group?: number;
}

/** Names a scope defines: true, false (#undef'd), or 'maybe' (under an undecidable condition). */
export type DefinedState = Map<string, true | false | 'maybe'>;

export interface ConditionalResult {
  /** [start, end) offsets to blank. */
  dead: [number, number][];
  undecided: UndecidedRange[];
  macros: Map<string, MacroDefinition>;
  defined: DefinedState;
  /** Offsets of `elif` words to read as `if  ` (see evaluateConditionals). */
  elifAsIf: number[];
  /** Headers included on live lines, in order (looked up, not copied). */
  included: { scope: ConditionalResult; conditional?: string }[];
  /** Names #defined on dead lines only (so far): the file's own switches, off in this era. */
  deadDefined?: Set<string>;
}

/** What a scope (with its headers, latest first) says of a name; undefined: nothing. The
 * headers form a graph (shared headers, guards): each is visited once per question. */
export function definedIn(r: ConditionalResult, name: string, seen = new Set<ConditionalResult>()): true | false | 'maybe' | undefined {
  const s = r.defined.get(name);
  if (s !== undefined) return s;
  seen.add(r);
  for (let i = r.included.length - 1; i >= 0; i--) {
    const inc = r.included[i];
    if (seen.has(inc.scope)) continue;
    const v = definedIn(inc.scope, name, seen);
    if (v !== undefined) return inc.conditional && v === true ? 'maybe' : v;
  }
  return undefined;
}

/** The name is #defined on dead lines of the scope or its headers (see deadDefined). */
function deadDefinedIn(r: ConditionalResult, name: string, seen = new Set<ConditionalResult>()): boolean {
  if (r.deadDefined?.has(name)) return true;
  seen.add(r);
  return r.included.some((inc) => !seen.has(inc.scope) && deadDefinedIn(inc.scope, name, seen));
}

export function macroIn(r: ConditionalResult, name: string, seen = new Set<ConditionalResult>()): MacroDefinition | undefined {
  const m = r.macros.get(name);
  if (m) return m;
  seen.add(r);
  for (let i = r.included.length - 1; i >= 0; i--) {
    if (seen.has(r.included[i].scope)) continue;
    const v = macroIn(r.included[i].scope, name, seen);
    if (v) return v;
  }
  return undefined;
}

export interface ScopeHooks {
  /** External knowledge of a name (headers outside the file, the kernel tree): null = unknown. */
  defined(name: string): boolean | null;
  /** The build passes the name with -D (a module's Makefiles). */
  fromBuild?(name: string): boolean;
  /** An `#include` on a live line: record the header (or do nothing). */
  include?(spec: string, quoted: boolean, into: ConditionalResult, conditional: string | undefined): void;
}

interface Group {
  /** Some earlier branch was taken for sure. */
  taken: boolean;
  /** The current branch is live (true), dead (false) or undecided (null). */
  cur: boolean | null;
  /** Undecided conditions of the branches so far (to describe an #else). */
  conds: string[];
  /** The conditions as written of the earlier arms left undecided: an `#elif` arm is
   * compiled only where they are false, and its condition says so. */
  undecidedArms?: string[];
  /** The group's directives are blanked (every condition decided so far). */
  decided: boolean;
  startLine: number;
  parentLive: boolean;
  /** First line of the undecided branch now open, and its condition. */
  openFrom?: number;
  openCond?: string;
  /** Per arm (index into `conds`), the macros the arm defines while the group is the
   * innermost undecided one: read at `#endif` so that one arm's definitions are taken
   * together (consistentArms). */
  armDefs?: Map<string, MacroDefinition[]>[];
  /** Each arm's directive: [line start offset, line end offset], and whether every arm so
   * far was undecided (splitBraceArms). */
  directives: [number, number][];
  allUndecided: boolean;
}

const DIRECTIVE = /^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|elifdef|elifndef|else|endif|define|undef|include)\b(.*)$/;
const MAX_MACRO_TEXT = 600;

/** The directive line at `offset`, with its continuation lines joined: the directive match
 * (null when the line is not a known directive), the end of its first line, the end of its
 * last line and how many lines it spans. */
function readDirective(masked: string, offset: number): { dm: RegExpExecArray | null; end: number; lineEnd: number; lines: number } {
  const n = masked.length;
  let end = masked.indexOf('\n', offset);
  if (end < 0) end = n;
  let lineEnd = end;
  let text = masked.slice(offset, end);
  const d = DIRECTIVE.exec(text);
  let lines = 1;
  if (d) {
    // Continuation lines belong to the directive.
    while (/\\\s*$/.test(text) && lineEnd < n) {
      const next = masked.indexOf('\n', lineEnd + 1);
      const e2 = next < 0 ? n : next;
      text = `${text.replace(/\\\s*$/, ' ')}${masked.slice(lineEnd + 1, e2)}`;
      lineEnd = e2;
      lines++;
    }
  }
  const dm = d ? DIRECTIVE.exec(text.replace(/\n/g, ' ')) : null;
  return { dm, end, lineEnd, lines };
}

/** The condition an `#if`/`#ifdef`/`#ifndef` (or `#elif...`) tests, as an `#if` expression. */
function branchCondition(kind: string, arg: string): string {
  if (kind === 'if' || kind === 'elif') return arg;
  return kind === 'ifdef' || kind === 'elifdef' ? `defined(${firstWord(arg)})` : `!defined(${firstWord(arg)})`;
}

/** An `#elif` of group `g`: updates the group; returns whether the directive is blanked. */
function enterElif(g: Group, cond: string, cenv: ConditionEnv, masked: string, offset: number, lineEnd: number, res: ConditionalResult): boolean {
  const e = !g.parentLive || g.taken ? false : evaluateCondition(cond, cenv);
  // Live only if the undecided earlier branches are not: undecided too.
  const v = e === true && !g.decided ? null : e;
  // Every earlier branch decided (dead, their directives blanked) and this one not:
  // the compiler-visible group starts here, so this `#elif` reads as an `#if`.
  if (v === null && g.decided) {
    const at = masked.indexOf('elif', offset);
    if (at >= 0 && at < lineEnd) res.elifAsIf.push(at);
  }
  const prior = g.undecidedArms ?? [];
  g.conds.push(prior.length ? [...prior.map((c) => negation([c])), /\|\||\?/.test(cond) ? `(${cond})` : cond].join(' && ') : cond);
  if (v === null) (g.undecidedArms ??= []).push(cond);
  g.cur = v;
  if (v === true) g.taken = true;
  const blank = g.decided && v !== null;
  if (v === null) g.decided = false;
  return blank;
}

/** The condition of an `#else` after `conds`: `!defined(X)` for `#ifdef X`, `defined(X)`
 * for `#ifndef X` (no `!(!defined(X))`), else `!(A || B)`. */
function negation(conds: string[]): string {
  if (conds.length === 1) {
    const c = conds[0].trim();
    if (/^!\s*defined\s*\(\s*[A-Za-z_]\w*\s*\)$/.test(c) || /^!\s*defined\s+[A-Za-z_]\w*$/.test(c)) return c.replace(/^!\s*/, '');
    if (/^defined\s*\(\s*[A-Za-z_]\w*\s*\)$/.test(c)) return `!${c}`;
  }
  return `!(${conds.join(' || ')})`;
}

/** An `#else` of group `g`: updates the group; returns whether the directive is blanked. */
function enterElse(g: Group): boolean {
  const v = !g.parentLive || g.taken ? false : g.decided ? true : null;
  g.conds.push(negation(g.undecidedArms?.length ? g.undecidedArms : g.conds));
  g.cur = v;
  const blank = g.decided && v !== null;
  if (v === null) g.decided = false;
  return blank;
}

/** Dead-branch bookkeeping after a directive (from `offset` to `lineEnd`): the directive
 * itself is dead when blanked (`directiveDead`), the text after it when the position is not
 * live. Returns where the dead range now open starts (-1: none). */
function markDead(res: ConditionalResult, deadFrom: number, directiveDead: boolean, nowLive: boolean, offset: number, lineEnd: number): number {
  if (directiveDead) {
    if (deadFrom < 0) deadFrom = offset;
  } else if (deadFrom >= 0) { res.dead.push([deadFrom, offset]); deadFrom = -1; }
  // The body after it.
  if (!nowLive && deadFrom < 0) deadFrom = lineEnd;
  if (nowLive && deadFrom >= 0) { res.dead.push([deadFrom, lineEnd]); deadFrom = -1; }
  return deadFrom;
}

/** Walk the directives of a masked text. */
export function evaluateConditionals(masked: string, raw: string, file: string, env: Omit<ConditionEnv, 'defined' | 'value'>, hooks: ScopeHooks): ConditionalResult {
  const res: ConditionalResult = { dead: [], undecided: [], macros: new Map(), defined: new Map(), elifAsIf: [], included: [] };
  const own = ownApiFunctions(masked);
  const lookup = (name: string): boolean | null => {
    const s = definedIn(res, name);
    if (s === true || s === false) return s;
    if (s === 'maybe') return null;
    // A switch the file or its headers define only under conditions that are false here
    // (`#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 9, 0)` / `#define DRV_GUP_HAS_TSK`) is
    // off, unless the build passes it too.
    if (deadDefinedIn(res, name) && !hooks.fromBuild?.(name)) return false;
    return hooks.defined(name);
  };
  const cenv: ConditionEnv = {
    ...env,
    defined: lookup,
    value: (name) => { const m = macroIn(res, name); return m && !m.params && !m.conditional ? m.value : undefined; },
    macro: (name) => { const m = macroIn(res, name); return m && m.params && !m.conditional ? { params: m.params, value: m.value } : undefined; },
  };
  const stack: Group[] = [];
  const live = () => stack.every((g) => g.cur !== false);
  const undecidedHere = () => stack.filter((g) => g.cur === null).map((g) => g.conds[g.conds.length - 1]);
  let deadFrom = -1;
  const n = masked.length;
  const index = lineIndex(masked);
  // Only directive lines matter: everything between two of them shares their liveness.
  let from = 0;
  while (from < n) {
    const offset = nextDirective(masked, from);
    if (offset < 0) break;
    const lineNo = lineOf(index, offset) + 1;
    const { dm, end, lineEnd, lines } = readDirective(masked, offset);
    const wasLive = live();
    if (dm) {
      const kind = dm[1];
      const arg = dm[2].trim();
      let blankDirective = false;
      let armDirective: boolean | undefined;
      let popped: Group | undefined;
      if (kind === 'if' || kind === 'ifdef' || kind === 'ifndef') {
        const cond = branchCondition(kind, arg);
        let v = wasLive ? evaluateCondition(cond, cenv) : false;
        if (v === null && kind === 'ifndef' && isGuard(masked, lineEnd, firstWord(arg))) v = true;
        // (`#if !defined(X)` / `#if !defined X` is the same guard.)
        const notDefined = kind === 'if' ? /^!\s*defined\s*(?:\(\s*([A-Za-z_]\w*)\s*\)|\s([A-Za-z_]\w*))\s*$/.exec(arg) : null;
        if (v === null && notDefined && isGuard(masked, lineEnd, notDefined[1] ?? notDefined[2])) v = true;
        stack.push({ taken: v === true, cur: v, conds: [cond], ...(v === null && wasLive ? { undecidedArms: [cond] } : {}), decided: v !== null, startLine: lineNo, parentLive: wasLive, directives: [[offset, lineEnd]], allUndecided: wasLive && v === null });
        blankDirective = v !== null || !wasLive;
      } else if (kind === 'elif' || kind === 'elifdef' || kind === 'elifndef') {
        const g = stack[stack.length - 1];
        if (g) blankDirective = enterElif(g, branchCondition(kind, arg), cenv, masked, offset, lineEnd, res);
        if (g) { g.directives.push([offset, lineEnd]); g.allUndecided &&= g.cur === null; }
        // (The arm before was dead, not the group: the directive is kept unless blanked.)
        if (g) armDirective = g.parentLive;
      } else if (kind === 'else') {
        const g = stack[stack.length - 1];
        if (g) blankDirective = enterElse(g);
        if (g) { g.directives.push([offset, lineEnd]); g.allUndecided &&= g.cur === null; }
        if (g) armDirective = g.parentLive;
      } else if (kind === 'endif') {
        const g = stack.pop();
        popped = g;
        if (g?.armDefs) consistentArms(g.armDefs, res, env.versionCode, own);
        if (g) g.directives.push([offset, lineEnd]);
        blankDirective = !g || g.decided || !g.parentLive;
      } else if (!wasLive && kind === 'define') {
        (res.deadDefined ??= new Set()).add(firstWord(arg));
      } else if (wasLive) {
        const cond = undecidedHere();
        const rawArg = kind === 'include' ? (DIRECTIVE.exec(raw.slice(offset, end))?.[2] ?? '').trim() : arg;
        const def = directive(kind, rawArg, lineNo, file, res, hooks, cond.length ? cond.join(' && ') : undefined, env.versionCode, own);
        // (Recorded in every enclosing undecided group: an arm's nested #if defines for it.)
        if (def) {
          for (const g of stack) {
            if (g.cur !== null) continue;
            const arm = ((g.armDefs ??= [])[g.conds.length - 1] ??= new Map());
            (arm.get(def.name) ?? arm.set(def.name, []).get(def.name)!).push(def);
          }
        }
      }
      deadFrom = markDead(res, deadFrom, blankDirective || !(armDirective ?? wasLive), live(), offset, lineEnd);
      // Undecided branches: recorded when they close.
      if (kind === 'if' || kind === 'ifdef' || kind === 'ifndef' || kind === 'elif' || kind === 'elifdef' || kind === 'elifndef' || kind === 'else') {
        const g = stack[stack.length - 1];
        if (g) branchBoundary(g, lineNo, lineNo + lines, res, false);
      } else if (kind === 'endif' && popped) {
        branchBoundary(popped, lineNo, lineNo + lines, res, true);
        splitBraceArms(popped, masked, index, res, env.versionCode);
      }
    }
    from = lineEnd + 1;
  }
  if (deadFrom >= 0) res.dead.push([deadFrom, n]);
  return res;
}

/** Offset of the next line (from `from`, a line start or after) whose first non-blank is `#`. */
function nextDirective(text: string, from: number): number {
  let at = from;
  for (;;) {
    const h = text.indexOf('#', at);
    if (h < 0) return -1;
    let k = h - 1;
    while (k >= 0 && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k--;
    if (k < 0 || text.charCodeAt(k) === 10) return k + 1 >= from ? k + 1 : h;
    at = h + 1;
  }
}

/** Close the undecided branch a group has open (at the line before `lineNo`), and open the
 * next one when the group's current branch is undecided. */
function branchBoundary(g: Group, lineNo: number, nextLine: number, res: ConditionalResult, closing: boolean): void {
  if (g.openFrom !== undefined) {
    if (g.openFrom <= lineNo - 1) res.undecided.push({ from: g.openFrom, to: lineNo - 1, condition: g.openCond!, group: g.startLine });
    g.openFrom = undefined;
  }
  if (!closing && g.cur === null && g.parentLive) { g.openFrom = nextLine; g.openCond = g.conds[g.conds.length - 1]; }
}

function firstWord(s: string): string {
  return /^[A-Za-z_]\w*/.exec(s)?.[0] ?? s;
}

/** `#ifndef X` (or `#if !defined(X)`) directly followed by `#define X` (empty or 1): an
 * include guard or a define-if-missing, live whatever the tool knows of X. */
function isGuard(masked: string, from: number, name: string): boolean {
  const next = /^\s*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]*(1?)[ \t]*$/m.exec(masked.slice(from + 1, from + 400));
  return !!next && next[1] === name && masked.slice(from + 1, from + 1 + next.index).trim() === '';
}

/** Another definition of a macro under an undecided condition (`#if HAVE_PIN ... #define P
 * pin_user_pages ... #else #define P get_user_pages_compat`) replaces the one the tool has,
 * unless that one names a newer GUP function or mmap-lock primitive of the audited version
 * (pin_user_pages 5.6 over get_user_pages, mmap_read_lock 5.8 over down_read), or names the
 * same and calls it with the version's number of arguments where the other does not (`#define
 * P pin_user_pages` over `#define P(a, n, f, p) pin_user_pages(a, n, f, p, NULL)` in 6.12):
 * a configure switch between them takes the newest the version has, built as it takes it. */
function keepsEarlier(prev: MacroDefinition | undefined, next: Pick<MacroDefinition, 'value' | 'params' | 'conditional'>, versionCode: number, own: OwnApi = NO_OWN_API): boolean {
  if (!prev || !prev.conditional || !next.conditional) return false;
  const v: Version = [versionCode >> 16, (versionCode >> 8) & 0xff];
  const newest = (text: string) => Math.max(-1, ...(text.match(/[A-Za-z_]\w*/g) ?? []).map((id) => apiSince(id, text, v) ?? -1));
  const a = newest(prev.value), b = newest(next.value);
  return a > b || (a === b && fitsEra(prev, next, v, own) && !fitsEra(next, prev, v, own));
}

/** An undecided group whose every arm (with an `#else`) opens or closes the same number of
 * braces: compat code that writes one statement header per arm,
 *   #ifdef HAVE_MMAP_LOCK_KILLABLE
 *   	if (mmap_read_lock_killable(mm)) {
 *   #else
 *   	if (down_read_killable(&mm->mmap_sem)) {
 *   #endif
 *   		return -EINTR;
 *   	}
 * Read with all arms, the braces do not balance (one `if` nested in the other, the function
 * cut in the wrong place). A build takes one arm; so does the tool, as a compiler would for
 * one configuration: the arm naming the newest API of the version (the first arm on a tie)
 * stays, undecided, and the other arms and the group's directives are blanked. */
function splitBraceArms(g: Group, masked: string, index: LineIndex, res: ConditionalResult, versionCode: number): void {
  const d = g.directives;
  if (!g.allUndecided || !g.parentLive || d.length < 3 || !/^\s*#\s*else\b/.test(masked.slice(d[d.length - 2][0], d[d.length - 2][1]))) return;
  const arms: [number, number][] = [];
  for (let i = 0; i + 1 < d.length; i++) arms.push([Math.min(d[i][1] + 1, d[i + 1][0]), d[i + 1][0]]);
  const delta = (a: [number, number]) => {
    let n = 0;
    for (let i = a[0]; i < a[1]; i++) { const c = masked.charCodeAt(i); if (c === 123) n++; else if (c === 125) n--; }
    return n;
  };
  const deltas = arms.map(delta);
  if (deltas[0] === 0 || deltas.some((x) => x !== deltas[0])) return;
  const v: Version = [versionCode >> 16, (versionCode >> 8) & 0xff];
  const score = (a: [number, number]) => {
    const text = masked.slice(a[0], a[1]);
    return versionCode ? Math.max(-1, ...(text.match(/[A-Za-z_]\w*/g) ?? []).map((id) => apiSince(id, text, v) ?? -1)) : -1;
  };
  const scores = arms.map(score);
  const keep = scores.indexOf(Math.max(...scores));
  const dropped: [number, number][] = [];
  for (const [s, e] of d) dropped.push([s, Math.min(e + 1, masked.length)]);
  arms.forEach((a, i) => { if (i !== keep && a[1] > a[0]) dropped.push(a); });
  res.dead.push(...dropped);
  const droppedLines = (line: number) => arms.some((a, i) => i !== keep && a[1] > a[0] && line >= lineOf(index, a[0]) + 1 && line <= lineOf(index, a[1] - 1) + 1);
  res.undecided = res.undecided.filter((u) => u.group !== g.startLine || !droppedLines(u.from));
}

/** The arms of one undecided group are alternatives: a build takes all of one arm's
 * definitions or all of another's. Where the API decides between two arms' definitions of
 * a name (keepsEarlier: the newer GUP function, the era's arity; or an arm naming only API
 * the era lacks), the arm it prefers gives every name it defines, so that
 * `#define DRV_PIN pin_user_pages` / `#define DRV_UNPIN unpin_user_page` against
 * `get_user_pages` / `put_page` are read from the same arm. Names the API does not decide
 * between follow that arm; when the API prefers different arms for different names, each
 * keeps what the walk chose. */
function consistentArms(arms: Map<string, MacroDefinition[]>[], res: ConditionalResult, versionCode: number, own: OwnApi): void {
  if (!versionCode || arms.filter(Boolean).length < 2) return;
  // An arm's definition of a name: the one the walk chose if it is in the arm (a nested
  // group decided between several), else the arm's last.
  const defOf = (arm: Map<string, MacroDefinition[]>, name: string): MacroDefinition | undefined => {
    const list = arm.get(name);
    if (!list) return undefined;
    const cur = res.macros.get(name);
    return cur && list.includes(cur) ? cur : list[list.length - 1];
  };
  let winner = -1;
  for (let i = 0; i < arms.length; i++) {
    for (let j = i + 1; j < arms.length; j++) {
      if (!arms[i] || !arms[j]) continue;
      for (const name of arms[i].keys()) {
        const a = defOf(arms[i], name);
        const b = defOf(arms[j], name);
        if (!a || !b) continue;
        const pick = preferredArm(a, b, versionCode, own);
        if (pick === 0) continue;
        const w = pick < 0 ? i : j;
        if (winner >= 0 && winner !== w) return;
        winner = w;
      }
    }
  }
  if (winner < 0) return;
  const mine = new Set(arms.flatMap((m) => (m ? [...m.values()].flat() : [])));
  for (const name of arms[winner].keys()) {
    const cur = res.macros.get(name);
    if (cur === undefined || mine.has(cur)) res.macros.set(name, defOf(arms[winner], name)!);
  }
}

/** -1: the build for the version takes `a`'s arm, 1: `b`'s, 0: the API does not say. */
function preferredArm(a: MacroDefinition, b: MacroDefinition, versionCode: number, own: OwnApi): -1 | 0 | 1 {
  const absentA = namesOnlyAbsentApi(a.value, versionCode, own), absentB = namesOnlyAbsentApi(b.value, versionCode, own);
  if (absentA !== absentB) return absentA ? 1 : -1;
  if (keepsEarlier(a, b, versionCode, own)) return -1;
  if (keepsEarlier(b, a, versionCode, own)) return 1;
  return 0;
}

/** A macro's value names GUP functions or mmap-lock primitives, none of which the version
 * has (`#define P pin_user_pages` in 4.9): under a condition the tool cannot decide, that
 * arm is not the one a build for this version takes, and its definition is left out (the
 * other arm's function or macro of the same name stays). A name the file defines as a
 * function itself (a compat `pin_user_pages()` for kernels before it) is there whatever
 * the version: the macro calls that function. */
function namesOnlyAbsentApi(value: string, versionCode: number, own: OwnApi = NO_OWN_API): boolean {
  const v: Version = [versionCode >> 16, (versionCode >> 8) & 0xff];
  let named = false;
  for (const id of value.match(/[A-Za-z_]\w*/g) ?? []) {
    const gup = isGupName(id);
    if (!gup && !mmapLockPrimitive(id)) continue;
    if (own.has(id)) return false;
    named = true;
    if (gup ? gupEraAt(id, v) : primitiveIn(id, value, v)) return false;
  }
  return named;
}

/** Every GUP call written out in a macro's value passes as many arguments as the version's
 * signature takes. A bare name, as in an alias, is called with the user's arguments: as
 * many as the alternative function-like definition takes (`#define P pin_user_pages`
 * against `#define P(a, n, f, p) pin_user_pages(a, n, f, p, NULL)`: the users pass 4), and
 * fits when the alternative has no parameters to tell. */
function fitsEra(def: Pick<MacroDefinition, 'value' | 'params'>, other: Pick<MacroDefinition, 'params'>, v: Version, own: OwnApi = NO_OWN_API): boolean {
  const value = def.value;
  // (The parameter count of a GUP function: the version's, or of the file's own definition
  // of a name the version lacks.)
  const arity = (name: string) => gupEraAt(name, v)?.params.length ?? own.get(name);
  const alias = !def.params && /^[A-Za-z_]\w*$/.test(value) ? arity(value) : undefined;
  if (alias !== undefined && other.params) return alias === other.params.length;
  for (const m of value.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) {
    const count = isGupName(m[1]) ? arity(m[1]) : undefined;
    if (count === undefined) continue;
    const open = m.index! + m[0].length - 1;
    const close = matchParen(value, open);
    if (close < 0) continue;
    if (splitArgs(value.slice(open + 1, close)).length !== count) return false;
  }
  return true;
}

/** A `#define` (or `#undef`, `#include`) on a live line. Returns the definition a
 * conditional `#define` makes, whether or not it replaced an earlier one. */
function directive(kind: string, arg: string, line: number, file: string, res: ConditionalResult, hooks: ScopeHooks, conditional: string | undefined, versionCode = 0, own: OwnApi = NO_OWN_API): MacroDefinition | undefined {
  if (kind === 'define') {
    const m = /^([A-Za-z_]\w*)(\([^)]*\))?/.exec(arg);
    if (!m) return;
    const value = arg.slice(m[0].length).replace(/\s+/g, ' ').trim();
    res.defined.set(m[1], conditional ? (res.defined.get(m[1]) === true ? true : 'maybe') : true);
    if (value.length > MAX_MACRO_TEXT) return;
    const params = m[2] !== undefined ? m[2].slice(1, -1).split(',').map((x) => x.trim()).filter(Boolean) : undefined;
    const def: MacroDefinition = { name: m[1], ...(params ? { params } : {}), value, line, file, ...(conditional ? { conditional } : {}) };
    if (conditional && versionCode && namesOnlyAbsentApi(value, versionCode, own)) return;
    if (!keepsEarlier(res.macros.get(m[1]), def, versionCode, own)) res.macros.set(m[1], def);
    return conditional ? def : undefined;
  } else if (kind === 'undef') {
    const name = firstWord(arg);
    res.defined.set(name, conditional ? 'maybe' : false);
    if (!conditional) res.macros.delete(name);
  } else if (kind === 'include' && hooks.include) {
    const q = /^"([^"]+)"/.exec(arg) ?? /^<([^>]+)>/.exec(arg);
    if (q) hooks.include(q[1], arg.startsWith('"'), res, conditional);
  }
}

/** The text the compiler sees: dead ranges blanked (newlines kept), `#elif`s that open an
 * undecided group read as `#if`. Offsets and lines are unchanged. */
export function liveText(text: string, r: Pick<ConditionalResult, 'dead' | 'elifAsIf'>): string {
  if (r.dead.length === 0 && r.elifAsIf.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  const edits: [number, number, string | null][] = [
    ...r.dead.map(([s, e]): [number, number, string | null] => [s, e, null]),
    ...r.elifAsIf.map((s): [number, number, string | null] => [s, s + 4, 'if  ']),
  ].sort((a, b) => a[0] - b[0]);
  for (const [s, e, w] of edits) {
    if (s < at) continue;
    parts.push(text.slice(at, s), w ?? text.slice(s, e).replace(/[^\n]/g, ' '));
    at = e;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** GUP functions and mmap-lock primitives a text defines as functions (a module's compat
 * `static inline long pin_user_pages(...) { ... }` for kernels before 5.6), by name, with
 * their parameter counts. */
export type OwnApi = ReadonlyMap<string, number>;
const NO_OWN_API: OwnApi = new Map();
let apiNameRe: RegExp | null = null;

export function ownApiFunctions(masked: string): OwnApi {
  apiNameRe ??= new RegExp(`\\b(?:${[...gupNames, ...lockNames].sort((a, b) => b.length - a.length).join('|')})\\s*\\(`, 'g');
  let out: Map<string, number> | null = null;
  apiNameRe.lastIndex = 0;
  for (let m = apiNameRe.exec(masked); m; m = apiNameRe.exec(masked)) {
    // A definition: a return type before the name (an identifier or `*`), a `{` after the
    // parameter list.
    let b = m.index - 1;
    while (b >= 0 && (masked[b] === ' ' || masked[b] === '\t' || masked[b] === '\n')) b--;
    if (b < 0 || !/[\w*]/.test(masked[b])) continue;
    const open = m.index + m[0].length - 1;
    const close = matchParen(masked, open);
    if (close < 0) continue;
    let a = close + 1;
    while (a < masked.length && /\s/.test(masked[a])) a++;
    if (masked[a] !== '{') continue;
    const name = /^[A-Za-z_]\w*/.exec(m[0])![0];
    const params = splitArgs(masked.slice(open + 1, close)).filter((p) => p.trim() !== '');
    (out ??= new Map()).set(name, params.length === 1 && params[0].trim() === 'void' ? 0 : params.length);
  }
  return out ?? NO_OWN_API;
}
