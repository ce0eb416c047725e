'use strict';
// Workers answer in any order; the report must not depend on it: the same findings,
// messages and caller chains with one worker as with several, run after run.
const test = require('node:test');
const assert = require('node:assert');
const { fixtureTrees, auditTreeParallel: auditTree } = require('./helpers');

test('determinism: one worker and three give the same report on every fixture tree', async () => {
  for (const root of fixtureTrees()) {
    const one = await auditTree(root, { jobs: 1 });
    for (let k = 0; k < 3; k++) {
      const three = await auditTree(root, { jobs: 3 });
      assert.deepStrictEqual(three.findings, one.findings, root);
      assert.deepStrictEqual(three.notifications, one.notifications, root);
    }
  }
});
