'use strict';
// SARIF 2.1.0 output: every fixture tree's log validates against the official schema (the
// OASIS 2.1.0 schema as shipped by @microsoft/jest-sarif, JSON Schema draft-04), results map
// to findings and rules, message links resolve, code flows follow the lock path, and
// fingerprints survive line shifts but not changes of the call.
//
// Validate any SARIF file with the same code:
//   SARIF_FILE=/tmp/k612.sarif node --test test/sarif.test.js
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const Ajv = require('ajv-draft-04');
const addFormats = require('ajv-formats');
const { fixtureTrees, auditTree, FIXTURES } = require('./helpers');
const { formatSarif, toSarif, FINGERPRINT_KEY } = require('../dist/src/report/sarif');
const { rules } = require('../dist/rules');

const REPO = path.join(__dirname, '..');
const SCHEMA_FILE = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

let validator;
/** Schema errors of a SARIF log (an object), as readable strings; [] when valid. */
function schemaErrors(log) {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    validator = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')));
  }
  if (validator(log)) return [];
  return validator.errors.slice(0, 20).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

function sarifOf(res) {
  return JSON.parse(formatSarif(res, { commandLine: 'gup-audit test' }));
}

/** Every `[text](n)` link in a result message names one of its relatedLocations ids. */
function brokenLinks(result) {
  const ids = new Set((result.relatedLocations ?? []).map((l) => l.id));
  // Unescaped `](` followed by an integer id.
  return [...result.message.text.matchAll(/(?<!\\)\]\((\d+)\)/g)].map((m) => Number(m[1])).filter((id) => !ids.has(id));
}

const audits = new Map();
function auditOnce(root) {
  if (!audits.has(root)) audits.set(root, auditTree(root));
  return audits.get(root);
}

for (const root of fixtureTrees()) {
  const name = path.basename(root);
  test(`sarif: fixture tree ${name} validates against the SARIF 2.1.0 schema`, async () => {
    const res = await auditOnce(root);
    const log = sarifOf(res);
    assert.deepStrictEqual(schemaErrors(log), []);
  });

  test(`sarif: fixture tree ${name} has one result per finding, pointing at its rule`, async () => {
    const res = await auditOnce(root);
    const run = sarifOf(res).runs[0];
    assert.strictEqual(run.results.length, res.findings.length);
    assert.ok(res.findings.length > 0);
    const driverRules = run.tool.driver.rules;
    assert.deepStrictEqual(driverRules.map((r) => r.id), rules.map((r) => r.meta.id).sort(), 'driver lists every rule, sorted by id');
    run.results.forEach((r, i) => {
      const f = res.findings[i];
      assert.strictEqual(r.ruleId, f.ruleId);
      assert.ok(Number.isInteger(r.ruleIndex), `result ${i} has a ruleIndex`);
      assert.strictEqual(driverRules[r.ruleIndex].id, r.ruleId, `ruleIndex of result ${i}`);
      assert.strictEqual(r.level, f.level);
      assert.strictEqual(r.partialFingerprints[FINGERPRINT_KEY], f.fingerprint);
      const loc = r.locations[0].physicalLocation;
      assert.strictEqual(loc.artifactLocation.uriBaseId, 'SRCROOT');
      assert.strictEqual(decodeURI(loc.artifactLocation.uri), f.file);
      assert.deepStrictEqual(loc.region, { startLine: f.span.line, startColumn: f.span.col, endLine: f.span.endLine, endColumn: f.span.endCol });
      assert.deepStrictEqual(brokenLinks(r), [], `message links of ${f.file}:${f.span.line}`);
      for (const rel of f.related) {
        assert.ok(r.relatedLocations.some((l) => l.physicalLocation.region.startLine === rel.span.line && decodeURI(l.physicalLocation.artifactLocation.uri) === rel.file),
          `related ${rel.role} ${rel.file}:${rel.span.line} is a relatedLocation`);
      }
      if (f.hint) assert.ok(r.message.text.includes(f.hint.replace(/[\\[\]]/g, '\\$&')), 'message carries the suggested replacement');
      if (f.related.some((x) => x.role === 'acquire') || f.flow) assert.ok(r.codeFlows?.length, `${f.ruleId} at ${f.file}:${f.span.line} has a code flow`);
    });
    assert.strictEqual(run.originalUriBaseIds.SRCROOT.uri, `file://${res.tree.root}/`);
    assert.strictEqual(run.columnKind, 'utf16CodeUnits');
    assert.strictEqual(run.properties.kernelVersion, res.tree.version.join('.'));
    assert.strictEqual(run.invocations[0].executionSuccessful, true);
    assert.strictEqual(run.invocations[0].toolExecutionNotifications.length, res.notifications.length);
  });
}

test('sarif: prefer-unlocked code flow runs acquire -> call -> release', async () => {
  const res = await auditOnce(path.join(FIXTURES, 'v4.9'));
  const run = sarifOf(res).runs[0];
  const r = run.results.find((x) => x.ruleId === 'prefer-unlocked');
  assert.ok(r);
  const steps = r.codeFlows[0].threadFlows[0].locations;
  assert.deepStrictEqual(steps.map((s) => s.kinds[0]), ['acquire', 'call', 'release']);
  const lines = steps.map((s) => s.location.physicalLocation.region.startLine);
  assert.ok(lines[0] < lines[1] && lines[1] < lines[2], `lines in order: ${lines}`);
  assert.strictEqual(steps[1].importance, 'essential');
  assert.strictEqual(steps[1].location.physicalLocation.region.startLine, r.locations[0].physicalLocation.region.startLine);
});

test('sarif: driver rules carry help text and markdown from docs/rules, helpUri and defaults', () => {
  const res = { tree: { root: '/tmp/none', version: [6, 12], source: 'test', hasMmapLockH: true }, findings: [], notifications: [], stats: {}, rules: rules.slice(1) };
  const log = toSarif(res, { commandLine: 'gup-audit --disable-rule prefer-unlocked x' });
  assert.deepStrictEqual(schemaErrors(log), []);
  const run = log.runs[0];
  assert.deepStrictEqual(run.tool.driver.rules.map((d) => d.id), rules.map((r) => r.meta.id).sort());
  for (const d of run.tool.driver.rules) {
    const meta = rules.find((r) => r.meta.id === d.id).meta;
    const doc = fs.readFileSync(path.join(REPO, 'docs', 'rules', `${meta.id}.md`), 'utf8');
    assert.strictEqual(d.help.markdown.trim(), doc.trim(), `${meta.id}: help.markdown is docs/rules/${meta.id}.md`);
    assert.match(d.help.text, /HOW TO FIX/, `${meta.id}: help.text has the fix section`);
    assert.match(d.help.markdown, /\*\*Before\*\*[\s\S]*\*\*After\*\*/, `${meta.id}: before/after example`);
    assert.ok(!/```/.test(d.help.text), 'help.text is plain text');
    assert.strictEqual(d.helpUri, `https://github.com/gup-audit/gup-audit/blob/main/docs/rules/${meta.id}.md`);
    assert.strictEqual(d.defaultConfiguration.level, meta.level);
    assert.strictEqual(d.fullDescription.text, meta.full);
    assert.strictEqual(d.shortDescription.text, meta.short);
    assert.deepStrictEqual(d.properties, { tags: meta.tags, precision: meta.precision });
  }
  assert.ok(run.tool.driver.semanticVersion);
  const index = run.tool.driver.rules.findIndex((d) => d.id === 'prefer-unlocked');
  assert.deepStrictEqual(run.invocations[0].ruleConfigurationOverrides,
    [{ descriptor: { id: 'prefer-unlocked', index }, configuration: { enabled: false } }]);
});

test('sarif: driver.rules sorted by id and every ruleIndex, whatever the order of rules/index.ts', async () => {
  // The registration order is the run order; it must not reach the log. The exported array
  // is the one sarif.ts reads, so reversing it in place stands for a reordered rules/index.ts.
  const res = await auditOnce(path.join(FIXTURES, 'v6.12'));
  const ids = new Set(res.findings.map((f) => f.ruleId));
  assert.ok(ids.size > 1, 'the fixture tree has findings of several rules');
  const partial = { ...res, rules: res.rules.slice(1) }; // one rule disabled: its descriptor index too
  const logs = (r) => [sarifOf(r), sarifOf(partial)];
  const before = logs(res);
  const saved = [...rules];
  rules.reverse();
  let after;
  try { after = logs(res); } finally { rules.splice(0, rules.length, ...saved); }
  assert.notDeepStrictEqual(saved.map((r) => r.meta.id), [...saved].reverse().map((r) => r.meta.id));
  assert.deepStrictEqual(after, before, 'reversing the registered rules changes the SARIF log');
  for (const log of before) {
    const run = log.runs[0];
    const driverIds = run.tool.driver.rules.map((d) => d.id);
    assert.deepStrictEqual(driverIds, [...driverIds].sort(), 'driver.rules ids are sorted');
    for (const r of run.results) assert.strictEqual(driverIds[r.ruleIndex], r.ruleId, `ruleIndex of a ${r.ruleId} result`);
    for (const o of run.invocations[0].ruleConfigurationOverrides ?? []) assert.strictEqual(driverIds[o.descriptor.index], o.descriptor.id);
  }
  assert.strictEqual(before[1].runs[0].invocations[0].ruleConfigurationOverrides.length, 1);
});

test('sarif: caller chains become nested thread flows, outermost caller first; brackets are escaped', () => {
  const span = (line, col, len) => ({ line, col, endLine: line, endCol: col + len });
  const finding = {
    ruleId: 'missing-mmap-lock', level: 'error',
    message: 'pin_user_pages() requires the mmap lock of current->mm; pin_one() does not take it and is called without it from mid (drivers/x/a.c:20) <- top (drivers/y/b.c:30)',
    file: 'drivers/x/a.c', span: span(10, 8, 14), function: 'pin_one',
    related: [
      { role: 'caller', file: 'drivers/x/a.c', span: span(20, 2, 7), message: 'called without mmap_lock from mid' },
      { role: 'caller', file: 'drivers/y/b.c', span: span(30, 2, 3), message: 'called without mmap_lock from top' },
    ],
    hint: 'mmap_read_lock(current->mm) around pages[0]',
    callText: 'pin_user_pages(uaddr, 1, 0, &pages[0])', fingerprint: '0123456789abcdef0123456789abcdef',
    chains: [[{ function: 'mid', file: 'drivers/x/a.c', span: span(20, 2, 7) }, { function: 'top', file: 'drivers/y/b.c', span: span(30, 2, 3) }]],
  };
  const res = {
    tree: { root: '/tmp/linux tree', version: [6, 12], source: 'test', hasMmapLockH: true },
    findings: [finding],
    notifications: [{ level: 'warning', file: 'drivers/huge #1.c', message: 'skipped: larger than --max-file-size' }, { level: 'note', message: 'something' }],
    stats: { filesDiscovered: 1 }, rules,
  };
  const log = toSarif(res, { commandLine: 'gup-audit x' });
  assert.deepStrictEqual(schemaErrors(log), []);
  const run = log.runs[0];
  const r = run.results[0];
  assert.strictEqual(run.originalUriBaseIds.SRCROOT.uri, 'file:///tmp/linux%20tree/');
  assert.deepStrictEqual(brokenLinks(r), []);
  assert.match(r.message.text, /pages\\\[0\\\]/, 'literal brackets escaped');
  for (const fl of r.codeFlows) for (const s of fl.threadFlows[0].locations) assert.ok(!/(?<!\\)\[/.test(s.location.message.text), `escaped: ${s.location.message.text}`);
  assert.strictEqual(r.codeFlows.length, 1, 'one chain of two callers, not two flows');
  const steps = r.codeFlows[0].threadFlows[0].locations;
  assert.deepStrictEqual(steps.map((s) => [s.location.physicalLocation.artifactLocation.uri, s.location.physicalLocation.region.startLine, s.nestingLevel]),
    [['drivers/y/b.c', 30, 0], ['drivers/x/a.c', 20, 1], ['drivers/x/a.c', 10, 2]]);
  const n = run.invocations[0].toolExecutionNotifications;
  assert.strictEqual(n[0].level, 'warning');
  assert.strictEqual(n[0].locations[0].physicalLocation.artifactLocation.uri, 'drivers/huge%20%231.c');
  assert.strictEqual(run.tool.driver.notifications[n[0].descriptor.index].id, 'file-skipped');
  assert.strictEqual(n[1].locations, undefined);
});

test('sarif: two caller chains that share steps give two complete thread flows', () => {
  const span = (line) => ({ line, col: 2, endLine: line, endCol: 9 });
  const c = (file, line, name) => ({ role: 'caller', file, span: span(line), message: `called from ${name}` });
  // As the engine keeps each related site once, the shared steps appear once in related.
  const finding = {
    ruleId: 'missing-mmap-lock', level: 'note',
    message: 'get_user_pages_remote() requires the mmap lock of mm; inner() is called with it from mid (k/a.c:20) <- top (k/a.c:30), but without it from mid (k/a.c:20) <- other (k/b.c:40), and no caller of other() was found',
    file: 'k/a.c', span: span(10), function: 'inner',
    related: [c('k/a.c', 20, 'mid'), c('k/b.c', 40, 'other'), c('k/a.c', 30, 'top')],
    callText: 'get_user_pages_remote(mm, a, 1, 0, p, NULL)', fingerprint: 'ffff',
    chains: [
      [{ function: 'mid', file: 'k/a.c', span: span(20) }, { function: 'top', file: 'k/a.c', span: span(30) }],
      [{ function: 'mid', file: 'k/a.c', span: span(20) }, { function: 'other', file: 'k/b.c', span: span(40) }],
    ],
  };
  const res = { tree: { root: '/tmp/t', version: [6, 12], source: 'test', hasMmapLockH: true }, findings: [finding], notifications: [], stats: {}, rules };
  const log = toSarif(res, { commandLine: 'gup-audit x' });
  assert.deepStrictEqual(schemaErrors(log), []);
  const flows = log.runs[0].results[0].codeFlows;
  const lines = flows.map((fl) => fl.threadFlows[0].locations.map((s) => s.location.physicalLocation.region.startLine));
  assert.deepStrictEqual(lines, [[30, 20, 10], [40, 20, 10]]);
  assert.deepStrictEqual(flows.map((fl) => fl.message.text), ['call chain: top() -> mid() -> inner()', 'call chain: other() -> mid() -> inner()']);
  // The flows come from the structured chains, not from the message: rewording it changes nothing.
  const reworded = toSarif({ ...res, findings: [{ ...finding, message: 'reworded, no chain in it' }] }, { commandLine: 'gup-audit x' });
  assert.deepStrictEqual(reworded.runs[0].results[0].codeFlows.map((fl) => fl.message.text), flows.map((fl) => fl.message.text));
});

test('json and sarif: a finding from a caller chain carries it structured, innermost caller first', async () => {
  const { audit } = require('./helpers');
  const { toJson } = require('../dist/src/report/json');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-chain-'));
  try {
    fs.copyFileSync(path.join(FIXTURES, 'v6.12', 'Makefile'), path.join(dir, 'Makefile'));
    fs.mkdirSync(path.join(dir, 'drivers', 'c'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'drivers', 'c', 'chain.c'), [
      'static int pin_one(unsigned long a, struct page **p)',
      '{',
      '\treturn pin_user_pages(a, 1, 0, p);',
      '}',
      'static int mid(unsigned long a, struct page **p)',
      '{',
      '\treturn pin_one(a, p);',
      '}',
      'int top_ioctl(unsigned long a, struct page **p)',
      '{',
      '\tmmap_read_lock(current->mm);',
      '\tmmap_read_unlock(current->mm);',
      '\treturn mid(a, p);',
      '}',
      '',
    ].join('\n'));
    const res = await audit({ paths: [dir], jobs: 1 });
    const f = toJson(res).findings.find((x) => x.ruleId === 'missing-mmap-lock');
    assert.ok(f, JSON.stringify(res.findings.map((x) => x.ruleId)));
    assert.deepStrictEqual(f.chains.map((c) => c.map((st) => `${st.function}@${st.file}:${st.line}`)), [['mid@drivers/c/chain.c:7', 'top_ioctl@drivers/c/chain.c:13']]);
    const flows = toSarif(res, { commandLine: 'x' }).runs[0].results.find((r) => r.ruleId === 'missing-mmap-lock').codeFlows;
    assert.ok(flows.some((fl) => fl.message.text === 'call chain: top_ioctl() -> mid() -> pin_one()'), JSON.stringify(flows.map((fl) => fl.message.text)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A copy of a fixture tree in a temp dir, edited by `edit(root)`, audited. */
async function auditEditedCopy(tree, edit) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-sarif-'));
  const root = path.join(dir, path.basename(tree));
  fs.cpSync(tree, root, { recursive: true });
  try {
    edit(root);
    return await auditTree(root);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function editLine(root, file, lineNo, fn) {
  const p = path.join(root, file);
  const lines = fs.readFileSync(p, 'latin1').split('\n');
  fn(lines, lineNo - 1);
  fs.writeFileSync(p, lines.join('\n'), 'latin1');
}

const fingerprints = (res) => sarifOf(res).runs[0].results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]).sort();

test('sarif: fingerprints stay stable when a blank line is inserted above a finding', async () => {
  const tree = path.join(FIXTURES, 'v6.12');
  const before = await auditOnce(tree);
  const target = before.findings.find((f) => f.ruleId === 'prefer-unlocked');
  const after = await auditEditedCopy(tree, (root) => editLine(root, target.file, target.span.line, (lines, i) => lines.splice(i, 0, '')));
  assert.deepStrictEqual(fingerprints(after), fingerprints(before));
  const moved = after.findings.find((f) => f.fingerprint === target.fingerprint);
  assert.strictEqual(moved.span.line, target.span.line + 1, 'the finding moved down one line');
});

test('sarif: fingerprints ignore whitespace in the call but change when the call text changes', async () => {
  const tree = path.join(FIXTURES, 'v6.12');
  const before = await auditOnce(tree);
  const target = before.findings.find((f) => f.ruleId === 'prefer-unlocked');
  const callee = /^(\w+)/.exec(target.callText)[1];
  const spaced = await auditEditedCopy(tree, (root) => editLine(root, target.file, target.span.line, (lines, i) => { lines[i] = lines[i].replace(`${callee}(`, `${callee}(  `); }));
  assert.deepStrictEqual(fingerprints(spaced), fingerprints(before));

  const changed = await auditEditedCopy(tree, (root) => editLine(root, target.file, target.span.line, (lines, i) => { lines[i] = lines[i].replace(`${callee}(`, `${callee}(0 + `); }));
  const again = changed.findings.find((f) => f.file === target.file && f.span.line === target.span.line && f.ruleId === target.ruleId);
  assert.ok(again, 'the finding is still reported');
  assert.notStrictEqual(again.fingerprint, target.fingerprint);
  const old = new Set(fingerprints(before));
  assert.deepStrictEqual(fingerprints(changed).filter((x) => !old.has(x)), [again.fingerprint], 'only the changed call gets a new fingerprint');
});

test('sarif: `gup-audit fixtures/demo --format sarif -o FILE` writes a valid log and nothing to stdout', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-sarif-cli-'));
  try {
    const out = path.join(dir, 'demo.sarif');
    const r = spawnSync(process.execPath, ['bin/gup-audit.js', 'fixtures/demo', '--format', 'sarif', '-o', out], { cwd: REPO, encoding: 'utf8' });
    assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
    assert.strictEqual(r.stdout, '');
    const log = JSON.parse(fs.readFileSync(out, 'utf8'));
    assert.deepStrictEqual(schemaErrors(log), []);
    assert.match(log.runs[0].invocations[0].commandLine, /^gup-audit fixtures\/demo --format sarif -o /);
    assert.ok(log.runs[0].results.length > 0);
    assert.deepStrictEqual(fs.readdirSync(dir), ['demo.sarif'], 'no temp file left behind');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('sarif: $SARIF_FILE validates against the SARIF 2.1.0 schema', { skip: !process.env.SARIF_FILE && 'SARIF_FILE not set' }, (t) => {
  const file = process.env.SARIF_FILE;
  const log = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.deepStrictEqual(schemaErrors(log), []);
  const run = log.runs[0];
  const broken = run.results.filter((r) => brokenLinks(r).length);
  assert.strictEqual(broken.length, 0, 'message links resolve');
  const size = fs.statSync(file).size;
  const gz = require('zlib').gzipSync(fs.readFileSync(file)).length;
  const locs = Math.max(0, ...run.results.map((r) => 1 + (r.relatedLocations?.length ?? 0)));
  const tfl = Math.max(0, ...run.results.map((r) => (r.codeFlows ?? []).reduce((n, c) => n + c.threadFlows.reduce((m, t) => m + t.locations.length, 0), 0)));
  t.diagnostic(`${file}: ${size} bytes, ${gz} bytes gzip, ${run.results.length} results, ${run.tool.driver.rules.length} rules, max ${locs} locations and ${tfl} thread flow locations per result`);
  assert.ok(gz < 10 * 1024 * 1024, 'under the 10 MB (gzip) upload limit');
  assert.ok(run.results.length <= 25000, 'at most 25,000 results per run');
});

test('sarif: UTF-16 columns come with the findings; the writer reads no file of the tree (it is gone when formatted)', async () => {
  // A v6.12 tree with the prefer-unlocked file twice: in one the GUP call's line starts with
  // non-ASCII text (UTF-8: 11 bytes more than UTF-16 units), in the other the lock's line
  // (which leaves it without a fix: the lock is no longer a plain statement line). Audited,
  // then the files are removed: the log must still count columns in UTF-16 units (the
  // finding's span, the lock site as related location and code flow step, the fix's
  // deleted regions).
  const V612 = path.join(FIXTURES, 'v6.12');
  const GOOD = 'drivers/virt/fsl_hypervisor.c';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-sarif-'));
  try {
    const root = path.join(dir, 'tree');
    fs.mkdirSync(path.join(root, 'drivers/virt'), { recursive: true });
    fs.copyFileSync(path.join(V612, 'Makefile'), path.join(root, 'Makefile'));
    fs.cpSync(path.join(V612, 'include'), path.join(root, 'include'), { recursive: true });
    const comment = Buffer.from('/* Größe → π 😀 */ ', 'utf8').toString('latin1');
    const orig = fs.readFileSync(path.join(V612, GOOD), 'latin1');
    const files = { call: 'drivers/virt/call.c', lock: 'drivers/virt/lock.c' };
    fs.writeFileSync(path.join(root, files.call), orig.replace('num_pinned = pin_user_pages(', `${comment}num_pinned = pin_user_pages(`), 'latin1');
    fs.writeFileSync(path.join(root, files.lock), orig.replace('\tmmap_read_lock(current->mm);', `\t${comment}mmap_read_lock(current->mm);`), 'latin1');
    const res = await auditTree(root);
    const lines = {};
    for (const [k, f] of Object.entries(files)) {
      lines[k] = fs.readFileSync(path.join(root, f), 'utf8').split('\n');
      fs.rmSync(path.join(root, f));
    }
    const log = toSarif(res, { commandLine: 'gup-audit x' });
    const resultIn = (k) => log.runs[0].results.find((x) => x.ruleId === 'prefer-unlocked' && x.locations[0].physicalLocation.artifactLocation.uri === files[k]);
    // (The text of a region, up to the end of its first line.)
    const at = (k, reg) => lines[k][reg.startLine - 1].slice(reg.startColumn - 1, reg.endLine === reg.startLine ? reg.endColumn - 1 : undefined);

    const call = resultIn('call');
    assert.ok(call, 'the finding with non-ASCII text before the call');
    assert.strictEqual(at('call', call.locations[0].physicalLocation.region), 'pin_user_pages');
    const gupStep = call.codeFlows[0].threadFlows[0].locations.find((l) => l.importance === 'essential');
    assert.match(at('call', gupStep.location.physicalLocation.region), /^pin_user_pages\(/);
    const edits = call.fixes[0].artifactChanges[0].replacements;
    const callEdit = edits.find((e) => e.deletedRegion.startLine === call.locations[0].physicalLocation.region.startLine);
    assert.ok(callEdit, 'an edit on the call line');
    assert.match(at('call', callEdit.deletedRegion), /^pin_user_pages\(/);

    const lock = resultIn('lock');
    assert.ok(lock, 'the finding with non-ASCII text before the lock');
    const site = lock.relatedLocations.find((x) => /mmap_read_lock/.test(lines.lock[x.physicalLocation.region.startLine - 1]));
    assert.ok(site, 'the lock site is a related location');
    assert.strictEqual(at('lock', site.physicalLocation.region), 'mmap_read_lock(current->mm)');
    const steps = lock.codeFlows[0].threadFlows[0].locations.map((l) => at('lock', l.location.physicalLocation.region));
    assert.ok(steps.includes('mmap_read_lock(current->mm)'), JSON.stringify(steps));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
