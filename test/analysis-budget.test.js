'use strict';
// The analysis budget: a function whose dataflow needs more steps than its budget, or a
// file whose functions together do, is cut, reported by name (JSON, SARIF, text), and the
// rest of the audit goes on unchanged. --profile names the costliest function analyses.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { audit } = require('./helpers');
const { toSarif } = require('../dist/src/report/sarif');
const { formatText } = require('../dist/src/report/text');
const { formatProfile } = require('../dist/src/report/profile');
const chalk = require('chalk');

const ROOT = path.join(__dirname, '..', 'fixtures', 'v6.12');

/** A tree with one long function (many statements: many dataflow steps) and short ones,
 * each of which reaches get_user_pages() without the lock. */
function generatedTree() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-budget-'));
  fs.writeFileSync(path.join(root, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\n');
  fs.mkdirSync(path.join(root, 'drivers'));
  const fn = (name, n) => [`long ${name}(unsigned long addr, struct page **pages)`, '{', '\tlong x = 0;', '',
    '\tmmap_read_lock(current->mm);', '\tmmap_read_unlock(current->mm);',
    ...Array.from({ length: n }, (_, i) => `\tx += addr >> ${i % 7};`),
    '\treturn get_user_pages(addr, 1, 0, pages) + x;', '}', ''].join('\n');
  fs.writeFileSync(path.join(root, 'drivers', 'long.c'), fn('budget_long', 400));
  fs.writeFileSync(path.join(root, 'drivers', 'short.c'), fn('budget_short_a', 3) + fn('budget_short_b', 5));
  return root;
}
const key = (f) => `${f.ruleId}:${f.file}:${f.line ?? f.span.line}`;

test('analysis budget: the costliest function is cut and named, the rest of the audit is unchanged', async (t) => {
  const tree = generatedTree();
  t.after(() => fs.rmSync(tree, { recursive: true, force: true }));
  const full = await audit({ paths: [tree], jobs: 1, profile: true });
  const costs = full.profile.slowestFunctions;
  assert.ok(costs.length > 2);
  assert.match(formatProfile(full), /slowest function analyses/);
  const bySteps = [...costs].sort((a, b) => b.steps - a.steps);
  const [top, second] = bySteps;
  assert.ok(top.steps > second.steps, 'a single costliest function');
  assert.ok(!full.notifications.some((n) => n.kind === 'analysis-budget'), 'the default budget cuts nothing here');

  assert.strictEqual(top.function, 'budget_long');
  assert.strictEqual(full.findings.length, 3);
  const cut = await audit({ paths: [tree], jobs: 1, analysisBudget: { functionSteps: top.steps - 1, fileSteps: 1e9 } });
  const notes = cut.notifications.filter((n) => n.kind === 'analysis-budget');
  assert.deepStrictEqual(notes.map((n) => [n.file, n.level]), [[top.file, 'warning']]);
  assert.match(notes[0].message, new RegExp(`^${top.function.replace(/[()]/g, '\\$&')}\\(\\) not fully analysed: its lock dataflow stopped at the budget of ${top.steps - 1} steps`));
  // Findings of every other function are the same.
  const others = (r) => r.findings.filter((f) => !(f.file === top.file && f.function === top.function)).map(key);
  assert.deepStrictEqual(others(cut), others(full));
  // Reported in every format.
  const sarif = toSarif(cut, { commandLine: 'gup-audit' });
  const tn = sarif.runs[0].invocations[0].toolExecutionNotifications.filter((n) => n.descriptor.id === 'analysis-budget');
  assert.strictEqual(tn.length, 1);
  assert.strictEqual(tn[0].locations[0].physicalLocation.artifactLocation.uri.replace(/%2F/g, '/'), top.file);
  assert.match(formatText(cut, { chalk: new chalk.Instance({ level: 0 }), stats: false }), new RegExp(`${top.file}: ${top.function.replace(/[()]/g, '\\$&')}\\(\\) not fully analysed`));
});

test('analysis budget: a file whose budget is spent leaves its other functions unanalysed, and says so', async () => {
  const full = await audit({ paths: [ROOT], jobs: 1, profile: true });
  const perFile = new Map();
  for (const c of full.profile.slowestFunctions) perFile.set(c.file, (perFile.get(c.file) ?? 0) + 1);
  const file = [...perFile].sort((a, b) => b[1] - a[1])[0][0];
  const cut = await audit({ paths: [ROOT], jobs: 1, analysisBudget: { functionSteps: 1e9, fileSteps: 1 } });
  const notes = cut.notifications.filter((n) => n.kind === 'analysis-budget' && n.file === file);
  assert.ok(notes.length >= 1);
  assert.ok(notes.every((n) => /\(\) not analysed( fully)?: the analysis budget of its file \(1 dataflow steps\) was spent$/.test(n.message)), notes.map((n) => n.message).join('\n'));
  // Each function of such a file is cut (or had nothing to analyse), and nothing crashed.
  assert.ok(Array.isArray(cut.findings));
});

test('analysis budget with --cache: an analysis kept from the last run is used only when it finished within this run\'s allowance', async (t) => {
  const tree = generatedTree();
  const mover = (n) => `${'/* moved */\n'.repeat(n)}long budget_mover(unsigned long addr, struct page **pages)\n{\n\treturn pin_user_pages(addr, 1, 0, pages);\n}\n`;
  fs.writeFileSync(path.join(tree, 'drivers', 'mover.c'), mover(0));
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-budget-cache-'));
  t.after(() => { fs.rmSync(tree, { recursive: true, force: true }); fs.rmSync(cache, { recursive: true, force: true }); });
  const full = await audit({ paths: [tree], jobs: 1, profile: true, cache });
  assert.strictEqual(full.profile.analyses.kept, 0);
  const top = [...full.profile.slowestFunctions].sort((a, b) => b.steps - a.steps)[0];
  const budget = { functionSteps: top.steps - 1, fileSteps: 1e9 };
  // An edit of another file recomputes the result: the short functions' analyses are
  // kept, the long one's (more steps than this budget allows) is computed again and cut.
  const edit = (n) => {
    const p = path.join(tree, 'drivers', 'mover.c');
    fs.writeFileSync(p, mover(n));
    fs.utimesSync(p, new Date(Date.now() - 60000 * n), new Date(Date.now() - 60000 * n));
  };
  const view = (r) => JSON.stringify([r.findings.map(key), r.notifications.filter((n) => n.kind === 'analysis-budget').map((n) => [n.file, n.message])]);
  edit(1);
  const cut = await audit({ paths: [tree], jobs: 1, profile: true, cache, analysisBudget: budget });
  assert.ok(cut.profile.analyses.kept >= 1, JSON.stringify(cut.profile.analyses));
  assert.strictEqual(view(cut), view(await audit({ paths: [tree], jobs: 1, analysisBudget: budget })));
  assert.ok(cut.notifications.some((n) => n.kind === 'analysis-budget' && n.file === top.file));
  // And the cut analysis kept by that run is not taken for a full one.
  edit(2);
  const again = await audit({ paths: [tree], jobs: 1, profile: true, cache });
  assert.strictEqual(view(again), view(await audit({ paths: [tree], jobs: 1 })));
  assert.ok(!again.notifications.some((n) => n.kind === 'analysis-budget'));
});
