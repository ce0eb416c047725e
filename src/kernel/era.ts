// Which kernel the audited tree is: the top Makefile's VERSION/PATCHLEVEL, found by walking
// up from the audited path; prototypes in include/linux/mm.h as a fallback.
import * as fs from 'fs';
import * as path from 'path';
import { parseVersion, type Version } from './api';

export interface TreeInfo {
  /** The kernel tree root (paths in output are relative to it). */
  root: string;
  version: Version;
  /** Where the version came from. */
  source: string;
  hasMmapLockH: boolean;
}

function readMakefileVersion(dir: string): Version | null {
  try {
    const text = fs.readFileSync(path.join(dir, 'Makefile'), 'latin1').slice(0, 4096);
    const v = /^VERSION\s*=\s*(\d+)\s*$/m.exec(text);
    const p = /^PATCHLEVEL\s*=\s*(\d+)\s*$/m.exec(text);
    if (v && p) return [Number(v[1]), Number(p[1])];
  } catch { /* no Makefile */ }
  return null;
}

function guessFromHeaders(root: string): Version | null {
  let mm = '';
  try { mm = fs.readFileSync(path.join(root, 'include/linux/mm.h'), 'latin1'); } catch { return null; }
  const hasLockH = fs.existsSync(path.join(root, 'include/linux/mmap_lock.h'));
  if (/\bpin_user_pages\s*\(/.test(mm)) {
    if (/long\s+get_user_pages\s*\(\s*unsigned long start,\s*unsigned long nr_pages,\s*unsigned int gup_flags,\s*struct page \*\*pages\s*\)/.test(mm)) return [6, 5];
    return hasLockH ? [5, 8] : [5, 6];
  }
  if (/\bget_user_pages_remote\s*\(/.test(mm)) return [4, 9];
  return null;
}

export function detectTree(target: string, override?: string): TreeInfo {
  const abs = path.resolve(target);
  let dir = fs.statSync(abs).isDirectory() ? abs : path.dirname(abs);
  let root = dir;
  let version: Version | null = null;
  let source = '';
  for (let i = 0; i < 8; i++) {
    const v = readMakefileVersion(dir);
    if (v && fs.existsSync(path.join(dir, 'include'))) { version = v; root = dir; source = `${path.join(dir, 'Makefile')} VERSION/PATCHLEVEL`; break; }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (!version) {
    const v = readMakefileVersion(root);
    if (v) { version = v; source = 'Makefile VERSION/PATCHLEVEL'; }
  }
  if (!version) {
    const g = guessFromHeaders(root);
    if (g) { version = g; source = 'prototypes in include/linux/mm.h'; }
  }
  if (override) {
    const o = parseVersion(override);
    if (!o) throw new Error(`--kernel-version: expected X.Y, got '${override}'`);
    version = o;
    source = '--kernel-version';
  }
  if (!version) { version = [6, 12]; source = 'default (no Makefile or mm.h found; use --kernel-version)'; }
  return { root, version, source, hasMmapLockH: fs.existsSync(path.join(root, 'include/linux/mmap_lock.h')) };
}
