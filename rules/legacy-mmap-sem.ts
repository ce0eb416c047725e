import type { KernelApi, Rule, Version } from '../src/rule';

/** Does the wrapper exist in this tree's era (mmap_write_trylock() is gone in 6.6)? */
function wrapperExists(api: KernelApi, name: string, v: Version): boolean {
  const p = api.mmapLockPrimitive(name);
  if (!p) return false;
  if (p.to === null) return true;
  const to = api.parseVersion(p.to);
  return to === null || api.cmpVersion(v, to) <= 0;
}

/** Raw rwsem call -> mmap_lock.h wrapper (null: none exists). */
const WRAPPER: Record<string, string | null> = {
  down_read: 'mmap_read_lock',
  down_read_killable: 'mmap_read_lock_killable',
  down_read_trylock: 'mmap_read_trylock',
  up_read: 'mmap_read_unlock',
  up_read_non_owner: 'mmap_read_unlock_non_owner',
  down_write: 'mmap_write_lock',
  down_write_nested: 'mmap_write_lock_nested',
  down_write_killable: 'mmap_write_lock_killable',
  down_write_trylock: 'mmap_write_trylock',
  up_write: 'mmap_write_unlock',
  downgrade_write: 'mmap_write_downgrade',
  down_read_nested: null,
  down_read_interruptible: null,
  down_read_non_owner: null,
  down_write_killable_nested: null,
};

/** `&current->mm->mmap_sem` -> `current->mm`; so is `(struct rw_semaphore *)&mm->mmap_lock`
 * `mm`. */
function mmOf(arg: string): string {
  // (Casts, `&` and parentheses around the whole, in any order and nesting, as an
  // accessor's expansion writes them: `(&(drv_cur_mm())->mmap_lock)`.)
  const bare = (x: string) => {
    for (let i = 0; i < 6; i++) {
      const y = x.replace(/^\((?:const)?[A-Za-z_]\w*\*+\)(?=[&(])/, '').replace(/^&/, '').replace(/^\((.*)\)$/, (w, inner: string) => (balanced(inner) ? inner : w));
      if (y === x) break;
      x = y;
    }
    return x;
  };
  return bare(bare(arg.replace(/\s+/g, '')).replace(/(->|\.)mmap_(sem|lock)$/, ''));
}

/** Parentheses balance in `t` (`a)(b` does not). */
function balanced(t: string): boolean {
  let d = 0;
  for (const c of t) { if (c === '(') d++; else if (c === ')' && --d < 0) return false; }
  return d === 0;
}

/** The last name of an access path is an mm's (`current->mm`, `vma->vm_mm`, `old_mm`,
 * `mm_s`, `oldmm`): it ends in `mm` or has `mm` as a part between underscores. */
function looksLikeMm(path: string): boolean {
  return /mm$|(^|_)mm(_|$)/i.test(/(\w+)\W*$/.exec(path)?.[1] ?? '');
}

const rule: Rule = {
  meta: {
    id: 'legacy-mmap-sem',
    name: 'LegacyMmapSem',
    level: 'note',
    short: 'Raw rwsem call on the mmap lock in a tree with the mmap_lock.h wrappers.',
    full: 'From 5.8 the mmap lock is taken through include/linux/mmap_lock.h (mmap_read_lock(), mmap_write_unlock(), ...). The wrappers also fire the mmap_lock tracepoints and, from 6.4, end the per-VMA write locks on unlock; a raw down_*/up_* on mm->mmap_lock (or mmap_sem) bypasses them.',
    tags: ['mm', 'mmap_lock', 'maintainability'],
    precision: 'high',
    messages: {
      'raw-with-wrapper': 'raw {{call}}() on the mmap lock of {{mm}}: this tree has the mmap_lock.h wrappers; use {{replacement}}',
      'raw-without-wrapper': 'raw {{call}}() on the mmap lock of {{mm}}: this tree has the mmap_lock.h wrappers, but none for {{call}}(); keep it with a comment or baseline it',
    },
  },
  check(ctx) {
    if (!ctx.hasMmapLockWrappers) return;
    // (A static inline wrapper's raw call, expanded at each use, is reported once: at the
    // wrapper's own body, when the audit has it.)
    const defined = new Set(ctx.program.functions.map((f) => f.fn.name));
    for (const fa of ctx.program.functions) {
      if (fa.fn.file.endsWith('include/linux/mmap_lock.h')) continue;
      // A module's own definition of a wrapper (its compat fallback): the hint would make
      // mmap_read_lock() call itself.
      if (ctx.api.mmapLockPrimitive(fa.fn.name) && !(fa.fn.name in WRAPPER)) continue;
      fa.fn.calls.forEach((call, i) => {
        const cls = fa.classes[i];
        if (cls.kind !== 'lock' || !cls.prim.arg.startsWith('&') || !call.name) return;
        if (!(call.name in WRAPPER)) return;
        if (call.via && call.via !== fa.fn.name && defined.has(call.via)) return;
        // `mm->mmap_sem` does not compile where the wrappers exist (the field is mmap_lock
        // from 5.8): compat code for older kernels, built only for them.
        // Unless the file renames it live (`#define mmap_sem mmap_lock`, a compat shim for
        // 5.8+): then the call is a raw one on mmap_lock.
        if (/mmap_sem\s*\)?\s*$/.test(call.argText[0] ?? '') && fa.fn.macros?.mmap_sem?.value.trim() !== 'mmap_lock') return;
        // Under a condition the tool cannot decide (a configure check, a header it cannot
        // see), a field not named as written (a compat macro's): a fallback for kernels
        // without the wrappers, most likely. The field named `mmap_lock` has the wrappers
        // beside it in every kernel, so a raw call on it is one under a feature switch too.
        if (ctx.api.undecidedAt(fa.fn.undecided, call.span.line) && !/mmap_lock\s*\)?\s*$/.test(call.argText[0] ?? '')) return;
        const mm = mmOf(call.argText[0] ?? '');
        // A driver's own rw_semaphore named mmap_lock (`&dev->mmap_lock`) is no mm's: the
        // object it belongs to is named like an mm (`mm`, `current->mm`, `vma->vm_mm`,
        // `dst_mm`), or is a local that holds one.
        if (!looksLikeMm(mm) && !looksLikeMm(fa.fn.aliases[mm] ?? '')) return;
        let wrapper = WRAPPER[call.name];
        if (wrapper && !wrapperExists(ctx.api, wrapper, ctx.version)) wrapper = null;
        const extra = call.name === 'down_write_nested' && call.argText[1] ? `, ${call.argText[1]}` : '';
        const repl = wrapper ? `${wrapper}(${mm}${extra})` : null;
        ctx.report({
          fa, span: call.span, callText: call.text,
          messageId: repl ? 'raw-with-wrapper' : 'raw-without-wrapper',
          data: { call: call.name, mm, replacement: repl ?? '' },
          hint: repl ?? undefined,
        });
      });
    }
  },
};
export default rule;
