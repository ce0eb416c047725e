// Stage 0: what is audited and how: the rules, the tree and its kernel era, the
// preprocessor's view of it, and the persistent cache.
import * as path from 'path';
import { UsageError } from '../errors';
import { detectTree, type TreeInfo } from '../kernel/era';
import type { Version } from '../kernel/api';
import { AuditCache, cacheDirFor } from '../cache';
import { indexInSorted } from '../discover';
import { preprocessOptions, readSublevel } from '../preprocess/options';
import type { PreprocessOptions } from '../preprocess/scope';
import { rules as allRules } from '../../rules';
import type { Notification } from '../findings';
import type { Rule } from '../rule';
import type { AuditOptions } from './types';

/** Byte needles of the first scan: any file without one cannot hold a GUP call or a raw
 * mmap lock operation. `user_page` covers get_user_pages*, pin_user_pages*,
 * get_user_page_*; the others are the remaining GUP entry points and the lock fields. */
export const PREFILTER_NEEDLES = ['user_page', 'get_vaddr_frames', 'memfd_pin_folios', 'mmap_sem', 'mmap_lock'];

export function selectRules(opts: Pick<AuditOptions, 'only' | 'disable' | 'levels'>): Rule[] {
  const known = new Set(allRules.map((r) => r.meta.id));
  for (const id of [...(opts.only ?? []), ...(opts.disable ?? []), ...Object.keys(opts.levels ?? {})]) {
    if (!known.has(id)) throw new UsageError(`unknown rule '${id}' (see --list-rules)`);
  }
  return allRules.filter((r) => (!opts.only?.length || opts.only.includes(r.meta.id)) && !opts.disable?.includes(r.meta.id) && opts.levels?.[r.meta.id] !== 'off');
}

/** The audited tree, its era (from --kdir for a module), and the preprocessor options. */
export function resolveTree(opts: AuditOptions): { tree: TreeInfo; version: Version; preprocess: PreprocessOptions } {
  const tree = detectTree(opts.paths[0], opts.kdir ? undefined : opts.kernelVersion);
  let sublevel = opts.kernelVersion ? null : readSublevel(tree.root);
  if (opts.kdir) {
    const k = detectTree(opts.kdir, opts.kernelVersion);
    tree.version = k.version;
    tree.source = `--kdir ${k.source}`;
    tree.hasMmapLockH = k.hasMmapLockH;
    sublevel = opts.kernelVersion ? null : readSublevel(k.root);
  }
  const version: Version = tree.version;
  const preprocess = preprocessOptions({ root: tree.root, version, sublevel, kernelTree: readSublevel(tree.root) !== null, ...(opts.kdir ? { kdir: opts.kdir } : {}), ...(opts.kconfig ? { config: opts.kconfig } : {}) });
  return { tree, version, preprocess };
}

/** The persistent cache (--cache), its notes pushed to `notifications`. */
export function openCache(opts: AuditOptions, root: string, notifications: Notification[]): AuditCache | undefined {
  if (!opts.cache) return undefined;
  let dir: string;
  try { dir = cacheDirFor(opts.cache, root); } catch (e) { throw new UsageError(`--cache: ${(e as Error).message}`); }
  const cache = new AuditCache(dir, root, PREFILTER_NEEDLES);
  for (const message of cache.notes) notifications.push({ level: 'note', message });
  // (Later ones: call hashes read during the run that fail their check.)
  cache.onNote = (message) => notifications.push({ level: 'note', message });
  return cache;
}

/** A path of the tree, relative to its root, with `/` separators. */
export function rel(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}

/** The tree's files as the index knows them, and the focus files: absolute, sorted. (The
 * names are the index's normalised relative paths: joined by concatenation, not
 * path.join, which normalises each of the tree's ~60k names again.) */
export function knownPaths(root: string, known: readonly string[], focus: Set<string>): string[] {
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  // (The index lists its files sorted; the focus files are usually among them.)
  const sorted = known.every((r, i) => i === 0 || known[i - 1] < r);
  const names = sorted && [...focus].every((f) => indexInSorted(known, f) >= 0) ? known : [...new Set([...known, ...focus])].sort();
  return names.map((r) => prefix + r);
}
