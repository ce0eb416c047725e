'use strict';
// Hostile input (issue 14): the writer never follows a planted link nor replaces what it
// should not; `fix --write` checks every span it edits, writes all files or none, respects
// read-only files and the configuration. Every victim lives in a temporary directory.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { FIXTURES, cli } = require('./helpers');
const { prepareWrite, writeOutput } = require('../dist/src/output');
const { runFix } = require('../dist/src/fix/command');
const { UsageError } = require('../dist/src/errors');

const BIN = path.join(__dirname, '..', 'bin', 'gup-audit.js');
const V612 = path.join(FIXTURES, 'v6.12');
const GOOD = 'drivers/virt/fsl_hypervisor.c';

const tmpRoots = [];
test.after(() => { for (const d of tmpRoots) fs.rmSync(d, { recursive: true, force: true }); });
function tmpdir() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-hostile-'));
  tmpRoots.push(d);
  return d;
}

/** A v6.12 tree with the prefer-unlocked fixture at `n` places (one fix each). */
function fixTree(n = 1) {
  const root = path.join(tmpdir(), 'tree');
  fs.mkdirSync(root);
  fs.copyFileSync(path.join(V612, 'Makefile'), path.join(root, 'Makefile'));
  fs.cpSync(path.join(V612, 'include'), path.join(root, 'include'), { recursive: true });
  const files = [];
  for (let i = 0; i < n; i++) {
    const rel = `drivers/d${i}/fsl_hypervisor.c`;
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.copyFileSync(path.join(V612, GOOD), path.join(root, rel));
    files.push(rel);
  }
  return { root, files };
}

async function run(args, opts = {}) {
  const r = await cli(args, opts);
  assert.doesNotMatch(r.stderr, /^\s+at /m, `stack trace printed:\n${r.stderr}`);
  return r;
}

function assertExit2(r, re) {
  assert.strictEqual(r.status, 2, `exit ${r.status}\nstderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.strictEqual(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0], re);
}

// ---------------------------------------------------------------- the writer

test('writer: links planted at guessable temporary names are never followed', () => {
  const dir = tmpdir();
  const victim = path.join(dir, 'victim');
  fs.writeFileSync(victim, 'precious\n');
  const out = path.join(dir, 'report.json');
  // Every name the old writers used, for this process.
  for (const n of [`.report.json.${process.pid}.tmp`, `.report.json.gup-audit.${process.pid}.tmp`]) fs.symlinkSync(victim, path.join(dir, n));
  writeOutput(out, 'new\n');
  assert.strictEqual(fs.readFileSync(victim, 'utf8'), 'precious\n');
  assert.ok(fs.lstatSync(out).isFile() && fs.readFileSync(out, 'utf8') === 'new\n');
  // The temporary name is unpredictable: two writes prepared at once use two names.
  const a = prepareWrite(out, 'a', '--output'), b = prepareWrite(out, 'b', '--output');
  const temps = fs.readdirSync(dir).filter((n) => /^\.report\.json\.[0-9a-f]{24}\.tmp$/.test(n));
  assert.strictEqual(temps.length, 2, temps.join(' '));
  a.abort(); b.commit();
  assert.strictEqual(fs.readFileSync(out, 'utf8'), 'b');
  assert.deepStrictEqual(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp') && !n.includes(String(process.pid))), []);
});

test('writer: -o onto a dangling link, a 0444 file, newdir/ or an empty name is exit 2 and replaces nothing', async () => {
  const { root } = fixTree();
  const dir = tmpdir();
  const dangling = path.join(dir, 'dangling.json');
  fs.symlinkSync(path.join(dir, 'nowhere', 'x.json'), dangling);
  const ro = path.join(dir, 'ro.json');
  fs.writeFileSync(ro, 'keep\n');
  fs.chmodSync(ro, 0o444);
  const cases = [
    [dangling, /dangling symbolic link/],
    [ro, /read-only/],
    [path.join(dir, 'newdir') + '/', /names a directory/],
    ['', /empty file name/],
    [path.join(dir, 'no', 'such', 'dir', 'r.json'), /directory does not exist/],
  ];
  for (const [o, re] of cases) assertExit2(await run([root, '-f', 'json', '-o', o, '--fail-on', 'none']), re);
  assert.ok(fs.lstatSync(dangling).isSymbolicLink());
  assert.ok(!fs.existsSync(path.join(dir, 'nowhere')));
  assert.strictEqual(fs.readFileSync(ro, 'utf8'), 'keep\n');
  assert.ok(!fs.existsSync(path.join(dir, 'newdir')));
  // A link to a regular file the user named: the file it points to gets the report, the
  // link stays a link.
  const real = path.join(dir, 'real.json');
  fs.writeFileSync(real, 'old');
  fs.symlinkSync(real, path.join(dir, 'link.json'));
  assert.strictEqual((await run([root, '-f', 'json', '-o', path.join(dir, 'link.json'), '--fail-on', 'none'])).status, 0);
  assert.ok(fs.lstatSync(path.join(dir, 'link.json')).isSymbolicLink());
  assert.match(fs.readFileSync(real, 'utf8'), /"schemaVersion"/);
});

test('writer: a FIFO is written in place, not replaced', { skip: process.platform === 'win32' }, async () => {
  const { root } = fixTree();
  const fifo = path.join(tmpdir(), 'pipe');
  assert.strictEqual(spawnSync('mkfifo', [fifo]).status, 0);
  // A reader in the background drains the FIFO into a file.
  const got = fifo + '.out';
  const reader = require('child_process').spawn('sh', ['-c', `cat "${fifo}" > "${got}"`]);
  const r = await run([root, '-f', 'json', '-o', fifo, '--fail-on', 'none']);
  assert.strictEqual(r.status, 0, r.stderr);
  return new Promise((resolve) => reader.on('exit', () => {
    assert.ok(fs.lstatSync(fifo).isFIFO());
    assert.match(fs.readFileSync(got, 'utf8'), /"schemaVersion"/);
    resolve();
  }));
});

// ---------------------------------------------------------------- fix --write

test('fix --write: a link at the old temporary name cannot redirect the write; the source stays a regular file', async () => {
  const { root, files } = fixTree();
  const victim = path.join(tmpdir(), 'victim.c');
  fs.writeFileSync(victim, 'outside\n');
  const abs = path.join(root, files[0]);
  for (let pid = process.pid - 5; pid < process.pid + 200; pid++) fs.symlinkSync(victim, path.join(path.dirname(abs), `.fsl_hypervisor.c.gup-audit.${pid}.tmp`));
  const { plan } = await runFix([root], { write: true, jobs: 1 });
  assert.strictEqual(plan.files.length, 1);
  assert.strictEqual(fs.readFileSync(victim, 'utf8'), 'outside\n');
  assert.ok(fs.lstatSync(abs).isFile());
  assert.match(fs.readFileSync(abs, 'latin1'), /pin_user_pages_unlocked\(/);
});

test('fix: an edit of the call, acquire or release line between analysis and writing is detected', async () => {
  const { planFinding } = require('../dist/src/fix/fix');
  const { root, files } = fixTree(1);
  const { auditTree } = require('./helpers');
  const res = await auditTree(root, { only: ['prefer-unlocked'] });
  const finding = res.findings.find((f) => f.file === files[0]);
  assert.ok(finding && finding.rewrite.dropText.length === 2, 'the finding carries the analysed lock/unlock texts');
  const text = fs.readFileSync(path.join(root, files[0]), 'latin1');
  assert.ok(Array.isArray(planFinding(finding, text)), 'the unchanged file is fixed');
  const lines = text.split('\n');
  const [lock, unlock] = finding.rewrite.drop.map((d) => d.line);
  // The release moved one line down (a line inserted before it): the old span no longer
  // holds the unlock, whose statement would otherwise survive after the _unlocked() call.
  const moved = [...lines];
  moved.splice(unlock - 1, 0, '\tpr_debug("x");');
  assert.match(planFinding(finding, moved.join('\n')), /changed since it was analysed \(line \d+ no longer holds mmap_read_unlock/);
  const acq = [...lines];
  acq[lock - 1] = acq[lock - 1].replace('mmap_read_lock', 'mmap_write_lock');
  assert.match(planFinding(finding, acq.join('\n')), /changed since it was analysed/);
  const call = [...lines];
  call[finding.span.line - 1] = call[finding.span.line - 1].replace('lb_offset', 'lb_offset2');
  assert.match(planFinding(finding, call.join('\n')), /changed since it was analysed \(the call\)/);
});

test('fix --write: all files or none; the message names the file that stopped it', async () => {
  const { root, files } = fixTree(4);
  const before = files.map((f) => fs.readFileSync(path.join(root, f), 'latin1'));
  fs.chmodSync(path.join(root, files[2]), 0o444);
  await assert.rejects(runFix([root], { write: true, jobs: 1 }), (e) => e instanceof UsageError && e.message.includes(files[2]) && /no file was written/.test(e.message));
  files.forEach((f, i) => assert.strictEqual(fs.readFileSync(path.join(root, f), 'latin1'), before[i], `${f} unchanged`));
  assert.deepStrictEqual(fs.readdirSync(path.join(root, 'drivers', 'd0')), ['fsl_hypervisor.c'], 'no temporary file left');
  // Through the CLI: exit 2, one line.
  assertExit2(await run(['fix', '--write', root]), /d2\/fsl_hypervisor\.c.*read-only/);
});

test('fix --write: a source reached through a symbolic link is not rewritten', async () => {
  const { root, files } = fixTree(1);
  const outside = path.join(tmpdir(), 'outside.c');
  fs.copyFileSync(path.join(root, files[0]), outside);
  const before = fs.readFileSync(outside, 'latin1');
  const abs = path.join(root, files[0]);
  fs.rmSync(abs);
  fs.symlinkSync(outside, abs);
  // Named explicitly, the linked file is audited, but fix refuses to write through it.
  await assert.rejects(runFix([root, abs], { write: true, jobs: 1 }), (e) => e instanceof UsageError && /fsl_hypervisor\.c: not a regular file/.test(e.message));
  assert.strictEqual(fs.readFileSync(outside, 'latin1'), before);
  assert.ok(fs.lstatSync(abs).isSymbolicLink());
  // A linked directory on the way: the real path is outside the tree.
  const { root: r2, files: f2 } = fixTree(1);
  const outDir = path.join(tmpdir(), 'outdir');
  fs.cpSync(path.dirname(path.join(r2, f2[0])), outDir, { recursive: true });
  fs.rmSync(path.join(r2, 'drivers', 'd0'), { recursive: true });
  fs.symlinkSync(outDir, path.join(r2, 'drivers', 'd0'));
  await assert.rejects(runFix([r2, path.join(r2, f2[0])], { write: true, jobs: 1 }), (e) => e instanceof UsageError && /resolves outside the tree/.test(e.message));
  assert.strictEqual(fs.readFileSync(path.join(outDir, 'fsl_hypervisor.c'), 'latin1'), before);
});

test('fix --write honours .gup-audit.json and --config: excluded files are not rewritten', async () => {
  const { root, files } = fixTree(2);
  const before = fs.readFileSync(path.join(root, files[1]), 'latin1');
  fs.writeFileSync(path.join(root, '.gup-audit.json'), JSON.stringify({ exclude: ['drivers/d1/**'] }));
  const { plan } = await runFix([root], { write: true, jobs: 1 });
  assert.deepStrictEqual(plan.files.map((f) => f.file), [files[0]]);
  assert.strictEqual(fs.readFileSync(path.join(root, files[1]), 'latin1'), before);
  const cfg = path.join(tmpdir(), 'cfg.json');
  fs.writeFileSync(cfg, JSON.stringify({ include: ['drivers/d0/**'] }));
  const { plan: p2 } = await runFix([root], { jobs: 1, config: cfg });
  assert.deepStrictEqual(p2.files.map((f) => f.file), [], 'd0 already fixed, d1 not included');
});

// ---------------------------------------------------------------- config include/exclude

test('config: include is honoured by the plain audit; exclude is relative to the tree root, whatever path is audited', async () => {
  const { root, files } = fixTree(2);
  const found = async (args) => {
    const r = await run([...args, '-f', 'json', '--fail-on', 'none']);
    assert.strictEqual(r.status, 0, r.stderr);
    return [...new Set(JSON.parse(r.stdout).findings.map((f) => f.file))].sort();
  };
  assert.deepStrictEqual(await found([root]), files);
  fs.writeFileSync(path.join(root, '.gup-audit.json'), JSON.stringify({ include: ['drivers/d1/**'] }));
  assert.deepStrictEqual(await found([root]), [files[1]], 'include honoured');
  fs.writeFileSync(path.join(root, '.gup-audit.json'), JSON.stringify({ exclude: ['drivers/d1'] }));
  assert.deepStrictEqual(await found([root]), [files[0]], 'exclude, whole tree');
  assert.deepStrictEqual(await found([path.join(root, 'drivers')]), [files[0]], 'exclude, a subdirectory audited: still relative to the root');
  fs.rmSync(path.join(root, '.gup-audit.json'));
  assert.deepStrictEqual(await found([path.join(root, 'drivers'), '--exclude', 'drivers/d0/**']), [files[1]], '--exclude relative to the root');
  assert.deepStrictEqual(await found([path.join(root, 'drivers'), '--exclude', 'd0/*.c']), files, 'a path relative to the audited directory is not the meaning');
});

// ---------------------------------------------------------------- the cache

function cacheFiles(dir, sub) {
  const out = [];
  const walkDir = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walkDir(p); else out.push(p); } };
  walkDir(path.join(dir, 'v1', sub));
  return out;
}

test('cache: entries that decode but fail their integrity check are dropped with a note; the result is the cold one', async () => {
  const { root } = fixTree(2);
  const cache = path.join(tmpdir(), 'cache');
  const audit = async (env = {}) => {
    const r = await run([root, '-f', 'json', '--cache', cache], { env: { ...process.env, ...env } });
    assert.notStrictEqual(r.status, 2, r.stderr);
    const j = JSON.parse(r.stdout);
    return { status: r.status, findings: j.findings.map((f) => `${f.file}:${f.line}:${f.ruleId}`), notes: j.notifications.map((n) => n.message) };
  };
  const cold = await audit();
  assert.ok(cold.findings.length >= 2);
  const facts = cacheFiles(cache, 'facts');
  assert.ok(facts.length >= 3, `${facts.length} fact entries`);
  // 1. Entries of `{}` (decodable, no seal) and 2. another file's sealed entry copied over
  // an entry (a valid seal for another key): per-file entries are read (no whole result).
  const v8 = require('v8');
  // facts[0] gets `{}`; every other entry gets the next one's sealed bytes (valid for
  // another key), the last one facts[1]'s.
  const sealed = facts.map((f) => fs.readFileSync(f));
  fs.writeFileSync(facts[0], v8.serialize({}));
  for (let i = 1; i < facts.length; i++) fs.writeFileSync(facts[i], sealed[i + 1 < facts.length ? i + 1 : 1]);
  const noResult = { GUP_AUDIT_CACHE_RESULT: '0' };
  const warm = await audit(noResult);
  assert.deepStrictEqual(warm.findings, cold.findings);
  assert.strictEqual(warm.status, cold.status);
  assert.ok(warm.notes.some((m) => /cache: the entry .* failed its integrity check: dropped/.test(m)), warm.notes.join('\n'));
  assert.ok(!warm.notes.some((m) => /not parsed/.test(m)));
  const again = await audit(noResult);
  assert.deepStrictEqual(again.findings, cold.findings);
  assert.ok(!again.notes.some((m) => /integrity/.test(m)), 'bad entries were replaced');
  // 3. The tree index (it also holds the last whole result): one flipped byte in its
  // sealed part (after 'gup-audit index 1\n' and the part's length).
  const [index] = cacheFiles(cache, 'trees').filter((f) => f.endsWith('.v8'));
  const buf = fs.readFileSync(index);
  buf[22 + buf.readUInt32BE(18) - 9] ^= 0xff;
  fs.writeFileSync(index, buf);
  const afterIndex = await audit();
  assert.deepStrictEqual(afterIndex.findings, cold.findings);
  assert.ok(afterIndex.notes.some((m) => /cache: the index .* failed its integrity check: dropped/.test(m)), afterIndex.notes.join('\n'));
  // 4. A flipped byte in the index's raw call hashes (read only by a run that needs them):
  // the files count as unindexed (their calls looked for by name), with a note.
  const past = new Date(Date.now() - 3600 * 1000);
  const walkUtimes = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walkUtimes(p); else fs.utimesSync(p, past, past); } };
  walkUtimes(root);
  fs.rmSync(cache, { recursive: true, force: true });
  assert.deepStrictEqual((await audit()).findings, cold.findings);
  const [index2] = cacheFiles(cache, 'trees').filter((f) => f.endsWith('.v8'));
  const buf2 = fs.readFileSync(index2);
  const rawAt = 22 + buf2.readUInt32BE(18);
  assert.ok(buf2.length - rawAt >= 8, 'the index has call hashes');
  buf2[buf2.length - 2] ^= 0xff;
  fs.writeFileSync(index2, buf2);
  const afterRaw = await audit(noResult);
  assert.deepStrictEqual(afterRaw.findings, cold.findings);
  assert.ok(afterRaw.notes.some((m) => /cache: the call index in .* failed its integrity check/.test(m)), afterRaw.notes.join('\n'));
});

test('cache: a warm cache does not hide a new dangling or out-of-tree link (--fail-on-skip: same verdict warm and cold)', async () => {
  const { root } = fixTree(1);
  const cache = path.join(tmpdir(), 'cache');
  const args = [root, '--fail-on', 'none', '--fail-on-skip', '-f', 'json'];
  assert.strictEqual((await run([...args, '--cache', cache])).status, 0);
  assert.strictEqual((await run([...args, '--cache', cache])).status, 0);
  fs.symlinkSync(path.join(root, 'nowhere.c'), path.join(root, 'drivers', 'dangling.c'));
  const warm = await run([...args, '--cache', cache]);
  const cold = await run([...args, '--cache', path.join(tmpdir(), 'fresh')]);
  assert.strictEqual(cold.status, 1);
  assert.strictEqual(warm.status, 1, 'warm = cold');
  fs.rmSync(path.join(root, 'drivers', 'dangling.c'));
  fs.symlinkSync(tmpdir(), path.join(root, 'drivers', 'outside'));
  assert.strictEqual((await run([...args, '--cache', cache])).status, 1, 'a link out of the tree, warm');
});

test('cache: --cache=/proc/x and a cache below a file fail with exit 2 at once', async () => {
  const { root } = fixTree(1);
  const file = path.join(tmpdir(), 'plain');
  fs.writeFileSync(file, '');
  for (const c of ['/proc/x', path.join(file, 'sub')]) {
    const r = await run([root, `--cache=${c}`], { timeout: 20000 });
    assertExit2(r, /--cache: cannot use .* as a cache directory/);
  }
});

// ---------------------------------------------------------------- SARIF and names

let sarifValidator;
function sarifSchemaErrors(log) {
  if (!sarifValidator) {
    const Ajv = require('ajv-draft-04');
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    require('ajv-formats')(ajv);
    sarifValidator = ajv.compile(JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')));
  }
  return sarifValidator(log) ? [] : sarifValidator.errors.map((e) => `${e.instancePath} ${e.message}`);
}

/** A tree whose one prefer-unlocked file is called `name` (raw bytes allowed). */
function namedTree(name, transform = (t) => t) {
  const { root, files } = fixTree(1);
  const dir = path.join(root, path.dirname(files[0]));
  const text = transform(fs.readFileSync(path.join(root, files[0])));
  fs.rmSync(path.join(root, files[0]));
  fs.writeFileSync(Buffer.concat([Buffer.from(dir + '/'), Buffer.isBuffer(name) ? name : Buffer.from(name)]), text);
  return root;
}

test('sarif: every uri (results, related locations, fixes) is percent-encoded; the log validates', async () => {
  const root = namedTree('q"uote%20#?.c');
  const r = await run([root, '-f', 'sarif', '--fail-on', 'none']);
  assert.strictEqual(r.status, 0, r.stderr);
  const log = JSON.parse(r.stdout);
  assert.deepStrictEqual(sarifSchemaErrors(log), []);
  const uris = [];
  const collect = (v) => { if (Array.isArray(v)) v.forEach(collect); else if (v && typeof v === 'object') { if (v.artifactLocation) uris.push(v.artifactLocation.uri); Object.values(v).forEach(collect); } };
  collect(log.runs[0].results);
  const res = log.runs[0].results.find((x) => x.ruleId === 'prefer-unlocked');
  assert.ok(res.fixes?.length, 'the fix is there');
  assert.ok(uris.length >= 3);
  for (const u of uris) assert.strictEqual(u, 'drivers/d0/q%22uote%2520%23%3F.c');
  assert.strictEqual(decodeURIComponent(uris[0]), 'drivers/d0/q"uote%20#?.c');
});

test('sarif: columns count UTF-16 code units (non-ASCII text before a call on its line)', async () => {
  // A comment with non-ASCII text (UTF-8: 11 bytes more than UTF-16 units) before the call.
  const comment = Buffer.from('/* Größe → π 😀 */ ', 'utf8').toString('latin1');
  const root = namedTree('fsl.c', (b) => Buffer.from(b.toString('latin1').replace('num_pinned = pin_user_pages(', `${comment}num_pinned = pin_user_pages(`), 'latin1'));
  const file = path.join(root, 'drivers/d0/fsl.c');
  const r = await run([root, '-f', 'sarif', '--fail-on', 'none']);
  const log = JSON.parse(r.stdout);
  assert.strictEqual(log.runs[0].columnKind, 'utf16CodeUnits');
  const res = log.runs[0].results.find((x) => x.ruleId === 'prefer-unlocked');
  const region = res.locations[0].physicalLocation.region;
  const line = fs.readFileSync(file, 'utf8').split('\n')[region.startLine - 1];
  assert.strictEqual(line.slice(region.startColumn - 1, region.endColumn - 1), 'pin_user_pages', `columns ${region.startColumn}-${region.endColumn} of ${JSON.stringify(line)}`);
  assert.deepStrictEqual(sarifSchemaErrors(log), []);
});

test('merge: an input with results: "x" (or other invalid parts) is exit 2; nothing is written', async () => {
  const { root } = fixTree(1);
  const dir = tmpdir();
  const good = path.join(dir, 'good.sarif');
  assert.strictEqual((await run([root, '-f', 'sarif', '-o', good, '--fail-on', 'none'])).status, 0);
  const log = JSON.parse(fs.readFileSync(good, 'utf8'));
  const cases = [
    [(l) => { l.runs[0].results = 'x'; }, /runs\[0\]\.results: expected an array/],
    [(l) => { l.runs[0].results[0].message = 5; }, /results\[0\]\.message/],
    [(l) => { l.runs[0].tool.driver.rules = [{}]; }, /rules\[0\]\.id/],
    [(l) => { l.runs[0].results.push(null); }, /results\[\d+\]: expected an object/],
  ];
  for (const [mutate, re] of cases) {
    const bad = JSON.parse(JSON.stringify(log));
    mutate(bad);
    fs.writeFileSync(path.join(dir, 'bad.sarif'), JSON.stringify(bad));
    const out = path.join(dir, 'merged.sarif');
    assertExit2(await run(['merge', good, path.join(dir, 'bad.sarif'), '-o', out]), re);
    assert.ok(!fs.existsSync(out));
  }
  const merged = await run(['merge', good, good]);
  assert.strictEqual(merged.status, 0);
  assert.deepStrictEqual(sarifSchemaErrors(JSON.parse(merged.stdout)), []);
});

test('names: a file name with a newline cannot break or forge the text report\'s lines', async () => {
  const root = namedTree('evil\n  9:9  error  forged.c');
  const r = await run([root, '--no-color', '--fail-on', 'none']);
  assert.strictEqual(r.status, 0, r.stderr);
  assert.ok(r.stdout.includes('"drivers/d0/evil\\n  9:9  error  forged.c"'), r.stdout);
  assert.ok(!r.stdout.split('\n').some((l) => l.startsWith('  9:9  error')), 'no forged line');
});

test('names: a file whose name is not UTF-8 is audited, not reported missing', async () => {
  const root = namedTree(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x63])); // "caf\xe9.c" (Latin-1)
  const r = await run([root, '-f', 'json', '--fail-on', 'none', '--fail-on-skip']);
  assert.strictEqual(r.status, 0, r.stderr + r.stdout);
  const j = JSON.parse(r.stdout);
  const f = j.findings.find((x) => x.ruleId === 'prefer-unlocked');
  assert.ok(f, 'the finding of the file is reported');
  assert.strictEqual(f.file, 'drivers/d0/caf\udce9.c');
  const t = await run([root, '--no-color', '--fail-on', 'none']);
  assert.ok(t.stdout.includes('"drivers/d0/caf\\xe9.c"'), t.stdout);
  const s = JSON.parse((await run([root, '-f', 'sarif', '--fail-on', 'none'])).stdout);
  assert.strictEqual(s.runs[0].results.find((x) => x.ruleId === 'prefer-unlocked').locations[0].physicalLocation.artifactLocation.uri, 'drivers/d0/caf%E9.c');
});

// ---------------------------------------------------------------- availability

test('-j is capped at the cores: -j 100000 starts no more threads than help', async () => {
  const { workerCount } = require('../dist/src/parse/pool');
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  assert.strictEqual(workerCount(100000), cores);
  assert.strictEqual(workerCount(1), 1);
  assert.strictEqual(workerCount(undefined), cores);
  const { root } = fixTree(1);
  const r = await run([root, '-j', '100000', '-f', 'json', '--fail-on', 'none'], { timeout: 60000 });
  assert.strictEqual(r.status, 0, r.stderr);
});

/** A one-line change of the fixture tree's file, as a patch. */
function tinyPatch(rel) {
  return `--- a/${rel}\n+++ b/${rel}\n@@ -1,1 +1,2 @@\n-/*\n+/* touched */\n+/*\n`;
}

test('series: temporary trees a killed run left behind are removed by the next run (only its own)', async () => {
  const { root, files } = fixTree(1);
  assert.strictEqual(fs.readFileSync(path.join(root, files[0]), 'latin1').split('\n')[0], '/*');
  const patch = path.join(tmpdir(), 'tiny.patch');
  fs.writeFileSync(patch, tinyPatch(files[0]));
  const base = tmpdir();
  const env = { ...process.env, TMPDIR: base };
  // A run killed (SIGKILL: no handler runs) while its temporary tree exists.
  const child = require('child_process').spawn(process.execPath, [BIN, 'series', '--tree', root, patch], { env, stdio: 'ignore' });
  const t0 = Date.now();
  while (!fs.readdirSync(base).some((n) => n.startsWith(`gup-audit-gate-${child.pid}-`)) && Date.now() - t0 < 30000) await new Promise((r) => setTimeout(r, 5));
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  const left = fs.readdirSync(base).filter((n) => n.startsWith('gup-audit-gate-'));
  assert.strictEqual(left.length, 1, 'the killed run left its tree');
  // Look-alikes that must stay: a live process's, another user's, a link, another name.
  const live = `gup-audit-gate-${process.pid}-Abc123`;
  const foreign = 'gup-audit-gate-1-Xyz789';
  fs.mkdirSync(path.join(base, live));
  fs.mkdirSync(path.join(base, foreign));
  fs.chownSync(path.join(base, foreign), 65534, 65534);
  const victim = tmpdir();
  fs.writeFileSync(path.join(victim, 'keep'), 'x');
  fs.symlinkSync(victim, path.join(base, 'gup-audit-gate-999999-Lnk000'));
  fs.mkdirSync(path.join(base, 'other-tool-123-abcdef'));
  const r = await run(['series', '--tree', root, patch], { env });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const now = fs.readdirSync(base).sort();
  assert.ok(!now.includes(left[0]), 'the stale tree is gone');
  for (const n of [live, foreign, 'gup-audit-gate-999999-Lnk000', 'other-tool-123-abcdef']) assert.ok(now.includes(n), `${n} kept`);
  assert.ok(fs.existsSync(path.join(victim, 'keep')));
});
