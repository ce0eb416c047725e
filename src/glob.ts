// Include/exclude globs, always relative to the kernel tree root (the directory with the
// top Makefile), whatever path is audited: the config file, --exclude, the gate and fix give
// them one meaning.
// Globs (tree-relative, forward slashes): `**` any number of directories, `*` and `?`
// within a name, `[...]` classes, `{a,b}` alternatives. A pattern without a slash matches a
// name at any depth, as in .gitignore; a pattern naming a directory matches below it.

export function globToRegExp(glob: string): RegExp {
  const g = glob.trim().replace(/^\.\//, '').replace(/^\//, '').replace(/\/$/, '');
  const anchored = g.includes('/');
  let re = '';
  let brace = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === '*') {
      if (g[i + 1] === '*') {
        const slashAfter = g[i + 2] === '/';
        re += slashAfter ? '(?:.*/)?' : '.*';
        i += slashAfter ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const j = g.indexOf(']', i + 2);
      if (j < 0) throw new Error(`unclosed '[' in glob '${glob}'`);
      re += '[' + g.slice(i + 1, j).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
      i = j;
    } else if (c === '{') { re += '(?:'; brace++; }
    else if (c === '}' && brace > 0) { re += ')'; brace--; }
    else if (c === ',' && brace > 0) re += '|';
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  if (brace) throw new Error(`unclosed '{' in glob '${glob}'`);
  return new RegExp(`^${anchored ? '' : '(?:.*/)?'}${re}(?:/.*)?$`);
}

export function makeFilter(include: string[], exclude: string[]): (rel: string) => boolean {
  const inc = include.map(globToRegExp);
  const exc = exclude.map(globToRegExp);
  return (rel) => (inc.length === 0 || inc.some((r) => r.test(rel))) && !exc.some((r) => r.test(rel));
}
