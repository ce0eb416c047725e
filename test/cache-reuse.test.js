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
  // A comment on the finding's own line: kept, and the line the reports quote is the new one.
  put(tree, 'drivers/foo/pin.c', PIN.replace('NULL);', 'NULL); /* the remote mm */'));
  r = await run();
  assert.match(r.reuse, /^reused: 1 changed file\(s\) checked, [1-9]\d* request/);
  assert.match(r.warm.findings[0].source[r.warm.findings[0].span.line], /the remote mm/);
  assert.deepStrictEqual(r.warm.findings[0].source, r.plain.findings[0].source);

  // A comment appended to the caller's file, which the cold run asked twice (the first
  // round, then the callers of foo_pin: the second answer computed from the state the
  // worker kept): the answer sent again is the same answer.
  put(tree, 'drivers/foo/user.c', USER + '/* trailing */\n');
  r = await run();
  assert.match(r.reuse, /^reused: 1 changed file\(s\) checked, [1-9]\d* request/);
  put(tree, 'drivers/foo/user.c', USER);
  r = await run();

  // Lines inserted at its start: every finding moves, and the kept result with it.
  put(tree, 'drivers/foo/pin.c', '/* one */\n/* two */\n' + PIN);
  r = await run();
  assert.match(r.reuse, /^reused: 1 changed file\(s\) checked, [1-9]\d* request\(s\) sent again, lines moved$/);
  assert.strictEqual(r.warm.findings[0].span.line, 7);

  // A line added in the function: its facts change.
  put(tree, 'drivers/foo/pin.c', '/* one */\n/* two */\n' + PIN.replace('{\n', '{\n\t/* inside */\n'));
  r = await run();
  assert.match(r.reuse, /pin\.c: its extracted facts changed/);
  assert.strictEqual(r.warm.findings[0].span.line, 8);

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

// Three functions with findings whose messages and related sites cite lines (`at line N`,
// `(line N)`), a lock macro defined above them, and a declaration the statistics list as
// an unattributed GUP token.
const MOVING = (top, between, inside) => `#include <linux/mm.h>
${top}
#define FOO_LOCK(mm) mmap_read_lock(mm)

long get_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags, struct page **pages);

static long foo_a(struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	long n;

	FOO_LOCK(mm);
	n = get_user_pages_remote(mm, addr, 1, FOLL_WRITE, pages, NULL);
	return n;
}
${between}
static void foo_b(unsigned long addr)
{
	struct page *page;

	if (get_user_pages_fast(addr, 1, 0, &page) == 1)
		unpin_user_page(page);
}

long foo_c(unsigned long addr, struct page **pages, int nr)
{
	int got = get_user_pages_fast(addr, nr, FOLL_WRITE, pages);
${inside}
	if (got < nr)
		return -EFAULT;
	return got;
}
`;

test('cache: an edit that only moves functions keeps the result, with every line it cites moved; one that changes a function does not', async (t) => {
  const { tree, cache } = scratch(t, 'gup-reuse-moved');
  put(tree, 'drivers/foo/foo.c', MOVING('', '', ''));
  put(tree, 'drivers/foo/user.c', USER);
  put(tree, 'drivers/foo/pin.c', PIN);
  // (The whole result: spans, related sites, messages, fixes, quoted lines, fingerprints,
  // and the statistics' unattributed tokens.)
  const full = (r) => JSON.stringify({ findings: r.findings, notifications: r.notifications, unattributed: r.stats.unattributed });
  const run = async (what) => {
    const warm = await auditTree(tree, { cache, profile: true });
    const plain = await auditTree(tree);
    assert.strictEqual(full(warm), full(plain), what);
    return { warm, reuse: warm.profile.reuse ?? '' };
  };
  const cold = await run('cold');
  const cites = (r) => r.warm.findings.filter((f) => f.file === 'drivers/foo/foo.c').map((f) => [f.span.line, ...[...f.message.matchAll(/line (\d+)/g)].map((m) => Number(m[1]))]);
  // (unbalanced-mmap-lock in foo_a(); pin-put-mismatch in foo_b(), citing the call; a
  // partial pin in foo_c(), citing the return.)
  assert.deepStrictEqual(cites(cold).map((c) => c.length), [1, 2, 2]);
  const moved = /^reused: 1 changed file\(s\) checked, [1-9]\d* request\(s\) sent again, lines moved$/;

  // Lines inserted above everything (two more): the macro, the declaration and the three
  // functions move.
  put(tree, 'drivers/foo/foo.c', MOVING('/* one */\n/* two */\n/* three */', '', ''));
  const plus = (cs, d) => cs.map((c) => c.map((n) => n + d));
  const decl = (r) => r.warm.stats.unattributed.find((u) => u.file === 'drivers/foo/foo.c').line;
  let r = await run('three lines on top');
  assert.match(r.reuse, moved);
  assert.deepStrictEqual(cites(r), plus(cites(cold), 2));
  assert.strictEqual(decl(r), decl(cold) + 2);
  // Unchanged since: the moved result was stored, with the requests as sent now.
  r = await run('unchanged');
  assert.match(r.reuse, /^reused: 0 changed/);

  // Lines inserted between two functions (three more): foo_a() stays, the two after it move.
  put(tree, 'drivers/foo/foo.c', MOVING('/* one */\n/* two */\n/* three */', '\n/* between */\n/* and more */\n', ''));
  r = await run('lines between foo_a() and foo_b()');
  assert.match(r.reuse, moved);
  assert.deepStrictEqual(cites(r), [...plus(cites(cold).slice(0, 1), 2), ...plus(cites(cold).slice(1), 5)]);

  // Lines removed: all move up again.
  put(tree, 'drivers/foo/foo.c', MOVING('', '', ''));
  r = await run('lines removed');
  assert.match(r.reuse, moved);
  assert.deepStrictEqual(cites(r), cites(cold));

  // A line inside foo_c(): its facts change, the result is computed again.
  put(tree, 'drivers/foo/foo.c', MOVING('', '', '\n\t/* inside */'));
  r = await run('a line inside foo_c()');
  assert.match(r.reuse, /foo\.c: its extracted facts changed/);
  const [a, bb, [c, ret]] = cites(cold);
  assert.deepStrictEqual(cites(r), [a, bb, [c, ret + 1]]);

  // foo_b() and foo_c() swapped: not a shift of each function's lines in order.
  const text = MOVING('', '', '');
  const b = text.slice(text.indexOf('static void foo_b'), text.indexOf('long foo_c'));
  put(tree, 'drivers/foo/foo.c', text.replace(b, '') + '\n' + b.trimEnd() + '\n');
  r = await run('foo_b() after foo_c()');
  assert.ok(!r.reuse.startsWith('reused'), r.reuse);
});

test('cache: lines moved in a driver\'s header keep the result unless a finding cites a line of it', async (t) => {
  const { tree, cache } = scratch(t, 'gup-reuse-hmoved');
  const header = (top, flags) => `${top}#define H_LOCK(mm) mmap_read_lock(mm)
#define H_UNLOCK(mm) mmap_read_unlock(mm)
#define H_FLAGS (${flags})
`;
  // h_lock(): the lock is left held (its finding cites h.c only); h_flags(): its flags come
  // through the header's #define (with FOLL_PIN, the finding cites that #define's line).
  put(tree, 'drivers/h/h.c', `#include "h.h"

long h_lock(struct mm_struct *mm, unsigned long addr, struct page **pages)
{
	long n;

	H_LOCK(mm);
	n = get_user_pages_remote(mm, addr, 1, FOLL_WRITE, pages, NULL);
	return n;
}

long h_flags(unsigned long addr, struct page **pages)
{
	return get_user_pages_fast(addr, 1, H_FLAGS, pages);
}
`);
  put(tree, 'drivers/h/h.h', header('', 'FOLL_WRITE'));
  const full = (r) => JSON.stringify({ findings: r.findings, notifications: r.notifications });
  const run = async (what) => {
    const warm = await auditTree(tree, { cache, profile: true });
    const plain = await auditTree(tree);
    assert.strictEqual(full(warm), full(plain), what);
    return { warm, reuse: warm.profile.reuse ?? '' };
  };
  let r = await run('cold');
  assert.deepStrictEqual(r.warm.findings.map((f) => f.ruleId), ['unbalanced-mmap-lock']);
  // The header's #define that h_flags() reads moved (the answer for h.c names its line).
  put(tree, 'drivers/h/h.h', header('/* one */\n/* two */\n', 'FOLL_WRITE'));
  r = await run('two lines on top of the header');
  assert.match(r.reuse, /^reused: 1 changed file\(s\) checked, [1-9]\d* request\(s\) sent again, lines moved$/);
  // FOLL_PIN through the header: the finding cites the #define's line in h.h, as `line N`.
  put(tree, 'drivers/h/h.h', header('/* one */\n/* two */\n', 'FOLL_WRITE | FOLL_PIN'));
  r = await run('FOLL_PIN in the header');
  assert.ok(r.warm.findings.some((f) => f.file === 'drivers/h/h.c' && /H_FLAGS/.test(f.message) && f.related.some((x) => x.file === 'drivers/h/h.h')), JSON.stringify(r.warm.findings.map((f) => f.message)));
  put(tree, 'drivers/h/h.h', header('/* one */\n', 'FOLL_WRITE | FOLL_PIN'));
  r = await run('a line removed from the header');
  assert.match(r.reuse, /h\.h: lines moved, and a line the result cites cannot be placed/);
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

test('cache: a file read for struct definitions keeps the result while its #includes and structs stay the same', async (t) => {
  const { tree, cache } = scratch(t, 'gup-reuse-structs');
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
  put(tree, 'drivers/a/impl.c', impl(''));
  put(tree, 'drivers/b/user.c', '#include <linux/hxops.h>\n\nlong b_user(struct hx_ops *o, unsigned long addr, struct page **pages)\n{\n\tlong n;\n\n\tmmap_read_lock(current->mm);\n\tn = o->pin(current->mm, addr, pages);\n\tmmap_read_unlock(current->mm);\n\treturn n;\n}\n');
  const run = async (what) => {
    const warm = await auditTree(tree, { cache, profile: true });
    const plain = await auditTree(tree);
    assert.strictEqual(key(warm), key(plain), what);
    return { warm, reuse: warm.profile.reuse ?? '' };
  };
  let r = await run('cold');
  assert.ok(r.warm.findings.length >= 1);
  // A comment in the file that stores a_pin into the struct (read for the definitions its
  // closure has): the same #includes and structs.
  put(tree, 'drivers/a/impl.c', impl('/* a comment */') + '/* and one more */\n');
  r = await run('a comment');
  assert.match(r.reuse, /^reused: 1 changed file\(s\) checked/);
  // A struct defined there now: what the visibility reads of it changed.
  put(tree, 'drivers/a/impl.c', impl('struct a_local { int x; };'));
  r = await run('a struct defined');
  assert.match(r.reuse, /impl\.c: read for struct definitions/);
  // Another #include.
  put(tree, 'drivers/a/impl.c', impl('#include <linux/hxops.h>'));
  r = await run('an #include added');
  assert.match(r.reuse, /impl\.c: read for struct definitions/);
});

test('cache: an edit of a Makefile whose -I directories decide which struct a file sees is not missed', async (t) => {
  const { tree, cache } = scratch(t, 'gup-reuse-mk');
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
  // user.c's "local.h" is found only in the directory its Makefile adds with -I: then its
  // #include closure is complete and has no struct hx_ops, so o->pin cannot be a_pin;
  // without it, the include resolves nowhere, and an incomplete closure sees every struct.
  put(tree, 'drivers/b/inc/local.h', '/* nothing */\n');
  put(tree, 'drivers/b/user.c', '#include "local.h"\n\nlong b_user(struct hx_ops *o, unsigned long addr, struct page **pages)\n{\n\tlong n;\n\n\tmmap_read_lock(current->mm);\n\tn = o->pin(current->mm, addr, pages);\n\tmmap_read_unlock(current->mm);\n\treturn n;\n}\n');
  const withI = 'ccflags-y += -I$(srctree)/drivers/b/inc\nobj-y += user.o\n';
  put(tree, 'drivers/b/Makefile', withI);
  const run = async (what) => {
    const warm = await auditTree(tree, { cache, profile: true });
    const plain = await auditTree(tree);
    assert.strictEqual(key(warm), key(plain), what);
    return { warm, reuse: warm.profile.reuse ?? '' };
  };
  const first = await run('cold');
  put(tree, 'drivers/b/Makefile', 'obj-y += user.o\n');
  let r = await run('-I removed');
  assert.notStrictEqual(key(r.warm), key(first.warm), 'the call through the field reaches a_pin() now');
  assert.match(r.reuse, /drivers\/b\/Makefile changed/);
  put(tree, 'drivers/b/Makefile', withI);
  r = await run('-I back');
  assert.strictEqual(key(r.warm), key(first.warm));
  r = await run('unchanged');
  assert.match(r.reuse, /^reused: 0 changed/);
});

test('cache: #include closures are kept while only .c files outside them change, and always give an uncached audit\'s result', async (t) => {
  const { tree, cache } = scratch(t, 'gup-reuse-closure');
  put(tree, 'include/linux/hxops.h', 'struct hx_ops {\n\tlong (*pin)(struct mm_struct *mm, unsigned long addr, struct page **pages);\n};\n');
  const impl = (extra) => `#include <linux/hxops.h>

static long a_pin(struct mm_struct *mm, unsigned long addr, struct page **pages)
{${extra}
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
  // Lines added in a function of the storing file (a .c file): recomputed, the closures
  // of the other files kept, the one of the edited file computed again.
  put(tree, 'drivers/a/impl.c', impl('\n\t/* moved */'));
  r = await run('impl.c lines added in a_pin()');
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
  put(tree, 'drivers/foo/pin.c', PIN.replace('{\n', '{\n\t/* one */\n\t/* two */\n'));
  r = await run();
  assert.match(r.reuse, /pin\.c: its extracted facts changed/);
  assert.ok(saved.equals(fs.readFileSync(indexFile)), 'the index is unchanged');
  const before = findings(r.warm);
  r = await run();
  assert.match(r.reuse, /^reused: 0 changed/);
  assert.strictEqual(findings(r.warm), before);
  // Another recomputing edit over that delta: the delta's result is replaced.
  put(tree, 'drivers/foo/pin.c', PIN.replace('{\n', '{\n\t/* one */\n'));
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
  put(tree, 'drivers/foo/pin.c', PIN.replace('{\n', '{\n\t/* changed */\n'));
  const r = await auditTree(tree, { cache, profile: true });
  assert.ok(r.profile.extract.cached >= 1, JSON.stringify(r.profile.extract));
  const fresh = entries().filter((f) => age(f) < 3600 * 1000);
  const old = entries().filter((f) => age(f) > 30 * 24 * 3600 * 1000);
  assert.ok(fresh.some((f) => pinEntries.has(f)), 'a read entry is refreshed');
  assert.ok(old.length >= 1, 'the edited file\'s old entries are not');
  // An hour old: read again, not written again.
  setAge(3600 * 1000);
  put(tree, 'drivers/foo/pin.c', PIN.replace('{\n', '{\n\t/* changed */\n\t/* twice */\n'));
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

test('a kept result moved with its lines: each shared object once, cited lines by their file, null when a line has no place', () => {
  const { LineMap, shiftedResult } = require('../dist/src/stages/shift');
  const span = (line) => ({ line, col: 1, endLine: line + 1, endCol: 2 });
  const gup = { role: 'gup', file: 'a.c', span: span(12), message: 'got at line 12' };
  const finding = {
    ruleId: 'r', level: 'error', file: 'a.c', span: span(14), function: 'f', callText: 'x', fingerprint: 'p', messageId: 'm',
    message: 'released at line 14 after the get at line 12, as in b.c:7 and a.c:12 (called from g (a.c:30))',
    data: { where: 'line 12', line: 12, other: 7 },
    // (The flow's first step is the related site itself, as the rules build them.)
    related: [gup], flow: [gup, { role: 'release', file: 'a.c', span: span(14), message: 'here' }],
    chains: [[{ function: 'g', file: 'a.c', span: span(30) }]],
    source: { 12: 'get', 14: 'put' },
  };
  // An atomic-caller style message: its `line` is a line of data.file.
  const other = { ...structuredClone(finding), file: 'b.c', span: span(7), message: 'opened at a.c:30', data: { file: 'a.c', line: 30 }, related: [], flow: [], chains: [], source: {} };
  const value = { findings: [finding, other], notifications: [{ level: 'note', message: 'see a.c:12' }], stats: { unattributed: [{ file: 'a.c', name: 'g', line: 3, reason: 'r' }] } };
  const map = new LineMap();
  map.add([['a.c', 1, 5, 1], ['a.c', 10, 20, 2], ['a.c', 25, 35, 4]]);
  assert.ok(map.ordered && map.moves);
  const r = shiftedResult(value, map);
  const f = r.findings.find((x) => x.file === 'a.c');
  assert.deepStrictEqual(f.span, span(16));
  assert.strictEqual(f.message, 'released at line 16 after the get at line 14, as in b.c:7 and a.c:14 (called from g (a.c:34))');
  assert.deepStrictEqual(f.data, { where: 'line 14', line: 14, other: 7 });
  assert.strictEqual(f.related[0].span.line, 14);
  assert.strictEqual(f.related[0].message, 'got at line 14');
  assert.strictEqual(f.flow[0], f.related[0], 'a shared object stays shared, moved once');
  assert.strictEqual(f.flow[1].span.line, 16);
  assert.strictEqual(f.chains[0][0].span.line, 34);
  assert.deepStrictEqual(f.source, { 14: 'get', 16: 'put' });
  const o = r.findings.find((x) => x.file === 'b.c');
  assert.deepStrictEqual([o.span.line, o.message, o.data.line], [7, 'opened at a.c:34', 34]);
  assert.strictEqual(r.notifications[0].message, 'see a.c:14');
  assert.strictEqual(r.stats.unattributed[0].line, 4);
  // The stored value itself is not touched.
  assert.strictEqual(value.findings[0].span.line, 14);
  // A finding whose sites are in two files, one of them moved, and that cites a `line N`
  // (a flag through a header's #define): which file's line is not known: no result.
  const header = { ...structuredClone(finding), file: 'c.c', span: span(40), message: 'passed (through #define F in a.c, line 12)', data: { line: 12 }, related: [{ role: 'call', file: 'a.c', span: span(12), message: 'F comes from #define F in a.c' }], flow: [], chains: [], source: {} };
  assert.strictEqual(shiftedResult({ ...value, findings: [header] }, map), null);
  // A file none of whose ranges moved is not moved: its cited lines stay.
  const still = new LineMap();
  still.add([['a.c', 10, 20, 0]]);
  assert.deepStrictEqual(still.files, []);
  assert.strictEqual(shiftedResult({ ...value, findings: [{ ...finding, message: 'see line 22' }] }, still).findings[0].message, 'see line 22');
  // A cited line of a moved file that no range covers: no result.
  const gap = new LineMap();
  gap.add([['a.c', 10, 20, 2], ['a.c', 25, 35, 4], ['a.c', 3, 3, 0]]);
  assert.strictEqual(shiftedResult({ ...value, findings: [{ ...finding, message: 'see line 22' }] }, gap), null);
  // Ranges that cross once moved (functions reordered) are not an order-keeping move.
  const swapped = new LineMap();
  swapped.add([['a.c', 10, 20, 15], ['a.c', 25, 35, -15]]);
  assert.ok(!swapped.ordered);
});

test('the shape of an answer: a function\'s lines counted from its start, an undecided #if range cut to the function', () => {
  const { answerShape, lineShifts } = require('../dist/src/parse/shape');
  const fn = (start, from, group) => ({
    name: 'f', file: 'a.c', startLine: start, endLine: start + 4, span: { line: start, col: 1, endLine: start, endCol: 2 },
    calls: [{ id: 0, name: 'g', span: { line: start + 2, col: 2, endLine: start + 2, endCol: 3 }, stmtStart: 100 * start, stmtEnd: 100 * start + 9 }],
    nodes: [{ id: 0, kind: 'stmt', line: start + 2, succ: [] }],
    undecided: [{ from, to: start + 10, condition: 'defined(X)', group }], digest: String(start),
  });
  const answer = (f, tokens = []) => ({ facts: { file: 'a.c', functions: [f], gupTokens: tokens, unattributed: [], bytes: 1, parseErrors: 0 } });
  // Moved by 7, its #if far above and not moved: the same shape.
  const a = answer(fn(20, 2, 2)), b = answer(fn(27, 2, 2));
  assert.strictEqual(answerShape(a), answerShape(b));
  assert.deepStrictEqual(lineShifts(a, b), [['a.c', 20, 24, 7]]);
  // A call two lines further down in the function: another shape.
  const c = fn(27, 2, 2);
  c.calls[0].span.line += 1;
  assert.notStrictEqual(answerShape(a), answerShape(answer(c)));
  assert.strictEqual(lineShifts(a, answer(c)), null);
  // The #if's range starting inside the function at another line: another shape.
  assert.notStrictEqual(answerShape(a), answerShape(answer(fn(27, 28, 28))));
  // A #define of the file the function uses, which moved less than the function: placed on
  // its own (a header's #define keeps its line in the shape).
  const withMacro = (start, line, file) => Object.assign(fn(start, 2, 2), { macros: { FLAGS: { value: 'FOLL_WRITE', line, ...(file ? { file } : {}) } } });
  assert.deepStrictEqual(lineShifts(answer(withMacro(20, 5)), answer(withMacro(27, 6))), [['a.c', 20, 24, 7], ['a.c', 5, 5, 1]]);
  assert.deepStrictEqual(lineShifts(answer(withMacro(20, 5, 'x.h')), answer(withMacro(20, 6, 'x.h'))), [['a.c', 20, 24, 0], ['x.h', 5, 5, 1]]);
  // (Another definition is another shape.)
  const other = withMacro(20, 6, 'x.h');
  other.macros.FLAGS.value = 'FOLL_FORCE';
  assert.strictEqual(lineShifts(answer(withMacro(20, 5, 'x.h')), answer(other)), null);
  // A GUP token outside the function moved with it: compared by order, placed by the shifts.
  assert.strictEqual(answerShape(answer(fn(20, 2, 2), [{ name: 'g', line: 3, col: 1 }])), answerShape(answer(fn(27, 2, 2), [{ name: 'g', line: 9, col: 1 }])));
});
