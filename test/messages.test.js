'use strict';
// Findings carry messageId + data and their message is rendered from the rule's template
// (meta.messages, ESLint's `{{name}}` placeholders); SARIF lists the templates as each rule's
// messageStrings and gives each result's message an id and arguments.
//
// - every rule declares its messages, and every id a finding of the fixture trees or of the
//   rule cases (test/rules/*.js) names is declared, with every placeholder set;
// - SARIF messageStrings are the templates in SARIF's syntax, and each result's arguments
//   render to exactly its text;
// - changing a template's wording changes the finding's message and the SARIF log (the
//   message really comes from the template);
// - docs/rules/<id>.md lists the templates under `## Messages` (regenerate the sections with
//   GUP_AUDIT_WRITE_DOCS=1 node --test test/messages.test.js).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { rules } = require('../dist/rules');
const { renderMessage, messagePlaceholders } = require('../dist/src/findings');
const { toSarif, sarifMessageString } = require('../dist/src/report/sarif');
const { toJson } = require('../dist/src/report/json');
const { fixtureTrees, auditTree, FIXTURES } = require('./helpers');
const { runCases } = require('./rule-tester');

const DOCS = path.join(__dirname, '..', 'docs', 'rules');
const byId = new Map(rules.map((r) => [r.meta.id, r]));

/** SARIF's rendering of a message string (§3.11.5): `{n}` from the arguments, `{{`/`}}` braces. */
function renderSarif(template, args) {
  return template.replace(/\{\{|\}\}|\{(\d+)\}/g, (m, i) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    assert.ok(Number(i) < args.length, `placeholder ${m} has no argument`);
    return args[Number(i)];
  });
}

/** What a finding's message must be: its template rendered with its data, then at most the
 * preprocessor's notes (the engine appends them). */
function checkFinding(f, where) {
  const meta = byId.get(f.ruleId).meta;
  assert.ok(Object.hasOwn(meta.messages, f.messageId), `${where}: ${f.ruleId} has no message '${f.messageId}'`);
  const template = meta.messages[f.messageId];
  assert.deepStrictEqual(Object.keys(f.data), messagePlaceholders(template), `${where}: data are the placeholders of ${f.ruleId}/${f.messageId}`);
  for (const [k, v] of Object.entries(f.data)) assert.ok(typeof v === 'string' || typeof v === 'number', `${where}: data.${k} is ${typeof v}`);
  const rendered = renderMessage(template, f.data);
  assert.ok(f.message.startsWith(rendered), `${where}: message does not start with its rendered template:\n${f.message}\n${rendered}`);
  assert.match(f.message.slice(rendered.length), /^( \(called as \w+\(\), which expands to \w+\(\)\))?( \[only if .*: a condition the tool cannot decide\])?$/, `${where}: only the preprocessor's notes follow the template`);
  assert.ok(!f.message.includes('{{'), `${where}: a placeholder is left in the message: ${f.message}`);
}

/** The fixture trees, and the out-of-tree module (its messages carry the preprocessor's
 * notes), each audited once: [name, result]. */
let audits;
function fixtureAudits() {
  if (!audits) {
    const oot = path.join(FIXTURES, 'oot', 'drv_compat');
    audits = Promise.all([
      ...fixtureTrees().map(async (root) => [path.basename(root), await auditTree(root)]),
      (async () => ['oot', await auditTree(oot, { kdir: path.join(FIXTURES, 'v4.9') })])(),
    ]);
  }
  return audits;
}

test('every rule declares its messages: ids and non-empty templates with well-formed placeholders', () => {
  for (const { meta } of rules) {
    assert.ok(meta.messages && typeof meta.messages === 'object', `${meta.id}: meta.messages`);
    const ids = Object.keys(meta.messages);
    assert.ok(ids.length > 0, `${meta.id}: declares no message`);
    for (const id of ids) {
      assert.match(id, /^[a-z][a-z0-9-]*$/, `${meta.id}: message id '${id}'`);
      const t = meta.messages[id];
      assert.ok(typeof t === 'string' && t.length > 0, `${meta.id}/${id}: template`);
      // A brace pair that is not a placeholder would read as a broken one.
      assert.doesNotMatch(t.replace(/\{\{\w+\}\}/g, ''), /\{\{|\}\}/, `${meta.id}/${id}: a malformed placeholder`);
    }
    assert.strictEqual(new Set(Object.values(meta.messages)).size, ids.length, `${meta.id}: two ids share a template`);
  }
});

test('render: placeholders by name, literal braces kept, a placeholder without a value throws', () => {
  assert.strictEqual(renderMessage('{{a}}() at line {{n}}: { keep } {{a}}', { a: 'f', n: 3 }), 'f() at line 3: { keep } f');
  assert.throws(() => renderMessage('{{a}} and {{b}}', { a: 'x' }), /\{\{b\}\} has no value/);
  assert.deepStrictEqual(messagePlaceholders('{{b}} {{a}} {{b}}'), ['b', 'a']);
});

test('the fixture trees: every finding names a declared message, sets every placeholder, and no internal error', async () => {
  let n = 0;
  for (const [root, res] of await fixtureAudits()) {
    assert.deepStrictEqual(res.notifications.filter((x) => x.kind === 'internal-error'), [], `${root}: a rule failed`);
    for (const f of res.findings) { checkFinding(f, `${root}/${f.file}:${f.span.line}`); n++; }
    const json = toJson(res).findings;
    json.forEach((j, i) => { assert.strictEqual(j.messageId, res.findings[i].messageId); assert.deepStrictEqual(j.data, res.findings[i].data); });
  }
  assert.ok(n > 50, `${n} findings checked`);
});

/** Messages no analysis produces today: a lock value not held without the call that made it
 * so (every U/D value of the lock dataflow names it), a lifecycle kind nothing reports. */
const UNREACHED = {
  'missing-mmap-lock/not-held-on-path': 'LockVal.by is always set on U/D',
  'missing-mmap-lock/callers-unchecked': 'a chain ends in a named function (no-caller-found-above, unmapped-mm-above); left for callers that all give no verdict (another driver through a core field call, contradicted path facts)',
  'unbalanced-mmap-lock/release-unheld': 'LockVal.by is always set on U',
  'partial-pin-unchecked/unhandled': "LifecycleKind 'short-release' is never reported",
};

test('the rule cases: every finding names a declared message and sets every placeholder; every message is exercised', async () => {
  const seen = new Set();
  for (const rule of rules) {
    const cases = require(path.join(__dirname, 'rules', `${rule.meta.id}.js`));
    const out = await runCases(rule.meta.id, [...(cases.invalid ?? [])]);
    for (const [c, r] of out) for (const f of r.findings) { checkFinding(f, `${rule.meta.id} case '${c.name}'`); seen.add(`${f.ruleId}/${f.messageId}`); }
  }
  for (const [, res] of await fixtureAudits()) for (const f of res.findings) seen.add(`${f.ruleId}/${f.messageId}`);
  const all = rules.flatMap((r) => Object.keys(r.meta.messages).map((id) => `${r.meta.id}/${id}`));
  // A message no fixture or case produces needs a case (test/rules/<id>.js), unless no
  // analysis can make it today (the rule keeps it for the shape its types allow).
  const unseen = all.filter((k) => !seen.has(k));
  assert.deepStrictEqual(unseen, Object.keys(UNREACHED), 'messages without a fixture or case (add one), or listed as unreached but produced (drop them from UNREACHED)');
});

test('sarif: messageStrings are the templates in SARIF syntax; each result\'s id and arguments render to its text', async () => {
  for (const [root, res] of await fixtureAudits()) {
    const run = toSarif(res, { commandLine: 'gup-audit test' }).runs[0];
    for (const d of run.tool.driver.rules) {
      const meta = byId.get(d.id).meta;
      assert.deepStrictEqual(Object.keys(d.messageStrings), Object.keys(meta.messages), `${d.id}: messageStrings ids`);
      for (const [id, t] of Object.entries(meta.messages)) {
        const names = messagePlaceholders(t);
        const ms = d.messageStrings[id].text;
        assert.strictEqual(ms, sarifMessageString(t));
        // Rendering the SARIF string with the placeholders' own names gives back the template
        // (links escaped as in every message), with the extra last placeholder at the end.
        assert.strictEqual(renderSarif(ms, [...names.map((n) => `{{${n}}}`), '<rest>']), t.replace(/[\\[\]]/g, '\\$&') + '<rest>', `${d.id}/${id}`);
      }
    }
    run.results.forEach((r, i) => {
      const f = res.findings[i];
      assert.strictEqual(r.message.id, f.messageId, `${root} result ${i}`);
      const ms = run.tool.driver.rules[r.ruleIndex].messageStrings[r.message.id];
      assert.ok(ms, `result ${i}: its id is one of its rule's messageStrings`);
      assert.ok(r.message.arguments.every((a) => typeof a === 'string'));
      assert.strictEqual(renderSarif(ms.text, r.message.arguments), r.message.text, `${root} result ${i}`);
    });
  }
});

test('sarif: literal braces and link characters of a template are escaped in its message string', () => {
  assert.strictEqual(sarifMessageString('if ({{n}} != 1) { {{a}}[0] }'), 'if ({0} != 1) {{ {1}\\[0\\] }}{2}');
  assert.strictEqual(renderSarif('if ({0} != 1) {{ {1}\\[0\\] }}{2}', ['ret', 'p', '.']), 'if (ret != 1) { p\\[0\\] }.');
});

test('mutation: rewording a template changes the finding\'s message, its JSON and its SARIF string', async () => {
  const res0 = await auditTree(path.join(FIXTURES, 'v4.9'));
  const f0 = res0.findings.find((f) => f.ruleId === 'prefer-unlocked');
  assert.ok(f0);
  const meta = byId.get('prefer-unlocked').meta;
  const saved = meta.messages[f0.messageId];
  meta.messages[f0.messageId] = `REWORDED ${saved.replace('can retry faults', 'CAN RETRY FAULTS')}`;
  try {
    const res1 = await auditTree(path.join(FIXTURES, 'v4.9'));
    const f1 = res1.findings.find((f) => f.fingerprint === f0.fingerprint);
    assert.ok(f1);
    assert.strictEqual(f1.message, `REWORDED ${f0.message.replace('can retry faults', 'CAN RETRY FAULTS')}`);
    assert.deepStrictEqual(f1.data, f0.data);
    const run = toSarif(res1, { commandLine: 'x' }).runs[0];
    assert.match(run.tool.driver.rules.find((d) => d.id === 'prefer-unlocked').messageStrings[f0.messageId].text, /^REWORDED .*CAN RETRY FAULTS/);
    assert.match(run.results[res1.findings.indexOf(f1)].message.text, /^REWORDED /);
    // A template naming a placeholder the report does not set: the rule stops with an
    // internal error instead of printing a hole.
    meta.messages[f0.messageId] = `${saved} {{nosuchvalue}}`;
    const res2 = await auditTree(path.join(FIXTURES, 'v4.9'));
    assert.ok(!res2.findings.some((f) => f.ruleId === 'prefer-unlocked'));
    assert.ok(res2.notifications.some((n) => n.kind === 'internal-error' && /prefer-unlocked.*\{\{nosuchvalue\}\} has no value/.test(n.message)));
  } finally {
    meta.messages[f0.messageId] = saved;
  }
});

/** The `## Messages` section of a rule page, from the rule's templates. */
function messagesSection(meta) {
  return [
    '## Messages',
    '',
    'The rule\'s message templates by id (JSON `messageId`, SARIF `message.id`); each `{{name}}`',
    'is filled in from the finding (JSON `data`, SARIF `message.arguments`). Generated from the',
    'rule\'s `meta.messages` (test/messages.test.js).',
    '',
    ...Object.entries(meta.messages).map(([id, t]) => `- \`${id}\`: \`${t}\``),
    '',
  ].join('\n');
}

/** The page with its Messages section replaced (or put before References). */
function withMessages(doc, meta) {
  const section = messagesSection(meta);
  const at = doc.search(/^## Messages\n/m);
  if (at >= 0) {
    const next = doc.slice(at + 1).search(/^## /m);
    return doc.slice(0, at) + section + (next >= 0 ? '\n' + doc.slice(at + 1 + next) : '');
  }
  const refs = doc.search(/^## References\n/m);
  return refs >= 0 ? `${doc.slice(0, refs)}${section}\n${doc.slice(refs)}` : `${doc.trimEnd()}\n\n${section}`;
}

test('docs/rules/<id>.md lists the rule\'s message templates under Messages', () => {
  for (const { meta } of rules) {
    const file = path.join(DOCS, `${meta.id}.md`);
    const doc = fs.readFileSync(file, 'utf8');
    const want = withMessages(doc, meta);
    if (process.env.GUP_AUDIT_WRITE_DOCS && want !== doc) fs.writeFileSync(file, want);
    else assert.strictEqual(doc, want, `docs/rules/${meta.id}.md: the Messages section differs from meta.messages (GUP_AUDIT_WRITE_DOCS=1 node --test test/messages.test.js rewrites it)`);
  }
});

test('--list-rules --format json lists each rule\'s message templates', () => {
  const { formatRuleList } = require('../dist/src/cli/rules');
  const list = JSON.parse(formatRuleList('json'));
  assert.strictEqual(list.length, rules.length);
  for (const r of rules) assert.deepStrictEqual(list.find((x) => x.id === r.meta.id).messages, r.meta.messages);
});
