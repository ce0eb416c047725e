// The audit's public types: what a caller asks for (AuditOptions) and what it gets back.
import type { SharedAnswers } from '../parse/pool';
import type { TreeInfo } from '../kernel/era';
import type { ScanProfile, Shard } from '../scan';
import type { Program, LockContext } from '../analysis/program';
import type { AnalysisBudget, FunctionCost } from '../analysis/budget';
import type { Finding, Level, Notification } from '../findings';
import type { Rule } from '../rule';
import type { WorkerPool } from '../parse/pool';

/** Two audits of trees that differ only in a few files (the gate's two sides) share the
 * extraction answers of the files that are the same in both (src/parse/pool.ts
 * SharedAnswers): `differs` the relative paths that differ, `headerListDiffers` whether a
 * header was added or removed. */
export interface ShareOptions {
  answers: SharedAnswers;
  differs: Set<string>;
  headerListDiffers: boolean;
}

export interface AuditOptions {
  paths: string[];
  /** See ShareOptions (not with `cache`). */
  share?: ShareOptions;
  /** Globs relative to the tree root (src/glob.ts): only files they match are audited. */
  include?: string[];
  /** Globs relative to the tree root: files and directories left out. */
  exclude?: string[];
  jobs?: number;
  kernelVersion?: string;
  callDepth?: number;
  maxFileSize?: number;
  prefilter?: boolean;
  only?: string[];
  disable?: string[];
  levels?: Record<string, Level | 'off'>;
  timeoutMs?: number;
  onProgress?: (phase: string, done: number, total: number) => void;
  /** Cache directory (true: the default, $XDG_CACHE_HOME/gup-audit); see src/cache.ts. */
  cache?: string | true;
  /** Only the fact entries of a cache directory (its `v1` folder, AuditCache.factsDir):
   * extractions are looked up there, and those made are written there; no index and no
   * result are read or saved (the gate's two sides, temporary trees). */
  factsCache?: string;
  /** Audit shard I of N: the prefilter and first extraction cover the files of the shard,
   * caller searches the whole tree, and only findings in files of the shard are reported. */
  shard?: Shard;
  /** Files (absolute) whose findings are wanted: `paths` is then the tree root, and only
   * these files are extracted first and reported, with the whole tree's callers as their
   * lock context (the stdin file list, the `make C=1` check). */
  focus?: string[];
  /** With `focus` and a saved cache index: take the tree's file list and every other
   * file's state from the index instead of walking and statting the tree (the per-file
   * check of a build; the index is refreshed by any ordinary --cache run). */
  trustIndex?: boolean;
  /** Called with the analysed program (the callers census); the whole result of an earlier
   * run is then not reused from the cache. */
  onProgram?: (program: Program) => void;
  /** Collect AuditResult.profile (slowest files, worker time per scan). */
  profile?: boolean;
  /** A kernel tree the audited module is built against (era and headers come from it). */
  kdir?: string;
  /** Kernel config (parsed .config) for CONFIG_* conditions. */
  kconfig?: Record<string, string>;
  /** Dataflow steps per function and per file (default: analysis/budget.ts). */
  analysisBudget?: AnalysisBudget;
  /** Worker threads to use instead of starting `jobs` new ones (for many audits in one
   * process: the workers load tree-sitter once). Its size stands for `jobs` and its own
   * time limit for `timeoutMs`; the caller closes it. */
  pool?: WorkerPool;
}

export interface AuditProfile {
  scan: ScanProfile;
  /** Extractions, slowest first (at most 20): file, ms, bytes, from the cache. */
  slowest: { file: string; ms: number; bytes: number; cached: boolean; first?: boolean; memo?: boolean }[];
  /** `memo`: requests answered from the file state a worker kept from an earlier request. */
  extract: { files: number; ms: number; cached: number; memo?: number; replayed?: { sent: number; used: number } };
  /** Call-graph rounds: wall ms building the Program, searching callers, extracting, and
   * the files and functions extracted. */
  rounds: { programMs: number; callersMs: number; extractMs: number; files: number; functions: number }[];
  /** Function analyses, slowest first (at most 20): file, function, ms, dataflow steps. */
  slowestFunctions: FunctionCost[];
  /** Wall ms of the first extraction (the candidate files), and its worker ms. */
  firstExtractMs: number;
  firstExtractWorkerMs: number;
  peakRssBytes: number;
  /** With --cache: whether the stored result was reused (after how many changed files),
   * or why not. */
  reuse?: string;
  /** #include closures computed for struct visibility, and how many of them were kept
   * from the last run (--cache). */
  closures?: { computed: number; kept: number };
  /** Function analyses (lock dataflow) computed, and taken from the last run (--cache). */
  analyses?: { computed: number; kept: number };
}

export interface AuditStats {
  filesDiscovered: number;
  bytesScanned: number;
  candidateFiles: number;
  filesParsed: number;
  functionsExtracted: number;
  callGraphRounds: number;
  gupTokenSites: number;
  gupCallSitesAttributed: number;
  unattributed: { file: string; line: number; name: string; reason: string }[];
  lockContext: Record<LockContext, number>;
  findingsByRule: Record<string, number>;
  pointerCalls: number;
  /** Calls through a struct field resolved to the functions stored into it; those left
   * unresolved for too many candidates; fields whose calls were not searched for (too many
   * calling files). */
  /** Callee names searched for their definitions (helpers called under the lock). */
  calleeNamesSearched?: number;
  /** Files extracted for those definitions (names found in more than 16 files are not). */
  calleeFilesExtracted?: number;
  pointerFields?: { resolvedCalls: number; cappedCalls: number; fieldsNotSearched: number; typeFilteredTargets?: number };
  /** Work of the analysis, counted (bounded by tests, not timed): dataflow runs of a
   * function, (function, mm key) entry summaries, and their caller-edge evaluations. */
  analysisWork: { functionAnalyses: number; entrySummaries: number; entryEvaluations: number };
  parseErrorNodes: number;
  phasesMs: Record<string, number>;
}

export interface AuditResult {
  tree: TreeInfo;
  findings: Finding[];
  notifications: Notification[];
  stats: AuditStats;
  rules: Rule[];
  profile?: AuditProfile;
}

/** Statistics of an audit, all zero. */
export function emptyStats(phases: Record<string, number>, filesDiscovered: number): AuditStats {
  return {
    filesDiscovered, bytesScanned: 0, candidateFiles: 0, filesParsed: 0, functionsExtracted: 0,
    callGraphRounds: 0, gupTokenSites: 0, gupCallSitesAttributed: 0, unattributed: [],
    lockContext: { local: 0, caller: 0, asserted: 0, none: 0, mixed: 0, self: 0, unknown: 0 },
    findingsByRule: {}, pointerCalls: 0, analysisWork: { functionAnalyses: 0, entrySummaries: 0, entryEvaluations: 0 }, parseErrorNodes: 0, phasesMs: phases,
  };
}
