import type { FunctionAnalysis, KernelApi, Rule, RuleContext, Version } from '../src/rule';
import { rel } from '../src/rule';

/** The assertion the era has: mmap_assert_locked() where it exists, else lockdep on the
 * rwsem field of that era (mmap_sem before 5.8). */
function assertionFor(api: KernelApi, key: string, v: Version): string {
  const p = api.mmapLockPrimitive('mmap_assert_locked');
  const from = p ? p.from.split('.').map(Number) : [5, 8];
  if (v[0] > from[0] || (v[0] === from[0] && v[1] >= from[1])) return 'mmap_assert_locked()';
  return `lockdep_assert_held(&${key}->mmap_sem)`;
}

const REQUIRES = '{{call}}() requires the mmap lock of {{mm}}';
const PARTLY = `${REQUIRES}; {{function}}() is called with it from {{heldChain}}, but the lock is not known to be held on the path from {{chain}}: `;
// ({{own}}: "neither takes nor asserts it", or, for a function that takes the lock on some
// paths to the call only (`if (!have_lock) mmap_read_lock(mm);`), says so.)
const UNKNOWN = `${REQUIRES}; {{function}}() {{own}} and `;

/** What the function itself does with the lock on the paths to a call: nothing, or takes
 * it on some of them only (the acquire that holds it on the others). */
function ownLockText(ctx: RuleContext, fa: FunctionAnalysis, callId: number, key: string): string {
  for (const w of fa.atCall[callId] ?? []) {
    const v = ctx.locks.lockOf(w, key);
    if ((v.st === 'R' || v.st === 'W') && v.acq !== undefined && fa.fn.calls[v.acq]) {
      const a = fa.fn.calls[v.acq];
      return `takes it only on some paths to this call (${a.name}() at line ${a.span.line})`;
    }
  }
  return 'neither takes nor asserts it';
}

const rule: Rule = {
  meta: {
    id: 'missing-mmap-lock',
    name: 'MissingMmapLock',
    level: 'error',
    short: 'A GUP function that requires the mmap lock is reached without it.',
    full: 'get_user_pages(), pin_user_pages() and *_remote() without a locked argument require the caller to hold the mmap lock of the mm they walk (6.3+ asserts it). A path reaches the call with the lock not held: not taken locally, not asserted and not held by every caller.',
    tags: ['mm', 'gup', 'mmap_lock', 'correctness'],
    precision: 'medium',
    messages: {
      'not-held-on-path': `${REQUIRES}, but it is not held on a path to this call`,
      'not-held-on-path-see-line': `${REQUIRES}, but it is not held on a path to this call (see line {{line}})`,
      'caller-without-lock': `${REQUIRES}; {{function}}() does not take it and is called without it from {{chain}}`,
      'caller-without-lock-entry': `${REQUIRES}; {{function}}() does not take it and is called without it from {{chain}}: {{entryFunction}}() is {{entry}}`,
      'entry-without-lock': `${REQUIRES}; {{function}}() does not take it and is {{entry}}`,
      'partly-held-unmapped-mm': `${PARTLY}there {{callee}}() uses the mm {{otherMm}}, which {{outerCaller}}() does not pass: the lock of that mm could not be followed`,
      'partly-held-no-caller': `${PARTLY}no caller of {{outerCaller}}() was found`,
      'partly-held-same-caller': `${REQUIRES}; {{function}}() is called from {{chain}} with the lock held on some paths there and not on others, and no caller of {{outerCaller}}() was found`,
      'no-caller-found': `${UNKNOWN}no caller of {{function}}() was found (exported, or called through a pointer): add {{assertion}} if callers hold it`,
      'callers-beyond-depth': `${UNKNOWN}the caller chain is deeper than --call-depth: add {{assertion}} if callers hold it`,
      'callers-unchecked': `${UNKNOWN}its callers could not be checked: add {{assertion}} if callers hold it`,
      'unmapped-mm-above': `${UNKNOWN}it is called from {{chain}}, but there {{callee}}() uses the mm {{otherMm}}, which {{outerCaller}}() does not pass: add {{assertion}} if callers hold it`,
      'no-caller-found-above': `${UNKNOWN}it is called from {{chain}}, and no caller of {{outerCaller}}() was found (exported, or called through a pointer): add {{assertion}} if callers hold it`,
      'own-mm': `${REQUIRES}; {{function}}() finds that mm itself ({{otherMm}}) and takes none of its lock`,
      'caller-own-mm': `${REQUIRES}; {{function}}() does not take it and is called without it from {{chain}}: {{owner}}() finds that mm itself ({{otherMm}}) and takes none of its lock`,
      // (The lock held is another task's, looked up by pid: the call works on current->mm.)
      'other-mm-locked': `${REQUIRES}, but the lock held here is the one of {{other}}, the mm of a task {{function}}() looks up ({{task}}), not of current->mm: to work on that mm, use {{remote}}`,
      // (The other way round: the call works on the looked-up task's mm, current's is locked.)
      'current-mm-locked': `${REQUIRES}, the mm of a task {{function}}() looks up ({{task}}), but the lock held here is the one of current->mm: take the lock of {{mm}} instead`,
    },
  },
  check(ctx) {
    for (const s of ctx.sites) {
      if (!ctx.locks.requiresLock(s)) continue;
      const { fa, call, cls } = s;
      const key = cls.key!;
      // The values of the placeholders (each message takes those it names).
      // (The mm as the call writes it, `sc->mm`, where the analysis follows a local alias
      // back to a parameter, `data->mm`.)
      const mi = cls.era ? cls.era.params.findIndex((p) => p.split(':')[0] === 'mm') : -1;
      const written = mi >= 0 ? call.argText[mi]?.replace(/\s+/g, ' ').trim() : '';
      const base = { call: String(call.name), mm: written || key, function: fa.fn.name };
      const worlds = fa.atCall[call.id];
      const droppedIn = worlds.filter((w) => { const st = ctx.locks.lockOf(w, key).st; return st === 'U' || st === 'D'; });
      const dropped = droppedIn.map((w) => ctx.locks.lockOf(w, key));
      if (dropped.length) {
        const onlyIf = ctx.locks.undecidedWhere(droppedIn);
        const by = dropped.find((v) => v.by !== undefined)?.by;
        const related = by !== undefined ? [rel('release', fa, fa.fn.calls[by].callSpan, fa.classes[by].kind === 'gup' ? 'lock may be dropped by this call' : 'lock released (or not acquired) here')] : [];
        ctx.report({
          fa, span: call.span, callText: call.text,
          messageId: by !== undefined ? 'not-held-on-path-see-line' : 'not-held-on-path', ...(onlyIf ? { onlyIf } : {}),
          data: { ...base, ...(by !== undefined ? { line: fa.fn.calls[by].span.line } : {}) },
          related,
        });
        continue;
      }
      // A current->mm call with only another task's mm locked (one the function looks up by
      // pid, `get_task_mm(get_pid_task(...))`): the lock held is not the one the call needs.
      if (key === 'current->mm' && worlds.length && worlds.every((w) => ctx.locks.lockOf(w, key).st === 'E' && ctx.locks.otherKeyHeld(w, key))) {
        const other = foreignHeld(fa, worlds, ctx.locks.lockOf);
        if (other) {
          const remote = /^pin_/.test(String(call.name)) ? 'pin_user_pages_remote' : 'get_user_pages_remote';
          ctx.report({ fa, span: call.span, callText: call.text, messageId: 'other-mm-locked', data: { ...base, other: other.key, task: other.task, remote: ctx.api.existsIn(remote, ctx.version) ? `${remote}(${other.key}, ...)` : 'the remote GUP call of this kernel' } });
          continue;
        }
      }
      // A call on a looked-up task's mm with only current->mm locked.
      if (key !== 'current->mm' && worlds.length && worlds.every((w) => ctx.locks.lockOf(w, key).st === 'E' && ['R', 'W'].includes(ctx.locks.lockOf(w, 'current->mm').st)
        && Object.keys(w.locks).every((k) => k === 'current->mm' || k === key || !['R', 'W', 'A'].includes(ctx.locks.lockOf(w, k).st)))) {
        const task = pidTaskOf(fa, key);
        if (task) {
          ctx.report({ fa, span: call.span, callText: call.text, messageId: 'current-mm-locked', data: { ...base, task } });
          continue;
        }
      }
      const entry = worlds.filter((w) => ctx.locks.lockOf(w, key).st === 'E' && !ctx.locks.otherKeyHeld(w, key));
      if (entry.length === 0) continue;
      // (Only on paths that took undecided #ifs one way: the message says so.)
      const onlyIf = ctx.locks.undecidedWhere(entry);
      const only = onlyIf ? { onlyIf } : {};
      // Lock ownership kept in a state word across calls: the entry state is that word's.
      if (ctx.locks.recordsLockState(fa)) continue;
      // The body of a GUP API function (mm.h's get_user_page_vma_remote()): its contract
      // hands the requirement to its callers, which are checked at their call sites. (Not a
      // module's own function of a GUP name the version lacks: its callers call it as any
      // other function, CallSite.ownDef, so the requirement is checked here.)
      if (ctx.api.isGupName(fa.fn.name) && ctx.api.existsIn(fa.fn.name, ctx.version)) continue;
      const es = ctx.program.entryState(fa, key, call.id);
      // (Every caller passes a constant that takes the function's own lock path.)
      if (es.ruledOut) continue;
      if (es.ownMm && !es.held.length && !es.unheld.length) {
        ctx.report({ fa, span: call.span, callText: call.text, ...only, messageId: 'own-mm', data: { ...base, owner: fa.fn.name, otherMm: fa.fn.aliases[key] ?? key } });
        continue;
      }
      if (es.unheld.length) {
        const chain = es.unheld[0];
        ctx.report({
          fa, span: call.span, callText: call.text,
          messageId: es.unheldEntry ? 'caller-without-lock-entry' : 'caller-without-lock', ...only,
          data: { ...base, chain: ctx.chainText(chain), entryFunction: chain[chain.length - 1].caller.fn.name, entry: es.unheldEntry ?? '' },
          related: chain.map((st) => rel('caller', st.caller, st.call.span, `called without mmap_lock from ${st.caller.fn.name}`)),
          chains: [chain],
        });
        continue;
      }
      if (es.entry?.lock === 'unheld') {
        ctx.report({ fa, span: call.span, callText: call.text, messageId: 'entry-without-lock', ...only, data: { ...base, entry: es.entry.what } });
        continue;
      }
      if (es.entry?.lock === 'held' && !es.unknown.length) continue;
      if (es.held.length && es.unknown.length) {
        // Some callers hold the lock; another path comes from a function that takes no lock
        // and whose own callers are unknown (an entry point, or called through a pointer).
        const chain = es.unknown[0];
        const last = chain[chain.length - 1];
        // That path only reached --call-depth: no evidence against the callers that hold it
        // (the mm core's deep chains, ttm's eviction paths); stay silent.
        if (es.unknownEnd?.why !== 'unmapped' && !ctx.program.callersSearched(last.caller)) continue;
        const callee = chain.length > 1 ? chain[chain.length - 2].caller.fn.name : fa.fn.name;
        const ue = es.unknownEnd;
        ctx.report({
          fa, span: call.span, callText: call.text, level: 'note', ...only,
          // (A path that only reached --call-depth was left above: its callers were searched.)
          // (The same call site on both sides: the lock is taken there on one path only.)
          messageId: ue?.why === 'unmapped' ? 'partly-held-unmapped-mm' : ctx.chainText(es.held[0]) === ctx.chainText(chain) ? 'partly-held-same-caller' : 'partly-held-no-caller',
          data: {
            ...base, heldChain: ctx.chainText(es.held[0]), chain: ctx.chainText(chain), callee, otherMm: ue?.why === 'unmapped' ? ue.key : '',
            outerCaller: last.caller.fn.name,
          },
          related: [...chain, ...es.held[0]].map((st) => rel('caller', st.caller, st.call.span, `called from ${st.caller.fn.name}`)),
          chains: [es.held[0], chain],
        });
        continue;
      }
      if (es.held.length) continue;
      // The chain ends in a function that finds the mm itself (`task = pid_task(...); mm =
      // task->mm;`) and passes it on without its lock: no caller of that function can hold
      // the lock of an mm it does not know.
      const ue = es.unknownEnd;
      const uc = es.unknown[0];
      if (ue?.why === 'unmapped' && ue.ownMm && uc?.length) {
        const upTo = ue.ownMm === 'caller' ? uc : uc.slice(0, -1);
        const owner = upTo.length ? upTo[upTo.length - 1].caller : fa;
        ctx.report({
          fa, span: call.span, callText: call.text, ...only,
          messageId: upTo.length ? 'caller-own-mm' : 'own-mm',
          data: { ...base, chain: upTo.length ? ctx.chainText(upTo) : '', owner: owner.fn.name, otherMm: ue.key },
          related: upTo.map((st) => rel('caller', st.caller, st.call.span, `called without mmap_lock from ${st.caller.fn.name}`)),
          ...(upTo.length ? { chains: [upTo] } : {}),
        });
        continue;
      }
      // The function takes its own reference to the mm (`mm = get_task_mm(task)`) and no
      // caller is known to hold its lock: a caller cannot have locked an mm it did not pass.
      const got = taskMmOf(fa, key);
      if (got) {
        ctx.report({ fa, span: call.span, callText: call.text, ...only, messageId: 'own-mm', data: { ...base, owner: fa.fn.name, otherMm: got } });
        continue;
      }
      // A header's static function that no file of the tree was found to call: it is called
      // only where the header is included, and no such caller was found (a header that a
      // build includes with -include, a caller reached through a chain of macros): nothing
      // to judge the lock by, and nothing says it is reached at all.
      if (es.noCaller && fa.fn.isStatic && fa.fn.file.endsWith('.h') && ctx.program.callersSearched(fa)) continue;
      // (The chain ends in a function nobody calls: the message names it.)
      const above = !es.noCaller && !es.cut && ue && uc?.length ? uc : null;
      ctx.report({
        fa, span: call.span, callText: call.text, level: 'note', ...only,
        messageId: es.noCaller ? 'no-caller-found' : es.cut ? 'callers-beyond-depth' : above ? (ue?.why === 'unmapped' ? 'unmapped-mm-above' : 'no-caller-found-above') : 'callers-unchecked',
        data: {
          ...base, assertion: assertionFor(ctx.api, key, ctx.version), own: ownLockText(ctx, fa, call.id, key),
          ...(above ? { chain: ctx.chainText(above), outerCaller: above[above.length - 1].caller.fn.name, callee: above.length > 1 ? above[above.length - 2].caller.fn.name : fa.fn.name, otherMm: ue?.why === 'unmapped' ? ue.key : '' } : {}),
        },
        related: es.unknown.slice(0, 3).map((c) => rel('caller', c[0].caller, c[0].call.span, `called from ${c[0].caller.fn.name}`)),
        chains: es.unknown.slice(0, 3).map((c) => [c[0]]),
      });
    }
  },
};
/** Calls that look a task up by pid: its mm is another task's (as far as the code says). */
const PID_LOOKUP = /^(get_pid_task|pid_task|find_task_by_vpid|find_get_task_by_vpid|find_task_by_pid_ns)$/;

/** A call assigned to a local (`v = name(...)`) somewhere in the function: the first such
 * assignment whose local and callee `pick` accepts, with the call's IR. */
function assignedCall(fa: FunctionAnalysis, pick: (local: string, callee: string) => boolean): { local: string; callee: string; call: { args?: unknown[] } } | null {
  let out: { local: string; callee: string; call: { args?: unknown[] } } | null = null;
  const visit = (e: unknown): void => {
    if (!e || typeof e !== 'object' || out) return;
    const x = e as { kind?: string; op?: string; left?: { kind?: string; name?: string }; right?: { kind?: string; callee?: string | null; args?: unknown[] } };
    if (x.kind === 'assign' && x.op === '=' && x.left?.kind === 'id' && x.left.name && x.right?.kind === 'call' && x.right.callee && pick(x.left.name, x.right.callee)) {
      out = { local: x.left.name, callee: x.right.callee, call: x.right };
      return;
    }
    for (const v of Object.values(e as Record<string, unknown>)) if (v && typeof v === 'object') visit(v);
  };
  for (const n of fa.fn.nodes) visit(n.expr);
  return out;
}

/** `t = get_pid_task(...)` (or another pid lookup) for a key `t->mm`: that text, else null. */
function pidTaskOf(fa: FunctionAnalysis, key: string): string | null {
  const m = /^([A-Za-z_]\w*)->mm$/.exec(key);
  if (!m) return null;
  const got = assignedCall(fa, (local, callee) => local === m[1] && PID_LOOKUP.test(callee));
  return got ? `${got.local} = ${got.callee}()` : null;
}

/** `mm = get_task_mm(t)` (a local of the function holding its own reference to the mm
 * `key`): that text, else null. */
function taskMmOf(fa: FunctionAnalysis, key: string): string | null {
  const got = assignedCall(fa, (local, callee) => callee === 'get_task_mm' && (fa.fn.aliases[local] ?? local) === key);
  if (!got) return null;
  const c = fa.fn.calls.find((x) => x.name === 'get_task_mm' && x.args[0] === got.call.args?.[0]);
  return `${got.local} = get_task_mm(${c ? c.argText[0] : '...'})`;
}

/** The one mm key held in every world, when it is `t->mm` of a task `t` the function assigns
 * from a pid lookup (directly or through a local holding that mm). */
function foreignHeld(fa: FunctionAnalysis, worlds: FunctionAnalysis['atCall'][number], lockOf: (w: FunctionAnalysis['atCall'][number][number], key: string) => { st: string }): { key: string; task: string } | null {
  const held = new Set<string>();
  for (const w of worlds) for (const k of Object.keys(w.locks)) if (k !== 'current->mm' && ['R', 'W', 'A'].includes(lockOf(w, k).st)) held.add(k);
  if (held.size !== 1) return null;
  const key = [...held][0];
  const lookup = pidTaskOf(fa, key);
  return lookup ? { key: fa.fn.aliases ? Object.entries(fa.fn.aliases).find(([, v]) => v === key)?.[0] ?? key : key, task: lookup } : null;
}
export default rule;
