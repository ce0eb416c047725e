// The primitives that open and close an atomic section (spinlocks, rwlocks, RCU,
// preemption/IRQ/BH/pagefault disabling), by name: what the atomic-context analysis
// (src/analysis/atomic.ts) steps on, and what the preprocessor expands a module's wrapper of
// (src/preprocess/targets.ts).

export type AtomicClass = 'spin' | 'rcu' | 'preempt' | 'irq' | 'bh' | 'pagefault';

export interface Prim { op: 'enter' | 'exit' | 'try'; cls: AtomicClass }

const SPIN_ENTER = /^(?:raw_|_raw_|arch_)?spin_lock(?:_irq|_irqsave|_bh)?(?:_nested|_nest_lock)?$|^(?:read|write)_lock(?:_irq|_irqsave|_bh|_nested)?$|^bit_spin_lock$/;
const SPIN_EXIT = /^(?:raw_|_raw_|arch_)?spin_unlock(?:_irq|_irqrestore|_bh)?$|^(?:read|write)_unlock(?:_irq|_irqrestore|_bh)?$|^(?:__)?bit_spin_unlock$/;
const SPIN_TRY = /^(?:raw_)?spin_trylock(?:_irq|_irqsave|_bh)?$|^(?:read|write)_trylock(?:_irqsave)?$|^bit_spin_trylock$/;

const TABLE: Record<string, Prim> = {
  rcu_read_lock: { op: 'enter', cls: 'rcu' },
  rcu_read_lock_bh: { op: 'enter', cls: 'rcu' },
  rcu_read_lock_sched: { op: 'enter', cls: 'rcu' },
  rcu_read_lock_sched_notrace: { op: 'enter', cls: 'rcu' },
  rcu_read_unlock: { op: 'exit', cls: 'rcu' },
  rcu_read_unlock_bh: { op: 'exit', cls: 'rcu' },
  rcu_read_unlock_sched: { op: 'exit', cls: 'rcu' },
  rcu_read_unlock_sched_notrace: { op: 'exit', cls: 'rcu' },
  preempt_disable: { op: 'enter', cls: 'preempt' },
  preempt_disable_notrace: { op: 'enter', cls: 'preempt' },
  get_cpu: { op: 'enter', cls: 'preempt' },
  get_cpu_ptr: { op: 'enter', cls: 'preempt' },
  preempt_enable: { op: 'exit', cls: 'preempt' },
  preempt_enable_notrace: { op: 'exit', cls: 'preempt' },
  preempt_enable_no_resched: { op: 'exit', cls: 'preempt' },
  put_cpu: { op: 'exit', cls: 'preempt' },
  put_cpu_ptr: { op: 'exit', cls: 'preempt' },
  local_irq_disable: { op: 'enter', cls: 'irq' },
  local_irq_save: { op: 'enter', cls: 'irq' },
  local_irq_enable: { op: 'exit', cls: 'irq' },
  local_irq_restore: { op: 'exit', cls: 'irq' },
  local_bh_disable: { op: 'enter', cls: 'bh' },
  local_bh_enable: { op: 'exit', cls: 'bh' },
  pagefault_disable: { op: 'enter', cls: 'pagefault' },
  pagefault_enable: { op: 'exit', cls: 'pagefault' },
  kmap_atomic: { op: 'enter', cls: 'pagefault' },
  kmap_atomic_pfn: { op: 'enter', cls: 'pagefault' },
  kmap_atomic_prot: { op: 'enter', cls: 'pagefault' },
  kunmap_atomic: { op: 'exit', cls: 'pagefault' },
};

/** Every name atomicPrimitive() knows (the spinlock families spelled out), for the
 * preprocessor: a module's macro or one-call static wrapper around one of them is expanded
 * in the functions it audits (src/preprocess/scope.ts), so a section opened through
 * `drv_lock(d)` counts as the spin_lock() it is. */
export function atomicPrimitiveNames(): string[] {
  const out = new Set(Object.keys(TABLE));
  const irq = ['', '_irq', '_irqsave', '_bh'];
  for (const pre of ['', 'raw_', '_raw_']) {
    for (const s of irq) for (const n of ['', '_nested']) out.add(`${pre}spin_lock${s}${n}`);
    for (const s of ['', '_irq', '_irqrestore', '_bh']) out.add(`${pre}spin_unlock${s}`);
    for (const s of irq) out.add(`${pre}spin_trylock${s}`);
  }
  for (const rw of ['read', 'write']) {
    for (const s of irq) out.add(`${rw}_lock${s}`);
    for (const s of ['', '_irq', '_irqrestore', '_bh']) out.add(`${rw}_unlock${s}`);
    out.add(`${rw}_trylock`);
  }
  for (const n of ['bit_spin_lock', 'bit_spin_unlock', '__bit_spin_unlock', 'bit_spin_trylock']) out.add(n);
  return [...out].filter((n) => atomicPrimitive(n) !== null);
}

/** `guard(name)(...)` classes that make the scope atomic. */
const GUARD_CLASSES: Record<string, AtomicClass> = {
  spinlock: 'spin', spinlock_irq: 'spin', spinlock_irqsave: 'spin', spinlock_bh: 'spin',
  raw_spinlock: 'spin', raw_spinlock_irq: 'spin', raw_spinlock_irqsave: 'spin', raw_spinlock_bh: 'spin',
  raw_spinlock_nested: 'spin', read_lock: 'spin', read_lock_irq: 'spin', read_lock_irqsave: 'spin',
  read_lock_bh: 'spin', write_lock: 'spin', write_lock_irq: 'spin', write_lock_irqsave: 'spin', write_lock_bh: 'spin',
  rcu: 'rcu', preempt: 'preempt', preempt_notrace: 'preempt', irq: 'irq', irqsave: 'irq', bh: 'bh',
};

export function atomicPrimitive(name: string | null, argText: string[] = []): Prim | null {
  if (!name) return null;
  if (TABLE[name]) return TABLE[name];
  if (SPIN_ENTER.test(name)) return { op: 'enter', cls: 'spin' };
  if (SPIN_EXIT.test(name)) return { op: 'exit', cls: 'spin' };
  if (SPIN_TRY.test(name)) return { op: 'try', cls: 'spin' };
  // guard(class)(lock) lasts to the end of its scope, scoped_guard(class, lock) { ... } to
  // the end of the statement it guards (CallSite.scopeEnd; the analysis drops a
  // scoped_guard whose statement was not found).
  if ((name === 'guard' || name === 'scoped_guard') && argText.length >= 1 && GUARD_CLASSES[argText[0]]) {
    return { op: 'enter', cls: GUARD_CLASSES[argText[0]] };
  }
  return null;
}

