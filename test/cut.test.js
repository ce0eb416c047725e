'use strict';
// Masking comments and literals: the byte kernel (maskBytes, used for Latin-1 text) and
// the character version must agree exactly, offsets and newlines kept.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const { maskCode, maskChars } = require('../dist/src/parse/cut');
const { fixtureTrees, walk } = require('./helpers');

const masks = (text, expected) => {
  const got = maskCode(text);
  assert.strictEqual(got.length, text.length, JSON.stringify(text));
  assert.strictEqual(got, maskChars(text), JSON.stringify(text));
  if (expected !== undefined) assert.strictEqual(got, expected, JSON.stringify(text));
};

test('maskCode: comments, strings and chars become spaces, newlines and quotes stay', () => {
  masks('a /* b\nc */ d', 'a     \n     d');
  masks('x // y\nz', 'x     \nz');
  masks('f("a(b)", \'(\');', 'f("    ", \' \');');
  masks('"a\\"b" c', '"    " c');
  masks('"unterminated\nnext', '"            \nnext');
  masks('/* never closed', '               ');
  masks('"ends with a backslash\\', '"                      ');
  masks('\'\\\n\'', '\' \n\'');
  masks('/*/ x */y', '        y');
  masks('a / b / c', 'a / b / c');
  masks('', '');
});

test('maskCode: the byte kernel agrees with the character version on every fixture file and on random text', () => {
  for (const root of fixtureTrees()) for (const f of walk(root)) masks(fs.readFileSync(f, 'latin1'));
  // Random text over the characters that matter, with seeded randomness (repeatable).
  let seed = 12345;
  const rnd = (n) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
  const alphabet = ['/', '*', '"', "'", '\\', '\n', 'a', ' ', '(', '\xe9'];
  for (let k = 0; k < 2000; k++) {
    let s = '';
    const len = rnd(40);
    for (let i = 0; i < len; i++) s += alphabet[rnd(alphabet.length)];
    masks(s);
  }
});

test('maskCode: text with characters above U+00FF keeps its offsets', () => {
  const t = 'x = "\u2019"; /* \u2014 */ y';
  const m = maskCode(t);
  assert.strictEqual(m.length, t.length);
  assert.strictEqual(m, `x = " ";${' '.repeat(t.length - 9)}y`);
});
