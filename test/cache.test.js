'use strict';
// --cache: a warm run gives exactly what an uncached run gives, also after files change,
// and the cache never lives inside the audited tree.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { FIXTURES, auditTreeParallel: auditTree } = require('./helpers');
const { UsageError } = require('../dist/src/engine');

const key = (r) => JSON.stringify({
  findings: r.findings.map((f) => [f.file, f.span, f.ruleId, f.fingerprint, f.message]),
  notifications: r.notifications,
  candidates: r.stats.candidateFiles,
  functions: r.stats.functionsExtracted,
});

function copyTree(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-cache-tree-'));
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  // Files modified within 2 s of a scan are not trusted by the next run ("racily clean").
  const past = new Date(Date.now() - 3600 * 1000);
  for (const f of fs.readdirSync(dir, { recursive: true })) fs.utimesSync(path.join(dir, String(f)), past, past);
  return dir;
}

test('cache: cold, warm and after edits, the same results as without a cache', async () => {
  const tree = copyTree('v6.12');
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-cache-'));
  try {
    const plain = await auditTree(tree);
    const cold = await auditTree(tree, { cache: cacheDir, profile: true });
    assert.strictEqual(key(cold), key(plain));
    assert.strictEqual(cold.profile.extract.cached, 0);
    assert.ok(fs.readdirSync(path.join(cacheDir, 'v1', 'trees')).length === 1);

    // Unchanged tree: the whole result is reused.
    const warm = await auditTree(tree, { cache: cacheDir, profile: true });
    assert.strictEqual(key(warm), key(plain));
    assert.strictEqual(warm.profile.scan.cacheMisses, 0);
    assert.strictEqual(warm.stats.bytesScanned, 0);

    // Different options: per-file entries are reused, the result is computed.
    const oneRule = await auditTree(tree, { cache: cacheDir, only: ['prefer-unlocked'], profile: true });
    assert.strictEqual(key(oneRule), key(await auditTree(tree, { only: ['prefer-unlocked'] })));
    assert.ok(oneRule.profile.extract.cached > 0, 'facts come from the cache');

    // Edit a candidate file (drop its findings), add a new file with a GUP call, delete one.
    const files = fs.readdirSync(tree, { recursive: true }).map(String).filter((f) => /\.c$/.test(f)).sort();
    const victim = path.join(tree, files.find((f) => fs.readFileSync(path.join(tree, f), 'latin1').includes('mmap_read_lock')));
    fs.writeFileSync(victim, '/* emptied */\nint x;\n');
    fs.writeFileSync(path.join(tree, path.dirname(files[0]), 'added.c'), fs.readFileSync(path.join(FIXTURES, 'v6.12', files[1])));
    fs.rmSync(path.join(tree, files[2]));
    const after = await auditTree(tree, { cache: cacheDir, profile: true });
    assert.strictEqual(key(after), key(await auditTree(tree)));
    assert.ok(after.profile.scan.cacheMisses >= 2);
    assert.notStrictEqual(key(after), key(plain));
  } finally {
    fs.rmSync(tree, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('cache: a directory inside the audited tree is refused', async () => {
  const tree = copyTree('demo');
  try {
    await assert.rejects(auditTree(tree, { cache: path.join(tree, '.cache') }), (e) => e instanceof UsageError && /outside the audited tree/.test(e.message));
  } finally {
    fs.rmSync(tree, { recursive: true, force: true });
  }
});

test('cache: a corrupt cache is ignored, then rewritten', async () => {
  const tree = copyTree('demo');
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-cache-'));
  try {
    const plain = await auditTree(tree);
    await auditTree(tree, { cache: cacheDir });
    const trees = path.join(cacheDir, 'v1', 'trees');
    for (const f of fs.readdirSync(trees)) fs.writeFileSync(path.join(trees, f), 'garbage');
    const facts = path.join(cacheDir, 'v1', 'facts');
    for (const d of fs.readdirSync(facts)) for (const f of fs.readdirSync(path.join(facts, d))) fs.writeFileSync(path.join(facts, d, f), 'garbage');
    // The planted fact entries are dropped with a note (issue 14), the rest is the cold result.
    const warm = await auditTree(tree, { cache: cacheDir });
    assert.ok(warm.notifications.some((n) => /^cache: the entry .* failed its integrity check/.test(n.message)));
    warm.notifications = warm.notifications.filter((n) => !/^cache: /.test(n.message));
    assert.strictEqual(key(warm), key(plain));
    assert.strictEqual(key(await auditTree(tree, { cache: cacheDir })), key(plain));
  } finally {
    fs.rmSync(tree, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});
