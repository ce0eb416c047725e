'use strict';
// The token scans (src/parse/needles.ts, src/scan.ts): the SIMD kernels and their
// JavaScript fallback must give exactly what a plain search gives, and answering caller
// searches from call indexes must not change any finding.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { fixtureTrees, auditTreeParallel: auditTree, walk, FIXTURES } = require('./helpers');

const DIST = path.join(__dirname, '..', 'dist', 'src');
const { callHash } = require(path.join(DIST, 'parse', 'needles'));

/** Deterministic pseudo-random C-ish text: identifiers, calls, spaces, punctuation. */
function synth(seed, n) {
  let x = seed >>> 0;
  const rnd = (m) => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return (x >>> 8) % m; };
  const words = ['get_user_pages', 'mmap_lock', 'mmap_sem', 'foo', 'foo_bar', 'x', 'ab', 'user_page', 'pin', '__get', 'vb2_core', 'if', 'return', 'q9', '0x1f', 'mm'];
  const seps = [' ', '(', ') ', '\n', '\t(', ' (', ';', ',', '->', '\n (', '/* */', '"s("'];
  let s = '';
  while (s.length < n) s += words[rnd(words.length)] + seps[rnd(seps.length)];
  return s.slice(0, n);
}

/** Run needle searches and call indexes in a child (with or without WebAssembly). */
function inChild(files, needleSets, env) {
  const code = `
    const { Scanner, NeedleSet } = require(${JSON.stringify(path.join(DIST, 'parse', 'needles'))});
    const sc = new Scanner();
    const [files, sets] = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    const ns = sets.map(([needles, word]) => new NeedleSet(needles, word));
    const out = { simd: sc.simd, files: [] };
    for (const f of files) {
      const r = sc.read(f, 1e9);
      const idx = sc.callIndex(r.len);
      // (The index promises distinct hashes in no particular order.)
      out.files.push({ any: ns.map((s) => sc.search(s, r.len, true).length > 0), all: ns.map((s) => sc.search(s, r.len, false).sort((a, b) => a - b)), idx: idx ? [...idx].sort((a, b) => a - b) : null });
    }
    process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['-e', code], { input: JSON.stringify([files, needleSets]), env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
  assert.strictEqual(r.status, 0, r.stderr.toString());
  return JSON.parse(r.stdout.toString());
}

function reference(file, needleSets) {
  const text = fs.readFileSync(file, 'latin1');
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const all = needleSets.map(([needles, word]) => needles.map((n, i) => ((word ? new RegExp(`(?<![A-Za-z0-9_])${esc(n)}(?![A-Za-z0-9_])`) : null)?.test(text) ?? text.includes(n) ? i : -1)).filter((i) => i >= 0));
  const idx = new Set();
  for (const m of text.matchAll(/([A-Za-z0-9_]+)[ \t\n\r\v\f]*\(/g)) idx.add(callHash(m[1]));
  return { any: all.map((a) => a.length > 0), all, idx: [...idx].sort((a, b) => a - b) };
}

test('scan kernels: SIMD, fallback and a plain search agree', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-scan-'));
  try {
    const files = [];
    const add = (name, text) => { const p = path.join(dir, name); fs.writeFileSync(p, text, 'latin1'); files.push(p); };
    add('empty.c', '');
    add('edges.c', 'mmap_sem(x) user_page');
    add('paren0.c', '(foo)(bar (baz\n\t(');
    add('one.c', 'a(');
    add('latin1.c', 'caf\xe9(1); \xff\xfeget_user_pages(');
    for (let i = 0; i < 12; i++) add(`synth${i}.c`, synth(i + 1, 1000 + i * 7919));
    // More candidate blocks than one kernel call returns (2048): resumption.
    add('many.c', 'mmap_lock '.repeat(6000) + 'get_vaddr_frames');
    // More distinct calls than the small table holds (resized), and than any table.
    add('calls.c', Array.from({ length: 3000 }, (_, i) => `f${i}(`).join(' '));
    for (const f of walk(FIXTURES).slice(0, 40)) files.push(f);
    const sets = [
      [['user_page', 'get_vaddr_frames', 'memfd_pin_folios', 'mmap_sem', 'mmap_lock'], false],
      [['foo', 'x', 'ab', 'get_user_pages', 'mm', 'q9', 'vb2_core', '__get', 'pin', 'foo_bar', 'return', 'zz_none'], true],
      [['foo', 'mmap_lock', 'user_page'], true],
    ];
    const simd = inChild(files, sets, {});
    const js = inChild(files, sets, { GUP_AUDIT_NO_WASM: '1' });
    assert.strictEqual(js.simd, false);
    files.forEach((f, i) => {
      const ref = reference(f, sets);
      for (const got of [simd, js]) {
        const g = got.files[i];
        assert.deepStrictEqual(g.any, ref.any, `${f}: any`);
        assert.deepStrictEqual(g.all, ref.all, `${f}: all`);
        assert.deepStrictEqual(g.idx, ref.idx, `${f}: call index`);
      }
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('scan kernels: a file with more distinct calls than an index holds is unindexed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-scan-'));
  try {
    const p = path.join(dir, 'huge.h');
    fs.writeFileSync(p, Array.from({ length: 40000 }, (_, i) => `#define R${i}(x) ((x) << ${i % 32})`).join('\n'));
    for (const env of [{}, { GUP_AUDIT_NO_WASM: '1' }]) assert.strictEqual(inChild([p], [], env).files[0].idx, null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const key = (f) => `${f.file}:${f.span.line}:${f.span.col}:${f.ruleId}:${f.fingerprint}:${f.message}`;

for (const root of fixtureTrees()) {
  test(`caller search: ${path.basename(root)}: call indexes give the findings of byte scans`, async () => {
    const indexed = await auditTree(root);
    process.env.GUP_AUDIT_SCAN_CHECK = 'bytes';
    let bytes;
    try { bytes = await auditTree(root); } finally { delete process.env.GUP_AUDIT_SCAN_CHECK; }
    assert.deepStrictEqual(indexed.findings.map(key).sort(), bytes.findings.map(key).sort());
  });
}
