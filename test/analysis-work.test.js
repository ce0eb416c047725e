'use strict';
// The interprocedural analysis is bounded by the size of the call graph, not by the number
// of caller paths: a generated tree with a dense clique of functions named through one
// token-pasting macro (FNAME(c0), FNAME(c1), ... all call each other) and a deep caller
// chain above it. The work counters of --stats must grow linearly with the clique size.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { audit } = require('./helpers');

const MAKEFILE = 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\nEXTRAVERSION =\n';

/** A tree of one file: `n` clique functions, each calling the next three (so every one
 * reaches every other), a leaf with the GUP call, and a chain of `depth` callers above the
 * clique whose top takes the lock; one more entry reaches the clique after releasing it. */
function cliqueTree(n, depth) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-clique-'));
  const out = ['#define FNAME(name) clique_##name', '',
    'static long FNAME(leaf)(struct mm_struct *mm, unsigned long addr, struct page **pages)', '{',
    '\treturn get_user_pages_remote(mm, addr, 1, 0, pages, NULL); /* expect: missing-mmap-lock:error */', '}', ''];
  for (let i = 0; i < n; i++) {
    out.push(`static long FNAME(c${i})(struct mm_struct *mm, unsigned long addr, struct page **pages, int k)`, '{');
    out.push('\tif (k <= 0)', '\t\treturn FNAME(leaf)(mm, addr, pages);');
    for (let j = 1; j <= 3; j++) out.push(`\tif (k & ${j})`, `\t\treturn FNAME(c${(i + j) % n})(mm, addr, pages, k - ${j});`);
    out.push('\treturn 0;', '}', '');
  }
  out.push('static long chain0(struct mm_struct *mm, unsigned long addr, struct page **pages)', '{',
    '\treturn FNAME(c0)(mm, addr, pages, 7);', '}', '');
  for (let d = 1; d < depth; d++) {
    out.push(`static long chain${d}(struct mm_struct *mm, unsigned long addr, struct page **pages)`, '{',
      `\treturn chain${d - 1}(mm, addr, pages);`, '}', '');
  }
  out.push('long clique_locked_entry(struct mm_struct *mm, unsigned long addr, struct page **pages)', '{', '\tlong r;', '',
    '\tmmap_read_lock(mm);', `\tr = chain${depth - 1}(mm, addr, pages);`, '\tmmap_read_unlock(mm);', '\treturn r;', '}', '');
  out.push('long clique_unlocked_entry(struct mm_struct *mm, unsigned long addr, struct page **pages)', '{', '\tint ok;', '',
    '\tmmap_read_lock(mm);', '\tok = mm->map_count > 0;', '\tmmap_read_unlock(mm);', '\tif (!ok)', '\t\treturn 0;',
    `\treturn FNAME(c${n >> 1})(mm, addr, pages, 5);`, '}', '');
  fs.writeFileSync(path.join(root, 'Makefile'), MAKEFILE);
  fs.mkdirSync(path.join(root, 'drivers'));
  fs.writeFileSync(path.join(root, 'drivers', 'clique.c'), out.join('\n'));
  return root;
}

async function work(n, depth) {
  const root = cliqueTree(n, depth);
  try {
    const res = await audit({ paths: [root], jobs: 1, callDepth: depth + 8 });
    return res;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

test('analysis work grows linearly with a clique of macro-named functions and a deep chain', async () => {
  const sizes = [8, 16, 32];
  const runs = [];
  for (const n of sizes) runs.push(await work(n, 24));
  for (const [i, r] of runs.entries()) {
    const n = sizes[i];
    // Every clique function is a function of its own (FNAME(c0), FNAME(c1), ...).
    assert.strictEqual(r.stats.functionsExtracted, n + 24 + 3, `n=${n}`);
    // The leaf is reached with the lock (through the chain) and without it (the other entry).
    const missing = r.findings.filter((f) => f.ruleId === 'missing-mmap-lock');
    assert.strictEqual(missing.length, 1, JSON.stringify(r.findings.map((f) => f.message)));
    assert.strictEqual(missing[0].level, 'error');
    assert.match(missing[0].message, /FNAME\(leaf\)\(\) does not take it and is called without it from FNAME\(c\d+\) .*clique_unlocked_entry/);
  }
  const w = runs.map((r) => r.stats.analysisWork);
  const linear = (key) => {
    // Doubling the clique at most doubles the work (the chain's share stays constant).
    for (let i = 1; i < w.length; i++) {
      assert.ok(w[i][key] <= 2.1 * w[i - 1][key], `${key}: ${w.map((x) => x[key]).join(' -> ')} for cliques of ${sizes.join(', ')}`);
    }
  };
  linear('functionAnalyses');
  linear('entrySummaries');
  linear('entryEvaluations');
  // The absolute bound: a few evaluations per call edge (3 clique calls + 1 leaf call each).
  assert.ok(w[2].entryEvaluations <= 3 * 4 * (32 + 24 + 2), `entryEvaluations ${w[2].entryEvaluations}`);
});
