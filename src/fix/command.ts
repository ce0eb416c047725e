// `gup-audit fix`: print a unified diff for every exact prefer-unlocked fix, or write
// format-patch files, or (with --write) rewrite the tree atomically.
import type { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { audit } from '../engine';
import { diffStat, planFixes, unifiedDiff, type FixPlan } from './fix';
import { toolVersion } from '../version';
import { UsageError } from '../errors';
import { runContext } from '../run-context';
import { fsPath } from '../fsname';
import { makeDirs, writeAll, writeOutput } from '../output';
import { detectTree } from '../kernel/era';
import { makeFilter, resolveConfig } from '../gate/config';


/** "<subsystem prefix>" from a path, as kernel subjects use it (drm/via, platform/goldfish). */
export function subsystemPrefix(file: string): string {
  const dirs = file.split('/').slice(0, -1).filter((d) => !['drivers', 'gpu', 'devices', 'interface', 'common', 'core'].includes(d));
  if (dirs.length === 0) return path.basename(file, path.extname(file));
  return dirs.slice(-2).join('/');
}

function author(cwd: string): string {
  const get = (k: string) => spawnSync('git', ['config', k], { cwd, encoding: 'utf8' }).stdout?.trim();
  const name = get('user.name');
  const email = get('user.email');
  return name && email ? `${name} <${email}>` : 'Your Name <you@example.org>';
}

/** Commit message lines of at most 72 columns (checkpatch asks for 75). */
function wrap(text: string, width = 72): string[] {
  const out: string[] = [];
  let line = '';
  for (const w of text.split(/\s+/)) {
    if (line && line.length + 1 + w.length > width) { out.push(line); line = w; } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}

export function formatPatchFile(file: string, diff: string, variants: string[], from: string, date: Date, signoff?: string): string {
  const v = [...new Set(variants)];
  const subject = `${subsystemPrefix(file)}: use ${v.map((x) => `${x}()`).join(' and ')}`;
  const lockedName = v.length === 1 && v[0].startsWith('pin') ? 'pin_user_pages' : 'get_user_pages';
  const body = [
    ...wrap(`The mmap lock of current->mm is taken in ${path.basename(file)} only around one ${lockedName}() call, and nothing else in the locked region needs it. ${v.join('()/')}() takes the lock itself and, unlike the locked variant, can drop it while faulting pages in and retry (VM_FAULT_RETRY), so the caller does not need to handle the mmap lock at all.`),
    '',
    ...wrap('Convert the call and drop the lock/unlock around it. No functional change otherwise.'),
    '',
    `Found with gup-audit ${toolVersion} (rule prefer-unlocked).`,
    ...(signoff ? ['', `Signed-off-by: ${signoff}`] : []),
  ];
  return [
    'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001',
    `From: ${from}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Subject: [PATCH] ${subject}`,
    '',
    ...body,
    '---',
    diffStat(file, diff),
    diff.trimEnd(),
    '-- ',
    `gup-audit ${toolVersion}`,
    '',
  ].join('\n');
}

/** Check that every file to rewrite is a regular file of the tree (not a link, not reached
 * through a linked directory), not excluded by the config, and still holds what was
 * analysed; the problems, one per file (empty: all can be written). */
function unwritable(plan: FixPlan, root: string, allowed: (rel: string) => boolean): string[] {
  const realRoot = fs.realpathSync(root);
  const problems: string[] = [];
  for (const f of plan.files) {
    const abs = path.join(root, f.file);
    const why = ((): string | null => {
      if (!allowed(f.file)) return 'excluded by the configuration';
      if (typeof fsPath(abs) !== 'string') return 'its name is not UTF-8 (not rewritten)';
      let st: fs.Stats;
      try { st = fs.lstatSync(abs); } catch (e) { return (e as NodeJS.ErrnoException).code ?? 'cannot stat'; }
      if (!st.isFile()) return 'not a regular file';
      const real = fs.realpathSync(abs);
      if (!real.startsWith(realRoot + path.sep)) return `resolves outside the tree (${real})`;
      if (fs.readFileSync(abs, 'latin1') !== f.before) return 'changed since it was analysed';
      return null;
    })();
    if (why) problems.push(`${f.file}: ${why}`);
  }
  return problems;
}

export async function runFix(paths: string[], opts: { write?: boolean; formatPatch?: string; signoff?: boolean; kernelVersion?: string; jobs?: number; config?: string }): Promise<{ plan: FixPlan; root: string; output: string }> {
  const root = detectTree(paths[0], opts.kernelVersion).root;
  // .gup-audit.json (or --config): fix never touches a file the configuration leaves out.
  const config = resolveConfig(root, opts.config);
  const res = await audit({ paths, only: ['prefer-unlocked'], kernelVersion: opts.kernelVersion, jobs: opts.jobs, include: config.include, exclude: config.exclude, levels: config.levels });
  const allowed = makeFilter(config.include, config.exclude);
  const read = (f: string) => fs.readFileSync(fsPath(path.join(root, f)), 'latin1');
  const plan = planFixes(res.findings.filter((f) => allowed(f.file)), read);
  let output = '';
  for (const f of plan.files) output += unifiedDiff(f.file, f.before, f.after);
  if (opts.formatPatch) {
    const dir = path.resolve(opts.formatPatch);
    try { makeDirs(dir); } catch (e) { throw new UsageError(`--format-patch: cannot create ${dir}: ${(e as NodeJS.ErrnoException).code}`); }
    const from = author(root);
    plan.files.forEach((f, i) => {
      const variants = f.fixes.map((x) => x.finding.rewrite!.name);
      const text = formatPatchFile(f.file, unifiedDiff(f.file, f.before, f.after), variants, from, new Date(), opts.signoff ? from : undefined);
      const slug = `${subsystemPrefix(f.file)}-use-${variants[0]}`.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 52);
      writeOutput(path.join(dir, `${String(i + 1).padStart(4, '0')}-${slug}.patch`), Buffer.from(text, 'latin1'), '--format-patch');
    });
  }
  if (opts.write && plan.files.length) {
    const problems = unwritable(plan, root, allowed);
    if (problems.length) throw new UsageError(`fix --write: nothing written: ${problems.join('; ')}`);
    writeAll(plan.files.map((f) => ({ file: path.join(root, f.file), data: Buffer.from(f.after, 'latin1') })), 'fix --write', true);
  }
  return { plan, root, output };
}

export function registerFix(program: Command): void {
  const fix = program.command('fix');
  fix.exitOverride();
  fix
    .description('print a unified diff converting prefer-unlocked findings to the _unlocked variant')
    .argument('[paths...]', 'kernel tree (or part of one)', ['.'])
    .option('--write', 'apply the fixes to the tree: all files or none, only regular, writable files of the tree unchanged since analysis')
    .option('--format-patch <dir>', 'write one git format-patch file per changed file into DIR')
    .option('--signoff', 'format-patch: add a Signed-off-by line (name and email from git config)')
    .option('--kernel-version <x.y>', 'kernel version of the tree')
    .option('--config <file>', 'configuration file (default: .gup-audit.json at the tree root): its include/exclude and rule levels apply')
    .action(async (paths: string[], opts) => {
      for (const p of paths) if (!fs.existsSync(p)) throw new UsageError(`path does not exist: ${p}`);
      const { plan, output } = await runFix(paths, opts);
      if (!opts.write && !opts.formatPatch) runContext().stdout.write(Buffer.from(output, 'latin1'));
      for (const s of plan.skipped) runContext().stderr.write(`gup-audit: no fix for ${s.finding.file}:${s.finding.span.line}: ${s.reason}\n`);
      if (opts.write) runContext().stderr.write(`gup-audit: fixed ${plan.files.reduce((n, f) => n + f.fixes.length, 0)} call(s) in ${plan.files.length} file(s)\n`);
      runContext().exitCode = 0;
    });
}
