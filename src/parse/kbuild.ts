// The -I operands of a kbuild Makefile or Kbuild file: the include directories the
// compiler gets for the files of its directory (ccflags-y, EXTRA_CFLAGS, CFLAGS_x.o) and
// for those below it (subdir-ccflags-y). Shared by the struct visibility of a kernel tree
// (src/parse/includes.ts) and the preprocessor's view of a module (src/preprocess/options.ts).

const OWN_FLAGS = /\b(?:(?:subdir-)?ccflags-[\w$()]+|EXTRA_CFLAGS|CFLAGS_[\w-]+\.o)\s*[:+?]?=/;
const SUBDIR_FLAGS = /\bsubdir-ccflags-[\w$()]+\s*[:+?]?=/;

export interface IncludeFlag {
  /** The directory, `$(src)`/`$(obj)` (and `$(PWD)`, `$(CURDIR)`, `$(M)`) replaced by the
   * Makefile's directory; without the leading variable when `variable` is set. */
  path: string;
  /** A leading make variable this file does not define (`srctree`, or one set on the make
   * command line such as `AQROOT`): the path is relative to wherever it points. */
  variable: string | null;
}

/** The -I operands of `text`, a Makefile of directory `dir`; `subdirOnly`: only the flags a
 * parent directory passes down (subdir-ccflags-y). Operands with other variables inside are
 * left out. */
export function kbuildIncludeFlags(text: string, dir: string, subdirOnly: boolean): IncludeFlag[] {
  const out: IncludeFlag[] = [];
  for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
    if (!(subdirOnly ? SUBDIR_FLAGS : OWN_FLAGS).test(line)) continue;
    for (const m of line.matchAll(/-I\s*(\S+)/g)) {
      const t = m[1].replace(/\$[({](?:src|obj)[)}]/g, dir).replace(/^\$[({](?:PWD|CURDIR|M)[)}]/, dir);
      const v = /^\$[({](\w+)[)}]\/?(.*)$/.exec(t);
      if (v && !v[2].includes('$')) out.push({ path: v[2], variable: v[1] });
      else if (!t.includes('$')) out.push({ path: t, variable: null });
    }
  }
  return out;
}

/** The names a Makefile or Kbuild file passes with -D (`-DNAME`, `-D NAME=value`,
 * `-D "NAME=$(V)"`), on any line that is not a comment: a module often sets them only after
 * probing the kernel it is built against (`$(shell grep ...)`), or collects them in a
 * variable first, so none of them can be taken as undefined. */
export function kbuildDefineNames(text: string): string[] {
  const out = new Set<string>();
  for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
    const code = line.replace(/(^|[^\\])#.*$/, '$1');
    for (const m of code.matchAll(/(?:^|[\s"'=(])-D\s*["']?([A-Za-z_]\w*)/g)) out.add(m[1]);
  }
  return [...out];
}
