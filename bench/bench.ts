// `npm run bench -- TREE [TREE...]`: gup-audit against its floor, on each tree, in one run.
//
// The floor is ripgrep finding the GUP and mmap-lock token set at all (`rg -l` with the
// prefilter's needles over the same .c/.h files). Measured per tree, each as a separate
// process: the default audit, the audit with --cache (cold, then warm on the unchanged
// tree, warm with the result recomputed from the per-file entries, and warm after three
// kinds of edit), the per-file checks of a build, the full extraction without prefilter and
// tree-sitter's own parse-only throughput on the same .c files; then the scale (a
// subsystem, half the tree, the whole tree; --jobs 1 vs 2). Wall time, CPU time
// (user+sys, from GNU time), peak RSS, and every ratio to the floor. Medians of --runs.
// With several trees, a last table compares them: the default audit's time per MB of
// source, and a tree audited with the --cache filled on the tree before it.
//
// The trees are only read. Edits are simulated without writing to the tree
// (GUP_AUDIT_BENCH_EDIT, src/cache-entry.ts): that file's index entry is not used and its
// bytes are extracted with a comment line appended (mm/gup.c: its facts stay the same, the
// result is kept), with lines inserted at its start (mm/gup.c: every line moves, the result
// is kept with its lines moved), with a line inserted at the start of every function body
// (mm/gup.c: the facts of its functions change, the result is recomputed), or a comment
// appended to a file the result does not depend on.
//
//   npm run bench -- TREE [TREE...] [--runs N] [--jobs N] [--subsystem DIR] [--skip-slow] [--quick]
//   (TREE@PREV: TREE's second-tree row follows a cache filled on PREV, e.g. an earlier
//   checkout of the same kernel; else the tree before it in the list)
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
// The prefilter's needles, as the audit uses them.
import { PREFILTER_NEEDLES } from '../src/engine';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'gup-audit.js');
const PARSE_ONLY = path.join(__dirname, 'parse-only.js');
const GNU_TIME = '/usr/bin/time';

interface Sample { wall: number; cpu: number | null; rss: number | null; stdout: string; stderr: string; status: number | null }
interface Row { name: string; s: Sample; note?: string; bytes?: number }

function usage(msg?: string): never {
  if (msg) process.stderr.write(`bench: ${msg}\n`);
  process.stderr.write('usage: npm run bench -- TREE[@PREV] [TREE[@PREV]...] [--runs N] [--jobs N] [--subsystem DIR] [--skip-slow] [--quick]\n');
  process.exit(2);
}

const argv = process.argv.slice(2);
const trees: string[] = [];
let runs = 3;
let jobs = Math.min(2, os.availableParallelism?.() ?? os.cpus().length);
let subsystem = 'drivers/media';
let skipSlow = false;
/** TREE@PREV: the tree whose cache TREE's second-tree row uses. */
const prevOf = new Map<string, string>();
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--runs') runs = Number(argv[++i]);
  else if (a === '--jobs' || a === '-j') jobs = Number(argv[++i]);
  else if (a === '--subsystem') subsystem = argv[++i];
  else if (a === '--skip-slow') skipSlow = true;
  else if (a === '--quick') { runs = 1; skipSlow = true; }
  else if (a === '-h' || a === '--help') usage();
  else if (a.startsWith('-')) usage(`unknown option ${a}`);
  else {
    const [tree, prev] = a.split('@');
    trees.push(path.resolve(tree));
    if (prev) prevOf.set(path.resolve(tree), path.resolve(prev));
  }
}
if (!trees.length) usage('no TREE given (e.g. /usr/src/linux-source-6.12 unpacked)');
for (const tree of [...trees, ...prevOf.values()]) if (!fs.existsSync(path.join(tree, 'Makefile'))) usage(`${tree}: not a kernel tree (no top Makefile)`);
if (!(runs >= 1) || !(jobs >= 1)) usage('--runs and --jobs take positive integers');

const hasTime = spawnSync(GNU_TIME, ['-f', '%e', 'true']).status === 0;
if (spawnSync('rg', ['--version']).status !== 0) usage('ripgrep (rg) is needed for the floor');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-bench-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Sample {
  const timeFile = path.join(tmp, 'time');
  const t0 = process.hrtime.bigint();
  const r = hasTime
    ? spawnSync(GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, cmd, ...args], { env: { ...process.env, ...env }, maxBuffer: 1 << 30 })
    : spawnSync(cmd, args, { env: { ...process.env, ...env }, maxBuffer: 1 << 30 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  let cpu: number | null = null, rss: number | null = null;
  if (hasTime) {
    const line = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    cpu = line[0] + line[1];
    rss = line[2] * 1024;
  }
  return { wall, cpu, rss, stdout: r.stdout?.toString() ?? '', stderr: r.stderr?.toString() ?? '', status: r.status };
}

/** The median run (by wall time) of n. */
function median(n: number, f: () => Sample): Sample {
  const all: Sample[] = [];
  for (let i = 0; i < n; i++) all.push(f());
  all.sort((a, b) => a.wall - b.wall);
  return all[Math.floor((all.length - 1) / 2)];
}


function floor(paths: string[]): Sample {
  const args = ['-l', '-F', '--no-ignore', '-g', '*.c', '-g', '*.h', ...PREFILTER_NEEDLES.flatMap((n) => ['-e', n]), ...paths];
  return run('rg', args);
}

const outFile = path.join(tmp, 'out.json');
function auditRun(args: string[], env: NodeJS.ProcessEnv = {}): Sample {
  const s = run(process.execPath, [BIN, ...args, '-f', 'json', '-o', outFile, '--fail-on', 'none'], env);
  if (s.status !== 0) throw new Error(`gup-audit ${args.join(' ')} failed (${s.status}): ${s.stderr.trim().split('\n').pop()}`);
  return s;
}
function lastOutput(): { candidates: number; findings: string[]; bytes: number; files: number } {
  const o = JSON.parse(fs.readFileSync(outFile, 'utf8'));
  return { candidates: o.stats.candidateFiles, findings: o.findings.map((f: { fingerprint: string }) => f.fingerprint).sort(), bytes: o.stats.bytesScanned, files: o.stats.filesDiscovered };
}

// ---- inventory ----
interface Unit { path: string; bytes: number; files: number; cBytes: number }
function inventory(dir: string): Unit {
  const u: Unit = { path: dir, bytes: 0, files: 0, cBytes: 0 };
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const c = inventory(p);
      u.bytes += c.bytes; u.files += c.files; u.cBytes += c.cBytes;
    } else if (e.isFile() && /\.[ch]$/.test(e.name)) {
      const size = fs.statSync(p).size;
      u.bytes += size; u.files++;
      if (e.name.endsWith('.c')) u.cBytes += size;
    }
  }
  return u;
}

/** Directories (and files) that make up the first half of the tree's bytes, in path
 * order: units above a quarter of the tree are split into their children. */
function firstHalf(tree: string, total: number): { paths: string[]; bytes: number; files: number } {
  const units: Unit[] = [];
  const split = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        const u = inventory(p);
        if (u.bytes > total / 4) split(p);
        else if (u.files) units.push(u);
      } else if (e.isFile() && /\.[ch]$/.test(e.name)) units.push({ path: p, bytes: fs.statSync(p).size, files: 1, cBytes: 0 });
    }
  };
  split(tree);
  const out = { paths: [] as string[], bytes: 0, files: 0 };
  for (const u of units) {
    if (out.bytes >= total / 2) break;
    out.paths.push(u.path); out.bytes += u.bytes; out.files += u.files;
  }
  return out;
}

const fmtS = (x: number | null) => (x === null ? '   n/a' : x.toFixed(2).padStart(6));
const fmtMB = (x: number | null) => (x === null ? '    n/a' : `${(x / 1048576).toFixed(0).padStart(4)} MB`);
const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? '    n/a' : `${(a / b).toFixed(2).padStart(6)}x`);

function table(title: string, rows: Row[], base: Sample): void {
  console.log(`\n${title}`);
  console.log(`  ${'measurement'.padEnd(50)} ${'wall s'.padStart(6)} ${'cpu s'.padStart(6)} ${'peak RSS'.padStart(8)}  ${'wall/floor'.padStart(10)} ${'cpu/floor'.padStart(9)}`);
  for (const r of rows) {
    console.log(`  ${r.name.padEnd(50)} ${fmtS(r.s.wall)} ${fmtS(r.s.cpu)} ${fmtMB(r.s.rss).padStart(8)}  ${ratio(r.s.wall, base.wall).padStart(10)} ${ratio(r.s.cpu, base.cpu).padStart(9)}${r.note ? `   ${r.note}` : ''}`);
  }
}

interface TreeResult { tree: string; version: string; all: Unit; base: Sample; def: Sample; defOut: ReturnType<typeof lastOutput>; cacheDir: string; second?: { after: string; s: Sample; cached: string; same: boolean } }

/** The kernel version of a tree, from its top Makefile. */
function kernelVersion(tree: string): string {
  const mk = fs.readFileSync(path.join(tree, 'Makefile'), 'utf8');
  const v = (k: string) => new RegExp(`^${k}\\s*=\\s*(\\S*)`, 'm').exec(mk)?.[1] ?? '?';
  return `${v('VERSION')}.${v('PATCHLEVEL')}`;
}

function benchTree(tree: string, prev: Pick<TreeResult, 'tree' | 'cacheDir'> | undefined): TreeResult {
  const load0 = os.loadavg()[0];
  const all = inventory(tree);
  console.log(`\n==== gup-audit benchmark: ${tree} (v${kernelVersion(tree)})`);
  console.log(`  ${all.files} .c/.h files, ${(all.bytes / 1e6).toFixed(0)} MB (.c: ${(all.cBytes / 1e6).toFixed(0)} MB)`);
  console.log(`  ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, audit --jobs ${jobs}; median of ${runs} run(s)`);
  console.log(`  load average at start ${load0.toFixed(2)}${load0 > os.cpus().length / 2 ? '  (busy machine: figures are inflated)' : ''}${hasTime ? '' : '; GNU time missing: no CPU/RSS'}`);

  // Warm the page cache (untimed): the figures are for a warm cache.
  floor([tree]);
  auditRun([tree, '-j', String(jobs)]);

  const rows: Row[] = [];
  const base = median(runs, () => floor([tree]));
  const rgFiles = base.stdout.split('\n').filter(Boolean).length;
  rows.push({ name: `floor: rg -l, ${PREFILTER_NEEDLES.length} needles (${rgFiles} files)`, s: base });

  const def = median(runs, () => auditRun([tree, '-j', String(jobs)]));
  const defOut = lastOutput();
  rows.push({ name: `audit (default; ${defOut.candidates} candidates)`, s: def });

  // The second tree: the cache filled on the tree before (content-keyed facts), this tree
  // audited with it, against this tree's default (cold) audit.
  let second: TreeResult['second'];
  if (prev) {
    const s = auditRun([tree, '-j', String(jobs), '--cache', prev.cacheDir, '--profile']);
    const cached = /extraction\s+(\d+) requests, \d+ ms of worker time, (\d+) from the cache/.exec(s.stderr);
    second = { after: prev.tree, s, cached: cached ? `${cached[2]} of ${cached[1]} extractions from the cache` : '?', same: false };
    second.same = JSON.stringify(lastOutput().findings) === JSON.stringify(defOut.findings);
  }

  const cacheDir = path.join(tmp, `cache-${trees.indexOf(tree)}`);
  const cold = auditRun([tree, '-j', String(jobs), '--cache', cacheDir]);
  const coldOut = lastOutput();
  rows.push({ name: 'audit --cache, cold (fills the cache)', s: cold });
  const warm = median(runs, () => auditRun([tree, '-j', String(jobs), '--cache', cacheDir]));
  const warmOut = lastOutput();
  rows.push({ name: 'audit --cache, warm, unchanged tree', s: warm, note: 'last result reused' });
  const warmFiles = median(runs, () => auditRun([tree, '-j', String(jobs), '--cache', cacheDir], { GUP_AUDIT_CACHE_RESULT: '0' }));
  const warmFilesOut = lastOutput();
  rows.push({ name: 'audit --cache, warm, result recomputed', s: warmFiles, note: 'per-file entries, analysis rerun' });
  // Edits (GUP_AUDIT_BENCH_EDIT, nothing written to the tree): a file the analysis reads,
  // once with a comment appended (its facts unchanged: the result is kept after its
  // requests are sent again), once with lines inserted at its start (every line moves: the
  // result is kept with its lines moved; a different count each run, so no run finds the
  // previous one's result) and once with a line inserted in each function body (the
  // facts change: recomputed; these two last: the edit is not in the tree, and a later
  // run would take that result for the tree's); and a file outside what the result was
  // computed from.
  const edited = ['mm/gup.c', 'mm/memory.c'].find((f) => fs.existsSync(path.join(tree, f)))!;
  const outside = ['drivers/net/loopback.c', 'lib/sort.c', 'init/main.c'].find((f) => fs.existsSync(path.join(tree, f)))!;
  let edits = 0;
  const tag = () => `${process.pid}-${Date.now()}-${edits++}`;
  const kept = (o: ReturnType<typeof lastOutput>) => (o.bytes === 0 ? 'result kept' : 'result recomputed');
  const warmEdit = median(runs, () => auditRun([tree, '-j', String(jobs), '--cache', cacheDir], { GUP_AUDIT_BENCH_EDIT: `${edited}:${tag()}` }));
  const warmEditOut = lastOutput();
  rows.push({ name: 'audit --cache, warm, one file edited: comment', s: warmEdit, note: `${edited}, a comment line appended: ${kept(warmEditOut)}` });
  const warmOther = median(runs, () => auditRun([tree, '-j', String(jobs), '--cache', cacheDir], { GUP_AUDIT_BENCH_EDIT: `${outside}:${tag()}` }));
  const warmOtherOut = lastOutput();
  rows.push({ name: 'audit --cache, warm, another file edited', s: warmOther, note: `${outside}: ${kept(warmOtherOut)}` });
  const warmMove = median(runs, () => auditRun([tree, '-j', String(jobs), '--cache', cacheDir], { GUP_AUDIT_BENCH_EDIT: `${edited}:${tag()}:${edits}` }));
  const warmMoveOut = lastOutput();
  rows.push({ name: 'audit --cache, warm, one file edited: lines moved', s: warmMove, note: `${edited}, lines inserted at its start: ${kept(warmMoveOut)}` });
  const warmBody = median(runs, () => auditRun([tree, '-j', String(jobs), '--cache', cacheDir], { GUP_AUDIT_BENCH_EDIT: `${edited}:${tag()}:body` }));
  const warmBodyOut = lastOutput();
  rows.push({ name: 'audit --cache, warm, one file edited: functions', s: warmBody, note: `${edited}, a line inserted in each function body: ${kept(warmBodyOut)}` });

  // The per-file check of a kernel build (`make C=1 CHECK=gup-audit`): one process per
  // compiled file, with kbuild-like compiler flags, from the tree's warm index (built by
  // an ordinary --cache run into the default cache location, as the README says).
  const xdg = path.join(tmp, `xdg-${trees.indexOf(tree)}`);
  auditRun([tree, '-j', String(jobs), '--cache'], { XDG_CACHE_HOME: xdg });
  const checkFiles = ['mm/gup.c', 'kernel/events/uprobes.c', 'drivers/misc/bcm-vk/bcm_vk_sg.c', 'fs/exec.c'].filter((f) => fs.existsSync(path.join(tree, f)));
  const checkRows: Row[] = [];
  for (const f of checkFiles) {
    const s = median(runs, () => run(process.execPath, [BIN, '-D__KERNEL__', '-Wall', '-std=gnu11', '-I', path.join(tree, 'include'), path.join(tree, f)], { XDG_CACHE_HOME: xdg }));
    if (s.status !== 0) throw new Error(`per-file check of ${f} failed (${s.status}): ${s.stderr.trim().split('\n').pop()}`);
    checkRows.push({ name: `check one file (make C=1), warm index: ${f}`, s });
  }

  let full: Sample | null = null, parse: Sample | null = null;
  let fullOut: ReturnType<typeof lastOutput> | null = null;
  let parsed: { files: number; bytes: number; ms: number; errors: number } | null = null;
  if (!skipSlow) {
    full = auditRun([tree, '-j', String(jobs), '--no-prefilter']);
    fullOut = lastOutput();
    rows.push({ name: 'audit --no-prefilter (extract from every file)', s: full });
    parse = run(process.execPath, [PARSE_ONLY, '--jobs', String(jobs), tree]);
    if (parse.status !== 0) throw new Error(`parse-only failed: ${parse.stderr}`);
    parsed = JSON.parse(parse.stdout);
    rows.push({ name: `tree-sitter parse-only, .c files, ${jobs} workers`, s: parse });
  }
  table('Whole tree (warm page cache)', rows, base);
  if (checkRows.length) table('Per-file checks of a kernel build (ratios to the whole-tree floor)', checkRows, base);

  if (full && parse && parsed) {
    const cMBs = all.cBytes / 1e6;
    const tsRate = parsed.bytes / 1e6 / (parsed.ms / 1000);
    console.log('\nThroughput');
    console.log(`  tree-sitter parse-only: ${parsed.files} .c files, ${(parsed.bytes / 1e6).toFixed(0)} MB in ${(parsed.ms / 1000).toFixed(1)} s = ${tsRate.toFixed(1)} MB/s (${(tsRate / jobs).toFixed(1)} MB/s per worker; ${parsed.errors} files with ERROR nodes)`);
    const fullRate = cMBs / full.wall;
    console.log(`  audit --no-prefilter:   the same .c files (and the .h) in ${full.wall.toFixed(1)} s = ${fullRate.toFixed(1)} MB/s of .c; ${(100 * fullRate / tsRate).toFixed(0)}% of parse-only throughput`);
  }

  // ---- scale ----
  const half = firstHalf(tree, all.bytes);
  const sub = path.join(tree, subsystem);
  const scale: Row[] = [];
  if (fs.existsSync(sub)) {
    const su = inventory(sub);
    const subBase = median(runs, () => floor([sub]));
    scale.push({ name: `floor: ${subsystem} (${su.files} files, ${(su.bytes / 1e6).toFixed(0)} MB)`, s: subBase });
    scale.push({ name: `audit ${subsystem}`, s: median(runs, () => auditRun([sub, '-j', String(jobs)])) });
  }
  const halfBase = median(runs, () => floor(half.paths));
  scale.push({ name: `floor: first half (${half.paths.length} paths, ${half.files} files, ${(half.bytes / 1e6).toFixed(0)} MB)`, s: halfBase });
  scale.push({ name: 'audit first half', s: median(runs, () => auditRun([...half.paths, '-j', String(jobs)])) });
  scale.push({ name: `floor: whole tree (${all.files} files, ${(all.bytes / 1e6).toFixed(0)} MB)`, s: base });
  scale.push({ name: 'audit whole tree', s: def });
  scale.push({ name: 'audit whole tree --jobs 1', s: median(runs, () => auditRun([tree, '-j', '1'])) });
  scale.push({ name: 'audit whole tree --jobs 2', s: median(runs, () => auditRun([tree, '-j', '2'])) });
  table('Scale (ratios to the whole-tree floor)', scale, base);
  const sized = scale.filter((r) => r.name.startsWith('audit') && !r.name.includes('--jobs'));
  const floors = scale.filter((r) => r.name.startsWith('floor'));
  console.log('\n  audit / floor of the same paths: ' + sized.map((r, i) => `${r.name.replace('audit ', '')} ${(r.s.wall / floors[i].s.wall).toFixed(2)}x`).join(', '));

  // ---- checks: the same work, the same answers ----
  console.log('\nChecks');
  console.log(`  rg files ${rgFiles}, audit candidates ${defOut.candidates}: ${rgFiles === defOut.candidates ? 'same' : 'DIFFERENT'}`);
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  // A warm run reads no file: a rebuild of dist/ between the runs (a new build id) would
  // have made it cold.
  console.log(`  warm runs read ${warmOut.bytes} and ${warmFilesOut.bytes} bytes of source: ${warmOut.bytes === 0 && warmFilesOut.bytes === 0 ? 'the cache was warm' : 'NOT WARM (was dist/ rebuilt meanwhile?)'}`);
  console.log(`  findings: default ${defOut.findings.length}; --cache cold ${same(coldOut.findings, defOut.findings) ? 'same' : 'DIFFERENT'}, warm ${same(warmOut.findings, defOut.findings) ? 'same' : 'DIFFERENT'}, warm recomputed ${same(warmFilesOut.findings, defOut.findings) ? 'same' : 'DIFFERENT'}, edited ${[warmEditOut, warmMoveOut, warmBodyOut, warmOtherOut].every((o) => same(o.findings, defOut.findings)) ? 'same' : 'DIFFERENT'}${second ? `, after the cache of ${path.basename(second.after)} ${second.same ? 'same' : 'DIFFERENT'}` : ''}${fullOut ? `, --no-prefilter ${same(fullOut.findings, defOut.findings) ? 'same' : 'DIFFERENT'}` : ''}`);
  const load1 = os.loadavg()[0];
  console.log(`  load average at the end ${load1.toFixed(2)}`);
  return { tree, version: kernelVersion(tree), all, base, def, defOut, cacheDir, second };
}

/** A cache filled by one cold --cache audit of `tree` (for TREE@PREV). */
function fillCache(tree: string): { tree: string; cacheDir: string } {
  const cacheDir = path.join(tmp, `cache-prev-${path.basename(tree)}`);
  auditRun([tree, '-j', String(jobs), '--cache', cacheDir]);
  return { tree, cacheDir };
}

function main(): void {
  const results: TreeResult[] = [];
  for (const tree of trees) results.push(benchTree(tree, prevOf.has(tree) ? fillCache(prevOf.get(tree)!) : results[results.length - 1]));
  if (results.length >= 2) acrossTrees(results);
  const seconds = results.filter((r) => r.second);
  if (seconds.length === 0) return;
  console.log('\n  Second tree: a tree audited with the --cache filled (one cold run) on another tree: the one before it in');
  console.log('  the list, or PREV of TREE@PREV. Facts are keyed by path and content, with the preprocessor\'s options but');
  console.log('  not the tree\'s place or its version (an entry records the headers it read and whether a condition');
  console.log('  tested the version): every file that is the same in both trees hits. The scan index is per tree root');
  console.log('  and stat key, so the second tree is always scanned whole.');
  for (const r of seconds) {
    const s = r.second!;
    console.log(`  ${path.basename(r.tree)} (v${r.version}) after ${path.basename(s.after)}: ${s.s.wall.toFixed(2)} s = ${(s.s.wall / r.def.wall).toFixed(2)}x its cold default audit (${(s.s.wall / r.base.wall).toFixed(2)}x its floor), ${fmtMB(s.s.rss).trim()} peak; ${s.cached}; findings ${s.same ? 'same' : 'DIFFERENT'}`);
  }
}

/** Ratios to the newest kernel of the run. */
function acrossTrees(results: TreeResult[]): void {
  const num = (v: string) => v.split('.').reduce((a, x) => a * 1000 + (Number(x) || 0), 0);
  const first = results.reduce((a, r) => (num(r.version) > num(a.version) ? r : a));
  const perMB = (r: TreeResult) => r.def.wall / (r.all.bytes / 1e6);
  console.log(`\n==== Across trees (default audit, --jobs ${jobs}; MB: all .c/.h bytes)`);
  console.log(`  ${'tree'.padEnd(34)} ${'MB'.padStart(5)} ${'floor s'.padStart(7)} ${'audit s'.padStart(7)} ${'audit/floor'.padStart(11)} ${'ms per MB'.padStart(9)}  ${`vs v${first.version}`.padStart(9)}`);
  for (const r of results) {
    console.log(`  ${`${path.basename(r.tree)} (v${r.version})`.padEnd(34)} ${(r.all.bytes / 1e6).toFixed(0).padStart(5)} ${fmtS(r.base.wall).padStart(7)} ${fmtS(r.def.wall).padStart(7)} ${ratio(r.def.wall, r.base.wall).padStart(11)} ${(1000 * perMB(r)).toFixed(2).padStart(9)}  ${`${(perMB(r) / perMB(first)).toFixed(2)}x`.padStart(9)}`);
  }
}

try {
  main();
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
