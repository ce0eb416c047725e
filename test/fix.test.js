'use strict';
// Autofix (gup-audit fix): for every prefer-unlocked fixture, the diff applies with
// `git apply --check`, the rewritten tree loses exactly the fixed findings and gains none,
// and no rewritten file has more tree-sitter ERROR nodes than before.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const Parser = require('tree-sitter');
const C = require('tree-sitter-c');
const { fixtureTrees, auditTree, cli } = require('./helpers');
const { runFix, formatPatchFile, subsystemPrefix } = require('../dist/src/fix/command');
const { splitArgs } = require('../dist/src/fix/fix');


function errorNodes(text) {
  const p = new Parser();
  p.setLanguage(C);
  const tree = p.parse((i) => text.slice(i, i + 16384));
  let n = 0;
  const stack = [tree.rootNode];
  while (stack.length) {
    const x = stack.pop();
    if (x.type === 'ERROR' || x.isMissing) n++;
    if (x.hasError) stack.push(...x.children);
  }
  return n;
}

function copyTree(src) {
  const dst = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-fix-'));
  fs.cpSync(src, dst, { recursive: true });
  return dst;
}

for (const root of fixtureTrees()) {
  test(`fix: ${path.basename(root)}: every exact prefer-unlocked fix applies and leaves no finding behind`, async () => {
    const before = await auditTree(root);
    const pu = before.findings.filter((f) => f.ruleId === 'prefer-unlocked');
    if (pu.length === 0) return;
    const tmp = copyTree(root);
    const { plan, output } = await runFix([tmp], {});
    const fixed = plan.files.flatMap((f) => f.fixes.map((x) => x.finding.fingerprint));
    assert.strictEqual(fixed.length + plan.skipped.length, pu.length, 'every finding is fixed or says why not');
    for (const s of plan.skipped) assert.match(s.reason, /\w/);
    assert.ok(fixed.length > 0, 'at least one exact fix');
    // The diff applies to a pristine copy.
    const patch = path.join(tmp, '..', `${path.basename(tmp)}.diff`);
    fs.writeFileSync(patch, Buffer.from(output, 'latin1'));
    const check = spawnSync('git', ['apply', '--check', '-p1', patch], { cwd: tmp, encoding: 'utf8' });
    assert.strictEqual(check.status, 0, check.stderr);
    // Apply through --write and re-audit.
    const errsBefore = new Map(plan.files.map((f) => [f.file, errorNodes(f.before)]));
    await runFix([tmp], { write: true });
    const after = await auditTree(tmp);
    // Other findings stay; one on a rewritten call (its page count, say) keeps its rule,
    // file and function but not its fingerprint, which includes the call's text.
    const key = (f) => `${f.ruleId} ${f.file} ${f.function}`;
    const expected = before.findings.filter((f) => !fixed.includes(f.fingerprint)).map(key).sort();
    assert.deepStrictEqual(after.findings.map(key).sort(), expected);
    for (const f of plan.files) {
      const text = fs.readFileSync(path.join(tmp, f.file), 'latin1');
      assert.strictEqual(text, f.after);
      assert.ok(errorNodes(text) <= errsBefore.get(f.file), `${f.file}: no new ERROR nodes`);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(patch, { force: true });
  });
}

test('fix: arguments are reordered for the era and continuation lines keep their alignment', async () => {
  const tmp = copyTree(path.join(__dirname, '..', 'fixtures', 'v4.9'));
  const { plan } = await runFix([tmp], {});
  const via = plan.files.find((f) => f.file.endsWith('via_dmablit.c'));
  assert.ok(via, 'via_dmablit.c is fixed');
  assert.match(via.after, /get_user_pages_unlocked\(\(unsigned long\)xfer->mem_addr,[^\n]*\n\t\t\t\t      vsg->num_pages,\n\t\t\t\t      vsg->pages,\n\t\t\t\t      \(vsg->direction == DMA_FROM_DEVICE\) \? FOLL_WRITE : 0\);/);
  assert.doesNotMatch(via.after, /down_read\(&current->mm->mmap_sem\);\n\s*ret = get_user_pages_unlocked/);
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('fix: a killable acquire inside a condition is left alone, with a reason', async () => {
  const tmp = copyTree(path.join(__dirname, '..', 'fixtures', 'v6.12'));
  const { plan } = await runFix([tmp], {});
  const s = plan.skipped.find((x) => /condition|plain statement/.test(x.reason));
  assert.ok(s, 'the killable-acquire case is skipped with a reason');
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('fix: --format-patch writes one mail per file, kernel-style subject, no invented Signed-off-by', async () => {
  const tmp = copyTree(path.join(__dirname, '..', 'fixtures', 'v4.9'));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-fp-'));
  const r = await cli(['fix', tmp, '--format-patch', out], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  assert.strictEqual(r.stdout, '');
  const files = fs.readdirSync(out).sort();
  assert.ok(files.length >= 5, files.join(','));
  for (const f of files) {
    const text = fs.readFileSync(path.join(out, f), 'latin1');
    assert.match(text, /^From 0{40} Mon Sep 17 00:00:00 2001\nFrom: .+\nDate: .+\nSubject: \[PATCH\] [\w/.-]+: use (get|pin)_user_pages_unlocked\(\)/);
    assert.doesNotMatch(text, /Signed-off-by/);
    assert.match(text, /VM_FAULT_RETRY/);
    const check = spawnSync('git', ['apply', '--check', '-p1', path.join(out, f)], { cwd: tmp, encoding: 'utf8' });
    assert.strictEqual(check.status, 0, `${f}: ${check.stderr}`);
  }
  assert.ok(files.some((f) => /drm-via/.test(f)), 'subsystem prefix from the path');
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(out, { recursive: true, force: true });
});

test('fix: helpers', () => {
  assert.deepStrictEqual(splitArgs('a, f(b, c), "x,y", /* p, q */ d').map((s) => s.trim()), ['a', 'f(b, c)', '"x,y"', '/* p, q */ d']);
  assert.strictEqual(subsystemPrefix('drivers/gpu/drm/via/via_dmablit.c'), 'drm/via');
  assert.strictEqual(subsystemPrefix('drivers/platform/goldfish/goldfish_pipe.c'), 'platform/goldfish');
  assert.match(formatPatchFile('net/xdp/xdp_umem.c', 'diff --git a/x b/x\n', ['pin_user_pages_unlocked'], 'A <a@b>', new Date(0)), /Subject: \[PATCH\] net\/xdp: use pin_user_pages_unlocked\(\)/);
});

test('fix: --write refuses nothing on a clean tree and the audited tree is otherwise untouched', async () => {
  const tmp = copyTree(path.join(__dirname, '..', 'fixtures', 'demo'));
  const r = await cli(['fix', tmp, '--write'], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  assert.match(r.stderr, /fixed \d+ call\(s\) in \d+ file\(s\)/);
  const again = await cli([tmp, '--rule', 'prefer-unlocked', '--format', 'json'], { encoding: 'utf8' });
  assert.strictEqual(JSON.parse(again.stdout).findings.length, 0);
  fs.rmSync(tmp, { recursive: true, force: true });
});
