'use strict';
// A rule tester in the spirit of ESLint's RuleTester: a rule's cases are small C snippets
// carrying the same annotations as the fixture trees (`/* expect: rule-id:level */` on the
// line of a finding, `/* expect-none */` on a line that must stay silent). All cases of one
// rule and era are written as one file each into a temporary kernel-like tree and audited
// in one run with only that rule enabled; each case is then checked on its own file(s).
//
// A case: { name, era?: '4.9' | '6.1' | '6.12' (default '6.12'), code, files?: {path: code}
//           (paths relative to the case's directory, or to the tree root when they start
//           with '/', e.g. '/mm/gup.c'),
//           messages?: RegExp[] (each must match a finding of the case) }.
// `valid` cases must have no finding of the rule; `invalid` ones at least one annotation.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { audit, annotations, compareWithAnnotations } = require('./helpers');

function slug(s) {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '').slice(0, 60);
}

/** Writes the tree of one era: a Makefile naming the version and one directory per case. */
function writeTree(era, cases) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-rule-'));
  const [major, minor] = era.split('.');
  fs.writeFileSync(path.join(root, 'Makefile'), `VERSION = ${major}\nPATCHLEVEL = ${minor}\nSUBLEVEL = 0\n`);
  cases.forEach((c, i) => {
    const dir = path.join(root, 'drivers', `c${i}_${slug(c.name)}`);
    const files = c.files ?? { 'case.c': c.code };
    c.paths = new Set();
    for (const [rel, text] of Object.entries(files)) {
      const abs = rel.startsWith('/') ? path.join(root, rel) : path.join(dir, rel);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, text);
      c.paths.add(path.relative(root, abs).split(path.sep).join('/'));
    }
  });
  return root;
}

/** Audits every case of a rule; returns { case -> { findings, annotations } }. */
async function runCases(ruleId, cases) {
  const byEra = new Map();
  for (const c of cases) {
    const era = c.era ?? '6.12';
    if (!byEra.has(era)) byEra.set(era, []);
    byEra.get(era).push(c);
  }
  const out = new Map();
  for (const [era, list] of byEra) {
    const root = writeTree(era, list);
    try {
      const res = await audit({ paths: [root], jobs: 1, only: [ruleId] });
      const ann = annotations(root);
      for (const c of list) {
        const inCase = (key) => c.paths.has(key.split(':')[0]);
        out.set(c, {
          findings: res.findings.filter((f) => inCase(f.file)),
          annotations: {
            // Annotations naming other rules are ignored: only this rule runs.
            expected: ann.expected.filter((k) => inCase(k) && k.split(':')[2] === ruleId),
            none: new Set([...ann.none].filter(inCase)),
          },
        });
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
  return out;
}

/** Registers the cases of `ruleId` with node:test (one test per case). */
function testRule(ruleId, { valid = [], invalid = [] }, { describe, it, before }) {
  describe(ruleId, () => {
    let results;
    before(async () => { results = await runCases(ruleId, [...valid, ...invalid]); });
    for (const c of valid) {
      it(`valid: ${c.name}`, () => {
        const r = results.get(c);
        const assert = require('node:assert');
        assert.deepStrictEqual(r.findings.map((f) => `${f.file}:${f.span.line}: ${f.message}`), []);
        assert.strictEqual(r.annotations.expected.length, 0, 'a valid case carries no expect annotation');
      });
    }
    for (const c of invalid) {
      it(`invalid: ${c.name}`, () => {
        const r = results.get(c);
        const assert = require('node:assert');
        assert.ok(r.annotations.expected.length > 0, 'an invalid case names its findings with expect annotations');
        assert.deepStrictEqual(compareWithAnnotations(r.findings, r.annotations), { missing: [], unexpected: [], onExpectNone: [] });
        for (const re of c.messages ?? []) {
          assert.ok(r.findings.some((f) => re.test(f.message)), `no finding message matches ${re}: ${r.findings.map((f) => f.message).join(' | ')}`);
        }
      });
    }
  });
}

module.exports = { testRule, runCases };
