'use strict';
// The gate sees callers outside the changed directories: a patch that only changes a helper
// (it now releases its caller's mmap lock) is caught at the callers, in the helper's
// directory and in another one, by `diff` and by `series`; an unrelated change adds no
// caller files.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { cli, git } = require('./helpers');
const { changedFunctions } = require('../dist/src/gate/gate');

const run = async (args, cwd) => await cli([...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

const HELPER = (body) => `void hx_finish(struct mm_struct *mm)
{
	hx_count++;
${body}}

int hx_other(int a)
{
	return a + 1;
}
`;
const CALLER = (name) => `long ${name}(struct mm_struct *mm, unsigned long uaddr, struct page **pages)
{
	long n;

	mmap_read_lock(mm);
	n = get_user_pages_remote(mm, uaddr, 1, 0, pages, NULL);
	hx_finish(mm);
	mmap_read_unlock(mm);
	return n;
}
`;

function repo() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-gate-callers-'));
  const w = (rel, text) => { fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true }); fs.writeFileSync(path.join(dir, rel), text); };
  w('Makefile', 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\n');
  w('drivers/hx/helper.c', HELPER(''));
  w('drivers/hx/near.c', CALLER('hx_near'));
  w('drivers/far/far.c', CALLER('hx_far'));
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'base');
  return { dir, w };
}

test('changedFunctions names the functions whose text differs', () => {
  assert.deepStrictEqual(changedFunctions(HELPER(''), HELPER('\tmmap_read_unlock(mm);\n')), ['hx_finish']);
  assert.deepStrictEqual(changedFunctions(HELPER(''), HELPER('')), []);
  assert.deepStrictEqual(changedFunctions(null, HELPER('')), ['hx_finish', 'hx_other']);
});

test('a helper that now releases the lock is caught at its callers in any directory', async (t) => {
  const { dir, w } = repo();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  w('drivers/hx/helper.c', HELPER('\tmmap_read_unlock(mm);\n'));
  git(dir, 'commit', '-qam', 'hx: release the lock in hx_finish');

  await t.test('diff', async () => {
    const r = await run(['diff', '--base', 'HEAD~1', '-f', 'json', '--fail-on', 'error', '.'], dir);
    assert.strictEqual(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    const intro = out.introduced.map((f) => `${f.file}:${f.line}:${f.ruleId}`).sort();
    assert.deepStrictEqual(intro, ['drivers/far/far.c:8:unbalanced-mmap-lock', 'drivers/hx/near.c:8:unbalanced-mmap-lock']);
  });

  await t.test('series', async () => {
    const pdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-gate-callers-p-'));
    try {
      git(dir, 'format-patch', '-q', '-1', '-o', pdir);
      git(dir, 'checkout', '-q', 'HEAD~1');
      const patches = fs.readdirSync(pdir).map((f) => path.join(pdir, f));
      const r = await run(['series', ...patches, '--tree', '.', '-f', 'json', '--fail-on', 'error'], dir);
      assert.strictEqual(r.status, 1, r.stderr);
      const intro = JSON.parse(r.stdout).introduced.map((f) => `${f.file}:${f.line}:${f.ruleId}`).sort();
      assert.deepStrictEqual(intro, ['drivers/far/far.c:8:unbalanced-mmap-lock', 'drivers/hx/near.c:8:unbalanced-mmap-lock']);
    } finally {
      fs.rmSync(pdir, { recursive: true, force: true });
    }
  });
});

test('a change to a function nobody calls adds no caller files', async (t) => {
  const { dir, w } = repo();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  w('drivers/hx/helper.c', HELPER('').replace('a + 1', 'a + 2'));
  git(dir, 'commit', '-qam', 'hx: other');
  const r = await run(['diff', '--base', 'HEAD~1', '-f', 'json', '--fail-on', 'error', '.'], dir);
  assert.strictEqual(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.strictEqual(out.introduced.length, 0);
  // The helper's directory only: drivers/far is not read.
  assert.deepStrictEqual(out.scope.directories, ['drivers/hx']);
  assert.strictEqual(out.scope.filesAfter, 2);
});

// A tree that is not a git checkout, with the helper patch as a format-patch file.
function notGitSeries(t) {
  const { dir, w } = repo();
  const xdg = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-gate-callers-xdg-'));
  const pdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-gate-callers-p-'));
  t.after(() => { for (const d of [dir, xdg, pdir]) fs.rmSync(d, { recursive: true, force: true }); });
  w('drivers/hx/helper.c', HELPER('\tmmap_read_unlock(mm);\n'));
  git(dir, 'commit', '-qam', 'hx: release the lock in hx_finish');
  git(dir, 'format-patch', '-q', '-1', '-o', pdir);
  git(dir, 'checkout', '-q', 'HEAD~1');
  fs.rmSync(path.join(dir, '.git'), { recursive: true, force: true });
  // (An include/ directory beside the Makefile: a per-file check finds the tree's root.)
  w('include/linux/hx.h', '/* hx */\n');
  const patches = fs.readdirSync(pdir).map((f) => path.join(pdir, f));
  const env = { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: xdg };
  const series = async (...extra) => {
    const r = await cli(['series', ...patches, '--tree', '.', '-f', 'json', '--fail-on', 'error', ...extra], { cwd: dir, encoding: 'utf8', env });
    assert.strictEqual(r.status, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    return { intro: out.introduced.map((f) => `${f.file}:${f.line}:${f.ruleId}`).sort(), notes: out.notifications.map((n) => n.message).join('\n') };
  };
  return { dir, w, xdg, env, series };
}

const KBUILD_CHECK = ['-D__KERNEL__', '-Wall', '-nostdinc'];
const BOTH = ['drivers/far/far.c:8:unbalanced-mmap-lock', 'drivers/hx/near.c:8:unbalanced-mmap-lock'];

test('series over a tree that is not a git checkout: callers from the tree\'s index, or a note without one', async (t) => {
  const { dir, env, series } = notGitSeries(t);
  // No index: the helper's directory only, and a note says how to see further.
  let r = await series();
  assert.deepStrictEqual(r.intro, ['drivers/hx/near.c:8:unbalanced-mmap-lock']);
  assert.match(r.notes, /not a git checkout and has no index/);
  // With the index of an earlier --cache run: the caller in another directory too.
  const idx = await cli(['--cache', '.', '--fail-on', 'none'], { cwd: dir, encoding: 'utf8', env });
  assert.strictEqual(idx.status, 0, idx.stderr);
  r = await series();
  assert.deepStrictEqual(r.intro, BOTH);
  assert.doesNotMatch(r.notes, /has no index/);
});

test('series: an index without call lists (a per-file check wrote it) is confirmed file by file, up to a cap', async (t) => {
  for (const many of [0, 2100]) {
    const { dir, w, env, series } = notGitSeries(t);
    for (let i = 0; i < many; i++) w(`drivers/many/m${i}.c`, `int m${i};\n`);
    // The first check of a build writes the index. The check of a file without GUP calls
    // reads only that file; the others are listed without a call list. (A check of near.c
    // would scan the tree for its callers, and index every file old enough not to be
    // racily clean: how many depends on the time the test took to get here.)
    const chk = await cli([...KBUILD_CHECK, 'drivers/hx/helper.c'], { cwd: dir, encoding: 'utf8', env });
    assert.strictEqual(chk.status, 0, chk.stderr);
    const r = await series();
    if (!many) {
      assert.deepStrictEqual(r.intro, BOTH);
      assert.doesNotMatch(r.notes, /no call list|has no index/);
    } else {
      // Past the cap the unlisted files are not read: a note says so, and the caller in
      // another directory is not seen.
      assert.deepStrictEqual(r.intro, ['drivers/hx/near.c:8:unbalanced-mmap-lock']);
      assert.match(r.notes, /the tree's index has no call list for 210\d of its files/);
    }
  }
});

test('series: both sides read and write the persistent cache\'s extraction entries when the tree has an index there', async (t) => {
  const { xdg, dir, env, series } = notGitSeries(t);
  const entries = () => { try { return fs.readdirSync(path.join(xdg, 'gup-audit', 'v1', 'facts'), { recursive: true }).filter((f) => f.endsWith('.v8')).length; } catch { return 0; } };
  // Without an index of the tree the default cache directory is not touched.
  let r = await series();
  assert.deepStrictEqual(r.intro, ['drivers/hx/near.c:8:unbalanced-mmap-lock']);
  assert.strictEqual(entries(), 0);
  const idx = await cli(['--cache', '.', '--fail-on', 'none'], { cwd: dir, encoding: 'utf8', env });
  assert.strictEqual(idx.status, 0, idx.stderr);
  const afterAudit = entries();
  r = await series();
  assert.deepStrictEqual(r.intro, BOTH);
  const afterGate = entries();
  // The changed helper's new text is a new entry; the rest are the audit's own.
  assert.ok(afterGate > afterAudit, `${afterAudit} -> ${afterGate}`);
  // A second run of the same series finds every answer there, with the same findings.
  r = await series();
  assert.deepStrictEqual(r.intro, BOTH);
  assert.strictEqual(entries(), afterGate);
  // --no-cache: neither the index nor the entries.
  fs.rmSync(path.join(xdg, 'gup-audit', 'v1', 'facts'), { recursive: true, force: true });
  r = await series('--no-cache');
  assert.deepStrictEqual(r.intro, ['drivers/hx/near.c:8:unbalanced-mmap-lock']);
  assert.match(r.notes, /has no index/);
  assert.strictEqual(entries(), 0);
  // --cache-dir: that directory, even without an index there; refused inside the tree.
  const other = path.join(xdg, 'other');
  r = await series('--cache-dir', other);
  assert.deepStrictEqual(r.intro, ['drivers/hx/near.c:8:unbalanced-mmap-lock']);
  assert.ok(fs.readdirSync(path.join(other, 'v1', 'facts'), { recursive: true }).some((f) => f.endsWith('.v8')));
  const inside = await cli(['series', path.join(dir, 'Makefile'), '--tree', '.', '--cache-dir', 'drivers'], { cwd: dir, encoding: 'utf8', env });
  assert.strictEqual(inside.status, 2);
  assert.match(inside.stderr, /^gup-audit: error: --cache-dir: the cache directory must be outside the audited tree/);
  const both = await cli(['series', path.join(dir, 'Makefile'), '--tree', '.', '--cache-dir', other, '--no-cache'], { cwd: dir, encoding: 'utf8', env });
  assert.strictEqual(both.status, 2);
  assert.match(both.stderr, /--cache-dir and --no-cache/);
});
