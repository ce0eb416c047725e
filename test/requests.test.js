'use strict';
// Work the pipeline does not send to the workers, by counters (no timings): extraction
// requests that cannot give anything new (src/stages/facts.ts) and the extractor's early
// load behind a large prefilter scan (src/scan.ts).
const test = require('node:test');
const assert = require('node:assert');
const path = require('path');

const DIST = path.join(__dirname, '..', 'dist', 'src');
const { FactsStore } = require(path.join(DIST, 'stages', 'facts'));
const { TreeScan } = require(path.join(DIST, 'scan'));

/** A pool that answers extractions with `answer(req)` and counts what it was sent. */
function fakePool(answer) {
  const sent = [];
  return { sent, run: async (task) => { sent.push(task); return task.type === 'extract' ? answer(task.req) : null; } };
}

function fn(name, startLine) {
  return { name, file: 'a.c', isStatic: false, span: { line: startLine, col: 5, endLine: startLine, endCol: 10 }, startLine, endLine: startLine + 3, params: [], acquires: [], releases: [], mustHold: [], calls: [], nodes: [], aliases: {}, errors: 0 };
}
const facts = (functions) => ({ facts: { file: 'a.c', functions, gupTokens: [], unattributed: [], bytes: 100, parseErrors: 0 } });

function store(pool) {
  return new FactsStore({ pool, root: '/r', preprocess: undefined, maxBytes: 1 << 20, opts: {}, notifications: [], stats: { parseErrorNodes: 0 } });
}

test('a later-round request that gave nothing new is not sent again unchanged', async () => {
  let give = [];
  const pool = fakePool(() => facts(give));
  const s = store(pool);
  await s.extract(['/r/a.c'], ['helper'], false);
  await s.extract(['/r/a.c'], ['helper'], false);
  assert.strictEqual(pool.sent.length, 1);
  assert.strictEqual(s.repeatsSkipped, 1);
  // Other names: a different request, sent.
  give = [fn('caller', 10)];
  await s.extract(['/r/a.c'], ['other'], false);
  assert.strictEqual(pool.sent.length, 2);
  assert.strictEqual(s.functions.length, 1);
  // 'helper' again, but a function was taken from the file since: the skip list differs.
  give = [];
  await s.extract(['/r/a.c'], ['helper'], false);
  assert.strictEqual(pool.sent.length, 3);
  assert.deepStrictEqual(pool.sent[2].req.skip, [10]);
  assert.strictEqual(s.repeatsSkipped, 1);
});

test('a request that gave a new function is sent again (its skip list changed)', async () => {
  let n = 0;
  const pool = fakePool(() => facts([fn(`f${n}`, 10 * ++n)]));
  const s = store(pool);
  await s.extract(['/r/a.c'], ['helper'], false);
  await s.extract(['/r/a.c'], ['helper'], false);
  assert.strictEqual(pool.sent.length, 2);
  assert.strictEqual(s.repeatsSkipped, 0);
  assert.strictEqual(s.functions.length, 2);
});

test('a failed request is not remembered as fruitless', async () => {
  let fail = true;
  const pool = { sent: [], run: async (t) => { pool.sent.push(t); if (fail) throw new Error('boom'); return facts([]); } };
  const s = store(pool);
  await s.extract(['/r/a.c'], ['helper'], false);
  fail = false;
  await s.extract(['/r/a.c'], ['helper'], false);
  assert.strictEqual(pool.sent.length, 2);
  assert.strictEqual(s.repeatsSkipped, 0);
});

test('a later-round request with no name is not sent; the first extraction always is', async () => {
  const pool = fakePool(() => facts([]));
  const s = store(pool);
  await s.extract(['/r/a.c', '/r/b.c'], [''], false);
  assert.strictEqual(pool.sent.length, 0);
  assert.strictEqual(s.emptySkipped, 2);
  await s.extract(['/r/a.c'], ['get_user_pages'], true);
  await s.extract(['/r/a.c'], ['get_user_pages'], true);
  assert.strictEqual(pool.sent.length, 2);
});

function scanPool() {
  const sent = [];
  return {
    sent,
    run: async (t) => {
      sent.push(t);
      if (t.type !== 'scan') return null;
      return { hits: [], skipped: [], bytes: 0, ms: 0, index: { hashes: new Uint32Array(0), offsets: new Int32Array(t.files.length + 1), unindexed: [] } };
    },
  };
}

test('the workers load the extractor behind a large prefilter scan, not a small one', async () => {
  for (const [n, warm] of [[100, 0], [3000, 2]]) {
    const pool = scanPool();
    const files = Array.from({ length: n }, (_, i) => `/r/f${String(i).padStart(5, '0')}.c`);
    const scan = new TreeScan({ pool, jobs: 2, root: '/r', files, needles: ['mmap_lock'], notify: () => undefined });
    await scan.prefilter(true);
    assert.strictEqual(scan.warmed, warm);
    const kinds = pool.sent.map((t) => t.type);
    assert.strictEqual(kinds.filter((k) => k === 'warm').length, warm);
    // Behind every batch of the scan.
    if (warm) assert.ok(kinds.lastIndexOf('scan') < kinds.indexOf('warm'));
  }
});

test('first-round answers sent early are used unless the final names add a token of the file', async () => {
  const fs = require('fs');
  const os = require('os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-prefetch-'));
  try {
    const a = path.join(dir, 'a.c'), b = path.join(dir, 'b.c'), c = path.join(dir, 'c.c');
    fs.writeFileSync(a, 'int f(void) { return get_user_pages(1); }\n');
    fs.writeFileSync(b, 'int g(void) { return MY_WRAPPER(1); }\n');
    fs.writeFileSync(c, 'int h(void) { return MY_WRAPPER_2(1); /* MY_WRAPPERx */ }\n');
    const pool = fakePool(() => facts([]));
    const s = new FactsStore({ pool, root: dir, preprocess: undefined, maxBytes: 1 << 20, opts: {}, notifications: [], stats: { parseErrorNodes: 0 } });
    s.prefetch([a, b, c], ['get_user_pages']);
    assert.strictEqual(pool.sent.length, 3);
    await s.extract([a, b, c], ['get_user_pages', 'MY_WRAPPER'], true);
    // b names MY_WRAPPER: asked again with the final names; a and c (MY_WRAPPER_2 and
    // MY_WRAPPERx are other tokens) keep their early answers.
    assert.strictEqual(s.prefetched, 3);
    assert.strictEqual(s.prefetchUsed, 2);
    assert.strictEqual(pool.sent.length, 4);
    assert.strictEqual(pool.sent[3].req.abs, b);
    assert.deepStrictEqual(pool.sent[3].req.names, ['get_user_pages', 'MY_WRAPPER']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('nothing is sent early with --cache (its entries are keyed by the names)', async () => {
  const pool = fakePool(() => facts([]));
  const s = new FactsStore({ pool, root: '/r', preprocess: undefined, maxBytes: 1 << 20, cache: { factsDir: '/nonexistent' }, opts: {}, notifications: [], stats: { parseErrorNodes: 0 } });
  s.prefetch(['/r/a.c'], ['get_user_pages']);
  assert.strictEqual(pool.sent.length, 0);
  assert.strictEqual(s.prefetched, 0);
});

// A worker keeps a file's masked, preprocessed and cut state between the requests of one
// audit (src/parse/extract.ts, FileState): every answer must be the one a fresh extraction
// gives, on every fixture file, for a first-round request and a later round's.
test('a kept file state gives the answers of a fresh extraction, and a changed file is not answered from it', () => {
  const fs = require('fs');
  const ex = require(path.join(DIST, 'parse', 'extract'));
  const { resolveTree } = require(path.join(DIST, 'stages', 'setup'));
  const { ROOT_NAMES } = require(path.join(DIST, 'stages', 'facts'));
  const { gupNames } = require(path.join(DIST, 'kernel', 'api'));
  const fixtures = path.join(__dirname, '..', 'fixtures');
  const files = [];
  const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else if (/\.c$/.test(e.name)) files.push(p); } };
  walk(fixtures);
  assert.ok(files.length > 20, `fixture .c files: ${files.length}`);
  let compared = 0;
  let laterHits = 0;
  for (const tree of fs.readdirSync(fixtures)) {
    const root = path.join(fixtures, tree);
    let preprocess;
    try { preprocess = resolveTree({ paths: [root] }).preprocess; } catch { continue; }
    for (const abs of files.filter((f) => f.startsWith(root + path.sep))) {
      const text = fs.readFileSync(abs, 'latin1');
      const file = path.relative(root, abs);
      const first = { file, abs, names: ROOT_NAMES, gupNames, preprocess };
      ex.clearTreeCaches();
      const fresh1 = ex.extractFile(first, text);
      // Later: the callers of every function the first request took, skipping those.
      const names = fresh1.functions.map((f) => f.name);
      if (!names.length) continue;
      const later = { ...first, names, skip: fresh1.functions.map((f) => f.startLine) };
      const fresh2 = ex.extractFile(later, text);
      ex.clearTreeCaches();
      const hits = ex.fileMemoCounters.hits;
      assert.deepStrictEqual(ex.extractFile(first, text, 'audit'), fresh1, `${file}: first request`);
      assert.strictEqual(ex.fileMemoCounters.hits, hits, `${file}: nothing kept yet`);
      assert.deepStrictEqual(ex.extractFile(later, text, 'audit'), fresh2, `${file}: later request`);
      // (A later request whose names are not tokens of the raw text stops before the state.)
      const afterLater = ex.fileMemoCounters.hits;
      assert.ok(afterLater <= hits + 1);
      assert.deepStrictEqual(ex.extractFile(first, text, 'audit'), fresh1, `${file}: first request again`);
      assert.strictEqual(ex.fileMemoCounters.hits, afterLater + 1, `${file}: the first request again uses the kept state`);
      laterHits += afterLater - hits;
      // The same path with other bytes: extracted afresh, never from the kept state.
      const edited = text.replace(/\n/, '\nstatic int gup_audit_added_fn(void) { return get_user_pages(0, 1, 0, NULL); }\n');
      const freshEdited = ex.extractFile(first, edited);
      assert.deepStrictEqual(ex.extractFile(first, edited, 'audit'), freshEdited, `${file}: edited`);
      compared++;
    }
  }
  ex.clearTreeCaches();
  assert.ok(compared > 20, `files compared: ${compared}`);
  assert.ok(laterHits > compared / 2, `later requests from the kept state: ${laterHits} of ${compared}`);
});

test('expression text keeps the parentheses C needs: uaddr + (done << PAGE_SHIFT), !(a && b), a - (b - c)', () => {
  const { exprText } = require(path.join(DIST, 'analysis', 'expr'));
  const id = (name) => ({ kind: 'id', name });
  const bin = (left, op, right) => ({ kind: 'bin', op, left, right });
  assert.strictEqual(exprText(bin(id('uaddr'), '+', bin(id('done'), '<<', id('PAGE_SHIFT')))), 'uaddr + (done << PAGE_SHIFT)');
  assert.strictEqual(exprText(bin(bin(id('uaddr'), '+', id('done')), '<<', id('PAGE_SHIFT'))), 'uaddr + done << PAGE_SHIFT');
  assert.strictEqual(exprText({ kind: 'un', op: '!', operand: bin(id('a'), '&&', id('b')) }), '!(a && b)');
  assert.strictEqual(exprText(bin(id('a'), '-', bin(id('b'), '-', id('c')))), 'a - (b - c)');
  assert.strictEqual(exprText(bin(bin(id('a'), '-', id('b')), '-', id('c'))), 'a - b - c');
  assert.strictEqual(exprText(bin(bin(id('a'), '*', id('b')), '+', id('c'))), 'a * b + c');
});
