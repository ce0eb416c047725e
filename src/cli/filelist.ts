// `gup-audit -`: the files to audit are named on standard input, one per line
// (`git diff --name-only | gup-audit -`), relative to the working directory. Names that
// are not .c/.h files, or no longer exist (deleted by the change), are not audited and
// are counted; the tree is the one holding the first file.
import * as fs from 'fs';
import * as path from 'path';
import { runContext } from '../run-context';

export interface FileList { files: string[]; ignored: { name: string; why: string }[] }

export async function readStdin(): Promise<string> {
  return (await runContext().readStdin()).toString('utf8');
}

export function parseFileList(text: string, cwd = process.cwd()): FileList {
  const files: string[] = [];
  const ignored: FileList['ignored'] = [];
  const seen = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const name = raw.trim();
    if (!name) continue;
    const abs = path.resolve(cwd, name);
    if (seen.has(abs)) continue;
    seen.add(abs);
    if (!/\.[ch]$/.test(name)) { ignored.push({ name, why: 'not a .c or .h file' }); continue; }
    let st: fs.Stats;
    try { st = fs.statSync(abs); } catch { ignored.push({ name, why: 'does not exist' }); continue; }
    if (!st.isFile()) { ignored.push({ name, why: 'not a regular file' }); continue; }
    files.push(abs);
  }
  return { files, ignored };
}
