// `make C=1 CHECK=gup-audit` (and C=2): kbuild runs `$(CHECK) $(CHECKFLAGS) $(c_flags) file.c`
// once per compiled file, as for sparse. That call is recognised by its compiler flags;
// the file is audited with the lock context of its whole tree (found by walking up from
// the file), from the persistent cache, and findings go to stderr in sparse's one-line
// form. The build never fails because of a finding unless --fail-on=LEVEL is given
// (e.g. `make C=1 CHECK=gup-audit CF=--fail-on=error`).
import * as path from 'path';
import { audit } from '../engine';
import { detectTree } from '../kernel/era';
import { failsAt, type Level } from '../findings';
import { UsageError } from '../errors';
import { runContext } from '../run-context';
import { auditView } from './view';
import { gccLine, displayPath } from '../report/gcc';

/** Compiler options followed by a separate argument (`-I dir`, `-include file`, ...). */
const WITH_ARG = new Set(['-D', '-U', '-I', '-include', '-imacros', '-isystem', '-iquote', '-idirafter', '-MF', '-MT', '-MQ', '-o', '-x', '-arch']);
/** Flags only a compiler (or sparse) call has: gup-audit's own options never look so
 * (its `-f FORMAT` is a separate word; a compiler's -f is joined: -fno-common). */
const COMPILER_FLAG = /^(-[DUIWmfOg].|-include$|-imacros$|-isystem|-iquote|-idirafter|-nostdinc|-std=|--arch=|-M[DFTQ]?$|-MMD$|-pipe$|-Werror)/;

export function isCheckInvocation(args: string[]): boolean {
  return args.some((a) => COMPILER_FLAG.test(a)) && args.some((a) => /\.c$/.test(a) && !a.startsWith('-'));
}

export interface CheckArgs {
  file: string;
  defines: Map<string, string>;
  undefs: string[];
  includes: string[];
  failOn: Level | 'none';
  /** gup-audit options kbuild passed through CF (--fail-on=LEVEL, --no-cache). */
  cache: boolean;
}


export function parseCheckArgs(args: string[]): CheckArgs {
  const out: CheckArgs = { file: '', defines: new Map(), undefs: [], includes: [], failOn: 'none', cache: true };
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const joined = /^-(D|U|I)(.+)$/.exec(a);
    let opt = a;
    let val: string | undefined;
    if (WITH_ARG.has(a)) { val = args[++i]; if (val === undefined) throw new UsageError(`${a}: missing argument`); }
    else if (joined) { opt = `-${joined[1]}`; val = joined[2]; }
    if (opt === '-D') { const eq = val!.indexOf('='); out.defines.set(eq < 0 ? val! : val!.slice(0, eq), eq < 0 ? '1' : val!.slice(eq + 1)); }
    else if (opt === '-U') out.undefs.push(val!);
    else if (opt === '-include' || opt === '-imacros') out.includes.push(val!);
    else if (a.startsWith('--fail-on=')) {
      const l = a.slice('--fail-on='.length);
      if (!['error', 'warning', 'note', 'none'].includes(l)) throw new UsageError(`--fail-on: expected error, warning, note or none, got '${l}'`);
      out.failOn = l as Level | 'none';
    } else if (a === '--no-cache') out.cache = false;
    else if (!a.startsWith('-')) files.push(a);
    // Every other flag (-W..., -m..., -f..., -O2, -std=, --arch=, -nostdinc, ...) is the
    // compiler's: accepted and ignored.
  }
  const c = files.filter((f) => /\.c$/.test(f));
  if (c.length !== 1) throw new UsageError(c.length ? `expected one .c file, got ${c.length}: ${c.join(' ')}` : 'no .c file to check');
  out.file = c[0];
  return out;
}

/** Runs one check; returns the exit code (0 unless --fail-on=LEVEL is met). */
export async function runCheck(args: string[]): Promise<number> {
  let o: CheckArgs;
  try { o = parseCheckArgs(args); } catch (e) {
    runContext().stderr.write(`gup-audit: error: ${(e as Error).message}\n`);
    return 2;
  }
  const abs = path.resolve(o.file);
  try {
    const root = detectTree(abs).root;
    const res = await audit({ paths: [root], focus: [abs], cache: o.cache ? true : undefined, jobs: 1, trustIndex: o.cache });
    const view = auditView(res);
    const cwd = process.cwd();
    let text = '';
    for (const f of view.shown.findings) text += gccLine(f, displayPath(root, f.file, cwd)) + '\n';
    for (const n of view.reported.notifications) if (n.level !== 'note' && n.file) text += `${displayPath(root, n.file, cwd)}: ${n.level}: ${n.message} [gup-audit]\n`;
    runContext().stderr.write(text);
    return view.live.findings.some((f) => failsAt(f, o.failOn)) ? 1 : 0;
  } catch (e) {
    // A tool failure must not break a build that did not ask for it.
    runContext().stderr.write(`${o.file}: warning: gup-audit could not check this file: ${(e as Error).message}\n`);
    return o.failOn === 'none' ? 0 : 2;
  }
}
