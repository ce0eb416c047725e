// Include/exclude globs, always relative to the kernel tree root (the directory with the
// top Makefile), whatever path is audited: the config file, --exclude, the gate and fix give
// them one meaning.
// Globs (tree-relative, forward slashes) are micromatch's: `**` any number of directories,
// `*` and `?` within a name, `[...]` classes, `{a,b}` alternatives. As in .gitignore, a
// pattern without a slash matches a name at any depth, and a pattern naming a directory
// matches everything below it.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const micromatch = require('micromatch') as {
  matcher(pattern: string | string[], options?: { dot?: boolean; strictBrackets?: boolean }): (s: string) => boolean;
  makeRe(pattern: string, options?: { dot?: boolean; strictBrackets?: boolean }): RegExp;
};

const OPTIONS = { dot: true, strictBrackets: true };

/** The micromatch patterns a user's glob stands for. */
function expand(glob: string): string[] {
  const g = glob.trim().replace(/^\.\//, '').replace(/^\//, '').replace(/\/$/, '');
  const base = g.includes('/') ? g : `**/${g}`;
  return [base, `${base}/**`];
}

/** Throws on a glob micromatch cannot read (for the config's validation). */
export function checkGlob(glob: string): void {
  if (!glob.trim()) throw new Error('empty glob');
  for (const p of expand(glob)) micromatch.makeRe(p, OPTIONS);
}

export function makeFilter(include: string[], exclude: string[]): (rel: string) => boolean {
  const inc = include.length ? micromatch.matcher(include.flatMap(expand), OPTIONS) : () => true;
  const exc = exclude.length ? micromatch.matcher(exclude.flatMap(expand), OPTIONS) : () => false;
  return (rel) => inc(rel) && !exc(rel);
}
