'use strict';
// --shard I/N splits the audit; `gup-audit merge` puts the SARIF logs back together,
// deduplicated by fingerprint.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { fixtureTrees, auditTreeParallel: auditTree, FIXTURES, cli } = require('./helpers');
const { mergeSarif } = require('../dist/src/report/merge');
const { UsageError } = require('../dist/src/errors');
const { parseShard, shardOf } = require('../dist/src/scan');

const run = async (args) => await cli([...args], { encoding: 'utf8' });

test('shard: parse and assignment', () => {
  assert.deepStrictEqual(parseShard('2/3'), { index: 2, count: 3 });
  for (const bad of ['0/2', '3/2', '1/0', 'a/b', '1', '1/2/3']) assert.throws(() => parseShard(bad));
  // Deterministic, and independent of the other files.
  assert.strictEqual(shardOf('mm/gup.c', 4), shardOf('mm/gup.c', 4));
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 1000; i++) counts[shardOf(`drivers/x/file${i}.c`, 4)]++;
  assert.ok(counts.every((c) => c > 150), `balanced: ${counts}`);
});

for (const root of fixtureTrees()) {
  test(`shard: ${path.basename(root)}: the shards' findings partition the full run's`, async () => {
    const full = await auditTree(root);
    for (const n of [2, 3]) {
      const seen = [];
      for (let i = 1; i <= n; i++) {
        const r = await auditTree(root, { shard: { index: i, count: n } });
        for (const f of r.findings) assert.strictEqual(shardOf(f.file, n), i - 1, `${f.file} reported by shard ${i}/${n}`);
        seen.push(...r.findings.map((f) => f.fingerprint));
      }
      assert.deepStrictEqual(seen.sort(), full.findings.map((f) => f.fingerprint).sort());
    }
  });
}

test('merge: deduplicates by fingerprint, renumbers rules, keeps invocations', () => {
  const rule = (id) => ({ id, shortDescription: { text: id } });
  const res = (ruleId, ruleIndex, fp, line) => ({
    ruleId, ruleIndex, message: { text: 'm' }, partialFingerprints: { 'gupAudit/v1': fp },
    locations: [{ physicalLocation: { artifactLocation: { uri: 'a.c', uriBaseId: 'SRCROOT' }, region: { startLine: line, startColumn: 1 } } }],
  });
  const log = (rules, results, cmd) => ({ version: '2.1.0', runs: [{ tool: { driver: { name: 'gup-audit', rules } }, invocations: [{ commandLine: cmd, executionSuccessful: true }], results, properties: { stats: { x: 1 } } }] });
  const a = log([rule('r1'), rule('r2')], [res('r2', 1, 'f2', 5), res('r1', 0, 'f1', 3)], 'a');
  const b = log([rule('r3'), rule('r2')], [res('r2', 1, 'f2', 5), res('r3', 0, 'f3', 1)], 'b');
  const m = mergeSarif([{ name: 'a', log: a }, { name: 'b', log: b }]);
  const run0 = m.runs[0];
  assert.deepStrictEqual(run0.tool.driver.rules.map((r) => r.id), ['r1', 'r2', 'r3']);
  assert.deepStrictEqual(run0.results.map((r) => [r.ruleId, r.ruleIndex, r.partialFingerprints['gupAudit/v1']]), [['r3', 2, 'f3'], ['r1', 0, 'f1'], ['r2', 1, 'f2']]);
  assert.deepStrictEqual(run0.invocations.map((i) => i.commandLine), ['a', 'b']);
  assert.strictEqual(run0.properties.stats, undefined);
  assert.deepStrictEqual(run0.properties.merged, { logs: ['a', 'b'], runs: 2, results: 4, unique: 3 });
  assert.throws(() => mergeSarif([{ name: 'x', log: { version: '2.0.0', runs: [] } }]), UsageError);
  assert.throws(() => mergeSarif([{ name: 'a', log: a }, { name: 'c', log: { version: '2.1.0', runs: [{ tool: { driver: { name: 'other' } }, results: [] }] } }]), /cannot be merged/);
});

test('merge: shard logs of the CLI merge into the full run\'s results', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-merge-'));
  try {
    const tree = path.join(FIXTURES, 'v6.12');
    const full = path.join(dir, 'full.sarif');
    assert.strictEqual((await run([tree, '-f', 'sarif', '-o', full, '--fail-on', 'none'])).status, 0);
    const parts = [];
    for (const i of [1, 2, 3]) {
      const out = path.join(dir, `s${i}.sarif`);
      const r = await run([tree, '-f', 'sarif', '-o', out, '--fail-on', 'none', '--shard', `${i}/3`]);
      assert.strictEqual(r.status, 0, r.stderr);
      parts.push(out);
    }
    const merged = path.join(dir, 'merged.sarif');
    const r = await run(['merge', ...parts, parts[0], '-o', merged]);
    assert.strictEqual(r.status, 0, r.stderr);
    const read = (f) => JSON.parse(fs.readFileSync(f, 'utf8'));
    const results = (log) => log.runs[0].results.map((x) => JSON.stringify([x.partialFingerprints['gupAudit/v1'], x.ruleId, x.ruleIndex, x.message.text])).sort();
    assert.deepStrictEqual(results(read(merged)), results(read(full)));
    // Errors: a missing or non-SARIF input is a usage error (exit 2), one line on stderr.
    const bad = await run(['merge', path.join(dir, 'nope.sarif')]);
    assert.strictEqual(bad.status, 2);
    assert.match(bad.stderr, /^gup-audit: error: cannot read/);
    fs.writeFileSync(path.join(dir, 'x.json'), '{"version":"1"}');
    assert.strictEqual((await run(['merge', path.join(dir, 'x.json')])).status, 2);
    const help = await run(['merge', '--help']);
    assert.strictEqual(help.status, 0);
    assert.doesNotMatch(help.stderr, /internal error/);
    assert.strictEqual((await run(['merge'])).status, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
