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

// Names that reach GUP or the mmap lock only through a macro or a lock wrapper of another
// file (drv_user.c calls drv_gup() of compat.h and names no API itself) join the needles.
for (const kdir of ['v6.12', 'v4.9']) {
  test(`prefilter: out-of-tree module against fixtures/${kdir}: macro-only callers are candidates`, async () => {
    const { FIXTURES } = require('./helpers');
    const root = path.join(FIXTURES, 'oot', 'drv_compat');
    const opts = { kdir: path.join(FIXTURES, kdir) };
    const fast = await auditTree(root, opts);
    const full = await auditTree(root, { ...opts, prefilter: false });
    assert.deepStrictEqual(fast.findings.map(key).sort(), full.findings.map(key).sort());
    assert.ok(fast.findings.some((f) => f.file === 'drv_user.c'), 'the macro-only file was audited');
  });
}
