// `gup-audit diff` and `gup-audit series`: the CI gate commands. Exit codes as for the
// audit: 0 nothing introduced at or above --fail-on, 1 something is, 2 usage or input error
// (including a patch that does not apply, a malformed config or baseline).
import { writeOutput } from '../output';
import { Command, Option } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import chalk from 'chalk';
import { UsageError } from '../errors';
import { runContext } from '../run-context';
import { detectTree } from '../kernel/era';
import type { Level } from '../findings';
import { loadBaseline, resolveConfig, baselineEntry, formatBaseline, type Baseline, type BaselineEntry } from './config';
import { cacheDirFor, defaultCacheDir } from '../cache';
import { indexedRoot, prepareDiff, prepareSeries, runGate, type GateOptions, type GateResult, type Scope } from './gate';
import { splitInput, type PatchMessage } from './patch';
import { openRepo, uncommittedSources } from './git';
import { formatGateCheckpatch, formatGateJson, formatGateSarif, formatGateText } from './report';

interface CommonOpts {
  format: 'text' | 'json' | 'sarif' | 'checkpatch';
  output?: string;
  failOn?: Level | 'none';
  baseline?: string;
  writeBaseline?: string;
  config?: string;
  scope: Scope;
  callDepth?: number;
  jobs?: number;
  kernelVersion?: string;
  terse?: boolean;
  summary?: boolean;
  color?: boolean;
  cache?: boolean;
  cacheDir?: string;
}

function positiveInt(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`${name}: expected a positive integer, got '${v}'`);
    return Number(v);
  };
}

function addCommonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'sarif', 'checkpatch']).default('text'))
    .option('-o, --output <file>', 'write the report to a file (written atomically)')
    .addOption(new Option('--fail-on <level>', 'exit 1 when an introduced finding is at or above this level (default: warning, or failOn in the config)').choices(['error', 'warning', 'note', 'none']))
    .option('--baseline <file>', 'suppress findings whose fingerprints the baseline lists')
    .option('--write-baseline <file>', 'write the findings after the change (merged with --baseline, fixed ones dropped) as a baseline')
    .option('--config <file>', `configuration file (default: .gup-audit.json at the tree root)`)
    .addOption(new Option('--scope <scope>', 'files audited on both sides: dir = the changed files and the other .c/.h files of their directories; file = the changed files only').choices(['dir', 'file']).default('dir'))
    .option('--call-depth <n>', 'caller levels followed for the lock context of helpers', positiveInt('--call-depth'))
    .option('-j, --jobs <n>', 'worker threads per side (default: half the cores; both sides run at once)', positiveInt('--jobs'))
    .option('--kernel-version <x.y>', 'kernel version when it cannot be read from the tree')
    .option('--cache-dir <dir>', 'persistent cache: the extraction entries of both sides are read and written there, and the tree\'s index (of a gup-audit --cache run) gives callers elsewhere in the tree (default: $XDG_CACHE_HOME/gup-audit, used when it holds an index of the tree)')
    .option('--no-cache', 'no persistent cache: nothing read or written there')
    .option('--terse', 'checkpatch format: one line per problem (path:line: LEVEL: ...)')
    .option('--no-summary', 'checkpatch format: no total line')
    .option('--no-color', 'no colour in text output (also: NO_COLOR)')
    .option('--debug', 'print stack traces on errors');
}

function gateOptions(treeRoot: string, o: CommonOpts): { g: GateOptions; baseline?: Baseline } {
  const config = resolveConfig(treeRoot, o.config);
  let baseline: Baseline | undefined;
  if (o.baseline) baseline = loadBaseline(o.baseline);
  else if (config.baseline) {
    if (fs.existsSync(config.baseline)) baseline = loadBaseline(config.baseline);
    else if (!o.writeBaseline) throw new UsageError(`config ${config.file}: baseline: file not found: ${config.baseline}`);
  }
  const failOn = o.failOn ?? config.failOn ?? 'warning';
  return { g: { config, baseline, failOn, scope: o.scope, jobs: o.jobs, kernelVersion: o.kernelVersion, callDepth: o.callDepth, cacheDir: gateCacheDir(treeRoot, o) }, baseline };
}

/** The persistent cache the gate uses: --cache-dir, else the default directory when it
 * holds an index of the tree (an earlier `gup-audit --cache TREE`: the user keeps a cache
 * of this tree), else none. */
function gateCacheDir(treeRoot: string, o: CommonOpts): string | undefined {
  if (o.cache === false) {
    if (o.cacheDir) throw new UsageError('--cache-dir and --no-cache: give one of them');
    return undefined;
  }
  if (o.cacheDir) {
    try { return cacheDirFor(o.cacheDir, treeRoot); } catch (e) { throw new UsageError(`--cache-dir: ${(e as Error).message}`); }
  }
  const dflt = defaultCacheDir();
  if (!indexedRoot(dflt, path.resolve(treeRoot))) return undefined;
  try { return cacheDirFor(dflt, treeRoot); } catch { return undefined; }
}

async function finish(res: GateResult, o: CommonOpts, baseline: Baseline | undefined): Promise<void> {
  let text: string;
  if (o.format === 'json') text = formatGateJson(res);
  else if (o.format === 'sarif') text = await formatGateSarif(res, ['gup-audit', ...runContext().args].join(' '));
  else if (o.format === 'checkpatch') text = formatGateCheckpatch(res, { terse: !!o.terse, summary: o.summary !== false });
  else {
    const color = !!runContext().stdout.isTTY && !('NO_COLOR' in process.env) && o.color !== false && !o.output;
    text = formatGateText(res, new chalk.Instance({ level: color ? 1 : 0 }));
  }
  if (o.writeBaseline) {
    const fixed = new Set(res.fixed.map((f) => f.fingerprint));
    const entries = new Map<string, BaselineEntry>();
    for (const e of baseline?.entries.values() ?? []) if (!fixed.has(e.fingerprint)) entries.set(e.fingerprint, e);
    for (const f of res.after.findings) {
      const old = entries.get(f.fingerprint);
      entries.set(f.fingerprint, { ...baselineEntry(f), ...(old?.justification ? { justification: old.justification } : {}) });
    }
    writeOutput(o.writeBaseline, formatBaseline([...entries.values()]));
  }
  writeOutput(o.output, text);
  runContext().exitCode = res.failing.length ? 1 : 0;
}

function readPatchInputs(inputs: string[]): { messages: PatchMessage[]; lines: number } {
  const messages: PatchMessage[] = [];
  let lines = 0;
  let stdinUsed = false;
  inputs.forEach((inp, k) => {
    let text: string;
    let name: string;
    if (inp === '-') {
      if (stdinUsed) throw new UsageError(`'-' (stdin) given more than once`);
      stdinUsed = true;
      name = 'stdin';
      try { text = runContext().readStdinSync().toString('latin1'); } catch (e) { throw new UsageError(`cannot read stdin: ${(e as NodeJS.ErrnoException).code}`); }
    } else {
      name = path.basename(inp);
      try {
        if (fs.statSync(inp).isDirectory()) throw new UsageError(`patch ${inp} is a directory (give the patch files, e.g. ${path.join(inp, '*.patch')})`);
        text = fs.readFileSync(inp).toString('latin1');
      } catch (e) {
        if (e instanceof UsageError) throw e;
        const code = (e as NodeJS.ErrnoException).code;
        throw new UsageError(code === 'ENOENT' ? `patch file does not exist: ${inp}` : `cannot read patch ${inp}: ${code}`);
      }
    }
    const ms = splitInput(text, name, k);
    if (ms.length) lines += ms[0].inputLines;
    messages.push(...ms);
  });
  if (!messages.length) throw new UsageError(`no diff found in ${inputs.map((i) => (i === '-' ? 'stdin' : i)).join(', ')}`);
  return { messages, lines };
}

function treeRootOf(dir: string, kernelVersion?: string): string {
  let st: fs.Stats;
  try { st = fs.statSync(dir); } catch { throw new UsageError(`tree does not exist: ${dir}`); }
  if (!st.isDirectory()) throw new UsageError(`tree is not a directory: ${dir}`);
  try {
    return detectTree(dir, kernelVersion).root;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Run a gate action so that the process can never end with exit 0 before the gate has
 * decided: should the event loop run dry while waiting (a worker lost without an error),
 * the exit code stays 2 and stderr says why, instead of a silent pass. */
async function guarded(action: () => Promise<void>): Promise<void> {
  let done = false;
  const onExit = () => {
    if (!done) runContext().stderr.write('gup-audit: internal error: the gate stopped before it finished (nothing left to wait for)\n');
  };
  runContext().exitCode = 2;
  process.once('exit', onExit);
  try {
    await action();
  } finally {
    done = true;
    process.removeListener('exit', onExit);
  }
}

/** Register `diff` and `series` on the root program. */
export function addGateCommands(program: Command): void {
  // Root options (-f, --fail-on, ...) are read only before a subcommand, so that the
  // subcommands can have their own.
  program.enablePositionalOptions();

  const series = program.command('series')
    .description('gate a patch series: audit the touched files before and after applying the patches in memory; report what the series introduces and fixes')
    .argument('<patches...>', 'git format-patch files, an mbox, or - for a patch or mbox on stdin')
    .option('--tree <dir>', 'the kernel tree the series applies to (only read)', '.');
  addCommonOptions(series).action((patches: string[], o: CommonOpts & { tree: string }) => guarded(async () => {
    const root = treeRootOf(o.tree, o.kernelVersion);
    const { g, baseline } = gateOptions(root, o);
    const { messages, lines } = readPatchInputs(patches);
    const prepared = prepareSeries(messages, root, g, lines);
    await finish(await runGate(prepared, g), o, baseline);
  }));
  series.exitOverride();

  const diff = program.command('diff')
    .description('gate a git range: audit the files changed between two revisions (read from git objects, the checkout is not touched); report what the change introduces and fixes')
    .argument('[tree]', 'the kernel tree in a git checkout', '.')
    .requiredOption('--base <rev>', 'the revision to compare against')
    .option('--head <rev>', 'the revision to check', 'HEAD');
  addCommonOptions(diff).action((tree: string, o: CommonOpts & { base: string; head: string }) => guarded(async () => {
    const root = treeRootOf(tree, o.kernelVersion);
    const { g, baseline } = gateOptions(root, o);
    // `--head` defaults to HEAD: uncommitted edits would be silently left out of the gate.
    if (diff.getOptionValueSource('head') !== 'cli') {
      const dirty = uncommittedSources(openRepo(tree), tree);
      if (dirty.length) throw new UsageError(`${dirty.length} source file(s) have uncommitted changes (${dirty.slice(0, 3).join(', ')}${dirty.length > 3 ? ', ...' : ''}): diff compares commits; commit them, pass --head HEAD to gate the commits only, or gate the working tree with \`git diff ${o.base} | gup-audit series --tree . -\``);
    }
    const prepared = prepareDiff(tree, o.base, o.head, root, g);
    await finish(await runGate(prepared, g), o, baseline);
  }));
  diff.exitOverride();
}
