// Expansion of the macros (and tiny static inline wrappers) through which code reaches the GUP
// and mmap-lock API, inside one cut function. The expanded text keeps every line where it
// was (an invocation spanning lines is followed by as many newlines); an offset map takes
// positions in the expanded text back to the source, so a call produced by an expansion is
// reported at the macro's use.
import type { MacroDefinition } from './conditional';

export interface Expansion {
  /** Local offsets [start, end) in the expanded text and in the source, and the macro. */
  newStart: number;
  newEnd: number;
  origStart: number;
  origEnd: number;
  /** End of the newline padding after the expansion. */
  newPadEnd: number;
  macro: string;
}

export interface ExpandedText {
  text: string;
  edits: Expansion[];
}

const MAX_DEPTH = 8;

export function matchParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '(') depth++;
    else if (c === ')') { depth--; if (depth === 0) return i; }
  }
  return -1;
}

export function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) { out.push(s.slice(start, i)); start = i + 1; }
  }
  out.push(s.slice(start));
  return out.map((a) => a.replace(/\s+/g, ' ').trim());
}

/** Replace a macro's parameters by arguments, then expand the result again. */
function substitute(def: MacroDefinition, args: string[]): string | null {
  if (!def.params) return def.value;
  const variadic = def.params[def.params.length - 1] === '...' || def.params[def.params.length - 1]?.endsWith('...');
  const names = def.params.map((p) => p.replace(/\.\.\.$/, '') || '__VA_ARGS__');
  if (!variadic && args.length !== names.length && !(names.length === 0 && args.length === 1 && args[0] === '')) return null;
  const bind = new Map<string, string>();
  names.forEach((n, i) => bind.set(n, variadic && i === names.length - 1 ? args.slice(i).join(', ') : args[i] ?? ''));
  // (A parameter's argument is parenthesised, as the C preprocessor's would read; the
  // variadic one stays a list of arguments.)
  const rest = variadic ? names[names.length - 1] : undefined;
  // (`#param` makes a string of the argument: a string, whatever its text, in masked code.)
  const value = def.value.replace(/#\s*([A-Za-z_]\w*)/g, (m, id: string) => (bind.has(id) ? '""' : m));
  if (value.includes('#')) return null;
  return value.replace(/[A-Za-z_]\w*/g, (id) => (!bind.has(id) ? id : id === rest ? bind.get(id)! : `(${bind.get(id)})`.replace(/^\((\w+|[\w>.-]+)\)$/, '$1')));
}

/** Expand `text` (masked code) fully with `macros`, `seen` guarding recursion. */
function expandString(text: string, macros: Map<string, MacroDefinition>, seen: Set<string>, depth: number): string {
  if (depth > MAX_DEPTH) return text;
  let out = '';
  let at = 0;
  const re = /[A-Za-z_]\w*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const def = macros.get(m[0]);
    if (!def || seen.has(m[0]) || isMember(text, m.index)) continue;
    const r = invocation(text, m.index, m[0].length, def, macros, seen);
    if (!r) continue;
    const inner = expandString(r.replacement, macros, new Set([...seen, m[0]]), depth + 1);
    out += text.slice(at, m.index) + inner;
    at = r.end;
    re.lastIndex = r.end;
  }
  return out + text.slice(at);
}

function isMember(text: string, at: number): boolean {
  const before = text.slice(Math.max(0, at - 2), at);
  return before.endsWith('.') || before.endsWith('->');
}

/** The replacement of a use at `at` (name of length `len`), and where the use ends. An
 * object-like macro whose value ends in the name of a function-like one (directly or through
 * other object-like ones: `#define A B`, `#define B(x) f(x, NULL)`) takes the parenthesised
 * arguments that follow its use, as the preprocessor's rescan does. */
function invocation(text: string, at: number, len: number, def: MacroDefinition, macros?: Map<string, MacroDefinition>, seen?: Set<string>): { replacement: string; end: number } | null {
  // (Token pasting is not read; a parameter's `#` stringification is, in substitute().)
  if (def.value.includes('##') || (!def.params && def.value.includes('#'))) return null;
  if (!def.params) {
    const end = at + len;
    const next = macros ? trailingFunctionMacro(def, macros, new Set([...(seen ?? []), def.name])) : null;
    if (!next) return { replacement: def.value, end };
    let p = end;
    while (p < text.length && /\s/.test(text[p])) p++;
    const close = text[p] === '(' ? matchParen(text, p) : -1;
    return close < 0 ? { replacement: def.value, end } : { replacement: `${def.value}${text.slice(end, close + 1)}`, end: close + 1 };
  }
  let p = at + len;
  while (p < text.length && /\s/.test(text[p])) p++;
  if (text[p] !== '(') return null;
  const close = matchParen(text, p);
  if (close < 0) return null;
  const rep = substitute(def, splitArgs(text.slice(p + 1, close)));
  return rep === null ? null : { replacement: rep, end: close + 1 };
}

/** The function-like macro that an object-like macro's value ends in, following object-like
 * macros whose value is one name; null when there is none. */
function trailingFunctionMacro(def: MacroDefinition, macros: Map<string, MacroDefinition>, seen: Set<string>): MacroDefinition | null {
  for (let d: MacroDefinition | undefined = def, i = 0; d && !d.params && i < MAX_DEPTH; i++) {
    const name = /([A-Za-z_]\w*)\s*$/.exec(d.value)?.[1];
    if (!name || seen.has(name)) return null;
    seen.add(name);
    d = macros.get(name);
    if (d?.params) return d;
    if (d && !/^\s*[A-Za-z_]\w*\s*$/.test(d.value)) return null;
  }
  return null;
}

/** Expand the uses of `macros` in a function's text (`masked` has the same offsets, comments
 * and literals blanked, and decides where uses are). Null when nothing is expanded. */
export function expandFunction(raw: string, masked: string, macros: Map<string, MacroDefinition>, from = 0): ExpandedText | null {
  if (macros.size === 0) return null;
  const edits: Expansion[] = [];
  const parts: string[] = [];
  let at = 0;
  let grown = 0;
  const re = /[A-Za-z_]\w*/g;
  re.lastIndex = from;
  let m: RegExpExecArray | null;
  while ((m = re.exec(masked))) {
    const def = macros.get(m[0]);
    if (!def || isMember(masked, m.index)) continue;
    const r = invocation(masked, m.index, m[0].length, def, macros);
    if (!r) continue;
    const expanded = expandString(r.replacement, macros, new Set([m[0]]), 1).replace(/\s+/g, ' ');
    const newlines = (raw.slice(m.index, r.end).match(/\n/g) ?? []).length;
    const replacement = expanded + '\n'.repeat(newlines);
    parts.push(raw.slice(at, m.index), replacement);
    const newStart = m.index + grown;
    edits.push({ newStart, newEnd: newStart + expanded.length, newPadEnd: newStart + replacement.length, origStart: m.index, origEnd: r.end, macro: m[0] });
    grown += replacement.length - (r.end - m.index);
    at = r.end;
    re.lastIndex = r.end;
  }
  if (edits.length === 0) return null;
  parts.push(raw.slice(at));
  return { text: parts.join(''), edits };
}

/** A local offset of the expanded text, in the source: a position inside an expansion is the
 * macro use's start (or its end, for an end position). */
export function originalOffset(x: ExpandedText, off: number, isEnd = false): number {
  let delta = 0;
  for (const e of x.edits) {
    if (off < e.newStart) break;
    if (off < e.newPadEnd || (isEnd && off === e.newEnd)) return isEnd ? e.origEnd : e.origStart;
    delta = e.origEnd - e.newPadEnd;
  }
  return off + delta;
}

/** The macro whose expansion produced the text at a local offset of the expanded text. */
export function macroAt(x: ExpandedText, off: number): string | undefined {
  for (const e of x.edits) if (off >= e.newStart && off < e.newEnd) return e.macro;
  return undefined;
}
