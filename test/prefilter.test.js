'use strict';
// The prefilter must be exact: skipping files that cannot match may never change the
// result. Audit every fixture tree with and without it and compare the findings.
const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { fixtureTrees, auditTree } = require('./helpers');

const key = (f) => `${f.file}:${f.span.line}:${f.span.col}:${f.ruleId}:${f.fingerprint}`;

for (const root of fixtureTrees()) {
  test(`prefilter: ${path.basename(root)}: same findings as extracting from every file`, async () => {
    const fast = await auditTree(root);
    const full = await auditTree(root, { prefilter: false });
    assert.ok(fast.stats.candidateFiles <= full.stats.candidateFiles);
    assert.deepStrictEqual(fast.findings.map(key).sort(), full.findings.map(key).sort());
    assert.strictEqual(fast.stats.gupTokenSites, full.stats.gupTokenSites);
  });
}
