'use strict';
// One walk over a diff's hunks (src/gate/patch.ts walkHunks) serves both the patch reader
// (where a mail's diff ends) and the hunk-header index the gate maps findings through.
const test = require('node:test');
const assert = require('node:assert');
const { hunkHeaderLines, parseDiff } = require('../dist/src/gate/patch');

test('hunk headers: a body line that looks like a header or a signature is body; a short hunk ends at the next file', () => {
  const diff = [
    'diff --git a/a.c b/a.c', '--- a/a.c', '+++ b/a.c',
    '@@ -1,3 +1 @@', ' a', '-@@ -9 +9 @@', '-- ',
    '@@ -10,2 +9,2 @@', '', '-x', '+y',
    // A hunk whose header overstates its length (a hand-edited patch): the next file's
    // lines are not taken for its body.
    'diff --git a/b.c b/b.c', '--- a/b.c', '+++ b/b.c',
    '@@ -1,5 +1,5 @@', '-p', '+q',
    'diff --git a/c.c b/c.c', '--- a/c.c', '+++ b/c.c',
    '@@ -1 +1 @@', '-r', '+s', '',
  ].join('\n');
  const lines = diff.split('\n');
  assert.deepStrictEqual(hunkHeaderLines(diff).map((i) => lines[i]), ['@@ -1,3 +1 @@', '@@ -10,2 +9,2 @@', '@@ -1,5 +1,5 @@', '@@ -1 +1 @@']);
  // In the order of the diff parser's hunks, file by file.
  const parsed = parseDiff(diff.replace('@@ -1,5 +1,5 @@', '@@ -1 +1 @@'), 't');
  assert.deepStrictEqual(parsed.map((p) => p.hunks.length), [2, 1, 1]);
});
