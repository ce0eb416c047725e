// What a macro or static inline wrapper must reach to be expanded (and to become a needle):
// the GUP entry points, the mmap lock fields and the mmap-lock primitives that are not plain
// rwsem calls (down_read() and friends are reached through the `mmap_sem`/`mmap_lock` field).
import { gupNames, lockNames } from '../kernel/api';

export const MACRO_TARGETS: ReadonlySet<string> = new Set([
  ...gupNames, 'mmap_sem', 'mmap_lock',
  ...lockNames.filter((n) => !/^(down_|up_|downgrade_|lockdep_|rwsem_)/.test(n)),
]);
