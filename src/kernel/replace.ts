// Build the exact replacement call for a GUP call in the tree's era (argument roles differ
// between variants: get_user_pages_unlocked takes pages before gup_flags).
import type { CallSite } from '../parse/ir';
import { gupEraAt, unlockedVariantOf, type GupEra, type Version } from './api';

const role = (p: string) => p.split(':')[0];

/** An argument without the parentheses around the whole of it (`((unsigned long)p)` ->
 * `(unsigned long)p`), which a macro's expansion adds to each parameter: inside an argument
 * list they change nothing, unless what they hold has a comma at its top level. */
export function unwrapArg(a: string): string {
  let t = a.trim();
  for (;;) {
    if (!t.startsWith('(') || !t.endsWith(')')) return t;
    let depth = 0, closesAt = -1, comma = false;
    for (let i = 0; i < t.length; i++) {
      const c = t[i];
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') { depth--; if (depth === 0) { closesAt = i; break; } }
      else if (c === ',' && depth === 1) comma = true;
    }
    if (closesAt !== t.length - 1 || comma) return t;
    t = t.slice(1, -1).trim();
  }
}

export interface Replacement {
  name: string;
  args: string[];
  /** For each new argument: the index of the old argument, or a literal text. */
  order: (number | string)[];
  text: string;
}

export function unlockedReplacement(call: CallSite, era: GupEra, version: Version): Replacement | null {
  const target = call.name ? unlockedVariantOf(call.name) : null;
  if (!target) return null;
  const tEra = gupEraAt(target, version);
  if (!tEra) return null;
  const r = replacementBy(call, era, target, tEra, (x) => (x === 'tsk' ? 'current' : x === 'mm' ? 'current->mm' : null));
  // (FOLL_GET written in the locked call's flags, harmless there before 6.3, is refused by
  // the _unlocked variant's flag check: the replacement leaves it out.)
  const fi = r ? tEra.params.findIndex((p) => role(p) === 'gup_flags') : -1;
  if (r && fi >= 0 && /\bFOLL_GET\b/.test(r.args[fi])) {
    const f = r.args[fi].replace(/\s*\|\s*FOLL_GET\b|\bFOLL_GET\s*\|\s*/g, '').replace(/^\(?\s*FOLL_GET\s*\)?$/, '0');
    r.args[fi] = f;
    r.order[fi] = f;
    r.text = `${target}(${r.args.join(', ')})`;
  }
  return r;
}

/** Before 4.10 no remote GUP call takes `int *locked`; another task's mm has an unlocked
 * variant that takes tsk and mm instead: get_user_pages_unlocked(tsk, mm, ...) in 4.4-4.5,
 * __get_user_pages_unlocked(tsk, mm, ...) (exported) in 4.6-4.9. The replacement of a
 * remote get_user_pages call by it, with the flags the remote call adds itself (FOLL_TOUCH,
 * and FOLL_REMOTE from 4.6) where the variant takes gup_flags; null in other eras. */
export function remoteUnlockedReplacement(call: CallSite, era: GupEra, version: Version): Replacement | null {
  if (!call.name || !/^get_user_pages(_remote)?$/.test(call.name) || !era.params.some((p) => role(p) === 'mm')) return null;
  // (A call of another era's signature, read by its arity, may be built for another kernel.)
  // (By content: an analysis kept in the cache holds a copy of the era, not the table's.)
  const now = gupEraAt(call.name, version);
  if (!now || now.from !== era.from || now.to !== era.to || now.params.join(',') !== era.params.join(',')) return null;
  for (const target of ['get_user_pages_unlocked', '__get_user_pages_unlocked']) {
    const tEra = gupEraAt(target, version);
    if (!tEra || !tEra.params.some((p) => role(p) === 'mm')) continue;
    const added = call.name === 'get_user_pages_remote' ? 'FOLL_TOUCH | FOLL_REMOTE' : 'FOLL_TOUCH';
    const flagsAt = era.params.findIndex((p) => role(p) === 'gup_flags');
    const own = flagsAt >= 0 ? unwrapArg(call.argText[flagsAt]) : '';
    // (Flags that are more than names or'ed together keep their parentheses: `w ? FOLL_WRITE : 0`.)
    const flags = flagsAt >= 0 ? `${/^[\w\s|]+$/.test(own) ? own : `(${own})`} | ${added}` : added;
    const r = replacementBy(call, era, target, tEra, (x) => (x === 'gup_flags' ? added : null));
    if (!r) return null;
    const i = tEra.params.findIndex((p) => role(p) === 'gup_flags');
    if (i >= 0 && flagsAt >= 0) { r.args[i] = flags; r.order[i] = flags; r.text = `${target}(${r.args.join(', ')})`; }
    return r;
  }
  return null;
}

/** The call of `target` with the arguments of `call` by role; a role the call lacks comes
 * from `literal` (null: no replacement). */
function replacementBy(call: CallSite, era: GupEra, target: string, tEra: GupEra, literal: (role: string) => string | null): Replacement | null {
  const src = new Map<string, number>();
  era.params.forEach((p, i) => src.set(role(p), i));
  const args: string[] = [];
  const order: (number | string)[] = [];
  for (const p of tEra.params) {
    const r = role(p);
    const i = src.get(r);
    if (i !== undefined) { args.push(call.via ? unwrapArg(call.argText[i]) : call.argText[i]); order.push(i); continue; }
    const lit = literal(r);
    if (lit === null) return null;
    args.push(lit);
    order.push(lit);
  }
  return { name: target, args, order, text: `${target}(${args.join(', ')})` };
}
