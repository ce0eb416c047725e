'use strict';
// The kernel developer's workflow: one-line formats (gcc, checkpatch), the display filter,
// a file list on stdin with the tree's lock context, inline suppressions, rule docs, help.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { cli } = require('./helpers');

const DEMO = path.join(__dirname, '..', 'fixtures', 'demo');

async function run(args, o = {}) {
  const r = await cli(args, o);
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A copy of the demo tree's Makefile and headers with the given sources. */
function tree(files) {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-wf-'));
  fs.cpSync(path.join(DEMO, 'include'), path.join(d, 'include'), { recursive: true });
  fs.copyFileSync(path.join(DEMO, 'Makefile'), path.join(d, 'Makefile'));
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, f)), { recursive: true });
    fs.writeFileSync(path.join(d, f), text);
  }
  return d;
}

const HELPER = `#include <linux/mm.h>

int helper_pin(unsigned long addr, int n, struct page **pages)
{
	return pin_user_pages(addr, n, FOLL_WRITE, pages);
}
`;
const LOCKING_CALLER = `#include <linux/mm.h>

int helper_pin(unsigned long addr, int n, struct page **pages);

int ioctl_pin(unsigned long addr, int n, struct page **pages)
{
	int ret;

	mmap_read_lock(current->mm);
	ret = helper_pin(addr, n, pages);
	mmap_read_unlock(current->mm);
	return ret;
}
`;
const SELF_LOCK = (comment) => `#include <linux/mm.h>

int pin_twice(unsigned long addr, int n, struct page **pages)
{
	int got;

	mmap_read_lock(current->mm);
${comment}	got = pin_user_pages_fast(addr, n, FOLL_WRITE, pages);
	mmap_read_unlock(current->mm);
	return got;
}
`;

test('--format gcc: one file:line:col: level: message [rule-id] line per finding, relative to the working directory', async () => {
  const json = JSON.parse((await run([DEMO, '--format', 'json'])).out);
  const r = await run(['.', '--format', 'gcc'], { cwd: DEMO });
  assert.strictEqual(r.code, 1);
  const lines = r.out.trim().split('\n');
  assert.strictEqual(lines.length, json.findings.length);
  for (const [i, f] of json.findings.entries()) {
    assert.strictEqual(lines[i], `${f.file}:${f.line}:${f.column}: ${f.level}: ${f.message} [${f.ruleId}]`);
  }
  // From elsewhere: the path still resolves from that working directory (relative below
  // it, absolute outside it).
  const away = (await run([DEMO, '--format', 'gcc'], { cwd: os.tmpdir() })).out.split('\n')[0];
  assert.ok(fs.existsSync(path.resolve(os.tmpdir(), away.split(':')[0])), away);
});

test('--format checkpatch for the plain audit: LEVEL: rule: message, FILE:, the line, and the total', async () => {
  const json = JSON.parse((await run([DEMO, '--format', 'json'])).out);
  const r = await run([DEMO, '--format', 'checkpatch']);
  const errors = json.findings.filter((f) => f.level === 'error').length;
  const warnings = json.findings.filter((f) => f.level === 'warning').length;
  assert.match(r.out, new RegExp(`total: ${errors} errors, ${warnings} warnings, \\d+ files checked\\n$`));
  const f = json.findings[0];
  assert.ok(r.out.includes(`FILE: ${f.file}:${f.line}:\n`), r.out);
  assert.ok(r.out.includes(`: ${f.ruleId}: ${f.message}\n`));
});

test('--min-level hides lower findings from the report and counts them, the verdict still sees them', async () => {
  const all = JSON.parse((await run([DEMO, '--format', 'json'])).out).findings;
  const below = all.filter((f) => f.level !== 'error').length;
  assert.ok(below > 0 && below < all.length);
  const r = await run([DEMO, '--min-level', 'error']);
  assert.strictEqual(r.code, 1);
  assert.ok(!/\bwarning\b.*\[prefer-unlocked\]/.test(r.out), r.out);
  assert.match(r.out, new RegExp(`; ${below} below error not shown\\n$`));
  const j = JSON.parse((await run([DEMO, '--format', 'json', '--min-level', 'error'])).out);
  assert.deepStrictEqual(j.findings.map((f) => f.level), all.filter((f) => f.level === 'error').map(() => 'error'));
  assert.strictEqual((await run([DEMO, '--min-level', 'error', '--fail-on', 'error'])).code, 1);
  assert.strictEqual((await run([DEMO, '--min-level', 'loud'])).code, 2);
});

test('`gup-audit -` audits the files named on stdin with the lock context of their whole tree', async () => {
  const d = tree({ 'drivers/x/a.c': HELPER, 'drivers/x/b.c': LOCKING_CALLER });
  const whole = JSON.parse((await run(['.', '--format', 'json'], { cwd: d })).out).findings.filter((f) => f.file === 'drivers/x/a.c');
  const alone = JSON.parse((await run(['drivers/x/a.c', '--format', 'json'], { cwd: d })).out).findings;
  const listed = await run(['-', '--format', 'json'], { cwd: d, input: 'drivers/x/a.c\nMakefile\ndrivers/x/deleted.c\n' });
  const got = JSON.parse(listed.out);
  // The caller in b.c holds the lock: the tree knows it, the lone file does not.
  assert.deepStrictEqual(got.findings.map((f) => [f.ruleId, f.line]), whole.map((f) => [f.ruleId, f.line]));
  assert.notDeepStrictEqual(alone.map((f) => f.ruleId), whole.map((f) => f.ruleId));
  const notes = got.notifications.map((n) => `${n.file}: ${n.message}`);
  assert.ok(notes.includes('Makefile: not audited: not a .c or .h file'), notes.join('\n'));
  assert.ok(notes.includes('drivers/x/deleted.c: not audited: does not exist'));
  // Only b.c listed: nothing of a.c is reported.
  assert.deepStrictEqual(JSON.parse((await run(['-', '--format', 'json'], { cwd: d, input: 'drivers/x/b.c\n' })).out).findings, []);
  const empty = await run(['-'], { cwd: d, input: 'Makefile\n' });
  assert.strictEqual(empty.code, 2);
  assert.match(empty.err, /^gup-audit: error: no \.c or \.h file among the 1 name\(s\) on standard input\n$/);
});

test('inline suppressions: on the line or the line above, reason required, kept and counted', async () => {
  const cases = {
    'a/same.c': SELF_LOCK('').replace('pages);\n\tmmap_read_unlock', 'pages); /* gup-audit: ignore lock-held-for-self-locking: the caller is single-threaded */\n\tmmap_read_unlock'),
    'a/above.c': SELF_LOCK('\t/* gup-audit: ignore lock-held-for-self-locking: measured, see commit */\n'),
    'a/noreason.c': SELF_LOCK('\t/* gup-audit: ignore lock-held-for-self-locking */\n'),
    'a/otherrule.c': SELF_LOCK('\t// gup-audit: ignore prefer-unlocked: not this one\n'),
    'a/unknown.c': SELF_LOCK('\t/* gup-audit: ignore no-such-rule: typo */\n'),
    'a/twoabove.c': SELF_LOCK('\t/* gup-audit: ignore lock-held-for-self-locking: too far */\n\n'),
  };
  const d = tree(cases);
  const j = JSON.parse((await run(['.', '--format', 'json'], { cwd: d })).out);
  const byFile = Object.fromEntries(j.findings.map((f) => [f.file, f]));
  assert.deepStrictEqual(Object.keys(byFile).sort(), Object.keys(cases).sort());
  assert.deepStrictEqual(byFile['a/same.c'].suppressed, { kind: 'inSource', justification: 'the caller is single-threaded' });
  assert.deepStrictEqual(byFile['a/above.c'].suppressed, { kind: 'inSource', justification: 'measured, see commit' });
  for (const f of ['a/noreason.c', 'a/otherrule.c', 'a/unknown.c', 'a/twoabove.c']) assert.strictEqual(byFile[f].suppressed, undefined, f);
  const notes = j.notifications.map((n) => `${n.file}: ${n.message}`);
  assert.ok(notes.includes('a/noreason.c: inline suppression at line 8 not applied: a reason is required'), notes.join('\n'));
  assert.ok(notes.includes("a/unknown.c: inline suppression at line 8 not applied: unknown rule 'no-such-rule'"));
  const sarif = JSON.parse((await run(['.', '--format', 'sarif'], { cwd: d })).out);
  const inSource = sarif.runs[0].results.filter((r) => r.suppressions?.[0]?.kind === 'inSource');
  assert.strictEqual(inSource.length, 2);
  const text = await run(['.'], { cwd: d });
  assert.match(text.out, /; 2 suppressed\n$/);
  assert.ok(!text.out.includes('a/same.c'));
  // All suppressed: a clean exit.
  const clean = tree({ 'a/same.c': cases['a/same.c'], 'a/above.c': cases['a/above.c'] });
  assert.strictEqual((await run(['.'], { cwd: clean })).code, 0);
});

test('explain, --list-rules --format json, help COMMAND', async () => {
  const list = JSON.parse((await run(['--list-rules', '--format', 'json'])).out);
  const ids = fs.readdirSync(path.join(__dirname, '..', 'docs', 'rules')).filter((f) => f !== 'README.md').map((f) => f.replace(/\.md$/, '')).sort();
  assert.deepStrictEqual(list.map((r) => r.id).sort(), ids);
  for (const r of list) assert.ok(['error', 'warning', 'note'].includes(r.level) && r.short, r.id);
  const doc = await run(['explain', 'prefer-locked']);
  assert.strictEqual(doc.code, 0);
  assert.strictEqual(doc.out, fs.readFileSync(path.join(__dirname, '..', 'docs', 'rules', 'prefer-locked.md'), 'utf8'));
  const bad = await run(['explain', 'prefer-lockd']);
  assert.strictEqual(bad.code, 2);
  assert.strictEqual(bad.err, "gup-audit: error: unknown rule 'prefer-lockd' (see --list-rules)\n");
  const help = await run(['help', 'diff']);
  assert.strictEqual(help.code, 0);
  assert.match(help.out, /^Usage: gup-audit diff /);
  assert.match((await run(['help', 'explain'])).out, /^Usage: gup-audit explain \[options\] <rule>/);
});

test('progress: one bar for the whole run, never restarting at a new batch or round', () => {
  const { progressBar } = require('../dist/src/cli/progress');
  const writes = [];
  let t = 0;
  const bar = progressBar((s) => writes.push(s), () => t);
  t = 2000;
  // The scan (two batches reporting), then two call-graph rounds of extraction, the second
  // with two batches of the same size at once.
  for (const [phase, d, n] of [['scan', 256, 512], ['scan', 512, 512], ['parse', 1, 3], ['parse', 3, 3], ['parse', 1, 2], ['parse', 1, 2], ['parse', 2, 2], ['parse', 2, 2]]) {
    t += 200;
    bar.update(phase, d, n);
  }
  const counts = writes.map((w) => /\] (\d+)\/(\d+) files/.exec(w)).filter(Boolean).map((m) => [Number(m[1]), Number(m[2])]);
  assert.strictEqual(counts.length, 8);
  for (let i = 1; i < counts.length; i++) assert.ok(counts[i][0] >= counts[i - 1][0], JSON.stringify(counts));
  assert.deepStrictEqual(counts[counts.length - 1], [519, 519]);
  assert.ok(writes.every((w) => w.startsWith('\r') && !w.includes('\n')));
  bar.finish();
  assert.match(writes[writes.length - 1], /^\r +\r$/);
});

test('series: the unchanged files linked into the temporary trees are not reported as not audited', async () => {
  const d = tree({ 'drivers/x/a.c': HELPER, 'drivers/x/b.c': LOCKING_CALLER, 'drivers/x/c.c': SELF_LOCK('') });
  const git = (...args) => spawnSync('git', args, { cwd: d, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.name=T', '-c', 'user.email=t@example.org', 'add', '.');
  git('-c', 'user.name=T', '-c', 'user.email=t@example.org', 'commit', '-q', '-m', 'base');
  fs.writeFileSync(path.join(d, 'drivers/x/a.c'), HELPER.replace('FOLL_WRITE', 'FOLL_WRITE | FOLL_LONGTERM'));
  git('-c', 'user.name=T', '-c', 'user.email=t@example.org', 'commit', '-q', '-a', '-m', 'x: longterm');
  const patch = git('format-patch', '--stdout', 'HEAD~1').stdout;
  git('checkout', '-q', 'HEAD~1');
  const r = await run(['series', '--tree', '.', '--format', 'json', '-'], { cwd: d, input: patch });
  assert.ok(r.code === 0 || r.code === 1, r.err);
  const j = JSON.parse(r.out);
  assert.deepStrictEqual(j.notifications.filter((n) => /symbolic link|not audited|not followed/.test(n.message)), []);
  // The linked files were audited: c.c's finding is there on both sides.
  assert.ok(j.unchanged.some((f) => f.file === 'drivers/x/c.c'), JSON.stringify(j.unchanged.map((f) => f.file)));
  const text = await run(['series', '--tree', '.', '-'], { cwd: d, input: patch });
  assert.ok(!/skipped or not fully audited/.test(text.out), text.out);
});

test('diff --base REV with uncommitted source changes refuses and says how to gate them; git diff REV | series gates them', async () => {
  const d = tree({ 'drivers/x/a.c': HELPER });
  const id = ['-c', 'user.name=T', '-c', 'user.email=t@example.org'];
  const git = (...args) => spawnSync('git', [...id, ...args], { cwd: d, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  fs.writeFileSync(path.join(d, 'drivers/x/c.c'), SELF_LOCK(''));
  git('add', 'drivers/x/c.c');
  const r = await run(['diff', '--base', 'HEAD', '.'], { cwd: d });
  assert.strictEqual(r.code, 2);
  assert.match(r.err, /^gup-audit: error: 1 source file\(s\) have uncommitted changes \(drivers\/x\/c\.c\): diff compares commits; .*git diff HEAD \| gup-audit series --tree \. -/);
  // --head given: the commits only, as asked.
  assert.strictEqual((await run(['diff', '--base', 'HEAD', '--head', 'HEAD', '.'], { cwd: d })).code, 0);
  const s = await run(['series', '--tree', '.', '--format', 'json', '-'], { cwd: d, input: git('diff', 'HEAD').stdout });
  assert.deepStrictEqual(JSON.parse(s.out).introduced.map((f) => [f.file, f.ruleId]), [['drivers/x/c.c', 'lock-held-for-self-locking']]);
});

test('fix --format-patch: diffstat, function names in hunk headers, --signoff from git config, applies with git am', async () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-fp-'));
  fs.cpSync(DEMO, d, { recursive: true });
  const git = (...args) => spawnSync('git', args, { cwd: d, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Ann Dev');
  git('config', 'user.email', 'ann@example.org');
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  const out = path.join(d, '..', path.basename(d) + '-out');
  assert.strictEqual((await run(['fix', '.', '--format-patch', out, '--signoff'], { cwd: d })).code, 0);
  const mails = fs.readdirSync(out).sort();
  assert.ok(mails.length >= 1);
  const m = fs.readFileSync(path.join(out, mails[0]), 'utf8');
  assert.match(m, /\nSigned-off-by: Ann Dev <ann@example\.org>\n---\n (\S+) \| (\d+) \+*-*\n 1 file changed, \d+ insertions?\(\+\), \d+ deletions?\(-\)\n\ndiff --git /);
  assert.match(m, /\n@@ -\d+,\d+ \+\d+,\d+ @@ static int vicap_pin_userptr\(struct vicap_buf \*buf\)\n/);
  const [head] = m.split('\n---\n');
  for (const l of head.split('\n')) assert.ok(l.length <= 75 || /^(From|Subject|Date):/.test(l), l);
  const am = git('am', ...mails.map((f) => path.join(out, f)));
  assert.strictEqual(am.status, 0, am.stderr);
  assert.strictEqual((await run(['fix', '.', '--format-patch', path.join(out, 'again')], { cwd: d })).code, 0);
  assert.ok(!fs.existsSync(path.join(out, 'again')) || fs.readdirSync(path.join(out, 'again')).length === 0);
});
