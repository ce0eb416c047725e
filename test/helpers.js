'use strict';
// Shared test helpers: run audits on fixture trees and read their annotations.
const fs = require('fs');
const path = require('path');
const test = require('node:test');
const { audit: auditOwnPool } = require('../dist/src/engine');
const { WorkerPool, workerCount } = require('../dist/src/parse/pool');
const { main } = require('../dist/src/cli');

const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** Fixture trees: directories under fixtures/ with a top Makefile. */
function fixtureTrees() {
  return fs.readdirSync(FIXTURES)
    .map((d) => path.join(FIXTURES, d))
    .filter((d) => fs.existsSync(path.join(d, 'Makefile')));
}

function walk(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.[ch]$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Annotations: `/* expect: rule-id:level, other-rule:level *\/` on the line of a finding
 * (the level is required: a rule whose level changes must fail the fixtures) and
 * `/* expect-none *\/` on a line that must stay silent. `expected` lists "file:line:rule:level"
 * once per annotation; `none` holds "file:line". */
function annotations(root) {
  const expected = [];
  const none = new Set();
  for (const f of walk(root)) {
    const rel = path.relative(root, f).split(path.sep).join('/');
    fs.readFileSync(f, 'latin1').split('\n').forEach((line, i) => {
      const m = /\/\*\s*expect:\s*([a-z0-9:,\s-]+?)\s*\*\//.exec(line);
      if (m) {
        for (const item of m[1].split(/[,\s]+/).filter(Boolean)) {
          const a = /^([a-z0-9-]+):(error|warning|note)$/.exec(item);
          if (!a) throw new Error(`${rel}:${i + 1}: annotation '${item}' must be rule-id:level (error, warning or note)`);
          expected.push(`${rel}:${i + 1}:${a[1]}:${a[2]}`);
        }
      }
      if (/\/\*\s*expect-none\s*\*\//.test(line)) none.add(`${rel}:${i + 1}`);
    });
  }
  return { expected, none };
}

/** Compare findings with annotations as multisets of "file:line:rule:level": a finding
 * reported twice, at another level, or on another line is a difference. */
function compareWithAnnotations(findings, { expected, none }) {
  const key = (f) => `${f.file}:${f.span.line}:${f.ruleId}:${f.level}`;
  const count = (keys) => keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map());
  const want = count(expected);
  const got = count(findings.map(key));
  const describe = (k) => {
    const f = findings.find((x) => key(x) === k);
    return f ? `${k}  (${f.message})` : k;
  };
  const missing = [];
  const unexpected = [];
  for (const [k, n] of want) for (let i = got.get(k) ?? 0; i < n; i++) missing.push(k);
  for (const [k, n] of got) for (let i = want.get(k) ?? 0; i < n; i++) unexpected.push(describe(k));
  const onExpectNone = findings.filter((f) => none.has(`${f.file}:${f.span.line}`)).map(key);
  return { missing, unexpected, onExpectNone };
}

/** Worker pools shared by the audits of this test process, by size: each audit on its own
 * pool would start its workers and load tree-sitter in them again (~0.1-0.2 s of CPU per
 * audit, a few hundred audits). Closed when the file's tests are done. */
const pools = new Map();
test.after(async () => {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close()));
});

/** audit() on this process's shared pool of `jobs` workers (default 1) with the audit's time
 * limit (timeoutMs, default 60 s, the CLI's). An audit that brings its own pool keeps it;
 * the tests of worker faults, time limits and hung workers (robustness, availability)
 * call the engine or the CLI directly: their workers are their own. */
function audit(opts) {
  if (opts.pool) return auditOwnPool(opts);
  const jobs = workerCount(opts.jobs ?? 1);
  const timeoutMs = opts.timeoutMs ?? 60000;
  return auditOwnPool({ ...opts, pool: sharedPool(jobs, timeoutMs) });
}

function sharedPool(jobs, timeoutMs) {
  const key = `${jobs}/${timeoutMs}`;
  if (!pools.has(key)) pools.set(key, new WorkerPool(jobs, timeoutMs));
  return pools.get(key);
}

/** An audit with one worker: the results do not depend on the worker count (the cache,
 * scan, shard and determinism tests use auditTreeParallel, which checks that with two). */
async function auditTree(root, extra = {}) {
  return audit({ paths: [root], jobs: 1, ...extra });
}

async function auditTreeParallel(root, extra = {}) {
  return audit({ paths: [root], jobs: 2, ...extra });
}

/** Runs the command line in this process (`gup-audit ARGS`), as a spawned process would
 * see it: `cwd` the working directory, `input` standard input, `env` variables set for the
 * run, `timeout` (ms) a limit after which the test fails. Returns spawnSync's fields (status,
 * stdout, stderr). The run's audits use this
 * process's shared pools, unless `env` sets a worker fault switch (a worker reads those when
 * it starts): then they start their own. Tests of the executable itself (exit on a closed
 * pipe, a run as another user, the installed package) spawn it. */
async function cli(args, { cwd, input, env = {}, timeout } = {}) {
  const out = [];
  const err = [];
  const stream = (chunks) => ({ isTTY: false, write(d) { chunks.push(Buffer.from(d)); return true; } });
  const stdin = () => Buffer.from(input ?? '');
  const ownWorkers = Object.keys(env).some((k) => k.startsWith('GUP_AUDIT_TEST_FAULT'));
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const setEnv = (vars) => { for (const [k, v] of Object.entries(vars)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; } };
  const dir = process.cwd();
  setEnv(env);
  let status;
  try {
    if (cwd) process.chdir(cwd);
    const run = main(['node', 'gup-audit', ...args.map(String)], {
      stdout: stream(out), stderr: stream(err),
      readStdin: async () => stdin(), readStdinSync: stdin,
      lendPool: ownWorkers ? undefined : (jobs, timeoutMs) => sharedPool(jobs, timeoutMs),
    });
    let timer;
    const late = () => new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`gup-audit ${args.join(' ')}: no result after ${timeout} ms`)), timeout).unref(); });
    status = await (timeout ? Promise.race([run, late()]) : run).finally(() => clearTimeout(timer));
  } finally {
    process.chdir(dir);
    setEnv(saved);
  }
  return { status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** git with a fixed identity and dates and no user or system configuration (the gate
 * tests' repositories). */
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Gate Test', GIT_AUTHOR_EMAIL: 'gate@example.org', GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
  GIT_COMMITTER_NAME: 'Gate Test', GIT_COMMITTER_EMAIL: 'gate@example.org', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
  GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
};
const git = (cwd, ...args) => require('child_process').execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' });

module.exports = { GIT_ENV, git, cli, FIXTURES, fixtureTrees, annotations, compareWithAnnotations, audit, auditTree, auditTreeParallel, walk };
