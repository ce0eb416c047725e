'use strict';
// Availability (issue 14): generated worst cases stay linear, asserted on work counters
// (never on time): a function with thousands of GUP calls and gotos in one locked region,
// thousands of acquire/goto retry blocks, a switch with tens of thousands of cases, and
// 16k lines of macro soup in a function body (no stack overflow, the finding kept: 16k
// unclosed parentheses nest far deeper than a recursive walker's stack allows).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
// audit: on the file's shared worker pool (the counters read here are the main thread's).
const { FIXTURES, audit } = require('./helpers');
const { regionCounters } = require('../dist/src/analysis/region');
const { extractFile, extractCounters } = require('../dist/src/parse/extract');
const { gupNames } = require('../dist/src/kernel/api');

const tmpRoots = [];
test.after(() => { for (const d of tmpRoots) fs.rmSync(d, { recursive: true, force: true }); });

function treeWith(body) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-avail-'));
  tmpRoots.push(root);
  fs.copyFileSync(path.join(FIXTURES, 'v6.12', 'Makefile'), path.join(root, 'Makefile'));
  fs.cpSync(path.join(FIXTURES, 'v6.12', 'include'), path.join(root, 'include'), { recursive: true });
  fs.mkdirSync(path.join(root, 'drivers', 'x'), { recursive: true });
  fs.writeFileSync(path.join(root, 'drivers', 'x', 'big.c'), body);
  return root;
}

const HEAD = 'int f(struct page **pages, unsigned long a, int c)\n{\n\tint ret = 0;\n';

/** One locked region with n GUP calls, each followed by `goto out` on error. */
const gotosInRegion = (n) => `${HEAD}\tmmap_read_lock(current->mm);\n${'\tret = get_user_pages(a, 1, FOLL_WRITE, pages);\n\tif (ret < 0) goto out;\n'.repeat(n)}out:\n\tmmap_read_unlock(current->mm);\n\treturn ret;\n}\n`;
/** n retry blocks: a label, lock, GUP, unlock and a goto back. */
const retryBlocks = (n) => HEAD + Array.from({ length: n }, (_, i) => `retry${i}:\n\tmmap_read_lock(current->mm);\n\tret = get_user_pages(a, 1, FOLL_WRITE, pages);\n\tmmap_read_unlock(current->mm);\n\tif (ret == -EAGAIN) goto retry${i};\n`).join('') + '\treturn ret;\n}\n';

async function regionWorkFor(body) {
  const root = treeWith(body);
  const before = { ...regionCounters };
  const res = await audit({ paths: [root], jobs: 1 });
  assert.ok(!res.notifications.some((n) => n.level === 'error'), JSON.stringify(res.notifications));
  return { work: regionCounters.worlds - before.worlds + regionCounters.reasons - before.reasons, res };
}

// Sizes 250, 1k and 2.5k (the ratios of the 1k/4k/10k this test was written with, at a quarter
// of its run time): the counters count worlds and reasons looked at, so linear work is
// c*n + d with d (the function's few fixed nodes) under 1% of c*n already at 250, and the
// quadratic work this guards against (every rule question scanning the whole function: n
// questions x c*n worlds) gives x16 and x100 at any n, far past the bounds below. (Checked
// by disabling the per-function region cache in dist/: both tests then fail at these sizes.)
for (const [name, gen] of [['GUP calls and gotos in one locked region', gotosInRegion], ['retry blocks with a goto back each', retryBlocks]]) {
  test(`availability: ${name}: region work grows linearly (250, 1k, 2.5k)`, async () => {
    const w1 = (await regionWorkFor(gen(250))).work;
    const w4 = (await regionWorkFor(gen(1000))).work;
    const w10 = (await regionWorkFor(gen(2500))).work;
    // Linear: x4 and x10 (and some slack); quadratic would be x16 and x100.
    assert.ok(w4 / w1 < 6, `250: ${w1}, 1k: ${w4}`);
    assert.ok(w10 / w1 < 15, `250: ${w1}, 2.5k: ${w10}`);
  });
}

test('availability: retry blocks: every block is still a finding', async () => {
  const { res } = await regionWorkFor(retryBlocks(2000));
  assert.strictEqual(res.findings.filter((f) => f.ruleId === 'prefer-unlocked').length, 2000);
});

const bigSwitch = (n) => `${HEAD}\tmmap_read_lock(current->mm);\n\tswitch (c) {\n${Array.from({ length: n }, (_, i) => `\tcase ${i}: ret = ${i}; break;\n`).join('')}\t}\n\tret = pin_user_pages(a, 1, FOLL_WRITE, pages);\n\tmmap_read_unlock(current->mm);\n\treturn ret;\n}\n`;

test('availability: a switch with 2k and 20k cases: linear CFG linking, the finding after it kept', async () => {
  const req = { file: 'big.c', abs: 'big.c', names: ['pin_user_pages', 'mmap_read_lock'], gupNames };
  const scans = (n) => { const before = extractCounters.linkScans; const f = extractFile(req, bigSwitch(n)); assert.strictEqual(f.functions.length, 1); return extractCounters.linkScans - before; };
  // (Quadratic linking gives x100 for ten times the cases; linear about x10.)
  const s2 = scans(2000), s20 = scans(20000);
  assert.ok(s20 / s2 < 15, `2k: ${s2}, 20k: ${s20}`);
  const res = await audit({ paths: [treeWith(bigSwitch(20000))], jobs: 1 });
  assert.deepStrictEqual(res.findings.map((f) => `${f.span.line}:${f.ruleId}`), [`${20000 + 7}:prefer-unlocked`]);
});

test('availability: 16k lines of macro soup in a function body: no stack overflow, the finding kept', async () => {
  for (const line of ['\t] ] ] ]\n', '\tFOO(BAR, x) BAZ(\n']) {
    const body = `${HEAD}\tmmap_read_lock(current->mm);\n\tret = pin_user_pages(a, 1, FOLL_WRITE, pages);\n\tmmap_read_unlock(current->mm);\n${line.repeat(16384)}\treturn ret;\n}\n`;
    const res = await audit({ paths: [treeWith(body)], jobs: 1 });
    assert.ok(!res.notifications.some((n) => n.level === 'error'), JSON.stringify(res.notifications));
    assert.deepStrictEqual(res.findings.map((f) => `${f.span.line}:${f.ruleId}`), ['5:prefer-unlocked']);
  }
});

test('availability: page-reference analysis of one function is bounded by its budget, and the cut is reported', async () => {
  const { lifecycleCounters, LIFECYCLE_FUNCTION_BUDGET } = require('../dist/src/analysis/pagerefs');
  const workFor = async (n) => {
    const before = lifecycleCounters.work;
    const res = await audit({ paths: [treeWith(retryBlocks(n))], jobs: 1 });
    return { work: lifecycleCounters.work - before, res };
  };
  const small = await workFor(20);
  assert.ok(small.work < LIFECYCLE_FUNCTION_BUDGET, String(small.work));
  assert.ok(!small.res.notifications.some((x) => x.kind === 'analysis-budget'), JSON.stringify(small.res.notifications));
  const big = await workFor(3000);
  // One call past the budget at most: the work of a call is a few passes over the function.
  assert.ok(big.work < LIFECYCLE_FUNCTION_BUDGET + 3 * 3000 * 8 + 4000, String(big.work));
  const cut = big.res.notifications.filter((x) => x.kind === 'analysis-budget');
  assert.strictEqual(cut.length, 1, JSON.stringify(cut));
  assert.strictEqual(cut[0].level, 'warning');
  assert.match(cut[0].message, /^f\(\): page references of \d+ of its 3000 GUP calls not followed/);
  // The lock rules still see every block.
  assert.strictEqual(big.res.findings.filter((f) => f.ruleId === 'prefer-unlocked').length, 3000);
});
