'use strict';
// The packed tarball installs globally and its binary runs: `npm pack`, then
// `npm install -g --prefix TMP` of the tarball. The registry is a local one serving the
// dependencies already installed in node_modules (as npm ci left them), so the test needs
// no network and checks the package's real dependency list and `files`.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const crypto = require('crypto');
const { spawnSync, spawn } = require('child_process');

const ROOT = path.join(__dirname, '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Tarballs and packuments of every non-dev package of the lockfile, from node_modules. */
function localRegistry(dir) {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const pkgs = new Map();
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (!key || entry.dev || !key.startsWith('node_modules/')) continue;
    const src = path.join(ROOT, key);
    const meta = JSON.parse(fs.readFileSync(path.join(src, 'package.json'), 'utf8'));
    const file = path.join(dir, `${meta.name.replace('/', '__')}-${meta.version}.tgz`);
    const tar = spawnSync('tar', ['-czf', file, '--transform', 's,^\\.,package,', '-C', fs.realpathSync(src), '.']);
    assert.strictEqual(tar.status, 0, String(tar.stderr));
    const data = fs.readFileSync(file);
    pkgs.set(meta.name, { meta, data });
  }
  return pkgs;
}

function serve(pkgs) {
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(req.url.split('?')[0]).slice(1);
    const tgz = /^-\/(.+)\.tgz$/.exec(url);
    const p = pkgs.get(tgz ? tgz[1] : url);
    if (!p) { res.writeHead(404); res.end('{}'); return; }
    if (tgz) { res.writeHead(200, { 'content-type': 'application/octet-stream' }); res.end(p.data); return; }
    const { port } = server.address();
    const dist = {
      tarball: `http://127.0.0.1:${port}/-/${encodeURIComponent(p.meta.name)}.tgz`,
      integrity: `sha512-${crypto.createHash('sha512').update(p.data).digest('base64')}`,
      shasum: crypto.createHash('sha1').update(p.data).digest('hex'),
    };
    const doc = { name: p.meta.name, 'dist-tags': { latest: p.meta.version }, versions: { [p.meta.version]: { ...p.meta, dist } } };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(doc));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function npm(args, cwd, env) {
  return new Promise((resolve) => {
    const p = spawn(NPM, args, { cwd, env: { ...process.env, ...env } });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('close', (code) => resolve({ code, out }));
  });
}

test('npm pack + npm install -g of the tarball: the installed binary, man page and rule docs work', { timeout: 300000 }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-install-'));
  try {
    // (dist/ is built by `npm test`; the tarball is packed without running prepare again.)
    const packed = await npm(['pack', '--ignore-scripts', '--pack-destination', tmp], ROOT, {});
    assert.strictEqual(packed.code, 0, packed.out);
    const tarball = fs.readdirSync(tmp).find((f) => /^gup-audit-.*\.tgz$/.test(f));
    assert.ok(tarball, packed.out);
    const regDir = path.join(tmp, 'registry');
    fs.mkdirSync(regDir);
    const server = await serve(localRegistry(regDir));
    const prefix = path.join(tmp, 'prefix');
    let inst;
    try {
      inst = await npm(['install', '-g', '--prefix', prefix, '--registry', `http://127.0.0.1:${server.address().port}/`,
        '--cache', path.join(tmp, 'cache'), '--no-audit', '--no-fund', '--no-update-notifier', path.join(tmp, tarball)], tmp, {});
    } finally { server.close(); }
    assert.strictEqual(inst.code, 0, inst.out);
    const bin = path.join(prefix, 'bin', 'gup-audit');
    const run = (args) => spawnSync(bin, args, { encoding: 'utf8', cwd: tmp, env: { ...process.env, NO_COLOR: '1' } });
    const v = run(['--version']);
    assert.strictEqual(v.stdout.trim(), JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version, v.stderr);
    // A real audit from the installed copy (tree-sitter's native binding included).
    const demo = run([path.join(ROOT, 'fixtures', 'demo'), '--format', 'gcc']);
    assert.strictEqual(demo.status, 1, demo.stderr);
    assert.match(demo.stdout, /: error: .*\[unbalanced-mmap-lock\]/);
    assert.match(run(['explain', 'prefer-unlocked']).stdout, /^# prefer-unlocked\n/);
    const man = path.join(prefix, 'share', 'man', 'man1', 'gup-audit.1');
    assert.ok(fs.existsSync(man), 'man page installed');
    assert.strictEqual(fs.readFileSync(man, 'utf8'), fs.readFileSync(path.join(ROOT, 'man', 'gup-audit.1'), 'utf8'));
    assert.ok(fs.existsSync(path.join(prefix, 'lib', 'node_modules', 'gup-audit', 'LICENSE')));
  } finally {
    if (!process.env.GUP_AUDIT_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('the man page is the one generated from the current option definitions (npm run man)', () => {
  const { manPage } = require('../dist/src/cli/man');
  const { buildProgram } = require('../dist/src/cli');
  const page = manPage();
  assert.strictEqual(fs.readFileSync(path.join(ROOT, 'man', 'gup-audit.1'), 'utf8'), page, 'man/gup-audit.1 is stale: run npm run man');
  const program = buildProgram();
  for (const o of program.options) assert.ok(page.includes(`.B ${o.flags.replace(/-/g, '\\-')}`), o.flags);
  for (const c of program.commands) for (const o of c.options) assert.ok(page.includes(`.B ${o.flags.replace(/-/g, '\\-')}`), `${c.name()} ${o.flags}`);
});

test('LICENSE matches package.json', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  assert.strictEqual(pkg.license, 'GPL-2.0-only');
  const text = fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');
  assert.match(text, /GNU GENERAL PUBLIC LICENSE\s+Version 2, June 1991/);
  assert.match(text, /END OF TERMS AND CONDITIONS/);
});
