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
  const src = new Map<string, number>();
  era.params.forEach((p, i) => src.set(role(p), i));
  const args: string[] = [];
  const order: (number | string)[] = [];
  for (const p of tEra.params) {
    const r = role(p);
    const i = src.get(r);
    if (i !== undefined) { args.push(call.via ? unwrapArg(call.argText[i]) : call.argText[i]); order.push(i); continue; }
    const lit = r === 'tsk' ? 'current' : r === 'mm' ? 'current->mm' : null;
    if (lit === null) return null;
    args.push(lit);
    order.push(lit);
  }
  return { name: target, args, order, text: `${target}(${args.join(', ')})` };
}
