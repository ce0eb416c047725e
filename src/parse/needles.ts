// Byte scans of whole files in a worker: which of a set of needles a file contains, and the
// set of identifiers it calls (`name(`), kept as 32-bit hashes so that later caller
// searches need not read the tree again. Files are read straight into WebAssembly memory
// and searched with the SIMD kernels of ./wasm; without WebAssembly SIMD the same answers
// come from Buffer.indexOf and a JavaScript loop (slower, same results).
import * as fs from 'fs';
import { fsPath } from '../fsname';
import { scanModule, type Kernels } from './wasm';

/** Byte frequencies (per mille) of identifier characters in the Linux tree: the rarest
 * 3-byte window of a needle is its fingerprint. */
const FREQ: Record<string, number> = {
  j: 0.34, J: 0.57, Z: 0.64, z: 0.84, Q: 0.96, 9: 1.23, q: 1.41, 7: 1.44, W: 2.01, 6: 2.06, 5: 2.13, 8: 2.48,
  y: 2.76, K: 2.79, 4: 2.92, w: 2.99, Y: 3.22, V: 3.28, k: 3.64, 3: 3.66, H: 3.89, X: 4.27, B: 4.67, U: 5.14,
  v: 5.56, b: 5.63, G: 5.81, 2: 5.88, g: 6.13, h: 6.27, F: 6.93, 1: 7.43, x: 8.59, O: 9.85, M: 9.98, m: 10.58,
  p: 10.94, L: 11.06, P: 11.35, N: 11.45, u: 11.9, l: 12.18, I: 12.34, D: 12.91, f: 13.73, T: 14.63, R: 15.59,
  o: 15.98, E: 16.03, A: 16.13, c: 16.59, C: 16.61, S: 18.29, a: 19.08, d: 19.2, 0: 20.67, s: 21.01, n: 22.17,
  r: 23.13, i: 25.81, t: 29.06, e: 41.95, _: 68.4,
};
const freqOf = (c: number): number => FREQ[String.fromCharCode(c)] ?? 5;

const WORD = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f) WORD[c] = 1;
}
const SPACE = [0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c];

/** The 32-bit hash callidx gives an identifier: FNV-1a over its bytes, last to first. */
export function callHash(name: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = name.length - 1; i >= 0; i--) h = Math.imul(h ^ (name.charCodeAt(i) & 0xff), 16777619);
  return (h === 0 ? 1 : h) >>> 0;
}

/** A compiled needle set. `word`: a match must not touch identifier bytes on either side. */
export class NeedleSet {
  readonly bytes: Uint8Array[];
  /** Needles too short for a 3-byte window: searched with indexOf. */
  readonly short: number[] = [];
  readonly window: number[];
  /** Per bucket bit, the needles in it. */
  readonly buckets: number[][] = [];
  readonly masks = new Uint8Array(96);

  constructor(readonly needles: string[], readonly word: boolean) {
    this.bytes = needles.map((n) => Uint8Array.from(Buffer.from(n, 'latin1')));
    this.window = this.bytes.map((b) => {
      let best = 0, score = Infinity;
      for (let j = 0; j + 3 <= b.length; j++) {
        const s = freqOf(b[j]) * freqOf(b[j + 1]) * freqOf(b[j + 2]);
        if (s < score) { score = s; best = j; }
      }
      return best;
    });
    const long: number[] = [];
    this.bytes.forEach((b, i) => (b.length < 3 ? this.short : long).push(i));
    // Up to 8 needles: one bucket each (exact bytes); more: sorted by window, in 8 runs.
    const win = (i: number) => Buffer.from(this.bytes[i].subarray(this.window[i], this.window[i] + 3)).toString('latin1');
    long.sort((a, b) => (win(a) < win(b) ? -1 : win(a) > win(b) ? 1 : a - b));
    const per = Math.max(1, Math.ceil(long.length / 8));
    for (let i = 0; i < long.length; i += per) this.buckets.push(long.slice(i, i + per));
    this.buckets.forEach((list, bit) => {
      for (const i of list) {
        for (let k = 0; k < 3; k++) {
          const c = this.bytes[i][this.window[i] + k];
          this.masks[32 * k + (c & 15)] |= 1 << bit;
          this.masks[32 * k + 16 + (c >> 4)] |= 1 << bit;
        }
      }
    });
  }

  /** Exact check of needle i at byte offset s of data[0..len). */
  matchAt(data: Uint8Array, len: number, i: number, s: number, base = 0): boolean {
    const n = this.bytes[i];
    if (s < base || s + n.length > len) return false;
    for (let q = 0; q < n.length; q++) if (data[s + q] !== n[q]) return false;
    if (this.word && ((s > base && WORD[data[s - 1]]) || (s + n.length < len && WORD[data[s + n.length]]))) return false;
    return true;
  }
}

export interface ReadResult { len: number; size: number; mtimeMs: number; ctimeMs: number; ino: number }

const MASKS = 256;
const CAP = 2048;
const OUT = 1024;
const OUTPOS = OUT + CAP * 16;
const TABLE = OUTPOS + CAP * 4;
const TABLE_BITS = 16;
const TABLE_SIZE = 1 << TABLE_BITS;
const LIST = TABLE + TABLE_SIZE * 4;
/** Distinct call names kept per file: beyond, the file is "unindexed" (always searched). */
export const MAX_CALL_NAMES = TABLE_SIZE / 2;
const DATA = LIST + (MAX_CALL_NAMES + 1) * 4;
const PAD = 64;

/** One per worker: a reusable read buffer (WebAssembly memory) and the kernels. */
export class Scanner {
  private mem: WebAssembly.Memory | null = null;
  private k: Kernels | null = null;
  private heap: Uint8Array;
  private fallback: Buffer = Buffer.allocUnsafe(1 << 20);
  readonly simd: boolean;

  constructor() {
    const mod = scanModule();
    if (mod) {
      this.mem = new WebAssembly.Memory({ initial: Math.ceil((DATA + (1 << 20)) / 65536) });
      this.k = new WebAssembly.Instance(mod, { e: { m: this.mem } }).exports as unknown as Kernels;
      this.heap = new Uint8Array(this.mem.buffer);
      for (let c = 0; c < 256; c++) this.heap[c] = WORD[c];
      for (const c of SPACE) this.heap[c] = 2;
    } else this.heap = this.fallback;
    this.simd = !!mod;
  }

  private get base(): number { return this.mem ? DATA : 0; }

  /** Bytes held by the read buffer (WebAssembly memory cannot shrink: a worker drops a
   * scanner that grew for a big file). */
  get reserved(): number { return this.heap.length; }

  private ensure(bytes: number): void {
    const need = this.base + bytes + PAD;
    if (need <= this.heap.length) return;
    if (this.mem) {
      this.mem.grow(Math.ceil((need - this.mem.buffer.byteLength) / 65536));
      this.heap = new Uint8Array(this.mem.buffer);
    } else {
      this.fallback = Buffer.allocUnsafe(Math.max(need, this.fallback.length * 2));
      this.heap = this.fallback;
    }
  }

  /** The bytes read last: heap[base .. base+len). */
  view(len: number): Uint8Array { return this.heap.subarray(this.base, this.base + len); }

  /** Read a whole file into the buffer. A string is the reason it could not be read. */
  read(file: string, maxBytes: number): ReadResult | string {
    let fd: number;
    try {
      fd = fs.openSync(fsPath(file), 'r');
    } catch (e) {
      return `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
    }
    try {
      const st = fs.fstatSync(fd);
      if (st.size > maxBytes) return `larger than the size limit (${st.size} > ${maxBytes} bytes)`;
      this.ensure(st.size + 1);
      let n = 0;
      for (;;) {
        const room = this.heap.length - PAD - this.base - n;
        if (room <= 0) { this.ensure(n * 2 + 1); continue; }
        const r = fs.readSync(fd, this.heap, this.base + n, room, null);
        if (r === 0) break;
        n += r;
        // Read as much as fstat said: no extra read() to see the end (60k syscalls saved;
        // bytes appended meanwhile belong to a later version of the file anyway).
        if (n === st.size) break;
      }
      this.heap.fill(0, this.base + n, this.base + n + PAD);
      return { len: n, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
    } catch (e) {
      return `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Needles of `set` found in the bytes read last: all of them, or (any) the first found. */
  search(set: NeedleSet, len: number, any: boolean): number[] {
    const found: number[] = [];
    const seen = new Uint8Array(set.needles.length);
    const base = this.base, end = base + len, heap = this.heap;
    if (this.k) {
      heap.set(set.masks, MASKS);
      let p = base;
      let left = set.needles.length - set.short.length;
      outer: while (left > 0 && p < end) {
        const n = this.k.teddy(p, end, MASKS, OUT, CAP);
        const h = this.heap; // (no growth inside)
        const pos = new Int32Array(this.mem!.buffer, OUTPOS, CAP);
        for (let b = 0; b < n; b++) {
          for (let lane = 0; lane < 16; lane++) {
            let bits = h[OUT + 16 * b + lane];
            while (bits) {
              const bit = 31 - Math.clz32(bits);
              bits &= ~(1 << bit);
              for (const i of set.buckets[bit]) {
                if (seen[i]) continue;
                if (set.matchAt(h, end, i, pos[b] + lane - set.window[i], base)) {
                  seen[i] = 1;
                  found.push(i);
                  left--;
                  if (any || left === 0) break outer;
                }
              }
            }
          }
        }
        if (n < CAP) break;
        p = pos[CAP - 1] + 16;
      }
      if (any && found.length) return found;
      for (const i of set.short) {
        if (this.indexOfNeedle(set, i, len) >= 0) { found.push(i); if (any) return found; }
      }
      return found;
    }
    for (let i = 0; i < set.needles.length; i++) {
      if (this.indexOfNeedle(set, i, len) >= 0) { found.push(i); if (any) return found; }
    }
    return found;
  }

  private indexOfNeedle(set: NeedleSet, i: number, len: number): number {
    const base = this.base;
    const data = Buffer.from(this.heap.buffer, this.heap.byteOffset + base, len);
    let at = -1;
    for (;;) {
      at = data.indexOf(set.bytes[i], at + 1);
      if (at < 0) return -1;
      if (set.matchAt(this.heap, base + len, i, base + at, base)) return at;
    }
  }

  /** Distinct hashes (in first-seen order: callers are found by a flat pass, never by
   * search) of the identifiers called in the bytes read last, or null when
   * there are more than MAX_CALL_NAMES of them. */
  callIndex(len: number): Uint32Array | null {
    const base = this.base;
    if (this.k) {
      // A table sized to the file (a call takes at least 2 bytes) stays in the L1/L2 cache;
      // when it fills up, the file is indexed again with the largest one.
      let size = 1024;
      while (size < TABLE_SIZE && size * 4 < len) size *= 2;
      for (;;) {
        const max = size / 2;
        const n = this.k.callidx(base, base + len, TABLE, size - 1, LIST, max);
        const list = new Uint32Array(this.mem!.buffer, LIST, max + 1);
        const table = new Uint32Array(this.mem!.buffer, TABLE, size);
        const count = n < 0 ? max + 1 : n;
        // Empty the table: deleting in reverse insertion order restores every probe chain.
        for (let j = count - 1; j >= 0; j--) {
          const h = list[j];
          let slot = (h ^ (h >>> 16)) & (size - 1);
          while (table[slot] !== h) slot = (slot + 1) & (size - 1);
          table[slot] = 0;
        }
        if (n >= 0) return list.slice(0, n);
        if (size === TABLE_SIZE) return null;
        size = TABLE_SIZE;
      }
    }
    const set = new Set<number>();
    const d = this.heap;
    const end = base + len;
    for (let q = base; q < end; q++) {
      if (d[q] !== 0x28) continue;
      let e = q;
      while (e > base && SPACE.includes(d[e - 1])) e--;
      let s = e, h = 0x811c9dc5 | 0;
      while (s > base && WORD[d[s - 1]]) { s--; h = Math.imul(h ^ d[s], 16777619); }
      if (s < e) {
        set.add((h === 0 ? 1 : h) >>> 0);
        if (set.size > MAX_CALL_NAMES) return null;
      }
    }
    return Uint32Array.from(set);
  }
}
