'use strict';
// The facts of a file depend on more than its bytes: the headers its preprocessing read (a
// lock macro defined in a driver's own header) and, when one of its conditions tests
// LINUX_VERSION_CODE, the audited kernel version. A cached answer is kept only while all of
// these are the same; and because nothing else of the tree's place or version enters the
// key, a second kernel tree reuses the facts of every file that is the same in both.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { auditTree } = require('./helpers');

const key = (r) => JSON.stringify({
  findings: r.findings.map((f) => [f.file, f.span, f.ruleId, f.message]),
  notifications: r.notifications,
});

const HEADER_LOCKS = '#include <linux/mm.h>\n#define X_LOCK(mm) mmap_read_lock(mm)\n#define X_UNLOCK(mm) mmap_read_unlock(mm)\n';
const HEADER_NO_LOCK = '#include <linux/mm.h>\n#define X_LOCK(mm) do { } while (0)\n#define X_UNLOCK(mm) mmap_read_unlock(mm)\n';
const USER = `#include "local.h"
static int x_pin(unsigned long addr, struct page **pages)
{
\tint ret;

\tX_LOCK(current->mm);
\tret = get_user_pages(addr, 1, FOLL_WRITE, pages);
\tX_UNLOCK(current->mm);
\treturn ret;
}
`;
// Takes the lock itself only before 5.8 in this made-up driver: the version decides.
const VERSIONED = `#include <linux/version.h>
static long y_pin(unsigned long addr, struct page **pages)
{
\tlong ret;

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
\tmmap_read_lock(current->mm);
#endif
\tret = get_user_pages(addr, 1, FOLL_WRITE, pages);
\tmmap_read_unlock(current->mm);
\treturn ret;
}
`;
// The same bytes in both trees, no version test: its facts are shared.
const PLAIN = `static long z_pin(unsigned long addr, struct page **pages)
{
\tlong ret;

\tmmap_read_lock(current->mm);
\tret = get_user_pages(addr, 1, FOLL_WRITE, pages);
\tmmap_read_unlock(current->mm);
\treturn ret;
}
`;

function kernelTree(version, files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-deps-'));
  fs.writeFileSync(path.join(dir, 'Makefile'), `VERSION = ${version[0]}\nPATCHLEVEL = ${version[1]}\nSUBLEVEL = 0\n`);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  // Files modified within 2 s of a scan are not trusted by the next run ("racily clean").
  const past = new Date(Date.now() - 3600 * 1000);
  for (const f of fs.readdirSync(dir, { recursive: true })) fs.utimesSync(path.join(dir, String(f)), past, past);
  return dir;
}

function rewrite(file, text) {
  fs.writeFileSync(file, text);
  const past = new Date(Date.now() - 1800 * 1000);
  fs.utimesSync(file, past, past);
}

test('cache: an edit of a header the preprocessor read changes the facts of the file that includes it', async (t) => {
  const tree = kernelTree([6, 12], { 'drivers/x/local.h': HEADER_LOCKS, 'drivers/x/x.c': USER });
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-deps-cache-'));
  t.after(() => { fs.rmSync(tree, { recursive: true, force: true }); fs.rmSync(cacheDir, { recursive: true, force: true }); });
  const before = await auditTree(tree, { cache: cacheDir });
  assert.deepStrictEqual(before.findings.map((f) => f.ruleId), ['prefer-unlocked']);
  rewrite(path.join(tree, 'drivers/x/local.h'), HEADER_NO_LOCK);
  const plain = await auditTree(tree);
  assert.deepStrictEqual(plain.findings.map((f) => f.ruleId), ['missing-mmap-lock']);
  // With the stored result, and with only the per-file entries (the result recomputed).
  const warm = await auditTree(tree, { cache: cacheDir, profile: true });
  assert.strictEqual(key(warm), key(plain));
  rewrite(path.join(tree, 'drivers/x/local.h'), HEADER_LOCKS);
  fs.rmSync(path.join(cacheDir, 'v1', 'trees'), { recursive: true, force: true });
  const files = await auditTree(tree, { cache: cacheDir, profile: true });
  assert.strictEqual(key(files), key(before));
  // A comment added to the header changes no facts: the result stands.
  rewrite(path.join(tree, 'drivers/x/local.h'), `${HEADER_LOCKS}/* a comment */\n`);
  const comment = await auditTree(tree, { cache: cacheDir, profile: true });
  assert.strictEqual(key(comment), key(before));
  // (Two requests read the header: the extraction of x.c's GUP helper, and the search of x.c
  // for its callers, which may call it in an atomic section.)
  assert.match(comment.profile.reuse ?? "", /^reused: 1 changed file\(s\) checked, 2 request/);
});

test('cache: a second kernel tree reuses the facts of its unchanged files, not those that test the version', async (t) => {
  const files = { 'drivers/y/y.c': VERSIONED, 'drivers/z/z.c': PLAIN, 'drivers/x/local.h': HEADER_LOCKS, 'drivers/x/x.c': USER };
  const older = kernelTree([6, 1], files);
  const newer = kernelTree([6, 12], files);
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-deps-cache-'));
  t.after(() => { for (const d of [older, newer, cacheDir]) fs.rmSync(d, { recursive: true, force: true }); });
  const plainOld = await auditTree(older);
  const plainNew = await auditTree(newer);
  // The version test decides: the old tree takes the lock in y_pin, the new one does not.
  assert.notStrictEqual(key(plainOld), key(plainNew));
  assert.ok(plainNew.findings.some((f) => f.file === 'drivers/y/y.c' && f.ruleId === 'missing-mmap-lock'));
  const first = await auditTree(older, { cache: cacheDir, profile: true });
  assert.strictEqual(key(first), key(plainOld));
  const second = await auditTree(newer, { cache: cacheDir, profile: true });
  assert.strictEqual(key(second), key(plainNew));
  // z.c and x.c (with its header) come from the cache; y.c is extracted again.
  const extracted = (cached) => [...new Set(second.profile.slowest.filter((e) => e.cached === cached).map((e) => e.file))].sort();
  assert.deepStrictEqual(extracted(false), ['drivers/y/y.c']);
  assert.deepStrictEqual(extracted(true), ['drivers/x/x.c', 'drivers/z/z.c']);
});

test('cache: a module audited against --kdir sees an edit of a kernel header it reads', async (t) => {
  const kdir = kernelTree([6, 12], { 'include/linux/xlock.h': HEADER_LOCKS.replace('#include <linux/mm.h>\n', '') });
  const mod = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-deps-mod-'));
  fs.writeFileSync(path.join(mod, 'x.c'), USER.replace('#include "local.h"', '#include <linux/xlock.h>'));
  const past = new Date(Date.now() - 3600 * 1000);
  fs.utimesSync(path.join(mod, 'x.c'), past, past);
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-deps-cache-'));
  t.after(() => { for (const d of [kdir, mod, cacheDir]) fs.rmSync(d, { recursive: true, force: true }); });
  const before = await auditTree(mod, { kdir, cache: cacheDir });
  assert.deepStrictEqual(before.findings.map((f) => f.ruleId), ['prefer-unlocked']);
  rewrite(path.join(kdir, 'include/linux/xlock.h'), HEADER_NO_LOCK.replace('#include <linux/mm.h>\n', ''));
  const plain = await auditTree(mod, { kdir });
  assert.deepStrictEqual(plain.findings.map((f) => f.ruleId), ['missing-mmap-lock']);
  const warm = await auditTree(mod, { kdir, cache: cacheDir, profile: true });
  assert.strictEqual(key(warm), key(plain));
  assert.match(warm.profile.reuse ?? '', /a header outside the tree changed/);
});

// A driver's pin macro: the files that call it are candidates only through the macro search.
const PIN_H = '#define M_PIN(a, p) get_user_pages(a, 1, FOLL_WRITE, p)\n';
const M_LOCKED = `#include "pin.h"
static long m_locked(unsigned long a, struct page **p)
{
\tlong r;

\tmmap_read_lock(current->mm);
\tr = M_PIN(a, p);
\tmmap_read_unlock(current->mm);
\treturn r;
}
`;
const M_UNLOCKED = `#include "pin.h"
static long m_unlocked(unsigned long a, struct page **p)
{
\treturn M_PIN(a, p);
}
`;

test('cache: the macro search is kept while no changed file can change it (other files, or the same definitions), and searched again when one calls a macro or a definition changes', async (t) => {
  const tree = kernelTree([6, 12], { 'drivers/m/pin.h': PIN_H, 'drivers/m/a.c': M_LOCKED, 'drivers/m/b.c': 'static int b;\n', 'drivers/n/other.c': 'static int other(void) { return 0; }\n' });
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-deps-cache-'));
  t.after(() => { fs.rmSync(tree, { recursive: true, force: true }); fs.rmSync(cacheDir, { recursive: true, force: true }); });
  const first = await auditTree(tree, { cache: cacheDir, profile: true });
  assert.strictEqual(first.profile.scan.macroSearch, 'searched');
  assert.deepStrictEqual(first.findings.map((f) => `${f.file}:${f.ruleId}`), ['drivers/m/a.c:prefer-unlocked']);
  // A file that calls none of the names changes: the search is kept.
  rewrite(path.join(tree, 'drivers/n/other.c'), 'static int other(void) { return 1; }\n');
  const other = await auditTree(tree, { cache: cacheDir, profile: true });
  assert.strictEqual(other.profile.scan.macroSearch, 'kept');
  assert.strictEqual(key(other), key(first));
  // Files the search read change but not their definitions (lines moved in a caller, a
  // comment in the header): kept, and the result is an uncached audit's.
  rewrite(path.join(tree, 'drivers/m/a.c'), `/* moved */\n\n${M_LOCKED}`);
  rewrite(path.join(tree, 'drivers/m/pin.h'), `/* the pin macro */\n${PIN_H}`);
  const moved = await auditTree(tree, { cache: cacheDir, profile: true });
  assert.strictEqual(moved.profile.scan.macroSearch, 'kept');
  assert.strictEqual(key(moved), key(await auditTree(tree)));
  assert.deepStrictEqual(moved.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}`), ['drivers/m/a.c:9:prefer-unlocked']);
  // A file starts calling the macro: searched again, and its call found.
  rewrite(path.join(tree, 'drivers/m/b.c'), M_UNLOCKED);
  const calling = await auditTree(tree, { cache: cacheDir, profile: true });
  assert.strictEqual(calling.profile.scan.macroSearch, 'searched');
  assert.strictEqual(key(calling), key(await auditTree(tree)));
  assert.ok(calling.findings.some((f) => f.file === 'drivers/m/b.c' && f.ruleId === 'missing-mmap-lock'));
  // The macro's definition changes (the header is read by the search): searched again.
  rewrite(path.join(tree, 'drivers/m/pin.h'), '#define M_PIN(a, p) 0\n');
  const gone = await auditTree(tree, { cache: cacheDir, profile: true });
  assert.strictEqual(gone.profile.scan.macroSearch, 'searched');
  assert.strictEqual(key(gone), key(await auditTree(tree)));
});

test('cache: a recomputed result sends the last run\'s later requests ahead and uses those the rounds ask again', async (t) => {
  const helper = `long h_pin(unsigned long a, struct page **p)
{
\treturn get_user_pages(a, 1, FOLL_WRITE, p);
}
`;
  const caller = (extra) => `long h_pin(unsigned long a, struct page **p);
${extra}
long h_user(unsigned long a, struct page **p)
{
\tlong r;

\tmmap_read_lock(current->mm);
\tr = h_pin(a, p);
\tmmap_read_unlock(current->mm);
\treturn r;
}
`;
  const tree = kernelTree([6, 12], { 'drivers/h/pin.c': helper, 'drivers/u/user.c': caller(''), 'drivers/v/unlocked.c': `long h_pin(unsigned long a, struct page **p);\nlong h_bare(unsigned long a, struct page **p)\n{\n\treturn h_pin(a, p);\n}\n` });
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-deps-cache-'));
  t.after(() => { fs.rmSync(tree, { recursive: true, force: true }); fs.rmSync(cacheDir, { recursive: true, force: true }); });
  await auditTree(tree, { cache: cacheDir });
  // Lines move in the helper's file, and its body changes: its facts change, the result is
  // recomputed; the callers' files are asked the same questions as before.
  rewrite(path.join(tree, 'drivers/h/pin.c'), `/* moved */\n${helper.replace('{\n', '{\n\t/* changed */\n')}`);
  const warm = await auditTree(tree, { cache: cacheDir, profile: true });
  assert.match(warm.profile.reuse, /its extracted facts changed/);
  const r = warm.profile.extract.replayed;
  // (The edited file's own later request names the functions taken by their moved lines:
  // asked anew.)
  assert.ok(r && r.used >= 2 && r.used === r.sent - 1, JSON.stringify(r));
  assert.strictEqual(key(warm), key(await auditTree(tree)));
  assert.ok(warm.findings.some((f) => f.file === 'drivers/h/pin.c'));
});
