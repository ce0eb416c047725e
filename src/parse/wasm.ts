// Two scan kernels in WebAssembly (SIMD), assembled here from opcodes so that the build
// needs no wasm toolchain. JavaScript walks bytes at ~1 ns each; these walk 16 at a time:
//
//  - `teddy(p, end, masks, out, cap)`: a multi-needle prefilter after ripgrep's "Teddy".
//    Every needle gets a 3-byte window (its rarest); the needles are put in 8 buckets and,
//    for each window byte k, two 16-entry tables give the buckets whose k-th byte has that
//    low / high nibble (`i8x16.swizzle` is the table lookup). For each 16-byte block the
//    bucket bits of all 16 window starts are ANDed over k; a block with any bit left is a
//    candidate: its 16 lane masks go to out[n*16..], its address to the i32 array after
//    `cap` masks. Returns the number of candidate blocks (== cap: call again from the last
//    block + 16). The caller verifies candidates exactly (src/parse/needles.ts).
//
//  - `callidx(start, end, table, mask, list, max)`: the set of identifiers directly
//    followed by `(` (whitespace allowed between): each `(` is found with i8x16.eq +
//    bitmask, the identifier before it is hashed backwards (FNV-1a 32 over the bytes from
//    last to first) and deduplicated in an open-addressing table of u32 (0 = empty); the
//    distinct hashes are appended to `list` in insertion order. Returns their number, or -1
//    when more than `max` (the caller then treats the file as unindexed). The caller empties
//    the table again by deleting the list in reverse order.
//
// Memory is imported (`e.m`); bytes 0..255 of page 0 hold the byte classes used by callidx
// (1 = identifier byte, 2 = whitespace), set by the caller.

import { devSwitches } from '../dev-switches';

const uleb = (n: number): number[] => {
  const o: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    o.push(b);
  } while (n);
  return o;
};
const sleb = (n: number): number[] => {
  const o: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) { o.push(b); return o; }
    o.push(b | 0x80);
  }
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, 'latin1')];

const I32 = 0x7f;
const V128 = 0x7b;
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const tee = (i: number) => [0x22, ...uleb(i)];
const i32 = (n: number) => [0x41, ...sleb(n)];
const ADD = [0x6a], SUB = [0x6b], MUL = [0x6c], AND = [0x71], XOR = [0x73], SHL = [0x74], SHRU = [0x76];
const EQ = [0x46], NE = [0x47], EQZ = [0x45], LTU = [0x49], GTU = [0x4b], GEU = [0x4f], CTZ = [0x68];
const BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40], IF = [0x04, 0x40], END = [0x0b], RETURN = [0x0f];
const br = (d: number) => [0x0c, ...uleb(d)];
const brIf = (d: number) => [0x0d, ...uleb(d)];
const load8 = (off = 0) => [0x2d, 0, ...uleb(off)];
const load32 = (off = 0) => [0x28, 2, ...uleb(off)];
const store32 = (off = 0) => [0x36, 2, ...uleb(off)];
const simd = (op: number) => [0xfd, ...uleb(op)];
const vload = (off = 0) => [...simd(0x00), 0, ...uleb(off)];
const vstore = (off = 0) => [...simd(0x0b), 0, ...uleb(off)];
const SWIZZLE = simd(0x0e), SPLAT8 = simd(0x0f), VEQ8 = simd(0x23), VAND = simd(0x4e), ANYTRUE = simd(0x53);
const BITMASK8 = simd(0x64), SHRU8 = simd(0x6d);

interface Func { name: string; params: number[]; results: number[]; locals: [number, number][]; body: number[] }

function teddy(): Func {
  // params 0 p, 1 end, 2 masks, 3 out, 4 cap; locals 5 n; 6..11 tables; 12 0x0f; 13 v; 14 c
  const window = (k: number) => [
    ...get(6 + 2 * k), ...get(0), ...vload(k), ...tee(13), ...get(12), ...VAND, ...SWIZZLE,
    ...get(7 + 2 * k), ...get(13), ...i32(4), ...SHRU8, ...SWIZZLE, ...VAND,
  ];
  return {
    name: 'teddy', params: [I32, I32, I32, I32, I32], results: [I32], locals: [[1, I32], [9, V128]],
    body: [
      ...[0, 1, 2, 3, 4, 5].flatMap((i) => [...get(2), ...vload(16 * i), ...set(6 + i)]),
      ...i32(15), ...SPLAT8, ...set(12),
      ...BLOCK, ...LOOP,
      ...get(0), ...get(1), ...GEU, ...brIf(1),
      ...window(0), ...window(1), ...VAND, ...window(2), ...VAND, ...tee(14),
      ...ANYTRUE, ...IF,
      ...get(3), ...get(5), ...i32(4), ...SHL, ...ADD, ...get(14), ...vstore(),
      ...get(3), ...get(4), ...i32(4), ...SHL, ...ADD, ...get(5), ...i32(2), ...SHL, ...ADD, ...get(0), ...store32(),
      ...get(5), ...i32(1), ...ADD, ...tee(5), ...get(4), ...EQ, ...IF, ...get(5), ...RETURN, ...END,
      ...END,
      ...get(0), ...i32(16), ...ADD, ...set(0),
      ...br(0),
      ...END, ...END,
      ...get(5),
    ],
  };
}

function callidx(): Func {
  // params 0 start, 1 end, 2 table, 3 mask, 4 list, 5 max
  // locals 6 p, 7 bits, 8 q, 9 e, 10 s, 11 h, 12 slot, 13 v, 14 n, 15 c
  const [P, BITS, Q, E, S, H, SLOT, V, N, C] = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  return {
    name: 'callidx', params: [I32, I32, I32, I32, I32, I32], results: [I32], locals: [[10, I32], [1, V128]],
    body: [
      ...get(0), ...set(P),
      ...i32(0x28), ...SPLAT8, ...set(16),
      ...BLOCK, ...LOOP, // blocks
      ...get(P), ...get(1), ...GEU, ...brIf(1),
      ...get(P), ...vload(), ...get(16), ...VEQ8, ...BITMASK8, ...set(BITS),
      ...BLOCK, ...LOOP, // bits
      ...get(BITS), ...EQZ, ...brIf(1),
      ...get(P), ...get(BITS), ...CTZ, ...ADD, ...set(Q),
      ...get(BITS), ...get(BITS), ...i32(1), ...SUB, ...AND, ...set(BITS),
      // a '(' in the zero padding past `end` cannot exist; still bound q.
      ...get(Q), ...get(1), ...GEU, ...brIf(1),
      // e = q; skip whitespace backwards
      ...get(Q), ...set(E),
      ...BLOCK, ...LOOP,
      ...get(E), ...get(0), ...GTU, ...EQZ, ...brIf(1),
      ...get(E), ...i32(1), ...SUB, ...load8(), ...load8(), ...i32(2), ...NE, ...brIf(1),
      ...get(E), ...i32(1), ...SUB, ...set(E),
      ...br(0),
      ...END, ...END,
      // s = e; hash identifier bytes backwards
      ...get(E), ...set(S),
      ...i32(0x811c9dc5 | 0), ...set(H),
      ...BLOCK, ...LOOP,
      ...get(S), ...get(0), ...GTU, ...EQZ, ...brIf(1),
      ...get(S), ...i32(1), ...SUB, ...load8(), ...tee(C), ...load8(), ...i32(1), ...NE, ...brIf(1),
      ...get(H), ...get(C), ...XOR, ...i32(16777619), ...MUL, ...set(H),
      ...get(S), ...i32(1), ...SUB, ...set(S),
      ...br(0),
      ...END, ...END,
      ...get(S), ...get(E), ...LTU,
      ...IF,
      ...get(H), ...EQZ, ...IF, ...i32(1), ...set(H), ...END,
      // slot = table + (((h ^ (h >>> 16)) & mask) << 2); probe
      ...get(H), ...get(H), ...i32(16), ...SHRU, ...XOR, ...get(3), ...AND, ...set(SLOT),
      ...BLOCK, ...LOOP,
      ...get(2), ...get(SLOT), ...i32(2), ...SHL, ...ADD, ...load32(), ...tee(V), ...EQZ,
      ...IF,
      ...get(2), ...get(SLOT), ...i32(2), ...SHL, ...ADD, ...get(H), ...store32(),
      ...get(4), ...get(N), ...i32(2), ...SHL, ...ADD, ...get(H), ...store32(),
      ...get(N), ...i32(1), ...ADD, ...tee(N), ...get(5), ...GTU, ...IF, ...i32(-1), ...RETURN, ...END,
      ...br(2),
      ...END,
      ...get(V), ...get(H), ...EQ, ...brIf(1),
      ...get(SLOT), ...i32(1), ...ADD, ...get(3), ...AND, ...set(SLOT),
      ...br(0),
      ...END, ...END,
      ...END,
      ...br(0),
      ...END, ...END,
      ...get(P), ...i32(16), ...ADD, ...set(P),
      ...br(0),
      ...END, ...END,
      ...get(N),
    ],
  };
}

function assemble(funcs: Func[]): Uint8Array<ArrayBuffer> {
  const types = section(1, vec(funcs.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))])));
  const imports = section(2, vec([[...name('e'), ...name('m'), 0x02, 0x00, ...uleb(1)]]));
  const fns = section(3, vec(funcs.map((_, i) => uleb(i))));
  const exps = section(7, vec(funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])));
  const code = section(10, vec(funcs.map((f) => {
    const body = [...vec(f.locals.map(([n, t]) => [...uleb(n), t])), ...f.body, ...END];
    return [...uleb(body.length), ...body];
  })));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...fns, ...exps, ...code]);
}

export interface Kernels {
  teddy(p: number, end: number, masks: number, out: number, cap: number): number;
  callidx(start: number, end: number, table: number, mask: number, list: number, max: number): number;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable (or disabled with
 * GUP_AUDIT_NO_WASM=1, which the tests use to check the JavaScript fallback). */
export function scanModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  if (devSwitches().noWasm || typeof WebAssembly === 'undefined') return compiled;
  try {
    const bytes = assemble([teddy(), callidx()]);
    if (WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
  } catch {
    compiled = null;
  }
  return compiled;
}
