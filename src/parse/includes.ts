// Which struct definitions a file can see: its #include closure in the audited tree. A call
// through a struct member (`info->bind(dev)`) can only use a struct whose definition the
// calling file sees, so a function stored into `.bind` of a struct defined in a header
// that file never includes is not one of its targets (a usbnet driver's `info->bind` never
// reaches ttm's `.bind`).
//
// The closure is an over-approximation: every #include is followed whatever #if surrounds
// it. Only headers in the tree are read (include/, include/uapi/, the file's architecture's
// include directories, x86's for files outside arch/, and the including file's directory
// for quoted names); a quoted include that resolves nowhere (a directory added with -I by a
// Makefile) makes the closure incomplete, and an incomplete closure sees everything.
import * as fs from 'fs';
import * as path from 'path';
import { createHash } from 'crypto';
import { lfText, maskCode } from './cut';
import { kbuildIncludeFlags } from './kbuild';

/** A file's includes as resolved with one include-directory list, and whether one that
 * counts resolved nowhere. */
interface Edges { hits: string[]; unresolved: boolean }

export interface HeaderFacts {
  includes: { name: string; quoted: boolean }[];
  structs: Set<string>;
}

/** #include closures kept between runs (--cache: src/cache.ts), for the files whose closure
 * cannot have changed (no header, Makefile or Kbuild changed, no file added or removed, no
 * file of the closure changed); `reads`: what the run that computed them read or looked
 * for, which this run's result then depends on too. */
export interface ClosureStore {
  get(file: string): Closure | undefined;
  reads: string[];
}

/** A file's #include closure (itself included), and whether every include that counts was
 * resolved. */
export interface Closure { files: Set<string>; complete: boolean }

/** Header facts kept between runs (--cache: src/cache.ts, keyed by the file's stat key). */
export interface HeaderFactsStore {
  get(rel: string): HeaderFacts | undefined;
  set(rel: string, facts: HeaderFacts): void;
}

const INCLUDE_RE = /^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]/gm;
const STRUCT_DEF_RE = /\bstruct\s+([A-Za-z_]\w*)\s*(?:__[A-Za-z_]\w*(?:\([^()]*\))?\s*)*\{/g;

const GENERATED = /^(asm|generated|uapi\/asm)\/|^linux\/(version|compile|utsrelease|bounds)\.h$/;

/** Files read per audit at most (headers included): beyond it every struct is visible. */
export const INCLUDE_FILE_CAP = 20000;

export class StructVisibility {
  private facts = new Map<string, HeaderFacts | null>();
  private closures = new Map<string, Closure>();
  /** Whether a kept closure was used (its run's reads then count as this run's). */
  private usedKept = false;
  /** Closures computed, and taken from the kept ones. */
  closuresComputed = 0;
  closuresKept = 0;
  /** Per include-directory list (joined): each file's resolved includes, and each <angle>
   * name's resolution. */
  private perDirs = new Map<string, { edges: Map<string, Edges | null>; angles: Map<string, string | null> }>();
  private definers = new Map<string, string[]>();
  private mkDirs = new Map<string, string[]>();
  private dirs = new Map<string, boolean>();
  private realRoot?: string;
  /** Headers and sources read (bounded by INCLUDE_FILE_CAP). */
  filesRead = 0;
  /** The Makefiles and Kbuild files read for -I directories: a digest of each, null when
   * absent or not readable. */
  private makefilesRead = new Map<string, string | null>();

  /** `absent(rel)`: true when the file is known not to exist (the discovery of the whole
   * tree did not find it), so that looking for an include in every directory does not cost
   * a failed system call per directory. */
  constructor(private readonly root: string, private readonly absent: (rel: string) => boolean = () => false, private readonly kept?: HeaderFactsStore, private readonly keptClosures?: ClosureStore) {}

  /** Files of the tree read (or looked for) for struct definitions, relative paths. */
  get readPaths(): string[] {
    const own = [...this.facts.keys()];
    return this.usedKept ? [...new Set([...own, ...this.keptClosures!.reads])] : own;
  }

  /** The digest of what was read of each file this run read for struct definitions (null:
   * not there, or not readable): an edit of one that leaves its digest alone cannot change
   * what this run saw (src/stages/reuse.ts). */
  get readDigests(): [string, string | null][] {
    return [...this.facts].map(([rel, f]) => [rel, f ? headerFactsDigest(f) : null]);
  }

  /** The Makefiles and Kbuild files this run read (or looked for), with a digest of each:
   * an edit of one can change which headers a file sees (src/cache.ts makefileChanged). */
  get makefileDigests(): [string, string | null][] {
    return [...this.makefilesRead].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** The closures of this run, to keep for the next (null when the read cap was reached:
   * a closure cut short by it is not one to keep). */
  closuresToKeep(): { file: string; closure: Closure }[] | null {
    if (this.filesRead >= INCLUDE_FILE_CAP) return null;
    return [...this.closures].map(([file, closure]) => ({ file, closure }));
  }

  /** Can code in `fromFile` (tree-relative) use struct `name`, defined where `storeFile`'s
   * closure defines it? True when that definition is not found or the closure is not
   * complete: only a known definition out of reach is a no. */
  visible(fromFile: string, name: string, storeFile: string): boolean {
    const defs = this.definersFor(storeFile, name);
    if (defs.length === 0) return true;
    const c = this.closure(fromFile);
    if (!c.complete) return true;
    return defs.some((d) => c.files.has(d));
  }

  /** Is `header` in `fromFile`'s #include closure? null: not found in a closure that is not
   * complete (it may be reached through an include the tool could not resolve). */
  reaches(fromFile: string, header: string): boolean | null {
    const c = this.closure(fromFile);
    if (c.files.has(header)) return true;
    return c.complete ? false : null;
  }

  private definersFor(storeFile: string, name: string): string[] {
    const k = `${storeFile}\0${name}`;
    let d = this.definers.get(k);
    if (!d) {
      const c = this.closure(storeFile);
      d = [...c.files].filter((f) => this.read(f)?.structs.has(name));
      this.definers.set(k, d);
    }
    return d;
  }

  private closure(file: string): Closure {
    let c = this.closures.get(file);
    if (c) return c;
    c = this.keptClosures?.get(file);
    if (c) {
      this.usedKept = true;
      this.closuresKept++;
      this.closures.set(file, c);
      return c;
    }
    this.closuresComputed++;
    c = { files: new Set([file]), complete: true };
    const arch = /^arch\/([^/]+)\//.exec(file)?.[1] ?? 'x86';
    const dirs = [...this.makefileDirs(path.posix.dirname(file)), 'include', 'include/uapi', `arch/${arch}/include`, `arch/${arch}/include/uapi`];
    const dirsKey = dirs.join('\0');
    let memo = this.perDirs.get(dirsKey);
    if (!memo) this.perDirs.set(dirsKey, (memo = { edges: new Map(), angles: new Map() }));
    for (let i = 0, queue = [file]; i < queue.length; i++) {
      const e = this.edgesOf(queue[i], dirs, memo);
      if (e === null) { if (i === 0) c.complete = false; continue; }
      if (e.unresolved) c.complete = false;
      for (const hit of e.hits) if (!c.files.has(hit)) { c.files.add(hit); queue.push(hit); }
      if (this.filesRead >= INCLUDE_FILE_CAP) { c.complete = false; break; }
    }
    this.closures.set(file, c);
    return c;
  }

  /** A file's includes resolved with the include directories `dirs` (once per file and
   * directory list: closures share most of their headers), and whether one that counts
   * resolved nowhere; null when the file cannot be read. */
  private edgesOf(file: string, dirs: string[], memo: { edges: Map<string, Edges | null>; angles: Map<string, string | null> }): Edges | null {
    const known = memo.edges.get(file);
    if (known !== undefined) return known;
    const f = this.read(file);
    let out: Edges | null = null;
    if (f !== null) {
      out = { hits: [], unresolved: false };
      for (const inc of f.includes) {
        const hit = this.resolveInclude(inc, file, dirs, memo.angles);
        if (hit !== null) { out.hits.push(hit); continue; }
        // (Generated headers: asm/ wrappers of asm-generic, generated/, version.h; the
        // compiler's own <stdarg.h>.)
        // (A <dir/x.h> whose dir is in no include directory is the C library's: <sys/types.h>
        // under #ifndef __KERNEL__ in a uapi header.)
        if (!GENERATED.test(inc.name) && (inc.quoted || this.inKernelDir(inc.name, dirs))) out.unresolved = true;
      }
    }
    // (Not kept while the read cap is near: a later read may fail where this one did not.)
    if (this.filesRead < INCLUDE_FILE_CAP) memo.edges.set(file, out);
    return out;
  }

  /** The -I directories kbuild adds for a directory's files: its Makefile's (or Kbuild's)
   * ccflags-y / EXTRA_CFLAGS / CFLAGS_x.o, and subdir-ccflags-y of it and its parents. */
  private makefileDirs(dir: string): string[] {
    const hit = this.mkDirs.get(dir);
    if (hit) return hit;
    const out: string[] = [];
    for (let d = dir, own = true; ; own = false) {
      for (const name of ['Makefile', 'Kbuild']) {
        let text: string;
        const rel = path.posix.join(d, name);
        try { text = fs.readFileSync(this.inside(rel), 'latin1'); } catch { this.makefilesRead.set(rel, null); continue; }
        this.makefilesRead.set(rel, makefileDigest(text));
        for (const f of kbuildIncludeFlags(text, d, !own)) {
          // (Relative to the tree root, where kbuild runs; $(srctree) is that root.)
          if (f.variable !== null && f.variable !== 'srctree') continue;
          const n = path.posix.normalize(f.path === '' ? '.' : f.path);
          if (!n.startsWith('..') && !path.posix.isAbsolute(n) && !out.includes(n)) out.push(n);
        }
      }
      if (d === '.' || d === '') break;
      d = path.posix.dirname(d);
    }
    this.mkDirs.set(dir, out);
    return out;
  }

  /** A tree file's text (Latin-1): opened without following a symbolic link, which is
   * followed only when it stays in the tree (inside()). */
  private readInside(rel: string): string {
    let fd: number;
    try {
      fd = fs.openSync(path.join(this.root, rel), fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ELOOP') throw e;
      fd = fs.openSync(this.inside(rel), 'r');
    }
    try { return lfText(fs.readFileSync(fd, 'latin1')); } finally { fs.closeSync(fd); }
  }

  /** The absolute path of a tree file, refusing (throwing) a symbolic link that leads out
   * of the tree: only the audited tree is read. */
  private inside(rel: string): string {
    return insideTree(this.root, rel, () => (this.realRoot ??= fs.realpathSync(this.root)));
  }

  private inKernelDir(name: string, dirs: string[]): boolean {
    const slash = name.indexOf('/');
    if (slash < 0) return false;
    const top = name.slice(0, slash);
    return dirs.some((d) => {
      const k = `${d}/${top}`;
      let hit = this.dirs.get(k);
      if (hit === undefined) {
        try { hit = fs.statSync(path.join(this.root, k)).isDirectory(); } catch { hit = false; }
        this.dirs.set(k, hit);
      }
      return hit;
    });
  }

  private resolveInclude(inc: { name: string; quoted: boolean }, from: string, dirs: string[], angles: Map<string, string | null>): string | null {
    // (An <angle> include resolves the same from every file with these directories.)
    if (!inc.quoted) {
      let hit = angles.get(inc.name);
      if (hit === undefined) {
        hit = this.resolveIn(inc, from, dirs);
        if (this.filesRead < INCLUDE_FILE_CAP) angles.set(inc.name, hit);
      }
      return hit;
    }
    return this.resolveIn(inc, from, dirs);
  }

  private resolveIn(inc: { name: string; quoted: boolean }, from: string, dirs: string[]): string | null {
    const cands = inc.quoted ? [path.posix.join(path.posix.dirname(from), inc.name), ...dirs.map((d) => `${d}/${inc.name}`)] : dirs.map((d) => `${d}/${inc.name}`);
    for (const c of cands) {
      // (Most names need no normalising: no `.` or empty segment.)
      const n = c.includes('/.') || c.includes('//') || c.startsWith('.') ? path.posix.normalize(c) : c;
      if (n.startsWith('..')) continue;
      if (this.read(n) !== null) return n;
    }
    return null;
  }

  private read(rel: string): HeaderFacts | null {
    const hit = this.facts.get(rel);
    if (hit !== undefined) return hit;
    let out: HeaderFacts | null = null;
    const known = this.filesRead < INCLUDE_FILE_CAP ? this.kept?.get(rel) : undefined;
    if (known) {
      this.filesRead++;
      out = known;
    } else if (this.filesRead < INCLUDE_FILE_CAP && !this.absent(rel)) {
      try {
        const text = this.readInside(rel);
        this.filesRead++;
        out = headerFactsOf(text);
        this.kept?.set(rel, out);
      } catch {
        out = null;
      }
    }
    this.facts.set(rel, out);
    return out;
  }
}

/** What the struct visibility reads of a file (LF text): its #include lines (at masked
 * lines: not in a comment or string) and the names of the structs it defines. */
export function headerFactsOf(text: string): HeaderFacts {
  const masked = maskCode(text);
  const includes: HeaderFacts['includes'] = [];
  // (#include names are string-like: read them from the raw text, at masked lines.)
  for (const m of text.matchAll(INCLUDE_RE)) if (masked.charCodeAt(m.index! + m[0].indexOf('#')) === 35) includes.push({ name: m[2].trim(), quoted: m[1] === '"' });
  const structs = new Set<string>();
  for (const m of masked.matchAll(STRUCT_DEF_RE)) structs.add(m[1]);
  return { includes, structs };
}

export function headerFactsDigest(f: HeaderFacts): string {
  return createHash('sha1').update(JSON.stringify([f.includes.map((i) => `${i.quoted ? '"' : '<'}${i.name}`), [...f.structs].sort()])).digest('hex');
}

export function makefileDigest(text: string): string {
  return createHash('sha1').update(text, 'latin1').digest('hex');
}

/** A Makefile's digest as StructVisibility reads it now: null when it is absent, not
 * readable, or a link out of the tree. */
export function currentMakefileDigest(root: string, rel: string): string | null {
  try {
    return makefileDigest(fs.readFileSync(insideTree(root, rel, () => fs.realpathSync(root)), 'latin1'));
  } catch {
    return null;
  }
}

/** The absolute path of a tree file, refusing (throwing) a symbolic link that leads out of
 * the tree (`realRoot`: the tree's real path, asked for only when there is a link). */
function insideTree(root: string, rel: string, realRoot: () => string): string {
  const abs = path.join(root, rel);
  if (fs.lstatSync(abs).isSymbolicLink()) {
    const r = path.relative(realRoot(), fs.realpathSync(abs));
    if (r.startsWith('..') || path.isAbsolute(r)) throw new Error('outside the tree');
  }
  return abs;
}
