'use strict';
// PNode (src/parse/tree.ts), the plain copy of a syntax tree the IR builder reads, answers
// as tree-sitter's own SyntaxNode does: node by node, every property the builder uses and
// every field of the grammar, on every function of the fixture trees and on broken code.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const Parser = require('tree-sitter');
const C = require('tree-sitter-c');
const { materialise } = require('../dist/src/parse/tree');
const { maskCode, lineIndex, cutFunctions } = require('../dist/src/parse/cut');
const { fixtureTrees, walk } = require('./helpers');

const parser = new Parser();
parser.setLanguage(C);
const FIELDS = [...new Set(C.nodeTypeInfo.flatMap((t) => Object.keys(t.fields ?? {})))];
const key = (n) => (n ? `${n.type}@${n.startIndex}-${n.endIndex}` : 'null');

/** Differences between the binding's tree and the copy, as strings. */
function compare(src) {
  const tree = parser.parse(src);
  const copy = materialise(tree, src);
  const out = [];
  const stack = [[tree.rootNode, copy]];
  let nodes = 0;
  while (stack.length) {
    const [a, b] = stack.pop();
    nodes++;
    for (const k of ['type', 'isNamed', 'isMissing', 'hasError', 'startIndex', 'endIndex', 'text']) if (a[k] !== b[k]) out.push(`${key(a)} ${k}: ${a[k]} vs ${b[k]}`);
    for (const k of ['startPosition', 'endPosition']) if (a[k].row !== b[k].row || a[k].column !== b[k].column) out.push(`${key(a)} ${k}`);
    if (a.childCount !== b.childCount || a.namedChildren.length !== b.namedChildren.length) out.push(`${key(a)} children`);
    for (const f of FIELDS) if (key(a.childForFieldName(f)) !== key(b.childForFieldName(f))) out.push(`${key(a)} field ${f}`);
    for (let i = 0; i < Math.min(a.childCount, b.childCount); i++) stack.push([a.child(i), b.child(i)]);
  }
  return { out, nodes };
}

test('PNode: the copy equals the binding on every function of the fixture trees', () => {
  let nodes = 0, fns = 0;
  for (const root of fixtureTrees()) {
    for (const f of walk(root)) {
      const text = fs.readFileSync(f, 'latin1');
      for (const c of cutFunctions(maskCode(text), lineIndex(text))) {
        const r = compare(text.slice(c.headerStart, c.end));
        assert.deepStrictEqual(r.out, [], `${f}: ${c.name}`);
        nodes += r.nodes;
        fns++;
      }
    }
  }
  assert.ok(fns > 50 && nodes > 10000, `${fns} functions, ${nodes} nodes`);
});

test('PNode: broken code (ERROR and MISSING nodes, stray characters) as the binding sees it', () => {
  const cases = [
    // A stray parenthesis after an else branch, inside a macro-heavy body.
    'static int f(struct st *s)\n{\n\tDBG(\n\tif (s->x)\n\t\ta();\n\telse\n\t\tpr_dbg(S, s, "x\\n");\n\t\t);\n\treturn 0;\n}\n',
    // A lone backslash in code: a one-character ERROR leaf without error cost, for which
    // tree-sitter's hasError is false.
    'void g(void)\n{\n\tint a = 1; \\ b(a);\n}\n',
    // A missing semicolon and a missing closing parenthesis.
    'int h(int a)\n{\n\tint b = a\n\treturn k(a, b;\n}\n',
    // Declarations the grammar cannot read (macro types).
    'int i(void)\n{\n\tDECLARE_BITMAP(m, 64) = { 0 };\n\tLIST_HEAD(l) x;\n\tfor_each_thing(t, &l) { use(t); }\n\treturn 0;\n}\n',
    // Deep nesting (an else-if chain): the copy is iterative.
    `int j(int a)\n{\n${Array.from({ length: 400 }, (_, k) => `\t${k ? 'else ' : ''}if (a == ${k}) return ${k};`).join('\n')}\n\treturn -1;\n}\n`,
  ];
  for (const src of cases) {
    const r = compare(src);
    assert.deepStrictEqual(r.out, [], src.slice(0, 60));
  }
  // The cases do hold what they are meant to exercise.
  const t = parser.parse(cases[1]);
  const errors = [];
  const s = [t.rootNode];
  while (s.length) { const n = s.pop(); if (n.type === 'ERROR') errors.push(n); s.push(...n.children); }
  assert.ok(errors.some((n) => !n.hasError), 'an ERROR node without hasError in case 2');
});

// A type as a whole macro argument is made one name of the same length before the parse,
// so that the call around it stays a call (tree-sitter read `run(container_of(w, struct j,
// work));` as a declaration); casts and compound literals keep their types.
test('typeArgsAsNames: type arguments become names, casts and compound literals stay', () => {
  const { typeArgsAsNames } = require('../dist/src/parse/extract');
  const cases = [
    ['run(container_of(w, struct jb, work));', 'run(container_of(w, struct_jb, work));'],
    ['k(list_entry(p, union  u, n), 1);', 'k(list_entry(p, union__u, n), 1);'],
    ['x = (enum dir)v;', 'x = (enum dir)v;'],
    ['y = (struct pt){ .x = 1 };', 'y = (struct pt){ .x = 1 };'],
    ['static int f(struct jb *j, int n)', 'static int f(struct jb *j, int n)'],
  ];
  for (const [src, want] of cases) {
    const got = typeArgsAsNames(src);
    assert.strictEqual(got, want);
    assert.strictEqual(got.length, src.length);
  }
  // The call survives the parse.
  const body = typeArgsAsNames('void w(struct work_struct *w)\n{\n\trun(container_of(w, struct jb, work));\n}\n');
  const calls = [];
  const stack = [parser.parse(body).rootNode];
  while (stack.length) {
    const n = stack.pop();
    if (n.type === 'call_expression') calls.push(n.childForFieldName('function').text);
    stack.push(...n.namedChildren);
  }
  assert.deepStrictEqual(calls.sort(), ['container_of', 'run']);
});
