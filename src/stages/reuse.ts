// Stage 1b (with --cache): the last result, when this run's tree cannot give another one.
// Either no file changed, or every changed file is outside what the result was computed
// from: the result's dependencies (src/cache.ts ResultDeps) say which candidates, which
// extraction requests and answers, which call-index searches and which headers the last
// run used. An edit is invalidated by that record, not by re-running the analysis:
//  - the prefilter (which runs anyway) must give the same candidates and macro names;
//  - a changed file read on the main thread (struct definitions) always counts;
//  - a changed file's calls of the names the run searched for must be the same as before
//    (the caller, callee and macro searches would answer the same);
//  - each extraction request the run sent to a changed file, or to a file whose
//    preprocessing read a changed header, is sent again: its answer must have the same
//    digest (the same functions, lines and notes);
//  - headers outside the tree that a preprocessing read (a module's --kdir) are unchanged.
// Anything else (a file added or removed, an unindexed file, a notification about a changed
// file, more than MAX_CHANGED files)
// recomputes the result from the per-file entries.
import * as path from 'path';
import { callHash } from '../parse/needles';
import { depsHold } from '../preprocess/scope';
import { indexInSorted, sameList } from '../discover';
import type { AuditCache, ResultDeps } from '../cache';
import type { TreeScan } from '../scan';
import type { FactsStore } from './facts';
import type { Notification } from '../findings';
import { rel } from './setup';

/** Beyond this many changed files the checks cost about what recomputing does. */
export const MAX_CHANGED = 64;

export interface Reuse {
  value: unknown;
  /** Changed files checked (0: none changed) and requests sent again. */
  changed: number;
  resent: number;
  deps?: ResultDeps;
}

/** The stored result if the tree as scanned cannot change it; else why not (--profile). */
export async function reusableResult(cache: AuditCache, key: string, scan: TreeScan, root: string, candidates: string[], macroNames: string[], store: FactsStore, notifications: Notification[]): Promise<Reuse | string> {
  const unchanged = cache.result(key, scan.rels.length);
  const r = cache.storedResult(key);
  // (Headers outside the tree, a module's --kdir, are not in the scan: checked first.)
  if (r?.deps && !depsHold(store.preprocess, outsideDeps(r.deps.requests), true)) return 'a header outside the tree changed';
  if (unchanged !== undefined) return { value: unchanged, changed: 0, resent: 0 };
  if (!r) return 'no result stored for these options';
  if (!r.deps) return 'the stored result has no dependency record';
  if (r.files !== scan.rels.length || cache.gone > 0) return 'files were added or removed';
  if (cache.changed.length > MAX_CHANGED) return `${cache.changed.length} files changed`;
  const deps = r.deps;
  if (!sameList(deps.candidates, candidates.map((c) => rel(root, c)).sort())) return 'the prefilter candidates changed';
  if (!sameList(deps.macroNames, [...macroNames].sort())) return 'the macro and wrapper names changed';
  // (A changed file that the scan or the last result has something to say about, skipped,
  // not valid UTF-8, ...: recomputed, rather than keeping or losing the words.)
  const changedSet = new Set(cache.changed);
  const said = [...notifications, ...((r.value as { notifications?: Notification[] }).notifications ?? [])].find((n) => n.file !== undefined && changedSet.has(n.file));
  if (said) return `${said.file}: a notification about it`;
  const read = new Set(deps.read);
  const searched = new Set(deps.searched.map(callHash));
  const resend = new Set<ResultDeps['requests'][number]>();
  for (const c of cache.changed) {
    if (read.has(c)) return `${c}: read for struct definitions`;
    const i = indexInSorted(scan.rels, c);
    const now = i >= 0 ? scan.calls(i) : undefined;
    const before = cache.storedCalls(c);
    if (!now || !before) return `${c}: no call index to compare`;
    if (!sameList(hits(before, searched), hits(now, searched))) return `${c}: calls of a searched name changed`;
    for (const q of deps.requests) if (q.file === c || q.deps?.some(([name]) => name === c)) resend.add(q);
  }
  const sent = [...resend];
  const answers = await Promise.all(sent.map((q) => store.resend(q).then((a) => a.digest, () => undefined)));
  const differs = sent.findIndex((q, k) => !q.digest || answers[k] !== q.digest);
  if (differs >= 0) return `${sent[differs].file}: its extracted facts changed`;
  return { value: r.value, changed: cache.changed.length, resent: sent.length, deps };
}

/** The dependencies outside the tree (absolute names) of the requests, once each. */
function outsideDeps(requests: ResultDeps['requests']): [string, string | null][] {
  const out = new Map<string, string | null>();
  for (const q of requests) for (const [name, h] of q.deps ?? []) if (path.isAbsolute(name)) out.set(name, h);
  return [...out];
}

/** The searched hashes among a call index, sorted. */
function hits(calls: Uint32Array, searched: Set<number>): number[] {
  const out: number[] = [];
  for (const h of calls) if (searched.has(h)) out.push(h);
  return out.sort((a, b) => a - b);
}

