'use strict';
// The gate's two sides share the extraction answers of the files that are the same on both
// (AuditOptions.share, src/parse/pool.ts SharedAnswers): the first pool to take a request
// sends it, the other side takes its answer. An answer is taken only where it holds: a file
// unchanged by the series whose preprocessing read no changed header.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { cli, git } = require('./helpers');
const { WorkerPool } = require('../dist/src/parse/pool');

const DEMO = path.join(__dirname, '..', 'fixtures', 'demo');

test('pool: a task whose key another pool took first gets that answer, marked shared', async () => {
  const a = new WorkerPool(1, 60000);
  const b = new WorkerPool(1, 60000);
  try {
    const answers = new Map();
    const task = { type: 'stat', files: [__filename] };
    const [x, y] = await Promise.all([a.run(task, { key: 'k', answers }), b.run(task, { key: 'k', answers })]);
    assert.deepStrictEqual([!!x.shared, !!y.shared].sort(), [false, true]);
    const other = await b.run(task, { key: 'other', answers });
    assert.ok(!other.shared, 'another key is sent');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

const WRAP = (lock, unlock) => `#define X_LOCK(mm) ${lock}\n#define X_UNLOCK(mm) ${unlock}\n`;
const USER = (name) => `#include <linux/mm.h>
#include "wrap.h"

long ${name}(unsigned long addr, struct page **pages)
{
	long got;

	X_LOCK(current->mm);
	got = get_user_pages(addr, 1, FOLL_WRITE, pages);
	X_UNLOCK(current->mm);
	return got;
}
`;

test('gate: a header changed by the patch is seen by the unchanged files that read it, not taken from the other side', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-gate-share-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.cpSync(path.join(DEMO, 'include'), path.join(dir, 'include'), { recursive: true });
  fs.copyFileSync(path.join(DEMO, 'Makefile'), path.join(dir, 'Makefile'));
  const put = (rel, text) => { fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true }); fs.writeFileSync(path.join(dir, rel), text); };
  put('drivers/x/wrap.h', WRAP('mmap_read_lock(mm)', 'mmap_read_unlock(mm)'));
  put('drivers/x/a.c', USER('a_pin'));
  put('drivers/x/b.c', USER('b_pin'));
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'base');
  // The wrapper no longer takes the lock: both unchanged callers now call GUP without it.
  put('drivers/x/wrap.h', WRAP('do { } while (0)', 'do { } while (0)'));
  git(dir, 'commit', '-qam', 'x: no lock in the wrapper');
  const r = await cli(['diff', '--base', 'HEAD~1', '-f', 'json', '--fail-on', 'none', '.'], { cwd: dir });
  assert.strictEqual(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  const keys = (list) => list.map((f) => `${f.file}:${f.line}:${f.ruleId}`).sort();
  assert.deepStrictEqual(keys(j.introduced), ['drivers/x/a.c:9:missing-mmap-lock', 'drivers/x/b.c:9:missing-mmap-lock']);
  assert.deepStrictEqual(keys(j.fixed), ['drivers/x/a.c:9:prefer-unlocked', 'drivers/x/b.c:9:prefer-unlocked']);
});
