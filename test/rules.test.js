'use strict';
// Focused rule tests: every rule's cases (test/rules/<id>.js) as small C snippets, run by
// the rule tester (test/rule-tester.js); and checks that every rule is registered,
// documented, and has positive and negative cases.
const fs = require('fs');
const path = require('path');
const nodeTest = require('node:test');
const assert = require('node:assert');
const { rules } = require('../dist/rules');
const { testRule } = require('./rule-tester');

const CASES = path.join(__dirname, 'rules');
const only = process.env.GUP_AUDIT_RULE; // run one rule's cases: GUP_AUDIT_RULE=id node --test test/rules.test.js

for (const rule of rules) {
  const file = path.join(CASES, `${rule.meta.id}.js`);
  if (only && only !== rule.meta.id) continue;
  if (!fs.existsSync(file)) continue; // reported by the registration test below
  testRule(rule.meta.id, require(file), nodeTest);
}

nodeTest.test('every rule is registered, documented and has positive and negative cases', () => {
  const ids = rules.map((r) => r.meta.id);
  const ruleFiles = fs.readdirSync(path.join(__dirname, '..', 'rules')).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.replace(/\.ts$/, ''));
  assert.deepStrictEqual([...ruleFiles].sort(), [...ids].sort(), 'rules/*.ts and the registered rules differ');
  for (const id of ids) {
    assert.ok(fs.existsSync(path.join(__dirname, '..', 'docs', 'rules', `${id}.md`)), `docs/rules/${id}.md is missing`);
    const file = path.join(CASES, `${id}.js`);
    assert.ok(fs.existsSync(file), `test/rules/${id}.js is missing`);
    const { valid = [], invalid = [] } = require(file);
    assert.ok(valid.length > 0 && invalid.length > 0, `${id}: needs valid and invalid cases`);
  }
  const stray = fs.readdirSync(CASES).map((f) => f.replace(/\.js$/, '')).filter((id) => !ids.includes(id));
  assert.deepStrictEqual(stray, [], 'case files for rules that do not exist');
});
