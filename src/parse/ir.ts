// Plain data produced by the parse workers. Nothing here references tree-sitter: trees do
// not cross threads, so a worker turns each relevant function into this intermediate form.

/** 1-based line and column, end exclusive (SARIF's convention). Columns count bytes of the
 * latin1-decoded text, which equals UTF-16 units on ASCII source lines. */
export interface Span {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

/** A tiny expression tree: enough for conditions, assignments, argument roles and texts.
 * `kind` says which node it is; a field means the same in every kind that has it
 * (`operand`: the expression a unary operator, a member access or a subscript applies to;
 * `left`/`right`: the two sides of a binary operator or an assignment). */
export type Expr =
  /** `cast`: read through a C cast (`(int)cnt`), which the IR otherwise drops. */
  | { kind: 'id'; name: string; cast?: true }
  /** `value`: a decimal or hex literal's number (true: 1, false: 0), else null. */
  | { kind: 'num'; value: number | null; text: string }
  | { kind: 'null' }
  | { kind: 'str' }
  /** `callee`: the identifier called (null through a pointer); `call`: its index in
   * FunctionIR.calls. */
  | { kind: 'call'; callee: string | null; args: Expr[]; call: number }
  | { kind: 'un'; op: string; operand: Expr }
  | { kind: 'bin'; op: string; left: Expr; right: Expr }
  /** `op`: `=` or a compound assignment (`+=`, `|=`, ...). */
  | { kind: 'assign'; op: string; left: Expr; right: Expr }
  /** `operand.member` or, with `arrow`, `operand->member`. */
  | { kind: 'field'; operand: Expr; member: string; arrow: boolean }
  /** `operand[index]`. */
  | { kind: 'idx'; operand: Expr; index: Expr }
  /** `test ? whenTrue : whenFalse`. */
  | { kind: 'cond'; test: Expr; whenTrue: Expr; whenFalse: Expr }
  /** The comma operator. */
  | { kind: 'seq'; items: Expr[] }
  /** Anything else (sizeof, compound literals, ...): its syntax node's type and its
   * sub-expressions. */
  | { kind: 'other'; text: string; subs: Expr[] };

export interface CallSite {
  /** Index in FunctionIR.calls. */
  id: number;
  /** Callee identifier, or null for calls through expressions (function pointers). */
  name: string | null;
  /** Calls through a struct field (`ops->populate(...)`, `(*p->fn)(...)`): the field name. */
  field?: string;
  /** Argument texts, whitespace-normalised. */
  argText: string[];
  args: Expr[];
  /** The callee identifier. */
  span: Span;
  /** The whole call expression. */
  callSpan: Span;
  /** Byte offsets of the enclosing statement in the file (for fixes), and its text. */
  stmtStart: number;
  stmtEnd: number;
  /** Normalised text of the call, used for fingerprints. */
  text: string;
  /** The macro (or static inline wrapper) whose use expanded to this call. */
  via?: string;
  /** A call of a GUP function's name that the file itself, or a module header it reads,
   * defines as a function (a module's compat `pin_user_pages()` for kernels without it):
   * where the audited version
   * lacks the name, the call is one of that function, not of the kernel's. Also a call of
   * an mmap-lock primitive the file defines with an empty body (a compat
   * `mmap_read_lock()` stub): where the version lacks the primitive, it takes no lock. */
  ownDef?: true;
  /** `guard(...)` (and the `guard(...)(lock)` call around it) in an inner block: the block's
   * last line (its section ends there; in the function's own body it ends with the
   * function). `scoped_guard(...)`: the last line of the statement it guards. */
  scopeEnd?: number;
}

export type CfgKind = 'entry' | 'exit' | 'stmt' | 'branch' | 'join';

export interface CfgNode {
  id: number;
  kind: CfgKind;
  /** stmt: the expression evaluated; branch: the condition (null = unknown, e.g. macro loop). */
  expr: Expr | null;
  /** branch: [true, false]; others: any number of successors. */
  succ: number[];
  line: number;
  /** stmt that ends in a return. */
  ret?: boolean;
  /** Set on the branch node of a loop header. */
  loop?: boolean;
  /** The branch of an `#if`/`#ifdef` the preprocessor left undecided: its condition as
   * written, whitespace-normalised, `!` first for `#ifndef` (`defined(CONFIG_X)`,
   * `!defined(CONFIG_X)`). Two tests of the same condition in one function are one
   * decision of the build. */
  pp?: string;
}

export interface FunctionIR {
  name: string;
  file: string;
  isStatic: boolean;
  /** A `__weak` default: the definitions of the same name elsewhere override it. */
  isWeak?: boolean;
  /** Struct fields this function is stored into in its file (designated initialisers
   * `.populate = &fn`, assignments `ops->populate = fn;`): calls through them reach it. */
  pointerFields?: string[];
  /** For a field of `pointerFields` stored only by typed initialisers
   * (`struct ttm_backend_func f = { .bind = fn }`): the struct types. */
  fieldStructs?: Record<string, string[]>;
  /** An entry point whose mmap-lock state at entry is known (a file_operations handler,
   * a DRM ioctl, a system call): src/kernel/entries.ts. */
  entry?: { lock: 'unheld' | 'held'; what: string };
  /** Registered as a callback the kernel runs in atomic context (src/kernel/entries.ts,
   * atomicEntryRoles): what it is, for messages ("an interrupt handler (request_irq())"). */
  atomicEntry?: string;
  /** The name's location. */
  span: Span;
  startLine: number;
  endLine: number;
  params: string[];
  /** How many arguments a call passes; absent when variadic or not known from the text. */
  arity?: number;
  /** __acquires()/__releases() annotations: texts of their arguments. */
  acquires: string[];
  releases: string[];
  /** __must_hold() annotations. */
  mustHold: string[];
  calls: CallSite[];
  nodes: CfgNode[];
  /** Local variable aliases: name -> normalised expression (e.g. mm -> current->mm). */
  aliases: Record<string, string>;
  /** Locals declared as a struct value (`struct drv_args a;`). */
  structLocals?: string[];
  /** Every name the body declares (absent: none). A name the function uses but neither
   * declares nor takes as a parameter is a global of the file or the tree. */
  locals?: string[];
  /** Local scalars declared with an unsigned type (every declaration of the name). */
  unsignedVars?: string[];
  /** Integer widths in bytes (negative: signed) of the scalars declared with one type, and
   * of the fields of the file's own structs that the function names ('.field'). */
  intWidths?: Record<string, number>;
  /** Number of ERROR nodes tree-sitter produced for this function. */
  errors: number;
  /** `#define`s of the same file that the function's body names (transitively). */
  macros?: Record<string, MacroDef>;
  /** Set when nesting limits cut the function's IR short (reported as a notification). */
  truncated?: string;
  /** Line ranges live only under a condition the tool cannot decide (src/preprocess/). */
  undecided?: { from: number; to: number; condition: string; group?: number }[];
  /** With --cache: a SHA-1 of the rest of this IR (its text as JSON), the key of its
   * analyses kept between runs (src/analysis/program.ts AnalysisMemo). */
  digest?: string;
}

/** A `#define` of the file: object-like (no params) or function-like. */
export interface MacroDef {
  params?: string[];
  /** Replacement text, comments removed, whitespace-normalised. */
  value: string;
  /** 1-based line of the `#define`. */
  line: number;
  /** The header it is defined in (a module's header the file includes); absent: the file. */
  file?: string;
}

export interface FileFacts {
  file: string;
  functions: FunctionIR[];
  /** GUP call-like token occurrences seen by the token scan (stats). */
  gupTokens: { name: string; line: number; col: number }[];
  /** GUP tokens that no extracted function contains (stats, explained). */
  unattributed: { name: string; line: number; reason: string }[];
  /** Size of the file (characters, one per byte). */
  bytes: number;
  parseErrors: number;
  /** What the preprocessing consulted besides the file (src/preprocess/scope.ts ScopeDeps):
   * the headers tried, each with a SHA-1 of its bytes or null (no such file); absent when
   * none. */
  deps?: [string, string | null][];
  /** The audited version range (KERNEL_VERSION codes) when a condition tested it. */
  version?: [number, number];
  /** Macros of the file that are another name of a requested function (a later round's
   * request: `#define drv_gup(...) drv_compat_gup(__VA_ARGS__)`): [macro, function]. */
  aliases?: [string, string][];
}
