'use strict';
// Shared test helpers: run audits on fixture trees and read their annotations.
const fs = require('fs');
const path = require('path');
const { audit } = require('../dist/src/engine');

const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** Fixture trees: directories under fixtures/ with a top Makefile. */
function fixtureTrees() {
  return fs.readdirSync(FIXTURES)
    .map((d) => path.join(FIXTURES, d))
    .filter((d) => fs.existsSync(path.join(d, 'Makefile')));
}

function walk(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.[ch]$/.test(e.name)) out.push(p);
  }
  return out;
}

/** `/* expect: a, b *\/` annotations: Set of "file:line:rule"; `expect-none` lines too. */
function annotations(root) {
  const expected = new Set();
  const none = new Set();
  for (const f of walk(root)) {
    const rel = path.relative(root, f).split(path.sep).join('/');
    fs.readFileSync(f, 'latin1').split('\n').forEach((line, i) => {
      const m = /\/\*\s*expect:\s*([a-z0-9,\s-]+?)\s*\*\//.exec(line);
      if (m) for (const id of m[1].split(/[,\s]+/).filter(Boolean)) expected.add(`${rel}:${i + 1}:${id}`);
      if (/\/\*\s*expect-none\s*\*\//.test(line)) none.add(`${rel}:${i + 1}`);
    });
  }
  return { expected, none };
}

async function auditTree(root, extra = {}) {
  return audit({ paths: [root], jobs: 2, ...extra });
}

module.exports = { FIXTURES, fixtureTrees, annotations, auditTree, walk };
