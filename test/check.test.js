'use strict';
// `make C=1 CHECK=gup-audit`: the kbuild call ($(CHECK) $(CHECKFLAGS) $(c_flags) file.c)
// is recognised, its flags accepted, the file audited with its tree's callers, findings
// printed in sparse's one-line form on stderr, and the exit code 0 unless --fail-on=.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { cli } = require('./helpers');

const DEMO = path.join(__dirname, '..', 'fixtures', 'demo');
const { isCheckInvocation, parseCheckArgs } = require('../dist/src/cli/check');

// What kbuild passes on x86 (CHECKFLAGS, then c_flags), abridged.
const KBUILD = ['-D__linux__', '-Dlinux', '-D__STDC__', '-Dunix', '-D__unix__', '-Wbitwise', '-Wno-return-void', '-Wno-unknown-attribute',
  '-D__x86_64__', '--arch=x86', '-mlittle-endian', '-m64', '-Wp,-MMD,drivers/x/.a.o.d', '-nostdinc', '-I./arch/x86/include', '-I', './include',
  '-include', './include/linux/compiler-version.h', '-D__KERNEL__', '-std=gnu11', '-fno-strict-aliasing', '-O2', '-DKBUILD_MODNAME="a"', '-UFOO'];

function tree() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-check-'));
  fs.cpSync(DEMO, d, { recursive: true });
  fs.mkdirSync(path.join(d, 'drivers', 'x'), { recursive: true });
  fs.writeFileSync(path.join(d, 'drivers/x/a.c'), '#include <linux/mm.h>\n\nint helper_pin(unsigned long addr, int n, struct page **pages)\n{\n\treturn pin_user_pages(addr, n, FOLL_WRITE, pages);\n}\n');
  fs.writeFileSync(path.join(d, 'drivers/x/b.c'), '#include <linux/mm.h>\n\nint helper_pin(unsigned long addr, int n, struct page **pages);\n\nint ioctl_pin(unsigned long addr, int n, struct page **pages)\n{\n\tint ret;\n\n\tmmap_read_lock(current->mm);\n\tret = helper_pin(addr, n, pages);\n\tmmap_read_unlock(current->mm);\n\treturn ret;\n}\n');
  return d;
}

async function check(d, args, cache) {
  return await cli([...args], { cwd: d, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cache, NO_COLOR: '1' } });
}

test('check mode: recognised by compiler flags, not by gup-audit options', () => {
  assert.ok(isCheckInvocation([...KBUILD, 'drivers/x/a.c']));
  assert.ok(!isCheckInvocation(['-f', 'gcc', 'drivers/x/a.c']));
  assert.ok(!isCheckInvocation(['--format', 'json', '-j', '2', 'drivers']));
  const a = parseCheckArgs([...KBUILD, '--fail-on=error', 'drivers/x/a.c']);
  assert.strictEqual(a.file, 'drivers/x/a.c');
  assert.strictEqual(a.defines.get('__KERNEL__'), '1');
  assert.strictEqual(a.defines.get('KBUILD_MODNAME'), '"a"');
  assert.deepStrictEqual(a.undefs, ['FOO']);
  assert.deepStrictEqual(a.includes, ['./include/linux/compiler-version.h']);
  assert.strictEqual(a.failOn, 'error');
  assert.throws(() => parseCheckArgs(['-D__linux__', 'a.c', 'b.c']), /expected one \.c file/);
});

test('check mode: sparse-form findings on stderr with the tree\'s callers, exit 0 unless --fail-on', async () => {
  const d = tree();
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'gup-check-cache-'));
  // Cold (no index yet), then warm (the index of a whole-tree --cache run is trusted).
  for (const round of ['cold', 'warm']) {
    const r = await check(d, [...KBUILD, 'drivers/vfio/vdmabuf/vdmabuf_pin.c'], cache);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(r.stdout, '');
    assert.match(r.stderr, /^drivers\/vfio\/vdmabuf\/vdmabuf_pin\.c:31:8: error: pin_user_pages_fast\(\) takes the mmap lock .* \[lock-held-for-self-locking\]\n$/, round);
    if (round === 'cold') assert.strictEqual((await cli([d, '--cache', '--fail-on', 'none'], { env: { ...process.env, XDG_CACHE_HOME: cache } })).status, 0);
  }
  // The helper's caller in b.c holds the lock: a prefer-locked note, not "no caller found".
  const a = await check(d, [...KBUILD, 'drivers/x/a.c'], cache);
  assert.match(a.stderr, /^drivers\/x\/a\.c:5:9: note: ioctl_pin\(\) takes the mmap lock only around helper_pin\(\).*\[prefer-locked\]\n$/);
  // An edit of the checked file is seen although the index is trusted.
  fs.appendFileSync(path.join(d, 'drivers/x/a.c'), '\nint pin_more(unsigned long a, struct page **p)\n{\n\tint n;\n\n\tmmap_read_lock(current->mm);\n\tn = get_user_pages_fast(a, 1, 0, p);\n\tmmap_read_unlock(current->mm);\n\treturn n;\n}\n');
  const edited = await check(d, [...KBUILD, 'drivers/x/a.c'], cache);
  assert.match(edited.stderr, /drivers\/x\/a\.c:13:6: error: .*\[lock-held-for-self-locking\]/);
  assert.strictEqual(edited.status, 0);
  assert.strictEqual((await check(d, [...KBUILD, '--fail-on=error', 'drivers/x/a.c'], cache)).status, 1);
  // A file without findings: silent.
  const quiet = await check(d, [...KBUILD, 'drivers/x/b.c'], cache);
  assert.strictEqual(quiet.stderr, '');
  assert.strictEqual(quiet.status, 0);
});
