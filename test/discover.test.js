'use strict';
// The tree walk split over the worker pool finds exactly what the walk on one thread finds:
// the same files, the same notes (links, unreadable directories), at every depth.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { discover } = require('../dist/src/discover');
const { WorkerPool } = require('../dist/src/parse/pool');

test('discover: the parallel walk equals the serial walk', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-discover-'));
  const pool = new WorkerPool(2, 60000);
  try {
    const put = (rel, text = 'int x;\n') => { fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true }); fs.writeFileSync(path.join(root, rel), text); };
    fs.writeFileSync(path.join(root, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 12\n');
    put('top.c');
    put('a/one.c');
    put('a/b/two.h');
    put('a/b/c/three.c');
    put('a/b/c/d/e/four.c');
    put('a/b/c/notes.txt');
    put('x/.hidden/skip.c');
    put('x/y/.dot.c');
    for (let i = 0; i < 40; i++) put(`many/d${i}/sub/f${i}.c`);
    fs.symlinkSync('../top.c', path.join(root, 'a/link.c'));
    fs.symlinkSync('../../a', path.join(root, 'a/b/up'));
    fs.symlinkSync('/nonexistent/target.c', path.join(root, 'a/b/c/dangling.c'));
    fs.symlinkSync(os.tmpdir(), path.join(root, 'x/y/outside'));
    const rootOnly = process.getuid?.() === 0;
    if (!rootOnly) { put('a/b/locked/in.c'); fs.chmodSync(path.join(root, 'a/b/locked'), 0o000); }

    const serial = await discover([root], root, { include: [], exclude: [] });
    const parallel = await discover([root], root, { include: [], exclude: [] }, (dirs, r, top) => pool.run({ type: 'walk', dirs, root: r, top }));
    const norm = (d) => ({ files: [...d.files].sort(), notes: d.notes.map((n) => `${n.level} ${n.file} ${n.message}`).sort() });
    assert.deepStrictEqual(norm(parallel), norm(serial));
    const rel = serial.files.map((f) => path.relative(root, f));
    for (const f of ['top.c', 'a/one.c', 'a/b/two.h', 'a/b/c/three.c', 'a/b/c/d/e/four.c', 'many/d39/sub/f39.c']) assert.ok(rel.includes(f), f);
    assert.ok(!rel.some((f) => f.includes('.hidden') || f.endsWith('.dot.c') || f.endsWith('link.c')), rel.join(' '));
    assert.strictEqual(rel.length, 45);
    // Every link is reported: two inside the tree, one dangling, one out of it.
    assert.strictEqual(serial.notes.filter((n) => /symbolic link/.test(n.message)).length, 4, JSON.stringify(serial.notes));
    if (!rootOnly) assert.ok(serial.notes.some((n) => n.file === 'a/b/locked' && /directory not read/.test(n.message)), JSON.stringify(serial.notes));
  } finally {
    await pool.close();
    try { fs.chmodSync(path.join(root, 'a/b/locked'), 0o755); } catch { /* not made */ }
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('discover: a symbolic link named to audit is audited, not reported as not followed (one thread and the pool)', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-discover-named-'));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-discover-out-'));
  const pool = new WorkerPool(2, 60000);
  try {
    fs.writeFileSync(path.join(root, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 12\n');
    fs.writeFileSync(path.join(out, 'real.c'), 'int x;\n');
    const links = ['near.c', 'a/b/c/deep.c'].map((rel) => path.join(root, rel));
    for (const l of links) { fs.mkdirSync(path.dirname(l), { recursive: true }); fs.symlinkSync(path.join(out, 'real.c'), l); }
    const runner = (dirs, r, top, given) => pool.run({ type: 'walk', dirs, root: r, top, given });
    for (const run of [undefined, runner]) {
      const alone = await discover([root], root, { include: [], exclude: [] }, run);
      assert.deepStrictEqual(alone.notes.map((n) => `${n.file}:${n.level}`).sort(), ['a/b/c/deep.c:warning', 'near.c:warning'], 'links out of the tree are reported');
      const named = await discover([root, ...links], root, { include: [], exclude: [] }, run);
      assert.deepStrictEqual(named.files, [...links].sort());
      assert.deepStrictEqual(named.notes, [], 'a named link is audited: no note says it is not followed');
    }
  } finally {
    await pool.close();
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  }
});
