'use strict';
// The CI gate end to end: real git repositories built in a temp dir from the v6.12 fixture
// tree, real `git format-patch` output, `gup-audit series` and `gup-audit diff` run as
// processes. Also the patch reader, configs and baselines.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { FIXTURES, cli, git } = require('./helpers');

const V612 = path.join(FIXTURES, 'v6.12');
const DRIVER = 'drivers/virt/fsl_hypervisor.c';


async function run(args, { cwd, input } = {}) {
  const r = await cli(args, { cwd, input });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function json(r) {
  try { return JSON.parse(r.out); } catch (e) { throw new Error(`not JSON (exit ${r.code}): ${r.out}\n${r.err}`); }
}

function copyDir(src, dst) {
  fs.mkdirSync(dst, { recursive: true });
  for (const e of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, e.name);
    const d = path.join(dst, e.name);
    if (e.isDirectory()) copyDir(s, d);
    else fs.copyFileSync(s, d);
  }
}

/** A hash of every file of a directory (names and contents), to prove it is not written. */
function treeHash(dir) {
  const h = crypto.createHash('sha256');
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      h.update(path.relative(dir, p));
      if (e.isDirectory()) walk(p);
      else h.update(fs.readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

const NEW_HELPER = `/* Pin one user page for a doorbell. */
static long fshv_pin_doorbell(unsigned long uaddr, struct page **page)
{
	long got;

	mmap_read_lock(current->mm);
	got = get_user_pages(uaddr, 1, FOLL_WRITE, page);
	mmap_read_unlock(current->mm);
	return got == 1 ? 0 : -EFAULT;
}

`;

/**
 * repo/: base commit (fixture Makefile, include/, the fsl_hypervisor driver with its one
 * pre-existing prefer-unlocked), commit 1 adds a helper above it that takes
 * mmap_read_lock(current->mm) only around one get_user_pages() (shifting the old finding
 * down by 11 lines), commit 2 converts it to get_user_pages_unlocked(). Worktrees base/ and
 * mid/ are the tree at the base and at commit 1; patches/ holds `git format-patch` output.
 */
function buildRepo() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-gate-test-'));
  const repo = path.join(dir, 'repo');
  fs.mkdirSync(repo);
  fs.copyFileSync(path.join(V612, 'Makefile'), path.join(repo, 'Makefile'));
  copyDir(path.join(V612, 'include'), path.join(repo, 'include'));
  fs.mkdirSync(path.join(repo, 'drivers/virt'), { recursive: true });
  fs.copyFileSync(path.join(V612, DRIVER), path.join(repo, DRIVER));
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'base');
  const file = path.join(repo, DRIVER);
  const src = fs.readFileSync(file, 'utf8');
  const anchor = 'long fshv_hcall_memcpy(u32 src';
  assert.ok(src.includes(anchor));
  fs.writeFileSync(file, src.replace(anchor, NEW_HELPER + anchor));
  git(repo, 'commit', '-q', '-a', '-m', 'virt: fsl_hypervisor: pin the doorbell page');
  const v1 = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, v1.replace(
    '\tmmap_read_lock(current->mm);\n\tgot = get_user_pages(uaddr, 1, FOLL_WRITE, page);\n\tmmap_read_unlock(current->mm);\n',
    '\tgot = get_user_pages_unlocked(uaddr, 1, page, FOLL_WRITE);\n'));
  git(repo, 'commit', '-q', '-a', '-m', 'virt: fsl_hypervisor: use get_user_pages_unlocked()');
  const patches = path.join(dir, 'patches');
  git(repo, 'format-patch', '-q', '-o', patches, 'HEAD~2');
  const [p1, p2] = fs.readdirSync(patches).sort().map((f) => path.join(patches, f));
  const mbox = path.join(dir, 'series.mbx');
  fs.writeFileSync(mbox, git(repo, 'format-patch', '--stdout', 'HEAD~2'));
  git(repo, 'worktree', 'add', '-q', '--detach', path.join(dir, 'base'), 'HEAD~2');
  git(repo, 'worktree', 'add', '-q', '--detach', path.join(dir, 'mid'), 'HEAD~1');
  return { dir, repo, base: path.join(dir, 'base'), mid: path.join(dir, 'mid'), p1, p2, mbox };
}

test('gate: series, diff, checkpatch, config and baseline on a real git repository', async (t) => {
  const R = buildRepo();
  t.after(() => fs.rmSync(R.dir, { recursive: true, force: true }));
  const baseHash = treeHash(R.base);
  const indexHash = crypto.createHash('sha256').update(fs.readFileSync(path.join(R.repo, '.git', 'index'))).digest('hex');
  let introducedFp;

  await t.test('series: the patch adding a lock around one get_user_pages exits 1 with exactly one introduced prefer-unlocked', async () => {
    const r = await run(['series', '--tree', R.base, '--format', 'json', R.p1]);
    assert.strictEqual(r.code, 1, r.err);
    const j = json(r);
    assert.deepStrictEqual(j.introduced.map((f) => [f.ruleId, f.file, f.function, f.baselineState]),
      [['prefer-unlocked', DRIVER, 'fshv_pin_doorbell', 'new']]);
    assert.strictEqual(j.fixed.length, 0);
    // The driver's pre-existing finding moved down 11 lines and is matched by fingerprint.
    assert.deepStrictEqual(j.unchanged.map((f) => [f.ruleId, f.function]), [['prefer-unlocked', 'fshv_ioctl_memcpy']]);
    assert.deepStrictEqual(j.changedFiles, [DRIVER]);
    assert.strictEqual(j.summary.failed, true);
    introducedFp = j.introduced[0].fingerprint;
  });

  await t.test('series: the follow-up converting it to get_user_pages_unlocked exits 0 and reports one fixed', async () => {
    const r = await run(['series', '--tree', R.mid, '--format', 'json', R.p2]);
    assert.strictEqual(r.code, 0, r.err);
    const j = json(r);
    assert.strictEqual(j.introduced.length, 0);
    assert.deepStrictEqual(j.fixed.map((f) => [f.ruleId, f.function, f.fingerprint, f.baselineState]),
      [['prefer-unlocked', 'fshv_pin_doorbell', introducedFp, 'absent']]);
    assert.strictEqual(j.unchanged.length, 1);
    const text = await run(['series', '--tree', R.mid, R.p2]);
    assert.strictEqual(text.code, 0);
    assert.match(text.out, /Fixed \(1\):/);
    assert.match(text.out, /0 introduced .*1 fixed, 1 unchanged; fail-on warning: pass/);
  });

  await t.test('series: both patches, as files or as one mbox, introduce nothing', async () => {
    for (const args of [[R.p1, R.p2], [R.mbox]]) {
      const r = await run(['series', '--tree', R.base, '--format', 'json', ...args]);
      assert.strictEqual(r.code, 0, r.err);
      const j = json(r);
      assert.strictEqual(j.patches.length, 2);
      assert.deepStrictEqual([j.introduced.length, j.fixed.length, j.unchanged.length], [0, 0, 1]);
    }
  });

  await t.test('diff --base HEAD~1 agrees with series', async () => {
    const r = await run(['diff', '--base', 'HEAD~1', '--format', 'json'], { cwd: R.repo });
    assert.strictEqual(r.code, 0, r.err);
    const j = json(r);
    assert.deepStrictEqual(j.fixed.map((f) => f.fingerprint), [introducedFp]);
    assert.deepStrictEqual([j.introduced.length, j.unchanged.length], [0, 1]);
    const r1 = await run(['diff', '--base', 'HEAD~2', '--head', 'HEAD~1', '--format', 'json', R.repo]);
    assert.strictEqual(r1.code, 1, r1.err);
    assert.deepStrictEqual(json(r1).introduced.map((f) => f.fingerprint), [introducedFp]);
    const whole = await run(['diff', '--base', 'HEAD~2', R.repo]);
    assert.strictEqual(whole.code, 0, whole.err);
    assert.match(whole.out, /0 introduced .*0 fixed, 1 unchanged/);
  });

  await t.test('a patch that does not apply: exit 2, one line naming the patch, the file and the hunk', async () => {
    // A plain tree (no git): the follow-up patch without the patch it follows.
    const plain = path.join(R.dir, 'plain');
    copyDir(R.base, plain);
    fs.rmSync(path.join(plain, '.git'), { force: true });
    const hunkRe = `${DRIVER}: hunk #1 \\(@@ -\\d+,\\d+ \\+\\d+,\\d+ @@\\) does not match`;
    const r = await run(['series', '--tree', plain, R.p2]);
    assert.strictEqual(r.code, 2);
    assert.strictEqual(r.out, '');
    const lines = r.err.trimEnd().split('\n');
    assert.strictEqual(lines.length, 1, r.err);
    assert.match(lines[0], new RegExp(`^gup-audit: error: patch ${path.basename(R.p2)} does not apply: ${hunkRe}$`));
    // In a git checkout the pre-image named by the patch is tried too; a mangled patch
    // whose pre-image is unknown still fails, saying so.
    const mangled = path.join(R.dir, 'mangled.patch');
    fs.writeFileSync(mangled, fs.readFileSync(R.p2, 'utf8').replace(/^index [0-9a-f]+\.\./m, 'index 1234567..').replace(/^ \tlong got;$/m, ' \tlong gotten;'));
    const m = await run(['series', '--tree', R.base, mangled]);
    assert.strictEqual(m.code, 2);
    assert.match(m.err, new RegExp(`^gup-audit: error: patch mangled.patch does not apply: ${hunkRe} \\(and its pre-image 1234567 is not in the repository\\)\n$`));
  });

  await t.test('b4 prep --check style: the checkout already contains the series; each patch is gated over its pre-image', async () => {
    const one = await run(['series', '--tree', '.', '--format', 'json', '-'], { cwd: R.repo, input: fs.readFileSync(R.p1) });
    assert.strictEqual(one.code, 1, one.err);
    const j1 = json(one);
    assert.deepStrictEqual(j1.introduced.map((f) => f.fingerprint), [introducedFp]);
    assert.ok(j1.notifications.some((n) => /applied over its pre-image/.test(n.message)));
    const two = await run(['series', '--tree', '.', '--format', 'json', '-'], { cwd: R.repo, input: fs.readFileSync(R.p2) });
    assert.strictEqual(two.code, 0, two.err);
    assert.deepStrictEqual(json(two).fixed.map((f) => f.fingerprint), [introducedFp]);
    const both = await run(['series', '--tree', R.repo, '--format', 'json', R.p1, R.p2]);
    assert.strictEqual(both.code, 0, both.err);
    assert.deepStrictEqual([json(both).introduced.length, json(both).fixed.length], [0, 0]);
  });

  await t.test('checkpatch format on stdin, as b4 runs a check command', async () => {
    const patch = fs.readFileSync(R.p1, 'utf8');
    const r = await run(['series', '--tree', '.', '--format', 'checkpatch', '-'], { cwd: R.base, input: patch });
    assert.strictEqual(r.code, 1, r.err);
    assert.strictEqual(r.err, '');
    const lines = r.out.trimEnd().split('\n');
    assert.match(lines[0], /^WARNING: prefer-unlocked: .*get_user_pages_unlocked\(uaddr, 1, page, FOLL_WRITE\)/);
    const m = /^#(\d+): FILE: drivers\/virt\/fsl_hypervisor\.c:(\d+):$/.exec(lines[1]);
    assert.ok(m, lines[1]);
    const patchLine = patch.split('\n')[Number(m[1]) - 1];
    assert.strictEqual(patchLine, '+\tgot = get_user_pages(uaddr, 1, FOLL_WRITE, page);');
    assert.strictEqual(lines[2], patchLine);
    const fileLines = fs.readFileSync(path.join(R.mid, DRIVER), 'utf8').split('\n');
    assert.strictEqual('+' + fileLines[Number(m[2]) - 1], patchLine);
    assert.strictEqual(lines[lines.length - 1], `total: 0 errors, 1 warnings, ${patch.split('\n').length - 1} lines checked`);
    assert.strictEqual(lines.filter((l) => /ERROR:|WARNING:/.test(l)).length, 1);
    // b4 counts every output line: terse + no-summary prints one line per problem, nothing when clean.
    const terse = await run(['series', '--tree', '.', '--format', 'checkpatch', '--terse', '--no-summary', '-'], { cwd: R.base, input: patch });
    assert.strictEqual(terse.code, 1);
    assert.match(terse.out, /^drivers\/virt\/fsl_hypervisor\.c:\d+: WARNING: prefer-unlocked: [^\n]*\n$/);
    const clean = await run(['series', '--tree', '.', '--format', 'checkpatch', '--terse', '--no-summary', '-'], { cwd: R.mid, input: fs.readFileSync(R.p2) });
    assert.deepStrictEqual([clean.code, clean.out, clean.err], [0, '', '']);
    // diff mode prints the same problem, positioned in `git diff` output.
    const d = await run(['diff', '--base', 'HEAD~2', '--head', 'HEAD~1', '--format', 'checkpatch'], { cwd: R.repo });
    assert.strictEqual(d.code, 1);
    assert.match(d.out, /^WARNING: prefer-unlocked: [^\n]*\n#\d+: FILE: drivers\/virt\/fsl_hypervisor\.c:\d+:\n\+\tgot = get_user_pages\(uaddr, 1, FOLL_WRITE, page\);\n/);
    assert.match(d.out, /total: 0 errors, 1 warnings, \d+ lines checked\n$/);
    // The same from a subdirectory of the checkout (TREE limits the gate to it).
    const sub = await run(['diff', '--base', 'HEAD~2', '--head', 'HEAD~1', '--format', 'checkpatch', '.'], { cwd: path.join(R.repo, 'drivers/virt') });
    assert.deepStrictEqual([sub.code, sub.out], [1, d.out]);
    const other = await run(['diff', '--base', 'HEAD~2', '--head', 'HEAD~1', '--format', 'json', path.join(R.repo, 'include')]);
    assert.deepStrictEqual([other.code, json(other).changedFiles], [0, []]);
  });

  await t.test('config: rules off and levels; a malformed config names the file and the key', async () => {
    const cfg = path.join(R.dir, 'cfg.json');
    fs.writeFileSync(cfg, JSON.stringify({ rules: { 'prefer-unlocked': 'off' } }));
    const off = await run(['series', '--tree', R.base, '--config', cfg, '--format', 'json', R.p1]);
    assert.strictEqual(off.code, 0, off.err);
    assert.strictEqual(json(off).introduced.length, 0);
    fs.writeFileSync(cfg, JSON.stringify({ rules: { 'prefer-unlocked': 'note' } }));
    const note = await run(['series', '--tree', R.base, '--config', cfg, '--format', 'json', R.p1]);
    assert.strictEqual(note.code, 0, note.err);
    assert.deepStrictEqual(json(note).introduced.map((f) => f.level), ['note']);
    assert.strictEqual((await run(['series', '--tree', R.base, '--config', cfg, '--fail-on', 'note', R.p1])).code, 1);

    const cases = [
      [{ rules: { 'prefer-unlocked': 'loud' } }, /rules\.prefer-unlocked: expected one of/],
      [{ rules: { 'no-such-rule': 'off' } }, /rules\.no-such-rule: unknown rule/],
      [{ callDepth: 0 }, /callDepth: expected an integer/],
      [{ exclude: 'drivers/**' }, /exclude: expected an array/],
      [{ include: ['drivers/**', 3] }, /include\[1\]: expected a non-empty glob string/],
      [{ rulez: {} }, /rulez: unknown key/],
      [{ baseline: 7 }, /baseline: expected a file path/],
    ];
    for (const [body, re] of cases) {
      fs.writeFileSync(cfg, JSON.stringify(body));
      const r = await run(['series', '--tree', R.base, '--config', cfg, R.p1]);
      assert.strictEqual(r.code, 2, JSON.stringify(body));
      assert.strictEqual(r.err.trimEnd().split('\n').length, 1, r.err);
      assert.ok(r.err.includes(`config ${cfg}: `), r.err);
      assert.match(r.err, re);
    }
    fs.writeFileSync(cfg, '{ "rules": { "prefer-unlocked": "off", } }');
    const syn = await run(['series', '--tree', R.base, '--config', cfg, R.p1]);
    assert.strictEqual(syn.code, 2);
    assert.match(syn.err, new RegExp(`config ${cfg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid JSON at line 1, column \\d+`));
  });

  await t.test('.gup-audit.json at the tree root is read; include/exclude globs limit the gate', async () => {
    const cfgTree = path.join(R.dir, 'cfgtree');
    copyDir(R.base, cfgTree);
    fs.rmSync(path.join(cfgTree, '.git'), { force: true });
    fs.writeFileSync(path.join(cfgTree, '.gup-audit.json'), JSON.stringify({ exclude: ['drivers/virt/**'] }));
    const r = await run(['series', '--tree', cfgTree, '--format', 'json', R.p1]);
    assert.strictEqual(r.code, 0, r.err);
    assert.deepStrictEqual(json(r).changedFiles, []);
    fs.writeFileSync(path.join(cfgTree, '.gup-audit.json'), JSON.stringify({ include: ['fsl_*.c'] }));
    assert.strictEqual((await run(['series', '--tree', cfgTree, R.p1])).code, 1);
    fs.writeFileSync(path.join(cfgTree, '.gup-audit.json'), JSON.stringify({ failOn: 'bad' }));
    const bad = await run(['series', '--tree', cfgTree, R.p1]);
    assert.strictEqual(bad.code, 2);
    assert.match(bad.err, /\.gup-audit\.json: failOn: expected/);
  });

  await t.test('baseline: --write-baseline then --baseline suppresses by fingerprint; malformed baselines name the key', async () => {
    const bl = path.join(R.dir, 'baseline.json');
    const w = await run(['series', '--tree', R.base, '--write-baseline', bl, R.p1]);
    assert.strictEqual(w.code, 1, w.err);
    const doc = JSON.parse(fs.readFileSync(bl, 'utf8'));
    assert.strictEqual(doc.version, 1);
    assert.ok(doc.findings.some((e) => e.fingerprint === introducedFp));
    const s = await run(['series', '--tree', R.base, '--baseline', bl, '--format', 'json', R.p1]);
    assert.strictEqual(s.code, 0, s.err);
    const j = json(s);
    assert.strictEqual(j.summary.introduced, 0);
    assert.strictEqual(j.summary.suppressed, 2);
    assert.deepStrictEqual(j.introduced.map((f) => [f.fingerprint, f.suppressed.kind]), [[introducedFp, 'external']]);
    // A baseline named in the config is used too.
    const cfg = path.join(R.dir, 'cfg-bl.json');
    fs.writeFileSync(cfg, JSON.stringify({ baseline: 'baseline.json' }));
    assert.strictEqual((await run(['series', '--tree', R.base, '--config', cfg, R.p1])).code, 0);

    const cases = [
      [{ findings: [] }, /version: missing/],
      [{ version: 2, findings: [] }, /version: expected 1, got number 2/],
      [{ version: 1 }, /findings: missing/],
      [{ version: 1, findings: {} }, /findings: expected an array/],
      [{ version: 1, findings: [{ fingerprint: introducedFp }, { fingerprint: 'not hex' }] }, /findings\[1\]\.fingerprint: expected a hex fingerprint/],
      [{ version: 1, findings: [{ fingerprint: introducedFp, line: 'x' }] }, /findings\[0\]\.line: expected an integer/],
    ];
    for (const [body, re] of cases) {
      fs.writeFileSync(bl, JSON.stringify(body));
      const r = await run(['series', '--tree', R.base, '--baseline', bl, R.p1]);
      assert.strictEqual(r.code, 2, JSON.stringify(body));
      assert.ok(r.err.includes(`baseline ${bl}: `), r.err);
      assert.match(r.err, re);
    }
    fs.writeFileSync(bl, 'not json');
    assert.match((await run(['series', '--tree', R.base, '--baseline', bl, R.p1])).err, /baseline .*baseline\.json: invalid JSON/);
  });

  await t.test('sarif output parses and carries every compared result', async () => {
    const r = await run(['series', '--tree', R.mid, '--format', 'sarif', R.p2]);
    assert.strictEqual(r.code, 0, r.err);
    const s = JSON.parse(r.out);
    assert.strictEqual(s.version, '2.1.0');
  });

  await t.test('usage errors exit 2 with one line', async () => {
    for (const args of [
      ['series', '--tree', R.base, path.join(R.dir, 'missing.patch')],
      ['series', '--tree', path.join(R.dir, 'nope'), R.p1],
      ['diff', '--base', 'no-such-rev', R.repo],
      ['diff', '--base', 'HEAD', os.tmpdir()],
      ['diff', R.repo],
    ]) {
      const r = await run(args, { cwd: R.repo });
      assert.strictEqual(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.strictEqual(r.err.trimEnd().split('\n').length, 1, r.err);
    }
  });

  await t.test('the audited tree, the checkout and its index are never written', () => {
    assert.strictEqual(treeHash(R.base), baseHash);
    const idx = crypto.createHash('sha256').update(fs.readFileSync(path.join(R.repo, '.git', 'index'))).digest('hex');
    assert.strictEqual(idx, indexHash);
    assert.strictEqual(git(R.repo, 'status', '--porcelain'), '');
  });
});

test('gate: sarif columns count UTF-16 units of the head revision, not of the checkout', async () => {
  // The head adds a GUP call whose line starts with non-ASCII text; the checkout is left at
  // the base (diff reads git objects): the columns come with the findings of the head side.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-gate-test-'));
  try {
    const repo = path.join(dir, 'repo');
    fs.mkdirSync(path.join(repo, 'drivers/virt'), { recursive: true });
    fs.copyFileSync(path.join(V612, 'Makefile'), path.join(repo, 'Makefile'));
    copyDir(path.join(V612, 'include'), path.join(repo, 'include'));
    const src = fs.readFileSync(path.join(V612, DRIVER), 'utf8');
    const file = path.join(repo, DRIVER);
    fs.writeFileSync(file, src.replace('\tmmap_read_lock(current->mm);\n', '').replace('\tmmap_read_unlock(current->mm);\n', ''));
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'base');
    const head = src.replace('num_pinned = pin_user_pages(', '/* Größe → π 😀 */ num_pinned = pin_user_pages(');
    fs.writeFileSync(file, head);
    git(repo, 'commit', '-q', '-a', '-m', 'head');
    git(repo, 'checkout', '-q', 'HEAD~1');
    const r = await run(['diff', '--base', 'HEAD', '--head', 'main', '--format', 'sarif', '--fail-on', 'none', repo]);
    assert.strictEqual(r.code, 0, r.err);
    const res = json(r).runs[0].results.find((x) => x.ruleId === 'prefer-unlocked');
    assert.strictEqual(res.baselineState, 'new');
    const reg = res.locations[0].physicalLocation.region;
    assert.strictEqual(head.split('\n')[reg.startLine - 1].slice(reg.startColumn - 1, reg.endColumn - 1), 'pin_user_pages');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// ---- the patch reader and applier, in process ----

const { splitInput, applySeries } = require('../dist/src/gate/patch');

test('patch reader: a removed line reading "- " is not taken for the signature', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-gate-unit-'));
  try {
    fs.writeFileSync(path.join(dir, 'a.c'), 'a\n- \nc\n');
    const mail = 'From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\nFrom: x <x@x>\nSubject: [PATCH] t\n\nbody\n---\ndiff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1,3 +1,2 @@\n a\n-- \n c\n-- \n2.39.5\n\n';
    const ms = splitInput(mail, 't.patch', 0);
    assert.strictEqual(ms.length, 1);
    assert.strictEqual(ms[0].subject, '[PATCH] t');
    const r = applySeries(ms, dir);
    assert.strictEqual(r.after.get('a.c').content, 'a\nc\n');
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});

test('patch reader: quoted-printable mail, new file in a new directory, rename, line origins', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-gate-unit-'));
  try {
    fs.mkdirSync(path.join(dir, 'd'));
    fs.writeFileSync(path.join(dir, 'd/old.c'), 'int x =3D 1;\nint y;\n'.replace('=3D', '='));
    const body = [
      'diff --git a/n/new.c b/n/new.c', 'new file mode 100644', 'index 0000000..1111111', '--- /dev/null', '+++ b/n/new.c',
      '@@ -0,0 +1,2 @@', '+int a =3D 2;', '+int b;',
      'diff --git a/d/old.c b/d/ren.c', 'similarity index 60%', 'rename from d/old.c', 'rename to d/ren.c', 'index 1..2 100644',
      '--- a/d/old.c', '+++ b/d/ren.c', '@@ -1,2 +1,2 @@', ' int x =3D 1;', '-int y;', '+int z;',
      '-- ', '2.39.5', '',
    ].join('\n');
    const mail = `From: x <x@x>\nSubject: =?UTF-8?q?[PATCH]_caf=C3=A9?=\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\nmsg\n---\n${body}`;
    const ms = splitInput(mail, 'stdin', 0);
    assert.strictEqual(ms[0].subject, '[PATCH] café');
    const r = applySeries(ms, dir);
    assert.strictEqual(r.after.get('n/new.c').content, 'int a = 2;\nint b;\n');
    assert.strictEqual(r.after.get('d/old.c').content, null);
    assert.strictEqual(r.after.get('d/ren.c').content, 'int x = 1;\nint z;\n');
    assert.deepStrictEqual([...r.renames], [['d/old.c', 'd/ren.c']]);
    const org = r.after.get('d/ren.c').origin;
    assert.strictEqual(org[0], null);
    assert.strictEqual(org[1].patch, 0);
    // Already-decoded bodies labelled quoted-printable (as b4 pipes them) are left alone.
    const decoded = mail.replace(/=3D/g, '=');
    assert.strictEqual(applySeries(splitInput(decoded, 'stdin', 0), dir).after.get('n/new.c').content, 'int a = 2;\nint b;\n');
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), ['d']);
    assert.deepStrictEqual(fs.readdirSync(path.join(dir, 'd')), ['old.c']);
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});

test('patch reader: a hunk that does not match names the patch, file and hunk', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-gate-unit-'));
  try {
    fs.writeFileSync(path.join(dir, 'a.c'), 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n');
    const diff = 'diff --git a/a.c b/a.c\n--- a/a.c\n+++ b/a.c\n@@ -1,2 +1,2 @@\n-one\n+ONE\n two\n@@ -8,3 +8,3 @@\n eight\n-NINE\n+nine!\n ten\n';
    assert.throws(() => applySeries(splitInput(diff, 'x.patch', 0), dir), /^Error: patch x\.patch does not apply: a\.c: hunk #2 \(@@ -8,3 \+8,3 @@\) does not match$/);
    assert.throws(() => applySeries(splitInput(diff.replace(/a\.c/g, 'b.c'), 'x.patch', 0), dir), /patch x\.patch does not apply: b\.c: no such file in the tree/);
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});

test('config globs', () => {
  const { makeFilter } = require('../dist/src/gate/config');
  const f = makeFilter(['drivers/**'], ['**/staging/**', '*_test.c']);
  assert.strictEqual(f('drivers/virt/a.c'), true);
  assert.strictEqual(f('drivers/staging/x/a.c'), false);
  assert.strictEqual(f('drivers/virt/a_test.c'), false);
  assert.strictEqual(f('mm/gup.c'), false);
  const g = makeFilter([], ['drivers/{virt,vfio}/']);
  assert.deepStrictEqual(['drivers/virt/a.c', 'drivers/vfio/b/c.c', 'drivers/vhost/a.c'].map(g), [false, false, true]);
});
