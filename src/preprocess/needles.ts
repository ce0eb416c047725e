// Names that reach the GUP or mmap-lock API through macros or static inline wrappers join the
// prefilter's needle set: a file that only uses `DRV_PIN_PAGES(...)` (defined in a header that
// names pin_user_pages) must be extracted too. Definitions are read from the files the byte
// prefilter kept (a definition names the API, so its file is one of them); the files calling a
// new name come from the tree's call index; repeated for macros over macros.
import * as fs from 'fs';
import { createHash } from 'crypto';
import { cutFunctions, lfText, lineIndex, maskCode } from '../parse/cut';
import type { MacroDefinition } from './conditional';
import { gupHelpersOf, isLockWrapper, relevantMacros } from './scope';

const DEFINE = /[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\([^)]*\))?((?:[^\n\\]|\\\n|\\)*)/y;
const MAX_ROUNDS = 6;

/** Every `#define` and one-call static inline wrapper of a text, live or not (a superset
 * keeps the needle set exact). */
export function definitionsIn(text: string, file: string, isHeader: boolean): MacroDefinition[] {
  const out: MacroDefinition[] = [];
  // Read unmasked (a comment in a definition only adds names: still a superset); the
  // anchored pattern runs only where `define` occurs.
  for (let at = text.indexOf('define'); at >= 0; at = text.indexOf('define', at + 6)) {
    const lineStart = text.lastIndexOf('\n', at) + 1;
    DEFINE.lastIndex = lineStart;
    const m = DEFINE.exec(text);
    if (!m || m.index !== lineStart) continue;
    const params = m[2] !== undefined ? m[2].slice(1, -1).split(',').map((x) => x.trim()).filter(Boolean) : undefined;
    out.push({ name: m[1], ...(params ? { params } : {}), value: m[3].replace(/\\\n/g, ' ').replace(/\s+/g, ' ').trim(), line: 0, file });
    at = m.index + m[0].length - 6;
  }
  // Every lock wrapper names mmap_sem, mmap_lock or an mmap_* primitive.
  if (isHeader && text.includes('inline') && text.includes('mmap_')) collectWrappers(maskCode(text), file, out);
  return out;
}

function collectWrappers(masked: string, file: string, out: MacroDefinition[]): void {
  if (!/\binline\b/.test(masked)) return;
  const lines = lineIndex(masked);
  for (const c of cutFunctions(masked, lines)) {
    if (!c.isStatic) continue;
    const body = masked.slice(lines.starts[c.braceLine] + (c.braceCol ?? 0) + 1, c.end - 1).trim();
    const m = isLockWrapper(masked, c.headerStart, c.nameOffset, body);
    if (m) out.push({ name: c.name, params: c.params, value: m[1].replace(/\s+/g, ' '), line: c.headerLine + 1, file });
  }
}

export interface MacroNeedles {
  /** Names reaching the targets through macros or wrappers. */
  names: string[];
  /** Files (absolute) that call one of them and were not candidates. */
  files: string[];
}

/** What the search reads of a file: its definitions, and (a header's) static functions that
 * call the GUP API, which a macro may reach instead of the API (`#define drv_gup(...)
 * drv_compat_gup(...)`). */
function readDefinitions(text: string, file: string, isHeader: boolean): { defs: MacroDefinition[]; helpers: string[] } {
  const defs = definitionsIn(text, file, isHeader);
  const helpers = isHeader && /user_page|get_vaddr_frames|memfd_pin_folios/.test(text) ? gupHelpersOf(maskCode(text), undefined, true) : [];
  return { defs, helpers };
}

function digestOf(r: { defs: MacroDefinition[]; helpers: string[] }): string {
  return createHash('sha1').update(JSON.stringify([r.defs.map((d) => [d.name, d.params ?? null, d.value, d.line]), r.helpers])).digest('hex');
}

/** What the search reads of a file, as a digest: its definitions (names, parameters,
 * values, wrapper lines) and GUP helpers, without its place. */
export function definitionsDigest(text: string, isHeader: boolean): string {
  return digestOf(readDefinitions(text, '', isHeader));
}

/** Grow the needle set from the candidate files until no new name appears. `digests`, when
 * given, gets the definitionsDigest of every file read (absolute path -> digest). */
export async function macroNeedles(candidates: string[], targets: ReadonlySet<string>, callers: (names: string[]) => Promise<Map<string, Set<string>>>, digests?: Map<string, string>): Promise<MacroNeedles> {
  const all = new Map<string, MacroDefinition>();
  const helpers = new Set<string>();
  const known = new Set(candidates);
  const names = new Set<string>();
  const files: string[] = [];
  let pending = candidates;
  for (let round = 0; round < MAX_ROUNDS && pending.length; round++) {
    for (const abs of pending) {
      let text: string;
      try { text = lfText(fs.readFileSync(abs, 'latin1')); } catch { continue; }
      const read = readDefinitions(text, abs, abs.endsWith('.h'));
      const defs = read.defs;
      for (const h of read.helpers) helpers.add(h);
      // Several definitions of a name (per era): one value that names them all.
      for (const d of defs) {
        const prev = all.get(d.name);
        all.set(d.name, prev ? { ...prev, value: `${prev.value} ${d.value}` } : d);
      }
      if (digests) digests.set(abs, digestOf(read));
    }
    // (A helper that is also a macro, one per #if arm, stays a macro.)
    const reach = new Set([...targets, ...[...helpers].filter((h) => !all.has(h))]);
    const fresh = [...relevantMacros(all, reach).keys()].filter((n) => !names.has(n));
    if (fresh.length === 0) break;
    for (const n of fresh) names.add(n);
    const hits = await callers(fresh);
    pending = [];
    for (const f of hits.keys()) if (!known.has(f)) { known.add(f); files.push(f); pending.push(f); }
  }
  return { names: [...names].sort(), files: files.sort() };
}
