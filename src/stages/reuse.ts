// Stage 1b (with --cache): the last result, when this run's tree cannot give another one.
// Either no file changed, or every changed file is outside what the result was computed
// from: the result's dependencies (src/cache.ts ResultDeps) say which candidates, which
// extraction requests and answers, which call-index searches and which headers the last
// run used. An edit is invalidated by that record, not by re-running the analysis:
//  - the prefilter (which runs anyway) must give the same candidates and macro names;
//  - a changed file read on the main thread for struct definitions must have the same
//    #includes and define the same structs (a digest of what was read of it);
//  - a changed file's calls of the names the run searched for must be the same as before
//    (the caller, callee and macro searches would answer the same);
//  - each extraction request the run sent to a changed file, or to a file whose
//    preprocessing read a changed header, is sent again: its answer must have the same
//    digest (the same functions, lines and notes), or the same shape: its functions only
//    moved, and the result is kept with its lines moved (src/stages/shift.ts);
//  - headers outside the tree that a preprocessing read (a module's --kdir) are unchanged.
// Anything else (a file added or removed, an unindexed file, a notification about a changed
// file, more than MAX_CHANGED files)
// recomputes the result from the per-file entries.
import * as path from 'path';
import { headerFactsDigest, headerFactsOf } from '../parse/includes';
import { lfText } from '../parse/cut';
import { readAsRun } from './prefilter';
import { callHash } from '../parse/needles';
import { depsHold } from '../preprocess/scope';
import { indexInSorted, sameList } from '../discover';
import type { AuditCache, ResultDeps } from '../cache';
import type { TreeScan } from '../scan';
import type { FactsStore, SentRequest } from './facts';
import { unmoved } from '../parse/shape';
import { LineMap, shiftedResult } from './shift';
import type { Notification } from '../findings';
import { rel } from './setup';

/** Beyond this many changed files the checks cost about what recomputing does. */
export const MAX_CHANGED = 64;

export interface Reuse {
  value: unknown;
  /** Changed files checked (0: none changed) and requests sent again. */
  changed: number;
  resent: number;
  /** The stored result with the lines of the changed files moved (src/stages/shift.ts). */
  moved?: boolean;
  deps?: ResultDeps;
}

/** The stored result if the tree as scanned cannot change it; else why not (--profile). */
export async function reusableResult(cache: AuditCache, key: string, scan: TreeScan, root: string, candidates: string[], macroNames: string[], store: FactsStore, notifications: Notification[]): Promise<Reuse | string> {
  const unchanged = cache.result(key, scan.rels.length);
  const r = cache.storedResult(key);
  // (Headers outside the tree, a module's --kdir, are not in the scan: checked first.)
  if (r?.deps && !depsHold(store.preprocess, outsideDeps(r.deps.requests), true)) return 'a header outside the tree changed';
  // (Makefiles are not in the scan: their -I directories decide which headers a file sees.)
  const mk = cache.makefileChanged();
  if (mk) return `${mk} changed (its -I directories decide which struct definitions a file sees)`;
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
  const readDigest = new Map(deps.readDigests ?? []);
  const searched = new Set(deps.searched.map(callHash));
  const resend = new Set<ResultDeps['requests'][number]>();
  for (const c of cache.changed) {
    // (Read for struct definitions: its #includes and the structs it defines must be the
    // same.)
    if (read.has(c) && (!readDigest.has(c) || readDigest.get(c) !== visibilityDigest(root, c))) return `${c}: read for struct definitions`;
    const i = indexInSorted(scan.rels, c);
    const now = i >= 0 ? scan.calls(i) : undefined;
    const before = cache.storedCalls(c);
    if (!now || !before) return `${c}: no call index to compare`;
    if (!sameList(hits(before, searched), hits(now, searched))) return `${c}: calls of a searched name changed`;
    for (const q of deps.requests) if (q.file === c || q.deps?.some(([name]) => name === c)) resend.add(q);
  }
  const sent = [...resend];
  const moved = await resendAll(sent, store);
  if (typeof moved === 'string') return moved;
  if (!moved) return { value: r.value, changed: cache.changed.length, resent: sent.length, deps };
  // Lines moved: the result with them, and the requests as they were sent now.
  const value = moved.map.ordered ? shiftedResult(r.value, moved.map) : null;
  if (!value) return `${moved.map.files.join(', ')}: lines moved, and a line the result cites cannot be placed`;
  const again = new Map(sent.map((q, k) => [q, moved.now[k]]));
  return { value, changed: cache.changed.length, resent: sent.length, moved: true, deps: { ...deps, requests: deps.requests.map((q) => again.get(q) ?? q) } };
}

/** Send the requests again. Undefined: every answer is the same; a string: why the result
 * cannot be kept; else the answers differ only by moved lines: where they went, and the
 * requests as sent now (a later request's skip list names the moved start lines). A file's
 * requests go in their recorded order (each one's skip list is placed by the answers
 * before it); files go in parallel. */
async function resendAll(sent: SentRequest[], store: FactsStore): Promise<{ map: LineMap; now: SentRequest[] } | string | undefined> {
  const map = new LineMap();
  const now: SentRequest[] = new Array(sent.length);
  const byFile = new Map<string, number[]>();
  sent.forEach((q, k) => { const l = byFile.get(q.file); if (l) l.push(k); else byFile.set(q.file, [k]); });
  const why = await Promise.all([...byFile.values()].map(async (ks) => {
    // (The ranges of this file's answers so far: a skip list names their start lines.)
    const mine = new LineMap();
    for (const k of ks) {
      const q = sent[k];
      const skip = q.skip.map((l) => (l < 0 ? l : mine.map(q.file, l)));
      if (skip.some((l) => l === null)) return `${q.file}: a function it skipped was not placed`;
      let a;
      try { a = await store.resend({ ...q, skip: skip as number[] }); } catch { return `${q.file}: not extracted again`; }
      const same = !!q.digest && a.digest === q.digest;
      const ranges = same ? unmoved(a.facts) : a.shift;
      if (!ranges) return `${q.file}: its extracted facts changed${q.key ? '' : ' (no earlier answer to compare)'}`;
      mine.add(ranges);
      map.add(ranges);
      now[k] = { ...q, skip: skip as number[], digest: a.digest, ...(a.key ? { key: a.key } : {}), ...(a.facts?.deps ? { deps: a.facts.deps } : {}) };
    }
    return undefined;
  }));
  const first = why.find((w) => w !== undefined);
  if (first) return first;
  return sent.every((q, k) => q.digest === now[k].digest) ? undefined : { map, now };
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


/** StructVisibility's digest of a file as it is now (null: not readable). */
function visibilityDigest(root: string, file: string): string | null {
  try {
    return headerFactsDigest(headerFactsOf(lfText(readAsRun(path.join(root, file), file))));
  } catch {
    return null;
  }
}
