// The rule context (src/rule.ts): what the rules get from the analysed program, built once
// per audit and shared by every rule. The GUP call sites are listed once (frozen: one rule
// cannot change what the next one sees); the flag resolver, the atomic-section analysis
// and the page-reference analysis are shared, so their caches serve every rule.
import type { Version } from '../kernel/api';
import { cmpVersion, existsIn, gupFunctions, isGupName, mmapLockPrimitive, parseVersion } from '../kernel/api';
import { remoteUnlockedReplacement, unlockedReplacement } from '../kernel/replace';
import { undecidedAt } from '../preprocess/remap';
import type { TreeInfo } from '../kernel/era';
import type { Program } from '../analysis/program';
import { chainText } from '../analysis/program';
import { gupSites, otherKeyHeld, requiresLock, type GupSite } from '../analysis/sites';
import { lockOf, recordsLockState, undecidedWhere, type FunctionAnalysis } from '../analysis/lockstate';
import { fieldsNeedingLock, NEEDS_LOCK, regionOf, regionWork } from '../analysis/region';
import { FlagResolver, flagsArg, lineSpan } from '../analysis/flags';
import { pageLifecycle } from '../analysis/pagerefs';
import { gupPagesArg, rootOf } from '../analysis/pages';
import { nullReaching } from '../analysis/nullness';
import { analyseAtomic, describeClass, type AtomicAnalysis } from '../analysis/atomic';
import type { AtomicQueries, FlagQueries, KernelApi, LockQueries, PageQueries, RegionQueries, RuleContext } from '../rule';

/** The context without its report(), which the caller sets per rule. */
export function createRuleContext(program: Program, version: Version, tree: TreeInfo): RuleContext {
  return {
    program, version,
    hasMmapLockWrappers: tree.hasMmapLockH || version[0] > 5 || (version[0] === 5 && version[1] >= 8),
    sites: frozenSites(program),
    locks: lockQueries(),
    regions: regionQueries,
    flags: flagQueries(program),
    pages: pageQueries(program),
    atomic: atomicQueries(),
    api,
    chainText,
    report: () => undefined,
  };
}

/** The sites, each frozen with the list: a rule that wrote to one would throw (the compiled
 * modules are strict), not change the facts of the rules after it. */
function frozenSites(program: Program): readonly Readonly<GupSite>[] {
  return Object.freeze(gupSites(program).map((s) => Object.freeze(s)));
}

function lockQueries(): LockQueries {
  const records = new Map<FunctionAnalysis, boolean>();
  return {
    lockOf, otherKeyHeld, requiresLock, undecidedWhere,
    recordsLockState(fa) {
      let r = records.get(fa);
      if (r === undefined) { r = recordsLockState(fa.fn.nodes.map((n) => n.expr)); records.set(fa, r); }
      return r;
    },
  };
}

const regionQueries: RegionQueries = {
  of: regionOf,
  work: regionWork,
  needsLock: (name) => NEEDS_LOCK.test(name),
  fieldsNeedingLock,
};

function flagQueries(program: Program): FlagQueries {
  const resolver = new FlagResolver(program);
  return {
    resolve: (fa, e, line) => resolver.resolve(fa, e, line),
    argOf: flagsArg,
    lineSpan,
  };
}

function pageQueries(program: Program): PageQueries {
  return { lifecycle: () => pageLifecycle(program), gupPagesArg, rootOf, nullReaching: (fa, id, v) => nullReaching(fa.fn, id, v) };
}

function atomicQueries(): AtomicQueries {
  const memo = new Map<FunctionAnalysis, AtomicAnalysis>();
  return {
    of(fa) {
      let a = memo.get(fa);
      if (!a) { a = analyseAtomic(fa.fn); memo.set(fa, a); }
      return a;
    },
    describe: describeClass,
  };
}

const api: KernelApi = {
  existsIn, isGupName, mmapLockPrimitive, gupFunctions, cmpVersion, parseVersion, unlockedReplacement, remoteUnlockedReplacement, undecidedAt,
};
