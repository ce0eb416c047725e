// Reading revisions of a git checkout through git objects only: rev-parse, diff, ls-tree and
// cat-file --batch. Nothing here writes to the repository, its index or its working tree.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../errors';

export interface GitRepo {
  /** Directory git runs in. */
  cwd: string;
  /** Absolute path of the work tree top. */
  top: string;
}

function git(repo: { cwd: string }, args: string[], input?: Buffer): Buffer {
  const r = spawnSync('git', ['-c', 'core.quotepath=off', ...args], {
    cwd: repo.cwd, input, maxBuffer: 1 << 30, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
  });
  if (r.error) throw new UsageError(`cannot run git: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}`);
  if (r.status !== 0) {
    const msg = r.stderr.toString('utf8').trim().split('\n').filter(Boolean).pop() ?? `exit ${r.status}`;
    throw new UsageError(`git ${args[0]}: ${msg.replace(/^(fatal|error): /, '')}`);
  }
  return r.stdout;
}

export function openRepo(dir: string): GitRepo {
  let top: string;
  try {
    top = git({ cwd: dir }, ['rev-parse', '--show-toplevel']).toString('utf8').trim();
  } catch (e) {
    throw new UsageError(`not a git checkout: ${dir} (${(e as Error).message})`);
  }
  // Pathspecs and `rev:path` names are then relative to the top, as `git diff` prints them.
  return { cwd: top, top };
}

export function resolveCommit(repo: GitRepo, rev: string, what: string): string {
  try {
    return git(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]).toString('utf8').trim();
  } catch {
    throw new UsageError(`${what}: unknown revision '${rev}'`);
  }
}

export interface Change {
  status: string;
  /** Path before (renames/copies/deletes/modifications), repository-relative. */
  oldPath: string | null;
  /** Path after (null when deleted). */
  newPath: string | null;
}

/** Files changed between two commits (renames detected). */
export function changedFiles(repo: GitRepo, base: string, head: string): Change[] {
  const out = git(repo, ['diff', '--name-status', '-z', '-M', '--no-ext-diff', base, head]).toString('latin1').split('\0');
  const changes: Change[] = [];
  for (let i = 0; i < out.length - 1;) {
    const status = out[i++];
    if (!status) continue;
    const s = status[0];
    if (s === 'R' || s === 'C') { changes.push({ status: s, oldPath: out[i], newPath: out[i + 1] }); i += 2; }
    else if (s === 'D') { changes.push({ status: s, oldPath: out[i], newPath: null }); i++; }
    else if (s === 'A') { changes.push({ status: s, oldPath: null, newPath: out[i] }); i++; }
    else { changes.push({ status: s, oldPath: out[i], newPath: out[i] }); i++; }
  }
  return changes;
}

/** The unified diff between two commits for some paths (for added-line positions). */
export function diffText(repo: GitRepo, base: string, head: string, paths: string[]): string {
  if (!paths.length) return '';
  return git(repo, ['diff', '--no-color', '--no-ext-diff', '-M', '--src-prefix=a/', '--dst-prefix=b/', base, head, '--', ...paths.map((p) => `:(literal)${p}`)]).toString('latin1');
}

/** Regular files (blobs, not symlinks or submodules) directly in `dir` at a commit. */
export function listDir(repo: GitRepo, commit: string, dir: string): string[] {
  const spec = dir === '' || dir === '.' ? [] : ['--', `:(literal)${dir.replace(/\/?$/, '/')}`];
  const out = git(repo, ['ls-tree', '-z', commit, ...spec]).toString('latin1').split('\0');
  const files: string[] = [];
  for (const e of out) {
    const m = /^(\d+) (\w+) [0-9a-f]+\t(.*)$/s.exec(e);
    if (m && m[2] === 'blob' && (m[1] === '100644' || m[1] === '100755')) files.push(m[3]);
  }
  return files;
}

/** Contents of `paths` at a commit (missing ones are absent from the map). */
export function readBlobs(repo: GitRepo, commit: string, paths: string[]): Map<string, Buffer> {
  const res = new Map<string, Buffer>();
  if (!paths.length) return res;
  const input = Buffer.from(paths.map((p) => `${commit}:${p}\n`).join(''), 'latin1');
  const out = git(repo, ['cat-file', '--batch'], input);
  let pos = 0;
  for (const p of paths) {
    const nl = out.indexOf(0x0a, pos);
    if (nl < 0) break;
    const header = out.subarray(pos, nl).toString('latin1');
    pos = nl + 1;
    const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
    if (!m) continue; // "<rev>:<path> missing"
    const size = Number(m[2]);
    if (m[1] === 'blob') res.set(p, out.subarray(pos, pos + size));
    pos += size + 1;
  }
  return res;
}

/** A blob by (possibly abbreviated) id, or null when the repository does not have it. */
export function readBlob(repo: GitRepo, sha: string): Buffer | null {
  if (!/^[0-9a-f]{4,64}$/.test(sha)) return null;
  const r = spawnSync('git', ['cat-file', 'blob', sha], { cwd: repo.cwd, maxBuffer: 1 << 30, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } });
  return r.status === 0 ? r.stdout : null;
}

/** The repository around a directory, or null when it is not in a git checkout. */
export function findRepo(dir: string): GitRepo | null {
  const r = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd: dir, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } });
  if (r.status !== 0) return null;
  const top = r.stdout.toString('utf8').trim();
  return { cwd: top, top };
}

/** Source files (.c/.h) of `dir` with uncommitted changes (staged or not) against HEAD. */
export function uncommittedSources(repo: GitRepo, dir: string): string[] {
  const out = git(repo, ['diff', '--name-only', 'HEAD', '--', path.relative(repo.top, fs.realpathSync(dir)) || '.']).toString('utf8');
  return out.split('\n').filter((f) => /\.[ch]$/.test(f));
}

/** Files (repository paths) at `commit` (the work tree when null) that call one of `names`
 * (`name(` as a word), among .c and .h files; names are C identifiers. */
export function grepCallers(repo: GitRepo, commit: string | null, names: string[]): string[] {
  if (!names.length) return [];
  const re = `(^|[^A-Za-z0-9_])(${names.join('|')})[[:space:]]*\\(`;
  const r = spawnSync('git', ['-c', 'core.quotepath=off', 'grep', '-l', '-I', '-E', '-z', '-e', re, ...(commit ? [commit] : []), '--', '*.c', '*.h'], {
    cwd: repo.cwd, maxBuffer: 1 << 30, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
  });
  // (git grep exits 1 when nothing matches.)
  if (r.error || (r.status !== 0 && r.status !== 1)) return [];
  const prefix = commit ? `${commit}:` : '';
  return r.stdout.toString('latin1').split('\0').filter(Boolean).map((f) => (prefix && f.startsWith(prefix) ? f.slice(prefix.length) : f));
}
