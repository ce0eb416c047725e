// Build the exact replacement call for a GUP call in the tree's era (argument roles differ
// between variants: get_user_pages_unlocked takes pages before gup_flags).
import type { CallSite } from '../parse/ir';
import { gupEraAt, unlockedVariantOf, type GupEra, type Version } from './api';

const role = (p: string) => p.split(':')[0];

export interface Replacement {
  name: string;
  args: string[];
  text: string;
}

export function unlockedReplacement(call: CallSite, era: GupEra, version: Version): Replacement | null {
  const target = call.name ? unlockedVariantOf(call.name) : null;
  if (!target) return null;
  const tEra = gupEraAt(target, version);
  if (!tEra) return null;
  const src = new Map<string, string>();
  era.params.forEach((p, i) => src.set(role(p), call.argText[i]));
  const args: string[] = [];
  for (const p of tEra.params) {
    const r = role(p);
    let v = src.get(r);
    if (v === undefined && r === 'tsk') v = 'current';
    if (v === undefined && r === 'mm') v = 'current->mm';
    if (v === undefined) return null;
    args.push(v);
  }
  return { name: target, args, text: `${target}(${args.join(', ')})` };
}
