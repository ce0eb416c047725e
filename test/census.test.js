'use strict';
// `gup-audit callers`: the census of GUP call sites (callee, signature, flags, lock
// context, page family, releases) as a table, JSON and CSV.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { cli } = require('./helpers');

const DEMO = path.join(__dirname, '..', 'fixtures', 'demo');
const run = async (args) => await cli([...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

// One function per lock context.
const CONTEXTS = `#include <linux/mm.h>

static long pin_local(unsigned long a, struct page **p)
{
	long n;

	mmap_read_lock(current->mm);
	n = pin_user_pages(a, 1, FOLL_WRITE, p);
	mmap_read_unlock(current->mm);
	return n;
}

static long pin_asserted(unsigned long a, struct page **p)
{
	mmap_assert_locked(current->mm);
	return pin_user_pages(a, 1, 0, p);
}

static long get_helper(unsigned long a, unsigned int flags, struct page **p)
{
	return get_user_pages(a, 1, flags, p);
}

static long get_mixed(unsigned long a, struct page **p)
{
	return get_user_pages(a, 1, FOLL_FORCE, p);
}

static long get_none(unsigned long a, struct page **p)
{
	return get_user_pages(a, 1, FOLL_WRITE, p);
}

long ctx_entry(unsigned long a, struct page **p)
{
	long n;

	mmap_read_lock(current->mm);
	n = get_helper(a, FOLL_WRITE | FOLL_FORCE, p);
	n += get_mixed(a, p);
	n += pin_asserted(a, p);
	mmap_read_unlock(current->mm);
	n += get_mixed(a, p);
	n += get_none(a, p);
	n += pin_local(a, p);
	n += get_user_pages_fast(a, 1, 0, p);
	unpin_user_page(p[0]);
	put_page(p[1]);
	return n;
}
`;

function tree() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-census-'));
  fs.cpSync(path.join(DEMO, 'include'), path.join(d, 'include'), { recursive: true });
  fs.copyFileSync(path.join(DEMO, 'Makefile'), path.join(d, 'Makefile'));
  fs.mkdirSync(path.join(d, 'drivers', 'c'), { recursive: true });
  fs.writeFileSync(path.join(d, 'drivers', 'c', 'ctx.c'), CONTEXTS);
  return d;
}

test('callers: every lock context, the resolved flags and the page family of each call site', async () => {
  const r = await run(['callers', tree(), '--format', 'json']);
  assert.strictEqual(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout).callSites;
  const by = Object.fromEntries(rows.map((x) => [x.function, x]));
  assert.deepStrictEqual(rows.map((x) => [x.function, x.lock]), [
    ['pin_local', 'local'], ['pin_asserted', 'asserted'], ['get_helper', 'caller'], ['get_mixed', 'mixed'], ['get_none', 'none'], ['ctx_entry', 'self'],
  ]);
  // Flags through a parameter from the caller; a literal 0 is no flag at all.
  assert.deepStrictEqual(by.get_helper.flags, ['FOLL_FORCE', 'FOLL_WRITE']);
  assert.deepStrictEqual(by.pin_asserted.flags, []);
  assert.strictEqual(by.pin_local.family, 'pin');
  assert.strictEqual(by.get_none.family, 'get');
  assert.strictEqual(by.get_none.signature, 'get_user_pages(start, nr_pages, gup_flags, pages)');
  assert.strictEqual(by.get_none.mm, 'current->mm');
  assert.deepStrictEqual(by.ctx_entry.released, ['drivers/c/ctx.c:47 unpin_user_page()', 'drivers/c/ctx.c:48 put_page()']);
  const src = CONTEXTS.split('\n');
  for (const x of rows) assert.strictEqual(src[x.line - 1].slice(x.column - 1, x.column - 1 + x.callee.length), x.callee, `${x.line}:${x.column}`);
});

test('callers: releases through a helper, the text table and CSV agree with JSON', async () => {
  const rows = JSON.parse((await run(['callers', DEMO, '-f', 'json'])).stdout).callSites;
  const gupLines = fs.readFileSync(path.join(DEMO, 'drivers/misc/accelq/accelq_mem.c'), 'latin1').split('\n');
  const local = rows.find((x) => x.function === 'accelq_register_local');
  assert.ok(local.released.includes('drivers/misc/accelq/accelq_mem.c:43 accelq_put() -> put_page()'), local.released.join());
  assert.match(gupLines[42], /accelq_put\(r->pages, got\)/);
  const text = (await run(['callers', DEMO])).stdout.split('\n');
  assert.match(text[0], /^location +function +callee +lock +pages +flags +released$/);
  for (const x of rows) assert.ok(text.some((l) => l.startsWith(`${x.file}:${x.line}:${x.column} `) && l.includes(` ${x.callee} `)), x.file);
  assert.match(text[text.length - 2], new RegExp(`^${rows.length} GUP call sites; lock: `));
  const csv = (await run(['callers', DEMO, '-f', 'csv'])).stdout;
  const lines = csv.split('\r\n').filter(Boolean);
  assert.strictEqual(lines[0], 'file,line,column,function,callee,signature,era,mm,flags,lock,family,released,call');
  assert.strictEqual(lines.length, rows.length + 1);
  // Signatures hold commas: quoted.
  assert.ok(lines[1].includes(`,"${rows[0].signature}",`), lines[1]);
  assert.strictEqual((await run(['callers', '/nonexistent/x'])).status, 2);
});
