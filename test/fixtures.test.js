'use strict';
// Every annotated fixture line must produce exactly the findings it names, line-exact, at the
// annotated level and once; no finding may appear on a line without an annotation (both
// directions).
const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { fixtureTrees, annotations, compareWithAnnotations, auditTree } = require('./helpers');

for (const root of fixtureTrees()) {
  test(`fixture tree ${path.basename(root)}: findings match annotations`, async () => {
    const res = await auditTree(root);
    const ann = annotations(root);
    assert.deepStrictEqual(compareWithAnnotations(res.findings, ann), { missing: [], unexpected: [], onExpectNone: [] });
    assert.ok(ann.expected.length > 0, 'a fixture tree without annotations tests nothing');
  });
}

test('the annotation comparison fails on a changed level, a duplicate and a missing finding', () => {
  const f = (line, ruleId, level) => ({ file: 'a.c', span: { line }, ruleId, level, message: 'm' });
  const ann = { expected: ['a.c:3:prefer-unlocked:warning', 'a.c:9:missing-mmap-lock:error'], none: new Set(['a.c:12']) };
  const exact = compareWithAnnotations([f(3, 'prefer-unlocked', 'warning'), f(9, 'missing-mmap-lock', 'error')], ann);
  assert.deepStrictEqual(exact, { missing: [], unexpected: [], onExpectNone: [] });
  const relevelled = compareWithAnnotations([f(3, 'prefer-unlocked', 'note'), f(9, 'missing-mmap-lock', 'error')], ann);
  assert.deepStrictEqual(relevelled.missing, ['a.c:3:prefer-unlocked:warning']);
  const twice = compareWithAnnotations([f(3, 'prefer-unlocked', 'warning'), f(3, 'prefer-unlocked', 'warning'), f(9, 'missing-mmap-lock', 'error'), f(12, 'x', 'note')], ann);
  assert.strictEqual(twice.unexpected.length, 2);
  assert.strictEqual(twice.onExpectNone.length, 1);
});
