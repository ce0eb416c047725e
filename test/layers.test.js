'use strict';
// The imports read top-down: cli > gate/fix > report > engine and its stages > rules >
// analysis > kernel/parse/preprocess > discover and plain helpers > errors. A module may
// import (a value) only from its own layer or a lower one; `import type` names data types
// and is erased by the compiler, so it is not checked. Every source file must have a layer:
// a new file is placed here when it is added. A rule file goes further: it imports only
// src/rule.ts (the rule context's types and helpers), types from src/findings.ts and
// src/parse/ir.ts, and other rule files.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');

function layer(rel) {
  if (rel === 'src/cli.ts' || rel.startsWith('src/cli/')) return 9;
  if (rel.startsWith('src/gate/') || rel.startsWith('src/fix/')) return 8;
  if (rel.startsWith('src/report/') || ['src/output.ts', 'src/census.ts'].includes(rel)) return 7;
  if (rel.startsWith('src/stages/') || ['src/engine.ts', 'src/cache.ts', 'src/scan.ts', 'src/suppress.ts'].includes(rel)) return 6;
  if (rel.startsWith('rules/') || ['src/rule.ts', 'src/findings.ts'].includes(rel)) return 5;
  if (rel.startsWith('src/analysis/')) return 4;
  if (rel.startsWith('src/kernel/') || rel.startsWith('src/parse/') || rel.startsWith('src/preprocess/')) return 3;
  if (['src/discover.ts', 'src/glob.ts', 'src/fsname.ts', 'src/cache-entry.ts'].includes(rel)) return 2;
  if (['src/errors.ts', 'src/version.ts', 'src/dev-switches.ts', 'src/run-context.ts'].includes(rel)) return 1;
  return null;
}

function sources(dir) {
  const out = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...sources(rel));
    else if (e.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

/** Value imports of `files` (text by `read`) that go to a higher layer. */
function upwardImports(files, read, exists) {
  const upward = [];
  for (const f of files) {
    for (const m of read(f).matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+'(\.[^']+)'/gm)) {
      if (m[1]) continue;
      let t = path.posix.normalize(path.posix.join(path.posix.dirname(f), m[2]));
      if (exists(`${t}.ts`)) t += '.ts';
      else if (exists(`${t}/index.ts`)) t += '/index.ts';
      else continue; // a JSON file or a package
      if (layer(t) > layer(f)) upward.push(`${f} (${layer(f)}) -> ${t} (${layer(t)})`);
    }
  }
  return upward;
}

/** Imports of rule files (rules/*.ts) that reach past the rule context: a rule imports
 * only src/rule.ts (types and helpers), types from src/findings.ts and src/parse/ir.ts, and
 * other rule files (rules/index.ts lists them); the analyses reach it through the context. */
function ruleImportsPastContext(files, read) {
  const bad = [];
  for (const f of files.filter((x) => x.startsWith('rules/'))) {
    for (const m of read(f).matchAll(/^(?:import|export)\s+(type\s+)?(?:[^;]*?from\s+)?'([^']+)'/gm)) {
      const t = m[2].startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(f), m[2])) : m[2];
      if (t.startsWith('rules/') || t === 'src/rule') continue;
      if (m[1] && ['src/findings', 'src/parse/ir'].includes(t)) continue;
      bad.push(`${f} -> ${t}${m[1] ? ' (type)' : ''}`);
    }
  }
  return bad;
}

test('value imports never go to a higher layer; every source file has a layer', () => {
  const files = [...sources('src'), ...sources('rules')];
  const unplaced = files.filter((f) => layer(f) === null);
  assert.deepStrictEqual(unplaced, [], 'files without a layer (place them in test/layers.test.js)');
  const upward = upwardImports(files, (f) => fs.readFileSync(path.join(ROOT, f), 'utf8'), (f) => fs.existsSync(path.join(ROOT, f)));
  assert.deepStrictEqual(upward, []);
});

test('the check reports an upward value import and lets a type import pass', () => {
  const texts = {
    'rules/bad.ts': "import { audit } from '../src/engine';\nimport type { AuditResult } from '../src/engine';\n",
    'src/report/ok.ts': "import type { Finding } from '../findings';\nimport { levelRank } from '../findings';\n",
  };
  const exists = (f) => ['src/engine.ts', 'src/findings.ts'].includes(f);
  assert.deepStrictEqual(upwardImports(Object.keys(texts), (f) => texts[f], exists), ['rules/bad.ts (5) -> src/engine.ts (6)']);
});

test('rule files import only the rule context, finding and IR types, and other rules', () => {
  const files = sources('rules');
  assert.ok(files.length > 10);
  assert.deepStrictEqual(ruleImportsPastContext(files, (f) => fs.readFileSync(path.join(ROOT, f), 'utf8')), []);
});

test('the rule check reports a rule that imports an analysis, a kernel module or a value past the context', () => {
  const texts = {
    'rules/bad.ts': [
      "import type { Rule } from '../src/rule';",
      "import { rel } from '../src/rule';",
      "import type { Related } from '../src/findings';",
      "import type { Expr } from '../src/parse/ir';",
      "import other from './other-rule';",
      "import { gupSites } from '../src/analysis/sites';",
      "import type { GupSite } from '../src/analysis/sites';",
      "import { existsIn } from '../src/kernel/api';",
      "import { levelRank } from '../src/findings';",
      "import { readFileSync } from 'fs';",
      '',
    ].join('\n'),
    'src/stages/ok.ts': "import { gupSites } from '../analysis/sites';\n",
  };
  assert.deepStrictEqual(ruleImportsPastContext(Object.keys(texts), (f) => texts[f]), [
    'rules/bad.ts -> src/analysis/sites',
    'rules/bad.ts -> src/analysis/sites (type)',
    'rules/bad.ts -> src/kernel/api',
    'rules/bad.ts -> src/findings',
    'rules/bad.ts -> fs',
  ]);
});

test('the GUP_AUDIT_* environment switches are read only in src/dev-switches.ts', () => {
  const readers = sources('src').filter((rel) => rel !== 'src/dev-switches.ts' && /\bGUP_AUDIT_\w+/.test(fs.readFileSync(path.join(ROOT, rel), 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')));
  assert.deepStrictEqual(readers, []);
});
