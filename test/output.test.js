'use strict';
// Reports are written atomically into regular files, and straight into special files:
// `-o /dev/null` must never replace /dev/null by a regular file (it happened here once).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { cli } = require('./helpers');

const DEMO = path.join(__dirname, '..', 'fixtures', 'demo');

test('output: -o /dev/null writes into the device and leaves it a character device', async () => {
  const r = await cli([DEMO, '-f', 'json', '-o', '/dev/null'], { encoding: 'utf8' });
  const st = fs.statSync('/dev/null');
  if (!st.isCharacterDevice()) {
    // Put the machine right before failing.
    fs.rmSync('/dev/null', { force: true });
    spawnSync('mknod', ['-m', '666', '/dev/null', 'c', '1', '3']);
  }
  assert.ok(st.isCharacterDevice(), '/dev/null was replaced');
  assert.strictEqual(r.status, 1, r.stderr);
  assert.strictEqual(r.stdout, '');
});

test('output: a regular file is replaced atomically and keeps its mode; a directory is refused', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-out-'));
  const out = path.join(dir, 'r.json');
  fs.writeFileSync(out, 'old');
  fs.chmodSync(out, 0o640);
  const r = await cli([DEMO, '-f', 'json', '-o', out, '--fail-on', 'none'], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  assert.ok(JSON.parse(fs.readFileSync(out, 'utf8')).findings.length > 0);
  assert.strictEqual(fs.statSync(out).mode & 0o777, 0o640);
  assert.deepStrictEqual(fs.readdirSync(dir), ['r.json'], 'no temp file left behind');
  const d = await cli([DEMO, '-f', 'json', '-o', dir], { encoding: 'utf8' });
  assert.strictEqual(d.status, 2);
  assert.match(d.stderr, /is a directory/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('--fail-on-skip: a file of the tree left unaudited fails the run, otherwise it is reported only', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-skip-'));
  fs.cpSync(DEMO, dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'drivers', 'blob.c'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0x75, 0x73, 0x65, 0x72, 0x5f, 0x70, 0x61, 0x67, 0x65, 0]));
  const plain = await cli([dir, '--fail-on', 'none'], { encoding: 'utf8' });
  assert.strictEqual(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, /blob\.c.*binary/);
  const strict = await cli([dir, '--fail-on', 'none', '--fail-on-skip'], { encoding: 'utf8' });
  assert.strictEqual(strict.status, 1, strict.stderr);
  fs.rmSync(path.join(dir, 'drivers', 'blob.c'));
  const clean = await cli([dir, '--fail-on', 'none', '--fail-on-skip'], { encoding: 'utf8' });
  assert.strictEqual(clean.status, 0, clean.stderr);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the text and checkpatch reports quote the analysed lines without reading the tree', async () => {
  const { auditTree } = require('./helpers');
  const { formatText } = require('../dist/src/report/text');
  const { formatAuditCheckpatch } = require('../dist/src/report/gcc');
  const chalk = require('chalk');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-out-src-'));
  try {
    fs.cpSync(DEMO, root, { recursive: true });
    const res = await auditTree(root);
    assert.ok(res.findings.length > 0);
    const f = res.findings[0];
    const line = fs.readFileSync(path.join(root, f.file), 'latin1').split('\n')[f.span.line - 1];
    // The tree is gone before the reports are formatted: what they quote came with the result.
    fs.rmSync(root, { recursive: true, force: true });
    const text = formatText(res, { chalk: new chalk.Instance({ level: 0 }), stats: false });
    assert.ok(text.includes(`> ${f.span.line} | ${line.replace(/\t/g, '    ')}`), text);
    const cp = formatAuditCheckpatch(res, { terse: false, summary: false });
    assert.ok(cp.includes(line), cp);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
