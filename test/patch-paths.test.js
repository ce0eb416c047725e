'use strict';
// Patch file names that try to leave the tree (issue 14): `..`, absolute, through a
// symbolically linked directory, Unicode lookalikes. A fuzz-style run over generated names
// checks that nothing outside the tree is read (in-process, applySeries) and a few
// representative ones go through `gup-audit series` end to end: exit 2 naming the patch
// and the name, nothing written outside. Every victim lives in a temporary directory.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { FIXTURES, cli } = require('./helpers');
const { applySeries, splitInput, unsafePatchPath, isWithin, realPathOfNearest, PatchError } = require('../dist/src/gate/patch');

const VICTIM = 'int v;\n';

let base;
test.before(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-patchpaths-'));
  const root = path.join(base, 'tree');
  fs.mkdirSync(path.join(root, 'drivers'), { recursive: true });
  fs.copyFileSync(path.join(FIXTURES, 'v6.12', 'Makefile'), path.join(root, 'Makefile'));
  fs.writeFileSync(path.join(root, 'drivers', 'x.c'), VICTIM);
  for (const d of ['victim', 'outside']) fs.mkdirSync(path.join(base, d));
  fs.writeFileSync(path.join(base, 'victim', 'target.c'), VICTIM);
  fs.writeFileSync(path.join(base, 'outside', 't.c'), VICTIM);
  fs.symlinkSync(path.join(base, 'outside'), path.join(root, 'drivers', 'link'));
});
test.after(() => fs.rmSync(base, { recursive: true, force: true }));

/** Everything outside the tree, as a snapshot (names and contents). */
function outsideSnapshot() {
  const out = {};
  for (const d of ['victim', 'outside']) for (const n of fs.readdirSync(path.join(base, d))) out[`${d}/${n}`] = fs.readFileSync(path.join(base, d, n), 'utf8');
  out['.'] = fs.readdirSync(base).sort().join(',');
  return out;
}

const modify = (p) => `--- a/${p}\n+++ b/${p}\n@@ -1 +1 @@\n-int v;\n+int w;\n`;
const create = (p) => `--- /dev/null\n+++ b/${p}\n@@ -0,0 +1 @@\n+int n;\n`;
/** As the CLI reads a patch: its bytes as Latin-1. */
const asRead = (text) => Buffer.from(text, 'utf8').toString('latin1');

/** A small deterministic generator (no flaky fuzzing). */
function* names(count) {
  const pool = ['..', '.', '', 'drivers', 'link', 'victim', 'target.c', 'x.c', 't.c', '．．', '‥', '．', '..／..', '%2e%2e', '..\\..', 'new.c'];
  let seed = 14;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const abs = path.join(base, 'victim', 'target.c');
  yield* [
    '../victim/target.c', '../../victim/target.c', 'drivers/../../victim/target.c', '../../../../../../../victim/target.c',
    `/${abs}`, `.${abs}`, 'drivers/link/t.c', 'drivers/link/new.c', 'drivers/link/../../victim/target.c',
    '．．/victim/target.c', '‥/victim/target.c', '..／victim/target.c', 'drivers/x.c',
  ];
  for (let i = 0; i < count; i++) {
    const segs = [];
    for (let k = 1 + rnd(6); k > 0; k--) segs.push(pool[rnd(pool.length)]);
    yield segs.join('/');
  }
}

test('patch paths (fuzz): no generated name makes applySeries read outside the tree', () => {
  const root = path.join(base, 'tree');
  const realRoot = fs.realpathSync(root);
  const snap = outsideSnapshot();
  let rejected = 0, applied = 0;
  for (const p of names(400)) {
    for (const diff of [modify(p), create(p)]) {
      const msgs = splitInput(asRead(diff), 'fuzz.patch', 0);
      let res;
      try { res = applySeries(msgs, root); } catch (e) {
        assert.ok(e instanceof PatchError, `${p}: ${e.stack}`);
        assert.match(e.message, /^patch fuzz\.patch/);
        rejected++;
        continue;
      }
      applied++;
      for (const [k, before] of res.before) {
        assert.strictEqual(unsafePatchPath(k), null, `${p} -> ${k}`);
        assert.ok(isWithin(realPathOfNearest(path.join(root, k)), realRoot), `${p} -> ${k} outside`);
        // What was read is the tree's own file.
        if (before !== null) assert.strictEqual(before, fs.readFileSync(path.join(root, k), 'latin1'));
      }
    }
  }
  assert.ok(rejected > 100 && applied > 0, `rejected ${rejected}, applied ${applied}`);
  assert.deepStrictEqual(outsideSnapshot(), snap);
});

test('patch paths: the string check rejects each kind of escape', () => {
  for (const [p, re] of [['../a.c', /\.\./], ['/etc/x.c', /absolute/], ['a/../../b.c', /\.\./], [asRead('．．/a.c'), /lookalike/], [asRead('‥/a.c'), /lookalike/], [asRead('..／a.c'), /lookalike/], ['a\\..\\b.c', /backslash/], ['a/\nb.c', /control/]]) {
    assert.match(unsafePatchPath(p) ?? 'accepted', re, p);
  }
  for (const p of ['drivers/x.c', 'a/b/c.h', asRead('drivers/café.c'), 'x..y/z.c']) assert.strictEqual(unsafePatchPath(p), null, p);
});

test('series: escaping patch names end with exit 2 naming the patch and the name; nothing outside is read or written', async () => {
  const root = path.join(base, 'tree');
  const snap = outsideSnapshot();
  const abs = path.join(base, 'victim', 'target.c');
  const cases = [
    ['dotdot.patch', modify('../victim/target.c'), /dotdot\.patch.*\.\.\/victim\/target\.c/],
    ['create.patch', create('../../victim/new.c'), /create\.patch.*victim\/new\.c/],
    ['abs.patch', modify(`/${abs}`), /abs\.patch.*absolute/],
    ['link.patch', modify('drivers/link/t.c'), /link\.patch.*drivers\/link\/t\.c resolves outside the tree/],
    ['linknew.patch', create('drivers/link/new.c'), /linknew\.patch.*drivers\/link\/new\.c resolves outside the tree/],
    ['lookalike.patch', modify('．．/victim/target.c'), /lookalike\.patch.*lookalike/],
  ];
  for (const [name, diff, re] of cases) {
    const file = path.join(base, name);
    fs.writeFileSync(file, diff);
    const r = await cli(['series', '--tree', root, file], { encoding: 'utf8', timeout: 60000 });
    assert.strictEqual(r.status, 2, `${name}: exit ${r.status}\n${r.stderr}`);
    assert.strictEqual(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, re);
    fs.rmSync(file);
  }
  assert.deepStrictEqual(outsideSnapshot(), snap);
});
