// Evaluation of `#if`/`#elif` conditions for one kernel era and, optionally, one kernel
// config. Three-valued: a condition the tool cannot decide (a configure-generated HAVE_*
// macro, CONFIG_* without a config, a macro of an unknown header) is `null`, and the caller
// keeps every alternative.

/** What a condition may ask. */
export interface ConditionEnv {
  /** KERNEL_VERSION(major, minor, sublevel) of the audited kernel; with an unknown sublevel
   * (`--kernel-version X.Y`), `versionCodeMax` is the same version with sublevel 255 and a
   * comparison that differs between the two is undecidable. */
  versionCode: number;
  versionCodeMax: number;
  /** Kernel config: CONFIG_X -> 'y' | 'm' | value; undefined without --kconfig. */
  config?: Record<string, string>;
  /** Is this name a macro the file or its headers define? true/false, or null: unknown. */
  defined(name: string): boolean | null;
  /** The value of an object-like macro with a constant value, if known. */
  value?(name: string): string | undefined;
  /** A function-like macro's parameters and value, if known (`#define AT_LEAST(a, b)
   * (LINUX_VERSION_CODE >= KERNEL_VERSION(a, b, 0))`). */
  macro?(name: string): { params: string[]; value: string } | undefined;
  /** Set when a condition read LINUX_VERSION_CODE: the answer then depends on the audited
   * version (the facts cache keys by it only then). */
  seen?: { version: boolean };
}

export function kernelVersionCode(major: number, minor: number, sublevel: number): number {
  return major * 65536 + minor * 256 + Math.min(sublevel, 255);
}

type Val = number | null;
type Tok = { t: 'num'; v: number } | { t: 'id'; v: string } | { t: 'op'; v: string };

const OPS = ['&&', '||', '==', '!=', '<=', '>=', '<<', '>>', '<', '>', '+', '-', '*', '/', '%', '!', '~', '&', '|', '^', '(', ')', ',', '?', ':'];

function tokenize(s: string): Tok[] | null {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) { i++; continue; }
    const num = /^(0[xX][0-9a-fA-F]+|\d+)[uUlL]*/.exec(s.slice(i, i + 24));
    if (num) { out.push({ t: 'num', v: Number(num[1].startsWith('0') && num[1].length > 1 && !/^0[xX]/.test(num[1]) ? parseInt(num[1], 8) : num[1]) }); i += num[0].length; continue; }
    const id = /^[A-Za-z_]\w*/.exec(s.slice(i, i + 128));
    if (id) { out.push({ t: 'id', v: id[0] }); i += id[0].length; continue; }
    const op = OPS.find((o) => s.startsWith(o, i));
    if (!op) return null;
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  return out;
}

/** Evaluate a condition (comments already removed): true, false or null (undecidable). */
export function evaluateCondition(text: string, env: ConditionEnv): boolean | null {
  const lo = evaluateAt(text, env, env.versionCode);
  if (env.versionCodeMax === env.versionCode) return lo;
  const hi = evaluateAt(text, env, env.versionCodeMax);
  return lo === hi ? lo : null;
}

function evaluateAt(text: string, env: ConditionEnv, versionCode: number): boolean | null {
  const toks = tokenize(text);
  if (!toks) return null;
  const v = evaluateTokens(toks, env, versionCode);
  if (v !== null) return v;
  // Undecided: a condition whose answer is the same whatever the unknown `defined(X)` tests
  // are (`(V1 && !defined(X)) || (V2 && defined(X))` with V1 and V2 true) is decided.
  const unknown = unknownDefined(toks, env);
  if (unknown.length === 0 || unknown.length > MAX_CASE_SPLIT) return null;
  let answer: boolean | null = null;
  for (let bits = 0; bits < 1 << unknown.length; bits++) {
    const assumed = new Map(unknown.map((n, i) => [n, (bits & (1 << i)) !== 0]));
    const r = evaluateTokens(toks, { ...env, defined: (n) => assumed.get(n) ?? env.defined(n) }, versionCode);
    if (r === null || (bits > 0 && r !== answer)) return null;
    answer = r;
  }
  return answer;
}

/** Unknown names tested with defined() that a condition is decided over, at most. */
const MAX_CASE_SPLIT = 3;

function evaluateTokens(toks: Tok[], env: ConditionEnv, versionCode: number): boolean | null {
  const p = new ConditionParser(toks, env, versionCode);
  try {
    const v = p.ternary();
    if (p.pos !== toks.length) return null;
    return v === null ? null : v !== 0;
  } catch {
    return null;
  }
}

/** The names of `defined X` / `defined(X)` in the tokens that the environment cannot answer. */
function unknownDefined(toks: Tok[], env: ConditionEnv): string[] {
  const out = new Set<string>();
  for (let i = 0; i < toks.length; i++) {
    if (toks[i].t !== 'id' || toks[i].v !== 'defined') continue;
    const id = toks[i + 1]?.t === 'op' && toks[i + 1].v === '(' ? toks[i + 2] : toks[i + 1];
    if (id && id.t === 'id' && definedName(id.v, env) === null) out.add(id.v);
  }
  return [...out];
}

const BINARY: string[][] = [['*', '/', '%'], ['+', '-'], ['<<', '>>'], ['<', '>', '<=', '>='], ['==', '!='], ['&'], ['^'], ['|']];

function applyBinary(op: string, a: number, b: number): number | null {
  switch (op) {
    case '*': return a * b;
    case '/': return b === 0 ? null : Math.trunc(a / b);
    case '%': return b === 0 ? null : a % b;
    case '+': return a + b;
    case '-': return a - b;
    case '<<': return a * 2 ** b;
    case '>>': return Math.floor(a / 2 ** b);
    case '<': return a < b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '&': return a & b;
    case '^': return a ^ b;
    case '|': return a | b;
  }
  return null;
}

/** Recursive descent over C's preprocessor expression grammar, unknowns propagating as
 * null except where `&&`, `||` and `?:` short-circuit on a known operand. */
class ConditionParser {
  pos = 0;
  private depth = 0;
  constructor(private readonly toks: Tok[], private readonly env: ConditionEnv, private readonly versionCode: number, private readonly nesting = 0) {}

  private peek(v: string): boolean {
    const t = this.toks[this.pos];
    return !!t && t.t === 'op' && t.v === v;
  }

  private expect(v: string): void {
    if (!this.peek(v)) throw new Error(`expected ${v}`);
    this.pos++;
  }

  ternary(): Val {
    if (++this.depth > 64) throw new Error('too deep');
    const c = this.logical(0);
    if (!this.peek('?')) { this.depth--; return c; }
    this.pos++;
    const a = this.ternary();
    this.expect(':');
    const b = this.ternary();
    this.depth--;
    if (c === null) return a !== null && a === b ? a : null;
    return c !== 0 ? a : b;
  }

  /** level 0: `||`, level 1: `&&`, then the binary levels. */
  private logical(level: number): Val {
    if (level === 0) {
      let v = this.logical(1);
      while (this.peek('||')) {
        this.pos++;
        const r = this.logical(1);
        v = v === 1 || r === 1 || (v !== null && v !== 0) || (r !== null && r !== 0) ? 1 : v === null || r === null ? null : 0;
      }
      return v;
    }
    if (level === 1) {
      let v = this.binary(BINARY.length - 1);
      while (this.peek('&&')) {
        this.pos++;
        const r = this.binary(BINARY.length - 1);
        v = v === 0 || r === 0 ? 0 : v === null || r === null ? null : 1;
      }
      return v;
    }
    return this.binary(BINARY.length - 1);
  }

  private binary(level: number): Val {
    if (level < 0) return this.unary();
    let v = this.binary(level - 1);
    for (;;) {
      const t = this.toks[this.pos];
      if (!t || t.t !== 'op' || !BINARY[level].includes(t.v)) return v;
      this.pos++;
      const r = this.binary(level - 1);
      v = v === null || r === null ? null : applyBinary(t.v, v, r);
    }
  }

  private unary(): Val {
    const t = this.toks[this.pos];
    if (!t) throw new Error('unexpected end');
    if (t.t === 'op') {
      if (t.v === '!' || t.v === '-' || t.v === '~' || t.v === '+') {
        this.pos++;
        const v = this.unary();
        if (v === null) return null;
        return t.v === '!' ? (v === 0 ? 1 : 0) : t.v === '-' ? -v : t.v === '~' ? ~v : v;
      }
      if (t.v === '(') {
        this.pos++;
        const v = this.ternary();
        this.expect(')');
        return v;
      }
      throw new Error(`unexpected ${t.v}`);
    }
    this.pos++;
    if (t.t === 'num') return t.v;
    return this.identifier(t.v);
  }

  private args(): Val[] {
    this.expect('(');
    const out: Val[] = [];
    if (this.peek(')')) { this.pos++; return out; }
    for (;;) {
      out.push(this.ternary());
      if (this.peek(',')) { this.pos++; continue; }
      this.expect(')');
      return out;
    }
  }

  /** The tokens of each argument of a macro call (at its `(`), split at top-level commas. */
  private rawArgs(): Tok[][] {
    this.expect('(');
    const out: Tok[][] = [[]];
    let depth = 0;
    for (;;) {
      const t = this.toks[this.pos++];
      if (!t) throw new Error('unterminated macro call');
      if (t.t === 'op' && t.v === '(') depth++;
      else if (t.t === 'op' && t.v === ')') { if (depth === 0) break; depth--; }
      else if (t.t === 'op' && t.v === ',' && depth === 0) { out.push([]); continue; }
      out[out.length - 1].push(t);
    }
    return out.length === 1 && out[0].length === 0 ? [] : out;
  }

  private identifier(name: string): Val {
    if (name === 'defined') {
      const paren = this.peek('(');
      if (paren) this.pos++;
      const id = this.toks[this.pos++];
      if (!id || id.t !== 'id') throw new Error('defined without a name');
      if (paren) this.expect(')');
      return boolVal(definedName(id.v, this.env));
    }
    if (name === 'LINUX_VERSION_CODE') {
      if (this.env.seen) this.env.seen.version = true;
      return this.versionCode;
    }
    if (name === 'KERNEL_VERSION') {
      const a = this.args();
      if (a.length !== 3 || a.some((x) => x === null)) return null;
      return kernelVersionCode(a[0]!, a[1]!, a[2]!);
    }
    if (name === 'IS_ENABLED' || name === 'IS_BUILTIN' || name === 'IS_MODULE' || name === 'IS_REACHABLE') {
      this.expect('(');
      const id = this.toks[this.pos++];
      this.expect(')');
      if (!id || id.t !== 'id' || !id.v.startsWith('CONFIG_') || !this.env.config) return null;
      const v = this.env.config[id.v];
      if (name === 'IS_BUILTIN') return v === 'y' ? 1 : 0;
      if (name === 'IS_MODULE') return v === 'm' ? 1 : 0;
      return v === 'y' || v === 'm' ? 1 : 0;
    }
    if (name.startsWith('CONFIG_')) {
      if (!this.env.config) return null;
      const v = this.env.config[name];
      // =m defines CONFIG_X_MODULE, not CONFIG_X.
      if (v === undefined || v === 'm') return 0;
      if (v === 'y') return 1;
      return /^-?\d+$/.test(v) ? Number(v) : /^0x[0-9a-f]+$/i.test(v) ? Number(v) : null;
    }
    if (this.peek('(')) {
      // A function-like macro of the file or its headers: its value with the argument
      // tokens in place of the parameters, evaluated in turn. One we do not know: undecidable.
      const m = this.nesting < 8 ? this.env.macro?.(name) : undefined;
      const args = this.rawArgs();
      if (!m || args.length !== m.params.length) return null;
      const body = tokenize(m.value);
      if (!body || !body.length) return null;
      const sub: Tok[] = [];
      for (const t of body) {
        const k = t.t === 'id' ? m.params.indexOf(t.v) : -1;
        if (k < 0) sub.push(t);
        else sub.push({ t: 'op', v: '(' }, ...args[k], { t: 'op', v: ')' });
      }
      const p = new ConditionParser(sub, this.env, this.versionCode, this.nesting + 1);
      try {
        const v = p.ternary();
        return p.pos === sub.length ? v : null;
      } catch { return null; }
    }
    const known = this.env.value?.(name);
    if (known !== undefined && /^\(?\s*(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\s*\)?$/.test(known)) return Number(known.replace(/[()\suUlL]/g, ''));
    // A macro whose value is an expression (`#define KV5 (LINUX_VERSION_CODE >= KERNEL_VERSION(5,0,0))`):
    // evaluated in turn (a few levels deep: a macro defined through itself stays unknown).
    if (known !== undefined && this.nesting < 8) {
      const sub = tokenize(known);
      if (sub && sub.length) {
        const p = new ConditionParser(sub, this.env, this.versionCode, this.nesting + 1);
        try {
          const v = p.ternary();
          if (p.pos === sub.length) return v;
        } catch { /* unknown */ }
        return null;
      }
    }
    // An identifier that is no macro evaluates to 0 in C; one we cannot see is unknown.
    return definedName(name, this.env) === false ? 0 : null;
  }
}

function boolVal(b: boolean | null): Val {
  return b === null ? null : b ? 1 : 0;
}

/** defined(X): a config symbol from the config, else what the file and its headers say. */
function definedName(name: string, env: ConditionEnv): boolean | null {
  if (name.startsWith('CONFIG_') && env.config) {
    const v = env.config[name];
    if (v !== undefined && v !== 'm') return true;
    const mod = /^(CONFIG_\w+)_MODULE$/.exec(name);
    if (mod) return env.config[mod[1]] === 'm';
    return false;
  }
  return env.defined(name);
}
