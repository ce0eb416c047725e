// The gate: audit the files a change touches (plus their directories, where the callers and
// helpers whose lock context the analysis follows live) before and after the change, in two
// temporary trees, and match the findings by fingerprint: introduced, fixed, unchanged.
// The audited tree and the git checkout are only read.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UsageError } from '../errors';
import { audit, assignFingerprints, PREFILTER_NEEDLES, type AuditOptions, type AuditResult, type AuditStats } from '../engine';
import { AuditCache, factsDirOf, indexFileOf } from '../cache';
import { detectTree, type TreeInfo } from '../kernel/era';
import { failsAt, levelRank, type Finding, type Level, type Notification } from '../findings';
import { rules as allRules } from '../../rules';
import { applySeries, hunkHeaderLines, isWithin, parseDiff, realPathOfNearest, stripPrefix, unsafePatchPath, type Origin, type PatchMessage } from './patch';
import * as G from './git';
import { cutFunctions, lineIndex, maskCode } from '../parse/cut';
import { makeFilter, type Baseline, type GateConfig } from './config';

/** Files the analyser reads for era detection; copied into both trees, audited only when changed. */
export const ERA_FILES = ['Makefile', 'include/linux/mm.h', 'include/linux/mmap_lock.h'];
const isSource = (p: string) => /\.[ch]$/.test(p);
const dirOf = (p: string) => path.posix.dirname(p);

/** Caller files added to a side at most: beyond it, a note says the rest were not audited. */
export const CALLER_FILE_CAP = 256;
/** At most this many files without a call list in the index are read to look for callers. */
const UNINDEXED_READ_CAP = 2048;

/** Names of the functions whose text differs between two versions of a file (added,
 * removed or changed): their callers anywhere in the tree can change verdict. */
export function changedFunctions(before: string | undefined | null, after: string | undefined | null): string[] {
  const bodies = (text: string | undefined | null) => {
    const m = new Map<string, string>();
    if (!text) return m;
    const masked = maskCode(text);
    for (const c of cutFunctions(masked, lineIndex(masked))) if (/^[A-Za-z_]\w*$/.test(c.name)) m.set(c.name, masked.slice(c.headerStart, c.end).replace(/\s+/g, ' '));
    return m;
  };
  const a = bodies(before);
  const b = bodies(after);
  const out = new Set<string>();
  for (const [n, t] of a) if (b.get(n) !== t) out.add(n);
  for (const n of b.keys()) if (!a.has(n)) out.add(n);
  return [...out].sort();
}

/** Files outside `have` (tree-relative, sources, passing `keep`) that call one of `names`,
 * from git grep at `commits` (the work tree for null); capped, with a note past the cap. */
function callerFiles(repo: G.GitRepo, commits: (string | null)[], names: string[], toRel: (p: string) => string | null, keep: (rel: string) => boolean, have: Set<string>, notes: Notification[]): string[] {
  if (!names.length) return [];
  const found = new Set<string>();
  // (One git grep per 64 names: a regular expression of bounded size.)
  for (let i = 0; i < names.length; i += 64) {
    for (const c of commits) for (const f of G.grepCallers(repo, c, names.slice(i, i + 64))) {
      const rel = toRel(f);
      if (rel && isSource(rel) && keep(rel) && !have.has(rel)) found.add(rel);
    }
  }
  return capped([...found].sort(), notes);
}

/** At most CALLER_FILE_CAP caller files, with a note past the cap. */
function capped(list: string[], notes: Notification[]): string[] {
  if (list.length <= CALLER_FILE_CAP) return list;
  notes.push({ level: 'note', message: `callers of the changed functions are in ${list.length} other files; the first ${CALLER_FILE_CAP} are audited` });
  return list.slice(0, CALLER_FILE_CAP);
}

/** callerFiles() for a tree that is not a git checkout: the files that call one of `names`
 * according to the tree's persistent index (written by `gup-audit --cache TREE` in the
 * default cache directory), each confirmed on its current text. Without an index, none,
 * with a note saying how to get one. */
function indexedCallerFiles(root: string, cacheDir: string | undefined, names: string[], keep: (rel: string) => boolean, have: Set<string>, notes: Notification[]): string[] {
  if (!names.length) return [];
  const treeRoot = path.resolve(root);
  const indexRoot = indexedRoot(cacheDir, treeRoot);
  const listed = cacheDir && indexRoot ? new AuditCache(cacheDir, indexRoot, PREFILTER_NEEDLES).filesCalling(names) : null;
  if (!listed) {
    notes.push({ level: 'note', message: 'the tree is not a git checkout and has no index: callers of the changed functions outside their directories are not audited (run gup-audit --cache on the tree once)' });
    return [];
  }
  // Files the index holds without a call list (a per-file check reads the tree only to find
  // callers, so after one of a file without GUP calls the others have none; a file changed
  // while a scan ran has none either) are read to confirm too, unless there are so many that reading them would cost
  // what a scan of the tree does: then they are left out, with a note.
  let candidates = listed.calling;
  if (listed.unindexed.length > UNINDEXED_READ_CAP) {
    notes.push({ level: 'note', message: `the tree's index has no call list for ${listed.unindexed.length} of its files (files no run has read in full, such as those a per-file check did not need): callers of the changed functions in those files are not audited (run gup-audit --cache on the tree once)` });
  } else candidates = [...candidates, ...listed.unindexed].sort();
  const call = new RegExp(`(^|[^A-Za-z0-9_])(${names.join('|')})\\s*\\(`);
  const found = candidates.filter((rel) => isSource(rel) && keep(rel) && !have.has(rel) && (() => {
    try { return call.test(fs.readFileSync(path.join(treeRoot, rel), 'latin1')); } catch { return false; }
  })());
  return capped(found, notes);
}

/** A file of a side: bytes, or an unchanged file of the real tree, linked (symbolic link)
 * rather than copied: the engine reads explicitly given files through links. */
type Content = { buf: Buffer } | { link: string };

export type Scope = 'dir' | 'file';

export interface GateOptions {
  config: GateConfig;
  baseline?: Baseline;
  failOn: Level | 'none';
  scope: Scope;
  jobs?: number;
  kernelVersion?: string;
  callDepth?: number;
  /** The persistent cache directory (see gateCacheDir): the tree's index for callers
   * elsewhere in the tree (series over a tree that is not a git checkout), and the fact
   * entries both sides read and write. */
  cacheDir?: string;
}

/** The root under which the cache directory holds an index of the tree (its path as given,
 * else its real path), or null. */
export function indexedRoot(cacheDir: string | undefined, treeRoot: string): string | null {
  if (!cacheDir) return null;
  if (fs.existsSync(indexFileOf(cacheDir, treeRoot))) return treeRoot;
  try {
    const real = fs.realpathSync(treeRoot);
    return fs.existsSync(indexFileOf(cacheDir, real)) ? real : null;
  } catch { return null; }
}

export interface PatchInfo { name: string; subject: string; input: number; inputName: string }

/** What both commands prepare: the two sides and how to attribute lines to patches. */
interface Prepared {
  mode: 'diff' | 'series';
  root: string;
  label: string;
  patches: PatchInfo[];
  changed: string[];
  dirs: string[];
  renames: Map<string, string>;
  before: Map<string, Content>;
  after: Map<string, Content>;
  origin: (file: string, line: number) => Origin | null;
  lastPatch: (file: string) => number | null;
  linesChecked: number;
  notes: Notification[];
  base?: string;
  head?: string;
}

export interface GateResult {
  mode: 'diff' | 'series';
  /** The audited tree (the real root, not the temporary copies). */
  tree: TreeInfo;
  label: string;
  base?: string;
  head?: string;
  patches: PatchInfo[];
  changedFiles: string[];
  dirs: string[];
  scopeFiles: { before: number; after: number };
  introduced: Finding[];
  updated: Finding[];
  /** Level of each updated finding in the base. */
  previousLevel: Map<Finding, Level>;
  fixed: Finding[];
  unchanged: Finding[];
  suppressed: Finding[];
  failOn: Level | 'none';
  /** Introduced (or raised) findings at or above failOn, not suppressed: exit 1 when any. */
  failing: Finding[];
  notifications: Notification[];
  /** Source lines (after the change) of the files with introduced or updated findings. */
  sources: Map<string, string[]>;
  origin: (file: string, line: number) => Origin | null;
  lastPatch: (file: string) => number | null;
  linesChecked: number;
  before: AuditResult;
  after: AuditResult;
  timingsMs: Record<string, number>;
}

// ---------------------------------------------------------------------------------------
// series

export function prepareSeries(messages: PatchMessage[], root: string, opts: GateOptions, linesChecked: number): Prepared {
  // When a patch does not apply to the tree as it is and the tree is a git checkout, the
  // pre-image blobs its index lines name are used (a b4 prep branch already contains it).
  let repo: G.GitRepo | null | undefined;
  const blob = (sha: string): string | null | undefined => {
    if (repo === undefined) repo = G.findRepo(root);
    return repo ? G.readBlob(repo, sha)?.toString('latin1') ?? null : undefined;
  };
  const applied = applySeries(messages, root, { blob });
  const filter = makeFilter(opts.config.include, opts.config.exclude);
  const changed = [...applied.after.keys()]
    .filter((p) => isSource(p) && filter(p) && applied.after.get(p)!.content !== applied.before.get(p))
    .sort();
  const dirs = [...new Set(changed.map(dirOf))].sort();
  const before = new Map<string, Content>();
  const after = new Map<string, Content>();
  const put = (side: Map<string, Content>, rel: string, content: string | null | undefined) => {
    if (content !== null && content !== undefined) side.set(rel, { buf: Buffer.from(content, 'latin1') });
  };
  if (opts.scope === 'dir') {
    const realRoot = fs.realpathSync(root);
    for (const d of dirs) {
      let entries: fs.Dirent[] = [];
      // (A directory that is a link out of the tree is not listed: nothing outside is read.)
      if (!isWithin(realPathOfNearest(path.join(root, d)), realRoot)) continue;
      try { entries = fs.readdirSync(path.join(root, d), { withFileTypes: true }); } catch { entries = []; }
      for (const e of entries) {
        const rel = d === '.' ? e.name : `${d}/${e.name}`;
        if (!e.isFile() || !isSource(rel) || !filter(rel) || applied.after.has(rel)) continue;
        before.set(rel, { link: path.join(root, rel) });
        after.set(rel, { link: path.join(root, rel) });
      }
    }
  }
  // Callers of the changed functions in other directories (a helper that now releases the
  // lock changes its callers' verdicts): read from the checkout when it is a git one.
  const callerNotes: Notification[] = [];
  if (opts.scope === 'dir') {
    const r = G.findRepo(root);
    const names = [...new Set(changed.flatMap((p) => changedFunctions(applied.before.get(p), applied.after.get(p)!.content)))];
    const have = new Set([...before.keys(), ...changed]);
    let found: string[];
    if (r) {
      const rootPrefix = path.relative(fs.realpathSync(r.top), fs.realpathSync(root)).split(path.sep).join('/');
      const toRel = (p: string) => (rootPrefix === '' ? p : p.startsWith(`${rootPrefix}/`) ? p.slice(rootPrefix.length + 1) : null);
      found = callerFiles(r, [null], names, toRel, filter, have, callerNotes);
    } else found = indexedCallerFiles(root, opts.cacheDir, names, filter, have, callerNotes);
    for (const rel of found) {
      before.set(rel, { link: path.join(root, rel) });
      after.set(rel, { link: path.join(root, rel) });
    }
  }
  for (const p of changed) { put(before, p, applied.before.get(p)); put(after, p, applied.after.get(p)!.content); }
  for (const f of ERA_FILES) {
    if (before.has(f)) continue;
    if (applied.after.has(f)) { put(before, f, applied.before.get(f)); put(after, f, applied.after.get(f)!.content); continue; }
    if (fs.existsSync(path.join(root, f))) { before.set(f, { link: path.join(root, f) }); after.set(f, { link: path.join(root, f) }); }
  }
  const notes: Notification[] = [...applied.notes.map((m): Notification => ({ level: 'note', message: m })), ...callerNotes];
  return {
    mode: 'series', root, label: messages.map((m) => m.name).join(', '),
    patches: messages.map((m) => ({ name: m.name, subject: m.subject, input: m.input, inputName: m.inputName })),
    changed, dirs, renames: applied.renames, before, after,
    origin: (file, line) => applied.after.get(file)?.origin?.[line - 1] ?? null,
    lastPatch: (file) => applied.lastPatch.get(file) ?? null,
    linesChecked, notes,
  };
}

// ---------------------------------------------------------------------------------------
// diff

/** The added lines of a diff text: file (tree-relative, by `toRel`) -> new line number ->
 * the line of the diff text that added it (1-based). */
function addedLines(text: string, name: string, toRel: (p: string | null) => string | null): Map<string, Map<number, number>> {
  const added = new Map<string, Map<number, number>>();
  const files = parseDiff(text, name);
  const headers = hunkHeaderLines(text);
  let h = 0;
  for (const fp of files) {
    const n = stripPrefix(fp.newFileName);
    const rel = n === null ? null : toRel(n);
    const m = new Map<number, number>();
    for (const hunk of fp.hunks) {
      let line = hunk.newStart;
      hunk.lines.forEach((l, j) => {
        if (l[0] === '+') { m.set(line, headers[h] + 2 + j); line++; } else if (l[0] !== '-' && l[0] !== '\\') line++;
      });
      h++;
    }
    if (rel) added.set(rel, m);
  }
  return added;
}

export function prepareDiff(treeDir: string, baseRev: string, headRev: string, root: string, opts: GateOptions): Prepared {
  const repo = G.openRepo(treeDir);
  const base = G.resolveCommit(repo, baseRev, '--base');
  const head = G.resolveCommit(repo, headRev, '--head');
  const realTop = fs.realpathSync(repo.top);
  const rootRel = path.relative(realTop, fs.realpathSync(root)).split(path.sep).join('/');
  if (rootRel.startsWith('..')) throw new UsageError(`the kernel tree ${root} is outside the git checkout ${repo.top}`);
  // Restrict to TREE when it is a subdirectory of the kernel tree.
  const within = path.relative(fs.realpathSync(root), fs.realpathSync(treeDir)).split(path.sep).join('/');
  const prefix = rootRel ? `${rootRel}/` : '';
  const toRel = (p: string | null): string | null => (p !== null && p.startsWith(prefix) ? p.slice(prefix.length) : null);
  const toRepo = (p: string) => prefix + p;
  const filter = makeFilter(opts.config.include, opts.config.exclude);
  const inTree = (p: string) => !within || within === '' || p === within || p.startsWith(`${within}/`);

  const changes = G.changedFiles(repo, base, head);
  const changed = new Set<string>();
  const renames = new Map<string, string>();
  let eraChanged = false;
  for (const c of changes) {
    const o = toRel(c.oldPath);
    const n = toRel(c.newPath);
    if (ERA_FILES.includes(o ?? '') || ERA_FILES.includes(n ?? '')) eraChanged = true;
    for (const p of [o, n]) if (p && isSource(p) && filter(p) && inTree(p)) changed.add(p);
    if (c.status === 'R' && o && n && changed.has(o) && changed.has(n)) renames.set(o, n);
  }
  const changedList = [...changed].sort();
  const dirs = [...new Set(changedList.map(dirOf))].sort();
  // Callers of the changed functions in other directories, at either revision.
  const callerNotes: Notification[] = [];
  let callers: string[] = [];
  if (opts.scope === 'dir' && changedList.length) {
    const b = G.readBlobs(repo, base, changedList.map(toRepo));
    const h = G.readBlobs(repo, head, changedList.map(toRepo));
    const names = [...new Set(changedList.flatMap((p) => changedFunctions(b.get(toRepo(p))?.toString('latin1'), h.get(toRepo(p))?.toString('latin1'))))];
    const inDirs = (rel: string) => dirs.includes(dirOf(rel));
    callers = callerFiles(repo, [base, head], names, toRel, (rel) => filter(rel) && inTree(rel) && !inDirs(rel), new Set(changedList), callerNotes);
  }
  const side = (commit: string): Map<string, Content> => {
    const want = new Set<string>(callers);
    if (opts.scope === 'dir') {
      for (const d of dirs) for (const f of G.listDir(repo, commit, toRepo(d === '.' ? '' : d))) {
        const rel = toRel(f);
        if (rel && isSource(rel) && filter(rel)) want.add(rel);
      }
    }
    for (const p of changedList) want.add(p);
    for (const f of ERA_FILES) want.add(f);
    const blobs = G.readBlobs(repo, commit, [...want].map(toRepo));
    const m = new Map<string, Content>();
    for (const rel of want) {
      const b = blobs.get(toRepo(rel));
      if (b) m.set(rel, { buf: b });
    }
    return m;
  };
  const before = changedList.length || eraChanged ? side(base) : new Map<string, Content>();
  const after = changedList.length || eraChanged ? side(head) : new Map<string, Content>();

  // Added lines of the diff, for checkpatch's "#<n>:" and '+' marks.
  const text = G.diffText(repo, base, head, changedList.map(toRepo));
  const added = text ? addedLines(text, `${baseRev}..${headRev}`, toRel) : new Map<string, Map<number, number>>();
  const label = `${baseRev}..${headRev}`;
  return {
    mode: 'diff', root, label, base, head,
    patches: [{ name: label, subject: '', input: 0, inputName: label }],
    changed: changedList, dirs, renames, before, after,
    origin: (file, line) => { const l = added.get(file)?.get(line); return l === undefined ? null : { patch: 0, inputLine: l }; },
    lastPatch: (file) => (added.has(file) ? 0 : null),
    linesChecked: text ? text.split('\n').length - (text.endsWith('\n') ? 1 : 0) : 0,
    notes: callerNotes,
  };
}

// ---------------------------------------------------------------------------------------
// running and comparing

/** Write a side; returns the linked source files (absolute, in the side), which the audit
 * is given explicitly (its directory walk does not follow links). */
function writeTree(dir: string, files: Map<string, Content>, audited: (rel: string) => boolean): string[] {
  const linked: string[] = [];
  const made = new Set<string>();
  fs.mkdirSync(path.join(dir, 'include'), { recursive: true });
  const realDir = fs.realpathSync(dir);
  for (const [rel, c] of files) {
    const abs = path.join(dir, rel);
    const d = path.dirname(abs);
    if (!made.has(d)) {
      fs.mkdirSync(d, { recursive: true });
      // Every file goes below the temporary tree, whatever its name: checked on the real path.
      if (unsafePatchPath(rel) || !isWithin(fs.realpathSync(d), realDir)) throw new UsageError(`${rel}: would be written outside the temporary tree: refused`);
      made.add(d);
    }
    if ('buf' in c) fs.writeFileSync(abs, c.buf, { flag: 'wx' });
    else {
      fs.symlinkSync(c.link, abs);
      if (audited(rel)) linked.push(abs);
    }
  }
  return linked;
}

function emptyStats(): AuditStats {
  return {
    filesDiscovered: 0, bytesScanned: 0, candidateFiles: 0, filesParsed: 0, functionsExtracted: 0, callGraphRounds: 0,
    gupTokenSites: 0, gupCallSitesAttributed: 0, unattributed: [],
    lockContext: { local: 0, caller: 0, asserted: 0, none: 0, mixed: 0, self: 0, unknown: 0 },
    findingsByRule: {}, pointerCalls: 0, analysisWork: { functionAnalyses: 0, entrySummaries: 0, entryEvaluations: 0 }, parseErrorNodes: 0, phasesMs: {},
  };
}

/** Where the two temporary trees go: $TMPDIR when set, else /dev/shm when it is a writable
 * directory (a tmpfs: creating the hundreds of links of a large series there takes
 * milliseconds, against a second on a journaling disk), else the system temp directory. */
function tempBase(): string {
  if (process.env.TMPDIR) return os.tmpdir();
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    if (fs.statSync('/dev/shm').isDirectory()) return '/dev/shm';
  } catch { /* no tmpfs there */ }
  return os.tmpdir();
}

const TEMP_PREFIX = 'gup-audit-gate-';

/** Temporary trees a killed run (SIGKILL, out of memory) left behind: only this tool's, by
 * name, only directories (never through a link) owned by this user, and only when the
 * process named in them is gone. */
export function removeStaleTrees(base: string): string[] {
  const removed: string[] = [];
  let names: string[] = [];
  try { names = fs.readdirSync(base); } catch { return removed; }
  const uid = process.getuid?.();
  for (const name of names) {
    const m = new RegExp(`^${TEMP_PREFIX}(\\d+)-[A-Za-z0-9]{6}$`).exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    const abs = path.join(base, name);
    let st: fs.Stats;
    try { st = fs.lstatSync(abs); } catch { continue; }
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || pid === process.pid || processAlive(pid)) continue;
    try { fs.rmSync(abs, { recursive: true, force: true }); removed.push(abs); } catch { /* another run took it */ }
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Audit one side (`scoped`: how many of its files are audited; none: an empty result
 * without running the audit). */
async function auditSide(dir: string, scoped: number, linked: string[], common: Omit<AuditOptions, 'paths'>, opts: GateOptions): Promise<AuditResult> {
  if (scoped === 0) {
    return { tree: detectTree(dir, opts.kernelVersion), findings: [], notifications: [], stats: emptyStats(), rules: allRules.filter((r) => opts.config.levels[r.meta.id] !== 'off') };
  }
  const res = await audit({ paths: [dir, ...linked], ...common });
  const isLinked = new Set(linked.map((a) => path.relative(dir, a).split(path.sep).join('/')));
  // The links are the gate's own (unchanged files of the real tree, audited through the
  // explicit list): whatever the walk says of them ("out of the audited tree") is noise.
  res.notifications = res.notifications.filter((n) => !(n.file && isLinked.has(n.file.split(path.sep).join('/')) && /symbolic link/.test(n.message)));
  return res;
}

/** Match the two sides' findings by fingerprint (the base's findings in renamed files under
 * the new name), setting each finding's baselineState. */
function compareSides(before: AuditResult, after: AuditResult, renames: Map<string, string>): { introduced: Finding[]; updated: Finding[]; unchanged: Finding[]; fixed: Finding[]; previousLevel: Map<Finding, Level> } {
  // Renamed files: match the base's findings under the new name.
  const origFile = new Map<Finding, string>();
  if (renames.size) {
    for (const f of before.findings) {
      const n = renames.get(f.file);
      if (n) { origFile.set(f, f.file); f.file = n; }
    }
    assignFingerprints(before.findings);
  }
  const bmap = new Map(before.findings.map((f) => [f.fingerprint, f]));
  const amap = new Map(after.findings.map((f) => [f.fingerprint, f]));
  const introduced: Finding[] = [];
  const updated: Finding[] = [];
  const unchanged: Finding[] = [];
  const previousLevel = new Map<Finding, Level>();
  for (const f of after.findings) {
    const b = bmap.get(f.fingerprint);
    if (!b) { f.baselineState = 'new'; introduced.push(f); continue; }
    if (b.level !== f.level) { f.baselineState = 'updated'; previousLevel.set(f, b.level); updated.push(f); continue; }
    f.baselineState = 'unchanged';
    unchanged.push(f);
  }
  const fixed = before.findings.filter((f) => !amap.has(f.fingerprint));
  for (const f of fixed) { f.baselineState = 'absent'; const o = origFile.get(f); if (o) f.file = o; }
  return { introduced, updated, unchanged, fixed, previousLevel };
}

/** Mark the findings the baseline lists as suppressed; returns them. */
function suppressListed(baseline: Baseline, findings: Finding[]): Finding[] {
  const suppressed: Finding[] = [];
  for (const f of findings) {
    const e = baseline.entries.get(f.fingerprint);
    if (!e) continue;
    f.suppressed = { kind: 'external', justification: e.justification ?? `listed in baseline ${path.basename(baseline.file)}` };
    suppressed.push(f);
  }
  return suppressed;
}

/** The lines of the files of `findings`, read from the after side (for the report). */
function readSources(afterDir: string, findings: Finding[]): Map<string, string[]> {
  const sources = new Map<string, string[]>();
  for (const f of findings) {
    if (sources.has(f.file)) continue;
    try { sources.set(f.file, fs.readFileSync(path.join(afterDir, f.file), 'latin1').split('\n')); } catch { /* not kept */ }
  }
  return sources;
}

/** Notifications without repeats (same level, file and message), first kept. */
function uniqueNotifications(all: Notification[]): Notification[] {
  const seen = new Set<string>();
  const notifications: Notification[] = [];
  for (const n of all) {
    const k = `${n.level}\0${n.file ?? ''}\0${n.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    notifications.push(n);
  }
  return notifications;
}

/** The two sides extract each file that is the same on both once (AuditOptions.share),
 * unless the series changes a file other than C sources and headers (a Makefile: the
 * version, the configuration), which could change how every file reads. */
function sharing(p: Prepared): Pick<AuditOptions, 'share'> {
  const differs = new Set([...p.changed, ...p.renames.keys(), ...p.renames.values()]);
  if ([...differs].some((f) => !isSource(f))) return {};
  const headerListDiffers = [...differs].some((f) => f.endsWith('.h') && p.before.has(f) !== p.after.has(f));
  return { share: { answers: new Map(), differs, headerListDiffers } };
}

export async function runGate(p: Prepared, opts: GateOptions): Promise<GateResult> {
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const base = tempBase();
  removeStaleTrees(base);
  const tmp = fs.mkdtempSync(path.join(base, `${TEMP_PREFIX}${process.pid}-`));
  // The temporary trees go whatever happens: normal return, error, exit or a signal.
  const cleanup = () => { try { fs.rmSync(tmp, { recursive: true, force: true }); } catch { /* best effort */ } };
  const onSignal = (sig: NodeJS.Signals) => { cleanup(); process.kill(process.pid, sig); };
  process.once('exit', cleanup);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const sides = { before: path.join(tmp, 'before'), after: path.join(tmp, 'after') };
    const eraExcluded = ERA_FILES.filter((f) => isSource(f) && !p.changed.includes(f) && !p.dirs.includes(dirOf(f)));
    const audited = (rel: string) => isSource(rel) && !eraExcluded.includes(rel);
    const links = { before: writeTree(sides.before, p.before, audited), after: writeTree(sides.after, p.after, audited) };
    timings.materialise = Date.now() - t0;
    const scopeCount = (m: Map<string, Content>) => [...m.keys()].filter(audited).length;
    // The two sides run at once: each gets half the cores unless -j says otherwise.
    const cores = os.availableParallelism?.() ?? os.cpus().length;
    const common: Omit<AuditOptions, 'paths'> = {
      jobs: opts.jobs ?? Math.max(1, Math.floor(cores / 2)), kernelVersion: opts.kernelVersion, callDepth: opts.callDepth ?? opts.config.callDepth,
      levels: opts.config.levels, exclude: eraExcluded, ...sharing(p), ...(opts.cacheDir ? { factsCache: factsDirOf(opts.cacheDir) } : {}),
    };
    const run = (dir: string, files: Map<string, Content>, linked: string[]): Promise<AuditResult> =>
      auditSide(dir, scopeCount(files), linked, common, opts);
    const t1 = Date.now();
    const [before, after] = await Promise.all([run(sides.before, p.before, links.before), run(sides.after, p.after, links.after)]);
    timings.audit = Date.now() - t1;

    const { introduced, updated, unchanged, fixed, previousLevel } = compareSides(before, after, p.renames);
    const suppressed = opts.baseline ? suppressListed(opts.baseline, [...introduced, ...updated, ...unchanged]) : [];
    const raised = (f: Finding) => levelRank(f.level) > levelRank(previousLevel.get(f)!);
    const failing = [...introduced, ...updated.filter(raised)].filter((f) => failsAt(f, opts.failOn));

    const sources = readSources(sides.after, [...introduced, ...updated]);
    const notifications = uniqueNotifications([...p.notes, ...before.notifications, ...after.notifications]);
    timings.total = Date.now() - t0;
    return {
      mode: p.mode, tree: { ...after.tree, root: p.root, source: after.tree.source.split(sides.after).join(p.root) }, label: p.label, base: p.base, head: p.head, patches: p.patches,
      changedFiles: p.changed, dirs: p.dirs, scopeFiles: { before: scopeCount(p.before), after: scopeCount(p.after) },
      introduced, updated, previousLevel, fixed, unchanged, suppressed, failOn: opts.failOn, failing, notifications, sources,
      origin: p.origin, lastPatch: p.lastPatch, linesChecked: p.linesChecked, before, after, timingsMs: timings,
    };
  } finally {
    process.removeListener('exit', cleanup);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    cleanup();
  }
}
