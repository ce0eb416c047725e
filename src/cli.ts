// Command line: options, exit codes, output; nothing else.
// Exit codes: 0 no findings at or above --fail-on, 1 findings, 2 usage or input error.
import { Command, CommanderError, Option, type OptionValues } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import chalk from 'chalk';
import { audit, selectRules, type AuditOptions, type AuditResult } from './engine';
import { UsageError } from './errors';
import { processContext, runContext, withRunContext, type RunContext } from './run-context';
import { rules as allRules } from '../rules';
import { formatText } from './report/text';
import { formatJson } from './report/json';
import { failsAt, type Level } from './findings';
import { toolVersion } from './version';
import { writeOutput } from './output';
import { detectTree } from './kernel/era';
import { parseKconfig } from './preprocess/options';
import { baselineEntry, formatBaseline, loadBaseline, resolveConfig } from './gate/config';
import { parseVersion } from './kernel/api';
import { addGateCommands } from './gate/cli';
import { parseShard } from './scan';
import { formatProfile } from './report/profile';
import { registerMerge } from './report/merge';
import { registerFix } from './fix/command';
import { auditView } from './cli/view';
import { formatAuditCheckpatch, formatGcc } from './report/gcc';
import { parseFileList, readStdin } from './cli/filelist';
import { ExplainError, formatRuleList, registerExplain } from './cli/rules';
import { progressBar, type ProgressBar } from './cli/progress';
import { registerCallers } from './cli/callers';
import { isCheckInvocation, runCheck } from './cli/check';


function collect(v: string, prev: string[]): string[] {
  return [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
}

function useColor(opts: { color?: boolean }): boolean {
  return !!runContext().stdout.isTTY && !('NO_COLOR' in process.env) && opts.color !== false;
}

export function checkPaths(paths: string[]): void {
  if (paths.length === 0) throw new UsageError('no path given (usage: gup-audit [options] <path...>)');
  for (const p of paths) {
    let st: fs.Stats;
    try { st = fs.statSync(p); } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(code === 'ENOENT' ? `path does not exist: ${p}` : `cannot access ${p}: ${code}`);
    }
    if (!st.isDirectory() && !/\.[ch]$/.test(p)) throw new UsageError(`not a directory or a .c/.h file: ${p}`);
    if (st.isFile()) {
      try { fs.closeSync(fs.openSync(p, 'r')); } catch (e) { throw new UsageError(`cannot read ${p}: ${(e as NodeJS.ErrnoException).code}`); }
    }
    if (st.isDirectory()) {
      try { fs.readdirSync(p); } catch (e) { throw new UsageError(`cannot read directory ${p}: ${(e as NodeJS.ErrnoException).code}`); }
    }
  }
}

function parseIntOpt(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`${name}: expected a positive integer, got '${v}'`);
    return Number(v);
  };
}

export function failed(res: AuditResult, failOn: Level | 'none'): boolean {
  return res.findings.some((f) => failsAt(f, failOn));
}

/** One bar on stderr when it is a terminal (not in CI). */
function progressReporter(): ProgressBar | undefined {
  if (!runContext().stderr.isTTY || process.env.CI) return undefined;
  return progressBar((s) => runContext().stderr.write(s));
}

/** `gup-audit -`: the names on stdin; the audit covers their tree (for its callers) and
 * reports only them. Names that are not audited become notes. */
async function stdinFiles(): Promise<{ paths: string[]; focus: string[]; ignored: { level: 'note'; file: string; message: string }[] }> {
  const { files, ignored } = parseFileList(await readStdin());
  if (files.length === 0) {
    throw new UsageError(ignored.length ? `no .c or .h file among the ${ignored.length} name(s) on standard input` : 'no file names on standard input');
  }
  const root = detectTree(files[0]).root;
  const outside = files.find((f) => path.relative(root, f).startsWith('..'));
  if (outside) throw new UsageError(`${outside} is not in the tree of ${files[0]} (${root}): audit one tree at a time`);
  return { paths: [root], focus: files, ignored: ignored.map((x) => ({ level: 'note' as const, file: x.name, message: `not audited: ${x.why}` })) };
}

function kernelVersionOpt(v: string): string {
  if (!parseVersion(v)) throw new UsageError(`--kernel-version: expected X.Y (e.g. 6.12), got '${v}'`);
  return v;
}

function kdirOpt(v: string): string {
  if (!fs.existsSync(path.join(v, 'include')) || !fs.statSync(v).isDirectory()) throw new UsageError(`--kdir: not a kernel tree (no include/): ${v}`);
  return v;
}

function kconfigOpt(v: string): ReturnType<typeof parseKconfig> {
  let text: string;
  try { text = fs.readFileSync(v, 'latin1'); } catch (e) { throw new UsageError(`--kconfig: cannot read ${v}: ${(e as NodeJS.ErrnoException).code ?? e}`); }
  const config = parseKconfig(text);
  if (Object.keys(config).length === 0) throw new UsageError(`--kconfig: no CONFIG_ lines in ${v}`);
  return config;
}

function shardOpt(v: string): ReturnType<typeof parseShard> {
  try { return parseShard(v); } catch (e) { throw new UsageError((e as Error).message); }
}

/** The audit command's options, in the order --help and the man page list them. */
function addAuditOptions(program: Command): void {
  program
    .addOption(new Option('-f, --format <format>', 'output format (gcc: file:line:col: level: message [rule-id]; checkpatch: checkpatch.pl\'s form)').choices(['text', 'json', 'sarif', 'gcc', 'checkpatch']).default('text'))
    .addOption(new Option('--min-level <level>', 'show only findings at or above this level (the summary counts the others)').choices(['error', 'warning', 'note']))
    .option('-o, --output <file>', 'write the report to a file (written atomically)')
    .addOption(new Option('--fail-on <level>', 'exit 1 when a finding at or above this level exists').choices(['error', 'warning', 'note', 'none']).default('warning'))
    .option('--rule <id>', 'run only this rule (repeatable, or comma-separated)', collect, [])
    .option('--disable-rule <id>', 'do not run this rule (repeatable, or comma-separated)', collect, [])
    .option('--list-rules', 'list the rules and exit')
    .option('--exclude <glob>', 'exclude files matching a glob, relative to the tree root (repeatable)', collect, [])
    .option('-j, --jobs <n>', 'worker threads (default: number of cores)', parseIntOpt('--jobs'))
    .option('--kernel-version <x.y>', 'kernel version of the tree, when auditing a subtree without its Makefile', kernelVersionOpt)
    .option('--kdir <dir>', 'kernel tree the audited module is built against (make -C KDIR M=...): era and headers come from it', kdirOpt)
    .option('--kconfig <file>', 'kernel .config: evaluate CONFIG_*, IS_ENABLED(), #ifdef CONFIG_... (without it they stay undecided)', kconfigOpt)
    .option('--call-depth <n>', 'rounds of the caller search for the lock context of helpers', parseIntOpt('--call-depth'), 6)
    .option('--max-file-size <bytes>', 'skip (and report) files larger than this', parseIntOpt('--max-file-size'), 16 * 1024 * 1024)
    .option('--file-timeout <ms>', 'time limit per file parse; a file over it is retried once, then skipped and reported', parseIntOpt('--file-timeout'), 60000)
    .option('--no-prefilter', 'extract from every file instead of only those the token scan selects')
    .option('--cache [dir]', 'reuse per-file scan results and extracted facts of earlier runs, kept outside the tree (default dir: $XDG_CACHE_HOME/gup-audit or ~/.cache/gup-audit)')
    .option('--shard <i/n>', 'audit shard I of N of the files (for CI; combine the SARIF logs with `gup-audit merge`)', shardOpt)
    .option('--profile', 'print the slowest phases and files, worker time and peak memory to stderr')
    .option('--config <file>', 'configuration file (default: .gup-audit.json at the tree root, if present)')
    .option('--baseline <file>', 'suppress the findings listed in this baseline (matched by fingerprint)')
    .option('--write-baseline <file>', 'write the findings of this run as a baseline file')
    .option('--fail-on-skip', 'exit 1 also when a file of the tree could not be audited (unreadable, binary, too large, not parsed)')
    .option('--stats', 'print attribution, lock-context and timing statistics')
    .option('--no-color', 'no colour in text output (also: NO_COLOR)')
    .option('--debug', 'print stack traces on errors');
}

/** The audit report in the format asked for. */
async function formatReport(view: ReturnType<typeof auditView>, opts: OptionValues): Promise<string> {
  if (opts.format === 'json') return formatJson(view.reported);
  if (opts.format === 'sarif') {
    const { formatSarif } = await import('./report/sarif');
    return formatSarif(view.reported, { commandLine: ['gup-audit', ...runContext().args].join(' ') });
  }
  if (opts.format === 'gcc') return formatGcc(view.shown);
  if (opts.format === 'checkpatch') return formatAuditCheckpatch(view.shown, { terse: false, summary: true });
  const c = new chalk.Instance({ level: useColor(opts) && !opts.output ? 1 : 0 });
  return formatText(view.shown, { chalk: c, stats: !!opts.stats, hidden: view.hidden });
}

/** The audit command (`gup-audit [options] paths...`). */
async function runAudit(program: Command, paths: string[], opts: OptionValues): Promise<void> {
  if (opts.listRules) { runContext().stdout.write(formatRuleList(opts.format)); return; }
  // `-`: the files named on stdin, audited with the lock context of their whole tree.
  const list = paths.length === 1 && paths[0] === '-' ? await stdinFiles() : undefined;
  if (list) paths = list.paths;
  // `--cache TREE` (no directory given, the tree taken as one): the tree is meant.
  if (paths.length === 0 && typeof opts.cache === 'string') { paths = [opts.cache]; opts.cache = true; }
  checkPaths(paths);
  selectRules({ only: opts.rule, disable: opts.disableRule });
  // .gup-audit.json (or --config): rules on/off and levels, excludes, call depth,
  // fail-on and a baseline; command-line options win.
  const root = detectTree(paths[0], opts.kernelVersion).root;
  const config = resolveConfig(root, opts.config);
  const baselineFile = opts.baseline ?? (config.baseline && fs.existsSync(config.baseline) ? config.baseline : undefined);
  if (!opts.baseline && config.baseline && !baselineFile && !opts.writeBaseline) throw new UsageError(`config ${config.file}: baseline: file not found: ${config.baseline}`);
  const baseline = baselineFile ? loadBaseline(baselineFile) : undefined;
  const fromCli = (name: string) => program.getOptionValueSource(name) === 'cli';
  const failOn: Level | 'none' = fromCli('failOn') ? opts.failOn : config.failOn ?? opts.failOn;
  const bar = progressReporter();
  const res = await audit({
    levels: config.levels,
    paths, include: config.include, exclude: [...opts.exclude, ...config.exclude], jobs: opts.jobs, kernelVersion: opts.kernelVersion, callDepth: fromCli('callDepth') ? opts.callDepth : config.callDepth ?? opts.callDepth,
    maxFileSize: opts.maxFileSize, timeoutMs: opts.fileTimeout, prefilter: opts.prefilter, only: opts.rule, disable: opts.disableRule,
    onProgress: bar ? (phase, done, total) => bar.update(phase, done, total) : undefined, cache: opts.cache, shard: opts.shard, profile: !!opts.profile, focus: list?.focus,
    ...(opts.kdir ? { kdir: opts.kdir } : {}), ...(opts.kconfig ? { kconfig: opts.kconfig } : {}),
  });
  bar?.finish();
  if (list?.ignored.length) res.notifications.push(...list.ignored);
  if (baseline) {
    for (const f of res.findings) {
      const e = baseline.entries.get(f.fingerprint);
      if (e) f.suppressed = { kind: 'external', justification: e.justification ?? `listed in baseline ${path.basename(baseline.file)}` };
    }
  }
  if (opts.writeBaseline) writeOutput(opts.writeBaseline, formatBaseline(res.findings.map(baselineEntry)));
  // Suppressed findings stay in JSON/SARIF (marked); the text report and the verdict skip
  // them; --min-level hides lower findings from every report, not from the verdict.
  const view = auditView(res, opts.minLevel);
  const text = await formatReport(view, opts);
  writeOutput(opts.output, text);
  // The line formats carry findings only: their warnings about the audit itself (a GUP
  // call of another era's signature, a file skipped) go to stderr, as gcc prints its own
  // (`gup-audit: warning: ...`), so that a build log or CI job shows them.
  if (opts.format === 'gcc' || opts.format === 'checkpatch') {
    const said = res.notifications.filter((n) => n.level !== 'note').map((n) => `${n.file ?? 'gup-audit'}: ${n.level}: ${n.message}\n`);
    if (said.length) runContext().stderr.write(said.join(''));
  }
  if (opts.profile) runContext().stderr.write(formatProfile(res) + '\n');
  if (opts.stats && opts.format !== 'text') {
    const { formatStats } = await import('./report/text');
    runContext().stderr.write(formatStats(res) + '\n');
  }
  // A file left unaudited is a warning or error notification; with --fail-on-skip a CI
  // gate does not go green without having looked at it.
  const skipped = res.notifications.some((n) => n.level !== 'note' && n.file);
  runContext().exitCode = failed(view.live, failOn) || (opts.failOnSkip && skipped) ? 1 : 0;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('gup-audit')
    .description('Audit a Linux kernel source tree for get_user_pages (GUP) misuse and mmap lock handling.')
    .version(toolVersion)
    .argument('[paths...]', 'kernel tree (or subdirectories / files of one) to audit; - reads file names from standard input');
  addAuditOptions(program);
  program.action((paths: string[], opts: OptionValues) => runAudit(program, paths, opts));
  addGateCommands(program); // `gup-audit diff` / `gup-audit series` (src/gate/)
  registerFix(program); // `gup-audit fix` (src/fix/)
  registerMerge(program); // `gup-audit merge` (src/report/merge.ts)
  registerExplain(program); // `gup-audit explain RULE` (src/cli/rules.ts)
  registerCallers(program, writeOutput); // `gup-audit callers` (src/census.ts)
  program.helpCommand('help [command]', 'show the help of a command'); // (the default action would take `help` for a path)
  return program;
}

/** Runs the command line `argv` (node, script, arguments...) and returns its exit code.
 * `ctx`: the run's streams, standard input and lent worker pools (default: the process's). */
export async function main(argv: string[], ctx: Partial<RunContext> = {}): Promise<number> {
  const run: RunContext = { ...processContext(argv.slice(2)), ...ctx };
  return withRunContext(run, () => runMain(argv));
}

async function runMain(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  // Commander's own one-line errors ("error: unknown option ...") get the tool's prefix too.
  const output = { writeOut: (s: string) => runContext().stdout.write(s), writeErr: (s: string) => runContext().stderr.write(s.startsWith('error:') ? `gup-audit: ${s}` : s) };
  const configure = (c: Command): void => { c.configureOutput(output); c.commands.forEach(configure); };
  configure(program);
  const debug = argv.includes('--debug');
  // kbuild's `$(CHECK) $(CHECKFLAGS) $(c_flags) file.c` (make C=1 CHECK=gup-audit).
  if (isCheckInvocation(argv.slice(2))) return runCheck(argv.slice(2));
  try {
    await program.parseAsync(argv);
    return runContext().exitCode ?? 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2; // commander already printed its one-line message
    }
    if (e instanceof UsageError || e instanceof ExplainError) {
      runContext().stderr.write(`gup-audit: error: ${e.message}\n`);
      return 2;
    }
    runContext().stderr.write(`gup-audit: internal error: ${(e as Error).message}${debug ? `\n${(e as Error).stack}` : ' (run with --debug for details)'}\n`);
    return 2;
  }
}
