'use strict';
// --cache after edits: the stored result is kept only when no changed file can change it
// (src/stages/reuse.ts), and every warm run equals an audit without a cache.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { auditTree } = require('./helpers');

const PIN = `#include <linux/mm.h>

long foo_pin(struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	return get_user_pages_remote(mm, addr, 1, FOLL_WRITE, pages, NULL);
}
`;
const USER = `#include <linux/mm.h>

long foo_user(unsigned long addr, struct page **pages)
{
	long got;

	mmap_read_lock(current->mm);
	got = foo_pin(current->mm, addr, pages);
	mmap_read_unlock(current->mm);
	return got;
}
`;
const OTHER = `int bar_count(int *v, int n)
{
	int i, s = 0;

	for (i = 0; i < n; i++)
		s += v[i];
	return s;
}
`;

const key = (r) => JSON.stringify({
  findings: r.findings.map((f) => [f.file, f.span, f.ruleId, f.level, f.fingerprint, f.message]),
  notifications: r.notifications,
});

let stamp = Date.now() - 3600 * 1000;
/** Write a file of the tree with an mtime in the past (never "racily clean"), a new one each time. */
function put(tree, rel, text) {
  const p = path.join(tree, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  stamp += 1000;
  fs.utimesSync(p, new Date(stamp), new Date(stamp));
}


/** A kernel-like tree (its Makefile only) and a cache directory, removed after the test. */
function scratch(t, name) {
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-cache-`));
  t.after(() => { fs.rmSync(tree, { recursive: true, force: true }); fs.rmSync(cache, { recursive: true, force: true }); });
  put(tree, 'Makefile', 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\n');
  return { tree, cache };
}

test('cache: after an edit the result is kept only when the edit cannot change it, and always equals an uncached audit', async (t) => {
  const { tree, cache } = scratch(t, 'gup-reuse-tree');
  put(tree, 'drivers/foo/pin.c', PIN);
  put(tree, 'drivers/foo/user.c', USER);
  put(tree, 'drivers/bar/other.c', OTHER);
  const run = async () => {
    const warm = await auditTree(tree, { cache, profile: true });
    const plain = await auditTree(tree);
    assert.strictEqual(key(warm), key(plain), 'a warm run gives what an uncached run gives');
    return { warm, plain, reuse: warm.profile.reuse ?? '' };
  };
  const cold = await run();
  assert.strictEqual(cold.plain.findings.length, 1);

  // A file outside everything the result was computed from.
  put(tree, 'drivers/bar/other.c', OTHER + '\n/* a comment */\nint bar_zero(void)\n{\n\treturn bar_count(0, 0);\n}\n');
  let r = await run();
  assert.match(r.reuse, /^reused: 1 changed file\(s\) checked, 0 request/);

  // The same file now calls the helper whose callers were searched: a new caller.
  put(tree, 'drivers/bar/other.c', OTHER + '\nlong bar_pin(unsigned long addr, struct page **pages)\n{\n\treturn foo_pin(current->mm, addr, pages);\n}\n');
  r = await run();
  assert.match(r.reuse, /other\.c: calls of a searched name changed/);
  assert.strictEqual(r.plain.findings.length, 2, 'the new caller without the lock is a finding');

  // A comment appended to a file the analysis read: its requests are sent again and
  // answer the same.
  put(tree, 'drivers/foo/pin.c', PIN + '/* trailing */\n');
  r = await run();
  assert.match(r.reuse, /^reused: 1 changed file\(s\) checked, [1-9]\d* request/);

  // A comment appended to the caller's file, which the cold run asked twice (the first
  // round, then the callers of foo_pin: the second answer computed from the state the
  // worker kept): the answer sent again is the same answer.
  put(tree, 'drivers/foo/user.c', USER + '/* trailing */\n');
  r = await run();
  assert.match(r.reuse, /^reused: 1 changed file\(s\) checked, [1-9]\d* request/);
  put(tree, 'drivers/foo/user.c', USER);
  r = await run();

  // Lines inserted at its start: every finding moves.
  put(tree, 'drivers/foo/pin.c', '/* one */\n/* two */\n' + PIN);
  r = await run();
  assert.match(r.reuse, /pin\.c: its extracted facts changed/);
  assert.strictEqual(r.warm.findings[0].span.line, 7);

  // A caller's body changes (its lock dropped).
  put(tree, 'drivers/foo/user.c', USER.replace(/\tmmap_read_(un)?lock\(current->mm\);\n/g, ''));
  r = await run();
  assert.match(r.reuse, /user\.c: /);
  assert.ok(!r.reuse.startsWith('reused'));

  // A new file, and a removed one.
  put(tree, 'drivers/bar/new.c', OTHER.replace('bar_count', 'bar_new'));
  r = await run();
  assert.match(r.reuse, /added or removed/);
  fs.rmSync(path.join(tree, 'drivers/bar/new.c'));
  r = await run();
  assert.match(r.reuse, /added or removed/);

  // Unchanged: kept without a check.
  r = await run();
  assert.match(r.reuse, /^reused: 0 changed/);

  // A file the scan now skips (a sparse file past the scan's size cap): its warning is
  // reported, and gone again when the file is back to what it was.
  const big = path.join(tree, 'drivers/bar/other.c');
  const before = fs.readFileSync(big);
  fs.truncateSync(big, 300 * 1024 * 1024);
  fs.utimesSync(big, new Date((stamp += 1000)), new Date(stamp));
  r = await run();
  assert.match(r.reuse, /other\.c: a notification about it/);
  assert.ok(r.warm.notifications.some((n) => n.file === 'drivers/bar/other.c' && /skipped/.test(n.message)));
  put(tree, 'drivers/bar/other.c', before);
  r = await run();
  assert.ok(!r.warm.notifications.some((n) => n.file === 'drivers/bar/other.c'));
});

test('cache: header facts kept for struct visibility are used only while the header is unchanged', async (t) => {
  const { tree, cache } = scratch(t, 'gup-reuse-hdr');
  put(tree, 'include/linux/hxops.h', 'struct hx_ops {\n\tlong (*pin)(struct mm_struct *mm, unsigned long addr, struct page **pages);\n};\n');
  put(tree, 'drivers/a/impl.c', `#include <linux/hxops.h>

static long a_pin(struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	return get_user_pages_remote(mm, addr, 1, FOLL_WRITE, pages, NULL);
}

static struct hx_ops a_ops = {
	.pin = a_pin,
};
`);
  put(tree, 'drivers/b/user.c', '#include "local.h"\n\nlong b_user(struct hx_ops *o, unsigned long addr, struct page **pages)\n{\n\treturn o->pin(current->mm, addr, pages);\n}\n');
  const states = ['/* nothing yet */\n', '#include <linux/hxops.h>\n', '/* nothing again */\n'];
  const seen = new Set();
  for (const text of states) {
    put(tree, 'drivers/b/local.h', text);
    const warm = await auditTree(tree, { cache, profile: true });
    const plain = await auditTree(tree);
    assert.strictEqual(key(warm), key(plain), `local.h: ${text.trim()}`);
    seen.add(key(plain));
  }
  assert.strictEqual(seen.size, 2, 'whether b_user() sees struct hx_ops changes the finding');
});

test('cache: #include closures are kept while only .c files outside them change, and always give an uncached audit\'s result', async (t) => {
  const { tree, cache } = scratch(t, 'gup-reuse-closure');
  put(tree, 'include/linux/hxops.h', 'struct hx_ops {\n\tlong (*pin)(struct mm_struct *mm, unsigned long addr, struct page **pages);\n};\n');
  const impl = (extra) => `#include <linux/hxops.h>
${extra}
static long a_pin(struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	return get_user_pages_remote(mm, addr, 1, FOLL_WRITE, pages, NULL);
}

static struct hx_ops a_ops = {
	.pin = a_pin,
};
`;
  const user = (inc) => `${inc}
long b_user(struct hx_ops *o, unsigned long addr, struct page **pages)
{
	long n;

	mmap_read_lock(current->mm);
	n = o->pin(current->mm, addr, pages);
	mmap_read_unlock(current->mm);
	return n;
}
`;
  put(tree, 'drivers/a/impl.c', impl(''));
  put(tree, 'drivers/b/user.c', user('#include "local.h"'));
  put(tree, 'drivers/b/local.h', '/* nothing yet */\n');
  const run = async (what) => {
    const warm = await auditTree(tree, { cache, profile: true });
    const plain = await auditTree(tree);
    assert.strictEqual(key(warm), key(plain), what);
    return { warm, closures: warm.profile.closures ?? { computed: 0, kept: 0 } };
  };
  let r = await run('cold');
  assert.ok(r.closures.computed >= 2 && r.closures.kept === 0, JSON.stringify(r.closures));
  const seenBefore = key(r.warm);
  // Lines moved in the storing file (a .c file): recomputed, the closures of the other
  // files kept, the one of the edited file computed again.
  put(tree, 'drivers/a/impl.c', impl('/* moved */\n'));
  r = await run('impl.c lines moved');
  assert.match(r.warm.profile.reuse, /impl\.c: /);
  assert.ok(r.closures.kept >= 1 && r.closures.computed >= 1, JSON.stringify(r.closures));
  // (So are the analyses: b_user()'s kept, a_pin()'s, which moved, computed again.)
  assert.ok(r.warm.profile.analyses.kept >= 1 && r.warm.profile.analyses.computed >= 1, JSON.stringify(r.warm.profile.analyses));
  // The calling file now includes the struct's header itself: its closure is computed
  // again (the call through the field now reaches a_pin()).
  put(tree, 'drivers/b/user.c', user('#include "local.h"\n#include <linux/hxops.h>'));
  r = await run('user.c includes hxops.h');
  assert.notStrictEqual(key(r.warm), seenBefore, 'the call through the field is resolved now');
  // A header edited: no closure is kept.
  put(tree, 'drivers/b/user.c', user('#include "local.h"'));
  put(tree, 'drivers/b/local.h', '#include <linux/hxops.h>\n');
  r = await run('local.h includes hxops.h');
  assert.strictEqual(r.closures.kept, 0, JSON.stringify(r.closures));
  // Back to the start (three files edited): an uncached audit's result again.
  put(tree, 'drivers/b/local.h', '/* nothing again */\n');
  put(tree, 'drivers/a/impl.c', impl(''));
  r = await run('back');
  assert.strictEqual(key(r.warm), seenBefore);
});

test('the digest of an extraction answer is canonical: shared parts, sets and the file size do not change it', () => {
  const { answerDigest } = require('../dist/src/cache-entry');
  const v8 = require('v8');
  const span = { line: 3, col: 1, endLine: 3, endCol: 9 };
  const shared = { facts: { bytes: 10, functions: [{ span, callSpan: span, names: new Set(['a', 'b']) }] }, notes: [] };
  const copies = { facts: { bytes: 10, functions: [{ span: { ...span }, callSpan: { ...span }, names: new Set(['a', 'b']) }] }, notes: [] };
  // (v8's serialisation, which the digest once used, tells these two apart.)
  assert.notDeepStrictEqual(v8.serialize(shared), v8.serialize(copies));
  assert.strictEqual(answerDigest(shared), answerDigest(copies));
  copies.facts.bytes = 99;
  assert.strictEqual(answerDigest(shared), answerDigest(copies));
  // (How it was computed, from a worker's kept file state, says nothing of what it is: a
  // later-round answer of the cold run compared with the same answer computed afresh
  // after a comment was appended made a kept result look changed.)
  assert.strictEqual(answerDigest(shared), answerDigest({ ...copies, memo: true }));
  copies.facts.functions[0].names.add('c');
  assert.notStrictEqual(answerDigest(shared), answerDigest(copies));
  copies.facts.functions[0].names.delete('c');
  copies.facts.functions[0].span.line = 4;
  assert.notStrictEqual(answerDigest(shared), answerDigest(copies));
});

test('cache: a run after a few edits writes only the changed files\' entries (a delta of the index) and the result, kept or recomputed, applied by the next run', async (t) => {
  const { tree, cache } = scratch(t, 'gup-reuse-delta');
  put(tree, 'drivers/foo/pin.c', PIN);
  put(tree, 'drivers/foo/user.c', USER);
  put(tree, 'drivers/bar/other.c', OTHER);
  const findings = (r) => JSON.stringify(r.findings.map((f) => [f.file, f.span, f.ruleId, f.level, f.fingerprint, f.message]));
  const run = async () => {
    const warm = await auditTree(tree, { cache, profile: true });
    const plain = await auditTree(tree);
    assert.strictEqual(findings(warm), findings(plain), 'a warm run finds what an uncached run finds');
    return { warm, reuse: warm.profile.reuse ?? '' };
  };
  await run();
  const dir = path.join(cache, 'v1', 'trees');
  const [index] = fs.readdirSync(dir).filter((f) => f.endsWith('.v8'));
  const indexFile = path.join(dir, index);
  const delta = `${indexFile}.delta`;
  const saved = fs.readFileSync(indexFile);
  assert.ok(!fs.existsSync(delta));

  // A comment in a file outside the result: kept; the index is not written again.
  put(tree, 'drivers/bar/other.c', `${OTHER}/* one */\n`);
  let r = await run();
  assert.match(r.reuse, /^reused: 1 changed file\(s\) checked/);
  assert.ok(saved.equals(fs.readFileSync(indexFile)), 'the index is unchanged');
  assert.ok(fs.statSync(delta).size < saved.length);
  // The next run knows the edited file from the delta: nothing changed.
  r = await run();
  assert.match(r.reuse, /^reused: 0 changed/);
  // A second edit and a comment in a file the result read: one delta for both.
  put(tree, 'drivers/bar/other.c', `${OTHER}/* two */\n`);
  put(tree, 'drivers/foo/pin.c', `${PIN}/* trailing */\n`);
  r = await run();
  assert.match(r.reuse, /^reused: 2 changed file\(s\) checked, [1-9]\d* request/);
  r = await run();
  assert.match(r.reuse, /^reused: 0 changed/);
  assert.ok(saved.equals(fs.readFileSync(indexFile)));

  // A delta that fails its check is dropped with a note: the files are looked at again.
  const bad = fs.readFileSync(delta);
  bad[bad.length - 1] ^= 0xff;
  fs.writeFileSync(delta, bad);
  r = await run();
  assert.ok(r.warm.notifications.some((n) => /^cache: the index delta .* failed its integrity check: dropped/.test(n.message)), JSON.stringify(r.warm.notifications));
  assert.match(r.reuse, /^reused: 2 changed file\(s\) checked/);

  // An edit that changes the facts: recomputed; the new result goes into the delta with
  // the changed file (the index is not written again), and the next run reuses it.
  put(tree, 'drivers/foo/pin.c', `/* one */\n/* two */\n${PIN}`);
  r = await run();
  assert.match(r.reuse, /pin\.c: its extracted facts changed/);
  assert.ok(saved.equals(fs.readFileSync(indexFile)), 'the index is unchanged');
  const before = findings(r.warm);
  r = await run();
  assert.match(r.reuse, /^reused: 0 changed/);
  assert.strictEqual(findings(r.warm), before);
  // Another recomputing edit over that delta: the delta's result is replaced.
  put(tree, 'drivers/foo/pin.c', `/* one */\n${PIN}`);
  r = await run();
  assert.match(r.reuse, /pin\.c: its extracted facts changed/);
  assert.notStrictEqual(findings(r.warm), before, 'the finding in pin.c moved');
  r = await run();
  assert.match(r.reuse, /^reused: 0 changed/);
  // A file added: recomputed, the whole index written, the delta gone.
  put(tree, 'drivers/bar/more.c', OTHER.replace('bar_count', 'bar_more'));
  r = await run();
  assert.match(r.reuse, /files were added or removed/);
  assert.ok(!saved.equals(fs.readFileSync(indexFile)), 'the index is written again');
  assert.ok(!fs.existsSync(delta));
  r = await run();
  assert.match(r.reuse, /^reused: 0 changed/);
});

test('cache: a fact entry read by a run has its mtime refreshed (so pruning keeps it), at most once a day', async (t) => {
  const { tree, cache } = scratch(t, 'gup-reuse-touch');
  put(tree, 'drivers/foo/pin.c', PIN);
  put(tree, 'drivers/foo/user.c', USER);
  await auditTree(tree, { cache });
  const factsDir = path.join(cache, 'v1', 'facts');
  const entries = () => fs.readdirSync(factsDir, { recursive: true }).map(String).filter((f) => f.endsWith('.v8')).map((f) => path.join(factsDir, f));
  const pinEntries = new Set(entries());
  const age = (f) => Date.now() - fs.statSync(f).mtimeMs;
  const setAge = (ms) => { for (const f of entries()) fs.utimesSync(f, new Date(Date.now() - ms), new Date(Date.now() - ms)); };
  // Entries 40 days old: the ones the next run reads (user.c's, pin.c being edited) are
  // refreshed, the edited file's old entries are not.
  setAge(40 * 24 * 3600 * 1000);
  put(tree, 'drivers/foo/pin.c', `/* moved */\n${PIN}`);
  const r = await auditTree(tree, { cache, profile: true });
  assert.ok(r.profile.extract.cached >= 1, JSON.stringify(r.profile.extract));
  const fresh = entries().filter((f) => age(f) < 3600 * 1000);
  const old = entries().filter((f) => age(f) > 30 * 24 * 3600 * 1000);
  assert.ok(fresh.some((f) => pinEntries.has(f)), 'a read entry is refreshed');
  assert.ok(old.length >= 1, 'the edited file\'s old entries are not');
  // An hour old: read again, not written again.
  setAge(3600 * 1000);
  put(tree, 'drivers/foo/pin.c', `/* moved */\n/* twice */\n${PIN}`);
  await auditTree(tree, { cache });
  assert.ok(entries().filter((f) => pinEntries.has(f)).every((f) => age(f) >= 3600 * 1000 - 60000), 'no entry touched within the day');
});

test('cache: a result recomputed from kept function analyses equals an uncached audit (an era read back from the cache is compared by content)', async (t) => {
  const { tree, cache } = scratch(t, 'gup-reuse-era');
  put(tree, 'Makefile', 'VERSION = 4\nPATCHLEVEL = 9\nSUBLEVEL = 0\n');
  // 4.9: a remote mm locked only around one call: __get_user_pages_unlocked() is advised,
  // which needs the call's era to be 4.9's own (prefer-locked).
  put(tree, 'drivers/odp/odp.c', `#include <linux/mm.h>

static long odp_fault(struct task_struct *tsk, struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	long ret;

	down_read(&mm->mmap_sem);
	ret = get_user_pages_remote(tsk, mm, addr, 1, FOLL_WRITE, pages, NULL);
	up_read(&mm->mmap_sem);
	return ret;
}

long odp_map(struct task_struct *tsk, struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	return odp_fault(tsk, mm, addr, pages);
}
`);
  const plain = await auditTree(tree);
  assert.ok(plain.findings.some((f) => f.ruleId === 'prefer-locked' && /__get_user_pages_unlocked\(/.test(f.message)), plain.findings.map((f) => f.message).join('\n'));
  await auditTree(tree, { cache });
  const prev = process.env.GUP_AUDIT_CACHE_RESULT;
  process.env.GUP_AUDIT_CACHE_RESULT = '0';
  try {
    const recomputed = await auditTree(tree, { cache, profile: true });
    // (The analyses of the last run were used: the path whose era copy mattered.)
    assert.ok(recomputed.profile.analyses.kept > 0, JSON.stringify(recomputed.profile.analyses));
    assert.strictEqual(key(recomputed), key(plain));
  } finally {
    if (prev === undefined) delete process.env.GUP_AUDIT_CACHE_RESULT; else process.env.GUP_AUDIT_CACHE_RESULT = prev;
  }
});
