// Discover the .c and .h files to audit. Symlinks are not followed (no loops, nothing out
// of the tree) and are reported; unreadable directories are reported, not fatal.
import * as fs from 'fs';
import * as path from 'path';
import type { Notification } from './findings';
import { makeFilter } from './glob';
import { fromBytes, fsPath, readDirEntries } from './fsname';

export interface Discovered {
  /** Absolute paths. */
  files: string[];
  notes: Notification[];
}

/** Walks directories elsewhere (the worker pool): `dirs` with the same root and top;
 * `given`: the files named to audit under them (see Skipped). */
export type WalkRunner = (dirs: string[], root: string, top: string, given: string[]) => Promise<Discovered>;

/** Which files of the tree are audited: globs relative to the tree root (src/glob.ts). */
export interface Selection { include: string[]; exclude: string[] }

export async function discover(paths: string[], root: string, sel: Selection, runner?: WalkRunner): Promise<Discovered> {
  const files = new Set<string>();
  const notes: Notification[] = [];
  const filtered = sel.include.length > 0 || sel.exclude.length > 0;
  const keep = filtered ? treeFilter(root, sel) : undefined;
  const stats = paths.map((p) => { const abs = path.resolve(p); return { abs, st: fs.statSync(fsPath(abs)) }; });
  const given = new Set(stats.filter((x) => x.st.isFile()).map((x) => x.abs));
  for (const { abs, st } of stats) {
    if (st.isFile()) { files.add(abs); continue; }
    const skipped: Skipped = { root, top: abs, notes, keep, given };
    if (!filtered && runner) { await walkParallel(abs, files, skipped, runner); continue; }
    walk(abs, files, skipped);
  }
  return { files: [...files].sort(), notes };
}

/** The selection as tests on absolute paths: a file is kept when included and not
 * excluded; a directory is entered unless excluded. */
function treeFilter(root: string, sel: Selection): Skipped['keep'] {
  const file = makeFilter(sel.include, sel.exclude);
  const dir = makeFilter([], sel.exclude);
  const rel = (abs: string) => path.relative(root, abs).split(path.sep).join('/');
  return { file: (abs) => file(rel(abs)), dir: (abs) => dir(rel(abs)) };
}

/** The same walk split over the worker pool: the first two levels here, each directory
 * below in a task (in batches), so that the workers share a kernel tree's ~5k readdirs
 * (about twice as fast on two cores). Entries, notes and the sorted result are as walk's. */
async function walkParallel(top: string, out: Set<string>, skipped: Skipped, runner: WalkRunner): Promise<void> {
  const dirs: string[] = [];
  const level = (dir: string, depth: number) => {
    const sub: string[] = [];
    shallow(dir, out, skipped, sub);
    for (const d of sub) {
      if (depth === 0) level(d, 1);
      else dirs.push(d);
    }
  };
  level(top, 0);
  const BATCH = 8;
  const parts: Promise<Discovered>[] = [];
  const given = [...skipped.given ?? []];
  for (let i = 0; i < dirs.length; i += BATCH) {
    const part = dirs.slice(i, i + BATCH);
    parts.push(runner(part, skipped.root, skipped.top, given.filter((f) => part.some((d) => f.startsWith(d + path.sep)))));
  }
  for (const r of await Promise.all(parts)) {
    for (const f of r.files) out.add(f);
    skipped.notes.push(...r.notes);
  }
}

/** Walk each of `dirs` whole (in a worker: see WalkRunner). */
export function walkDirs(dirs: string[], root: string, top: string, given: string[] = []): Discovered {
  const out = new Set<string>();
  const notes: Notification[] = [];
  const named = given.length ? new Set(given) : undefined;
  for (const d of dirs) walk(d, out, { root, top, notes, given: named });
  return { files: [...out], notes };
}

/** One directory level of walk: its files and links here, its subdirectories in `sub`. */
function shallow(dir: string, out: Set<string>, skipped: Skipped, sub: string[]): void {
  let entries: { name: string; dirent: fs.Dirent }[];
  try {
    entries = readDirEntries(dir);
  } catch (e) {
    unreadableDir(dir, e as NodeJS.ErrnoException, skipped);
    return;
  }
  const keep = skipped.keep;
  for (const { name, dirent: e } of entries) {
    if (name.startsWith('.')) continue;
    const p = (dir.endsWith(path.sep) ? dir : dir + path.sep) + name; // (path.join: 3x slower)
    if (e.isDirectory()) { if (!keep || keep.dir(p)) sub.push(p); }
    else if (keep && !keep.file(p)) continue;
    else if (e.isFile() && (name.endsWith('.c') || name.endsWith('.h'))) out.add(p);
    else if (e.isSymbolicLink() && !skipped.given?.has(p)) symlink(p, name, skipped);
  }
}

/** Where skipped entries are reported: paths relative to the kernel root; `keep`: the
 * include/exclude selection, when there is one. */
interface Skipped {
  root: string; top: string; notes: Notification[]; keep?: { file: (abs: string) => boolean; dir: (abs: string) => boolean };
  /** Files named to audit (a link among them is audited, not reported as not followed). */
  given?: Set<string>;
}

function unreadableDir(dir: string, err: NodeJS.ErrnoException, s: Skipped): void {
  if (err.code === 'ENOENT') return; // removed while walking
  s.notes.push({ level: 'warning', file: path.relative(s.root, dir) || '.', message: `directory not read: ${err.code ?? err.message}` });
}

/** A symbolic link is never followed. Links that could hold C code are reported: to a
 * `.c`/`.h` file or a directory inside the audited tree (audited there) as a note; out of
 * the tree, dangling or looping as a warning. Links to anything else are ignored. */
function symlink(p: string, name: string, s: Skipped): void {
  const file = path.relative(s.root, p);
  const isC = /\.[ch]$/.test(name);
  let target: string;
  try { target = fromBytes(fs.realpathSync(fsPath(p), { encoding: 'buffer' })); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') s.notes.push({ level: 'warning', file, message: 'symbolic link loop, not followed' });
    else if (isC) s.notes.push({ level: 'warning', file, message: `symbolic link not followed (target: ${code})` });
    return;
  }
  let dir = false;
  try { dir = fs.statSync(fsPath(target)).isDirectory(); } catch { /* vanished: treat as a file */ }
  if (!dir && !isC) return;
  let top = s.top;
  try { top = fs.realpathSync(s.top); } catch { /* keep */ }
  const inside = target === top || target.startsWith(top.endsWith(path.sep) ? top : top + path.sep);
  const what = dir ? 'symbolic link to a directory' : 'symbolic link';
  let parent = path.dirname(p);
  try { parent = fromBytes(fs.realpathSync(fsPath(parent), { encoding: 'buffer' })); } catch { /* keep */ }
  if (dir && (parent === target || parent.startsWith(target.endsWith(path.sep) ? target : target + path.sep))) {
    s.notes.push({ level: 'note', file, message: 'symbolic link to an enclosing directory (a loop), not followed' });
  } else if (inside) s.notes.push({ level: 'note', file, message: `${what} not followed (its target is inside the audited tree, audited there)` });
  else s.notes.push({ level: 'warning', file, message: `${what} out of the audited tree, not followed` });
}

/** What fast-glob's `**\/*.{c,h}` (dot: false, onlyFiles, no symlinks followed, errors
 * suppressed) finds, 3-6x faster on a kernel tree (60k files: ~0.15-0.3 s instead of
 * ~0.8-1 s). `dir` is absolute and normalised. */
function walk(dir: string, out: Set<string>, skipped: Skipped): void {
  const sub: string[] = [];
  shallow(dir, out, skipped, sub);
  for (const d of sub) walk(d, out, skipped);
}

/** For a discovery of a whole tree: is the .c/.h file `rel` known not to exist? Not for a
 * name the walk does not list whatever exists (another suffix, a hidden directory, under a
 * symbolic link or an unread directory it noted): those are looked for on disk. `files`:
 * the relative paths found, sorted. */
export function absentFrom(files: readonly string[], notes: readonly { file?: string }[]): (rel: string) => boolean {
  const noted = notes.map((n) => n.file).filter((f): f is string => !!f);
  return (rel) => {
    if (!/\.[ch]$/.test(rel) || rel.startsWith('/') || /(^|\/)\./.test(rel)) return false;
    if (noted.some((f) => f === '.' || rel === f || rel.startsWith(`${f}/`))) return false;
    return indexInSorted(files, rel) < 0;
  };
}

/** Two lists with the same items in the same order. */
export function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The index of `key` in a list of paths sorted by code unit (`<`), or -1. */
export function indexInSorted(list: readonly string[], key: string): number {
  let lo = 0, hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] === key) return mid;
    if (list[mid] < key) lo = mid + 1; else hi = mid - 1;
  }
  return -1;
}
