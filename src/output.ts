// The one writer of files: reports (-o, --write-baseline, merge) and `fix --write`.
//
// A regular file is replaced atomically: the data goes to a temporary file created
// exclusively (O_CREAT|O_EXCL, which never follows a link) under an unpredictable name in the
// same directory, then renamed over the target; a failed run leaves no partial file, and a
// link planted at a guessable temporary name cannot redirect the write. A file that is not a
// regular one (/dev/null, a FIFO, /dev/stdout) is written in place: renaming over it would
// replace it. Anything doubtful (a dangling link, a read-only file, a directory, an empty
// name, a missing directory) is refused with a UsageError (exit 2), never replaced silently.
import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { UsageError } from './errors';
import { runContext } from './run-context';

export { makeDirs } from './fsname';

/** A write prepared but not yet visible: commit() makes it so, abort() leaves no trace. */
export interface PreparedWrite {
  /** The file as named by the caller. */
  file: string;
  commit(): void;
  abort(): void;
}

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** No write permission bit set: a file its owner marked read-only (root bypasses access()). */
const readOnlyMode = (st: fs.Stats) => (st.mode & 0o222) === 0;

/** Where a named output really goes: the path itself, or, through a link the user named,
 * the link's target; a dangling or looping link is refused. */
function resolveTarget(file: string, what: string): { abs: string; st: fs.Stats | null } {
  if (file === '') throw new UsageError(`${what}: empty file name`);
  const abs = path.resolve(file);
  if (/[\\/]$/.test(file)) throw new UsageError(`${what}: ${file} names a directory, not a file`);
  let st: fs.Stats | null = null;
  try { st = fs.lstatSync(abs); } catch (e) {
    if (errno(e) !== 'ENOENT') throw new UsageError(`${what}: cannot write ${file}: ${errno(e)}`);
  }
  if (st?.isSymbolicLink()) {
    let real: string;
    try { real = fs.realpathSync(abs); } catch (e) {
      throw new UsageError(`${what}: ${file} is a ${errno(e) === 'ELOOP' ? 'looping' : 'dangling'} symbolic link; not replaced`);
    }
    return { abs: real, st: fs.statSync(real) };
  }
  return { abs, st };
}

/** A temporary file next to `abs`, created exclusively with `mode`; its descriptor and name. */
function createTemp(abs: string, mode: number): { fd: number; tmp: string } {
  const dir = path.dirname(abs);
  for (let attempt = 0; ; attempt++) {
    const tmp = path.join(dir, `.${path.basename(abs)}.${randomBytes(12).toString('hex')}.tmp`);
    try { return { fd: fs.openSync(tmp, 'wx', mode), tmp }; } catch (e) {
      if (errno(e) !== 'EEXIST' || attempt >= 8) throw e;
    }
  }
}

/**
 * Prepare writing `data` to `file`. `what` prefixes messages (`--output`, `fix`).
 * `regularOnly`: the target must be an existing regular file, not reached through a link
 * (fix --write rewrites sources of the tree, never anything else).
 */
export function prepareWrite(file: string, data: string | Buffer, what: string, regularOnly = false): PreparedWrite {
  const fail = (why: string): never => { throw new UsageError(`${what}: cannot write ${file}: ${why}`); };
  if (regularOnly) {
    let st: fs.Stats | null = null;
    try { st = fs.lstatSync(file); } catch (e) { fail(errno(e)); }
    if (!st!.isFile()) fail('not a regular file (a symbolic link or a special file): not rewritten');
  }
  const { abs, st } = resolveTarget(file, what);
  if (st?.isDirectory()) throw new UsageError(`${what}: ${file} is a directory`);
  if (st && !st.isFile()) return inPlace(file, abs, data, fail);
  if (st && readOnlyMode(st)) fail('the file is read-only (mode ' + (st.mode & 0o777).toString(8) + '); not replaced');
  if (st) { try { fs.accessSync(abs, fs.constants.W_OK); } catch (e) { fail(`${errno(e)}; not replaced`); } }
  const dir = path.dirname(abs);
  let dst: fs.Stats;
  try { dst = fs.statSync(dir); } catch { throw new UsageError(`${what}: directory does not exist: ${path.dirname(path.resolve(file))}`); }
  if (!dst.isDirectory()) fail(`${path.dirname(abs)} is not a directory`);
  let tmp = '';
  try {
    const t = createTemp(abs, st ? st.mode & 0o7777 : 0o666);
    tmp = t.tmp;
    try {
      fs.writeSync(t.fd, typeof data === 'string' ? Buffer.from(data) : data);
      if (st) fs.fchmodSync(t.fd, st.mode & 0o7777);
    } finally { fs.closeSync(t.fd); }
  } catch (e) {
    if (tmp) try { fs.unlinkSync(tmp); } catch { /* nothing to clean */ }
    fail(errno(e));
  }
  let done = false;
  return {
    file,
    commit() {
      if (done) return;
      done = true;
      try { fs.renameSync(tmp, abs); } catch (e) { try { fs.unlinkSync(tmp); } catch { /* gone */ } fail(errno(e)); }
    },
    abort() { if (!done) { done = true; try { fs.unlinkSync(tmp); } catch { /* gone */ } } },
  };
}

/** A special file (device, FIFO, socket) is written where it is, at commit. */
function inPlace(file: string, abs: string, data: string | Buffer, fail: (why: string) => never): PreparedWrite {
  let done = false;
  return {
    file,
    commit() {
      if (done) return;
      done = true;
      try { fs.writeFileSync(abs, data, { flag: 'w' }); } catch (e) { fail(errno(e)); }
    },
    abort() { done = true; },
  };
}

/** Write a report to `file` (atomically), or to stdout when no file is named. */
export function writeOutput(file: string | undefined, data: string | Buffer, what = '--output'): void {
  if (file === undefined) { runContext().stdout.write(data); return; }
  prepareWrite(file, data, what).commit();
}

/**
 * Write several files all or none: every temporary file is written first; the renames
 * happen only when all of them succeeded. On failure the message names the file that
 * failed and says that none was written.
 */
export function writeAll(files: { file: string; data: string | Buffer }[], what: string, regularOnly: boolean): void {
  const prepared: PreparedWrite[] = [];
  try {
    for (const f of files) prepared.push(prepareWrite(f.file, f.data, what, regularOnly));
  } catch (e) {
    for (const p of prepared) p.abort();
    throw new UsageError(`${(e as Error).message}; no file was written (${files.length} planned: ${files.map((f) => f.file).join(', ')})`);
  }
  const committed: string[] = [];
  for (const p of prepared) {
    try { p.commit(); committed.push(p.file); } catch (e) {
      for (const q of prepared) q.abort();
      const left = files.map((f) => f.file).filter((f) => !committed.includes(f));
      throw new UsageError(`${(e as Error).message}; written: ${committed.join(', ') || 'none'}; not written: ${left.join(', ')}`);
    }
  }
}
