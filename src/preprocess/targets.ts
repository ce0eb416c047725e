// What a macro or static inline wrapper must reach to be expanded (and to become a needle):
// the GUP entry points, the mmap lock fields and the mmap-lock primitives that are not plain
// rwsem calls (down_read() and friends are reached through the `mmap_sem`/`mmap_lock` field).
import { gupNames, lockNames, releaseFunctions } from '../kernel/api';
import { atomicPrimitiveNames } from '../kernel/atomic-primitives';

export const MACRO_TARGETS: ReadonlySet<string> = new Set([
  ...gupNames, 'mmap_sem', 'mmap_lock',
  ...lockNames.filter((n) => !/^(down_|up_|downgrade_|lockdep_|rwsem_)/.test(n)),
]);

/** What a macro must reach to be expanded inside a file: the above, and the page releases
 * (`#define DRV_PUT(pg) put_page(pg)`: pin-put-mismatch reads the release it expands to).
 * Not needles: a file whose only API use is such a release has nothing to audit. */
// (And the plain rwsem calls a module renames, `#define drv_down_read(s) down_read(s)`: the
// expansion is read by its argument, as a direct call is, mmap_sem or not.)
export const EXPANSION_TARGETS: ReadonlySet<string> = new Set([...MACRO_TARGETS, ...releaseFunctions.keys(),
  ...lockNames.filter((n) => /^(down_|up_|downgrade_)/.test(n))]);

/** What a module's macro or one-call static wrapper must reach to be expanded inside the
 * functions that are audited anyway (never a reason to audit one): the primitives that open
 * or close an atomic section (spin_lock(), rcu_read_lock(), preempt_disable(), ...). */
export const ATOMIC_TARGETS: ReadonlySet<string> = new Set(atomicPrimitiveNames());
