// The preprocessing options of an audit: the kernel era (from the audited tree, --kdir or
// --kernel-version), the kernel config (--kconfig) and the include directories.
import * as fs from 'fs';
import * as path from 'path';
import type { Version } from '../kernel/api';
import { kernelVersionCode } from './condition';
import type { PreprocessOptions } from './scope';

/** A kernel .config: `CONFIG_X=y|m|value`; `# CONFIG_X is not set` leaves X undefined. */
export function parseKconfig(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(CONFIG_\w+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
  }
  return out;
}

/** SUBLEVEL of a kernel tree's top Makefile, if any. */
export function readSublevel(dir: string): number | null {
  try {
    const m = /^SUBLEVEL\s*=\s*(\d+)\s*$/m.exec(fs.readFileSync(path.join(dir, 'Makefile'), 'latin1').slice(0, 4096));
    return m ? Number(m[1]) : null;
  } catch { return null; }
}

export interface PreprocessInput {
  /** The audited root (a kernel tree or a module). */
  root: string;
  version: Version;
  /** Known sublevel (a kernel tree's Makefile), else every sublevel of version. */
  sublevel: number | null;
  /** The kernel tree a module is built against (--kdir). */
  kdir?: string;
  /** The audited root is a kernel tree (its headers are then not followed). */
  kernelTree: boolean;
  config?: Record<string, string>;
}

export function preprocessOptions(i: PreprocessInput): PreprocessOptions {
  const lo = kernelVersionCode(i.version[0], i.version[1], i.sublevel ?? 0);
  const hi = kernelVersionCode(i.version[0], i.version[1], i.sublevel ?? 255);
  const kernelIncludes = (dir: string) => ['include', 'arch/x86/include', 'include/uapi', 'arch/x86/include/uapi'].map((d) => path.join(dir, d));
  // A module's own directory and include/ (kbuild's usual -I$(src)), then the kernel's.
  const local = [i.root, path.join(i.root, 'include')];
  const dirs = i.kdir ? [...local, ...kernelIncludes(path.resolve(i.kdir))] : i.kernelTree ? [] : local;
  return {
    versionCode: lo, versionCodeMax: hi, ...(i.config ? { config: i.config } : {}),
    includeDirs: dirs.filter((d) => fs.existsSync(d)), followSystem: !!i.kdir, ...(i.kernelTree && !i.kdir ? { shallow: true } : {}), root: i.root,
  };
}
