import * as fs from 'fs';
import * as path from 'path';

/** The package's own directory (where package.json, docs/ and man/ are), from dist/ or src/. */
export const packageRoot: string | null = (() => {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return null;
})();

export const toolVersion: string = packageRoot ? JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')).version : '0.0.0';
export const informationUri = 'https://github.com/gup-audit/gup-audit';
