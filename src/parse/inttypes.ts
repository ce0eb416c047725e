// Integer types of C as kernel code spells them: widths (negative: signed) of the standard
// and kernel type names, of a file's (or a module header's) typedefs, and of the integer
// fields of the structs it defines. Used where a comparison or an argument converts a
// negative errno to a huge unsigned count (src/analysis/pagerefs.ts).

/** A text normalised to single spaces. */
function normSpace(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Unsigned integer types as kernel code spells them (with the kernel's unsigned typedefs:
 * pgoff_t, sector_t, dma_addr_t, ... are unsigned long or u64). */
export const UNSIGNED_TYPE = /^(?:(?:const\s+)?(?:unsigned\b.*|size_t|__kernel_size_t|u8|u16|u32|u64|__u8|__u16|__u32|__u64|uint\d*_t|u_int\d*_t|u_int|u_long|uint|ulong|uintptr_t|pgoff_t|sector_t|blkcnt_t|phys_addr_t|dma_addr_t|resource_size_t))$/;
export const NO_TYPES: ReadonlyMap<string, number> = new Map();

/** Integer types by their width in bytes on a 64-bit kernel, negative for signed ones. */
const INT_WIDTH: Record<string, number> = {
  'signed char': -1, 'unsigned char': 1, u8: 1, __u8: 1, uint8_t: 1, u_int8_t: 1, s8: -1, __s8: -1, int8_t: -1,
  short: -2, 'short int': -2, 'signed short': -2, 'unsigned short': 2, 'unsigned short int': 2, u16: 2, __u16: 2, uint16_t: 2, u_int16_t: 2, s16: -2, __s16: -2, int16_t: -2,
  int: -4, signed: -4, 'signed int': -4, unsigned: 4, 'unsigned int': 4, uint: 4, u_int: 4, u32: 4, __u32: 4, uint32_t: 4, u_int32_t: 4, s32: -4, __s32: -4, int32_t: -4,
  long: -8, 'long int': -8, 'signed long': -8, 'unsigned long': 8, 'unsigned long int': 8, ulong: 8, u_long: 8, 'long long': -8, 'signed long long': -8, 'unsigned long long': 8,
  u64: 8, __u64: 8, uint64_t: 8, u_int64_t: 8, s64: -8, __s64: -8, int64_t: -8, size_t: 8, __kernel_size_t: 8, ssize_t: -8, loff_t: -8, uintptr_t: 8, intptr_t: -8,
  pgoff_t: 8, sector_t: 8, blkcnt_t: 8, phys_addr_t: 8, dma_addr_t: 8, resource_size_t: 8,
};

/** The width of an integer type (negative: signed), from the table or the file's typedefs;
 * null for anything else (pointers are not types here: plain scalars only). */
export function intWidth(type: string, own: ReadonlyMap<string, number>): number | null {
  const t = type.replace(/^(?:const|volatile)\s+/, '').replace(/\s+(?:const|volatile)$/, '');
  return INT_WIDTH[t] ?? own.get(t) ?? (UNSIGNED_TYPE.test(t) ? 8 : null);
}

/** A file's typedefs of an integer type (`typedef uint64_t qp_u64;`), transitively
 * (`typedef qp_u64 qp_count;`), with their widths (negative: signed). */
export function intTypedefs(masked: string): Map<string, number> {
  const out = new Map<string, number>();
  if (!masked.includes('typedef')) return out;
  const defs: [string, string][] = [];
  for (const m of masked.matchAll(/\btypedef\s+([A-Za-z_][\w\s]*?)\s+([A-Za-z_]\w*)\s*;/g)) defs.push([normSpace(m[1]), m[2]]);
  for (let changed = true, round = 0; changed && round < 8; round++) {
    changed = false;
    for (const [type, name] of defs) {
      if (out.has(name)) continue;
      const w = intWidth(type, out);
      if (w === null) continue;
      out.set(name, w);
      changed = true;
    }
  }
  return out;
}

/** The integer fields of the structs a file defines, by field name with their width
 * (negative: signed); a name declared with two widths is left out. */
export function intFields(masked: string, own: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  if (!masked.includes('struct')) return out;
  const bad = new Set<string>();
  for (const m of masked.matchAll(/\bstruct\s+[A-Za-z_]\w*\s*\{([^{}]*)\}/g)) {
    for (const decl of m[1].split(';')) {
      const d = /^\s*((?:(?:const|volatile|signed|unsigned|short|long|int|char)\s+)*[A-Za-z_]\w*)\s+([A-Za-z_]\w*(?:\s*(?::\s*\d+)?\s*,\s*[A-Za-z_]\w*)*)\s*(?::\s*\d+)?\s*$/.exec(decl);
      // (A pointer to or an array of integers, `unsigned int *nr_mapped;` `u32 cnt[4];`:
      // its elements' width, under `name[]`.)
      const el = d ? null : /^\s*((?:(?:const|volatile|signed|unsigned|short|long|int|char)\s+)*[A-Za-z_]\w*)\s*(?:\*\s*([A-Za-z_]\w*)|\s([A-Za-z_]\w*)\s*\[[^\]]*\])\s*$/.exec(decl);
      if (el) {
        const w = intWidth(normSpace(el[1]), own);
        const name = `${el[2] ?? el[3]}[]`;
        if (w === null || (out.has(name) && out.get(name) !== w)) bad.add(name);
        else out.set(name, w);
      }
      if (!d) continue;
      const w = intWidth(normSpace(d[1]), own);
      for (const name of d[2].split(',').map((x) => x.replace(/:.*$/, '').trim())) {
        if (w === null || (out.has(name) && out.get(name) !== w)) { bad.add(name); continue; }
        out.set(name, w);
      }
    }
  }
  for (const n of bad) out.delete(n);
  return out;
}

