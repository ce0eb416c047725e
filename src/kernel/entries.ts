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
const BINFMT_UNHELD = new Set(['load_binary', 'load_shlib', 'core_dump']);
const SYSFS_ATTR_STRUCTS = new Set(['device_attribute', 'kobj_attribute', 'driver_attribute', 'class_attribute', 'bus_attribute']);
function sysfsWhat(field: string, struct: string | null): string {
  const call = field === 'show' || field === 'read' ? 'read' : 'write';
  return `the .${field} handler of a sysfs attribute${struct ? ` (struct ${struct})` : ''}, entered from the ${call} system call without the mmap lock`;
}

/** Attributes declared with the sysfs macros (`DEVICE_ATTR_RW(foo)` names foo_show and
 * foo_store, `BIN_ATTR_WO(foo, size)` foo_write, `DEVICE_ATTR(foo, mode, show, store)` and
 * `__ATTR(...)` their own): handler name -> what it is. */
export function sysfsHandlers(masked: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!/ATTR/.test(masked)) return out;
  const add = (name: string | undefined, field: string) => { if (name && name !== 'NULL' && !out.has(name)) out.set(name, sysfsWhat(field, null)); };
  for (const m of masked.matchAll(/\b(?:DEVICE|DRIVER|CLASS|BUS)_ATTR_(RW|WO|RO|ADMIN_RW|ADMIN_WO|ADMIN_RO)\s*\(\s*([A-Za-z_]\w*)/g)) {
    if (m[1].endsWith('RW') || m[1].endsWith('RO')) add(`${m[2]}_show`, 'show');
    if (m[1].endsWith('RW') || m[1].endsWith('WO')) add(`${m[2]}_store`, 'store');
  }
  for (const m of masked.matchAll(/\bBIN_ATTR_(RW|WO|RO|ADMIN_RW|ADMIN_RO)\s*\(\s*([A-Za-z_]\w*)/g)) {
    if (m[1].endsWith('RW') || m[1].endsWith('RO')) add(`${m[2]}_read`, 'read');
    if (m[1].endsWith('RW') || m[1].endsWith('WO')) add(`${m[2]}_write`, 'write');
  }
  for (const m of masked.matchAll(/\b(?:DEVICE_ATTR|__ATTR)\s*\(\s*\w+\s*,[^,()]*(?:\([^()]*\))?[^,()]*,\s*([A-Za-z_]\w*)\s*,\s*([A-Za-z_]\w*)\s*\)/g)) { add(m[1], 'show'); add(m[2], 'store'); }
  for (const m of masked.matchAll(/\bBIN_ATTR\s*\(\s*\w+\s*,[^,()]*(?:\([^()]*\))?[^,()]*,\s*([A-Za-z_]\w*)\s*,\s*([A-Za-z_]\w*)\s*,/g)) { add(m[1], 'read'); add(m[2], 'write'); }
  return out;
}
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
  // sysfs: an attribute's handlers run from the read/write system calls on its file, a
  // binary attribute's .mmap from mmap() (with the lock held for write).
  if (SYSFS_ATTR_STRUCTS.has(struct) && (field === 'show' || field === 'store')) return { lock: 'unheld', what: sysfsWhat(field, struct) };
  if (struct === 'bin_attribute' && (field === 'read' || field === 'write')) return { lock: 'unheld', what: sysfsWhat(field, struct) };
  if (struct === 'bin_attribute' && field === 'mmap') return { lock: 'held', what: 'the .mmap handler of a sysfs bin_attribute, called with the mmap lock held for write' };
  if (struct === '?' && field === 'store') return { lock: 'unheld', what: sysfsWhat(field, null) };
  // The binary format handlers: exec calls ->load_binary, do_coredump() ->core_dump, both
  // without the mmap lock (a core dump takes it itself where it walks the VMAs).
  if ((struct === 'linux_binfmt' || struct === '?') && BINFMT_UNHELD.has(field)) return { lock: 'unheld', what: `the .${field} handler of a linux_binfmt, called ${field === 'core_dump' ? 'by do_coredump()' : 'by exec'} without the mmap lock` };
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

/** Registrations of callbacks the kernel runs in atomic context: the call and the index of
 * the callback among its arguments, with what that makes the callback. (A threaded IRQ's
 * thread function, argument 2 of request_threaded_irq(), runs in a kernel thread and may
 * sleep: only its hard handler is atomic.) */
const ATOMIC_REGISTRATIONS: Record<string, { arg: number; what: string }> = {
  request_irq: { arg: 1, what: 'an interrupt handler (request_irq())' },
  devm_request_irq: { arg: 2, what: 'an interrupt handler (devm_request_irq())' },
  request_any_context_irq: { arg: 1, what: 'an interrupt handler (request_any_context_irq())' },
  request_threaded_irq: { arg: 1, what: 'a hard interrupt handler (request_threaded_irq())' },
  devm_request_threaded_irq: { arg: 2, what: 'a hard interrupt handler (devm_request_threaded_irq())' },
  timer_setup: { arg: 1, what: 'a timer callback (timer_setup()), run in softirq context' },
  setup_timer: { arg: 1, what: 'a timer callback (setup_timer()), run in softirq context' },
  tasklet_init: { arg: 1, what: 'a tasklet (tasklet_init()), run in softirq context' },
  tasklet_setup: { arg: 1, what: 'a tasklet (tasklet_setup()), run in softirq context' },
  DECLARE_TASKLET: { arg: 1, what: 'a tasklet (DECLARE_TASKLET()), run in softirq context' },
  DECLARE_TASKLET_OLD: { arg: 1, what: 'a tasklet (DECLARE_TASKLET_OLD()), run in softirq context' },
  hrtimer_setup: { arg: 1, what: 'an hrtimer callback (hrtimer_setup()), run in hard or soft interrupt context' },
  hrtimer_setup_on_stack: { arg: 1, what: 'an hrtimer callback (hrtimer_setup_on_stack()), run in hard or soft interrupt context' },
  alarm_init: { arg: 2, what: 'an alarm timer callback (alarm_init()), run in interrupt context' },
  perf_event_create_kernel_counter: { arg: 3, what: 'a perf overflow handler (perf_event_create_kernel_counter()), run in NMI or interrupt context' },
  register_wide_hw_breakpoint: { arg: 1, what: 'a hardware breakpoint handler (register_wide_hw_breakpoint()), run in exception context with interrupts off' },
  register_user_hw_breakpoint: { arg: 1, what: 'a hardware breakpoint handler (register_user_hw_breakpoint()), run in exception context with interrupts off' },
};

/** Registrations of callbacks the kernel runs in process context, in a kernel thread that
 * holds no mmap lock (a kworker, a kthread): entries like a system call's handler. */
const PROCESS_REGISTRATIONS: Record<string, { arg: number; what: string }> = {
  INIT_WORK: { arg: 1, what: 'a work item (INIT_WORK()), run by a kworker without the mmap lock' },
  INIT_DELAYED_WORK: { arg: 1, what: 'a delayed work item (INIT_DELAYED_WORK()), run by a kworker without the mmap lock' },
  DECLARE_WORK: { arg: 1, what: 'a work item (DECLARE_WORK()), run by a kworker without the mmap lock' },
  DECLARE_DELAYED_WORK: { arg: 1, what: 'a delayed work item (DECLARE_DELAYED_WORK()), run by a kworker without the mmap lock' },
  kthread_run: { arg: 0, what: 'a kernel thread (kthread_run()), run without the mmap lock' },
  kthread_create: { arg: 0, what: 'a kernel thread (kthread_create()), run without the mmap lock' },
};
const PROCESS_REGISTRATION_RE = new RegExp(`\\b(${Object.keys(PROCESS_REGISTRATIONS).join('|')})\\s*\\(`, 'g');

/** The functions a file registers as work items or kernel threads, with what that makes them. */
export function processRegistrations(masked: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!/WORK|kthread_/.test(masked)) return out;
  PROCESS_REGISTRATION_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PROCESS_REGISTRATION_RE.exec(masked))) {
    const reg = PROCESS_REGISTRATIONS[m[1]];
    const a = splitArgs(masked, m.index + m[0].length)[reg.arg];
    const name = a ? /^(?:\(\s*[\w\s*]+\)\s*)?&?\s*\(?\s*([A-Za-z_]\w*)\s*\)?$/.exec(a.trim())?.[1] : undefined;
    if (name && name !== 'NULL' && !out.has(name)) out.set(name, reg.what);
  }
  return out;
}

export const ATOMIC_REGISTRATION_NAMES = Object.keys(ATOMIC_REGISTRATIONS);
const REGISTRATION_RE = new RegExp(`\\b(${ATOMIC_REGISTRATION_NAMES.join('|')})\\s*\\(`, 'g');

/** Fields of operation tables whose handlers run in atomic context. */
export function fieldAtomicRole(struct: string, field: string): string | null {
  if (field === 'ndo_start_xmit' && (struct === 'net_device_ops' || struct === '?')) return 'the .ndo_start_xmit handler of a net_device_ops table, run with bottom halves disabled';
  // The callback of a timer_list, an hrtimer or an alarm (the kernel structs with a
  // `function` callback field): `t->timer.function = cb;`.
  if (field === 'function' && (struct === 'timer_list' || struct === 'hrtimer' || struct === 'alarm' || struct === '?')) return `the .function callback of a timer${struct === '?' ? '' : ` (struct ${struct})`}, run in interrupt or softirq context`;
  return null;
}

/** Functions a masked text registers as atomic callbacks: name -> what it is. */
export function atomicRegistrations(masked: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!/irq|timer|tasklet|TASKLET|alarm_init|perf_event_create|hw_breakpoint/.test(masked)) return out;
  REGISTRATION_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = REGISTRATION_RE.exec(masked))) {
    const reg = ATOMIC_REGISTRATIONS[m[1]];
    const args = splitArgs(masked, m.index + m[0].length);
    const a = args[reg.arg];
    // The callback's name, through `&`, a cast or parentheses.
    const name = a ? /^(?:\(\s*[\w\s*]+\)\s*)?&?\s*\(?\s*([A-Za-z_]\w*)\s*\)?$/.exec(a.trim())?.[1] : undefined;
    if (name && name !== 'NULL' && !out.has(name)) out.set(name, reg.what);
  }
  return out;
}

/** The top-level arguments of a call whose `(` is just before `from`. */
function splitArgs(text: string, from: number): string[] {
  const out: string[] = [];
  let depth = 0, start = from;
  for (let i = from; i < text.length && i < from + 2000; i++) {
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) { out.push(text.slice(start, i)); return out; }
      depth--;
    } else if (c === ',' && depth === 0) { out.push(text.slice(start, i)); start = i + 1; }
  }
  return out;
}
