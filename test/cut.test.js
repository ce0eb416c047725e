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

test('cutFunctions: kernel style and K&R style definitions; statements and initialisers are not functions', () => {
  const { cutFunctions, lineIndex } = require('../dist/src/parse/cut');
  const text = [
    'static int kernel_style(int a)',
    '{',
    '\treturn a;',
    '}',
    '',
    'static long knr_style(struct file *f,',
    '\t\t      unsigned long arg) {',
    '\tif (arg) {',
    '\t\treturn 1;',
    '\t}',
    '\treturn 0;',
    '}',
    '',
    'static const struct file_operations fops = {',
    '\t.open = knr_open,',
    '};',
    '',
    'struct knr_state {',
    '\tint x;',
    '};',
    '',
    'int knr_one(void) { return 1; }',
    'void knr_last(void) {',
    '\tdo_it();',
    '}',
    '',
  ].join('\n');
  const masked = maskCode(text);
  const got = cutFunctions(masked, lineIndex(masked)).map((c) => `${c.name}:${c.headerLine + 1}-${c.endLine + 1}`);
  // (A one-line definition is a function of its one line, its body from the `{`.)
  assert.deepStrictEqual(got, ['kernel_style:1-4', 'knr_style:6-12', 'knr_one:22-22', 'knr_last:23-25']);
  const one = cutFunctions(masked, lineIndex(masked)).find((c) => c.name === 'knr_one');
  assert.strictEqual(masked.slice(one.headerStart + one.braceCol, one.end), '{ return 1; }');
});

test('parseHeader: a return type wrapped in an upper-case macro names the function after it', () => {
  const { parseHeader } = require('../dist/src/parse/cut');
  const h = parseHeader('DECLHIDDEN(long) drv_gup_helper(unsigned long uaddr, unsigned long n, struct page **pages)');
  assert.strictEqual(h.name, 'drv_gup_helper');
  assert.deepStrictEqual(h.params, ['uaddr', 'n', 'pages']);
  assert.strictEqual(parseHeader('static DECLINLINE(int) *drv_p(void)').name, 'drv_p');
  // Annotations after the parameters, a name-pasting macro and a defining macro are as before.
  assert.strictEqual(parseHeader('static void drv_lock(struct mm_struct *mm) __acquires(&mm->mmap_lock)').name, 'drv_lock');
  assert.strictEqual(parseHeader('static int FNAME(walk_addr)(struct guest_walker *w)').name, 'FNAME(walk_addr)');
  assert.strictEqual(parseHeader('SYSCALL_DEFINE2(mlock, unsigned long, start, size_t, len)').name, 'sys_mlock');
});

test('cutFunctions: one-line definitions are cut; one-line statements, initialisers and prototypes are not', () => {
  const { cutFunctions, lineIndex } = require('../dist/src/parse/cut');
  const text = [
    'static void ol_pass(struct mm_struct *mm, unsigned long a) { ol_helper(mm, a); }',
    'static inline int ol_attr(void) __attribute__((cold)) { return ol_g(); }',
    'static int ol_tab[] = { 1, 2 };',
    'static const struct ol_ops ol_o = { .f = ol_pass };',
    'int ol_proto(int x);',
    'out: if (x) { y(); }',
    'int ol_nested(void) { if (a) { b(); } }',
    'int ol_two(void) { a(); } int ol_three(void) { b(); }',
  ].join('\n');
  const masked = maskCode(text);
  const got = cutFunctions(masked, lineIndex(masked)).map((c) => `${c.name}:${c.headerLine + 1}:${c.braceCol}`);
  assert.deepStrictEqual(got, ['ol_pass:1:59', 'ol_attr:2:54', 'ol_nested:7:20']);
});
