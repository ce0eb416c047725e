'use strict';
// Robustness (issue 9, and the bad-input line of issue 2): bad command-line input ends
// with one line on stderr and exit 2; a bad file inside the tree is skipped and reported
// (text summary and JSON `notifications`) while the rest of the tree is still audited;
// nothing crashes, hangs, overflows the stack or writes to the audited tree.
//
// Every tree-based case puts the bad input next to a good file (the v6.12 fsl_hypervisor
// fixture, whose prefer-unlocked finding at line 52 must still be reported) and checks the
// exit code and that no stack trace ("    at ...") is printed.
//
// Cases that need a user whom permissions stop (unreadable files and directories, the
// read-only tree) run the CLI as nobody via setpriv or runuser (the tests run as root, and
// root reads anything); without either tool they are skipped with a message.
//
// The worker fault cases use a TEST-ONLY hook of src/parse/worker.ts:
// GUP_AUDIT_TEST_FAULT=crash|hang, GUP_AUDIT_TEST_FAULT_ON=<path substring>,
// GUP_AUDIT_TEST_FAULT_ONCE=<marker file> (only the first attempt faults).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { FIXTURES, cli, walk } = require('./helpers');

const BIN = path.join(__dirname, '..', 'bin', 'gup-audit.js');
const V612 = path.join(FIXTURES, 'v6.12');
const GOOD = 'drivers/virt/fsl_hypervisor.c';
const GOOD_KEY = `${GOOD}:52:prefer-unlocked`;

// ---------------------------------------------------------------- helpers

const tmpRoots = [];
test.after(() => {
  for (const d of tmpRoots) {
    try { spawnSync('chmod', ['-R', 'u+rwX', d]); fs.rmSync(d, { recursive: true, force: true }); } catch { /* best effort */ }
  }
});

function tmpdir() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-robust-'));
  fs.chmodSync(d, 0o755); // nobody must be able to reach the tree
  tmpRoots.push(d);
  return d;
}

/** A kernel-like tree: v6.12 Makefile, include/ and the good file. */
function goodTree() {
  const root = path.join(tmpdir(), 'tree');
  fs.mkdirSync(path.join(root, 'drivers', 'virt'), { recursive: true });
  fs.copyFileSync(path.join(V612, 'Makefile'), path.join(root, 'Makefile'));
  fs.cpSync(path.join(V612, 'include'), path.join(root, 'include'), { recursive: true });
  fs.copyFileSync(path.join(V612, GOOD), path.join(root, GOOD));
  return root;
}

function put(root, rel, content) {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

/** How to run as an unprivileged user, or null. */
const asNobody = (() => {
  const probe = (pre) => spawnSync(pre[0], [...pre.slice(1), process.execPath, '-e', 'require(process.argv[1])', path.join(__dirname, '..', 'dist', 'src', 'engine.js')], { encoding: 'utf8' }).status === 0;
  for (const pre of [['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'], ['runuser', '-u', 'nobody', '--']]) {
    try { if (probe(pre)) return pre; } catch { /* not installed */ }
  }
  return null;
})();
const NOBODY_SKIP = asNobody ? false : 'neither setpriv nor runuser can run node as nobody here: permission cases need an unprivileged user (root reads everything)';

/** The CLI in this process; as nobody (`user`), a spawned process. */
async function run(args, o = {}) {
  const t0 = Date.now();
  let r;
  if (o.user) {
    const argv = [...asNobody, process.execPath, BIN, ...args];
    r = spawnSync(argv[0], argv.slice(1), {
      encoding: 'utf8', timeout: o.timeout ?? 60000, maxBuffer: 64 << 20,
      env: { ...process.env, NO_COLOR: '1', CI: '1', ...(o.env ?? {}) },
    });
  } else {
    r = await cli(args, { env: o.env, timeout: o.timeout ?? 60000 });
  }
  r.ms = Date.now() - t0;
  assert.strictEqual(r.error, undefined, `spawn failed: ${r.error}`);
  assert.doesNotMatch(r.stderr, /^\s+at /m, `stack trace on stderr:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error/, `internal error:\n${r.stderr}`);
  return r;
}

/** Run with --format json (exit 0 or 1 expected) and parse the report. */
async function runJson(root, extra = [], o = {}) {
  const r = await run([root, '--format', 'json', '-j', '2', ...extra], o);
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}, stderr:\n${r.stderr}`);
  let j;
  try { j = JSON.parse(r.stdout); } catch (e) { assert.fail(`exit ${r.status}, stdout not JSON (${e.message}): ${r.stdout.slice(0, 300)}\nstderr: ${r.stderr}`); }
  j.keys = new Set(j.findings.map((f) => `${f.file}:${f.line}:${f.ruleId}`));
  j.status = r.status;
  j.ms = r.ms;
  return j;
}

function assertGoodAudited(j) {
  assert.ok(j.keys.has(GOOD_KEY), `the good file was not audited: ${[...j.keys].join(', ')}`);
}

function assertNote(j, file, re, level) {
  const hit = j.notifications.find((n) => n.file === file && re.test(n.message) && (!level || n.level === level));
  assert.ok(hit, `no ${level ?? ''} notification for ${file} matching ${re}: ${JSON.stringify(j.notifications)}`);
}

/** One line on stderr, exit 2. */
function assertUsageError(r, re) {
  assert.strictEqual(r.status, 2, `exit ${r.status}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.strictEqual(lines.length, 1, `more than one line: ${r.stderr}`);
  assert.match(lines[0], /^gup-audit: error: /);
  if (re) assert.match(lines[0], re);
  assert.strictEqual(r.stdout, '');
}

const GOOD_TEXT = fs.readFileSync(path.join(V612, GOOD), 'latin1');

/** A kernel-style function with a lock-only-around-GUP region (prefer-unlocked at line 9). */
function deepFunction(name, body) {
  return `#include <linux/mm.h>\n\nstatic long ${name}(unsigned long start, struct page **pages)\n{\n\tlong r;\n\tint a = 1;\n\n\tmmap_read_lock(current->mm);\n${body}\tmmap_read_unlock(current->mm);\n\treturn r;\n}\n`;
}
const GUP = 'get_user_pages(start, 1, 0, pages)';

// ---------------------------------------------------------------- command-line inputs

test('bad input: a path that does not exist -> exit 2, one line', async () => {
  assertUsageError(await run([path.join(tmpdir(), 'nope')]), /path does not exist/);
});

test('bad input: a file that is not .c/.h -> exit 2, one line', async () => {
  const root = goodTree();
  assertUsageError(await run([path.join(root, 'Makefile')]), /not a directory or a \.c\/\.h file/);
});

test('bad input: a path that is a .c file is audited', async () => {
  const root = goodTree();
  const r = await run([path.join(root, GOOD), '--format', 'json']);
  assert.strictEqual(r.status, 1);
  const j = JSON.parse(r.stdout);
  assert.deepStrictEqual(j.findings.map((f) => `${f.file}:${f.line}:${f.ruleId}`), [GOOD_KEY]);
});

// A directory without C files is an input error, not a clean pass: a CI job pointed at the
// wrong directory (or a checkout that failed) must not go green having audited nothing.
test('bad input: a directory with no C files (or all excluded) -> exit 2, one line', async () => {
  const empty = tmpdir();
  assertUsageError(await run([empty]), /no \.c or \.h files found/);
  put(empty, 'README', 'not C\n');
  put(empty, 'sub/Kconfig', 'config X\n');
  assertUsageError(await run([empty]), /no \.c or \.h files found/);
  const root = goodTree();
  assertUsageError(await run([root, '--exclude', '**/*']), /no \.c or \.h files found .*after include\/exclude/);
});

test('bad input: bad option values -> exit 2, one line, no stack', async () => {
  const root = goodTree();
  const cases = [
    [['--jobs', '0'], /--jobs: expected a positive integer/],
    [['--jobs', 'many'], /--jobs/],
    [['--fail-on', 'bogus'], /--fail-on.*bogus/],
    [['--rule', 'no-such-rule'], /unknown rule 'no-such-rule'/],
    [['--disable-rule', 'no-such-rule'], /unknown rule/],
    [['--kernel-version', 'six'], /--kernel-version: expected X\.Y/],
    [['--max-file-size', '-1'], /--max-file-size/],
    [['--file-timeout', '0'], /--file-timeout/],
    [['--call-depth', 'x'], /--call-depth/],
    [['--format', 'xml'], /--format.*xml/],
    [['--no-such-option'], /unknown option/],
    [['-o', path.join(root, 'no', 'such', 'dir', 'out.json'), '--format', 'json'], /--output: directory does not exist/],
  ];
  for (const [args, re] of cases) assertUsageError(await run([root, ...args]), re);
});

test('bad input: no path at all -> exit 2, one line', async () => {
  assertUsageError(await run([]), /no path given/);
});

test('a reader that goes away (| head): no stack trace, the exit code is the audit\'s', () => {
  const root = goodTree();
  const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" "${root}" -j 2 --format sarif | head -c 10 >/dev/null`], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.strictEqual(r.status, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /^\s+at |EPIPE/m);
});

// ---------------------------------------------------------------- bad files inside the tree

test('unreadable file and directory inside the tree: skipped and reported, rest audited', { skip: NOBODY_SKIP }, async () => {
  const root = goodTree();
  put(root, 'drivers/secret/hidden.c', GOOD_TEXT);
  put(root, 'drivers/misc/locked.c', GOOD_TEXT);
  fs.chmodSync(path.join(root, 'drivers/secret'), 0o000);
  fs.chmodSync(path.join(root, 'drivers/misc/locked.c'), 0o000);
  for (const extra of [[], ['--exclude', 'nothing/**']]) { // both discovery paths
    const j = await runJson(root, extra, { user: true });
    assert.strictEqual(j.status, 1);
    assertGoodAudited(j);
    assertNote(j, 'drivers/secret', /directory not read: EACCES/, 'warning');
    assertNote(j, 'drivers/misc/locked.c', /skipped: cannot read: EACCES/, 'warning');
    assert.strictEqual(j.findings.length, 1);
  }
  // The same file or directory given on the command line is the command's own input.
  assertUsageError(await run([path.join(root, 'drivers/misc/locked.c')], { user: true }), /cannot read .*EACCES/);
  assertUsageError(await run([path.join(root, 'drivers/secret')], { user: true }), /cannot read directory .*EACCES/);
});

test('symbolic links: loops and links out of the tree are not followed, and are reported', async () => {
  const root = goodTree();
  const outside = path.join(path.dirname(root), 'outside');
  put(outside, 'evil.c', GOOD_TEXT); // would give a finding if it were followed
  fs.mkdirSync(path.join(root, 'drivers/links'));
  const ln = (target, name) => fs.symlinkSync(target, path.join(root, 'drivers/links', name));
  ln('.', 'self');                        // a directory loop
  ln('loop-b', 'loop-a'); ln('loop-a', 'loop-b'); // a link loop
  ln('../../../outside', 'outdir');       // a directory out of the tree
  ln('../../../outside/evil.c', 'out.c'); // a C file out of the tree
  ln('../virt/fsl_hypervisor.c', 'in.c'); // a C file inside the tree (audited there)
  ln('missing.c', 'dangling.c');
  for (const extra of [[], ['--exclude', 'nothing/**']]) {
    const j = await runJson(root, extra);
    assertGoodAudited(j);
    assert.deepStrictEqual([...j.keys], [GOOD_KEY], 'a link was followed');
    assertNote(j, 'drivers/links/loop-a', /symbolic link loop/, 'warning');
    assertNote(j, 'drivers/links/loop-b', /symbolic link loop/, 'warning');
    assertNote(j, 'drivers/links/self', /enclosing directory \(a loop\), not followed/);
    assertNote(j, 'drivers/links/outdir', /directory out of the audited tree, not followed/, 'warning');
    assertNote(j, 'drivers/links/out.c', /out of the audited tree, not followed/, 'warning');
    assertNote(j, 'drivers/links/in.c', /inside the audited tree/, 'note');
    assertNote(j, 'drivers/links/dangling.c', /not followed.*ENOENT/, 'warning');
  }
});

test('binary file named .c: skipped and reported', async () => {
  const root = goodTree();
  // An object file saved as .c: NUL bytes around symbol names the token scan selects.
  const obj = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]), Buffer.from('pin_user_pages\0mmap_read_lock\0get_user_pages_fast\0'), Buffer.alloc(64, 0)]);
  put(root, 'drivers/misc/blob.c', obj);
  const j = await runJson(root);
  assert.strictEqual(j.status, 1);
  assertGoodAudited(j);
  assertNote(j, 'drivers/misc/blob.c', /skipped: binary file/, 'warning');
});

test('non-UTF-8 (Latin-1) file: audited, with a note', async () => {
  const root = goodTree();
  put(root, 'drivers/misc/latin1.c', Buffer.concat([Buffer.from('/* (c) J\xf6rg M\xfcller, Fran\xe7ois \xa9 */\n', 'latin1'), Buffer.from(GOOD_TEXT, 'latin1')]));
  const j = await runJson(root);
  assertGoodAudited(j);
  assert.ok(j.keys.has('drivers/misc/latin1.c:53:prefer-unlocked'), [...j.keys].join(', '));
  assertNote(j, 'drivers/misc/latin1.c', /not valid UTF-8: read as Latin-1/, 'note');
});

test('CRLF file: the same findings at the same lines and columns', async () => {
  const root = goodTree();
  put(root, 'drivers/misc/crlf.c', GOOD_TEXT.replace(/\n/g, '\r\n'));
  const j = await runJson(root);
  const at = (file) => j.findings.filter((f) => f.file === file).map((f) => [f.ruleId, f.line, f.column, f.endLine, f.endColumn, f.related.map((r) => [r.role, r.line, r.column])]);
  assert.ok(at(GOOD).length === 1);
  assert.deepStrictEqual(at('drivers/misc/crlf.c'), at(GOOD));
  const text = (await run([root, '-j', '2'])).stdout;
  assert.doesNotMatch(text, /\r/, 'a carriage return leaked into the text report');
});

test('10 MB generated header: not a candidate (fast), and parsed without trouble when forced', async () => {
  const root = goodTree();
  const lines = ['/* generated register offsets */', '#ifndef _REGS_H', '#define _REGS_H'];
  let size = 0;
  for (let i = 0; size < 10 * 1024 * 1024; i++) {
    const l = `#define mmREG_${i}_OFFSET 0x${i.toString(16)}\n#define mmREG_${i}__FIELD_MASK 0x${(i * 7).toString(16)}L`;
    lines.push(l);
    size += l.length + 1;
  }
  lines.push('#endif');
  put(root, 'drivers/gpu/amd/regs_sh_mask.h', lines.join('\n') + '\n');
  const j = await runJson(root);
  assertGoodAudited(j);
  assert.ok(j.stats.candidateFiles < j.stats.filesDiscovered);
  assert.deepStrictEqual(j.notifications.filter((n) => /regs_sh_mask/.test(n.file ?? '')), []);
  assert.ok(j.ms < 20000, `${j.ms} ms`);
  const k = await runJson(root, ['--no-prefilter']);
  assertGoodAudited(k);
  assert.deepStrictEqual(k.notifications.filter((n) => /regs_sh_mask/.test(n.file ?? '')), []);
});

test('pathological 50 MB .c file: skipped by the size cap (configurable), reported', async () => {
  const root = goodTree();
  fs.mkdirSync(path.join(root, 'drivers/misc'));
  const fd = fs.openSync(path.join(root, 'drivers/misc/huge.c'), 'w');
  const line = `static int v_mmap_lock_${'x'.repeat(60)};\n`; // has a prefilter token
  const chunk = line.repeat(Math.ceil((1 << 20) / line.length));
  for (let i = 0; i < 50; i++) fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  const j = await runJson(root);
  assertGoodAudited(j);
  assertNote(j, 'drivers/misc/huge.c', /skipped: larger than the size limit \(\d+ > 16777216 bytes\)/, 'warning');
  // The cap is configurable: a smaller one skips the good file too.
  const k = await runJson(root, ['--max-file-size', '1000']);
  assert.strictEqual(k.status, 0);
  assertNote(k, GOOD, /larger than the size limit \(\d+ > 1000 bytes\)/, 'warning');
});

test('deeply nested expressions and blocks (5,000 levels): no stack overflow, cut-off reported', async () => {
  const root = goodTree();
  const n = 5000;
  const cases = {
    paren: `\tr = ${'('.repeat(n)}${GUP}${')'.repeat(n)};\n`,
    binop: `\tr = ${GUP}${' + a'.repeat(n)};\n`,
    rbinop: `\tr = ${'a + ('.repeat(n)}${GUP}${')'.repeat(n)};\n`,
    unary: `\tr = ${'!'.repeat(n)}${GUP};\n`,
    neg: `\tr = ${'- '.repeat(n)}${GUP};\n`,
    cast: `\tr = ${'(long)'.repeat(n)}${GUP};\n`,
    ternary: `\tr = ${'a ? 1 : '.repeat(n)}${GUP};\n`,
    field: `\tr = ${GUP.replace('start', `s${'->x'.repeat(n)}`)};\n`,
    index: `\tr = ${GUP.replace('start', `s${'[0]'.repeat(n)}`)};\n`,
    calls: `\tr = ${'f('.repeat(n)}${GUP}${')'.repeat(n)};\n`,
    blocks: `\t${'{'.repeat(n)}r = ${GUP};${'}'.repeat(n)}\n`,
    ifs: `\t${'if (a) '.repeat(n)}r = ${GUP};\n`,
    whiles: `\t${'while (a) '.repeat(n)}r = ${GUP};\n`,
  };
  let elseif = `\tif (a == 0)\n\t\tr = ${GUP};\n`;
  for (let i = 1; i < 5000; i++) elseif += `\telse if (a == ${i})\n\t\tr = ${i};\n`;
  cases.elseif = elseif;
  for (const [k, body] of Object.entries(cases)) put(root, `drivers/deep/${k}.c`, deepFunction(`deep_${k}`, body));
  const j = await runJson(root, [], { timeout: 120000 });
  assertGoodAudited(j);
  for (const k of Object.keys(cases)) {
    const file = `drivers/deep/${k}.c`;
    if (k === 'elseif') {
      // else-if chains are followed iteratively: no cut-off, the full analysis.
      assert.deepStrictEqual(j.notifications.filter((x) => x.file === file), []);
    } else {
      assertNote(j, file, new RegExp(`deep_${k}\\(\\) not fully analysed: (expressions|statements) nested deeper than 256 levels`), 'warning');
    }
    // The GUP call is kept past the cut-off (calls of the deep part are analysed in order).
    // Not prefer-unlocked cases: 5,000 other calls under the lock (f() nesting), or the
    // GUP call in a loop (whiles).
    if (k !== 'calls' && k !== 'whiles') assert.ok(j.keys.has(`${file}:${k === 'elseif' ? 10 : 9}:prefer-unlocked`), `${k}: ${[...j.keys].join(', ')}`);
  }
});

test('code tree-sitter cannot parse: audited by error recovery, unseen GUP calls reported', async () => {
  const root = goodTree();
  put(root, 'drivers/misc/broken.c', [
    '#include <linux/mm.h>', '', 'long broken_pin(unsigned long start, struct page **pages)', '{', '\tlong r;', '',
    '\tmmap_read_lock(current->mm);', '\tr = get_user_pages(start, 1, 0, pages)  @@ ## )) }} {{ ;; ((', '\tif (r < 0 ++ -- ]] [[',
    '\t\tgoto out; ) ) )', '\tr = (((((get_user_pages(start + 1, 1, FOLL_WRITE pages;', '\tmmap_read_unlock(current->mm)', 'out',
    '\treturn r <<>> ;', '}', '',
  ].join('\n'));
  // Nothing C-like at all, around GUP tokens and column-0 braces.
  put(root, 'drivers/misc/soup.c', '{{{{ ))) ((( get_user_pages( mmap_read_lock(\n{\n)))}}}\n}\n#if\n{\n get_user_pages(1,2,3,4) ;;;; @@@ $$$\n}\n');
  // Two functions on one line: the second one's body is not cut, and its call is said so.
  put(root, 'drivers/misc/twoline.c', '#include <linux/mm.h>\nint tl_a(void) { return 0; } int tl_b(unsigned long u, struct page **p) { return get_user_pages_fast(u, 1, 0, p); }\n');
  const j = await runJson(root);
  assertGoodAudited(j);
  assertNote(j, 'drivers/misc/broken.c', /get_user_pages\(\) at line 11 not analysed: the parser did not see a call/, 'warning');
  assertNote(j, 'drivers/misc/twoline.c', /get_user_pages_fast\(\) at line 2 not analysed: it is in no function body the tool could find/, 'warning');
});

// ---------------------------------------------------------------- time limits, worker faults

/** A real input that is slow to parse: one function of 40,000 guarded GUP calls (2.7 MB). */
function slowFile() {
  let s = '#include <linux/mm.h>\n\nstatic long big(unsigned long start, struct page **pages)\n{\n\tlong r = 0;\n\n\tmmap_read_lock(current->mm);\n';
  for (let i = 0; i < 40000; i++) s += `\tif (r == ${i})\n\t\tr += get_user_pages(start + ${i}, 1, 0, pages);\n`;
  return s + '\tmmap_read_unlock(current->mm);\n\treturn r;\n}\n';
}

test('per-file time limit (--file-timeout): a slow file is retried once, then reported; the audit completes', async () => {
  const root = goodTree();
  put(root, 'drivers/misc/slow.c', slowFile());
  const j = await runJson(root, ['--file-timeout', '300']);
  assertGoodAudited(j);
  assertNote(j, 'drivers/misc/slow.c', /not parsed: timed out after 300 ms.*\(tried twice\)/, 'error');
  assert.ok(j.ms < 15000, `${j.ms} ms`);
});

test('a worker that crashes on a file is replaced; the file is retried once, then reported', async () => {
  const root = goodTree();
  put(root, 'drivers/misc/crashme.c', GOOD_TEXT);
  const env = { GUP_AUDIT_TEST_FAULT: 'crash', GUP_AUDIT_TEST_FAULT_ON: 'crashme' };
  const j = await runJson(root, [], { env });
  assertGoodAudited(j);
  assertNote(j, 'drivers/misc/crashme.c', /not parsed: worker exited with code 70 \(tried twice\)/, 'error');
  // A crash on the first attempt only: the retry succeeds and nothing is lost.
  const marker = path.join(tmpdir(), 'crashed-once');
  const k = await runJson(root, [], { env: { ...env, GUP_AUDIT_TEST_FAULT_ONCE: marker } });
  assert.ok(fs.existsSync(marker), 'the fault hook did not fire');
  assertGoodAudited(k);
  assert.ok(k.keys.has('drivers/misc/crashme.c:52:prefer-unlocked'));
  assert.deepStrictEqual(k.notifications, []);
});

test('a worker that crashes on a scan batch: every file of the batch is named as not scanned', async () => {
  const root = goodTree();
  put(root, 'drivers/misc/crashme.c', GOOD_TEXT);
  const j = await runJson(root, [], { env: { GUP_AUDIT_TEST_FAULT: 'crash', GUP_AUDIT_TEST_FAULT_ON: 'crashme', GUP_AUDIT_TEST_FAULT_TASK: 'scan' } });
  // Every file of the failed batch is named; the other batches are audited.
  const named = new Set(j.notifications.filter((n) => n.level === 'error' && /not scanned \(prefilter\): worker exited with code 70 \(tried twice\)/.test(n.message)).map((n) => n.file));
  const all = new Set(walk(root).map((f) => path.relative(root, f)));
  assert.ok(named.has('drivers/misc/crashme.c'));
  for (const f of named) assert.ok(all.has(f), f);
  assert.ok(named.size > 1, 'only the faulting file was named, not its batch');
  assert.ok(named.has(GOOD) !== j.keys.has(GOOD_KEY), 'the good file is either audited or named');
});

test('a worker that hangs (ignores its time limit) is terminated and replaced; the audit completes', async () => {
  const root = goodTree();
  put(root, 'drivers/misc/hangme.c', GOOD_TEXT);
  const j = await runJson(root, ['--file-timeout', '300'], { env: { GUP_AUDIT_TEST_FAULT: 'hang', GUP_AUDIT_TEST_FAULT_ON: 'hangme' } });
  assertGoodAudited(j);
  assertNote(j, 'drivers/misc/hangme.c', /not parsed: worker did not answer within 1600 ms.*\(tried twice\)/, 'error');
  assert.ok(j.ms < 15000, `${j.ms} ms`);
});

// ---------------------------------------------------------------- reporting of skips

test('every skipped file is in JSON notifications, in the text summary, and in SARIF', async () => {
  const root = goodTree();
  put(root, 'drivers/misc/blob.c', Buffer.from('pin_user_pages\0\0\0'));
  put(root, 'drivers/misc/crashme.c', GOOD_TEXT);
  put(root, 'drivers/misc/latin1.c', Buffer.from('/* M\xfcller */\n' + GOOD_TEXT, 'latin1'));
  put(root, 'drivers/deep/paren.c', deepFunction('deep_paren', `\tr = ${'('.repeat(1000)}${GUP}${')'.repeat(1000)};\n`));
  fs.symlinkSync('../../../outside.c', path.join(root, 'drivers/misc/out.c'));
  const env = { GUP_AUDIT_TEST_FAULT: 'crash', GUP_AUDIT_TEST_FAULT_ON: 'crashme' };
  const j = await runJson(root, [], { env });
  const skips = j.notifications.filter((n) => n.level !== 'note');
  assert.deepStrictEqual(skips.map((n) => n.file).sort(), ['drivers/deep/paren.c', 'drivers/misc/blob.c', 'drivers/misc/crashme.c', 'drivers/misc/out.c']);
  assertNote(j, 'drivers/misc/latin1.c', /Latin-1/, 'note');
  const tr = await run([root, '-j', '2'], { env });
  assert.strictEqual(tr.status, 1, tr.stderr);
  const text = tr.stdout;
  assert.match(text, /4 file\(s\) skipped or not fully audited:/);
  for (const n of skips) assert.ok(text.includes(`  ${n.file}: ${n.message}`), `text summary lacks ${n.file}: ${n.message}\n${text}`);
  assert.match(text, /notes: 1 x not valid UTF-8: read as Latin-1/);
  const sr = await run([root, '-j', '2', '--format', 'sarif'], { env });
  assert.strictEqual(sr.status, 1, sr.stderr);
  const sarif = JSON.parse(sr.stdout);
  const inv = sarif.runs[0].invocations[0];
  const sarifText = JSON.stringify(inv.toolExecutionNotifications);
  for (const n of j.notifications) assert.ok(sarifText.includes(n.file), `SARIF lacks ${n.file}`);
});

// ---------------------------------------------------------------- the tree is never written

function snapshot(root) {
  const out = {};
  const visit = (p) => {
    const st = fs.lstatSync(p);
    const rel = path.relative(root, p) || '.';
    const e = { mode: st.mode, mtimeMs: st.mtimeMs, size: st.size };
    if (st.isDirectory()) { e.entries = fs.readdirSync(p).sort(); for (const c of e.entries) visit(path.join(p, c)); }
    else if (st.isSymbolicLink()) e.link = fs.readlinkSync(p);
    else e.content = fs.readFileSync(p).toString('base64');
    out[rel] = e;
  };
  visit(root);
  return out;
}

test('the audited tree is never written: a read-only copy is unchanged (content, mtimes, entries)', async () => {
  const root = path.join(tmpdir(), 'ro');
  fs.cpSync(V612, root, { recursive: true });
  put(root, 'drivers/misc/latin1.c', Buffer.from('/* M\xfcller */\n' + GOOD_TEXT, 'latin1'));
  put(root, 'drivers/misc/blob.c', Buffer.from('pin_user_pages\0\0\0'));
  fs.symlinkSync('.', path.join(root, 'drivers/loop'));
  spawnSync('chmod', ['-R', 'a-w', root]);
  const before = snapshot(root);
  const out = path.join(tmpdir(), 'report.json');
  const runs = [['--stats'], ['--format', 'sarif'], ['--format', 'json', '-o', out, '--no-prefilter']];
  for (const args of runs) {
    const r = await run([root, '-j', '2', ...args]);
    assert.strictEqual(r.status, 1, r.stderr);
  }
  if (asNobody) {
    fs.chmodSync(path.dirname(out), 0o777);
    const r = await run([root, '-j', '2', '--format', 'json'], { user: true });
    assert.strictEqual(r.status, 1, r.stderr);
  }
  assert.deepStrictEqual(snapshot(root), before);
});

// The fuzz test (mutated fixtures, random files) is in test/fuzz.test.js.
