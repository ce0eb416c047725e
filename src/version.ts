import * as fs from 'fs';
import * as path from 'path';

function findPackageJson(): { version: string } {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const p = path.join(dir, 'package.json');
    if (fs.existsSync(p)) return JSON.parse(fs.readFileSync(p, 'utf8'));
    dir = path.dirname(dir);
  }
  return { version: '0.0.0' };
}

export const toolVersion: string = findPackageJson().version;
export const informationUri = 'https://github.com/gup-audit/gup-audit';
