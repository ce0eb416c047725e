// `gup-audit callers [PATH]`: the GUP call-site census (src/census.ts) as a table, JSON or CSV.
import { Command, Option } from 'commander';
import * as fs from 'fs';
import { audit } from '../engine';
import { UsageError } from '../errors';
import type { Program } from '../analysis/program';
import { census, formatCensusCsv, formatCensusJson, formatCensusText } from '../census';

export function registerCallers(program: Command, write: (file: string | undefined, text: string) => void): void {
  const cmd = program.command('callers')
    .description('census of every GUP call site: callee, era signature, resolved flags, lock context, page family and where the pages are released')
    .argument('[path]', 'kernel tree, or a directory or file of one (default: .)', '.')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'csv']).default('text'))
    .option('-o, --output <file>', 'write the census to a file (written atomically)')
    .option('--exclude <glob>', 'exclude files matching a glob (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
    .option('--kernel-version <x.y>', 'kernel version when it cannot be read from the tree')
    .option('-j, --jobs <n>', 'worker threads (default: number of cores)', (v: string) => {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--jobs: expected a positive integer, got '${v}'`);
      return Number(v);
    })
    .option('--cache [dir]', 'reuse per-file results of earlier runs (as for the audit)')
    .action(async (target: string, o: { format: string; output?: string; exclude: string[]; kernelVersion?: string; jobs?: number; cache?: string | true }) => {
      if (!fs.existsSync(target)) throw new UsageError(`path does not exist: ${target}`);
      let prog: Program | undefined;
      await audit({ paths: [target], exclude: o.exclude, kernelVersion: o.kernelVersion, jobs: o.jobs, cache: o.cache, onProgram: (p) => { prog = p; } });
      const rows = census(prog!);
      write(o.output, o.format === 'json' ? formatCensusJson(rows) : o.format === 'csv' ? formatCensusCsv(rows) : formatCensusText(rows));
    });
  cmd.exitOverride();
}
