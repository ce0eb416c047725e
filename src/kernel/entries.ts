// Kernel entry points whose mmap-lock state at entry is known: the VFS calls a
// file_operations handler from a system call without the mmap lock (->mmap with it held for
// write), the DRM core calls an ioctl handler from the ioctl system call, and a system call
// itself starts without it. A caller chain that ends at such a function ends with a verdict,
// not with "no caller was found".

export interface EntryRole {
  /** The lock of the task's mm at entry. */
  lock: 'unheld' | 'held';
  /** What the function is, for messages: "the .unlocked_ioctl handler of a file_operations table". */
  what: string;
}

/** Fields of operation tables the VFS calls from a system call without the mmap lock. */
const FOPS_UNHELD = new Set(['read', 'write', 'read_iter', 'write_iter', 'unlocked_ioctl', 'compat_ioctl', 'open', 'release', 'llseek', 'poll', 'fsync', 'flush']);
const PROC_UNHELD = new Set(['proc_read', 'proc_write', 'proc_read_iter', 'proc_ioctl', 'proc_compat_ioctl', 'proc_open', 'proc_release', 'proc_lseek', 'proc_poll']);
/** Fields whose name alone says "ioctl handler" in any table (v4l2_file_operations too). */
const ANY_IOCTL = new Set(['unlocked_ioctl', 'compat_ioctl']);

/** The role of a function stored into `field` of a struct of type `struct` ('?' unknown). */
export function fieldEntryRole(struct: string, field: string): EntryRole | null {
  if (struct === 'file_operations' || struct === 'proc_ops') {
    const table = struct === 'file_operations' ? FOPS_UNHELD : PROC_UNHELD;
    if (table.has(field)) return { lock: 'unheld', what: `the .${field} handler of a ${struct} table, entered from a system call without the mmap lock` };
    if (field === 'mmap' || field === 'proc_mmap') return { lock: 'held', what: `the .${field} handler of a ${struct} table, called with the mmap lock held for write` };
    return null;
  }
  if (ANY_IOCTL.has(field)) return { lock: 'unheld', what: `an .${field} handler, entered from the ioctl system call without the mmap lock` };
  return null;
}

/** `DRM_IOCTL_DEF_DRV(NAME, handler, flags)`: the DRM core's ioctl table. */
export const DRM_IOCTL_RE = /\bDRM_IOCTL_DEF(?:_DRV)?\s*\(\s*[A-Za-z_]\w*\s*,\s*([A-Za-z_]\w*)\s*,/g;
export const DRM_IOCTL_ROLE: EntryRole = { lock: 'unheld', what: 'a DRM ioctl handler (DRM_IOCTL_DEF_DRV), entered from the ioctl system call without the mmap lock' };

/** A system call (SYSCALL_DEFINEn(x) defines sys_x). */
export function nameEntryRole(name: string): EntryRole | null {
  return /^(?:compat_)?sys_\w+$/.test(name) ? { lock: 'unheld', what: 'a system call, entered without the mmap lock' } : null;
}
