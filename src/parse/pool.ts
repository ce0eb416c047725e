// A small pool of worker threads. A task over the time limit, or whose worker crashes, is
// retried once, then reported as failed. Extraction stops itself at the limit (the worker
// says `timedOut` and stays); a worker that does not answer by twice the limit (+1 s) is
// terminated and replaced (a last resort: see setDeadline in ./extract). One worker starts
// with the pool, the others when tasks wait for them (WorkerPool.grow).
import { Worker } from 'worker_threads';
import * as os from 'os';
import * as path from 'path';
import type { WorkerTask } from './worker';

/** Answers shared by two audits of mostly the same files (the gate's two sides): a task
 * given a key is sent by the first pool to take it from its queue; a task with the same key
 * taken later, from any pool's queue, gets that answer (marked `shared`) instead of being
 * sent. The receiver decides whether the answer holds for its tree (src/stages/facts.ts). */
export type SharedAnswers = Map<string, Promise<unknown>>;

interface Pending {
  id: number;
  task: WorkerTask;
  tries: number;
  share?: { key: string; answers: SharedAnswers };
  /** This task's answer is the one others with its key wait for (it is sent, even again). */
  claimed?: boolean;
  /** The audit the task belongs to (beginAudit). */
  audit: number;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
  timer: NodeJS.Timeout | null;
  /** The worker has loaded its modules (it says so first): the time limit counts from
   * here, so that worker start-up never eats into a file's time. */
  ready: boolean;
  /** Settles when the worker is ready or gone: a worker is never terminated while it is
   * still loading its native modules (that can hang or abort the process). */
  started: Promise<void>;
}

/** How long tasks wait for a busy pool before it starts another worker (a worker takes
 * ~0.15 s of CPU to start Node and load its modules). */
const GROW_AFTER_MS = 50;

/** How far down the queue a free worker looks for a task that is not another worker's
 * file (WorkerPool.next). */
const AFFINITY_WINDOW = 64;

const WORKER_YOUNG_MB = 16;

/** Worker threads worth starting: what was asked, at most one per core. Parsing is CPU
 * bound; more threads than cores only add memory (each loads tree-sitter) and switching,
 * and `-j 100000` must not start a hundred thousand threads. */
export function workerCount(requested?: number): number {
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  return Math.max(1, Math.min(requested ?? cores, cores));
}

export class WorkerPool {
  private slots: Slot[] = [];
  private queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  /** Workers that died before they were ready, in a row: a worker that cannot start at all
   * fails every task instead of being respawned forever. */
  private startFailures = 0;
  /** Tasks of one audit carry its number: a worker that sees a new one drops what it kept
   * of the last audit's tree (see beginAudit). */
  private auditNumber = 0;
  /** Armed while tasks wait and every worker is busy (see grow). */
  private growTimer: NodeJS.Timeout | null = null;

  /** One worker starts at once, the others (up to `size`) when tasks wait for them (see
   * grow): a small tree, audited in a few tasks of a few milliseconds, does not pay for
   * threads that would each start Node and load tree-sitter for nothing. */
  constructor(readonly size: number, private readonly timeoutMs: number) {
    this.slots.push(this.spawn());
  }

  /** Start one more worker when tasks have waited GROW_AFTER_MS while every worker was
   * ready and busy; the next one only once that one is ready and busy in turn. */
  private grow(): void {
    const can = !this.closed && this.slots.length < Math.max(1, this.size) && this.queue.length > 0 && this.slots.every((s) => s.ready && s.busy);
    if (!can) {
      if (this.growTimer) { clearTimeout(this.growTimer); this.growTimer = null; }
      return;
    }
    if (this.growTimer) return;
    this.growTimer = setTimeout(() => {
      this.growTimer = null;
      if (!this.closed && this.slots.length < Math.max(1, this.size) && this.queue.length > 0 && this.slots.every((s) => s.ready && s.busy)) this.slots.push(this.spawn());
      else this.grow();
    }, GROW_AFTER_MS);
    // (A busy worker's time limit keeps the process alive meanwhile.)
    this.growTimer.unref();
  }

  private spawn(): Slot {
    // (A young generation of 16 MB: V8's default for a worker is larger, and with the file
    // states a worker keeps between rounds it took ~40 MB more of peak RSS on v4.9 for no
    // measurable speed; 8 MB saved little more and cost scavenges.)
    const worker = new Worker(path.join(__dirname, 'worker.js'), { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
    let started!: () => void;
    const slot: Slot = { worker, busy: null, timer: null, ready: false, started: new Promise<void>((r) => { started = r; }) };
    worker.once('exit', () => started());
    // A worker that neither starts nor fails (a broken install) must not stall the run.
    const startTimer = setTimeout(() => {
      if (!slot.ready && !this.closed && this.slots.includes(slot)) this.crashed(slot, 'worker did not start within 30 s');
    }, 30000);
    startTimer.unref();
    worker.on('message', (msg: { id: number; result?: unknown; error?: string; ready?: boolean; timedOut?: boolean }) => {
      // Ref'd until ready (nothing else keeps the process alive while tasks wait for it).
      if (msg.ready) { slot.ready = true; started(); clearTimeout(startTimer); this.startFailures = 0; worker.unref(); this.pump(); return; }
      const p = slot.busy;
      if (!p || p.id !== msg.id) return;
      this.finish(slot);
      if (msg.timedOut && p.tries < 1) { p.tries++; this.queue.unshift(p); }
      else if (msg.error !== undefined) p.reject(new Error(msg.timedOut ? `${msg.error} (tried twice)` : msg.error));
      else p.resolve(msg.result);
      this.pump();
    });
    worker.on('error', (err) => this.crashed(slot, `worker crashed: ${err.message}`));
    // A result that cannot be deserialised (e.g. nested too deeply) is dropped by Node with
    // only this event: without it the task would wait for its time limit.
    worker.on('messageerror', (err) => this.crashed(slot, `worker result could not be received: ${err.message}`));
    worker.on('exit', (code) => {
      if (!this.closed && (slot.busy || !slot.ready)) this.crashed(slot, `worker exited with code ${code}`);
    });
    return slot;
  }

  private finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.busy = null;
  }

  private crashed(slot: Slot, why: string): void {
    const p = slot.busy;
    this.finish(slot);
    if (!slot.ready && ++this.startFailures >= 3) {
      this.closed = true;
      slot.worker.removeAllListeners();
      void slot.worker.terminate();
      for (const q of [...(p ? [p] : []), ...this.queue.splice(0)]) q.reject(new Error(`worker could not start: ${why}`));
      return;
    }
    const i = this.slots.indexOf(slot);
    if (i >= 0) {
      slot.worker.removeAllListeners();
      void slot.worker.terminate();
      if (!this.closed) this.slots[i] = this.spawn();
    }
    if (p) {
      if (p.tries < 1) {
        p.tries++;
        this.queue.unshift(p);
      } else p.reject(new Error(`${why} (tried twice)`));
    }
    this.pump();
  }

  /** The worker that last extracted each file in this audit: a later round's request for
   * the file goes to it when it is free, as it keeps the file's masked and preprocessed
   * text (extractFile). */
  private lastSlot = new Map<string, Slot>();

  /** The next task for a free `slot`: among the first AFFINITY_WINDOW queued, the first
   * that is not another live worker's file; else the first. A worker is never left idle
   * while tasks wait. */
  private next(slot: Slot): Pending | undefined {
    const n = Math.min(this.queue.length, AFFINITY_WINDOW);
    for (let i = 0; i < n; i++) {
      const t = this.queue[i].task;
      const other = t.type === 'extract' ? this.lastSlot.get(t.req.abs) : undefined;
      if (other === undefined || other === slot || !this.slots.includes(other)) return this.queue.splice(i, 1)[0];
    }
    return this.queue.shift();
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy || !slot.ready || this.queue.length === 0) continue;
      let p = this.next(slot);
      while (p && this.takeShared(p)) p = this.next(slot);
      if (!p) break;
      slot.busy = p;
      if (p.task.type === 'extract') this.lastSlot.set(p.task.req.abs, slot);
      // The limit is per file: a scan batch (many files, no parse) gets at least a minute.
      const limit = p.task.type === 'extract' ? this.timeoutMs : Math.max(this.timeoutMs, 60000);
      const hard = 2 * limit + 1000;
      slot.timer = setTimeout(() => this.crashed(slot, `worker did not answer within ${hard} ms (time limit ${limit} ms)`), hard);
      slot.worker.postMessage({ id: p.id, task: p.task, timeoutMs: limit, audit: p.audit });
    }
    this.grow();
  }

  /** A task whose key another task took first waits for that answer (true); else it
   * claims the key for its own answer (false). */
  private takeShared(p: Pending): boolean {
    if (!p.share || p.claimed) return false;
    const { key, answers } = p.share;
    const claim = answers.get(key);
    if (claim) {
      // (Should the other task fail, this one is sent after all.)
      claim.then((r) => p.resolve({ ...(r as object), shared: true }), () => { p.share = undefined; this.queue.unshift(p); this.pump(); });
      return true;
    }
    p.claimed = true;
    const { resolve, reject } = p;
    answers.set(key, new Promise((res, rej) => {
      p.resolve = (v) => { res(v); resolve(v); };
      p.reject = (e) => { rej(e); reject(e); };
    }));
    answers.get(key)!.catch(() => undefined);
    return false;
  }

  /** A pool may serve several audits in turn (AuditOptions.pool): each starts with this,
   * so that its tasks never see what a worker kept of another tree (headers read by path,
   * a module's header list), which may have changed in between. */
  beginAudit(): void {
    this.auditNumber++;
    this.lastSlot.clear();
  }

  /** Drop the tasks still queued that `unwanted` picks (their promises reject): work sent
   * ahead that nobody will use. Tasks already running finish. Returns how many. */
  dropQueued(unwanted: (task: WorkerTask) => boolean): number {
    const keep: Pending[] = [];
    const dropped: Pending[] = [];
    for (const p of this.queue) (unwanted(p.task) ? dropped : keep).push(p);
    this.queue = keep;
    for (const p of dropped) p.reject(new Error('dropped: not needed'));
    return dropped.length;
  }

  run<T>(task: WorkerTask, share?: Pending['share']): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closed) { reject(new Error('worker pool is closed')); return; }
      const p: Pending = { id: this.nextId++, task, tries: 0, audit: this.auditNumber, resolve: resolve as (v: unknown) => void, reject, ...(share ? { share } : {}) };
      // A scan goes before queued extractions and warm-ups: the caller searches for macro
      // names run while the first extraction's requests (sent early) are queued.
      let at = this.queue.length;
      if (task.type === 'scan') while (at > 0 && this.queue[at - 1].task.type !== 'scan') at--;
      this.queue.splice(at, 0, p);
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.growTimer) { clearTimeout(this.growTimer); this.growTimer = null; }
    // terminate()'s promise does not keep the event loop alive, and an unref'd worker's
    // 'exit' can come after the loop ran dry: the run would end without a result. A timer
    // holds the loop until every worker is gone.
    const hold = setInterval(() => undefined, 1000);
    try {
      // (never while a worker is still loading its native modules: see Slot.started)
      const atMost = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
      await Promise.all(this.slots.map(async (s) => { await Promise.race([s.started, atMost(30000)]); await s.worker.terminate(); }));
    } finally {
      clearInterval(hold);
    }
  }
}
