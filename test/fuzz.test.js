'use strict';
// Fuzzing (issue 9, moved out of test/robustness.test.js so that the two run side by side):
// mutated fixture files and random files never crash the analyser, and the findings of
// files the mutations do not touch do not change.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { FIXTURES, audit, cli, walk } = require('./helpers');

const V612 = path.join(FIXTURES, 'v6.12');

// ---------------------------------------------------------------- helpers (as in robustness.test.js)

const tmpRoots = [];
test.after(() => {
  for (const d of tmpRoots) {
    try { spawnSync('chmod', ['-R', 'u+rwX', d]); fs.rmSync(d, { recursive: true, force: true }); } catch { /* best effort */ }
  }
});

function tmpdir() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-fuzz-'));
  tmpRoots.push(d);
  return d;
}

function put(root, rel, content) {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

async function run(args, o = {}) {
  const r = await cli(args, { env: o.env, timeout: o.timeout ?? 60000 });
  assert.doesNotMatch(r.stderr, /^\s+at /m, `stack trace on stderr:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error/, `internal error:\n${r.stderr}`);
  return r;
}

// ---------------------------------------------------------------- fuzzing

/** mulberry32: a small deterministic PRNG. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = ['{', '}', '(', ')', ';', ',', '\n', '\n{\n', '\n}\n', 'if', 'else', 'while', 'for', 'do', 'switch', 'case 1:', 'default:',
  'break;', 'continue;', 'return', 'goto out;', 'out:', '#if 0', '#ifdef X', '#else', '#endif', '&', '*', '!', '&&', '||', '?', ':', '=',
  '==', '->', '.', 'current->mm', 'mm', '&locked', 'locked', 'NULL', '0', '1', 'FOLL_WRITE', 'pages', 'vmas', 'ret', 'long f(int x)',
  'get_user_pages(', 'get_user_pages_remote(', 'pin_user_pages(', 'pin_user_pages_unlocked(', 'get_user_pages_fast(', 'mmap_read_lock(',
  'mmap_read_unlock(', 'mmap_write_lock(', 'mmap_read_lock_killable(', 'mmap_read_trylock(', 'down_read(&current->mm->mmap_sem)',
  'up_read(&mm->mmap_sem)', 'mmap_assert_locked(', 'list_for_each_entry(p, h, l)', '({', '})', '"str', '\'c', '/*', '*/', '//', '\\\n',
  '\t', ' ', '0x1fUL', 'sizeof(x)', '(long)', '[i]', '++', '--', '<<=', '...'];

function mutate(buf, rnd) {
  const pick = (n) => Math.floor(rnd() * n);
  const b = Buffer.from(buf);
  switch (pick(9)) {
    case 0: { // flip bytes (printable mostly, sometimes high or NUL)
      const k = 1 + pick(20);
      for (let i = 0; i < k && b.length; i++) b[pick(b.length)] = rnd() < 0.9 ? 32 + pick(95) : rnd() < 0.5 ? 128 + pick(128) : 0;
      return b;
    }
    case 1: return b.subarray(0, pick(b.length + 1)); // truncate
    case 2: case 3: { // delete, duplicate or swap lines
      const lines = b.toString('latin1').split('\n');
      const i = pick(lines.length), n = 1 + pick(8);
      const r = pick(3);
      if (r === 0) lines.splice(i, n);
      else if (r === 1) lines.splice(i, 0, ...lines.slice(i, i + n));
      else { const j = pick(lines.length); [lines[i], lines[j]] = [lines[j], lines[i]]; }
      return Buffer.from(lines.join('\n'), 'latin1');
    }
    case 4: { // insert C tokens
      let s = b.toString('latin1');
      for (let k = 1 + pick(10); k > 0; k--) { const at = pick(s.length + 1); s = s.slice(0, at) + TOKENS[pick(TOKENS.length)] + s.slice(at); }
      return Buffer.from(s, 'latin1');
    }
    case 5: { // a nesting bomb
      const s = b.toString('latin1');
      const at = pick(s.length + 1);
      const ch = ['(', '{', '!', '-', 'f(', 'a ? 1 : ', 'if (a) '][pick(7)];
      return Buffer.from(s.slice(0, at) + ch.repeat(200 + pick(3000)) + s.slice(at), 'latin1');
    }
    case 6: return Buffer.concat([b, b.subarray(pick(b.length + 1))]); // repeat a tail
    case 7: { // CRLF / CR line ends
      return Buffer.from(b.toString('latin1').replace(/\n/g, rnd() < 0.5 ? '\r\n' : '\r'), 'latin1');
    }
    default: { // drop a random byte range
      const i = pick(b.length + 1), j = i + pick(400);
      return Buffer.concat([b.subarray(0, i), b.subarray(j)]);
    }
  }
}

function tokenSoup(rnd, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += TOKENS[Math.floor(rnd() * TOKENS.length)] + (rnd() < 0.3 ? ' ' : '');
  return s;
}

test('fuzz (fixed seed): mutated fixtures and random files never crash the analyser; findings in untouched files do not change', async () => {
  // GUP_AUDIT_FUZZ_SEED / GUP_AUDIT_FUZZ_ITER: longer runs by hand (CI uses the defaults).
  const rnd = prng(Number(process.env.GUP_AUDIT_FUZZ_SEED ?? 0x6775702d)); // "gup-"
  const root = path.join(tmpdir(), 'fuzz');
  fs.mkdirSync(root);
  fs.copyFileSync(path.join(V612, 'Makefile'), path.join(root, 'Makefile'));
  fs.cpSync(path.join(V612, 'include'), path.join(root, 'include'), { recursive: true });
  // Untouched files with purely local findings; the corpus never defines their functions.
  const SENTINELS = ['drivers/virt/fsl_hypervisor.c', 'drivers/misc/ubuf/ubuf_wlock.c', 'drivers/misc/ubuf/ubuf_selflock.c'];
  for (const s of SENTINELS) { fs.mkdirSync(path.dirname(path.join(root, 'sentinel', s)), { recursive: true }); fs.copyFileSync(path.join(V612, s), path.join(root, 'sentinel', s)); }
  const names = new Set(SENTINELS.map((s) => path.basename(s)));
  const corpus = [];
  for (const tree of fs.readdirSync(FIXTURES)) {
    for (const f of walk(path.join(FIXTURES, tree))) {
      if (!f.endsWith('.c') || names.has(path.basename(f))) continue;
      const rel = path.join('corpus', tree, path.relative(path.join(FIXTURES, tree), f));
      put(root, rel, fs.readFileSync(f));
      corpus.push(rel);
    }
  }
  const sentinelFindings = (res) => res.findings.filter((f) => f.file.startsWith('sentinel/'))
    .map((f) => `${f.file}:${f.span.line}:${f.span.col}:${f.ruleId}:${f.message}`).sort();
  const auditIt = () => audit({ paths: [root], jobs: 2, timeoutMs: 20000 });

  const baseline = sentinelFindings(await auditIt());
  assert.ok(baseline.length >= 3, `sentinels give findings: ${baseline}`);
  // Precondition: the sentinels' findings do not depend on the corpus at all.
  const alone = path.join(tmpdir(), 'alone');
  fs.cpSync(root, alone, { recursive: true });
  fs.rmSync(path.join(alone, 'corpus'), { recursive: true });
  const aloneRes = await audit({ paths: [alone], jobs: 2 });
  assert.deepStrictEqual(sentinelFindings(aloneRes), baseline, 'sentinel findings depend on the corpus: pick other sentinels');

  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  const ITER = Number(process.env.GUP_AUDIT_FUZZ_ITER ?? 24);
  let findingsSeen = 0;
  for (let it = 0; it < ITER; it++) {
    const touched = new Map();
    const added = [];
    for (let k = 1 + Math.floor(rnd() * 4); k > 0; k--) {
      const rel = corpus[Math.floor(rnd() * corpus.length)];
      const p = path.join(root, rel);
      if (!touched.has(p)) touched.set(p, fs.readFileSync(p));
      let b = fs.readFileSync(p);
      for (let m = 1 + Math.floor(rnd() * 3); m > 0; m--) b = mutate(b, rnd);
      fs.writeFileSync(p, b);
    }
    if (rnd() < 0.5) {
      const rel = `corpus/random/r${it}.${rnd() < 0.8 ? 'c' : 'h'}`;
      const bytes = rnd() < 0.3
        ? Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 4000) }, () => Math.floor(rnd() * 256)))
        : Buffer.from(tokenSoup(rnd, 50 + Math.floor(rnd() * 1500)), 'latin1');
      put(root, rel, bytes);
      added.push(path.join(root, rel));
    }
    const detail = () => `iteration ${it}: ${[...touched.keys(), ...added].map((p) => path.relative(root, p)).join(', ')}`;
    if (it % 12 === 11) {
      // Through the CLI: exit 0 or 1, never 2 (no internal error), no stack trace.
      const r = await run([root, '-j', '2', '--format', 'json', '--file-timeout', '20000']);
      assert.ok(r.status === 0 || r.status === 1, `${detail()}: exit ${r.status}\n${r.stderr}`);
      const j = JSON.parse(r.stdout);
      const got = j.findings.filter((f) => f.file.startsWith('sentinel/')).map((f) => `${f.file}:${f.line}:${f.column}:${f.ruleId}:${f.message}`).sort();
      assert.deepStrictEqual(got, baseline, detail());
    } else {
      let res;
      try { res = await auditIt(); } catch (e) { assert.fail(`${detail()}: the audit threw: ${e.stack}`); }
      assert.deepStrictEqual(sentinelFindings(res), baseline, detail());
      findingsSeen += res.findings.length;
      for (const n of res.notifications) assert.ok(['error', 'warning', 'note'].includes(n.level) && typeof n.message === 'string', detail());
    }
    for (const [p, b] of touched) fs.writeFileSync(p, b);
    for (const p of added) fs.rmSync(p);
  }
  assert.ok(findingsSeen > 0);
  // The bound is on this process's CPU time (the in-process audits with their worker threads,
  // at least the wall time on free cores; the two CLI runs are bounded by run()'s timeout),
  // not on wall time: npm test runs two files at a time and the machine may be shared (under
  // a load of 12 on two cores the 24 iterations once took 51 s of wall time).
  if (!process.env.GUP_AUDIT_FUZZ_ITER) {
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
    assert.ok(cpuMs < 50000, `fuzzing took ${cpuMs} ms of CPU (${Date.now() - t0} ms of wall time)`);
  }
});
