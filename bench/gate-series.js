#!/usr/bin/env node
'use strict';
// Benchmark (not a test): gate a generated 20-patch series over a kernel tree.
//
//   node bench/gate-series.js [KERNEL_TREE] [--patches N] [--runs R] [--keep] [-- GUP-AUDIT OPTIONS]
//
// Picks N driver files with a GUP call in N different directories, writes one
// git format-patch style patch per file that appends a helper taking
// mmap_read_lock(current->mm) around one get_user_pages() call (one
// prefer-unlocked each), then times `gup-audit series --tree KERNEL_TREE
// 00*.patch` end to end (process start to exit) R times. The tree is only read. The gate
// uses the persistent cache when the tree has an index there (`gup-audit --cache TREE`
// once): the first run then fills the cache with the sides' extractions, and the later
// ones are warm; `-- --no-cache` measures without it.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { createTwoFilesPatch } = require('diff');

const keep = process.argv.includes('--keep');
const dd = process.argv.indexOf('--');
const extra = dd >= 0 ? process.argv.slice(dd + 1) : [];
const args = process.argv.slice(2, dd >= 0 ? dd : undefined).filter((a) => a !== '--keep');
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : dflt; };
const nPatches = Number(opt('--patches', '20'));
const runs = Number(opt('--runs', '5'));
const tree = path.resolve(args[0] ?? '/work/kernels/linux-source-6.12');
const bin = path.join(__dirname, '..', 'bin', 'gup-audit.js');

function* walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile() && e.name.endsWith('.c')) yield p;
  }
}

const picked = [];
const dirs = new Set();
for (const f of walk(path.join(tree, 'drivers'))) {
  const rel = path.relative(tree, f).split(path.sep).join('/');
  const dir = path.posix.dirname(rel);
  if (dirs.has(dir)) continue;
  const text = fs.readFileSync(f, 'latin1');
  if (!/\b(get|pin)_user_pages(_fast|_unlocked|_remote)?\(/.test(text)) continue;
  dirs.add(dir);
  picked.push({ rel, text });
  if (picked.length === nPatches) break;
}
if (picked.length < nPatches) { console.error(`only ${picked.length} candidate files found`); process.exit(2); }

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-gate-bench-'));
picked.forEach(({ rel, text }, i) => {
  const n = i + 1;
  const helper = `\n/* Pin one user page for a doorbell. */\nstatic long __maybe_unused gate_bench_pin_${n}(unsigned long uaddr, struct page **page)\n{\n\tlong got;\n\n\tmmap_read_lock(current->mm);\n\tgot = get_user_pages(uaddr, 1, FOLL_WRITE, page);\n\tmmap_read_unlock(current->mm);\n\treturn got == 1 ? 0 : -EFAULT;\n}\n`;
  const after = text + helper;
  let diff = createTwoFilesPatch(`a/${rel}`, `b/${rel}`, text, after, undefined, undefined, { context: 3 });
  diff = diff.replace(/^=+\n/m, '').replace(/^Index: .*\n/m, `diff --git a/${rel} b/${rel}\nindex 0000000..1111111 100644\n`);
  const subject = `[PATCH ${n}/${nPatches}] ${path.posix.dirname(rel).split('/').slice(1).join('/')}: pin doorbell page`;
  const mail = `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: Bench <bench@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nSubject: ${subject}\n\nAdd a helper that pins one page.\n\nSigned-off-by: Bench <bench@example.org>\n---\n${diff}-- \n2.39.5\n\n`;
  fs.writeFileSync(path.join(out, `${String(n).padStart(4, '0')}-bench.patch`), mail, 'latin1');
});
const patches = fs.readdirSync(out).filter((f) => f.endsWith('.patch')).sort().map((f) => path.join(out, f));

const times = [];
let last;
for (let r = 0; r < runs; r++) {
  const t0 = process.hrtime.bigint();
  last = spawnSync(process.execPath, [bin, 'series', '--tree', tree, '--format', 'json', ...extra, ...patches], { encoding: 'utf8', maxBuffer: 1 << 28 });
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  if (last.status !== 0 && last.status !== 1) { console.error(last.stderr); process.exit(2); }
}
const res = JSON.parse(last.stdout);
// (The first run fills the persistent cache when the gate uses one: the runs in order.)
console.log(`runs in order (ms): ${times.map((t) => t.toFixed(0)).join(', ')}`);
for (const n of res.notifications) console.log(`note: ${n.message}`);
times.sort((a, b) => a - b);
console.log(`tree ${tree}: ${patches.length} patches over ${picked.length} files in ${dirs.size} directories (${out})`);
console.log(`scope: ${res.scope.filesBefore} -> ${res.scope.filesAfter} files in ${res.scope.directories.length} directories; ` +
  `introduced ${res.summary.introduced}, fixed ${res.summary.fixed}, unchanged ${res.summary.unchanged}; exit ${last.status}`);
console.log(`wall ms over ${runs} runs: min ${times[0].toFixed(0)}, median ${times[Math.floor(times.length / 2)].toFixed(0)}, max ${times[times.length - 1].toFixed(0)}; in-process ${JSON.stringify(res.timingsMs)}`);
if (!keep) fs.rmSync(out, { recursive: true, force: true });
