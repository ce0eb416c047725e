// tree-sitter's own throughput, as a floor for gup-audit's full-extraction mode: parse
// whole .c files with tree-sitter-c in N worker threads and nothing else (no masking, no
// cutting, no tree walks). Prints one JSON line: { files, bytes, ms, errors }.
//
//   node dist/bench/parse-only.js [--jobs N] <path...>
import { Worker, isMainThread, parentPort, workerData } from 'worker_threads';
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import Parser = require('tree-sitter');

interface Share { files: string[] }
interface Done { files: number; bytes: number; errors: number }

function listC(dir: string, out: { file: string; size: number }[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) listC(p, out);
    else if (e.isFile() && e.name.endsWith('.c')) out.push({ file: p, size: fs.statSync(p).size });
  }
}

if (isMainThread) {
  const args = process.argv.slice(2);
  let jobs = 2;
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--jobs' || args[i] === '-j') jobs = Number(args[++i]);
    else paths.push(args[i]);
  }
  const files: { file: string; size: number }[] = [];
  for (const p of paths) listC(path.resolve(p), files);
  // Largest first, each to the least loaded worker.
  files.sort((a, b) => b.size - a.size);
  const shares: Share[] = Array.from({ length: jobs }, () => ({ files: [] }));
  const load = new Array(jobs).fill(0);
  for (const f of files) {
    const i = load.indexOf(Math.min(...load));
    shares[i].files.push(f.file);
    load[i] += f.size;
  }
  const t0 = Date.now();
  Promise.all(shares.map((share) => new Promise<Done>((resolve, reject) => {
    const w = new Worker(__filename, { workerData: share });
    w.once('message', resolve);
    w.once('error', reject);
  }))).then((done) => {
    const sum = done.reduce((a, d) => ({ files: a.files + d.files, bytes: a.bytes + d.bytes, errors: a.errors + d.errors }), { files: 0, bytes: 0, errors: 0 });
    process.stdout.write(JSON.stringify({ ...sum, ms: Date.now() - t0, jobs }) + '\n');
  }, (e) => { process.stderr.write(`parse-only: ${(e as Error).message}\n`); process.exitCode = 1; });
} else {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const C = require('tree-sitter-c');
  const parser = new Parser();
  parser.setLanguage(C);
  // A tree's memory is native and freed only when the GC finalises its JavaScript object,
  // which the (small) JavaScript heap rarely asks for: without explicit collections the
  // trees of 680 MB of C pile up to gigabytes. The finalisers run in a later turn of the
  // event loop, hence the setImmediate after each collection.
  v8.setFlagsFromString('--expose_gc');
  const gc = vm.runInNewContext('gc') as () => void;
  let pending = 0;
  const res: Done = { files: 0, bytes: 0, errors: 0 };
  void (async () => {
  for (const f of (workerData as Share).files) {
    const text = fs.readFileSync(f, 'latin1');
    const tree = parser.parse(text, null, { bufferSize: text.length + 1 });
    if (tree.rootNode.hasError) res.errors++;
    res.files++;
    res.bytes += text.length;
    pending += text.length;
    if (pending > 2 << 20) {
      gc();
      pending = 0;
      await new Promise((r) => setImmediate(r));
    }
  }
  parentPort!.postMessage(res);
  })();
}
