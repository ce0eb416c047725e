'use strict';
// The plain audit reads .gup-audit.json (or --config) and baselines, like the gate does.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { cli } = require('./helpers');

const run = async (args) => await cli([...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

function demoCopy() {
  const dst = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-cfg-'));
  fs.cpSync(path.join(__dirname, '..', 'fixtures', 'demo'), dst, { recursive: true });
  return dst;
}

test('config: .gup-audit.json at the tree root turns rules off and sets levels', async () => {
  const tree = demoCopy();
  const before = JSON.parse((await run([tree, '-f', 'json', '--fail-on', 'none'])).stdout).findings;
  assert.ok(before.some((f) => f.ruleId === 'prefer-unlocked'));
  fs.writeFileSync(path.join(tree, '.gup-audit.json'), JSON.stringify({ version: 1, rules: { 'prefer-unlocked': 'off', 'unbalanced-mmap-lock': 'note' } }));
  const after = JSON.parse((await run([tree, '-f', 'json', '--fail-on', 'none'])).stdout).findings;
  assert.ok(!after.some((f) => f.ruleId === 'prefer-unlocked'));
  for (const f of after.filter((x) => x.ruleId === 'unbalanced-mmap-lock')) assert.strictEqual(f.level, 'note');
  assert.strictEqual(after.length, before.filter((f) => f.ruleId !== 'prefer-unlocked').length);
  fs.rmSync(tree, { recursive: true, force: true });
});

test('config: a malformed config is exit 2 naming the file and the key', async () => {
  const tree = demoCopy();
  fs.writeFileSync(path.join(tree, '.gup-audit.json'), JSON.stringify({ version: 1, rules: { 'prefer-unlocked': 'loud' } }));
  const r = await run([tree]);
  assert.strictEqual(r.status, 2);
  assert.match(r.stderr, /\.gup-audit\.json.*rules/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  fs.rmSync(tree, { recursive: true, force: true });
});

test('baseline: --write-baseline then --baseline suppresses every known finding', async () => {
  const tree = demoCopy();
  const b = path.join(tree, '..', `${path.basename(tree)}-baseline.json`);
  const w = await run([tree, '--write-baseline', b, '--fail-on', 'none']);
  assert.strictEqual(w.status, 0, w.stderr);
  const entries = JSON.parse(fs.readFileSync(b, 'utf8')).findings;
  assert.ok(entries.length > 0);
  const r = await run([tree, '--baseline', b]);
  assert.strictEqual(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^0 findings/m);
  const j = JSON.parse((await run([tree, '--baseline', b, '-f', 'json', '--fail-on', 'none'])).stdout);
  assert.strictEqual(j.findings.length, entries.length);
  assert.ok(j.findings.every((f) => f.suppressed && f.suppressed.kind === 'external'));
  const s = JSON.parse((await run([tree, '--baseline', b, '-f', 'sarif', '--fail-on', 'none'])).stdout);
  assert.ok(s.runs[0].results.every((x) => x.suppressions && x.suppressions[0].kind === 'external'));
  fs.writeFileSync(b, '{"version": 1, "findings": [{"fingerprint": 42}]}');
  const bad = await run([tree, '--baseline', b]);
  assert.strictEqual(bad.status, 2);
  assert.match(bad.stderr, /findings\[0\]\.fingerprint/);
  fs.rmSync(tree, { recursive: true, force: true });
  fs.rmSync(b, { force: true });
});
