'use strict';
// Every annotated fixture line must produce exactly the findings it names, line-exact, and
// no finding may appear on a line without an annotation (both directions).
const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { fixtureTrees, annotations, auditTree } = require('./helpers');

for (const root of fixtureTrees()) {
  test(`fixture tree ${path.basename(root)}: findings match annotations`, async () => {
    const res = await auditTree(root);
    const { expected, none } = annotations(root);
    const actual = new Set(res.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}`));
    const missing = [...expected].filter((k) => !actual.has(k));
    const unexpected = [...actual].filter((k) => !expected.has(k));
    const noneHit = res.findings.filter((f) => none.has(`${f.file}:${f.span.line}`)).map((f) => `${f.file}:${f.span.line}:${f.ruleId}`);
    const describe = (k) => {
      const f = res.findings.find((x) => `${x.file}:${x.span.line}:${x.ruleId}` === k);
      return f ? `${k}  (${f.message})` : k;
    };
    assert.deepStrictEqual(
      { missing, unexpected: unexpected.map(describe), onExpectNone: noneHit },
      { missing: [], unexpected: [], onExpectNone: [] },
    );
    assert.ok(expected.size > 0, 'a fixture tree without annotations tests nothing');
  });
}
