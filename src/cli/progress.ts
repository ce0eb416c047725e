// Progress on a TTY: one bar for the whole run. The engine reports per batch (the tree
// scan, the first extraction, each call-graph round's extraction, often several batches at
// once); the bar sums them: every batch's files join the total when it starts, and its
// progress adds to what is done, so the bar never restarts from zero.

export interface ProgressBar {
  update(phase: string, done: number, total: number): void;
  /** Clears the bar (the run is over). */
  finish(): void;
}

export function progressBar(write: (s: string) => void, now: () => number = Date.now, width = 30): ProgressBar {
  const start = now();
  let last = 0;
  let shown = false;
  let done = 0;
  let total = 0;
  // Batches in flight, by phase and size: how far each has got.
  const batches = new Map<string, number>();
  return {
    update(phase, d, t) {
      const key = `${phase}:${t}`;
      let prev = batches.get(key);
      if (prev === undefined || d < prev) { total += t; prev = 0; }
      done += d - prev;
      if (d >= t) batches.delete(key); else batches.set(key, d);
      const at = now();
      if (at - start < 1000 || at - last < 100) return;
      last = at;
      const fill = total ? Math.min(width, Math.round((done / total) * width)) : 0;
      write(`\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total} files (${phase})   `);
      shown = true;
    },
    finish() {
      if (shown) write('\r' + ' '.repeat(width + 40) + '\r');
      shown = false;
    },
  };
}
