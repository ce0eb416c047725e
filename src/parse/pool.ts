// A small pool of worker threads. A worker that crashes or exceeds the per-task time limit
// is replaced; its task is retried once, then reported as failed.
import { Worker } from 'worker_threads';
import * as path from 'path';
import type { WorkerTask } from './worker';

interface Pending {
  id: number;
  task: WorkerTask;
  tries: number;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
  timer: NodeJS.Timeout | null;
}

export class WorkerPool {
  private slots: Slot[] = [];
  private queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly size: number, private readonly timeoutMs: number) {
    for (let i = 0; i < Math.max(1, size); i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(path.join(__dirname, 'worker.js'));
    const slot: Slot = { worker, busy: null, timer: null };
    worker.on('message', (msg: { id: number; result?: unknown; error?: string }) => {
      const p = slot.busy;
      if (!p || p.id !== msg.id) return;
      this.finish(slot);
      if (msg.error !== undefined) p.reject(new Error(msg.error));
      else p.resolve(msg.result);
      this.pump();
    });
    worker.on('error', (err) => this.crashed(slot, `worker crashed: ${err.message}`));
    worker.on('exit', (code) => {
      if (!this.closed && slot.busy) this.crashed(slot, `worker exited with code ${code}`);
    });
    worker.unref();
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
      } else p.reject(new Error(why));
    }
    this.pump();
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy || this.queue.length === 0) continue;
      const p = this.queue.shift()!;
      slot.busy = p;
      slot.timer = setTimeout(() => this.crashed(slot, `timed out after ${this.timeoutMs} ms`), this.timeoutMs);
      slot.worker.postMessage({ id: p.id, task: p.task });
    }
  }

  run<T>(task: WorkerTask): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, tries: 0, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
