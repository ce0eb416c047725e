// Turns the relevant functions of one file into plain facts: a control-flow graph per
// function whose nodes carry small expression trees, and the call sites in them.
import { DRM_IOCTL_RE, DRM_IOCTL_ROLE, atomicRegistrations, fieldAtomicRole, fieldEntryRole, nameEntryRole, processRegistrations, sysfsHandlers } from '../kernel/entries';
import type Parser = require('tree-sitter');
import { createHash } from 'crypto';
import { materialise, type PNode as SyntaxNode } from './tree';
import { cutFunctions, isNamePastingMacro, lfText, lineIndex, lineOf, macroBuiltName, maskCode, parseHeader, type CutFunction, type LineIndex } from './cut';
import { clearHeaderCaches, preprocessFile, type PreprocessOptions } from '../preprocess/scope';
import { expandFunction, type ExpandedText } from '../preprocess/expand';
import { remapExpanded, undecidedIn } from '../preprocess/remap';
import { EXPANSION_TARGETS } from '../preprocess/targets';
import { gupEraAt, isGupName, mmapLockPrimitive, type Version } from '../kernel/api';
import { TimeLimitError } from '../errors';
import { intFields, intTypedefs, intWidth, NO_TYPES, UNSIGNED_TYPE } from './inttypes';
import type { CallSite, CfgNode, Expr, FileFacts, FunctionIR, MacroDef, Span } from './ir';

// tree-sitter and its C grammar are loaded by the first parse, not with this module: the
// main thread imports it for helpers (normSpace) and never parses.
let parser: Parser | null = null;
function getParser(): Parser {
  if (!parser) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const TreeSitter = require('tree-sitter') as typeof Parser;
    parser = new TreeSitter();
    parser.setLanguage(require('tree-sitter-c'));
  }
  return parser;
}

/** tree-sitter's default string input reads 32 KiB chunks; a callback over the whole text
 * avoids its limit on very long strings. */
function parseText(text: string): Parser.Tree {
  const p = getParser();
  p.setTimeoutMicros(deadline === Infinity ? 0 : Math.max(1000, Math.ceil((deadline - Date.now()) * 1000)));
  const tree = text.length < 30000 ? p.parse(text) : p.parse((index: number) => text.slice(index, index + 16384));
  if (!tree) {
    p.reset(); // a timed-out parser would otherwise resume the old text on its next parse
    throw new TimeLimitError(`timed out after ${limitMs} ms (in the parser)`);
  }
  return tree;
}

/** The time limit of the current task, set by the worker. It is enforced here, not by
 * terminating the worker: tree-sitter reads its input through a JavaScript callback, and a
 * worker terminated inside a parse aborts the whole process. Parsing stops through
 * tree-sitter's own timeout and the IR builder checks the clock as it goes. */
let deadline = Infinity;
let limitMs = 0;
/** Drop what the preprocessor kept of the tree (between audits: see WorkerPool.beginAudit). */

/** Boolean constants of C projects that predate stdbool (`TRUE`, `IMG_FALSE`, `NV_TRUE`). */
const BOOL_CONSTANT = /^(?:[A-Z][A-Z0-9]*_)?(TRUE|FALSE)$/;
export function clearTreeCaches(): void {
  clearHeaderCaches();
  clearFileMemo();
}

export function setDeadline(ms: number | undefined): void {
  limitMs = ms ?? 0;
  deadline = ms ? Date.now() + ms : Infinity;
}
function checkDeadline(): void {
  if (Date.now() > deadline) throw new TimeLimitError(`timed out after ${limitMs} ms`);
}

interface Pred { n: number; s: number }

const STATEMENT_TYPES = new Set([
  'compound_statement', 'declaration', 'expression_statement', 'if_statement', 'while_statement',
  'do_statement', 'for_statement', 'switch_statement', 'case_statement', 'break_statement',
  'continue_statement', 'return_statement', 'goto_statement', 'labeled_statement',
  'attributed_statement', 'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif',
  'ERROR', 'function_definition', 'preproc_call', 'preproc_def', 'preproc_function_def',
  'type_definition', 'preproc_include', 'gnu_asm_expression',
]);

const MACRO_LOOP = /(for_each|_each_|^for_|_for$|_loop$|^loop_)/;

/** Nesting limits. Expressions and statements nested deeper than this are not walked
 * recursively: their calls are kept, in evaluation order, as a flat sequence (statements:
 * one stmt node), and the function says so in `truncated` (a notification). This keeps the
 * worker's stack and the structured clone of the result (which fails silently on very deep
 * objects) safe, and bounds every recursive walker over Expr downstream (lockstate,
 * region, analysis/expr) by the same depth. Real kernel code nests a few dozen levels. */
export const MAX_EXPR_DEPTH = 256;
/** Work counters (per thread) that tests bound: successors compared when linking CFG edges. */
export const extractCounters = { linkScans: 0 };
export const MAX_STMT_DEPTH = 256;

/** Whitespace-normalised text without comments: call texts (fingerprints, fix checks). */
export function normSpace(s: string): string {
  return s.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ').replace(/\s+/g, ' ').trim();
}

class FunctionBuilder {
  nodes: CfgNode[] = [];
  calls: CallSite[] = [];
  labels = new Map<string, number>();
  gotos: { from: Pred[]; label: string }[] = [];
  breakStack: number[] = [];
  contStack: number[] = [];
  aliases = new Map<string, string | null>();
  /** Local scalars by name: declared with an unsigned type everywhere (true), or not. */
  unsignedLocals = new Map<string, boolean>();
  /** Locals declared as a struct value (`struct drv_args a;`, not a pointer or an array). */
  structLocals = new Set<string>();
  /** Every name the body declares (scalars, pointers, arrays). */
  declared = new Set<string>();
  /** Last lines of the blocks being built, innermost last (the function body's not among them). */
  blockEnds: number[] = [];
  /** The last line of the statement a `scoped_guard(...)` call in this statement guards. */
  scopedEnd: number | undefined;
  nextStmt: SyntaxNode | undefined;
  /** Scalars by name: their integer width (negative: signed), false where unknown or the
   * name is declared twice with other types. */
  intWidths = new Map<string, number | false>();
  errors = 0;
  exit: number;
  /** Nesting cut-offs met (see MAX_EXPR_DEPTH). */
  cutoffs = new Set<string>();
  private exprDepth = 0;
  private stmtDepth = 0;
  private ticks = 0;
  private stmtStart = 0;
  private stmtEnd = 0;

  constructor(
    private readonly lineBase: number,
    private readonly offBase: number,
    private readonly text: string,
    /** The file's own names of integer types (typedefs), with their widths. */
    readonly intTypes: ReadonlyMap<string, number> = NO_TYPES,
  ) {
    this.newNode('entry', null, lineBase + 1);
    this.exit = this.newNode('exit', null, lineBase + 1);
  }

  newNode(kind: CfgNode['kind'], expr: Expr | null, line: number): number {
    const id = this.nodes.length;
    this.nodes.push({ id, kind, expr, succ: kind === 'branch' ? [-1, -1] : [], line });
    return id;
  }

  link(preds: Pred[], to: number): void {
    for (const p of preds) {
      const node = this.nodes[p.n];
      if (p.s >= 0) node.succ[p.s] = to;
      else if (node.succ.length < 16) { extractCounters.linkScans += node.succ.length; if (!node.succ.includes(to)) node.succ.push(to); }
      else {
        // A switch with thousands of cases: a set, not a scan per link (was quadratic).
        let seen = this.succSets.get(p.n);
        if (!seen) { seen = new Set(node.succ); this.succSets.set(p.n, seen); }
        if (!seen.has(to)) { seen.add(to); node.succ.push(to); }
      }
    }
  }
  private succSets = new Map<number, Set<number>>();

  span(n: SyntaxNode): Span {
    return {
      line: n.startPosition.row + this.lineBase + 1,
      col: n.startPosition.column + 1 + (n.startPosition.row === 0 ? 0 : 0),
      endLine: n.endPosition.row + this.lineBase + 1,
      endCol: n.endPosition.column + 1,
    };
  }

  line(n: SyntaxNode): number {
    return n.startPosition.row + this.lineBase + 1;
  }

  label(name: string): number {
    let id = this.labels.get(name);
    if (id === undefined) {
      id = this.newNode('join', null, 0);
      this.labels.set(name, id);
    }
    return id;
  }

  /** A stmt node for an expression; returns the fall-through preds. */
  exprStmt(n: SyntaxNode, expr: Expr, preds: Pred[]): Pred[] {
    const id = this.newNode('stmt', expr, this.line(n));
    this.link(preds, id);
    return [{ n: id, s: -1 }];
  }

  withStmt<T>(n: SyntaxNode, f: () => T): T {
    const s = this.stmtStart, e = this.stmtEnd;
    this.stmtStart = n.startIndex + this.offBase;
    this.stmtEnd = n.endIndex + this.offBase;
    try { return f(); } finally { this.stmtStart = s; this.stmtEnd = e; }
  }

  // ---- statements ----

  block(children: SyntaxNode[], preds: Pred[]): Pred[] {
    let cur = preds;
    for (let i = 0; i < children.length; i++) {
      const c = children[i];
      if (c.type === 'comment') continue;
      const next = children[i + 1];
      // (The statement after this one, for a scoped_guard() in it: see scopedEnd.)
      this.nextStmt = children.slice(i + 1).find((x) => x.type !== 'comment');
      // `list_for_each_entry(pos, head, member) { ... }`: tree-sitter sees a call with a
      // missing `;` followed by a block. A loop macro runs its block zero or more times.
      if (c.type === 'expression_statement' && next && next.type === 'compound_statement' && !c.text.trimEnd().endsWith(';')) {
        const call = c.namedChildren[0];
        const callee = call?.type === 'call_expression' ? call.childForFieldName('function')?.text ?? '' : '';
        if (MACRO_LOOP.test(callee)) {
          cur = this.loopMacro(c, next, cur);
          i++;
          continue;
        }
      }
      // `#ifdef X / if (a) / #else / if (b) / #endif / stmt;`: each arm ends in an `if`
      // whose body is the statement after `#endif` (tree-sitter sees ifs with a missing
      // body, then the statement on its own).
      if ((c.type === 'preproc_if' || c.type === 'preproc_ifdef') && next && next.type !== 'comment') {
        const arms = splitIfArms(c);
        if (arms) {
          const into: Pred[] = [];
          const skip: Pred[] = [];
          // One configuration or another: a chain of branches with unknown conditions.
          let from = cur;
          arms.forEach((arm, k) => {
            let at = from;
            if (k < arms.length - 1) {
              const br = this.newNode('branch', null, this.line(c));
              this.link(from, br);
              at = [{ n: br, s: 0 }];
              from = [{ n: br, s: 1 }];
            }
            const last = arm[arm.length - 1];
            if (!last || last.type !== 'if_statement') { into.push(...this.block(arm, at)); return; }
            const before = this.block(arm.slice(0, -1), at);
            const cond = last.childForFieldName('condition');
            const ib = this.withStmt(cond ?? last, () => this.newNode('branch', cond ? this.expr(cond) : null, this.line(last)));
            this.link(before, ib);
            into.push({ n: ib, s: 0 });
            skip.push({ n: ib, s: 1 });
          });
          cur = [...this.stmt(next, into), ...skip];
          i++;
          continue;
        }
      }
      cur = this.stmt(c, cur);
    }
    return cur;
  }

  loopMacro(head: SyntaxNode, body: SyntaxNode, preds: Pred[]): Pred[] {
    const expr = this.withStmt(head, () => this.expr(head.namedChildren[0]));
    const br = this.newNode('branch', expr, this.line(head));
    this.nodes[br].loop = true;
    this.link(preds, br);
    this.breakStack.push(-1);
    const brk: Pred[] = [];
    const saveB = this.breakTargets; this.breakTargets = brk;
    this.contStack.push(br);
    const out = this.stmt(body, [{ n: br, s: 0 }]);
    this.contStack.pop();
    this.breakStack.pop();
    this.breakTargets = saveB;
    this.link(out, br);
    return [{ n: br, s: 1 }, ...brk];
  }

  breakTargets: Pred[] = [];
  contTargets: Pred[] = [];

  stmt(n: SyntaxNode, preds: Pred[]): Pred[] {
    if (this.stmtDepth >= MAX_STMT_DEPTH) {
      this.cutoffs.add(`statements nested deeper than ${MAX_STMT_DEPTH} levels`);
      return this.withStmt(n, () => this.exprStmt(n, this.flatCalls(n), preds));
    }
    if ((++this.ticks & 255) === 0) checkDeadline();
    this.stmtDepth++;
    try { return this.stmtNode(n, preds); } finally { this.stmtDepth--; }
  }

  private stmtNode(n: SyntaxNode, preds: Pred[]): Pred[] {
    switch (n.type) {
      case 'compound_statement': {
        // (Its last line bounds a guard() declared in it: see CallSite.scopeEnd.)
        this.blockEnds.push(this.span(n).endLine);
        try { return this.block(n.namedChildren, preds); } finally { this.blockEnds.pop(); }
      }
      case 'expression_statement': {
        const e = n.namedChildren[0];
        if (!e) return preds;
        // `scoped_guard(class, lock) { ... }` parses as a call missing its `;` and the
        // statement after it: the guard lasts to that statement's last line.
        const next = e.type === 'call_expression' && e.childForFieldName('function')?.text === 'scoped_guard' ? this.nextStmt : undefined;
        this.scopedEnd = next ? this.span(next).endLine : undefined;
        try { return this.withStmt(n, () => this.exprStmt(n, this.expr(e), preds)); } finally { this.scopedEnd = undefined; }
      }
      case 'declaration':
        return this.withStmt(n, () => this.declaration(n, preds));
      case 'if_statement':
        return this.ifStmt(n, preds);
      case 'while_statement':
        return this.whileStmt(n, preds);
      case 'do_statement':
        return this.doStmt(n, preds);
      case 'for_statement':
        return this.forStmt(n, preds);
      case 'switch_statement':
        return this.switchStmt(n, preds);
      case 'break_statement':
        for (const p of preds) this.breakTargets.push(p);
        return [];
      case 'continue_statement': {
        const to = this.contStack[this.contStack.length - 1];
        if (to !== undefined) this.link(preds, to);
        return [];
      }
      case 'return_statement':
        return this.returnStmt(n, preds);
      case 'goto_statement': {
        const l = n.childForFieldName('label');
        if (l) this.gotos.push({ from: preds, label: l.text });
        return [];
      }
      case 'labeled_statement':
        return this.labeledStmt(n, preds);
      case 'attributed_statement':
        return this.block(n.namedChildren.filter((x) => x.type !== 'attribute_declaration'), preds);
      case 'preproc_if':
      case 'preproc_ifdef':
      case 'preproc_elif':
      case 'preproc_elifdef':
        return this.preprocBranch(n, preds);
      case 'preproc_else':
        return this.block(n.namedChildren, preds);
      case 'ERROR':
        this.errors++;
        return this.block(n.namedChildren, preds);
      case 'function_definition': {
        const body = n.childForFieldName('body');
        return body ? this.stmt(body, preds) : preds;
      }
      case 'comment':
      case 'preproc_include':
      case 'preproc_def':
      case 'preproc_function_def':
      case 'preproc_call':
      case 'type_definition':
      case 'struct_specifier':
      case 'enum_specifier':
      case 'union_specifier':
        return preds;
      default: {
        if (n.type.endsWith('_declaration') || n.type.endsWith('_specifier') || n.type.endsWith('_declarator')) {
          // Stray declaration pieces inside ERROR recovery: look for initialisers with calls.
          return this.withStmt(n, () => this.exprStmt(n, this.expr(n), preds));
        }
        return this.withStmt(n, () => this.exprStmt(n, this.expr(n), preds));
      }
    }
  }

  /** A loop's or `if`'s condition node: a branch on the condition (null when absent). */
  private condBranch(cond: SyntaxNode | null, n: SyntaxNode, line: number): number {
    return this.withStmt(cond ?? n, () => this.newNode('branch', cond ? this.expr(cond) : null, line));
  }

  private ifStmt(n: SyntaxNode, preds: Pred[]): Pred[] {
    // `else if` chains are followed in a loop, not by recursion (they can be long).
    const out: Pred[] = [];
    let cur: SyntaxNode = n;
    let into = preds;
    for (;;) {
      const cond = cur.childForFieldName('condition');
      const br = this.condBranch(cond, cur, this.line(cur));
      this.link(into, br);
      const cons = cur.childForFieldName('consequence');
      const alt = cur.childForFieldName('alternative');
      out.push(...(cons ? this.stmt(cons, [{ n: br, s: 0 }]) : [{ n: br, s: 0 }]));
      const f: Pred[] = [{ n: br, s: 1 }];
      if (!alt) { out.push(...f); break; }
      const inner = alt.type === 'else_clause' ? alt.namedChildren.filter((x) => x.type !== 'comment') : [alt];
      if (inner.length === 1 && inner[0].type === 'if_statement') { cur = inner[0]; into = f; continue; }
      out.push(...this.block(inner, f));
      break;
    }
    return out;
  }

  private whileStmt(n: SyntaxNode, preds: Pred[]): Pred[] {
    const cond = n.childForFieldName('condition');
    const br = this.condBranch(cond, n, this.line(n));
    this.nodes[br].loop = true;
    this.link(preds, br);
    const body = n.childForFieldName('body');
    const [out, brk] = this.loopBody(body, [{ n: br, s: 0 }], br);
    this.link(out, br);
    return [{ n: br, s: 1 }, ...brk];
  }

  private doStmt(n: SyntaxNode, preds: Pred[]): Pred[] {
    const head = this.newNode('join', null, this.line(n));
    this.link(preds, head);
    const cond = n.childForFieldName('condition');
    const br = this.condBranch(cond, n, cond ? this.line(cond) : this.line(n));
    this.nodes[br].loop = true;
    const body = n.childForFieldName('body');
    const [out, brk] = this.loopBody(body, [{ n: head, s: -1 }], br);
    this.link(out, br);
    this.link([{ n: br, s: 0 }], head);
    // `do { } while (0)`: the false edge is the only way out.
    const c = cond ? cond.text.replace(/[()\s]/g, '') : '';
    if (c === '0') this.nodes[br].succ[0] = -2;
    return [{ n: br, s: 1 }, ...brk];
  }

  private forStmt(n: SyntaxNode, preds: Pred[]): Pred[] {
    let cur = preds;
    const init = n.childForFieldName('initializer');
    if (init) cur = init.type === 'declaration' ? this.withStmt(init, () => this.declaration(init, cur)) : this.withStmt(init, () => this.exprStmt(init, this.expr(init), cur));
    const cond = n.childForFieldName('condition');
    const br = this.condBranch(cond, n, this.line(n));
    this.nodes[br].loop = true;
    if (!cond) this.nodes[br].expr = { kind: 'num', value: 1, text: '1' };
    this.link(cur, br);
    const update = n.childForFieldName('update');
    let contTo = br;
    let upd = -1;
    if (update) {
      upd = this.withStmt(update, () => this.newNode('stmt', this.expr(update), this.line(update)));
      this.link([{ n: upd, s: -1 }], br);
      contTo = upd;
    }
    const body = n.childForFieldName('body');
    const [out, brk] = this.loopBody(body, [{ n: br, s: 0 }], contTo);
    this.link(out, contTo);
    return [{ n: br, s: 1 }, ...brk];
  }

  private switchStmt(n: SyntaxNode, preds: Pred[]): Pred[] {
    const cond = n.childForFieldName('condition');
    const sw = this.withStmt(cond ?? n, () => this.newNode('stmt', cond ? this.expr(cond) : null, this.line(n)));
    this.link(preds, sw);
    const body = n.childForFieldName('body');
    const brk: Pred[] = [];
    const saveB = this.breakTargets; this.breakTargets = brk;
    this.breakStack.push(-1);
    let fall: Pred[] = [];
    let hasDefault = false;
    // Entering a case assumes `cond == value` (an assume node whose false edge goes
    // nowhere), so that guards computed from the same value stay correlated.
    const swExpr = this.nodes[sw].expr;
    const pure = swExpr !== null && !JSON.stringify(swExpr).includes('"k":"call"');
    const others = (body?.namedChildren ?? []).filter((x) => x.type === 'case_statement').map((x) => x.childForFieldName('value')).filter((x): x is SyntaxNode => !!x);
    for (const c of body?.namedChildren ?? []) {
      if (c.type === 'case_statement') {
        const j = this.caseEntry(c, sw, pure ? swExpr : null, others);
        this.link(fall, j);
        if (!c.childForFieldName('value')) hasDefault = true;
        const stmts = c.namedChildren.filter((x) => x !== c.childForFieldName('value'));
        fall = this.block(stmts, [{ n: j, s: -1 }]);
      } else if (c.type !== 'comment') {
        fall = this.stmt(c, fall);
      }
    }
    this.breakStack.pop();
    this.breakTargets = saveB;
    const out = [...fall, ...brk];
    if (!hasDefault) out.push({ n: sw, s: -1 });
    return out;
  }

  /** The join node a case label starts, entered from the switch node `sw` through an
   * assume node (`swExpr == value`, or for default none of the `others` labels) when the
   * switched expression is pure (`swExpr` not null). */
  private caseEntry(c: SyntaxNode, sw: number, swExpr: Expr | null, others: SyntaxNode[]): number {
    const j = this.newNode('join', null, this.line(c));
    const value = c.childForFieldName('value');
    let assume: Expr | null = null;
    if (swExpr && value) assume = { kind: 'bin', op: '==', left: swExpr, right: this.expr(value) };
    else if (swExpr && others.length && others.length <= 16) {
      // default: none of the labels matched.
      assume = others.map((o): Expr => ({ kind: 'bin', op: '!=', left: swExpr, right: this.expr(o) })).reduce((x, y) => ({ kind: 'bin', op: '&&', left: x, right: y }));
    }
    if (assume) {
      const a = this.newNode('branch', assume, this.line(c));
      this.link([{ n: sw, s: -1 }], a);
      this.link([{ n: a, s: 0 }], j);
    } else this.link([{ n: sw, s: -1 }], j);
    return j;
  }

  private returnStmt(n: SyntaxNode, preds: Pred[]): Pred[] {
    const v = n.namedChildren.find((x) => x.type !== 'comment');
    const id = this.withStmt(n, () => this.newNode('stmt', v ? this.expr(v) : null, this.line(n)));
    this.nodes[id].ret = true;
    this.link(preds, id);
    this.link([{ n: id, s: -1 }], this.exit);
    return [];
  }

  private labeledStmt(n: SyntaxNode, preds: Pred[]): Pred[] {
    const l = n.childForFieldName('label');
    const j = this.label(l ? l.text : '?');
    this.nodes[j].line = this.line(n);
    this.link(preds, j);
    const inner = n.namedChildren.filter((x) => x !== l && x.type !== 'comment');
    return this.block(inner, [{ n: j, s: -1 }]);
  }

  /** `#if`/`#ifdef`/`#elif` inside a body: one configuration or the other, a branch with
   * an unknown condition (`#if 0` has no true arm). */
  private preprocBranch(n: SyntaxNode, preds: Pred[]): Pred[] {
    const condNode = n.childForFieldName('condition');
    const alt = n.childForFieldName('alternative');
    const nameNode = n.childForFieldName('name');
    const body = n.namedChildren.filter((x) => x !== condNode && x !== alt && x !== nameNode);
    const isIf0 = condNode && condNode.text.trim() === '0';
    const br = this.newNode('branch', null, this.line(n));
    const cond = n.type === 'preproc_if' || n.type === 'preproc_elif' ? condNode?.text
      : nameNode ? `defined(${nameNode.text})` : undefined;
    if (cond) this.nodes[br].pp = `${/^#\s*(ifndef|elifndef)/.test(n.text) ? '!' : ''}${cond.replace(/\\\r?\n/g, ' ').replace(/\s+/g, ' ').trim()}`;
    this.link(preds, br);
    const t = isIf0 ? [] : this.block(body, [{ n: br, s: 0 }]);
    const f = alt ? this.stmt(alt, [{ n: br, s: 1 }]) : [{ n: br, s: 1 }];
    return [...t, ...f];
  }

  loopBody(body: SyntaxNode | null, preds: Pred[], cont: number): [Pred[], Pred[]] {
    const brk: Pred[] = [];
    const saveB = this.breakTargets;
    this.breakTargets = brk;
    this.contStack.push(cont);
    const out = body ? this.stmt(body, preds) : preds;
    this.contStack.pop();
    this.breakTargets = saveB;
    return [out, brk];
  }

  declaration(n: SyntaxNode, preds: Pred[]): Pred[] {
    let cur = preds;
    const type = n.childForFieldName('type');
    const unsigned = isUnsignedType(type, this.intTypes);
    const width = type ? intWidth(normSpace(type.text), this.intTypes) : null;
    for (const d of n.namedChildren) {
      // A plain scalar (`got`, `got = 0`), not a pointer or an array of the type.
      const plain = d.type === 'identifier' ? d : d.type === 'init_declarator' && d.childForFieldName('declarator')?.type === 'identifier' ? d.childForFieldName('declarator') : null;
      if (plain) this.unsignedLocals.set(plain.text, unsigned && this.unsignedLocals.get(plain.text) !== false);
      if (plain && type?.type === 'struct_specifier') this.structLocals.add(plain.text);
      { const nm = d.type === 'identifier' ? d.text : d.type === 'init_declarator' ? (d.childForFieldName('declarator') ? declName(d.childForFieldName('declarator')!) : null) : d.type.endsWith('declarator') ? declName(d) : null; if (nm) this.declared.add(nm); }
      if (plain) { const was = this.intWidths.get(plain.text); this.intWidths.set(plain.text, was === undefined || was === width ? width ?? false : false); }
      else if (d.type === 'identifier' || d.type.endsWith('declarator')) { const nm = declName(d); if (nm) this.intWidths.set(nm, false); }
      if (d.type !== 'init_declarator') continue;
      const decl = d.childForFieldName('declarator');
      const value = d.childForFieldName('value');
      const name = decl ? declName(decl) : null;
      if (!name || !value) continue;
      const rhs = this.expr(value);
      this.noteAlias(name, value);
      cur = this.exprStmt(d, { kind: 'assign', op: '=', left: { kind: 'id', name: name }, right: rhs }, cur);
    }
    return cur;
  }

  noteAlias(name: string, value: SyntaxNode): void {
    let v = value;
    while (v.type === 'parenthesized_expression' || v.type === 'cast_expression') {
      const inner = v.type === 'cast_expression' ? v.childForFieldName('value') : v.namedChildren[0];
      if (!inner) break;
      v = inner;
    }
    // (`mm = NULL`, an initialiser or a reset after mmput(), names no mm: the one other
    // value the variable takes is still what it stands for.)
    if (v.type === 'null' || (v.type === 'identifier' && v.text === 'NULL') || (v.type === 'number_literal' && v.text === '0')) return;
    let text: string | null = null;
    if (v.type === 'identifier' || v.type === 'field_expression') text = normSpace(v.text);
    else if (v.type === 'call_expression') {
      const fn = v.childForFieldName('function')?.text;
      const args = v.childForFieldName('arguments')?.namedChildren ?? [];
      if (fn === 'get_task_mm' && args.length === 1) text = `${normSpace(args[0].text)}->mm`;
    }
    const prev = this.aliases.get(name);
    if (prev === undefined) this.aliases.set(name, text);
    else if (prev !== text) this.aliases.set(name, null);
  }

  // ---- expressions ----

  expr(n: SyntaxNode): Expr {
    if (this.exprDepth >= MAX_EXPR_DEPTH) {
      this.cutoffs.add(`expressions nested deeper than ${MAX_EXPR_DEPTH} levels`);
      return this.flatCalls(n);
    }
    if ((++this.ticks & 255) === 0) checkDeadline();
    this.exprDepth++;
    try { return this.exprNode(n); } finally { this.exprDepth--; }
  }

  /** The calls of a subtree in evaluation order (arguments before their call), each with
   * leaf arguments only, as a flat sequence: an iterative walk, used past the limits. */
  flatCalls(root: SyntaxNode): Expr {
    const items: Expr[] = [];
    const stack: [SyntaxNode, boolean][] = [[root, false]];
    while (stack.length) {
      const [n, after] = stack.pop()!;
      if ((++this.ticks & 255) === 0) checkDeadline();
      if (after) { items.push(this.call(n, true)); continue; }
      if (n.type === 'ERROR') this.errors++;
      if (n.type === 'call_expression') stack.push([n, true]);
      const kids = n.namedChildren;
      for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], false]);
    }
    return { kind: 'seq', items };
  }

  /** A leaf argument as an Expr without recursion (`x`, `0`, `NULL`, `&x`); else opaque. */
  leaf(n: SyntaxNode): Expr {
    switch (n.type) {
      case 'identifier': case 'number_literal': case 'null': case 'true': case 'false':
      case 'string_literal': case 'char_literal':
        return this.exprNode(n);
      case 'pointer_expression': {
        const arg = n.childForFieldName('argument');
        const op = n.childForFieldName('operator')?.text ?? '';
        if (arg && arg.type === 'identifier') return { kind: 'un', op, operand: { kind: 'id', name: arg.text } };
        return { kind: 'other', text: n.type, subs: [] };
      }
      default:
        return { kind: 'other', text: n.type, subs: [] };
    }
  }

  private exprNode(n: SyntaxNode): Expr {
    switch (n.type) {
      case 'identifier': {
        // A project's boolean constants (`IMG_TRUE`, `NV_FALSE`, `TRUE`): 1 and 0, as true
        // and false, so a lock-held flag set from them is followed like a bool.
        const b = BOOL_CONSTANT.exec(n.text);
        if (b) return { kind: 'num', value: b[1] === 'TRUE' ? 1 : 0, text: n.text };
        return { kind: 'id', name: n.text };
      }
      case 'number_literal': {
        const t = n.text.replace(/[uUlL]+$/, '');
        const v = /^0x/i.test(t) ? parseInt(t, 16) : /^\d+$/.test(t) ? parseInt(t, 10) : null;
        return { kind: 'num', value: v !== null && Number.isFinite(v) ? v : null, text: t };
      }
      case 'null':
        return { kind: 'null' };
      case 'true':
        return { kind: 'num', value: 1, text: 'true' };
      case 'false':
        return { kind: 'num', value: 0, text: 'false' };
      case 'string_literal':
      case 'concatenated_string':
      case 'char_literal':
        return { kind: 'str' };
      case 'parenthesized_expression': {
        const inner = n.namedChildren.filter((x) => x.type !== 'comment');
        if (inner.length === 1) return this.expr(inner[0]);
        return { kind: 'seq', items: inner.map((x) => this.expr(x)) };
      }
      case 'call_expression':
        return this.call(n);
      case 'unary_expression':
      case 'pointer_expression':
      case 'update_expression':
      case 'binary_expression':
      case 'assignment_expression':
      case 'conditional_expression':
      case 'comma_expression':
        return this.operatorExpr(n);
      case 'field_expression': {
        const a = n.childForFieldName('argument');
        const f = n.childForFieldName('field');
        const op = n.childForFieldName('operator')?.text ?? (n.text.includes('->') ? '->' : '.');
        return { kind: 'field', operand: a ? this.expr(a) : { kind: 'null' }, member: f?.text ?? '', arrow: op === '->' };
      }
      case 'subscript_expression': {
        const a = n.childForFieldName('argument');
        const i = n.childForFieldName('index') ?? n.namedChildren[1];
        return { kind: 'idx', operand: a ? this.expr(a) : { kind: 'null' }, index: i ? this.expr(i) : { kind: 'null' } };
      }
      case 'cast_expression': {
        const v = n.childForFieldName('value');
        if (!v) return { kind: 'other', text: n.type, subs: [] };
        const x = this.expr(v);
        return x.kind === 'id' ? { ...x, cast: true } : x;
      }
      case 'ERROR':
        this.errors++;
        return { kind: 'seq', items: n.namedChildren.filter((x) => x.type !== 'comment').map((x) => this.expr(x)) };
      case 'compound_statement': {
        // GNU statement expression `({ ... })` or a stray block: evaluate its contents in place.
        return { kind: 'seq', items: this.flatExprs(n) };
      }
      default: {
        const subs = n.namedChildren.filter((x) => x.type !== 'comment' && x.type !== 'type_descriptor' && !x.type.endsWith('type_identifier') && x.type !== 'primitive_type');
        return { kind: 'other', text: n.type, subs: subs.map((x) => this.expr(x)) };
      }
    }
  }

  /** Operator expressions: unary, update, binary, assignment, conditional and comma. */
  private operatorExpr(n: SyntaxNode): Expr {
    switch (n.type) {
      case 'unary_expression':
      case 'pointer_expression': {
        const op = n.childForFieldName('operator')?.text ?? n.child(0)?.text ?? '';
        const arg = n.childForFieldName('argument');
        return { kind: 'un', op, operand: arg ? this.expr(arg) : { kind: 'other', text: '', subs: [] } };
      }
      case 'update_expression': {
        const arg = n.childForFieldName('argument');
        const e = arg ? this.expr(arg) : { kind: 'other' as const, text: '', subs: [] };
        return { kind: 'assign', op: '+=', left: e, right: { kind: 'num', value: null, text: '?' } };
      }
      case 'binary_expression': {
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        const op = n.childForFieldName('operator')?.text ?? '';
        return { kind: 'bin', op, left: l ? this.expr(l) : { kind: 'null' }, right: r ? this.expr(r) : { kind: 'null' } };
      }
      case 'assignment_expression': {
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        const op = n.childForFieldName('operator')?.text ?? '=';
        if (l && r && l.type === 'identifier' && op === '=') this.noteAlias(l.text, r);
        return { kind: 'assign', op, left: l ? this.expr(l) : { kind: 'null' }, right: r ? this.expr(r) : { kind: 'null' } };
      }
      case 'conditional_expression': {
        const c = n.childForFieldName('condition');
        const t = n.childForFieldName('consequence');
        const f = n.childForFieldName('alternative');
        return { kind: 'cond', test: c ? this.expr(c) : { kind: 'null' }, whenTrue: t ? this.expr(t) : { kind: 'null' }, whenFalse: f ? this.expr(f) : { kind: 'null' } };
      }
      case 'comma_expression': {
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        return { kind: 'seq', items: [l, r].filter((x): x is SyntaxNode => !!x).map((x) => this.expr(x)) };
      }
      default:
        return { kind: 'other', text: n.type, subs: [] };
    }
  }

  /** Expressions of a nested block, in order (used for statement expressions). */
  flatExprs(n: SyntaxNode): Expr[] {
    const out: Expr[] = [];
    for (const c of n.namedChildren) {
      if (c.type === 'expression_statement' && c.namedChildren[0]) out.push(this.expr(c.namedChildren[0]));
      else if (c.type === 'declaration') {
        for (const d of c.namedChildren) {
          const v = d.type === 'init_declarator' ? d.childForFieldName('value') : null;
          const decl = d.type === 'init_declarator' ? d.childForFieldName('declarator') : null;
          const name = decl ? declName(decl) : null;
          if (name) this.declared.add(name);
          if (!v || !name) continue;
          // (As a block's declaration: `({ typeof(mm) _mm = (mm); mmap_read_lock(_mm); })`.)
          this.noteAlias(name, v);
          out.push({ kind: 'assign', op: '=', left: { kind: 'id', name: name }, right: this.expr(v) });
        }
      } else if (c.type !== 'comment') out.push(this.expr(c));
    }
    return out;
  }

  /** `flat`: past the nesting limit, the arguments' own calls are already in the sequence
   * (see flatCalls); the arguments become leaves. */
  call(n: SyntaxNode, flat = false): Expr {
    const fn = n.childForFieldName('function');
    const argsNode = n.childForFieldName('arguments');
    const pasted = fn ? pastedCallee(fn) : null;
    const name = pasted ?? (fn && fn.type === 'identifier' ? fn.text : null);
    const argNodes = (argsNode?.namedChildren ?? []).filter((x) => x.type !== 'comment');
    // Arguments are evaluated before the call: register their calls first.
    const args = argNodes.map((a) => (flat ? this.leaf(a) : this.expr(a)));
    const id = this.calls.length;
    const span = this.span(fn ?? n);
    const field = name ? undefined : calleeField(fn);
    this.calls.push({
      id,
      name,
      ...(field ? { field } : {}),
      // Past the nesting limit the texts are clipped (nested calls would make them quadratic).
      argText: argNodes.map((a) => normSpace(flat ? a.text.slice(0, 512) : a.text)),
      args,
      span,
      callSpan: this.span(n),
      stmtStart: this.stmtStart,
      stmtEnd: this.stmtEnd,
      text: normSpace(flat ? n.text.slice(0, 512) : n.text),
      ...((name === 'guard' || (fn?.type === 'call_expression' && fn.childForFieldName('function')?.text === 'guard')) && this.blockEnds.length ? { scopeEnd: this.blockEnds[this.blockEnds.length - 1] } : {}),
      ...(name === 'scoped_guard' && this.scopedEnd !== undefined ? { scopeEnd: this.scopedEnd } : {}),
    });
    if (!fn || !name) {
      // Calls through pointers: evaluate the callee expression for its side effects.
      return { kind: 'call', callee: null, args: fn && !flat ? [this.expr(fn), ...args] : args, call: id };
    }
    return { kind: 'call', callee: name, args, call: id };
  }
}

function isUnsignedType(t: SyntaxNode | null, own: ReadonlyMap<string, number> = NO_TYPES): boolean {
  if (!t) return false;
  const text = normSpace(t.text);
  return UNSIGNED_TYPE.test(text) || (own.get(text.replace(/^const\s+/, '')) ?? 0) > 0;
}

function declName(d: SyntaxNode): string | null {
  let cur: SyntaxNode | null = d;
  for (let i = 0; i < 8 && cur; i++) {
    if (cur.type === 'identifier') return cur.text;
    cur = cur.childForFieldName('declarator') ?? cur.namedChildren.find((x) => x.type === 'identifier' || x.type.endsWith('declarator')) ?? null;
  }
  return null;
}

/** The plain scalar parameters of the definition whose header ends by row `rel` that are
 * declared with an unsigned type. */
function unsignedParams(root: SyntaxNode, rel: number, own: ReadonlyMap<string, number>, widths?: Map<string, number | false>): string[] {
  const out: string[] = [];
  const stack: SyntaxNode[] = [root];
  for (let guard = 0; stack.length && guard < 200; guard++) {
    const n = stack.pop()!;
    if (n.startPosition.row > rel) continue;
    if (n.type === 'function_declarator') {
      const ps = n.childForFieldName('parameters');
      for (const p of ps?.namedChildren ?? []) {
        if (p.type !== 'parameter_declaration') continue;
        const d = p.childForFieldName('declarator');
        if (d?.type !== 'identifier') continue;
        if (isUnsignedType(p.childForFieldName('type'), own)) out.push(d.text);
        const t = p.childForFieldName('type');
        const w = t ? intWidth(normSpace(t.text), own) : null;
        if (widths && !widths.has(d.text)) widths.set(d.text, w ?? false);
      }
      return out;
    }
    if (n.type === 'compound_statement') continue;
    for (let i = n.namedChildren.length - 1; i >= 0; i--) stack.push(n.namedChildren[i]);
  }
  return out;
}

/** A type written as a whole argument of a macro (`container_of(w, struct job, work)`,
 * `list_entry(p, struct item, node)`, `offsetof(struct x, f)`) made one name of the same
 * length (`struct_job`). C's grammar has no such argument, and tree-sitter's error recovery
 * around it could take the enclosing call for a type (`run(container_of(...));` read as a
 * declaration): the call was lost. Casts (`(enum x)v`) and compound literals
 * (`(struct x){...}`) are left alone. */
export function typeArgsAsNames(src: string): string {
  if (!/[(,]\s*(?:struct|union|enum)\s/.test(src)) return src;
  return src.replace(/([(,]\s*)(struct|union|enum)(\s+)([A-Za-z_]\w*)(?=(\s*)([,)]))/g, (whole, pre: string, kw: string, sp: string, name: string, _ws: string, next: string, off: number) => {
    if (pre.startsWith('(') && next === ')') {
      // `(enum x)v` is a cast; `(struct x){ ... }` a compound literal.
      if (kw === 'enum') return whole;
      const after = src.slice(off + whole.length).match(/^\s*\)\s*(\S)/);
      if (after && after[1] === '{') return whole;
    }
    return `${pre}${kw}${'_'.repeat(sp.length)}${name}`;
  });
}

/** Build the IR of one cut function. */
function buildFunction(file: string, text: string, lines: LineIndex, cut: CutFunction, expanded?: ExpandedText | null, intTypes: ReadonlyMap<string, number> = NO_TYPES, fields: ReadonlyMap<string, number> = NO_TYPES): FunctionIR {
  const src = typeArgsAsNames(expanded ? expanded.text : text.slice(cut.headerStart, cut.end));
  const root = materialise(parseText(src), src);
  const rel = cut.braceLine - cut.headerLine;
  // The body: the compound_statement that starts at the column-0 `{`.
  let body: SyntaxNode | null = null;
  const stack: SyntaxNode[] = [root];
  while (stack.length && !body) {
    const n = stack.pop()!;
    if (n.type === 'compound_statement' && n.startPosition.row === rel && n.startPosition.column === (cut.braceCol ?? 0)) { body = n; break; }
    if (n.startPosition.row <= rel && n.endPosition.row >= rel) for (const c of n.namedChildren) stack.push(c);
  }
  const b = new FunctionBuilder(cut.headerLine, cut.headerStart, src, intTypes);
  let errors = 0;
  if (root.hasError) {
    const s = [root];
    // (No spread: an ERROR node of macro soup can have more children than a call takes arguments.)
    while (s.length) { const n = s.pop()!; if (n.type === 'ERROR' || n.isMissing) errors++; if (n.hasError) for (const ch of n.children) s.push(ch); }
  }
  // Parameters declared unsigned, as the locals are (a release helper's `unsigned int n`
  // takes a negative errno as a huge count).
  const paramWidths = new Map<string, number | false>();
  if (body) for (const p of unsignedParams(root, rel, intTypes, paramWidths)) if (!b.unsignedLocals.has(p)) b.unsignedLocals.set(p, true);
  const out = body ? b.block(body.namedChildren, [{ n: 0, s: -1 }]) : b.block([root], [{ n: 0, s: -1 }]);
  b.link(out, b.exit);
  for (const g of b.gotos) b.link(g.from, b.label(g.label));
  // Unlinked branch slots (e.g. a loop with a constant condition) fall to nothing.
  for (const n of b.nodes) if (n.kind === 'branch') n.succ = n.succ.map((s) => (s < 0 ? -1 : s));
  const nameLine = lineOf(lines, cut.nameOffset);
  const aliases: Record<string, string> = {};
  for (const [k, v] of b.aliases) if (v) aliases[k] = v;
  const unsignedVars = [...b.unsignedLocals].filter(([, u]) => u).map(([k]) => k).sort();
  // Integer widths of the scalars (a local shadows a parameter of its name) and of the
  // struct fields the function names (`->want`, `.want`, keyed '.want').
  const intWidths: Record<string, number> = {};
  for (const [k, w] of paramWidths) if (w !== false && !b.intWidths.has(k)) intWidths[k] = w;
  for (const [k, w] of b.intWidths) if (w !== false) intWidths[k] = w;
  if (fields.size) {
    for (const m of src.matchAll(/(?:->|\.)\s*([A-Za-z_]\w*)/g)) {
      const w = fields.get(m[1]);
      if (w !== undefined) intWidths[`.${m[1]}`] = w;
      const e = fields.get(`${m[1]}[]`);
      if (e !== undefined) intWidths[`.${m[1]}[]`] = e;
    }
  }
  return {
    name: cut.name,
    file,
    isStatic: cut.isStatic,
    ...(cut.isWeak ? { isWeak: true } : {}),
    span: { line: nameLine + 1, col: cut.nameOffset - lines.starts[nameLine] + 1, endLine: nameLine + 1, endCol: cut.nameOffset - lines.starts[nameLine] + 1 + (cut.nameInText ? cut.name.length : 0) },
    startLine: cut.headerLine + 1,
    endLine: cut.endLine + 1,
    params: cut.params,
    ...(cut.arity !== null ? { arity: cut.arity } : {}),
    acquires: cut.acquires,
    releases: cut.releases,
    mustHold: cut.mustHold,
    calls: b.calls,
    nodes: b.nodes,
    aliases,
    ...(unsignedVars.length ? { unsignedVars } : {}),
    ...(Object.keys(intWidths).length ? { intWidths } : {}),
    ...(b.structLocals.size ? { structLocals: [...b.structLocals].sort() } : {}),
    ...(b.declared.size ? { locals: [...b.declared].sort() } : {}),
    errors,
    ...(b.cutoffs.size ? { truncated: `${[...b.cutoffs].join('; ')}: the deeper part was analysed as a flat list of its calls` } : {}),
  };
}

/** `FNAME(fetch)` in `FNAME(fetch)(vcpu, ...)`: a function whose name a macro pastes (see
 * macroBuiltName), called by that name rather than through a pointer. */
function pastedCallee(fn: SyntaxNode): string | null {
  if (fn.type !== 'call_expression') return null;
  const macro = fn.childForFieldName('function');
  const args = fn.childForFieldName('arguments')?.namedChildren.filter((x) => x.type !== 'comment') ?? [];
  if (!macro || macro.type !== 'identifier' || !isNamePastingMacro(macro.text) || args.length !== 1 || args[0].type !== 'identifier') return null;
  return macroBuiltName(macro.text, args[0].text);
}

export interface ExtractRequest {
  /** Path relative to the tree root (as reported). */
  file: string;
  /** Absolute path to read. */
  abs: string;
  /** Identifiers that make a function relevant. */
  names: string[];
  /** GUP function names, for the token statistics. */
  gupNames: string[];
  /** Start lines of functions already extracted from this file (skip them). */
  skip?: number[];
  /** Read the file as the compiler would for the audited era/config (src/preprocess/). */
  preprocess?: PreprocessOptions;
}

const reCache = new Map<string, RegExp>();
function tokenRe(names: string[]): RegExp {
  const key = names.join('|');
  let re = reCache.get(key);
  if (!re) {
    // (No names: a pattern that never matches; an empty alternation would match the empty
    // string at every offset and never advance.)
    const alts = names.filter((n) => n.length > 0).map((n) => n.replace(/[$]/g, '\\$'));
    re = alts.length ? new RegExp(`\\b(${alts.join('|')})\\b`, 'g') : /(?!)/g;
    if (reCache.size > 64) reCache.clear();
    reCache.set(key, re);
  }
  re.lastIndex = 0;
  return re;
}

const MAX_MACRO_TEXT = 600;

/** The file's `#define`s with short replacement texts (comments are already masked). */
export function collectDefines(masked: string, lines: LineIndex): Record<string, MacroDef> {
  const out: Record<string, MacroDef> = {};
  const starts = lines.starts;
  const re = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\([^)]*\))?/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(masked))) {
    const line = lineOf(lines, m.index);
    let end = masked.indexOf('\n', m.index);
    if (end < 0) end = masked.length;
    // Continuation lines.
    while (end < masked.length && /\\\s*$/.test(masked.slice(starts[lineOf(lines, end - 1)] ?? 0, end))) {
      const next = masked.indexOf('\n', end + 1);
      end = next < 0 ? masked.length : next;
      if (end - m.index > MAX_MACRO_TEXT * 2) break;
    }
    const value = masked.slice(m.index + m[0].length, end).replace(/\\\s*\n/g, ' ').replace(/\s+/g, ' ').trim();
    if (value.length > MAX_MACRO_TEXT) continue;
    const params = m[2] !== undefined ? m[2].slice(1, -1).split(',').map((x) => x.trim()).filter(Boolean) : undefined;
    // The first definition wins (#ifdef alternatives usually agree on what matters here).
    if (!out[m[1]]) out[m[1]] = params ? { params, value, line: line + 1 } : { value, line: line + 1 };
  }
  return out;
}

/** The offset is in a `#define` (its first line, or a continuation line after one). */
function inDefine(masked: string, lines: LineIndex, off: number): boolean {
  let l = lineOf(lines, off);
  for (let k = 0; k < 16 && l >= 0; k++, l--) {
    const from = lines.starts[l];
    const to = l + 1 < lines.starts.length ? lines.starts[l + 1] - 1 : masked.length;
    const text = masked.slice(from, to);
    if (/^[ \t]*#[ \t]*define\b/.test(text)) return true;
    // (A continuation line: the line above ends with a backslash.)
    const above = l > 0 ? masked.slice(lines.starts[l - 1], from - 1) : '';
    if (!/\\[ \t]*$/.test(above)) return false;
  }
  return false;
}

/** `#define drv_gup(...) drv_compat_gup(__VA_ARGS__)`, `#define drv_gup drv_compat_gup`,
 * `#define drv_put(p) do { drv_release(p); } while (0)`: the whole value is one call of
 * (or the bare name of) another function. */
function aliasTarget(value: string): string | null {
  const v = value.replace(/^do\s*\{\s*/, '').replace(/\s*;?\s*\}\s*while\s*\(\s*0\s*\)$/, '').replace(/;$/, '').trim();
  const m = /^\(?([A-Za-z_]\w*)\)?/.exec(v);
  if (!m) return null;
  let rest = v.slice(m[0].length).trim();
  if (rest === '') return m[1];
  if (rest[0] !== '(' || /[;{}]/.test(rest)) return null;
  // The argument list is the whole rest: its first parenthesis closes at the end.
  let depth = 0;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '(') depth++;
    else if (rest[i] === ')' && --depth === 0) { rest = rest.slice(i + 1).trim(); break; }
  }
  return rest === '' ? m[1] : null;
}

/** Functions whose header is one use of a function-like macro of the file
 * (`#define DRV_HANDLER(n) long drv_op_ ## n(struct file *f, unsigned int cmd, unsigned long
 * arg)` and `DRV_HANDLER(ioctl) { ... }`): named and given parameters as the expansion
 * declares them (drv_op_ioctl(f, cmd, arg)), not after the macro. */
export function headersByFileMacros(cuts: CutFunction[], masked: string, lines: LineIndex, fromHeaders?: ReadonlyMap<string, { params?: string[]; value: string }>): CutFunction[] {
  if (!cuts.length || (!fromHeaders?.size && !/#\s*define\b/.test(masked))) return cuts;
  let defines: Record<string, { params?: string[]; value: string }> | null = null;
  for (const c of cuts) {
    const bodyAt = lines.starts[c.braceLine] + (c.braceCol ?? 0);
    const header = masked.slice(c.headerStart, bodyAt).replace(/\s+/g, ' ').trim();
    const m = /^([A-Za-z_]\w*)\s*\(([^()]*)\)$/.exec(header);
    if (!m || m[1] !== c.name.replace(/\(.*$/, '')) continue;
    defines ??= { ...Object.fromEntries(fromHeaders ?? []), ...collectDefines(masked, lines) };
    const d = Object.prototype.hasOwnProperty.call(defines, m[1]) ? defines[m[1]] : undefined;
    if (!d?.params) continue;
    const args = m[2].split(',').map((a) => a.trim());
    if (args.length !== d.params.length && !(args.length === 1 && args[0] === '' && d.params.length === 0)) continue;
    let text = d.value;
    d.params.forEach((p, i) => { text = text.replace(new RegExp(`\\b${p}\\b`, 'g'), args[i] ?? ''); });
    text = text.replace(/\s*##\s*/g, '');
    // (The expansion must end in a declarator: `type name(params)`.)
    if (!/\)\s*$/.test(text) || /[;{}]/.test(text)) continue;
    const h = parseHeader(text);
    if (!h || h.name === m[1]) continue;
    c.name = h.name;
    c.params = h.params;
    c.arity = h.arity;
    c.nameInText = false;
    if (h.isStatic) c.isStatic = true;
  }
  return cuts;
}

/** The defines that are another name of one of `names` (not of the kernel's API, whose
 * macros the preprocessing stage expands): [macro, function]. */
export function aliasMacros(defines: Record<string, MacroDef>, names: readonly string[]): [string, string][] {
  const wanted = new Set(names.filter((n) => !EXPANSION_TARGETS.has(n)));
  const out: [string, string][] = [];
  if (!wanted.size) return out;
  for (const [name, d] of Object.entries(defines)) {
    const t = aliasTarget(d.value);
    if (t && t !== name && wanted.has(t) && !EXPANSION_TARGETS.has(name)) out.push([name, t]);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The defines a piece of code names, followed through the defines' own texts. */
function macrosUsed(code: string, defines: Record<string, MacroDef>): Record<string, MacroDef> | undefined {
  const out: Record<string, MacroDef> = {};
  const todo = [code];
  let n = 0;
  while (todo.length && n < 64) {
    const t = todo.pop()!;
    for (const id of t.match(/[A-Za-z_]\w*/g) ?? []) {
      if (out[id] || !Object.prototype.hasOwnProperty.call(defines, id)) continue;
      out[id] = defines[id];
      todo.push(defines[id].value);
      n++;
    }
  }
  return n ? out : undefined;
}

/** The field a call through a pointer reads its target from: `ops->populate` and
 * `(*p->fn)` name `populate` and `fn`; other callee expressions name none. */
function calleeField(fn: SyntaxNode | null): string | undefined {
  let e = fn;
  while (e && (e.type === 'parenthesized_expression' || (e.type === 'pointer_expression' && e.childForFieldName('argument'))))
    e = e.type === 'pointer_expression' ? e.childForFieldName('argument') : e.namedChildren[0] ?? null;
  return e?.type === 'field_expression' ? e.childForFieldName('field')?.text : undefined;
}

// `.field = &fn` or `.field = fn` closed by `,` or `}` (designated initialisers, also in
// arrays of structs), and `x.field = fn;` / `p->field = &fn;` (assignments). Over masked
// text: comments and literals are blanks. `==` is not an assignment.
const INIT_FIELD_RE = /(?:\.|->)\s*([A-Za-z_]\w*)\s*=(?!=)\s*(?:&\s*)?([A-Za-z_]\w*)\s*(?=[,};])/g;

// A typed initialiser: `struct S name = {` or `struct S name[] = {` (qualifiers and
// attributes allowed), over masked text.
const TYPED_INIT_RE = /\bstruct\s+([A-Za-z_]\w*)\s+(?:const\s+)?(?:__[A-Za-z_]\w*(?:\([^()]*\))?\s+)*[A-Za-z_]\w*\s*(\[[^\]]*\])?\s*(?:__[A-Za-z_]\w*(?:\([^()]*\))?\s*)*=\s*\{/g;

interface TypedInit { struct: string; open: number; close: number; array: boolean }

/** The typed initialisers of a file, each with its brace span. */
function typedInitialisers(masked: string): TypedInit[] {
  const out: TypedInit[] = [];
  let m: RegExpExecArray | null;
  TYPED_INIT_RE.lastIndex = 0;
  while ((m = TYPED_INIT_RE.exec(masked))) {
    const open = m.index + m[0].length - 1;
    let depth = 0;
    let close = -1;
    for (let i = open; i < masked.length; i++) {
      const c = masked.charCodeAt(i);
      if (c === 123) depth++;
      else if (c === 125 && --depth === 0) { close = i; break; }
    }
    if (close < 0) break;
    out.push({ struct: m[1], open, close, array: m[2] !== undefined });
  }
  return out;
}

/** The struct type whose member the store at `at` initialises: the typed initialiser that
 * holds it at the member level (one brace deep, two in an array), or '?' (an assignment,
 * a nested or compound-literal initialiser: not known). */
function storeStruct(masked: string, inits: TypedInit[], at: number): string {
  const init = inits.find((t) => t.open < at && at < t.close);
  if (!init) return '?';
  let depth = 0;
  for (let i = init.open; i < at; i++) {
    const c = masked.charCodeAt(i);
    if (c === 123) depth++;
    else if (c === 125) depth--;
  }
  return depth === (init.array ? 2 : 1) ? init.struct : '?';
}

/** Function name -> the struct fields it is stored into in this file, each with the struct
 * types of those stores ('?' where the type is not known). */
function pointerFieldsOf(masked: string, names: Set<string>): Map<string, Map<string, Set<string>>> {
  const out = new Map<string, Map<string, Set<string>>>();
  let inits: TypedInit[] | undefined;
  let m: RegExpExecArray | null;
  INIT_FIELD_RE.lastIndex = 0;
  while ((m = INIT_FIELD_RE.exec(masked))) {
    if (!names.has(m[2])) continue;
    const fields = out.get(m[2]) ?? out.set(m[2], new Map()).get(m[2])!;
    const types = fields.get(m[1]) ?? fields.set(m[1], new Set()).get(m[1])!;
    types.add(storeStruct(masked, (inits ??= typedInitialisers(masked)), m.index));
  }
  return out;
}

/** The cut function whose text (header to closing brace) holds offset `off`, if any
 * (`cuts` sorted by offset). */
function cutAt(cuts: CutFunction[], off: number): CutFunction | null {
  let lo = 0, hi = cuts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = cuts[mid];
    if (off < c.headerStart) hi = mid - 1;
    else if (off >= c.end) lo = mid + 1;
    else return c;
  }
  return null;
}

/** GUP call-like tokens (a GUP name followed by `(`), for the attribution statistics. */
function gupCallSites(masked: string, gupNames: string[]): { name: string; off: number }[] {
  const gre = tokenRe(gupNames);
  const gupSites: { name: string; off: number }[] = [];
  let m: RegExpExecArray | null;
  while ((m = gre.exec(masked))) {
    const after = masked.slice(m.index + m[0].length, m.index + m[0].length + 40);
    if (!/^\s*\(/.test(after)) continue;
    gupSites.push({ name: m[1], off: m.index });
  }
  return gupSites;
}

/** Every GUP call-like token goes to `facts.gupTokens`; those no extracted call accounts for
 * go to `facts.unattributed`, with the reason. */
function attributeGupSites(facts: FileFacts, gupSites: { name: string; off: number }[], masked: string, lines: LineIndex, findCut: (off: number) => CutFunction | null): void {
  const seenCalls = new Set<string>();
  for (const f of facts.functions) {
    for (const k of f.calls) {
      seenCalls.add(`${f.startLine}:${k.name}:${k.span.line}:${k.span.col}`);
      // (A macro named like a GUP function, expanded: the token written is the macro's.)
      if (k.via) seenCalls.add(`${f.startLine}:${k.via}:${k.span.line}:${k.span.col}`);
    }
  }
  for (const s of gupSites) {
    const line = lineOf(lines, s.off);
    const col = s.off - lines.starts[line] + 1;
    facts.gupTokens.push({ name: s.name, line: line + 1, col });
    const c = findCut(s.off);
    const inBody = c && s.off > lines.starts[c.braceLine] + (c.braceCol ?? 0);
    if (c && inBody) {
      if (seenCalls.has(`${c.headerLine + 1}:${s.name}:${line + 1}:${col}`)) continue;
      facts.unattributed.push({ name: s.name, line: line + 1, reason: 'in a function body, but the parser did not see a call' });
      continue;
    }
    // Outside kernel-style bodies: prototypes, macro definitions, one-line inline functions.
    const lineText = masked.slice(lines.starts[line], lines.starts[line + 1] ?? masked.length);
    const prevCont = line > 0 && /\\\s*$/.test(masked.slice(lines.starts[line - 1], lines.starts[line]));
    if (/^\s*#\s*define\b/.test(lineText) || prevCont) facts.unattributed.push({ name: s.name, line: line + 1, reason: 'macro definition' });
    else if (c) facts.unattributed.push({ name: s.name, line: line + 1, reason: 'declaration (function header)' });
    // An indented call statement in a .c file is code in a body the cutter did not find.
    else if (!facts.file.endsWith('.h') && /^[ \t]+\S/.test(lineText) && /\)\s*;\s*$/.test(lineText) && !/^\s*(?:extern|static|typedef)\b/.test(lineText)) facts.unattributed.push({ name: s.name, line: line + 1, reason: 'code outside any function body the tool could find' });
    // A call after a `{` on its line (a body the cutter did not take: two functions on one
    // line, an indented definition) in a .c file is code too.
    else if (!facts.file.endsWith('.h') && lineText.slice(0, s.off - lines.starts[line]).includes('{') && /\(/.test(lineText.slice(s.off - lines.starts[line]))) facts.unattributed.push({ name: s.name, line: line + 1, reason: 'code outside any function body the tool could find' });
    else facts.unattributed.push({ name: s.name, line: line + 1, reason: 'declaration or code outside a column-0 function body' });
  }
}

/** Entry points whose lock state at entry is known (src/kernel/entries.ts): handlers of
 * file_operations tables, DRM ioctl tables, system calls, work items and kernel threads. */
function entryRoles(masked: string, fns: FunctionIR[], fields: Map<string, Map<string, Set<string>>>): void {
  let drm: Set<string> | undefined;
  let sysfs: Map<string, string> | undefined;
  const atomic = atomicRegistrations(masked);
  const process = processRegistrations(masked);
  for (const f of fns) {
    let atomicRole = atomic.get(f.name) ?? null;
    for (const [field, types] of fields.get(f.name) ?? []) for (const t of types) atomicRole ??= fieldAtomicRole(t, field);
    if (atomicRole) f.atomicEntry = atomicRole;
    // (Only a name SYSCALL_DEFINEn made: a function that merely starts with sys_, such as
    // fbdev's sys_copyarea(), is no system call.)
    let role = f.span.endCol === f.span.col ? nameEntryRole(f.name) : null;
    for (const [field, types] of fields.get(f.name) ?? []) for (const t of types) role ??= fieldEntryRole(t, field);
    if (!role && masked.includes('DRM_IOCTL_DEF')) {
      drm ??= new Set([...masked.matchAll(DRM_IOCTL_RE)].map((m) => m[1]));
      if (drm.has(f.name)) role = DRM_IOCTL_ROLE;
    }
    const worker = process.get(f.name);
    if (!role && worker) role = { lock: 'unheld', what: worker };
    if (!role) { sysfs ??= sysfsHandlers(masked); const w = sysfs.get(f.name); if (w) role = { lock: 'unheld', what: w }; }
    if (role) f.entry = role;
  }
}

/** Extract the functions of a file that mention any of `names`. */
/** What a file gives whatever the request's names: its masked text, the preprocessing's
 * result and the function cuts, and, computed when first needed, the `#define`s, integer
 * types and GUP call sites. Rounds ask the same files again for a few more functions (on
 * v4.9 a third of the extraction time went to masking, preprocessing and cutting files a
 * second or third time), so the worker keeps the last files' states (FileMemo). */
interface FileState {
  /** The SHA-1 of the bytes it was computed from, and their length. */
  digest: string;
  chars: number;
  text: string;
  /** Masked after the preprocessing (masking itself is cheap: the text masked before it,
   * for the early test, is not kept). */
  masked: string;
  lines: LineIndex;
  scope: ReturnType<typeof preprocessFile> | null;
  cuts: CutFunction[];
  defines?: Record<string, MacroDef>;
  types?: { intTypes: ReadonlyMap<string, number>; fields: ReadonlyMap<string, number> };
  gupSites?: { key: string; sites: { name: string; off: number }[] };
  /** The GUP function names the file defines as functions. */
  ownGup?: Set<string>;
  /** castMacros() of the file, and a pattern of their names (null: none). */
  casts?: { map: Map<string, string>; re: RegExp } | null;
}

/** Words of a C type name that a cast macro may hold (`(unsigned long)`, `(u32)`). */
const TYPE_WORDS = /^(?:unsigned|signed|const|volatile|int|long|short|char|void|bool|_Bool|float|double|(?:__)?[us](?:8|16|32|64)|\w+_t)$/;

/** Object-like macros of the file whose every definition (in whichever `#if` arm) is
 * nothing or a cast to a type, as compat layers write them before an argument or a call
 * (`#define DRV_NR_CAST (int)` in one configure arm, `#define DRV_NR_CAST` in the other):
 * name -> the text read in its place, padded to the name's length (offsets and lines stay):
 * the cast when every definition is that cast and it fits, else nothing. No parser reads
 * `DRV_NR_CAST nr` as one argument. */
export function castMacros(masked: string): Map<string, string> {
  const defs = new Map<string, Set<string>>();
  const functionLike = new Set<string>();
  for (const m of masked.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\(?)(.*)$/gm)) {
    // (A name that some arm defines as a function-like macro is not one.)
    if (m[2]) { functionLike.add(m[1]); continue; }
    const value = m[3].trim();
    let set = defs.get(m[1]);
    if (!set) defs.set(m[1], (set = new Set()));
    set.add(value);
  }
  const out = new Map<string, string>();
  for (const [name, values] of defs) {
    if (functionLike.has(name)) continue;
    const ok = [...values].every((v) => {
      if (v === '') return true;
      const c = /^\(\s*([A-Za-z_][\w\s]*?)\s*\**\s*\)$/.exec(v);
      return !!c && c[1].split(/\s+/).every((w) => TYPE_WORDS.test(w));
    });
    if (!ok) continue;
    const [only] = values;
    const read = values.size === 1 && only.length <= name.length ? only : '';
    out.set(name, read.padEnd(name.length, ' '));
  }
  return out;
}

/** The text and masked text with the uses of the cast macros in [from, to) read as
 * castMacros() says (a member named like one, `x.NAME`, `x->NAME`, is left alone). */
function readCasts(text: string, masked: string, from: number, to: number, casts: { map: Map<string, string>; re: RegExp }): { text: string; masked: string } | null {
  const body = masked.slice(from, to);
  const re = new RegExp(casts.re.source, 'g');
  let t = text.slice(from, to), mk = body, hit = false;
  for (const m of body.matchAll(re)) {
    const at = m.index!;
    const before = body.slice(Math.max(0, at - 2), at);
    if (/(?:\.|->)\s*$/.test(before)) continue;
    const lineStart = body.lastIndexOf('\n', at) + 1;
    if (/^[ \t]*#/.test(body.slice(lineStart, at))) continue;
    const rep = casts.map.get(m[0])!;
    t = t.slice(0, at) + rep + t.slice(at + rep.length);
    mk = mk.slice(0, at) + rep + mk.slice(at + rep.length);
    hit = true;
  }
  return hit ? { text: text.slice(0, from) + t + text.slice(to), masked: masked.slice(0, from) + mk + masked.slice(to) } : null;
}

/** The file states a worker keeps between requests of one audit, least recently used
 * first, bounded by the bytes of their files (a state holds two texts of the file's length,
 * its line index and cuts): the memory they take is bounded whatever the tree. 4 MB per
 * worker kept 414 of the 459 repeated requests of a v4.9 audit (6 MB: 435; 12 MB: 480) at
 * about the peak RSS the audit had without it; 6 MB took ~13 MB more (`--cache`, cold). */
export const FILE_MEMO_CHARS = 4 * 1024 * 1024;
const fileMemo = new Map<string, FileState>();
let fileMemoChars = 0;
/** Requests answered from a kept state (tests, --profile of the worker). */
export const fileMemoCounters = { hits: 0, misses: 0, evictions: 0 };

function memoGet(key: string, digest: string): FileState | undefined {
  const st = fileMemo.get(key);
  if (!st) return undefined;
  fileMemo.delete(key);
  // (Another version of the file: the state is stale.)
  if (st.digest !== digest) { fileMemoChars -= st.chars; return undefined; }
  fileMemo.set(key, st);
  return st;
}

function memoPut(key: string, st: FileState): void {
  // (A file larger than a quarter of the bound would evict everything for itself.)
  if (st.chars > FILE_MEMO_CHARS / 4) return;
  fileMemo.set(key, st);
  fileMemoChars += st.chars;
  for (const [k, old] of fileMemo) {
    if (fileMemoChars <= FILE_MEMO_CHARS) break;
    fileMemo.delete(k);
    fileMemoChars -= old.chars;
    fileMemoCounters.evictions++;
  }
}

/** Forget every kept file state (a new audit: headers and files may have changed). */
export function clearFileMemo(): void {
  fileMemo.clear();
  fileMemoChars = 0;
}

/** Directive groups (`#if`/`#elif`/`#else`/`#endif`, none nested) left undecided inside a
 * call's parentheses in [from, to), `get_user_pages(` / `#ifdef HAS_TASK` / `current,
 * current->mm,` / `#endif` / `start, nr, ...)`: no C parser reads a directive there. One
 * arm of each is kept (the directives and the other arms blanked, lines kept): of every
 * combination (at most 32), the first in which the most GUP calls have an argument count
 * of the audited version. The arm kept stays in the undecided range its lines are in, so
 * a finding there says `[only if ...]`. Null when there is no such group. */
function armsInParens(text: string, masked: string, from: number, to: number, version: Version): { text: string; masked: string } | null {
  const body = masked.slice(from, to);
  if (!/\n[ \t]*#[ \t]*(if|ifdef|ifndef)\b/.test(body)) return null;
  // Directive lines at a parenthesis depth above 0.
  const dirs: { at: number; end: number; kind: string }[] = [];
  let depth = 0;
  for (let i = from; i < to; i++) {
    const ch = masked.charCodeAt(i);
    if (ch === 40) depth++;
    else if (ch === 41) depth = Math.max(0, depth - 1);
    else if (ch === 10 && depth > 0) {
      // (With its continuation lines: `#if defined(A) || \` / `defined(B)`.)
      const m = /^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|else|endif)\b(?:[^\n]*\\[ \t]*\n)*[^\n]*/.exec(masked.slice(i + 1, Math.min(to, i + 1200)));
      if (m) { dirs.push({ at: i + 1, end: i + 1 + m[0].length, kind: m[1] }); i += m[0].length; }
    }
  }
  if (!dirs.length) return null;
  // Groups: [directive, ...] from an #if to its #endif, not nested.
  const groups: { dirs: typeof dirs; arms: [number, number][] }[] = [];
  let cur: typeof dirs | null = null;
  for (const d of dirs) {
    if (d.kind.startsWith('if')) { if (cur) return null; cur = [d]; }
    else if (!cur) return null;
    else {
      cur.push(d);
      if (d.kind === 'endif') {
        const arms: [number, number][] = [];
        for (let k = 0; k + 1 < cur.length; k++) arms.push([cur[k].end, cur[k + 1].at]);
        // (Without #else, no arm at all is the other way.)
        if (!cur.some((x) => x.kind === 'else')) arms.push([-1, -1]);
        groups.push({ dirs: cur, arms });
        cur = null;
      }
    }
  }
  if (cur || !groups.length) return null;
  let combos = 1;
  for (const g of groups) combos *= g.arms.length;
  if (combos > 32) return null;
  const blank = (s: string, ranges: [number, number][]): string => {
    const parts: string[] = [];
    let at = 0;
    for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
      if (a < 0 || b <= a) continue;
      parts.push(s.slice(at, a), s.slice(a, b).replace(/[^\n]/g, ' '));
      at = b;
    }
    parts.push(s.slice(at));
    return parts.join('');
  };
  const rangesFor = (pick: number[]): [number, number][] => {
    const out: [number, number][] = [];
    groups.forEach((g, gi) => {
      for (const d of g.dirs) out.push([d.at, d.end]);
      g.arms.forEach((arm, ai) => { if (ai !== pick[gi]) out.push(arm); });
    });
    return out;
  };
  const gupRe = /\b([A-Za-z_]\w*)\s*\(/g;
  const score = (s: string): number => {
    let n = 0;
    gupRe.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = gupRe.exec(s))) {
      if (!isGupName(m[1])) continue;
      // Top-level arguments of the call.
      let d = 0, args = 0, any = false;
      for (let i = m.index + m[0].length; i < s.length; i++) {
        const ch = s[i];
        if (ch === '(') d++;
        else if (ch === ')') { if (d === 0) break; d--; }
        else if (ch === ',' && d === 0) args++;
        else if (!/\s/.test(ch)) any = true;
      }
      if (gupEraAt(m[1], version)?.params.length === (any ? args + 1 : 0)) n++;
    }
    return n;
  };
  let best: number[] | null = null;
  let bestScore = -1;
  for (let k = 0; k < combos; k++) {
    const pick: number[] = [];
    let r = k;
    for (const g of groups) { pick.push(r % g.arms.length); r = Math.floor(r / g.arms.length); }
    const sc = score(blank(body, rangesFor(pick).map(([a, b]) => [a < 0 ? a : a - from, b < 0 ? b : b - from])));
    if (sc > bestScore) { bestScore = sc; best = pick; }
  }
  const ranges = rangesFor(best!);
  return { text: blank(text, ranges), masked: blank(masked, ranges) };
}

/** `memo`: the scope in which requests for the same path carry the same preprocessing
 * options (the worker passes its audit's number: one audit, one set of options); without
 * it, no state is kept or used. `digest`: the SHA-1 of the bytes, if the caller computed it. */
export function extractFile(req: ExtractRequest, text: string, memo?: string, digest?: string): FileFacts {
  text = lfText(text);
  const facts: FileFacts = { file: req.file, functions: [], gupTokens: [], unattributed: [], bytes: text.length, parseErrors: 0 };
  const skip = new Set(req.skip ?? []);
  // Masking only turns comments and literals into spaces, so a token that is not in the raw
  // text is not in the code either: a file without any (a prefilter hit on a substring,
  // such as copy_user_page for `user_page`) needs no masking, cutting or parsing.
  if (!tokenRe(req.names).test(text) && !(skip.size === 0 && tokenRe(req.gupNames).test(text))) return facts;
  const key = memo === undefined ? undefined : `${memo}\0${req.abs}`;
  // (`digest`: the SHA-1 of the file's bytes when the caller has it already, the cache key's.)
  digest ??= key === undefined ? '' : createHash('sha1').update(text, 'latin1').digest('hex');
  let st = key === undefined ? undefined : memoGet(key, digest);
  if (st) fileMemoCounters.hits++;
  else if (key !== undefined) fileMemoCounters.misses++;
  const maskedRaw = maskCode(text);
  // (Tokens only in comments or strings, `read_user_ptr may take the mm->mmap_lock`: nothing
  // to extract, and the preprocessing, which may read many headers, is not run.)
  if (!tokenRe(req.names).test(maskedRaw) && !(skip.size === 0 && tokenRe(req.gupNames).test(maskedRaw))) return facts;
  if (!st) {
    // The preprocessing stage: dead branches blanked (offsets kept), macros and wrappers
    // that reach the API expanded per function below.
    const lines = lineIndex(text);
    let liveCuts: CutFunction[] | undefined;
    const scope = req.preprocess ? preprocessFile(req.preprocess, req.abs, req.file, text, maskedRaw, EXPANSION_TARGETS, (m, b) => (liveCuts = cutFunctions(m, lines, b))) : null;
    const masked = scope ? scope.masked : maskedRaw;
    st = { digest, chars: text.length, text: scope ? scope.text : text, masked, lines, scope, cuts: headersByFileMacros(liveCuts ?? cutFunctions(masked, lines, scope?.blanked), masked, lines, scope?.declarators) };
    if (key !== undefined) memoPut(key, st);
  }
  const { lines, scope, cuts, masked } = st;
  text = st.text;
  if (scope?.deps.files.size) facts.deps = [...scope.deps.files].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  if (scope?.deps.version) facts.version = [req.preprocess!.versionCode, req.preprocess!.versionCodeMax];
  const wanted = new Set<CutFunction>();
  const findCut = (off: number): CutFunction | null => cutAt(cuts, off);
  const re = tokenRe(scope?.macros.size ? [...req.names, ...scope.macros.keys()] : req.names);
  let m: RegExpExecArray | null;
  let outside = false;
  while ((m = re.exec(masked))) {
    const c = findCut(m.index);
    if (c && !skip.has(c.headerLine + 1)) wanted.add(c);
    else if (!c && !outside && req.skip) outside = inDefine(masked, lines, m.index);
  }
  // A later round's request (the callers of module functions): a macro of the file that is
  // another name of one of them makes its callers callers too (src/stages/callers.ts).
  if (outside && req.skip) {
    const aliases = aliasMacros(collectDefines(masked, lines), req.names);
    if (aliases.length) facts.aliases = aliases;
  }
  // GUP call-like tokens, for the attribution statistics (first-round requests only).
  const gupKey = req.gupNames.join('|');
  if (skip.size === 0 && st.gupSites?.key !== gupKey) st.gupSites = { key: gupKey, sites: gupCallSites(masked, req.gupNames) };
  if (wanted.size && !st.defines) {
    const defines = collectDefines(masked, lines);
    // (The flag macros of the module headers it reads, where the file defines no such name.)
    if (scope?.flagMacros) for (const [k, v] of scope.flagMacros) if (!Object.prototype.hasOwnProperty.call(defines, k)) defines[k] = { value: v.value, line: v.line, file: v.file };
    st.defines = defines;
  }
  const defines = st.defines ?? {};
  // (The file's own typedefs and fields, then those of the module headers it reads.)
  if (wanted.size && !st.types) {
    const types = new Map([...(scope?.intTypes ?? []), ...intTypedefs(masked)]);
    const own = intFields(masked, types);
    const merged = new Map(scope?.intFields ?? []);
    for (const [k, v] of own) merged.set(k, v);
    st.types = { intTypes: types, fields: merged };
  }
  const intTypes: ReadonlyMap<string, number> = st.types?.intTypes ?? NO_TYPES;
  const fields: ReadonlyMap<string, number> = st.types?.fields ?? NO_TYPES;
  // (The atomic-section wrappers are expanded too, in the functions wanted for the API.)
  // (And the macros that jump, FileScope.control.)
  const expanding = scope?.atomic.size || scope?.control ? new Map([...(scope.control ?? []), ...scope.atomic, ...scope.macros]) : scope?.macros;
  for (const c of [...wanted].sort((a, b) => a.headerStart - b.headerStart)) {
    checkDeadline();
    const bodyAt = lines.starts[c.braceLine] + (c.braceCol ?? 0);
    // (Undecided `#if` groups inside a call's parentheses: one arm each, see armsInParens.)
    const arms = req.preprocess ? armsInParens(text, masked, bodyAt, c.end, [req.preprocess.versionCode >> 16, (req.preprocess.versionCode >> 8) & 0xff]) : null;
    let ftext = arms?.text ?? text;
    let fmasked = arms?.masked ?? masked;
    // (Cast macros: see castMacros.)
    if (st.casts === undefined) {
      const map = castMacros(masked);
      st.casts = map.size ? { map, re: new RegExp(`\\b(?:${[...map.keys()].join('|')})\\b`) } : null;
    }
    if (st.casts && st.casts.re.test(fmasked.slice(c.headerStart, c.end))) {
      const read = readCasts(ftext, fmasked, c.headerStart, c.end, st.casts);
      if (read) { ftext = read.text; fmasked = read.masked; }
    }
    const expanded = expanding?.size ? expandFunction(ftext.slice(c.headerStart, c.end), fmasked.slice(c.headerStart, c.end), expanding, bodyAt - c.headerStart) : null;
    const fn = buildFunction(req.file, ftext, lines, c, expanded, intTypes, fields);
    // (GUP names the file defines as functions: see CallSite.ownDef.)
    if (st.ownGup === undefined) { st.ownGup = ownApiNames(st.cuts, new Set(req.gupNames), masked, lines); for (const n of scope?.ownGup ?? []) st.ownGup.add(n); }
    if (st.ownGup.size) for (const call of fn.calls) if (call.name && st.ownGup.has(call.name)) call.ownDef = true;
    if (expanded) remapExpanded(fn, expanded, c.headerStart, ftext, lines);
    const under = scope ? undecidedIn(scope.undecided, fn.startLine, fn.endLine) : [];
    if (under.length) fn.undecided = under;
    const macros = macrosUsed(masked.slice(c.headerStart, c.end), defines);
    if (macros) fn.macros = macros;
    facts.parseErrors += fn.errors;
    facts.functions.push(fn);
  }
  if (facts.functions.length) {
    const fields = pointerFieldsOf(masked, new Set(facts.functions.map((f) => f.name)));
    for (const f of facts.functions) {
      const fs = fields.get(f.name);
      if (!fs) continue;
      f.pointerFields = [...fs.keys()];
      const typed = [...fs].filter(([, t]) => !t.has('?'));
      if (typed.length) f.fieldStructs = Object.fromEntries(typed.map(([k, t]) => [k, [...t].sort()]));
    }
    entryRoles(masked, facts.functions, fields);
  }
  if (skip.size === 0) attributeGupSites(facts, st.gupSites!.sites, masked, lines, findCut);
  return facts;
}

/** The arms of a `#if`/`#ifdef` group (with its `#elif`/`#else` alternatives) when at least
 * one ends in an `if` whose body is missing (`if (c)` just before the next directive): the
 * statement after `#endif` is then the body of each such `if`. Arms without such an `if`
 * end with their statements (the shared statement runs after them); a group without
 * `#else` has an empty last arm. Null for any other group. */
function splitIfArms(n: SyntaxNode): SyntaxNode[][] | null {
  const arms: SyntaxNode[][] = [];
  let cur: SyntaxNode | null = n;
  let dangling = 0;
  for (let guard = 0; cur && guard < 64; guard++) {
    const condNode = cur.childForFieldName('condition');
    const alt: SyntaxNode | null = cur.type === 'preproc_else' ? null : cur.childForFieldName('alternative');
    const nameNode = cur.childForFieldName('name');
    const body = cur.namedChildren.filter((x) => x !== condNode && x !== alt && x !== nameNode && x.type !== 'comment');
    if (condNode && condNode.text.trim() === '0') return null;
    const last = body[body.length - 1];
    if (last && last.type === 'if_statement') {
      const cons = last.childForFieldName('consequence');
      if (last.childForFieldName('alternative')) return null;
      if (!cons || cons.text.trim() === '') dangling++;
      else return null;
    }
    arms.push(body);
    if (cur.type === 'preproc_else') { cur = null; break; }
    if (!alt) { arms.push([]); cur = null; break; }
    cur = alt;
  }
  return dangling > 0 && !cur ? arms : null;
}

/** The GUP functions the file defines as functions (see CallSite.ownDef; those of the
 * module's headers it reads are added from its preprocessing scope), and the mmap-lock
 * primitives it defines with an empty body: a compat `static inline void
 * mmap_read_lock(struct mm_struct *mm) { }` for kernels before the primitive, which takes no
 * lock where the version lacks it. (A compat definition that takes the lock,
 * `down_read(&mm->mmap_sem)`, is the primitive as the kernel's is and is left alone.) */
function ownApiNames(cuts: CutFunction[], gup: ReadonlySet<string>, masked: string, lines: LineIndex): Set<string> {
  const out = new Set<string>();
  for (const c of cuts) {
    if (gup.has(c.name)) { out.add(c.name); continue; }
    if (!mmapLockPrimitive(c.name)) continue;
    const open = lines.starts[c.braceLine] + (c.braceCol ?? 0);
    if (/^\{\s*\}$/.test(masked.slice(open, c.end))) out.add(c.name);
  }
  return out;
}
