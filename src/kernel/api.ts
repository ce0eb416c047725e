// The kernel API model: GUP entry points, release functions, FOLL_* flags and mmap lock
// primitives per era, from kernel-gup-api.json beside this file.
import apiJson from './kernel-gup-api.json';

export type LockReq = 'required' | 'forbidden' | 'via-locked' | 'any';
export type PinKind = 'get' | 'pin' | 'frame_vector';

export interface GupEra {
  from: string;
  to: string | null;
  params: string[];
  lock: LockReq;
  pin: PinKind;
  vmas: boolean;
  drops_lock: boolean | string;
  mm: 'current' | 'arg' | 'none';
  release?: string[];
}

export interface GupFunction {
  name: string;
  sleeps: boolean;
  eras: GupEra[];
}

export interface LockPrimitive {
  name: string;
  kind: 'acquire' | 'release' | 'assert' | 'trylock' | 'killable' | 'interruptible' | 'downgrade' | 'predicate' | 'requires';
  mode: 'read' | 'write';
  /** '&mm->mmap_sem', '&mm->mmap_lock', 'mm' or 'vma'. */
  arg: string;
  from: string;
  to: string | null;
  lock?: string;
  conditional?: boolean;
}

export interface ReleaseFunction {
  name: string;
  for: PinKind;
  params: string[];
  from: string;
  to: string | null;
}

export interface FlagInfo {
  name: string;
  caller: boolean | string;
  /** Its value in the three kernels read (null: not there), and the release it came in. */
  v4_9?: string | null;
  v6_1?: string | null;
  v6_12?: string | null;
  from?: string;
}

interface ApiJson {
  functions: GupFunction[];
  releases: ReleaseFunction[];
  flags: FlagInfo[];
  locks: LockPrimitive[];
}

const api = apiJson as unknown as ApiJson;

/** A kernel version as [major, minor]. */
export type Version = [number, number];

export function parseVersion(s: string): Version | null {
  const m = /^(\d+)\.(\d+|x)/.exec(s.trim());
  if (!m) return null;
  return [Number(m[1]), m[2] === 'x' ? 99 : Number(m[2])];
}

export function cmpVersion(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1];
}

function inRange(v: Version, from: string, to: string | null): boolean {
  const f = parseVersion(from)!;
  if (cmpVersion(v, f) < 0) return false;
  if (to === null) return true;
  const t = parseVersion(to)!;
  return cmpVersion(v, t) <= 0;
}

/** The 4.4.y stable backport and the never-built 4.9 vchiq driver call a 7-argument
 * get_user_pages(tsk, mm, start, nr_pages, gup_flags, pages, vmas) (a stale layout kept in a never-built v4.9 driver). */
const extraLayouts: Record<string, (GupEra & { stable?: string })[]> = {
  get_user_pages: [
    {
      from: '4.4', to: '4.9', params: ['tsk', 'mm', 'start', 'nr_pages', 'gup_flags', 'pages', 'vmas'],
      lock: 'required', pin: 'get', vmas: true, drops_lock: false, mm: 'arg',
      // (A release's own signature only in the 4.4.y branch, from 4.4.168.)
      stable: '4.4',
    },
  ],
};

export const gupFunctions = new Map<string, GupFunction>(api.functions.map((f) => [f.name, f]));
export const gupNames: string[] = [...gupFunctions.keys()];

export function isGupName(name: string): boolean {
  return gupFunctions.has(name);
}

/** The layout of a call: the era entry of the tree's version when the arity matches,
 * otherwise the entry of the nearest era with that arity (vendor trees mix eras). */
/** An argument that names an mm (`mm`, `vma->vm_mm`, `current->mm`, `kvm->mm`, `dst_mm`). */
function looksMm(t: string): boolean {
  const x = t.replace(/\s+/g, '').replace(/^\((?:struct)?[A-Za-z_]\w*\*?\)/, '');
  return /^(?:[A-Za-z_]\w*_)?mm$|(?:->|\.)(?:vm_)?mm$|(?:->|\.)\w*_mm$/.test(x);
}

/** An argument that names a task (`current`, `tsk`, `task`, `p->task`, NULL). */
function looksTask(t: string): boolean {
  const x = t.replace(/\s+/g, '');
  return /^(?:current|NULL|0|tsk|task|\w*_task|\w*_tsk)$|(?:->|\.)(?:task|tsk|\w*_task)$/.test(x);
}

/** Whether a call's arguments fit an era's layout where it names a task and an mm: an mm
 * passed where the era takes the task, or a task where it takes the mm, is a call written
 * for another era of the same arity (`get_user_pages_remote(vma->vm_mm, addr, 1, flags,
 * pages, NULL, locked)`, the 5.9-6.4 form, read as 4.9's `(tsk, mm, start, ...)`). */
export function layoutFits(era: GupEra, argText: string[]): boolean {
  const ti = era.params.findIndex((p) => p.split(':')[0] === 'tsk');
  const mi = era.params.findIndex((p) => p.split(':')[0] === 'mm');
  if (ti >= 0 && argText[ti] !== undefined && looksMm(argText[ti]) && !looksTask(argText[ti])) return false;
  if (mi >= 0 && argText[mi] !== undefined && looksTask(argText[mi]) && !/^(?:NULL|0)$/.test(argText[mi].trim())) return false;
  if (ti < 0 && mi >= 0 && mi + 1 < argText.length && argText[mi + 1] !== undefined && looksMm(argText[mi + 1]) && looksTask(argText[mi])) return false;
  return true;
}

export function gupLayout(name: string, arity: number, version: Version, argText?: string[]): GupEra | null {
  const fn = gupFunctions.get(name);
  if (!fn) return null;
  const eras = [...fn.eras, ...(extraLayouts[name] ?? [])];
  const exact = eras.find((e) => inRange(version, e.from, e.to) && e.params.length === arity);
  // (The arguments say the call is of another era with this arity: that era's layout, the
  // nearest that fits; none that fits: not read.)
  if (exact && argText && !layoutFits(exact, argText)) {
    const other = eras.filter((e) => e !== exact && e.params.length === arity && layoutFits(e, argText));
    if (!other.length) return null;
    const d = (e: GupEra) => { const f = parseVersion(e.from)!; return Math.abs(f[0] * 100 + f[1] - (version[0] * 100 + version[1])); };
    return other.sort((a, b) => d(a) - d(b))[0];
  }
  if (exact) return exact;
  const sameArity = eras.filter((e) => e.params.length === arity && (!argText || layoutFits(e, argText)));
  if (sameArity.length === 0) return null;
  // Nearest by distance from the tree's version to the era's start.
  const dist = (e: GupEra) => {
    const f = parseVersion(e.from)!;
    return Math.abs(f[0] * 100 + f[1] - (version[0] * 100 + version[1]));
  };
  return sameArity.sort((a, b) => dist(a) - dist(b))[0];
}

/** A call with these arguments fits a layout the version has: its release's signature, or
 * a stable branch's backported one (get_user_pages(tsk, mm, start, nr, gup_flags, pages,
 * vmas) of 4.4.168+; extraLayouts). */
export function fitsVersion(name: string, argText: string[], version: Version): boolean {
  const fn = gupFunctions.get(name);
  if (!fn) return true;
  const fit = (e: GupEra) => e.params.length === argText.length && layoutFits(e, argText);
  return fn.eras.some((e) => inRange(version, e.from, e.to) && fit(e))
    || (extraLayouts[name] ?? []).some((e) => e.stable !== undefined && cmpVersion(version, parseVersion(e.stable)!) === 0 && fit(e));
}

/** The era entry of a function in the tree's version, whatever the arity. */
export function gupEraAt(name: string, version: Version): GupEra | null {
  const fn = gupFunctions.get(name);
  if (!fn) return null;
  return fn.eras.find((e) => inRange(version, e.from, e.to)) ?? null;
}

export function existsIn(name: string, version: Version): boolean {
  return gupEraAt(name, version) !== null;
}

const lockByName = new Map<string, LockPrimitive[]>();
for (const l of api.locks) {
  if (!lockByName.has(l.name)) lockByName.set(l.name, []);
  lockByName.get(l.name)!.push(l);
}

/** Lock primitive by name, for the mm's mmap lock only (per-VMA locks are not the mmap lock). */
export function mmapLockPrimitive(name: string): LockPrimitive | null {
  const all = lockByName.get(name);
  if (!all) return null;
  const l = all.find((x) => x.lock !== 'per-vma' && x.arg !== 'vma');
  return l ?? null;
}

/** When the GUP function or mmap-lock primitive `name` (as called in `text`) first appeared,
 * as major * 1000 + minor, if it exists in the version; null otherwise. A compat switch
 * between two names (`#ifdef HAVE_PIN_USER_PAGES_FAST`) takes the newest one the version has. */
export function apiSince(name: string, text: string, version: Version): number | null {
  const num = (s: string) => { const v = parseVersion(s)!; return v[0] * 1000 + v[1]; };
  const fn = gupFunctions.get(name);
  if (fn) return gupEraAt(name, version) ? Math.min(...fn.eras.map((e) => num(e.from))) : null;
  if (!primitiveIn(name, text, version)) return null;
  return Math.min(...(lockByName.get(name) ?? []).filter((x) => x.lock !== 'per-vma' && x.arg !== 'vma').map((x) => num(x.from)));
}

/** The call `text` of this primitive is an mmap-lock call of the version: `mmap_read_lock(mm)`
 * from 5.8, `down_read(&mm->mmap_sem)` up to 5.7, `down_read(&mm->mmap_lock)` from 5.8. */
export function primitiveIn(name: string, text: string, version: Version): boolean {
  return (lockByName.get(name) ?? []).some((x) => x.lock !== 'per-vma' && x.arg !== 'vma' && inRange(version, x.from, x.to)
    && (!/mmap_(sem|lock)$/.test(x.arg) || text.includes(x.arg.replace(/^.*->/, ''))));
}

export const lockNames: string[] = [...lockByName.keys()].filter((n) => mmapLockPrimitive(n) !== null);

export const releaseFunctions = new Map<string, ReleaseFunction>();
for (const r of api.releases) if (!releaseFunctions.has(r.name)) releaseFunctions.set(r.name, r);

export const flags = new Map<string, FlagInfo>(api.flags.map((f) => [f.name, f]));

/** The `_unlocked` replacement for a lock-requiring call, if any. */
export function unlockedVariantOf(name: string): string | null {
  if (name === 'get_user_pages' || name === 'get_user_pages_remote') return 'get_user_pages_unlocked';
  if (name === 'pin_user_pages' || name === 'pin_user_pages_remote') return 'pin_user_pages_unlocked';
  return null;
}

/** Does this call take the mmap lock itself (must not be called with it held)? */
export function takesLockItself(name: string, version: Version): boolean {
  const e = gupEraAt(name, version) ?? gupFunctions.get(name)?.eras.at(-1) ?? null;
  return e?.lock === 'forbidden';
}

/** Is `#ifdef name` true for a GUP flag in the version's headers, where the module is built
 * without them at hand (no --kdir)? The flags were macros of linux/mm.h up to 6.2; 6.3 made
 * every FOLL_* an enum constant (public ones in mm_types.h, internal ones in mm/internal.h),
 * which `#ifdef` does not see. Before that: defined from the release a flag came in (where
 * known), in the 4.9 and 6.1 headers where they have it, not where they lack it; null where the
 * facts do not say (between 4.9 and 6.1 for a flag only one of them has, before 4.9, in 6.2
 * for one that 6.1 and 6.12 disagree on). */
/** Macros a distribution's kernel defines in its version.h (Red Hat's RHEL_RELEASE_CODE,
 * SUSE's SLE_VERSION_CODE, Ubuntu's UTS_UBUNTU_RELEASE_ABI, ...) and that the kernel.org
 * kernel of a version never defines: a module's `#if RHEL_RELEASE_CODE >= ...` or its
 * `#ifndef RHEL_RELEASE_CODE` / `#define RHEL_RELEASE_CODE 0` default is decided as for
 * that kernel. (With --kdir the tree's own headers say.) */
export const DISTRO_MARKER = /^(?:RHEL_(?:RELEASE_CODE|MAJOR|MINOR|RELEASE)|SLE_(?:VERSION_CODE|LOCALVERSION_CODE|PRODUCT_CODE)|SUSE_(?:VERSION|PATCHLEVEL|PRODUCT_CODE|AUXRELEASE)|UTS_UBUNTU_RELEASE_ABI|UBUNTU_KERNEL_CODE|UEK_(?:RELEASE_NUMBER|KABI_RENAME)|OPENEULER_(?:VERSION|MAJOR|MINOR)|KYLINOS_(?:MAJOR|MINOR))$/;

export function gupFlagDefined(name: string, v: Version): boolean | null {
  if (!/^FOLL_[A-Z0-9_]+$/.test(name)) return null;
  if (cmpVersion(v, [6, 3]) >= 0) return false;
  const f = flags.get(name);
  if (!f) return null;
  if (f.from && cmpVersion(v, parseVersion(f.from)!) < 0) return false;
  const has = (x: string | null | undefined) => x !== null && x !== undefined;
  const at49 = has(f.v4_9), at61 = has(f.v6_1), at612 = has(f.v6_12);
  const c49 = cmpVersion(v, [4, 9]), c61 = cmpVersion(v, [6, 1]);
  // (6.2: a flag 6.1 and 6.12 disagree on came or went in 6.2 or 6.3.)
  if (c61 > 0) return at61 === at612 ? at61 : null;
  if (f.from) return at61 ? true : c61 < 0 ? null : false;
  if (c49 === 0) return at49;
  if (c61 === 0) return at61;
  if (c49 < 0) return at49 ? null : false;
  return at49 === at61 ? at49 : null;
}
