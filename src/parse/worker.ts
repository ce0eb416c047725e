// Worker thread: token scans (prefilter) and fact extraction. Returns plain data only.
import { parentPort } from 'worker_threads';
import * as fs from 'fs';
import { isUtf8 } from 'buffer';
import { extractFile, type ExtractRequest } from './extract';

export type WorkerTask =
  | { type: 'scan'; files: string[]; needles: string[]; maxBytes: number }
  | { type: 'extract'; req: ExtractRequest; maxBytes: number };

export interface ScanResult {
  hits: number[];
  skipped: { index: number; reason: string }[];
  bytes: number;
}

let buf = Buffer.allocUnsafe(1 << 20);

function readWhole(path: string, maxBytes: number): Buffer | string {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (e) {
    return `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size > maxBytes) return `larger than the size limit (${size} > ${maxBytes} bytes)`;
    if (size + 1 > buf.length) buf = Buffer.allocUnsafe(Math.max(size + 1, buf.length * 2));
    let n = 0;
    for (;;) {
      const r = fs.readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]);
    }
    return buf.subarray(0, n);
  } catch (e) {
    return `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
  } finally {
    fs.closeSync(fd);
  }
}

function scan(task: Extract<WorkerTask, { type: 'scan' }>): ScanResult {
  const res: ScanResult = { hits: [], skipped: [], bytes: 0 };
  const needles = task.needles.map((n) => Buffer.from(n, 'latin1'));
  for (let i = 0; i < task.files.length; i++) {
    const data = readWhole(task.files[i], Number.MAX_SAFE_INTEGER);
    if (typeof data === 'string') { res.skipped.push({ index: i, reason: data }); continue; }
    res.bytes += data.length;
    for (const n of needles) {
      if (data.indexOf(n) >= 0) { res.hits.push(i); break; }
    }
  }
  return res;
}

function extract(task: Extract<WorkerTask, { type: 'extract' }>) {
  const data = readWhole(task.req.abs, task.maxBytes);
  if (typeof data === 'string') return { skipped: data };
  const probe = data.subarray(0, Math.min(data.length, 8192));
  if (probe.indexOf(0) >= 0) return { skipped: 'binary file (contains NUL bytes)' };
  const notes: string[] = [];
  if (!isUtf8(data)) notes.push('not valid UTF-8: read as Latin-1');
  // latin1: one char per byte, so columns are byte columns and nothing fails to decode.
  const text = data.toString('latin1');
  const facts = extractFile(task.req, text);
  return { facts, notes };
}

parentPort!.on('message', (msg: { id: number; task: WorkerTask }) => {
  try {
    const result = msg.task.type === 'scan' ? scan(msg.task) : extract(msg.task);
    parentPort!.postMessage({ id: msg.id, result });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: e instanceof Error ? `${e.message}` : String(e) });
  }
});
