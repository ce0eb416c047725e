// The preprocessing options of an audit: the kernel era (from the audited tree, --kdir or
// --kernel-version), the kernel config (--kconfig) and the include directories.
import * as fs from 'fs';
import * as path from 'path';
import { kbuildDefineNames, kbuildIncludeFlags } from '../parse/kbuild';
import { lfText } from '../parse/cut';
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
  // A module's own directory and include/ (kbuild's usual -I$(src)), the -I directories
  // its Makefiles and Kbuild files add, then the kernel's.
  const build = i.kernelTree ? { includeDirs: [], defines: [] } : kbuildFlags(i.root);
  const local = [i.root, path.join(i.root, 'include'), ...build.includeDirs];
  const dirs = i.kdir ? [...local, ...kernelIncludes(path.resolve(i.kdir))] : i.kernelTree ? [] : local;
  return {
    versionCode: lo, versionCodeMax: hi, ...(i.config ? { config: i.config } : {}),
    includeDirs: dirs.filter((d) => fs.existsSync(d)), followSystem: !!i.kdir, ...(i.kernelTree && !i.kdir ? { shallow: true } : {}), root: i.root,
    ...(build.defines.length ? { buildDefines: build.defines } : {}),
  };
}

/** Makefiles and Kbuild files read at most (a module is small). */
const KBUILD_FILE_CAP = 200;

/** A module's Makefiles and Kbuild files (Makefile*, Kbuild*), sorted. */
function kbuildFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 6 || files.length >= KBUILD_FILE_CAP) return;
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith('.')) walk(path.join(dir, e.name), depth + 1);
      else if (e.isFile() && /^(Makefile|Kbuild|Makefile\..*|Kbuild\..*)$/.test(e.name) && files.length < KBUILD_FILE_CAP) files.push(path.join(dir, e.name));
    }
  };
  walk(root, 0);
  return files.sort();
}

/** What a module's build files tell the preprocessor: the -I directories (see
 * kbuildIncludeDirs) and the names passed with -D anywhere (kbuildDefineNames), sorted. */
export function kbuildFlags(root: string): { includeDirs: string[]; defines: string[] } {
  const texts: [string, string][] = [];
  for (const f of kbuildFiles(root)) {
    try { texts.push([f, lfText(fs.readFileSync(f, 'latin1'))]); } catch { /* unreadable: nothing from it */ }
  }
  const defines = new Set<string>();
  for (const [, text] of texts) for (const d of kbuildDefineNames(text)) defines.add(d);
  return { includeDirs: includeDirsOf(root, texts), defines: [...defines].sort() };
}

/** The -I directories of a module's Makefiles and Kbuild files (ccflags-y, EXTRA_CFLAGS,
 * subdir-ccflags-y, CFLAGS_x.o), existing ones only. `$(src)`/`$(obj)` are the file's
 * directory; a path rooted in another make variable (`-I$(AQROOT)/hal/os`, set on the make
 * command line) is looked up under that directory and the module root. */
export function kbuildIncludeDirs(root: string): string[] {
  return kbuildFlags(root).includeDirs;
}

function includeDirsOf(root: string, texts: [string, string][]): string[] {
  const found: string[] = [];
  // (Only directories inside the module, links resolved: nothing outside is read.)
  let realRoot: string;
  try { realRoot = fs.realpathSync(root); } catch { return []; }
  const add = (d: string) => {
    const n = path.normalize(d);
    let real: string;
    try { real = fs.realpathSync(n); } catch { return; }
    const r = path.relative(realRoot, real);
    if (!found.includes(n) && !r.startsWith('..') && !path.isAbsolute(r) && fs.statSync(real).isDirectory()) found.push(n);
  };
  for (const [f, text] of texts) {
    const dir = path.dirname(f);
    for (const flag of kbuildIncludeFlags(text, dir, false)) {
      // A path rooted in a variable set on the make command line: looked up in the module.
      if (flag.variable !== null) { add(path.join(dir, flag.path)); add(path.join(root, flag.path)); continue; }
      add(path.isAbsolute(flag.path) ? flag.path : path.join(dir, flag.path));
    }
  }
  return found;
}
