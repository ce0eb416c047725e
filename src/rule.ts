// What a rule module exports (ESLint-style: metadata plus a check over the analysed facts),
// and everything a rule gets to work with: the rule context. A rule imports nothing but this
// module (types and the helpers below) and types from src/findings.ts and src/parse/ir.ts
// (test/layers.test.js checks it); the analyses and the kernel API model reach it through
// the context, built once per audit in src/stages/rule-context.ts.
import type { Finding, Level, MessageData, Related, RuleMeta } from './findings';
import type { CallSite, Expr, FunctionIR, Span } from './parse/ir';
import type { FunctionAnalysis, LockVal, World } from './analysis/lockstate';
import type { CallerStep, Program } from './analysis/program';
import type { GupSite } from './analysis/sites';
import type { Region, RegionWork } from './analysis/region';
import type { FlagSet } from './analysis/flags';
import type { Lifecycle } from './analysis/pagerefs';
import type { Fam } from './analysis/pages';
import type { AtomicAnalysis, AtomicClass } from './analysis/atomic';
import type { GupEra, GupFunction, LockPrimitive, Version } from './kernel/api';
import type { Replacement } from './kernel/replace';

// The analysis types rules name in their own helpers.
export type { CallSite, Expr, Span } from './parse/ir';
export type { FunctionAnalysis, LockVal, World } from './analysis/lockstate';
export type { CallerStep, Program } from './analysis/program';
export type { GupSite } from './analysis/sites';
export type { FlagOrigin, FlagSet } from './analysis/flags';
export type { Lifecycle, LifecycleFinding, LifecycleStep, PageAcquire } from './analysis/pagerefs';
export type { AtomicAnalysis, AtomicClass, Opener } from './analysis/atomic';
export type { Version } from './kernel/api';
export type { MessageData } from './findings';
export { renderMessage } from './findings';
export { lockExpr, lockInCaller } from './analysis/atomic';

export interface ReportInput {
  fa: FunctionAnalysis;
  span: Span;
  /** The message: a key of the rule's meta.messages, and the values of its placeholders
   * (the context renders it; an unknown id or a placeholder left without a value throws). */
  messageId: string;
  data: MessageData;
  callText: string;
  related?: Related[];
  flow?: Related[];
  hint?: string;
  /** Overrides the rule's level for this finding (e.g. a note when callers are unknown). */
  level?: Level;
  rewrite?: Finding['rewrite'];
  /** The caller chains the message cites, innermost caller first. */
  chains?: CallerStep[][];
  /** Where the finding happens when that is not its primary location (the returns that
   * leave a lock held): when every one of them is under an #if the tool cannot decide and
   * the primary location is not, the message says so (`[only if ...]`). */
  onlyWhere?: Span[];
  /** The finding exists only under this undecided condition (LockQueries.undecidedWhere). */
  onlyIf?: string;
}

/** Lock-state queries over the worlds of the lock dataflow (src/analysis/lockstate.ts). */
export interface LockQueries {
  /** The state of the mmap lock of `key` in a world (E, as at entry, when it has none). */
  lockOf(w: World, key: string): LockVal;
  /** Some other mm's lock is held in the world (a key the dataflow could not tie to `key`). */
  otherKeyHeld(w: World, key: string): boolean;
  /** The GUP call needs the mmap lock held by its caller (era lock 'required' or 'via-locked'). */
  requiresLock(site: GupSite): boolean;
  /** The function records lock ownership in a state word (`obj->locked = 1`, `*locked = 1`):
   * it hands the lock over by design. Memoised per function. */
  recordsLockState(fa: FunctionAnalysis): boolean;
  /** The undecided `#if` conditions all these worlds took the same way (one test of them
   * earlier in the function decided a later one): the finding exists only if they hold. */
  undecidedWhere(worlds: World[]): string | undefined;
}

/** Locked regions (src/analysis/region.ts): where a local acquire is held, and what it holds. */
export interface RegionQueries {
  /** The region of the acquire call `acquire` on the lock of `key` (memoised per function). */
  of(fa: FunctionAnalysis, acquire: number, key: string): Region;
  /** What the region does besides GUP: `isGup` is the GUP call asked about, or a test for
   * the GUP calls of interest (then every reason is listed). */
  work(fa: FunctionAnalysis, region: Region, isGup: number | ((id: number) => boolean)): RegionWork;
  /** A call of this name needs the mmap lock (or the vma it protects). */
  needsLock(name: string): boolean;
  /** The function's accesses to fields the mmap lock protects (vma->vm_*, mm->locked_vm). */
  fieldsNeedingLock(fa: FunctionAnalysis): string[];
}

/** FOLL_* flags reaching a GUP call (src/analysis/flags.ts). One resolver per audit, shared
 * by every rule: it caches only each function's assignments. */
export interface FlagQueries {
  /** Flags `e` may carry in `fa` at `line`, each with where it was written. */
  resolve(fa: FunctionAnalysis, e: Expr, line: number): FlagSet;
  /** The gup_flags argument of a call with this parameter layout, if it has one. */
  argOf(params: string[], args: Expr[]): Expr | null;
  /** A whole-line span, for a flag origin known only by its line. */
  lineSpan(line: number): Span;
}

/** Page references (src/analysis/pagerefs.ts, src/analysis/pages.ts). */
export interface PageQueries {
  /** The page-reference analysis of the whole program, run once (on the first call) and
   * shared by the rules that ask for it. */
  lifecycle(): Lifecycle;
  /** The pages argument of GUP call `id` of `fa` and its family (get or pin). */
  gupPagesArg(fa: FunctionAnalysis, id: number): { arg: Expr; fam: Fam } | null;
  /** The access path an expression names (`foo->pages`, `pages`), or null. */
  rootOf(e: Expr): string | null;
  /** The lines of the assignments of NULL to local `v` that may reach call `id` of `fa`
   * (none when every path to the call tests or reassigns it). */
  nullReaching(fa: FunctionAnalysis, id: number, v: string): number[];
}

/** Atomic sections (src/analysis/atomic.ts). */
export interface AtomicQueries {
  /** The atomic sections open at each call of the function (memoised per function). */
  of(fa: FunctionAnalysis): AtomicAnalysis;
  /** "a spinlock held", "preemption disabled", ... */
  describe(c: AtomicClass): string;
}

/** The kernel API model (src/kernel/api.ts, src/kernel/replace.ts) and the preprocessor's
 * undecided conditions. */
export interface KernelApi {
  /** The function exists in a kernel of this version. */
  existsIn(name: string, version: Version): boolean;
  isGupName(name: string): boolean;
  /** The mmap lock primitive of this name (a wrapper or a raw rwsem call), if any. */
  mmapLockPrimitive(name: string): LockPrimitive | null;
  /** Every GUP function of the model, by name. */
  gupFunctions: ReadonlyMap<string, GupFunction>;
  cmpVersion(a: Version, b: Version): number;
  parseVersion(s: string): Version | null;
  /** The *_unlocked call that replaces a locked GUP call in this version, if one does. */
  unlockedReplacement(call: CallSite, era: GupEra, version: Version): Replacement | null;
  /** Before 4.10, the unlocked variant taking tsk and mm that replaces a remote
   * get_user_pages call in this version, if one does. */
  remoteUnlockedReplacement(call: CallSite, era: GupEra, version: Version): Replacement | null;
  /** The condition the tool could not decide that the line is under, if it is under one. */
  undecidedAt(ranges: FunctionIR['undecided'], line: number): string | undefined;
}

export interface RuleContext {
  program: Program;
  version: Version;
  /** True when the tree has include/linux/mmap_lock.h (v5.8+). */
  hasMmapLockWrappers: boolean;
  /** The GUP call sites of the program, computed once per audit and shared by every rule:
   * frozen, a rule must not change them. */
  sites: readonly Readonly<GupSite>[];
  locks: LockQueries;
  regions: RegionQueries;
  flags: FlagQueries;
  pages: PageQueries;
  atomic: AtomicQueries;
  api: KernelApi;
  /** `a() <- b() <- c()` for a caller chain, innermost first. */
  chainText(chain: CallerStep[]): string;
  report(input: ReportInput): void;
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): void;
}

export function rel(role: Related['role'], fa: FunctionAnalysis, span: Span, message: string): Related {
  return { role, file: fa.fn.file, span, message };
}
