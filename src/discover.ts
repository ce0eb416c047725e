// Discover the .c and .h files to audit. Symlinks are not followed (no loops, nothing out
// of the tree); unreadable directories are reported, not fatal.
import fg from 'fast-glob';
import * as fs from 'fs';
import * as path from 'path';
import type { Notification } from './findings';

export interface Discovered {
  /** Absolute paths. */
  files: string[];
  notes: Notification[];
}

export async function discover(paths: string[], root: string, exclude: string[]): Promise<Discovered> {
  const files = new Set<string>();
  const notes: Notification[] = [];
  for (const p of paths) {
    const abs = path.resolve(p);
    const st = fs.statSync(abs);
    if (st.isFile()) { files.add(abs); continue; }
    const entries = await fg(['**/*.c', '**/*.h'], {
      cwd: abs, absolute: true, onlyFiles: true, followSymbolicLinks: false, dot: false,
      ignore: exclude, suppressErrors: true, objectMode: true, unique: true,
    });
    for (const e of entries) {
      if (e.dirent.isSymbolicLink()) {
        notes.push({ level: 'note', file: path.relative(root, e.path), message: 'symbolic link not followed' });
        continue;
      }
      files.add(e.path);
    }
  }
  return { files: [...files].sort(), notes };
}
