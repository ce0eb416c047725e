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
  assert.strictEqual(new Set(ids).size, ids.length, 'a rule id is registered twice');
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

nodeTest.test('each rule page states the rule\'s meta.level and meta.precision', () => {
  // The rule's meta is the one source; the page repeats the default level and the confidence
  // word (`Confidence: <word>. <reason>`, docs/rules/README.md) and must not drift from it.
  for (const { meta } of rules) {
    const file = path.join(__dirname, '..', 'docs', 'rules', `${meta.id}.md`);
    if (!fs.existsSync(file)) continue; // reported by the registration test above
    const doc = fs.readFileSync(file, 'utf8');
    const conf = doc.match(/^Confidence: ([a-z-]+)\. \S/gm) ?? [];
    assert.strictEqual(conf.length, 1, `docs/rules/${meta.id}.md: needs exactly one 'Confidence: <word>. <reason>' line`);
    assert.strictEqual(/^Confidence: ([a-z-]+)\./.exec(conf[0])[1], meta.precision, `docs/rules/${meta.id}.md: Confidence word differs from meta.precision`);
    const level = /^Default level: \*\*([a-z]+)\*\*/m.exec(doc);
    assert.ok(level, `docs/rules/${meta.id}.md: no 'Default level: **<level>**' line`);
    assert.strictEqual(level[1], meta.level, `docs/rules/${meta.id}.md: default level differs from meta.level`);
  }
});
