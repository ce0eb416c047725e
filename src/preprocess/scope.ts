// The preprocessor's view of one file for the audited era and config: its live text, the
// ranges live only under undecidable conditions, and the macros and static inline wrappers
// (its own and its headers') through which it reaches the GUP and mmap-lock API.
import * as fs from 'fs';
import * as path from 'path';
import { createHash } from 'crypto';
import { cutFunctions, lfText, lineIndex, lineOf, maskCode, parseHeader, type CutFunction, type LineIndex } from '../parse/cut';
import { evaluateConditionals, liveText, macroIn, ownApiFunctions, type ConditionalResult, type MacroDefinition, type ScopeHooks, type UndecidedRange } from './conditional';
import type { ConditionEnv } from './condition';
import { ATOMIC_TARGETS, MACRO_TARGETS } from './targets';
import { intFields, intTypedefs } from '../parse/inttypes';
import { DISTRO_MARKER, gupEraAt, gupFlagDefined, gupNames, isGupName, mmapLockPrimitive, primitiveIn, type LockPrimitive, type Version } from '../kernel/api';

/** Plain data (crosses to the workers): what the audited kernel is and where headers are. */
export interface PreprocessOptions {
  versionCode: number;
  versionCodeMax: number;
  config?: Record<string, string>;
  /** Absolute directories searched for `<...>` includes (and quoted ones not beside the
   * file). Empty for a whole kernel tree: its own headers are not followed (cost), so tests
   * of their macros stay undecided. */
  includeDirs: string[];
  /** Follow `<...>` includes recursively (a module audited against --kdir): names none of
   * them defines are then known to be undefined. Off for whole kernel trees (cost). */
  followSystem: boolean;
  /** A whole kernel tree: a quoted header is read only when it names the API itself (a
   * driver's header graph can be hundreds of files); the others stay unknown. */
  shallow?: boolean;
  root: string;
  /** Names the module's Makefiles pass with -D: undecided even where followSystem would
   * take an unknown name as undefined. */
  buildDefines?: string[];
}

/** Every header a file reads, directly or through others, once each. */
function eachHeader(subs: HeaderScope[], visit: (h: HeaderScope) => void): void {
  const seen = new Set<HeaderScope>();
  const stack = [...subs];
  while (stack.length) {
    const h = stack.pop()!;
    if (seen.has(h)) continue;
    seen.add(h);
    visit(h);
    stack.push(...h.subs);
  }
}

/** The integer typedefs and struct fields of the module headers a file reads (the first
 * definition of a name wins; a field declared with two widths is left out). */
function headerInts(subs: HeaderScope[]): { types: Map<string, number>; fields: Map<string, number> } {
  const types = new Map<string, number>();
  const fields = new Map<string, number>();
  const bad = new Set<string>();
  eachHeader(subs, (h) => {
    for (const [k, v] of h.intTypes ?? []) if (!types.has(k)) types.set(k, v);
    for (const [k, v] of h.intFields ?? []) { if (fields.has(k) && fields.get(k) !== v) bad.add(k); else fields.set(k, v); }
  });
  for (const k of bad) fields.delete(k);
  return { types, fields };
}

/** The GUP functions the module's own headers a file reads define as functions. */
function headerOwnGup(subs: HeaderScope[]): string[] {
  const out = new Set<string>();
  eachHeader(subs, (h) => { for (const n of h.ownGup ?? []) out.add(n); });
  return [...out];
}

export interface FileScope {
  /** The source with dead branches blanked (same offsets), raw and masked. */
  text: string;
  masked: string;
  undecided: UndecidedRange[];
  /** Macros and wrappers that reach one of the API names, by the name used in the code. */
  macros: Map<string, MacroDefinition>;
  /** Macros and one-call static wrappers that open or close an atomic section
   * (`#define drv_lock(d) spin_lock(&(d)->lock)`): expanded in the functions audited for
   * the API, never a reason to audit one. */
  atomic: Map<string, MacroDefinition>;
  /** Function-like macros of the file (and, for a module, of its own headers) whose value
   * jumps (`goto`, `return`, `break`, `continue`: `#define CHECK_OR_GOTO(c, l) do { if
   * (!(c)) goto l; } while (0)`): expanded in the functions audited, where they are paths of
   * the control flow, never a reason to audit one. */
  control?: Map<string, MacroDefinition>;
  /** Function-like macros of the module's own headers whose value is a function's header
   * (declaratorMacros). */
  declarators?: Map<string, MacroDefinition>;
  /** 0-based lines the preprocessor blanked. */
  blanked: Set<number>;
  /** What the answer depends on besides the file's own bytes and the options. */
  deps: ScopeDeps;
  /** Integer typedefs and struct fields of the module headers it reads. */
  intTypes?: Map<string, number>;
  intFields?: Map<string, number>;
  /** Object-like macros of the headers it reads that give GUP flags (`#define DRV_GUP_FLAGS
   * (FOLL_WRITE | FOLL_LONGTERM)`): read by the flag resolver of the functions that use them. */
  flagMacros?: Map<string, MacroDefinition>;
  /** GUP functions the module's own headers it reads define as functions (CallSite.ownDef). */
  ownGup?: string[];
}

/** What a preprocessing consulted besides the file's own bytes: every header path it tried,
 * relative to the root when inside it, with a SHA-1 of the bytes (null: no such file), the
 * digest of a module's header list under `?headers` when the lookup by name was used, and
 * whether a condition read LINUX_VERSION_CODE. The facts cache keeps an answer only while
 * all of these are the same (src/parse/worker.ts). */
export interface ScopeDeps {
  files: Map<string, string | null>;
  version: boolean;
}

/** Budget of headers read per worker (a module against a kernel tree reads a few hundred). */
const MAX_HEADERS = 3000;
const MAX_INCLUDE_DEPTH = 24;
/** Names a build defines on the command line or in generated headers, never in the tree. */
const GENERATED = /^(HAVE_|CONFIG_)|CONF_|_PRESENT$|^MODULE$|^KBUILD_/;

/** Byte needles of the API (as the prefilter's): a header without one defines no alias. */
const API_BYTES = ['user_page', 'mmap_', 'get_vaddr_frames', 'memfd_pin_folios'];

interface HeaderScope {
  result: ConditionalResult;
  wrappers: MacroDefinition[];
  /** Its one-call static wrappers of an atomic-section primitive. */
  atomicWrappers: MacroDefinition[];
  /** Its own dependencies: the paths it tried and the headers it found, with their hashes
   * (what those headers depend on in turn is theirs: `subs`, a graph, not a copy per header,
   * which grew with the square of the headers of a module built against --kdir). */
  deps: ScopeDeps;
  /** The headers it included (their own deps, transitively, are this header's too). */
  subs: HeaderScope[];
  /** A module's own header (inside the audited root): its integer typedefs and the
   * integer fields of its structs (src/parse/inttypes.ts). */
  intTypes?: Map<string, number>;
  /** A module's own header: the GUP functions it defines as functions (a compat
   * `static inline long pin_user_pages(...)`), see CallSite.ownDef. */
  ownGup?: string[];
  intFields?: Map<string, number>;
  /** Its (and its headers') macros and wrappers reaching the targets, once computed. */
  relevant?: Map<string, MacroDefinition>;
  /** Its (and its headers') macros that jump (FileScope.control), once computed. */
  control?: Map<string, MacroDefinition>;
  /** Its headers' function-header macros (FileScope.declarators), once computed. */
  declarators?: Map<string, MacroDefinition>;
  /** The same for the atomic-section primitives (see FileScope.atomic). */
  relevantAtomic?: Map<string, MacroDefinition>;
  /** Its static functions that call the GUP API (gupHelpersOf), and with those of the
   * headers it includes, once computed. */
  helpers: string[];
  helpersAll?: Set<string>;
  /** Its (and its headers') object-like macros giving GUP flags, once computed. */
  flags?: Map<string, MacroDefinition>;
}
const scopeOf = new WeakMap<ConditionalResult, HeaderScope>();
const headers = new Map<string, HeaderScope | null>();
let headerOptionsKey = '';

function conditionEnv(o: PreprocessOptions, deps: ScopeDeps): Omit<ConditionEnv, 'defined' | 'value'> {
  return { versionCode: o.versionCode, versionCodeMax: o.versionCodeMax, ...(o.config ? { config: o.config } : {}), seen: deps };
}

/** SHA-1 of each file consulted, per worker and audit (null: not a readable file). */
const hashes = new Map<string, string | null>();

function sha1(data: Buffer | string): string {
  return createHash('sha1').update(typeof data === 'string' ? Buffer.from(data, 'latin1') : data).digest('hex');
}

function hashOf(abs: string): string | null {
  let h = hashes.get(abs);
  if (h !== undefined) return h;
  try { h = fs.statSync(abs).isFile() ? sha1(fs.readFileSync(abs)) : null; } catch { h = null; }
  hashes.set(abs, h);
  return h;
}

/** A dependency's name: relative to the root inside it (a copy of the tree elsewhere, or a
 * second tree, has the same), else absolute. */
function depName(o: PreprocessOptions, abs: string): string {
  const r = path.relative(o.root, abs);
  return r.startsWith('..') || path.isAbsolute(r) ? abs : r.split(path.sep).join('/');
}

/** Add the dependencies of headers and of the headers they include (each header once). */
function mergeDeps(into: ScopeDeps, subs: HeaderScope[]): void {
  const seen = new Set<HeaderScope>();
  const stack = [...subs];
  while (stack.length) {
    const h = stack.pop()!;
    if (seen.has(h)) continue;
    seen.add(h);
    for (const [k, v] of h.deps.files) into.files.set(k, v);
    if (h.deps.version) into.version = true;
    stack.push(...h.subs);
  }
}

/** Do the dependencies recorded for an answer hold in this tree? `fresh`: read the files
 * again (not this worker's memo of the audit). */
export function depsHold(o: PreprocessOptions, files: [string, string | null][], fresh = false): boolean {
  if (fresh) { hashes.clear(); moduleHeaderDigests.clear(); moduleHeaders.clear(); }
  return files.every(([name, h]) => (name === '?headers' ? moduleHeaderDigest(o.root) : hashOf(path.isAbsolute(name) ? name : path.join(o.root, name))) === h);
}

function relName(o: PreprocessOptions, abs: string): string {
  const r = path.relative(o.root, abs);
  return r.startsWith('..') ? abs : r.split(path.sep).join('/');
}

function resolveInclude(o: PreprocessOptions, spec: string, quoted: boolean, fromAbs: string, deps: ScopeDeps): string | null {
  const cands = [...(quoted ? [path.resolve(path.dirname(fromAbs), spec)] : []), ...o.includeDirs.map((d) => path.join(d, spec))];
  for (const c of cands) {
    let found = false;
    try { found = fs.statSync(c).isFile(); } catch { /* next */ }
    if (found) return c;
    deps.files.set(depName(o, c), null);
  }
  // A module whose own build system adds include directories (not kbuild's ccflags): the
  // one header of the module whose path ends with the name (`ci/driver/compat.h` found
  // under src/include/). Not for a kernel tree, whose headers are not followed.
  if (o.shallow) return null;
  deps.files.set('?headers', moduleHeaderDigest(o.root));
  return moduleHeader(o.root, spec, quoted ? fromAbs : null);
}

/** Forget every header read and every module's header list (a new audit: the files may
 * have changed). */
export function clearHeaderCaches(): void {
  headers.clear();
  headerOptionsKey = '';
  moduleHeaders.clear();
  moduleHeaderDigests.clear();
  hashes.clear();
}

/** The headers this worker holds and the dependency entries they store (each header its
 * own: the entries grow with the headers, not with their square). */
export function headerCacheStats(): { headers: number; depEntries: number } {
  let depEntries = 0;
  for (const h of headers.values()) if (h) depEntries += h.deps.files.size;
  return { headers: headers.size, depEntries };
}

/** Header files of a module read per worker at most. */
const MODULE_HEADER_CAP = 20000;
const moduleHeaders = new Map<string, Map<string, string[]>>();

const moduleHeaderDigests = new Map<string, string>();

/** A digest of the module's header list (the lookup by name answers the same while it is
 * the same). */
function moduleHeaderDigest(root: string): string {
  let d = moduleHeaderDigests.get(root);
  if (d === undefined) {
    const all = [...moduleHeaderList(root).values()].flat().map((abs) => path.relative(root, abs)).sort();
    moduleHeaderDigests.set(root, (d = sha1(all.join('\n'))));
  }
  return d;
}

/** The module's `.h` file whose path ends with `/spec` (or is named `spec`): the only one,
 * or, for a quoted include (`fromAbs`), of several (one per port of a multi-OS driver:
 * `linux/include/x.h`, `liteos/include/x.h`) the one sharing the most leading directories
 * with the including file; null when none or when that does not single one out. */
function moduleHeader(root: string, spec: string, fromAbs: string | null): string | null {
  const byBase = moduleHeaderList(root);
  const norm = path.posix.normalize(spec);
  if (norm.startsWith('..')) return null;
  const hits = (byBase.get(path.posix.basename(norm)) ?? []).filter((abs) => abs.split(path.sep).join('/').endsWith(`/${norm}`));
  if (hits.length <= 1) return hits[0] ?? null;
  // (Only for a quoted include, the module's own header: `<linux/x.h>` found in a kernel
  // copy inside the repository is no reason to read that copy.)
  if (fromAbs === null) return null;
  const from = path.relative(root, fromAbs).split(path.sep).slice(0, -1);
  const shared = (abs: string) => {
    const d = path.relative(root, abs).split(path.sep).slice(0, -1);
    let n = 0;
    while (n < d.length && n < from.length && d[n] === from[n]) n++;
    return n;
  };
  const scores = hits.map(shared);
  const best = Math.max(...scores);
  return best > 0 && scores.filter((x) => x === best).length === 1 ? hits[scores.indexOf(best)] : null;
}

/** The module's `.h` files by base name (read once per worker and audit). */
function moduleHeaderList(root: string): Map<string, string[]> {
  let byBase = moduleHeaders.get(root);
  if (!byBase) {
    byBase = new Map();
    let n = 0;
    const walk = (dir: string, depth: number) => {
      if (depth > 12 || n >= MODULE_HEADER_CAP) return;
      let entries: fs.Dirent[];
      try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
      for (const e of entries) {
        if (e.name.startsWith('.')) continue;
        const abs = path.join(dir, e.name);
        if (e.isDirectory()) walk(abs, depth + 1);
        else if (e.isFile() && e.name.endsWith('.h') && n++ < MODULE_HEADER_CAP) (byBase!.get(e.name) ?? byBase!.set(e.name, []).get(e.name)!).push(abs);
      }
    };
    walk(root, 0);
    moduleHeaders.set(root, byBase);
  }
  return byBase;
}

/** A `static inline` function whose body is one call that takes or releases the mmap lock
 * (a lock wrapper): the call, read as a function-like macro. GUP helpers stay functions (the
 * interprocedural analysis follows them). */
export function isLockWrapper(masked: string, headerStart: number, nameOffset: number, body: string, version?: Version): RegExpExecArray | null {
  // (Static, inline or not: `static void drv_lock(struct mm_struct *mm) { mmap_read_lock(mm); }`
  // in a driver's .c file is the primitive under another name as much as a static inline.)
  if (!/\b(?:inline|static)\b/.test(masked.slice(headerStart, nameOffset))) return null;
  if (/^\s*#/m.test(body)) {
    const arm = compatArm(body, version);
    if (arm === null) return null;
    body = arm;
  }
  // (`return &current->mm->mmap_lock;`: a helper naming the lock, used as
  // `down_read(drv_mmap_lock())`; its expansion is the address it returns.)
  const addr = /^return\s+(&\s*[A-Za-z_][\w\s>.-]*?(?:->|\.)\s*mmap_(?:sem|lock))\s*;$/.exec(body);
  if (addr) { addr[1] = addr[1].replace(/\s+/g, ''); return addr; }
  const m = /^(?:return\s+)?([A-Za-z_]\w*)\s*\([^;{}]*\)\s*;$/.exec(body);
  if (!m || !(LOCK_TARGETS.has(m[1]) || /\bmmap_(sem|lock)\b/.test(body))) return null;
  m[1] = body.replace(/^return\s+/, '').replace(/;$/, '').trim();
  return m;
}

const LOCK_TARGETS = new Set([...MACRO_TARGETS].filter((n) => !isGupName(n)));

/** A compat lock wrapper's body that the preprocessor could not decide (a configure switch,
 * `#ifdef HAVE_MMAP_LOCK`, or the raw text the prefilter reads): one `#if`/`#elif`/`#else`
 * chain, nothing outside it, each arm one call of an mmap-lock primitive, all arms the same
 * operation (`mmap_read_lock(mm)` / `down_read(&mm->mmap_sem)`). The arm the era has (the
 * first one without an era), as a one-statement body; null for any other shape. */
function compatArm(body: string, version?: Version): string | null {
  const arms: string[] = [];
  let open = false;
  let closed = false;
  for (const line of body.split('\n')) {
    const d = /^\s*#\s*(\w+)/.exec(line);
    if (d) {
      if (/^if(n?def)?$/.test(d[1]) && !open && !closed) { open = true; arms.push(''); }
      else if ((d[1] === 'elif' || d[1] === 'else') && open) arms.push('');
      else if (d[1] === 'endif' && open) { open = false; closed = true; }
      else return null;
    } else if (line.trim()) {
      if (!open) return null;
      arms[arms.length - 1] += ` ${line.trim()}`;
    }
  }
  // (Without #else, the wrapper may do nothing: no lock operation of its own.)
  if (!closed || arms.length < 2 || !/^\s*#\s*else\b/m.test(body)) return null;
  // (An accessor of the lock itself, `return &mm->mmap_lock;` / `return &mm->mmap_sem;`:
  // the arm naming the era's field.)
  const addrs = arms.map((a) => /^return\s+&\s*([A-Za-z_][\w\s>.-]*?)(?:->|\.)\s*(mmap_(?:sem|lock))\s*;$/.exec(a.trim()));
  if (addrs.every((m) => m !== null) && new Set(addrs.map((m) => m![1].replace(/\s+/g, ''))).size === 1) {
    const field = version && (version[0] > 5 || (version[0] === 5 && version[1] >= 8)) ? 'mmap_lock' : 'mmap_sem';
    return (addrs.find((m) => m![2] === field) ?? addrs[0])![0].trim();
  }
  const ops = arms.map((a) => {
    const m = /^(?:return\s+)?([A-Za-z_]\w*)\s*\([^;{}]*\)\s*;$/.exec(a.trim());
    const p = m ? mmapLockPrimitive(m[1]) : null;
    return p && (LOCK_TARGETS.has(m![1]) || /\bmmap_(sem|lock)\b/.test(a)) ? { text: a.trim(), p } : null;
  });
  if (ops.some((o) => o === null)) return null;
  const ok = ops as { text: string; p: LockPrimitive }[];
  if (ok.some((o) => o.p.kind !== ok[0].p.kind || o.p.mode !== ok[0].p.mode)) return null;
  const inEra = version ? ok.find((o) => primitiveIn(o.p.name, o.text, version)) : undefined;
  return (inEra ?? ok[0]).text;
}

/** A static function's header offsets, name, parameters and body text (without braces). */
interface StaticBody { name: string; params: string[]; body: string; line: number; headerStart: number; nameOffset: number }

/** The static functions of a masked text: the cut ones, and those written on one line
 * (`static inline void drv_lock(struct drv *d) { spin_lock(&d->lock); }`), which the cutter
 * (a column-0 closing brace) does not see. */
function staticBodies(masked: string, lines: LineIndex, cuts: CutFunction[], all = false): StaticBody[] {
  const out: StaticBody[] = [];
  for (const c of cuts) {
    if (!c.isStatic && !all) continue;
    const open = masked.indexOf('{', Math.max(c.nameOffset, lines.starts[c.braceLine]));
    if (open < 0 || open >= c.end) continue;
    out.push({ name: c.name, params: c.params, body: masked.slice(open + 1, c.end - 1).trim(), line: c.headerLine + 1, headerStart: c.headerStart, nameOffset: c.nameOffset });
  }
  const re = /^[ \t]*static\b[^;{}\n]*\)[ \t]*\{([^{}\n]*)\}[ \t]*$/gm;
  if (!/\)[ \t]*\{[^{}\n]*\}[ \t]*$/m.test(masked)) return out;
  // (A one-line function from column 0 is a cut already: cutFunctions.)
  const cutAtStart = new Set(cuts.map((c) => c.headerStart));
  let m: RegExpExecArray | null;
  while ((m = re.exec(masked))) {
    if (cutAtStart.has(m.index)) continue;
    const header = m[0].slice(0, m[0].indexOf('{'));
    const h = parseHeader(header);
    if (!h || !h.nameInText) continue;
    out.push({ name: h.name, params: h.params, body: m[1].trim(), line: lineOf(lines, m.index) + 1, headerStart: m.index, nameOffset: m.index + h.nameAt });
  }
  return out;
}

/** Lock wrappers among the static functions of a masked text: function-like macros. */
function wrappersOf(masked: string, file: string, cuts?: CutFunction[], version?: Version): MacroDefinition[] {
  // Every lock wrapper names mmap_sem, mmap_lock or an mmap_* primitive.
  if (!masked.includes('mmap_')) return [];
  const lines = lineIndex(masked);
  const out: MacroDefinition[] = [];
  const all = cuts ?? cutFunctions(masked, lines);
  for (const c of staticBodies(masked, lines, all)) {
    const m = isLockWrapper(masked, c.headerStart, c.nameOffset, c.body, version);
    if (!m) continue;
    out.push({ name: c.name, params: c.params, value: m[1].replace(/\s+/g, ' '), line: c.line, file });
  }
  // An accessor of an accessor (`struct rw_semaphore *drv_log_sem(struct mm_struct *mm) {
  // return get_mmap_sem(mm); }`, where get_mmap_sem() returns `&mm->mmap_lock`), static
  // or not, inline or not: it names the lock as much as the one it returns, and has no
  // lock effect a summary could carry. Its value is the call, expanded again where used.
  const accessors = new Set(out.filter((w) => w.value.startsWith('&')).map((w) => w.name));
  for (let grew = accessors.size > 0; grew;) {
    grew = false;
    for (const c of staticBodies(masked, lines, all, true)) {
      if (accessors.has(c.name) || out.some((w) => w.name === c.name)) continue;
      const m = /^return\s+([A-Za-z_]\w*)\s*\(([^;{}()]*)\)\s*;$/.exec(c.body);
      if (!m || !accessors.has(m[1])) continue;
      out.push({ name: c.name, params: c.params, value: `${m[1]}(${m[2].replace(/\s+/g, ' ').trim()})`, line: c.line, file });
      accessors.add(c.name);
      grew = true;
    }
  }
  return out;
}

/** Functions of a masked text (static ones only, for a header) whose body calls the GUP API:
 * a macro that calls one of them (`#define drv_gup(...) drv_compat_gup(...)`) is a way to
 * the API as much as one calling the API itself, and is expanded where it is used, so the
 * call reaches the helper in the call graph. */
export function gupHelpersOf(masked: string, cuts: CutFunction[] | undefined, header: boolean, only?: Set<string>): string[] {
  if (only?.size === 0 || !/user_page|get_vaddr_frames|memfd_pin_folios/.test(masked)) return [];
  const lines = lineIndex(masked);
  const out: string[] = [];
  const all = cuts ?? cutFunctions(masked, lines);
  for (const c of staticBodies(masked, lines, only ? all.filter((x) => only.has(x.name)) : all, !header)) {
    if (only && !only.has(c.name)) continue;
    if ([...c.body.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)].some((m) => isGupName(m[1])) && !isGupName(c.name)) out.push(c.name);
  }
  return out;
}

/** A header's GUP helpers and those of the headers it includes (transitively). */
function helpersOf(h: HeaderScope, depth = 0): Set<string> {
  if (h.helpersAll) return h.helpersAll;
  const out = new Set(h.helpers);
  h.helpersAll = out; // (an include cycle sees what is there so far)
  if (depth <= MAX_INCLUDE_DEPTH) {
    for (const inc of h.result.included) {
      const sub = scopeOf.get(inc.scope);
      if (sub) for (const n of helpersOf(sub, depth + 1)) out.add(n);
    }
  }
  return out;
}

/** `name(args)` or `do { name(args); } while (0)`: the one call of a wrapper macro's value. */
const ONE_CALL = /^(?:do\s*\{\s*)?([A-Za-z_]\w*)\s*\([^;{}]*\)\s*;?\s*(?:\}\s*while\s*\(\s*0\s*\))?$/;

/** Static functions of a masked text whose body is one call of an atomic-section primitive
 * (`static inline void drv_lock(struct drv *d) { spin_lock(&d->lock); }`): function-like
 * macros of that call. */
/** Names of the atomic-section primitives, to skip texts without any. */
const ATOMIC_BYTES = /\b(?:spin|read|write)_(?:un|try)?lock|\brcu_read_|\bpreempt_|\blocal_(?:irq|bh)_|\bpagefault_|\bkmap_atomic|\b(?:get|put)_cpu/;

function atomicWrappersOf(masked: string, file: string, cuts?: CutFunction[]): MacroDefinition[] {
  if (!ATOMIC_BYTES.test(masked)) return [];
  const lines = lineIndex(masked);
  const out: MacroDefinition[] = [];
  for (const c of staticBodies(masked, lines, cuts ?? cutFunctions(masked, lines))) {
    // (`return spin_trylock(&d->lock);`: a trylock wrapper, read in its caller's condition.)
    const m = /^(?:return\s+)?([A-Za-z_]\w*)\s*\([^;{}]*\)\s*;$/.exec(c.body);
    if (m && ATOMIC_TARGETS.has(m[1])) {
      out.push({ name: c.name, params: c.params, value: c.body.replace(/^return\s+/, '').slice(0, -1).replace(/\s+/g, ' ').trim(), line: c.line, file });
      continue;
    }
    // One primitive call among plain stores of the object it guards (`spin_lock(&q->lock);
    // q->owner = current;`): the call is what the section sees. Any other call, a block or
    // a test, and it is not a wrapper.
    if (/[{}]/.test(c.body)) continue;
    const stmts = c.body.split(';').map((x) => x.trim()).filter((x) => x.length > 0);
    const calls = stmts.filter((x) => x.includes('('));
    if (stmts.length < 2 || calls.length !== 1 || /^return\b/.test(calls[0])) continue;
    const one = /^([A-Za-z_]\w*)\s*\([^;]*\)$/.exec(calls[0]);
    if (!one || !ATOMIC_TARGETS.has(one[1]) || !stmts.every((x) => x === calls[0] || /^[\w>.\-\[\]\s*]+(?:=|\+\+|--|\+=|-=)[^()]*$/.test(x))) continue;
    out.push({ name: c.name, params: c.params, value: calls[0].replace(/\s+/g, ' ').trim(), line: c.line, file });
  }
  return out;
}

const buildDefineSets = new WeakMap<PreprocessOptions, Set<string>>();
function buildDefined(o: PreprocessOptions, name: string): boolean {
  if (!o.buildDefines) return false;
  let set = buildDefineSets.get(o);
  if (!set) buildDefineSets.set(o, (set = new Set(o.buildDefines)));
  return set.has(name);
}

function hooksFor(o: PreprocessOptions, fromAbs: string, depth: number, unresolved: { any: boolean }, deps: ScopeDeps, subs: HeaderScope[]): ScopeHooks {
  return {
    defined: (name) => {
      if (name === '__KERNEL__') return true;
      if (o.followSystem) return !unresolved.any && !GENERATED.test(name) && !buildDefined(o, name) ? false : null;
      // (A module built without the kernel's headers at hand: a GUP flag's `#ifdef` as the
      // version's headers answer it, gupFlagDefined. A kernel tree's own code reads its own.)
      if (o.shallow || buildDefined(o, name)) return null;
      if (DISTRO_MARKER.test(name)) return false;
      return gupFlagDefined(name, eraOf(o));
    },
    fromBuild: (name) => buildDefined(o, name),
    include: (spec, quoted, into, conditional) => {
      const abs = resolveInclude(o, spec, quoted, fromAbs, deps);
      if (!abs) { unresolved.any = true; return; }
      const h = headerScope(o, abs, depth + 1, unresolved);
      deps.files.set(depName(o, abs), hashOf(abs));
      if (h) subs.push(h);
      if (h) into.included.push({ scope: h.result, ...(conditional ? { conditional } : {}) });
    },
  };
}

function newDeps(): ScopeDeps {
  return { files: new Map(), version: false };
}

function headerScope(o: PreprocessOptions, abs: string, depth: number, unresolved: { any: boolean }): HeaderScope | null {
  const key = JSON.stringify([o.versionCode, o.versionCodeMax, o.config ?? null, o.includeDirs, o.followSystem, o.shallow ?? false, o.root, o.buildDefines ?? null]);
  if (key !== headerOptionsKey) { headers.clear(); headerOptionsKey = key; }
  if (headers.has(abs)) return headers.get(abs)!;
  if (depth > MAX_INCLUDE_DEPTH || headers.size >= MAX_HEADERS) { unresolved.any = true; return null; }
  headers.set(abs, null); // (an include cycle sees nothing)
  let raw: string;
  try { raw = fs.readFileSync(abs, 'latin1'); } catch { unresolved.any = true; return null; }
  hashes.set(abs, sha1(raw));
  raw = lfText(raw);
  // (A kernel tree's header is read for the API's names, or for the static inline wrappers
  // of an atomic-section primitive a driver keeps beside its .c files.)
  if (o.shallow && !API_BYTES.some((b) => raw.includes(b)) && !(raw.includes('static') && ATOMIC_BYTES.test(raw))) { unresolved.any = true; return null; }
  const masked = maskCode(raw);
  const file = relName(o, abs);
  const deps = newDeps();
  const subs: HeaderScope[] = [];
  const result = evaluateConditionals(masked, raw, file, conditionEnv(o, deps), hooksFor(o, abs, depth, unresolved, deps, subs));
  const live = liveText(masked, result);
  const h: HeaderScope = { result, wrappers: wrappersOf(live, file, undefined, eraOf(o)), atomicWrappers: atomicWrappersOf(live, file), helpers: gupHelpersOf(live, undefined, true), deps, subs };
  // (Only the module's own headers: the kernel's, under --kdir, name thousands of structs.)
  if (!path.isAbsolute(depName(o, abs))) {
    const types = intTypedefs(live);
    const fields = intFields(live, types);
    if (types.size) h.intTypes = types;
    if (fields.size) h.intFields = fields;
    const own = [...ownApiFunctions(live).keys()].filter(isGupName);
    if (own.length) h.ownGup = own;
  }
  headers.set(abs, h);
  scopeOf.set(result, h);
  return h;
}

/** Keep the macros whose expansion reaches one of `targets` (transitively), except those
 * named like an API function themselves (a module's own fallback definition of it). */
export function relevantMacros(all: Map<string, MacroDefinition>, targets: ReadonlySet<string>): Map<string, MacroDefinition> {
  const out = new Map<string, MacroDefinition>();
  if (all.size === 0) return out;
  // A module's adapter of an API function under its own name (`#define
  // get_user_pages_remote(t, m, s, n, w, f, p, v) get_user_pages_remote(t, m, s, n, (w ?
  // FOLL_WRITE : 0) | ..., p, v, NULL)`): the calls are read as the adapter writes them (the
  // preprocessor does not expand the name again inside its own value).
  for (const [k, v] of all) if (targets.has(k) && v.params && selfAdapter(k, v.value)) out.set(k, v);
  // Fixpoint: a macro naming a target, then one naming such a macro, and so on.
  let names = [...targets];
  for (let round = 0; round < 16 && names.length; round++) {
    const re = new RegExp(`\\b(?:${names.map((n) => n.replace(/\$/g, '\\$')).join('|')})\\b`);
    const fresh: string[] = [];
    for (const [k, v] of all) {
      if (out.has(k) || targets.has(k) || !re.test(v.value)) continue;
      out.set(k, v);
      fresh.push(k);
    }
    names = fresh;
  }
  return out;
}

/** The value is one call of the macro's own name (in `do { } while (0)` or parentheses,
 * or as `return`-less expression). */
function selfAdapter(name: string, value: string): boolean {
  const m = /^(?:do\s*\{\s*)?\(*\s*([A-Za-z_]\w*)\s*\(/.exec(value);
  return !!m && m[1] === name;
}

/** The macros of a scope (its own, its wrappers, and its headers' relevant ones) that reach
 * the targets; headers' answers are computed once per worker. */
function relevantOf(r: ConditionalResult, wrappers: MacroDefinition[], targets: ReadonlySet<string>, depth: number, atomic = false, helpers: Iterable<string> = []): Map<string, MacroDefinition> {
  // (Each header's answer is cached on it, so a shared header is computed once.)
  const all = new Map<string, MacroDefinition>();
  const extended = new Set(targets);
  const helperNames = new Set(atomic ? [] : helpers);
  for (const inc of r.included) {
    const h = scopeOf.get(inc.scope);
    if (!h || depth > MAX_INCLUDE_DEPTH) continue;
    if (!atomic) for (const n of helpersOf(h)) helperNames.add(n);
    const got = atomic ? (h.relevantAtomic ??= relevantOf(h.result, h.atomicWrappers, targets, depth + 1, true))
      : (h.relevant ??= relevantOf(h.result, h.wrappers, targets, depth + 1, false, h.helpers));
    for (const [k, v] of got) { all.set(k, inc.conditional ? { ...v, conditional: inc.conditional } : v); extended.add(k); }
  }
  const own = new Map(r.macros);
  // (An atomic wrapper is one call, or one call in `do { } while (0)`: a statement
  // expression or a longer body is not expanded into the audited code.)
  if (atomic) for (const [k, v] of own) if (!v.params || !ONE_CALL.test(v.value)) own.delete(k);
  for (const w of wrappers) if (!own.has(w.name)) own.set(w.name, w);
  // (A helper that is also a macro of this scope, one per #if arm, stays a macro.)
  for (const n of helperNames) if (!own.has(n) && !all.has(n)) extended.add(n);
  const mine = relevantMacros(own, extended);
  // A name this scope defines itself is its own definition, relevant or not.
  for (const k of own.keys()) if (!mine.has(k)) all.delete(k);
  for (const [k, v] of mine) all.set(k, v);
  return all;
}

/** The audited kernel's version, as the API model names eras. */
function eraOf(o: PreprocessOptions): Version {
  return [o.versionCode >> 16, (o.versionCode >> 8) & 0xff];
}

/** Preprocess one file (raw text and its masked form). */
export function preprocessFile(o: PreprocessOptions, abs: string, file: string, raw: string, masked: string, targets: ReadonlySet<string>,
  cut?: (liveMasked: string, blanked: Set<number>) => CutFunction[]): FileScope {
  const unresolved = { any: false };
  const deps = newDeps();
  const subs: HeaderScope[] = [];
  const result = evaluateConditionals(masked, raw, file, conditionEnv(o, deps), hooksFor(o, abs, 0, unresolved, deps, subs));
  mergeDeps(deps, subs);
  const liveMasked = liveText(masked, result);
  const blanked = blankedLines(masked, result.dead);
  const cuts = cut?.(liveMasked, blanked);
  const wrappers = wrappersOf(liveMasked, file, cuts, eraOf(o));
  // (The file's own helpers matter only as what its own macros call.)
  const called = new Set<string>();
  for (const m of result.macros.values()) for (const c of m.value.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) called.add(c[1]);
  const macros = relevantOf(result, wrappers, targets, 0, false, gupHelpersOf(liveMasked, cuts, false, called));
  const atomic = relevantOf(result, atomicWrappersOf(liveMasked, file, cuts), ATOMIC_TARGETS, 0, true);
  for (const k of macros.keys()) atomic.delete(k);
  // A module's definition of a GUP function the era lacks as one it has (`#define
  // pin_user_pages get_user_pages` under `#ifndef FOLL_PIN`, a 4.x build): an alias like any
  // other there (where the era has the name, such a definition is the module's fallback and
  // is left alone).
  // So is the module's own rename of a GUP function the era has to another one it has,
  // live for this version (`#define get_user_pages get_user_pages_remote` under a decided
  // `#if LINUX_VERSION_CODE >= KERNEL_VERSION(4, 6, 0)`): the preprocessor replaces every
  // use, whatever the kernel declares.
  const era = eraOf(o);
  for (const name of gupNames) {
    if (macros.has(name) || !liveMasked.includes(name)) continue;
    const d = macroIn(result, name);
    const first = d ? /^\s*([A-Za-z_]\w*)/.exec(d.value)?.[1] : undefined;
    if (!d || !first || first === name || !isGupName(first) || !gupEraAt(first, era)) continue;
    const rename = !d.params && !d.conditional && !path.isAbsolute(d.file) && d.value.trim() === first;
    if (!gupEraAt(name, era) || rename) macros.set(name, d);
  }
  const ints = subs.length ? headerInts(subs) : null;
  const ownGup = subs.length ? headerOwnGup(subs) : [];
  const control = controlMacros(result, !o.shallow, 0);
  for (const k of [...macros.keys(), ...atomic.keys()]) control.delete(k);
  const flagMacros = flagMacrosOf(result, 0, false);
  const declarators = o.shallow ? new Map<string, MacroDefinition>() : declaratorMacros(result, 0);
  return { text: liveText(raw, result), masked: liveMasked, undecided: result.undecided, macros, atomic, blanked, deps,
    ...(ints?.types.size ? { intTypes: ints.types } : {}), ...(ints?.fields.size ? { intFields: ints.fields } : {}),
    ...(flagMacros.size ? { flagMacros } : {}), ...(ownGup.length ? { ownGup } : {}), ...(control.size ? { control } : {}), ...(declarators.size ? { declarators } : {}) };
}

const JUMPS = /\b(?:goto|return|break|continue)\b/;

/** FileScope.control: a scope's function-like macros whose value jumps, live for the era
 * (not under an undecided condition), with those of the module's own headers it includes
 * (`headers`: not for a whole kernel tree, whose headers' wait and loop macros are the
 * kernel's). The file's own definition of a name wins. */
function controlMacros(r: ConditionalResult, headers: boolean, depth: number): Map<string, MacroDefinition> {
  const out = new Map<string, MacroDefinition>();
  if (headers && depth <= MAX_INCLUDE_DEPTH) {
    for (const inc of r.included) {
      const h = scopeOf.get(inc.scope);
      if (!h || inc.conditional) continue;
      for (const [k, v] of (h.control ??= controlMacros(h.result, true, depth + 1))) out.set(k, v);
    }
  }
  for (const [k, v] of r.macros) {
    if (!v.params || v.conditional || path.isAbsolute(v.file) || v.value.includes('##') || !JUMPS.test(v.value)) continue;
    out.set(k, v);
  }
  return out;
}

/** FileScope.declarators: the function-like macros of the module's own headers a file
 * includes whose value is a function's header (`#define DRV_STORE(n) ssize_t drv_ ## n(struct
 * kobject *k, ...)`), live for the era: a function written `DRV_STORE(size) { ... }` is
 * named by them (headersByFileMacros). */
function declaratorMacros(r: ConditionalResult, depth: number): Map<string, MacroDefinition> {
  const out = new Map<string, MacroDefinition>();
  if (depth > MAX_INCLUDE_DEPTH) return out;
  for (const inc of r.included) {
    const h = scopeOf.get(inc.scope);
    if (!h || inc.conditional) continue;
    for (const [k, v] of (h.declarators ??= declaratorMacros(h.result, depth + 1))) out.set(k, v);
    for (const [k, v] of h.result.macros) {
      if (!v.params || v.conditional || path.isAbsolute(v.file) || /[;{}]/.test(v.value) || !/[A-Za-z_]\w*\s*\([^()]*\)\s*$/.test(v.value)) continue;
      out.set(k, v);
    }
  }
  return out;
}

/** The object-like macros of a scope's headers (and, for a header, its own) whose value
 * names a GUP flag or another such macro. */
function flagMacrosOf(r: ConditionalResult, depth: number, own: boolean): Map<string, MacroDefinition> {
  const out = new Map<string, MacroDefinition>();
  for (const inc of r.included) {
    const h = scopeOf.get(inc.scope);
    if (!h || depth > MAX_INCLUDE_DEPTH) continue;
    for (const [k, v] of (h.flags ??= flagMacrosOf(h.result, depth + 1, true))) out.set(k, v);
  }
  if (own) {
    for (const [k, v] of r.macros) {
      // (A module's own headers: the kernel's are the API, and name the flags themselves.)
      if (v.params || v.conditional || path.isAbsolute(v.file)) continue;
      const names = v.value.match(/[A-Za-z_]\w*/g) ?? [];
      if (names.some((n) => /^FOLL_[A-Z0-9_]+$/.test(n) || out.has(n))) out.set(k, v);
    }
  }
  return out;
}

function blankedLines(text: string, dead: [number, number][]): Set<number> {
  const out = new Set<number>();
  if (dead.length === 0) return out;
  const lines = lineIndex(text);
  for (const [s, e] of dead) {
    let l = lineOf(lines, s);
    // A line counts when the range covers it from its start.
    if (lines.starts[l] < s) l++;
    for (; l < lines.starts.length && lines.starts[l] < e; l++) out.add(l);
  }
  return out;
}
