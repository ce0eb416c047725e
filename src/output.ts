// Writing reports: atomically (temp file in the same directory, then rename) so that a
// failed run never leaves a partial file, but straight into an existing file that is not a
// regular one (/dev/null, a FIFO, /dev/stdout): renaming over those would replace them.
import * as fs from 'fs';
import * as path from 'path';

export class OutputError extends Error {}

export function writeReportFile(file: string, data: string | Buffer): void {
  const abs = path.resolve(file);
  let st: fs.Stats | null = null;
  try { st = fs.statSync(abs); } catch { st = null; }
  if (st && !st.isFile()) {
    if (st.isDirectory()) throw new OutputError(`--output: ${file} is a directory`);
    try { fs.writeFileSync(abs, data); } catch (e) {
      throw new OutputError(`--output: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return;
  }
  const dir = path.dirname(abs);
  if (!fs.existsSync(dir)) throw new OutputError(`--output: directory does not exist: ${dir}`);
  const tmp = path.join(dir, `.${path.basename(abs)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, data);
    if (st) fs.chmodSync(tmp, st.mode & 0o7777);
    fs.renameSync(tmp, abs);
  } catch (e) {
    try { fs.unlinkSync(tmp); } catch { /* nothing to clean */ }
    throw new OutputError(`--output: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
