// A parsed function's syntax tree as plain JavaScript objects, copied out of tree-sitter in
// one cursor walk. The IR builder (./extract) reads every node several times (type,
// fields, children, positions, text); through node-tree-sitter each of those reads is a
// call into C++ that also creates (and registers) a JavaScript node object, which cost
// more than the parse itself. The copy makes ~6 cheap cursor calls per node, once.
//
// PNode offers the part of tree-sitter's SyntaxNode API the builder uses, with the same
// answers (test/tree.test.js compares them node by node with the binding's).
import type Parser = require('tree-sitter');

export interface Point { row: number; column: number }

/** Type name and named-ness per type id, and field ids by name, of the loaded grammar. */
const typeName: string[] = [];
const typeNamed: boolean[] = [];
const fieldIdByName = new Map<string, number>();

export class PNode {
  readonly children: PNode[] = [];
  /** Field id of each child (0: none). */
  readonly fieldIds: number[] = [];
  hasError = false;
  private named: PNode[] | null = null;

  constructor(
    readonly type: string,
    readonly isNamed: boolean,
    readonly isMissing: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
    private readonly src: string,
    /** Offsets of the line starts of src (shared by all nodes of one copy). */
    private readonly starts: number[],
  ) {}

  get text(): string { return this.src.slice(this.startIndex, this.endIndex); }

  /** Positions are computed when asked (few nodes are): one character per byte, so a
   * column is an offset from the line start. */
  get startPosition(): Point { return pointAt(this.starts, this.startIndex); }

  get endPosition(): Point { return pointAt(this.starts, this.endIndex); }

  get namedChildren(): PNode[] {
    return (this.named ??= this.children.filter((c) => c.isNamed));
  }

  get childCount(): number { return this.children.length; }

  child(i: number): PNode | null { return this.children[i] ?? null; }

  /** The first child in field `name`, as ts_node_child_by_field_name (which finds no
   * fields under an ERROR node, though the cursor reports some for its children). */
  childForFieldName(name: string): PNode | null {
    if (this.type === 'ERROR') return null;
    const id = fieldIdByName.get(name);
    if (id === undefined) return null;
    for (let i = 0; i < this.children.length; i++) if (this.fieldIds[i] === id) return this.children[i];
    return null;
  }
}

/** The row and column of offset `off`, given the line starts (binary search). */
function pointAt(starts: number[], off: number): Point {
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= off) lo = mid; else hi = mid - 1;
  }
  return { row: lo, column: off - starts[lo] };
}

/** Copy `tree` (parsed from `src`) into PNodes. Iterative: nesting depth is unbounded. */
export function materialise(tree: Parser.Tree, src: string): PNode {
  // Line starts of src, for positions (one character per byte: columns are offsets).
  const starts = [0];
  for (let p = src.indexOf('\n'); p >= 0; p = src.indexOf('\n', p + 1)) starts.push(p + 1);
  const cur = tree.walk() as Parser.TreeCursor & { nodeTypeId: number; currentFieldId: number; currentFieldName: string | null };
  const make = (): PNode => {
    const tid = cur.nodeTypeId;
    let name = typeName[tid];
    if (name === undefined) { name = typeName[tid] = cur.nodeType; typeNamed[tid] = cur.nodeIsNamed; }
    const s = cur.startIndex, e = cur.endIndex;
    return new PNode(name, typeNamed[tid], s === e ? cur.nodeIsMissing : false, s, e, src, starts);
  };
  const root = make();
  const stack: PNode[] = [root];
  /** The cursor has just moved onto a child of the top of the stack: make it, push it. */
  const enter = (): void => {
    const parent = stack[stack.length - 1];
    const fid = cur.currentFieldId;
    if (fid && !fieldIdByName.has(cur.currentFieldName!)) fieldIdByName.set(cur.currentFieldName!, fid);
    const n = make();
    parent.children.push(n);
    parent.fieldIds.push(fid);
    stack.push(n);
  };
  // Depth-first, pre-order: each node is made when the cursor reaches it.
  for (;;) {
    if (cur.gotoFirstChild()) { enter(); continue; }
    // A leaf, or a node whose children are done: close nodes until one has a next sibling.
    for (;;) {
      // (The cursor is on `done`.) An ERROR or MISSING node in the subtree is necessary for
      // tree-sitter's has_error, not sufficient (a one-character ERROR leaf can have no
      // error cost): where it may be true, the binding is asked, which is rare.
      const done = stack.pop()!;
      if (done.type === 'ERROR' || done.isMissing || done.children.some((c) => c.hasError)) done.hasError = cur.currentNode.hasError;
      if (stack.length === 0) return root;
      if (cur.gotoNextSibling()) { enter(); break; }
      cur.gotoParent();
    }
  }
}
