'use strict';
// The preprocessing stage (src/preprocess/): #if evaluation per era and config, dead-branch
// blanking, macro and wrapper expansion, and a compat-layer module audited with --kdir
// against the fixture kernels of two eras.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { evaluateCondition, kernelVersionCode } = require('../dist/src/preprocess/condition');
const { evaluateConditionals, liveText } = require('../dist/src/preprocess/conditional');
const { expandFunction, originalOffset } = require('../dist/src/preprocess/expand');
const { parseKconfig } = require('../dist/src/preprocess/options');
const { audit, FIXTURES, walk } = require('./helpers');

/** A temporary module directory removed after the test, and a writer of files in it. */
function tmpModule(t, prefix) {
  const root = fs.mkdtempSync(path.join(require('os').tmpdir(), prefix));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const w = (rel, text) => { fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true }); fs.writeFileSync(path.join(root, rel), text); };
  return { root, w };
}

const env = (v, config, defined = () => null) => ({ versionCode: kernelVersionCode(v[0], v[1], v[2] ?? 0), versionCodeMax: kernelVersionCode(v[0], v[1], v[2] ?? 255), config, defined });

test('conditions: version arithmetic, logic, defined(), config', () => {
  const e612 = env([6, 12, 117]);
  assert.strictEqual(evaluateCondition('LINUX_VERSION_CODE >= KERNEL_VERSION(5, 8, 0)', e612), true);
  assert.strictEqual(evaluateCondition('LINUX_VERSION_CODE < KERNEL_VERSION(5,8,0) && defined(FOO)', e612), false);
  assert.strictEqual(evaluateCondition('LINUX_VERSION_CODE < KERNEL_VERSION(5,8,0) || defined(FOO)', e612), null);
  assert.strictEqual(evaluateCondition('(LINUX_VERSION_CODE >> 16) == 6 && 1 + 1 == 2', e612), true);
  assert.strictEqual(evaluateCondition('0', e612), false);
  // An unknown sublevel decides only what every sublevel agrees on.
  assert.strictEqual(evaluateCondition('LINUX_VERSION_CODE >= KERNEL_VERSION(4, 4, 168)', env([4, 4])), null);
  assert.strictEqual(evaluateCondition('LINUX_VERSION_CODE >= KERNEL_VERSION(4, 4, 0)', env([4, 4])), true);
  // CONFIG_*: undecided without a config; =m defines CONFIG_X_MODULE only.
  assert.strictEqual(evaluateCondition('defined(CONFIG_MMU)', e612), null);
  const cfg = parseKconfig('CONFIG_MMU=y\nCONFIG_FOO=m\n# CONFIG_BAR is not set\n');
  const ec = env([6, 12, 0], cfg);
  assert.strictEqual(evaluateCondition('defined(CONFIG_MMU) && IS_ENABLED(CONFIG_FOO) && !IS_BUILTIN(CONFIG_FOO)', ec), true);
  assert.strictEqual(evaluateCondition('defined(CONFIG_FOO) || defined(CONFIG_BAR)', ec), false);
  assert.strictEqual(evaluateCondition('defined(CONFIG_FOO_MODULE)', ec), true);
});

test('conditionals: dead branches blanked with lines kept, undecided ranges recorded', () => {
  const src = [
    '#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 8, 0)', // 1
    'new_api();',                                         // 2
    '#else',                                              // 3
    'old_api();',                                         // 4
    '#endif',                                             // 5
    '#ifdef HAVE_X',                                      // 6
    'x();',                                               // 7
    '#endif',                                             // 8
    '#define LOCAL 1',                                    // 9
    '#if defined(LOCAL) && 0',                            // 10
    'never();',                                           // 11
    '#elif LOCAL',                                        // 12
    'always();',                                          // 13
    '#endif',                                             // 14
  ].join('\n');
  const r = evaluateConditionals(src, src, 'f.c', { versionCode: kernelVersionCode(6, 12, 0), versionCodeMax: kernelVersionCode(6, 12, 0) }, { defined: () => null });
  const live = liveText(src, r);
  assert.strictEqual(live.split('\n').length, src.split('\n').length);
  assert.match(live, /new_api/);
  assert.doesNotMatch(live, /old_api|never|#else|#elif/);
  assert.match(live, /always/);
  assert.match(live, /#ifdef HAVE_X/);
  assert.deepStrictEqual(r.undecided, [{ from: 7, to: 7, condition: 'defined(HAVE_X)', group: 6 }]);
});

test('expansion: a function-like adapter, positions mapped back to the use', () => {
  const macros = new Map([
    ['drv_gup', { name: 'drv_gup', params: ['s', 'n', 'p'], value: 'get_user_pages_remote(current->mm, s, n, 0, p, NULL)', line: 1, file: 'c.h' }],
  ]);
  const text = 'f() {\n  x = drv_gup(a,\n     b, pages); y();\n}';
  const x = expandFunction(text, text, macros);
  assert.ok(x);
  assert.match(x.text, /get_user_pages_remote\(current->mm, a, b, 0, pages, NULL\)/);
  assert.strictEqual(x.text.split('\n').length, text.split('\n').length);
  const at = x.text.indexOf('get_user_pages_remote');
  assert.strictEqual(originalOffset(x, at), text.indexOf('drv_gup'));
  assert.strictEqual(originalOffset(x, x.text.indexOf('y()')), text.indexOf('y()'));
  // Members and names that are no use of the macro stay.
  assert.strictEqual(expandFunction('s->drv_gup(1);', 's->drv_gup(1);', macros), null);
});

function eraExpectations(root, era) {
  const out = new Set();
  for (const f of walk(root)) {
    const rel = path.relative(root, f).split(path.sep).join('/');
    fs.readFileSync(f, 'latin1').split('\n').forEach((line, i) => {
      for (const m of line.matchAll(/expect@([\d.]+):\s*([a-z-]+):([a-z]+)/g)) if (m[1] === era) out.add(`${rel}:${i + 1}:${m[2]}:${m[3]}`);
    });
  }
  return out;
}

for (const [era, kdir] of [['6.12', 'v6.12'], ['4.9', 'v4.9']]) {
  test(`out-of-tree module with a compat layer, --kdir fixtures/${kdir}: findings match expect@${era}`, async () => {
    const root = path.join(FIXTURES, 'oot', 'drv_compat');
    const res = await audit({ paths: [root], kdir: path.join(FIXTURES, kdir), jobs: 2, cache: undefined });
    assert.deepStrictEqual(res.tree.version, era.split('.').map(Number));
    const actual = new Set(res.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}:${f.level}`));
    assert.deepStrictEqual([...actual].sort(), [...eraExpectations(root, era)].sort());
    // Messages name the macro and the API, and the undecidable condition.
    const viaMacro = res.findings.find((f) => f.file === 'drv.c' && f.span.line === 18);
    assert.match(viaMacro.message, /drv_gup\(\).*get_user_pages\(\)/);
    assert.ok(res.findings.some((f) => /HAVE_GUP_UNLOCKED/.test(f.message)));
    // No message or fix names an API the era lacks.
    if (era === '4.9') for (const f of res.findings) assert.doesNotMatch(`${f.message} ${f.hint ?? ''}`, /mmap_read_lock|mmap_assert_locked|pin_user_pages/);
    // The macro-only file was kept by the prefilter, and the macro definition is no call site.
    assert.ok(res.findings.some((f) => f.file === 'drv_user.c'));
    assert.ok(!res.stats.unattributed.some((u) => u.reason === 'macro definition' && res.stats.gupTokenSites < 0));
  });
}

test('a module whose Kbuild adds -I directories: the lock macro from such a header is read', async (t) => {
  const { kbuildIncludeDirs } = require('../dist/src/preprocess/options');
  const { root, w } = tmpModule(t, 'gup-kbuild-');
  w('Kbuild', 'obj-m += kb.o\nkb-y := alloc/drv.o\nccflags-y += -I$(src)/osdep -I$(SDK_ROOT)/hal/inc -I$(src)/missing\n');
  w('osdep/osdep.h', '#ifndef OSDEP_H\n#define OSDEP_H\n#define kb_mm_lock current->mm->mmap_lock\n#endif\n');
  w('hal/inc/hal.h', '/* reached through a make variable set on the command line */\n');
  w('alloc/drv.c', [
    '#include "osdep.h"',
    '',
    'static int kb_pin(unsigned long uaddr, unsigned long count, struct page **pages)',
    '{',
    '\tlong got;',
    '',
    '\tdown_read(&kb_mm_lock);',
    '\tgot = pin_user_pages(uaddr, count, FOLL_WRITE, pages); /* locked through the macro */',
    '\tup_read(&kb_mm_lock);',
    '\tif (got != count) {',
    '\t\tif (got > 0)',
    '\t\t\tunpin_user_pages(pages, got);',
    '\t\treturn -EFAULT;',
    '\t}',
    '\treturn 0;',
    '}',
    '',
  ].join('\n'));
  assert.deepStrictEqual(kbuildIncludeDirs(root).map((d) => path.relative(root, d)).sort(), ['hal/inc', 'osdep']);
  const res = await audit({ paths: [root], kernelVersion: '6.12', jobs: 1 });
  // Locked through the macro: no missing-mmap-lock; the raw rwsem calls and the lock
  // around one call are what a reviewer says.
  assert.deepStrictEqual(res.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}`).sort(), [
    'alloc/drv.c:7:legacy-mmap-sem', 'alloc/drv.c:8:prefer-unlocked', 'alloc/drv.c:9:legacy-mmap-sem',
  ]);
});

test('a module header\'s spinlock wrappers (static inline, macro, do-while macro) open and close atomic sections in the functions audited', async (t) => {
  const { root, w } = tmpModule(t, 'gup-atomic-wrap-');
  w('Kbuild', 'obj-m += aw.o\n');
  w('aw.h', [
    '#include <linux/spinlock.h>',
    'struct aw_dev { spinlock_t lock; unsigned long flags; struct page **pages; };',
    'static inline void aw_lock(struct aw_dev *d)',
    '{',
    '\tspin_lock(&d->lock);',
    '}',
    'static inline void aw_unlock(struct aw_dev *d)',
    '{',
    '\tspin_unlock(&d->lock);',
    '}',
    '#define AW_IRQ_LOCK(d) do { spin_lock_irqsave(&(d)->lock, (d)->flags); } while (0)',
    '#define AW_IRQ_UNLOCK(d) do { spin_unlock_irqrestore(&(d)->lock, (d)->flags); } while (0)',
    '#define aw_rcu_enter() rcu_read_lock()',
    '#define aw_rcu_exit() rcu_read_unlock()',
    '',
  ].join('\n'));
  w('aw.c', [
    '#include "aw.h"',
    '',
    'int aw_in(struct aw_dev *d, unsigned long uaddr)',
    '{',
    '\tint n;',
    '',
    '\taw_lock(d);',
    '\tn = pin_user_pages_fast(uaddr, 1, FOLL_WRITE, d->pages);',
    '\taw_unlock(d);',
    '\tAW_IRQ_LOCK(d);',
    '\tn += pin_user_pages_fast(uaddr, 1, FOLL_WRITE, d->pages);',
    '\tAW_IRQ_UNLOCK(d);',
    '\taw_rcu_enter();',
    '\tn += pin_user_pages_fast(uaddr, 1, FOLL_WRITE, d->pages);',
    '\taw_rcu_exit();',
    '\treturn n;',
    '}',
    '',
    'int aw_out(struct aw_dev *d, unsigned long uaddr)',
    '{',
    '\taw_lock(d);',
    '\taw_unlock(d);',
    '\tAW_IRQ_LOCK(d);',
    '\tAW_IRQ_UNLOCK(d);',
    '\treturn pin_user_pages_fast(uaddr, 1, FOLL_WRITE, d->pages);',
    '}',
    '',
  ].join('\n'));
  const res = await audit({ paths: [root], kernelVersion: '6.12', jobs: 1, only: ['gup-in-atomic'] });
  assert.deepStrictEqual(res.findings.map((f) => `${f.span.line}:${f.level}:${f.message.replace(/.*called with (.*?) \(([\w]+\(\)) at line (\d+)\).*/, '$1 $2 $3')}`), [
    '8:error:a spinlock held aw_lock() 7',
    '11:error:a spinlock held AW_IRQ_LOCK() 10',
    '14:error:the RCU read lock held (an RCU read-side critical section) aw_rcu_enter() 13',
  ]);
});

test('a macro that calls a module\'s GUP helper (not the API itself) links its users to the helper in the call graph', async (t) => {
  const { root, w } = tmpModule(t, 'gup-helper-macro-');
  w('Kbuild', 'obj-m += hm.o\n');
  w('compat.h', [
    'static inline long hm_compat_gup(unsigned long start, unsigned long nr, unsigned int flags, struct page **pages)',
    '{',
    '\treturn get_user_pages(start, nr, flags, pages);',
    '}',
    '#define hm_gup(start, nr, flags, pages) hm_compat_gup(start, nr, flags, pages)',
    '',
  ].join('\n'));
  w('hm.c', [
    '#include "compat.h"',
    '',
    'int hm_pin(unsigned long start, unsigned long n, struct page **p)',
    '{',
    '\tlong got;',
    '',
    '\tmmap_read_lock(current->mm);',
    '\tgot = hm_gup(start, n, FOLL_WRITE, p);',
    '\tmmap_read_unlock(current->mm);',
    '\treturn got == n ? 0 : -EFAULT;',
    '}',
    '',
  ].join('\n'));
  const res = await audit({ paths: [root], kernelVersion: '6.12', jobs: 1, only: ['missing-mmap-lock', 'prefer-locked'] });
  // The caller holds the lock (no 'no caller was found' note): the lock around one call of
  // the helper is what a reviewer says.
  assert.deepStrictEqual(res.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}`), ['compat.h:3:prefer-locked']);
  assert.match(res.findings[0].message, /hm_pin\(\) takes the mmap lock only around hm_compat_gup\(\)/);
});

test('a compat definition of a GUP function the era lacks, as one it has, is followed as an alias (4.9)', async (t) => {
  const { root, w } = tmpModule(t, 'gup-api-alias-');
  w('Kbuild', 'obj-m += aa.o\n');
  w('compat.h', ['#include <linux/mm.h>', '#ifndef FOLL_PIN', '#define pin_user_pages get_user_pages', '#endif', ''].join('\n'));
  w('aa.c', [
    '#include "compat.h"',
    '',
    'long aa_grab(unsigned long uaddr, int nr, struct page **pages)',
    '{',
    '\tlong got;',
    '',
    '\tdown_read(&current->mm->mmap_sem);',
    '\tgot = pin_user_pages(uaddr, nr, FOLL_WRITE, pages, NULL);',
    '\tup_read(&current->mm->mmap_sem);',
    '\treturn got;',
    '}',
    '',
  ].join('\n'));
  const res = await audit({ paths: [root], kdir: path.join(FIXTURES, 'v4.9'), jobs: 1, only: ['prefer-unlocked'] });
  assert.deepStrictEqual(res.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}`), ['aa.c:8:prefer-unlocked']);
  assert.match(res.findings[0].message, /use get_user_pages_unlocked\(uaddr, nr, pages, FOLL_WRITE\)/);
});

test('a module whose GUP calls do not match the era: a warning names them; a defaulted era is a note', async (t) => {
  const { root } = tmpModule(t, 'gup-era-');
  fs.writeFileSync(path.join(root, 'old.c'), [
    'static int old_pin(unsigned long uaddr, int n, struct page **pages)',
    '{',
    '\tint got;',
    '',
    '\tdown_write(&current->mm->mmap_sem);',
    '\tgot = get_user_pages(current, current->mm, uaddr, n, 1, 0, pages, NULL);',
    '\tup_write(&current->mm->mmap_sem);',
    '\treturn got;',
    '}',
    '',
  ].join('\n'));
  const res = await audit({ paths: [root], jobs: 1 });
  const msgs = res.notifications.map((n) => `${n.level}: ${n.message}`);
  assert.ok(msgs.some((m) => /^warning: 1 GUP call does not match the 6\.12 signature \(get_user_pages\(\) at old\.c:6 passes 8 arguments, 6\.12 takes 4\)/.test(m)), msgs.join('\n'));
  assert.ok(msgs.some((m) => /^note: kernel version 6\.12 taken by default/.test(m)), msgs.join('\n'));
  const told = await audit({ paths: [root], jobs: 1, kernelVersion: '4.4' });
  assert.deepStrictEqual(told.notifications.filter((n) => /signature|by default/.test(n.message)), []);
});

test('a call of another era with the audited era\'s arity: its arguments say so (an mm where the era takes the task); -f gcc prints the warning on stderr', async (t) => {
  const { root } = tmpModule(t, 'gup-era-shape-');
  fs.writeFileSync(path.join(root, 'thp.c'), [
    'int thp_of(struct vm_area_struct *vma, unsigned long addr, int *locked)',
    '{',
    '\tstruct page *pages[1];',
    '\tlong got;',
    '',
    '\tgot = get_user_pages_remote(vma->vm_mm, addr, 1, FOLL_WRITE, pages, NULL, locked);',
    '\tif (got != 1)',
    '\t\treturn 0;',
    '\tput_page(pages[0]);',
    '\treturn 1;',
    '}',
    '',
  ].join('\n'));
  // 4.9's get_user_pages_remote(tsk, mm, start, nr, flags, pages, vmas) has 7 arguments too.
  const res = await audit({ paths: [root], jobs: 1, kernelVersion: '4.9' });
  assert.ok(res.notifications.some((n) => /^1 GUP call does not match the 4\.9 signature \(get_user_pages_remote\(\) at thp\.c:6 passes \(vma->vm_mm, addr, \.\.\.\) where 4\.9 takes \(tsk, mm, \.\.\.\)\)/.test(n.message)), res.notifications.map((n) => n.message).join('\n'));
  assert.ok(!res.findings.some((f) => /lock of addr/.test(f.message)), res.findings.map((f) => f.message).join('\n'));
  // Read with 5.9's layout (the one of that arity it fits): the mm is vma->vm_mm.
  const { cli } = require('./helpers');
  const r = await cli([root, '--kernel-version', '4.9', '-f', 'gcc', '--fail-on', 'none']);
  assert.match(r.stderr, /^gup-audit: warning: 1 GUP call does not match the 4\.9 signature/m);
  assert.doesNotMatch(r.stdout, /does not match/);
  // In 5.10 the same call fits: no warning.
  const fits = await audit({ paths: [root], jobs: 1, kernelVersion: '5.10' });
  assert.ok(!fits.notifications.some((n) => /signature/.test(n.message)));
});

test('conditions: a function-like macro of the file is expanded with its arguments; a condition true whatever an unknown defined() is, is decided', () => {
  const fns = { AT_LEAST: { params: ['a', 'b', 'c'], value: '(LINUX_VERSION_CODE >= KERNEL_VERSION(a, b, c))' }, RANGE: { params: ['a', 'b', 'c', 'd'], value: '(AT_LEAST(a, b, 0) && !AT_LEAST(c, d, 0))' } };
  const e = (v) => ({ ...env(v), macro: (n) => fns[n] });
  assert.strictEqual(evaluateCondition('AT_LEAST(6, 5, 0)', e([6, 12])), true);
  assert.strictEqual(evaluateCondition('!AT_LEAST(6, 5, 0)', e([6, 1])), true);
  assert.strictEqual(evaluateCondition('RANGE(4, 4, 4, 6)', e([4, 5])), true);
  assert.strictEqual(evaluateCondition('RANGE(4, 4, 4, 6)', e([6, 12])), false);
  assert.strictEqual(evaluateCondition('AT_LEAST(6, 5)', e([6, 12])), null, 'wrong number of arguments');
  assert.strictEqual(evaluateCondition('UNKNOWN_FN(6, 5, 0)', e([6, 12])), null);
  // (V1 && !defined(X)) || (V2 && defined(X)): true for V < 6.4 whatever X is, undecided above.
  const taut = '((KERNEL_VERSION(6, 5, 0) > LINUX_VERSION_CODE) && !defined(VENDOR_X)) || ((KERNEL_VERSION(6, 4, 0) > LINUX_VERSION_CODE) && defined(VENDOR_X))';
  assert.strictEqual(evaluateCondition(taut, env([5, 10])), true);
  assert.strictEqual(evaluateCondition(taut, env([6, 4])), null);
  assert.strictEqual(evaluateCondition(taut, env([6, 12])), false);
  assert.strictEqual(evaluateCondition('defined(A) || !defined(A)', env([6, 12])), true);
  assert.strictEqual(evaluateCondition('defined(A) && defined(B)', env([6, 12])), null);
});

test('conditions: a macro whose value is an expression is evaluated in turn; one defined through itself stays unknown', () => {
  const vals = { KV5: '(LINUX_VERSION_CODE >= KERNEL_VERSION(5, 0, 0))', KV6: '(KV5 && LINUX_VERSION_CODE >= KERNEL_VERSION(6, 0, 0))', LOOP: '(LOOP + 1)' };
  const e = (v) => ({ ...env(v), value: (n) => vals[n] });
  assert.strictEqual(evaluateCondition('KV5', e([6, 12])), true);
  assert.strictEqual(evaluateCondition('KV5', e([4, 19])), false);
  assert.strictEqual(evaluateCondition('!KV6', e([5, 4])), true);
  assert.strictEqual(evaluateCondition('LOOP', e([6, 12])), null);
});

test('a module whose build adds include directories kbuild does not name: the one header with that path is read', async (t) => {
  const { root, w } = tmpModule(t, 'gup-modhdr-');
  w('src/include/mh/compat.h', '#define mh_pin(a, n, p) pin_user_pages(a, n, FOLL_WRITE, p)\n');
  w('src/driver/pin.c', [
    '#include <mh/compat.h>',
    '',
    'static long mh_grab(unsigned long a, unsigned long n, struct page **p)',
    '{',
    '\tlong got;',
    '',
    '\tmmap_read_lock(current->mm);',
    '\tgot = mh_pin(a, n, p);',
    '\tmmap_read_unlock(current->mm);',
    '\tif (got != n) {',
    '\t\tif (got > 0)',
    '\t\t\tunpin_user_pages(p, got);',
    '\t\treturn -EFAULT;',
    '\t}',
    '\treturn 0;',
    '}',
    '',
  ].join('\n'));
  const res = await audit({ paths: [root], kernelVersion: '6.12', jobs: 1 });
  assert.deepStrictEqual(res.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}`), ['src/driver/pin.c:8:prefer-unlocked']);
  assert.match(res.findings[0].message, /called as mh_pin\(\), which expands to pin_user_pages\(\)/);
});

test('a multi-OS module with one header name per port: the port nearest the including file is read; with no nearest one, none', async (t) => {
  const { root, w } = tmpModule(t, 'gup-ports-');
  // The Linux port's header has the lock macro; another OS's header of the same name has not.
  w('linux/include/po_compat.h', '#define po_mm_sem(mm) ((mm)->mmap_lock)\n');
  w('rtos/include/po_compat.h', '#define PO_RTOS 1\n');
  const body = (name) => [
    '#include "po_compat.h"',
    '',
    `static long ${name}_one(struct mm_struct *mm, unsigned long a, struct page **p)`,
    '{',
    '\treturn get_user_pages_remote(mm, a, 1, FOLL_FORCE, p, NULL);',
    '}',
    '',
    `long ${name}_grab(struct mm_struct *mm, unsigned long a, struct page **p)`,
    '{',
    '\tlong got;',
    '',
    '\tdown_read(&po_mm_sem(mm));',
    `\tgot = ${name}_one(mm, a, p);`,
    '\tup_read(&po_mm_sem(mm));',
    '\treturn got;',
    '}',
    '',
  ].join('\n');
  w('linux/core/po.c', body('po'));
  const res = await audit({ paths: [root], kernelVersion: '6.12', jobs: 1 });
  // (The lock is seen: the raw rwsem calls are noted, and the lock taken only around the
  // helper's call; no missing lock.)
  assert.deepStrictEqual(res.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}`).sort(), ['linux/core/po.c:12:legacy-mmap-sem', 'linux/core/po.c:14:legacy-mmap-sem', 'linux/core/po.c:5:prefer-locked']);
  // A file as near to both ports: neither header is taken for it, and the lock stays unseen.
  w('top.c', body('tp'));
  const res2 = await audit({ paths: [root], kernelVersion: '6.12', jobs: 1 });
  assert.ok(res2.findings.some((f) => f.file === 'top.c' && f.ruleId === 'missing-mmap-lock'), JSON.stringify(res2.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}`)));
});

test('GUP flags from a module header\'s #define: read at the call, located in the header', async (t) => {
  const { root, w } = tmpModule(t, 'gup-flaghdr-');
  w('include/fh_flags.h', '#define FH_BASE_FLAGS FOLL_WRITE\n#define FH_BAD_FLAGS (FH_BASE_FLAGS | FOLL_GET)\n#define FH_OK_FLAGS (FH_BASE_FLAGS | FOLL_LONGTERM)\n');
  const fn = (name, flags) => [
    `int ${name}(unsigned long a, int nr, struct page **p)`,
    '{',
    `\tint n = pin_user_pages_fast(a, nr, ${flags}, p);`,
    '',
    '\tif (n < 0)',
    '\t\treturn n;',
    '\tif (n != nr) {',
    '\t\tunpin_user_pages(p, n);',
    '\t\treturn -EFAULT;',
    '\t}',
    '\treturn 0;',
    '}',
  ];
  w('src/fh.c', ['#include "../include/fh_flags.h"', '', ...fn('fh_bad', 'FH_BAD_FLAGS'), '', ...fn('fh_ok', 'FH_OK_FLAGS'), ''].join('\n'));
  const res = await audit({ paths: [root], kernelVersion: '6.12', jobs: 1 });
  assert.deepStrictEqual(res.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}`), ['src/fh.c:5:internal-foll-flag']);
  const f = res.findings[0];
  assert.match(f.message, /FOLL_GET passed explicitly to pin_user_pages_fast\(\) \(through #define FH_BAD_FLAGS in include\/fh_flags\.h, line 2\)/);
  assert.ok(f.related.some((r) => r.file === 'include/fh_flags.h' && r.span.line === 2), JSON.stringify(f.related));
});

test('arms of one undecided #if group are taken together: the pin macro and the unpin macro of one arm; an alias against an adapter by the users\' argument count', async (t) => {
  const { root, w } = tmpModule(t, 'gup-arms-');
  w('Kbuild', 'obj-m += ar.o\n');
  // A configure switch picks pin/unpin or get/put: the arm with the newer API is the one
  // a build for 6.x takes, for both names (whichever the walk meets first).
  w('compat.h', [
    '#if defined(HAVE_AR_PIN)',
    '#define AR_UNPIN unpin_user_page',
    '#define AR_PIN pin_user_pages_fast',
    '#else',
    '#define AR_UNPIN put_page',
    '#define AR_PIN get_user_pages_fast',
    '#endif',
    // NVIDIA's nv-mm.h shape: the pin macro in a nested #if of the first arm, the other
    // arm's through a macro defined further down.
    '#if defined(HAVE_AR2_PIN)',
    '#if defined(HAVE_AR2_PIN_WRAPPED)',
    '#define AR2_PIN(a, n, f, p) pin_user_pages_fast(a, n, f, p)',
    '#else',
    '#define AR2_PIN pin_user_pages_fast',
    '#endif',
    '#define AR2_UNPIN unpin_user_page',
    '#else',
    '#define AR2_PIN AR2_GET',
    '#define AR2_UNPIN put_page',
    '#endif',
    '#define AR2_GET get_user_pages_fast',
    '#if defined(HAVE_AR_PIN_VMAS)',
    '#define AR_PIN_V(a, n, f, p) pin_user_pages(a, n, f, p, NULL)',
    '#else',
    '#define AR_PIN_V pin_user_pages',
    '#endif',
    '',
  ].join('\n'));
  w('ar.c', [
    '#include "compat.h"',
    '',
    'int ar_peek(unsigned long uaddr, int *out)',
    '{',
    '\tstruct page *pg;',
    '\tlong got;',
    '',
    '',
    '\tgot = AR_PIN(uaddr, 1, FOLL_WRITE, &pg);',
    '',
    '\tif (got != 1)',
    '\t\treturn -EFAULT;',
    '\t*out = 1;',
    '\tAR_UNPIN(pg);',
    '\treturn 0;',
    '}',
    '',
    'int ar_peek_v(unsigned long uaddr, int *out)',
    '{',
    '\tstruct page *pg;',
    '\tlong got;',
    '',
    '\tmmap_read_lock(current->mm);',
    '\tgot = AR_PIN_V(uaddr, 1, FOLL_WRITE, &pg);',
    '\tmmap_read_unlock(current->mm);',
    '\tif (got != 1)',
    '\t\treturn -EFAULT;',
    '\t*out = 1;',
    '\tunpin_user_page(pg);',
    '\treturn 0;',
    '}',
    '',
  ].join('\n'));
  w('ar2.c', [
    '#include "compat.h"',
    '',
    'int ar2_peek(unsigned long uaddr, int *out)',
    '{',
    '\tstruct page *pg;',
    '',
    '\tif (AR2_PIN(uaddr, 1, FOLL_WRITE, &pg) != 1)',
    '\t\treturn -EFAULT;',
    '\t*out = 1;',
    '\tAR2_UNPIN(pg);',
    '\treturn 0;',
    '}',
    '',
  ].join('\n'));
  for (const kdir of ['v6.1', 'v6.12']) {
    const res = await audit({ paths: [root], kdir: path.join(FIXTURES, kdir), jobs: 1 });
    // No pin/put mismatch at 14 (the unpin of the pin arm), no signature warning at 24 (6.1
    // takes the adapter's 5 arguments, 6.12 the alias's 4): the lock around one call is all.
    assert.deepStrictEqual(res.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}`), ['ar.c:24:prefer-unlocked'], kdir);
    const msgs = res.notifications.map((n) => n.message);
    assert.deepStrictEqual(msgs.filter((m) => /signature/.test(m)), [], `${kdir}: ${msgs.join('; ')}`);
    assert.match(res.findings[0].message, /pin_user_pages_unlocked/);
  }
});

test('a name the module\'s Makefile passes with -D (after probing the kernel) is undecided, not undefined, with --kdir', async (t) => {
  const { root, w } = tmpModule(t, 'gup-makedef-');
  w('Makefile', [
    'obj-m := mp.o',
    'HAS_VMAS := $(shell grep -c "struct vm_area_struct \\*\\*vmas" $(KDIR)/include/linux/mm.h)',
    'ifneq ($(HAS_VMAS),0)',
    'ccflags-y += -DMP_PIN_HAS_VMAS',
    'endif',
    'EXTRA_CFLAGS += -D "MP_VERSION=$(VER)"',
    '',
  ].join('\n'));
  w('mp.c', [
    '#ifdef MP_PIN_HAS_VMAS',
    '#define mp_pin(a, n, f, p) pin_user_pages(a, n, f, p, NULL)',
    '#else',
    '#define mp_pin(a, n, f, p) pin_user_pages(a, n, f, p)',
    '#endif',
    '',
    'static long mp_grab(unsigned long a, unsigned long n, struct page **p)',
    '{',
    '\tlong got;',
    '',
    '\tmmap_read_lock(current->mm);',
    '\tgot = mp_pin(a, n, FOLL_WRITE, p);',
    '\tmmap_read_unlock(current->mm);',
    '\treturn got;',
    '}',
    '',
  ].join('\n'));
  const { preprocessOptions } = require('../dist/src/preprocess/options');
  const o = preprocessOptions({ root, version: [6, 1], sublevel: 0, kdir: path.join(FIXTURES, 'v6.1'), kernelTree: false });
  assert.deepStrictEqual(o.buildDefines, ['MP_PIN_HAS_VMAS', 'MP_VERSION']);
  for (const kdir of ['v6.1', 'v6.12']) {
    const res = await audit({ paths: [root], kdir: path.join(FIXTURES, kdir), jobs: 1 });
    const msgs = res.notifications.map((n) => n.message);
    // The definition each era builds is the one analysed: no 'does not match' notice.
    assert.deepStrictEqual(msgs.filter((m) => /signature/.test(m)), [], `${kdir}: ${msgs.join('; ')}`);
    const f = res.findings.find((x) => x.ruleId === 'prefer-unlocked');
    assert.ok(f, `${kdir}: prefer-unlocked expected`);
    assert.match(f.message, /called as mp_pin\(\), which expands to pin_user_pages\(\)/);
  }
});

test('unwrapArg: only parentheses around a whole argument go, never around a comma expression', () => {
  const { unwrapArg } = require('../dist/src/kernel/replace');
  assert.strictEqual(unwrapArg('(((unsigned long)p))'), '(unsigned long)p');
  assert.strictEqual(unwrapArg('(a) + (b)'), '(a) + (b)');
  assert.strictEqual(unwrapArg('(a, b)'), '(a, b)');
  assert.strictEqual(unwrapArg(' (x->y[0]) '), 'x->y[0]');
  assert.strictEqual(unwrapArg('f(x)'), 'f(x)');
});

test('a GUP call of another era\'s signature in an arm of an undecided #if is no sign of a wrong era', async (t) => {
  const { root, w } = tmpModule(t, 'gup-armsig-');
  w('peek.c', [
    'int drv_peek(struct mm_struct *mm, unsigned long addr)',
    '{',
    '\tstruct vm_area_struct *vma = NULL;',
    '\tstruct page *page;',
    '\tint rc;',
    '',
    '\tmmap_read_lock(mm);',
    '#ifdef HAVE_GUP_WITHOUT_VMAS',
    '\trc = get_user_pages(addr, 1, 0, &page);',
    '#else',
    '\trc = get_user_pages(addr, 1, 0, &page, &vma);',
    '#endif',
    '\tif (rc > 0)',
    '\t\tput_page(page);',
    '\tmmap_read_unlock(mm);',
    '\treturn rc;',
    '}',
    '',
  ].join('\n'));
  w('old.c', 'long drv_old(unsigned long a, struct page **p)\n{\n\treturn get_user_pages(a, 1, 0, p, NULL);\n}\n');
  // A feature switch around the function's only call (no arm fits the era) is named too.
  w('feat.c', 'long drv_feat(unsigned long a, struct page **p)\n{\n\tlong n = 0;\n#ifdef DRV_SGREAD\n\tn = get_user_pages(a, 1, 0, p, NULL);\n#endif\n\treturn n;\n}\n');
  const res = await audit({ paths: [root], kernelVersion: '6.12', jobs: 1 });
  const sig = res.notifications.filter((n) => /signature/.test(n.message)).map((n) => n.message);
  // Not the call of an arm beside one that fits.
  assert.strictEqual(sig.length, 1, sig.join('\n'));
  assert.match(sig[0], /^2 GUP calls do not match the 6\.12 signature \(get_user_pages\(\) at feat\.c:5 passes 5 arguments, 6\.12 takes 4; get_user_pages\(\) at old\.c:3 passes 5 arguments/);
});

test('a compat alias of an API the era lacks, under an undecided #ifdef, is not expanded: nothing names it in that era', async (t) => {
  const { root, w } = tmpModule(t, 'gup-absentapi-');
  w('alias.c', [
    '#ifdef CFG_HAS_PIN',
    '#define my_pin pin_user_pages',
    '#else',
    'static inline long my_pin(unsigned long s, unsigned long n, unsigned int f, struct page **p)',
    '{',
    '\treturn get_user_pages_fast(s, n, f & FOLL_WRITE, p);',
    '}',
    '#endif',
    '',
    'long drv_map(struct page **pg, unsigned long uaddr, unsigned long want)',
    '{',
    '\treturn my_pin(uaddr, want, FOLL_WRITE, pg);',
    '}',
    '',
  ].join('\n'));
  const old = await audit({ paths: [root], kernelVersion: '4.9', jobs: 1 });
  for (const f of old.findings) assert.doesNotMatch(`${f.message} ${f.hint ?? ''}`, /pin_user_pages/, f.message);
  // 6.12 has it: the alias is followed there (the lock it needs is missing).
  const now = await audit({ paths: [root], kernelVersion: '6.12', jobs: 1 });
  assert.ok(now.findings.some((f) => f.ruleId === 'missing-mmap-lock' && /pin_user_pages\(\)/.test(f.message)), now.findings.map((f) => f.message).join('\n'));
});

test('a macro whose arguments use another macro: the note names the API call it expands to, not the argument macro', async (t) => {
  const { root, w } = tmpModule(t, 'gup-argmacro-');
  w('drv/pin.c', [
    '#define UA_PTR(u) ((unsigned long)((u).addr))',
    '#define drv_pin(a, n, p) pin_user_pages((a), (n), FOLL_WRITE, (p))',
    '',
    'struct ua { u64 addr; };',
    '',
    'static long drv_grab(struct ua u, unsigned long n, struct page **p)',
    '{',
    '\tlong got;',
    '',
    '\tmmap_read_lock(current->mm);',
    '\tgot = drv_pin(UA_PTR(u), n, p);',
    '\tmmap_read_unlock(current->mm);',
    '\tif (got != n) {',
    '\t\tif (got > 0)',
    '\t\t\tunpin_user_pages(p, got);',
    '\t\treturn -EFAULT;',
    '\t}',
    '\treturn 0;',
    '}',
    '',
  ].join('\n'));
  const res = await audit({ paths: [root], kernelVersion: '6.12', jobs: 1 });
  assert.deepStrictEqual(res.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}`), ['drv/pin.c:11:prefer-unlocked']);
  assert.match(res.findings[0].message, /called as drv_pin\(\), which expands to pin_user_pages\(\)\)$/);
  // The replacement names the arguments as written, without the parentheses the
  // expansion put around each.
  assert.strictEqual(res.findings[0].hint, 'pin_user_pages_unlocked(UA_PTR(u), n, p, FOLL_WRITE)');
});

test('one worker pool for two audits (AuditOptions.pool): a module header edited in between is read again', async (t) => {
  const { WorkerPool } = require('../dist/src/parse/pool');
  const pool = new WorkerPool(1, 60000);
  t.after(() => pool.close());
  const { root, w } = tmpModule(t, 'gup-poolhdr-');
  w('src/include/ph/compat.h', '#define ph_lock(mm) mmap_read_lock(mm)\n#define ph_unlock(mm) mmap_read_unlock(mm)\n');
  w('src/driver/pin.c', [
    '#include <ph/compat.h>',
    '',
    'static long ph_grab(unsigned long a, unsigned long n, struct page **p)',
    '{',
    '\tlong got;',
    '',
    '\tph_lock(current->mm);',
    '\tgot = pin_user_pages(a, n, FOLL_WRITE, p);',
    '\tph_unlock(current->mm);',
    '\treturn got;',
    '}',
    '',
  ].join('\n'));
  const rules = (res) => res.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}`).sort();
  const first = await audit({ paths: [root], kernelVersion: '6.12', pool });
  assert.ok(rules(first).includes('src/driver/pin.c:8:prefer-unlocked'), rules(first).join('\n'));
  assert.ok(!rules(first).some((r) => /missing-mmap-lock/.test(r)), rules(first).join('\n'));
  // The macros no longer take the lock: the call is now unlocked.
  w('src/include/ph/compat.h', '#define ph_lock(mm) do { } while (0)\n#define ph_unlock(mm) do { } while (0)\n');
  const second = await audit({ paths: [root], kernelVersion: '6.12', pool });
  assert.ok(rules(second).includes('src/driver/pin.c:8:missing-mmap-lock'), rules(second).join('\n'));
  assert.ok(!rules(second).includes('src/driver/pin.c:8:prefer-unlocked'), rules(second).join('\n'));
});

test('a file whose API tokens are only in comments: nothing extracted, and its headers are not read', (t) => {
  const { extractFile } = require('../dist/src/parse/extract');
  const { gupNames } = require('../dist/src/kernel/api');
  const { kernelVersionCode: kv } = require('../dist/src/preprocess/condition');
  const { root, w } = tmpModule(t, 'gup-comment-only-');
  w('big.h', '#define BIG 1\n');
  const text = '#include "big.h"\n/* read_user_ptr may take the mm->mmap_lock */\nint f(void)\n{\n\treturn BIG;\n}\n';
  w('c.c', text);
  const preprocess = { versionCode: kv(6, 12, 0), versionCodeMax: kv(6, 12, 255), includeDirs: [], followSystem: false, root };
  const facts = extractFile({ file: 'c.c', abs: path.join(root, 'c.c'), names: ['mmap_lock', 'pin_user_pages'], gupNames, preprocess }, text);
  assert.deepStrictEqual(facts.functions, []);
  assert.strictEqual(facts.deps, undefined, 'the preprocessing read no header');
  // The same file with the token in code: extracted, its header read.
  const code = text.replace('return BIG;', 'mmap_read_lock(current->mm);\n\treturn BIG;');
  const f2 = extractFile({ file: 'c.c', abs: path.join(root, 'c.c'), names: ['mmap_read_lock', 'pin_user_pages'], gupNames, preprocess }, code);
  assert.strictEqual(f2.functions.length, 1);
  assert.ok(f2.deps && f2.deps.some(([n]) => n.endsWith('big.h')), JSON.stringify(f2.deps));
});

test('a chain of headers (a module against --kdir): each file depends on every header it reaches, and each header stores only its own dependencies', (t) => {
  const { preprocessFile, clearHeaderCaches, headerCacheStats } = require('../dist/src/preprocess/scope');
  const { maskCode } = require('../dist/src/parse/cut');
  const { kernelVersionCode: kv } = require('../dist/src/preprocess/condition');
  const { root, w } = tmpModule(t, 'gup-header-chain-');
  const N = 20; // (within the include depth followed)
  for (let i = 0; i < N; i++) w(`inc/linux/h${i}.h`, `${i + 1 < N ? `#include <linux/h${i + 1}.h>\n` : ''}#define H${i} ${i}\n`);
  // The last header of the chain defines the lock macro the file uses.
  w(`inc/linux/h${N - 1}.h`, `#define H${N - 1} 1\n#define X_LOCK(mm) mmap_read_lock(mm)\n`);
  // A diamond at the top: two headers reach the chain.
  w('inc/linux/top.h', '#include <linux/h0.h>\n#include <linux/h1.h>\n');
  const text = '#include <linux/top.h>\nint f(struct mm_struct *mm)\n{\n\tX_LOCK(mm);\n\treturn 0;\n}\n';
  w('m.c', text);
  const o = { versionCode: kv(6, 12, 0), versionCodeMax: kv(6, 12, 255), includeDirs: [path.join(root, 'inc')], followSystem: true, root };
  clearHeaderCaches();
  const scope = preprocessFile(o, path.join(root, 'm.c'), 'm.c', text, maskCode(text), new Set(['mmap_read_lock']));
  assert.ok(scope.macros.has('X_LOCK'), 'the lock macro at the end of the chain is read');
  const deps = [...scope.deps.files.keys()];
  for (let i = 0; i < N; i++) assert.ok(deps.includes(`inc/linux/h${i}.h`), `h${i}.h is a dependency: ${deps.join(' ')}`);
  const stats = headerCacheStats();
  assert.strictEqual(stats.headers, N + 1);
  // Each header stores the paths it tried and the headers it found (a handful); a copy of
  // every header's transitive dependencies would be ~N*N/2 = 200 entries.
  assert.ok(stats.depEntries <= 3 * (N + 1), `${stats.depEntries} dependency entries stored for ${stats.headers} headers`);
  clearHeaderCaches();
});

test('a module header\'s struct field and typedef types: a signed count against an unsigned field, an errno handed to a release whose count is the header\'s unsigned typedef', async (t) => {
  const { root, w } = tmpModule(t, 'gup-header-ints-');
  w('Kbuild', 'obj-m += ub.o\n');
  w('ub.h', [
    'typedef unsigned long long ub_count_t;',
    'typedef long ub_scount_t;',
    'struct ub_buf {',
    '\tsize_t npages;',
    '\tint small;',
    '\tstruct page **pages;',
    '};',
    '',
  ].join('\n'));
  const body = (fn, count, test, relType) => [
    `static void ${fn}_put(struct page **p, ${relType} n)`,
    '{',
    `\t${relType} i;`,
    '',
    '\tfor (i = 0; i < n; i++)',
    '\t\tput_page(p[i]);',
    '}',
    '',
    `int ${fn}(struct ub_buf *b, unsigned long uaddr)`,
    '{',
    `\t${count} got;`,
    '',
    '\tgot = get_user_pages_fast(uaddr, b->npages, FOLL_WRITE, b->pages);',
    `\tif (${test}) {`,
    `\t\t${fn}_put(b->pages, got);`,
    '\t\treturn -EFAULT;',
    '\t}',
    '\treturn 0;',
    '}',
    '',
  ].join('\n');
  // int got < size_t field: the errno passes as a full count.
  w('mixed.c', `#include "ub.h"\n${body('ub_mixed', 'int', 'got < b->npages && got > 0', 'int')}`);
  // got != npages (signed test), then the errno handed to a release taking ub_count_t.
  w('rel.c', `#include "ub.h"\n${body('ub_rel', 'long', 'got != b->npages', 'ub_count_t')}`);
  // The same with the header's signed typedef: the release loop does not run for an errno.
  w('srel.c', `#include "ub.h"\n${body('ub_srel', 'long', 'got != b->npages', 'ub_scount_t')}`);
  const res = await audit({ paths: [root], kernelVersion: '6.12', jobs: 1, only: ['partial-pin-unchecked'] });
  const got = res.findings.map((f) => `${f.file}:${f.span.line}:${f.messageId}`).sort();
  assert.deepStrictEqual(got, ['mixed.c:14:negative-passes-mixed', 'rel.c:14:negative-release'], res.findings.map((f) => f.message).join('\n'));
});

// A vendor module written with CRLF line ends: its directives are read as an LF file's.
// Before, no `#include`, `#if` or `#define` line of such a file was seen (`.` stops at \r).
test('a module written with CRLF line ends: its header, #if branches and macros are read as with LF', async (t) => {
  const crlf = (lines) => lines.join('\r\n') + '\r\n';
  const src = (name, h) => crlf([
    `#include "${h}"`,
    '#include <linux/version.h>',
    '',
    `int ${name}(struct cam *c, int frame, unsigned long uaddr, int want, struct page **pv)`,
    '{',
    '\tint i;',
    '',
    '#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 8, 0)',
    '\tmmap_read_lock(current->mm);',
    '#else',
    '\tdown_read(&current->mm->mmap_sem);',
    '#endif',
    '\tc->nr[frame] = CAM_GUP(uaddr, want, FOLL_WRITE, pv);',
    '\tmmap_read_unlock(current->mm);',
    '\tfor (i = 0; i < c->nr[frame]; i++)',
    '\t\tflush_dcache_page(pv[i]);',
    '\treturn 0;',
    '}',
  ]);
  const header = (eol) => ['#define CAM_GUP(a, n, f, p) get_user_pages(a, n, f, p)', 'struct cam {', '\tunsigned int *nr;', '};', ''].join(eol);
  const { root, w } = tmpModule(t, 'gup-crlf-');
  w('Kbuild', 'obj-m += cam.o\r\n');
  w('cam.h', header('\r\n'));
  w('cam.c', src('cam_map', 'cam.h'));
  // The same module with LF line ends gives the same findings.
  const { root: lf, w: wl } = tmpModule(t, 'gup-lf-');
  wl('Kbuild', 'obj-m += cam.o\n');
  wl('cam.h', header('\n'));
  wl('cam.c', src('cam_map', 'cam.h').replace(/\r\n/g, '\n'));
  const show = (res) => res.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}:${f.messageId}`).sort();
  const a = await audit({ paths: [root], kernelVersion: '6.12', jobs: 1 });
  const b = await audit({ paths: [lf], kernelVersion: '6.12', jobs: 1 });
  // The macro reaches get_user_pages() (a prefilter needle through the header), the #else
  // arm is dead at 6.12 (no raw down_read()), and the count kept in the header's unsigned
  // member walks the loop with an errno.
  // The lock is taken only around the call: prefer-unlocked.
  assert.deepStrictEqual(show(a), ['cam.c:13:partial-pin-unchecked:negative-unsigned-loop', 'cam.c:13:prefer-unlocked:taken-around-call'], a.findings.map((f) => f.message).join('\n'));
  assert.deepStrictEqual(show(a), show(b));
});

test('include guards: `#if !defined(X)` and `#if !defined X` followed by `#define X` are live, as `#ifndef X` is; another `#if !defined(X)` stays undecided', () => {
  const env612 = { versionCode: kernelVersionCode(6, 12, 0), versionCodeMax: kernelVersionCode(6, 12, 0) };
  for (const head of ['#ifndef DRV_H', '#if !defined(DRV_H)', '#if !defined DRV_H', '#if ! defined ( DRV_H )']) {
    const src = `${head}\n#define DRV_H\nint drv_x;\n#endif\n`;
    const r = evaluateConditionals(src, src, 'drv.h', env612, { defined: () => null });
    assert.deepStrictEqual(r.undecided, [], head);
    assert.match(liveText(src, r), /int drv_x;/, head);
  }
  // Not followed by its #define: a condition like any other.
  const src = '#if !defined(DRV_H)\nint drv_x;\n#endif\n';
  const r = evaluateConditionals(src, src, 'drv.h', env612, { defined: () => null });
  assert.strictEqual(r.undecided.length, 1);
  assert.strictEqual(r.undecided[0].condition, '!defined(DRV_H)');
});

test('an #elif arm left undecided is compiled only where the undecided arms before it are false: its condition says so', () => {
  const env612 = { versionCode: kernelVersionCode(6, 12, 0), versionCodeMax: kernelVersionCode(6, 12, 0) };
  const src = '#ifdef DRV_PIN\nint a;\n#elif defined(DRV_GUP4) || defined(DRV_GUP5)\nint b;\n#elif LINUX_VERSION_CODE < KERNEL_VERSION(4, 0, 0)\nint c;\n#else\nint d;\n#endif\n';
  const r = evaluateConditionals(src, src, 'drv.c', env612, { defined: () => null });
  assert.deepStrictEqual(r.undecided.map((u) => [u.from, u.condition]), [
    [2, 'defined(DRV_PIN)'],
    [4, '!defined(DRV_PIN) && (defined(DRV_GUP4) || defined(DRV_GUP5))'],
    // (The version arm is decided false at 6.12: it adds nothing to the #else.)
    [8, '!(defined(DRV_PIN) || defined(DRV_GUP4) || defined(DRV_GUP5))'],
  ]);
});

// Undecided #if groups inside a call's parentheses (configure switches of a compat layer):
// no C parser reads a directive there, so one arm of each is kept, the combination whose
// GUP call has the audited version's argument count.
test('undecided #if arms inside a GUP call\'s arguments: the combination that fits the era is read', async (t) => {
  const { root, w } = tmpModule(t, 'gup-ifargs-');
  w('Kbuild', 'obj-m += drv.o\n');
  const src = (lock) => [
    '#include <linux/mm.h>',
    '',
    'long drv_gup(unsigned long start, unsigned long nr, unsigned int flags, struct page **pages)',
    '{',
    '\treturn get_user_pages(',
    '#if defined(DRV_GUP_HAS_TASK)',
    '\t\t\t      current, current->mm,',
    '#endif',
    '\t\t\t      start, nr,',
    '#if defined(DRV_GUP_COMBINED_FLAGS)',
    '\t\t\t      flags,',
    '#else',
    '\t\t\t      flags & FOLL_WRITE, flags & FOLL_FORCE,',
    '#endif',
    '\t\t\t      pages, NULL);',
    '}',
    '',
    'static long drv_ioctl(struct file *f, unsigned int cmd, unsigned long arg)',
    '{',
    '\tstruct page *pg[1];',
    '\tlong n;',
    '',
    lock ? '\tdown_read(&current->mm->mmap_sem);' : '',
    '\tn = drv_gup(arg, 1, FOLL_WRITE, pg);',
    lock ? '\tup_read(&current->mm->mmap_sem);' : '',
    '\tif (n == 1)',
    '\t\tput_page(pg[0]);',
    '\treturn n == 1 ? 0 : -EFAULT;',
    '}',
    '',
    'static const struct file_operations drv_fops = {',
    '\t.unlocked_ioctl = drv_ioctl,',
    '};',
    '',
  ].join('\n');
  w('drv.c', src(false));
  let res = await audit({ paths: [root], kernelVersion: '4.9', jobs: 1 });
  assert.deepStrictEqual(res.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}:${f.level}`), ['drv.c:5:missing-mmap-lock:error'], res.findings.map((f) => f.message).join('\n'));
  // (4.9 takes 5 arguments: the arms without the task and with the combined flags.)
  assert.ok(!res.notifications.some((n) => /does not match the 4\.9 signature/.test(n.message)), res.notifications.map((n) => n.message).join('\n'));
  assert.ok(!res.notifications.some((n) => /parser did not see a call/.test(n.message)));
  // The caller holds the lock: nothing.
  w('drv.c', src(true));
  res = await audit({ paths: [root], kernelVersion: '4.9', jobs: 1, only: ['missing-mmap-lock'] });
  assert.deepStrictEqual(res.findings, []);
});

// Compat layers put a cast macro before a GUP argument or call, defined as a cast in one
// configure arm and as nothing in the other (`#define DRV_NR_CAST (int)` / `#define
// DRV_NR_CAST`): no parser reads `DRV_NR_CAST nr` as one argument. An object-like macro of
// the file whose every definition is empty or a cast to a type is read as its definition
// (a cast where they agree, else nothing).
test('object-like macros defined as a cast or as nothing, before a GUP argument or call, are read as the compiler reads them', async (t) => {
  const { root, w } = tmpModule(t, 'gup-castmacro-');
  w('Kbuild', 'obj-m += drv.o\n');
  const src = (lock) => [
    '#include <linux/mm.h>',
    '',
    '#ifdef DRV_GUP_INT_NR',
    '#define DRV_NR_CAST (int)',
    '#define DRV_RC_CAST (long)',
    '#else',
    '#define DRV_NR_CAST',
    '#define DRV_RC_CAST',
    '#endif',
    '#define DRV_ANNOTATE',
    '',
    'static DRV_ANNOTATE long drv_gup(unsigned long start, unsigned long nr, unsigned int flags, struct page **pages)',
    '{',
    '\treturn DRV_RC_CAST get_user_pages(start, DRV_NR_CAST nr,',
    '\t\t\t\t\t flags, pages, NULL);',
    '}',
    '',
    'static long drv_ioctl(struct file *f, unsigned int cmd, unsigned long arg)',
    '{',
    '\tstruct page *pg[1];',
    '\tlong n;',
    '',
    lock ? '\tdown_read(&current->mm->mmap_sem);' : '',
    '\tn = drv_gup(arg, 1, FOLL_WRITE, pg);',
    lock ? '\tup_read(&current->mm->mmap_sem);' : '',
    '\tif (n == 1)',
    '\t\tput_page(pg[0]);',
    '\treturn n == 1 ? 0 : -EFAULT;',
    '}',
    '',
    'static const struct file_operations drv_fops = {',
    '\t.unlocked_ioctl = drv_ioctl,',
    '};',
    '',
  ].join('\n');
  w('drv.c', src(false));
  let res = await audit({ paths: [root], kernelVersion: '4.9', jobs: 1 });
  assert.deepStrictEqual(res.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}:${f.level}`), ['drv.c:14:missing-mmap-lock:error'], res.findings.map((f) => f.message).join('\n'));
  assert.ok(!res.notifications.some((n) => /does not match the 4\.9 signature|parser did not see a call|parse error/.test(n.message)), res.notifications.map((n) => n.message).join('\n'));
  assert.strictEqual(res.stats.parseErrorNodes, 0);
  // The caller holds the lock: nothing.
  w('drv.c', src(true));
  res = await audit({ paths: [root], kernelVersion: '4.9', jobs: 1, only: ['missing-mmap-lock'] });
  assert.deepStrictEqual(res.findings, []);
});

test('castMacros: names defined only as nothing or as a cast to a type, read in place', () => {
  const { castMacros } = require('../dist/src/parse/extract');
  const m = castMacros([
    '#ifdef A', '#define NR_CAST (int)', '#define RC_CAST (unsigned long)', '#define BOTH_U32 (u32)', '#define FN(x) (x)', '#else',
    '#define NR_CAST', '#define RC_CAST', '#define BOTH_U32 (u32)', '#define FN', '#endif',
    '#define EMPTY', '#define NOT_A_CAST (x)', '#define VALUE 4', '#define LONG_CAST_OF_SHORT (unsigned long)', '#define PTR (struct page *)',
    '#define SIZE_CAST (size_t)', '#define U8C (u8)',
  ].join('\n'));
  assert.deepStrictEqual([...m].sort(), [
    // (The arms agree: the cast, padded to the name's length; they disagree, or the cast is
    // longer than the name: nothing.)
    ['BOTH_U32', '(u32)   '], ['EMPTY', '     '], ['LONG_CAST_OF_SHORT', '(unsigned long)   '], ['NR_CAST', '       '],
    ['RC_CAST', '       '], ['SIZE_CAST', '(size_t) '], ['U8C', '   '],
  ]);
  // (FN is function-like in one arm; (x) names no type; a struct pointer is not read.)
});

// A module's own function with the name of a GUP function the audited version lacks (a
// compat pin_user_pages() around get_user_pages() for kernels before 5.6), under a guard
// the tool cannot decide: the call is one of that function, followed to its GUP call.
test('a module\'s own function named like a GUP function the version lacks is followed as a wrapper (5.4)', async (t) => {
  const { root, w } = tmpModule(t, 'gup-ownapi-');
  w('Kbuild', 'obj-m += own.o\n');
  const src = (release) => [
    '#include <linux/mm.h>',
    '#include <linux/vmalloc.h>',
    '',
    '#ifdef OWN_PINNING',
    'static inline long pin_user_pages(unsigned long start, unsigned long nr,',
    '\t\t\t\t  unsigned int flags, struct page **pages,',
    '\t\t\t\t  struct vm_area_struct **vmas)',
    '{',
    '\treturn get_user_pages(start, nr, flags, pages, vmas);',
    '}',
    '#endif',
    '',
    'static long own_pin(unsigned long start, unsigned long nr)',
    '{',
    '\tstruct page **pages;',
    '\tlong ret, i;',
    '',
    '\tpages = vmalloc(nr * sizeof(*pages));',
    '\tif (!pages)',
    '\t\treturn -ENOMEM;',
    '\tdown_read(&current->mm->mmap_sem);',
    '\tret = pin_user_pages(start, nr, FOLL_WRITE, pages, NULL);',
    '\tup_read(&current->mm->mmap_sem);',
    '\tif (ret != nr) {',
    release ? '\t\tfor (i = 0; i < ret; i++)\n\t\t\tput_page(pages[i]);' : '\t\t/* nothing released */',
    '\t\tvfree(pages);',
    '\t\treturn -EFAULT;',
    '\t}',
    '\tfor (i = 0; i < ret; i++)',
    '\t\tput_page(pages[i]);',
    '\tvfree(pages);',
    '\treturn 0;',
    '}',
    '',
  ].join('\n');
  w('own.c', src(false));
  let res = await audit({ paths: [root], kernelVersion: '5.4', jobs: 1, only: ['partial-pin-unchecked'] });
  assert.deepStrictEqual(res.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}:${f.level}`), ['own.c:22:partial-pin-unchecked:warning'], res.findings.map((f) => f.message).join('\n'));
  assert.match(res.findings[0].message, /returns the count of its get_user_pages\(\)/);
  // Released on the short path: nothing.
  w('own.c', src(true));
  res = await audit({ paths: [root], kernelVersion: '5.4', jobs: 1, only: ['partial-pin-unchecked'] });
  assert.deepStrictEqual(res.findings, []);
  // At 6.12 the kernel has pin_user_pages(): the module's arm is not built there, and the
  // call is the kernel's (FOLL_PIN pages put with put_page(): the mismatch rule's, not this one).
  w('own.c', src(false));
  res = await audit({ paths: [root], kernelVersion: '6.1', jobs: 1, only: ['partial-pin-unchecked'] });
  assert.deepStrictEqual(res.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}`), ['own.c:22:partial-pin-unchecked']);
});

// A compat layer that reaches its own pin_user_pages() through a macro, with a definition of
// the macro in each arm of #ifs the tool cannot decide (four arguments for a 6.5 kernel, five
// with a NULL vmas before), and empty mmap_read_lock()/mmap_read_unlock() stubs for kernels
// without the primitives. At 5.4 the macro is the module's own function's (five arguments),
// and the stubs take no lock: the get_user_pages() in the wrapper runs without the lock.
const compatPinner = ({ stubs = 'empty' } = {}) => [
  '#include <linux/fs.h>',                                          // 1
  '#include <linux/mm.h>',                                          // 2
  '#include <linux/vmalloc.h>',                                     // 3
  '',                                                               // 4
  '#if !defined(FOLL_PIN) && !defined(PINNER_HAVE_PIN)',            // 5
  'static inline long pin_user_pages(unsigned long start, unsigned long nr,', // 6
  '\t\t\t\t  unsigned int flags, struct page **pages,',             // 7
  '\t\t\t\t  struct vm_area_struct **vmas)',                        // 8
  '{',                                                              // 9
  '\treturn get_user_pages(start, nr, flags, pages, vmas);',        // 10
  '}',                                                              // 11
  '#define pinner_pin(start, nr, flags, pages) \\',                 // 12
  '\tpin_user_pages(start, nr, flags, pages, NULL)',                // 13
  '#else',                                                          // 14
  '#ifdef PINNER_PIN_HAS_VMAS',                                     // 15
  '#define pinner_pin(start, nr, flags, pages) \\',                 // 16
  '\tpin_user_pages(start, nr, flags, pages, NULL)',                // 17
  '#else',                                                          // 18
  '#define pinner_pin(start, nr, flags, pages) \\',                 // 19
  '\tpin_user_pages(start, nr, flags, pages)',                      // 20
  '#endif',                                                         // 21
  '#endif',                                                         // 22
  '',                                                               // 23
  '#ifndef _LINUX_MMAP_LOCK_H',                                     // 24
  'static inline void mmap_read_lock(struct mm_struct *mm)',        // 25
  '{',                                                              // 26
  stubs === 'empty' ? '' : '\tdown_read(&mm->mmap_sem);',           // 27
  '}',                                                              // 28
  'static inline void mmap_read_unlock(struct mm_struct *mm)',      // 29
  '{',                                                              // 30
  stubs === 'empty' ? '' : '\tup_read(&mm->mmap_sem);',             // 31
  '}',                                                              // 32
  '#endif',                                                         // 33
  '',                                                               // 34
  'static long pinner_get(unsigned long start, unsigned long nr)',  // 35
  '{',                                                              // 36
  '\tstruct page **pages;',                                         // 37
  '\tlong ret, i;',                                                 // 38
  '',                                                               // 39
  '\tpages = vmalloc(nr * sizeof(*pages));',                        // 40
  '\tif (!pages)',                                                  // 41
  '\t\treturn -ENOMEM;',                                            // 42
  '\tmmap_read_lock(current->mm);',                                 // 43
  '\tret = pinner_pin(start, nr, FOLL_WRITE, pages);',              // 44
  '\tmmap_read_unlock(current->mm);',                               // 45
  '\tif (ret != nr) {',                                             // 46
  '\t\tvfree(pages);',                                              // 47
  '\t\treturn -EFAULT;',                                            // 48
  '\t}',                                                            // 49
  '\tfor (i = 0; i < ret; i++)',                                    // 50
  '\t\tput_page(pages[i]);',                                        // 51
  '\tvfree(pages);',                                                // 52
  '\treturn 0;',                                                    // 53
  '}',                                                              // 54
  '',                                                               // 55
  'static long pinner_ioctl(struct file *f, unsigned int cmd, unsigned long arg)', // 56
  '{',                                                              // 57
  '\treturn pinner_get(arg, 16);',                                  // 58
  '}',                                                              // 59
  '',                                                               // 60
  'static const struct file_operations pinner_fops = {',            // 61
  '\t.unlocked_ioctl = pinner_ioctl,',                              // 62
  '};',                                                             // 63
  '',
].join('\n');

test('a compat macro to the module\'s own pin_user_pages() is expanded with that function\'s arity; empty mmap_read_lock() stubs take no lock where the version lacks them', async (t) => {
  const { root, w } = tmpModule(t, 'gup-ownmacro-');
  w('Kbuild', 'obj-m += pinner.o\n');
  w('pinner.c', compatPinner());
  const at = (res) => res.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}:${f.level}`).sort();
  let res = await audit({ paths: [root], kernelVersion: '5.4', jobs: 1 });
  assert.deepStrictEqual(at(res), ['pinner.c:10:missing-mmap-lock:error', 'pinner.c:44:partial-pin-unchecked:warning'], res.findings.map((f) => f.message).join('\n'));
  const missing = res.findings.find((f) => f.ruleId === 'missing-mmap-lock');
  assert.match(missing.message, /called without it from pinner_get \(pinner\.c:44\) <- pinner_ioctl/);
  assert.match(res.findings.find((f) => f.ruleId === 'partial-pin-unchecked').message, /returns the count of its get_user_pages\(\) \(line 10\)/);
  // Stubs that take the lock: the lock is held around the wrapper's call.
  w('pinner.c', compatPinner({ stubs: 'rwsem' }));
  res = await audit({ paths: [root], kernelVersion: '5.4', jobs: 1 });
  assert.deepStrictEqual(at(res).filter((x) => x.includes('missing-mmap-lock')), []);
  assert.deepStrictEqual(at(res).filter((x) => x.includes('partial-pin-unchecked')), ['pinner.c:44:partial-pin-unchecked:warning']);
  // At 6.1 the kernel has both: its mmap_read_lock() is taken, its pin_user_pages() called.
  w('pinner.c', compatPinner());
  res = await audit({ paths: [root], kernelVersion: '6.1', jobs: 1 });
  assert.deepStrictEqual(at(res).filter((x) => x.includes('missing-mmap-lock')), []);
  assert.ok(at(res).includes('pinner.c:44:partial-pin-unchecked:warning'), at(res).join('\n'));
});

test('conditionals: a macro naming only a GUP function the version lacks stays when the file defines that function, in the arm of its arity', () => {
  const src = compatPinner();
  const r54 = evaluateConditionals(src, src, 'pinner.c', env([5, 4]), { defined: () => null });
  assert.strictEqual(r54.macros.get('pinner_pin')?.value, 'pin_user_pages(start, nr, flags, pages, NULL)');
  // Without the file's own function, a 5.4 build takes no arm that names pin_user_pages().
  const without = src.replace(/static inline long pin_user_pages[^}]*\}/, '');
  const r = evaluateConditionals(without, without, 'pinner.c', env([5, 4]), { defined: () => null });
  assert.strictEqual(r.macros.get('pinner_pin'), undefined);
  // A 6.12 kernel's pin_user_pages() takes four arguments: the arm that passes four.
  const r612 = evaluateConditionals(src, src, 'pinner.c', env([6, 12]), { defined: () => null });
  assert.strictEqual(r612.macros.get('pinner_pin')?.value, 'pin_user_pages(start, nr, flags, pages)');
});

// `#ifdef FOLL_PIN` in a module built without the kernel's headers at hand: the flags were
// macros of linux/mm.h up to 6.2 and enum constants from 6.3, which #ifdef does not see.
test('#ifdef of a GUP flag is decided by the version: defined where linux/mm.h defines it, not before it came, not from 6.3 (an enum)', async (t) => {
  const { gupFlagDefined } = require('../dist/src/kernel/api');
  assert.strictEqual(gupFlagDefined('FOLL_PIN', [5, 4]), false);
  assert.strictEqual(gupFlagDefined('FOLL_PIN', [5, 6]), true);
  assert.strictEqual(gupFlagDefined('FOLL_PIN', [6, 1]), true);
  assert.strictEqual(gupFlagDefined('FOLL_PIN', [6, 3]), false);
  assert.strictEqual(gupFlagDefined('FOLL_LONGTERM', [4, 9]), false);
  assert.strictEqual(gupFlagDefined('FOLL_LONGTERM', [5, 10]), true);
  assert.strictEqual(gupFlagDefined('FOLL_WRITE', [4, 9]), true);
  assert.strictEqual(gupFlagDefined('FOLL_WRITE', [6, 12]), false);
  // Gone between 4.9 and 6.1: the facts say when only at those two.
  assert.strictEqual(gupFlagDefined('FOLL_POPULATE', [4, 9]), true);
  assert.strictEqual(gupFlagDefined('FOLL_POPULATE', [5, 4]), null);
  assert.strictEqual(gupFlagDefined('FOLL_POPULATE', [6, 1]), false);
  // Not a flag the facts know, not a flag at all: undecided.
  assert.strictEqual(gupFlagDefined('FOLL_DRV_PRIVATE', [5, 4]), null);
  assert.strictEqual(gupFlagDefined('HAVE_FOLL_PIN', [5, 4]), null);

  const { root, w } = tmpModule(t, 'gup-follifdef-');
  w('Kbuild', 'obj-m += drv.o\n');
  w('drv.c', [
    '#include <linux/mm.h>',                                         // 1
    '#include <linux/slab.h>',                                       // 2
    '',                                                              // 3
    'static long drv_pin(unsigned long start, unsigned long nr, struct page **pages)', // 4
    '{',                                                             // 5
    '\tlong ret, i;',                                                // 6
    '',                                                              // 7
    '#ifdef FOLL_PIN',                                               // 8
    '\tret = pin_user_pages_fast(start, nr, FOLL_WRITE, pages);',    // 9
    '#else',                                                         // 10
    '\tret = get_user_pages_fast(start, nr, FOLL_WRITE, pages);',    // 11
    '#endif',                                                        // 12
    '\tif (ret < 0)',                                                // 13
    '\t\treturn ret;',                                               // 14
    '\tfor (i = 0; i < ret; i++)',                                   // 15
    '\t\tput_page(pages[i]);',                                       // 16
    '\treturn ret == nr ? 0 : -EFAULT;',                             // 17
    '}',                                                             // 18
    '',
  ].join('\n'));
  const at = async (v) => (await audit({ paths: [root], kernelVersion: v, jobs: 1, only: ['pin-put-mismatch'] })).findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}:${f.level}${f.onlyIf ? ' (undecided)' : ''}`);
  // 6.1: FOLL_PIN is a macro, the pin arm is built, and put_page() does not release a pin.
  assert.deepStrictEqual(await at('6.1'), ['drv.c:16:pin-put-mismatch:error']);
  // 6.12: FOLL_PIN is an enum constant: the get_user_pages_fast() arm is built, put_page() is right.
  assert.deepStrictEqual(await at('6.12'), []);
  assert.deepStrictEqual(await at('5.4'), []);
});

// The same compat function in a module header the caller includes: followed as well.
test('a module header\'s own pin_user_pages() for kernels without it is followed from the file that includes it (5.4); at 6.1 the call is the kernel\'s', async (t) => {
  const { root, w } = tmpModule(t, 'gup-ownhdr-');
  w('Kbuild', 'obj-m += pinner.o\n');
  w('compat.h', [
    '#include <linux/version.h>',                                   // 1
    '#include <linux/mm.h>',                                        // 2
    '#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 6, 0)',             // 3
    'static inline long pin_user_pages(unsigned long start, unsigned long nr,', // 4
    '\t\t\t\t  unsigned int flags, struct page **pages,',           // 5
    '\t\t\t\t  struct vm_area_struct **vmas)',                      // 6
    '{',                                                            // 7
    '\treturn get_user_pages(start, nr, flags, pages, vmas);',      // 8
    '}',                                                            // 9
    '#endif',                                                       // 10
    '',
  ].join('\n'));
  w('pinner.c', [
    '#include <linux/fs.h>',                                        // 1
    '#include <linux/slab.h>',                                      // 2
    '#include "compat.h"',                                          // 3
    '',                                                             // 4
    'static long pinner_get(unsigned long start, unsigned long nr)', // 5
    '{',                                                            // 6
    '\tstruct page **pages;',                                       // 7
    '\tlong ret, i;',                                               // 8
    '',                                                             // 9
    '\tpages = kcalloc(nr, sizeof(*pages), GFP_KERNEL);',           // 10
    '\tif (!pages)',                                                // 11
    '\t\treturn -ENOMEM;',                                          // 12
    '\tret = pin_user_pages(start, nr, FOLL_WRITE, pages, NULL);',  // 13
    '\tfor (i = 0; i < ret; i++)',                                  // 14
    '\t\tput_page(pages[i]);',                                      // 15
    '\tkfree(pages);',                                              // 16
    '\treturn ret == nr ? 0 : -EFAULT;',                            // 17
    '}',                                                            // 18
    '',                                                             // 19
    'static long pinner_ioctl(struct file *f, unsigned int cmd, unsigned long arg)', // 20
    '{',                                                            // 21
    '\treturn pinner_get(arg, 16);',                                // 22
    '}',                                                            // 23
    '',                                                             // 24
    'static const struct file_operations pinner_fops = {',          // 25
    '\t.unlocked_ioctl = pinner_ioctl,',                            // 26
    '};',                                                           // 27
    '',
  ].join('\n'));
  const at = (res) => res.findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}:${f.level}`).sort();
  // 5.4: the get_user_pages() in the header runs without the lock, reached from the ioctl;
  // its pages are FOLL_GET references, which put_page() releases.
  let res = await audit({ paths: [root], kernelVersion: '5.4', jobs: 1 });
  assert.deepStrictEqual(at(res), ['compat.h:8:missing-mmap-lock:error'], res.findings.map((f) => f.message).join('\n'));
  assert.match(res.findings[0].message, /^get_user_pages\(\) requires the mmap lock of current->mm; pin_user_pages\(\) does not take it and is called without it from pinner_get \(pinner\.c:13\) <- pinner_ioctl/);
  // 6.1: the kernel's pin_user_pages(), whose FOLL_PIN pages put_page() does not release.
  res = await audit({ paths: [root], kernelVersion: '6.1', jobs: 1 });
  assert.deepStrictEqual(at(res), ['pinner.c:13:missing-mmap-lock:error', 'pinner.c:15:pin-put-mismatch:error']);
});

// The 4.4.y branch took get_user_pages(tsk, mm, start, nr, gup_flags, pages, vmas) from
// 4.4.168: a 4.4 build of such a call is no sign of another kernel; a 4.9 one is.
test('a get_user_pages() of the 4.4.168+ stable layout is no era mismatch at 4.4, and is one at 4.9', async (t) => {
  const { root, w } = tmpModule(t, 'gup-stable44-');
  w('Kbuild', 'obj-m += st.o\n');
  w('st.c', [
    '#include <linux/mm.h>',
    '#include <linux/sched.h>',
    '',
    'int st_pin(unsigned long uaddr, int n, struct page **pages, int write)',
    '{',
    '\tint rc;',
    '',
    '\tdown_read(&current->mm->mmap_sem);',
    '\trc = get_user_pages(current, current->mm, uaddr, n, write ? FOLL_WRITE : 0, pages, NULL);',
    '\tup_read(&current->mm->mmap_sem);',
    '\treturn rc;',
    '}',
    '',
  ].join('\n'));
  const mismatch = (res) => res.notifications.filter((n) => /does not match the/.test(n.message)).map((n) => n.message);
  assert.deepStrictEqual(mismatch(await audit({ paths: [root], kernelVersion: '4.4', jobs: 1 })), []);
  const at49 = mismatch(await audit({ paths: [root], kernelVersion: '4.9', jobs: 1 }));
  assert.strictEqual(at49.length, 1);
  assert.match(at49[0], /get_user_pages\(\) at st\.c:9 passes 7 arguments, 4\.9 takes 5/);
});

// A GUP function the audited version does not have at all (pin_user_pages_fast() at 5.4),
// called where no #if arm of the tool's choosing offers another: a sign of the wrong era.
test('a call of a GUP function the version lacks is named in the era warning, unless an undecided arm of the function calls one it has', async (t) => {
  const { root, w } = tmpModule(t, 'gup-absent-');
  w('Kbuild', 'obj-m += ab.o\n');
  const src = (guarded) => [
    '#include <linux/mm.h>',
    '',
    'int ab_pin(unsigned long uaddr, int n, struct page **pages)',
    '{',
    '\tint got;',
    '',
    ...(guarded ? ['#ifdef AB_HAVE_PIN'] : []),
    '\tgot = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages);',
    ...(guarded ? ['#else', '\tgot = get_user_pages_fast(uaddr, n, FOLL_WRITE, pages);', '#endif'] : []),
    '\treturn got;',
    '}',
    '',
  ].join('\n');
  const era = (res) => res.notifications.filter((n) => /do(es)? not match the/.test(n.message)).map((n) => n.message);
  w('ab.c', src(false));
  const bare = era(await audit({ paths: [root], kernelVersion: '5.4', jobs: 1 }));
  assert.strictEqual(bare.length, 1, bare.join('\n'));
  assert.match(bare[0], /pin_user_pages_fast\(\) at ab\.c:7 is not in 5\.4 \(it came in 5\.6\)/);
  assert.deepStrictEqual(era(await audit({ paths: [root], kernelVersion: '6.1', jobs: 1 })), []);
  w('ab.c', src(true));
  assert.deepStrictEqual(era(await audit({ paths: [root], kernelVersion: '5.4', jobs: 1 })), []);
});

// A distribution's version marker (RHEL_RELEASE_CODE) is not defined by the kernel.org kernel
// of the audited version: a module's guarded default of it, in its own compat header, and
// the tests of it decide the arm as for that kernel (they were left undecided: both arms
// reported, each "[only if ...]").
test('distribution markers: a compat header\'s #ifndef RHEL_RELEASE_CODE default decides the arm without --kdir', async (t) => {
  const { DISTRO_MARKER } = require('../dist/src/kernel/api');
  if (DISTRO_MARKER) {
    assert.ok(DISTRO_MARKER.test('RHEL_RELEASE_CODE') && DISTRO_MARKER.test('SLE_VERSION_CODE') && DISTRO_MARKER.test('UTS_UBUNTU_RELEASE_ABI'));
    assert.ok(!DISTRO_MARKER.test('CONFIG_SUSE_KERNEL') && !DISTRO_MARKER.test('HAVE_PIN_USER_PAGES') && !DISTRO_MARKER.test('RHEL_RELEASE_VERSION'));
  }
  const { root, w } = tmpModule(t, 'gup-distro-');
  w('Kbuild', 'obj-m += drv.o\n');
  w('compat.h', [
    '#include <linux/version.h>',
    '#ifndef RHEL_RELEASE_CODE',
    '#define RHEL_RELEASE_CODE 0',
    '#define RHEL_RELEASE_VERSION(a, b) (((a) << 8) + (b))',
    '#endif',
    '',
  ].join('\n'));
  w('drv.c', [
    '#include <linux/mm.h>',                                          // 1
    '#include <linux/slab.h>',                                        // 2
    '#include "compat.h"',                                            // 3
    '',                                                               // 4
    'static int drv_pin(unsigned long ua, long nr, struct page **pg)', // 5
    '{',                                                              // 6
    '\tlong got;',                                                    // 7
    '',                                                               // 8
    '#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0) && RHEL_RELEASE_CODE < RHEL_RELEASE_VERSION(8, 3)', // 9
    '\tgot = get_user_pages_fast(ua, nr, FOLL_WRITE, pg);',           // 10
    '#else',                                                          // 11
    '\tgot = pin_user_pages_fast(ua, nr, FOLL_WRITE, pg);',           // 12
    '#endif',                                                         // 13
    '\tif (got != nr) {',                                             // 14
    '\t\tkfree(pg);',                                                 // 15
    '\t\treturn -EFAULT;',                                            // 16
    '\t}',                                                            // 17
    '\treturn 0;',                                                    // 18
    '}',                                                              // 19
    '',
  ].join('\n'));
  const at = async (v) => (await audit({ paths: [root], kernelVersion: v, jobs: 1, only: ['partial-pin-unchecked'] })).findings.map((f) => `${f.file}:${f.span.line}:${f.ruleId}:${f.level}${/\[only if/.test(f.message) ? ' (undecided)' : ''}`);
  // (5.10 has both calls: only the marker decides the arm.)
  assert.deepStrictEqual(await at('5.10'), ['drv.c:10:partial-pin-unchecked:warning']);
  assert.deepStrictEqual(await at('6.1'), ['drv.c:12:partial-pin-unchecked:warning']);
});

// A function written as one use of a module header's function-like macro (`DRV_STORE(size)
// { ... }`, the header defining it as `ssize_t drv_ ## n(...)`): named as the expansion
// declares it, so its caller chain reaches it and the message names it.
test('a function whose header a module header\'s macro writes is named by the expansion', async (t) => {
  const { root, w } = tmpModule(t, 'gup-declmacro-');
  w('Kbuild', 'obj-m += drv.o\n');
  w('drv.h', [
    '#define DRV_STORE(n) \\',
    '\tssize_t drv_attr_ ## n(struct device *dev, struct device_attribute *attr, const char *buf, size_t len)',
    '',
  ].join('\n'));
  w('drv.c', [
    '#include <linux/mm.h>',                                        // 1
    '#include "drv.h"',                                             // 2
    '',                                                             // 3
    'static long drv_grab(unsigned long va, struct page **pg)',     // 4
    '{',                                                            // 5
    '\treturn get_user_pages(va, 1, FOLL_WRITE, pg);',              // 6
    '}',                                                            // 7
    '',                                                             // 8
    'DRV_STORE(addr)',                                              // 9
    '{',                                                            // 10
    '\tstruct page *pg;',                                           // 11
    '',                                                             // 12
    '\tif (drv_grab(simple_strtoul(buf, NULL, 0), &pg) == 1)',     // 13
    '\t\tput_page(pg);',                                            // 14
    '\treturn len;',                                                // 15
    '}',                                                            // 16
    '',                                                             // 17
    'static struct device_attribute drv_attr = {',                  // 18
    '\t.attr = { .name = "addr", .mode = 0200 },',                  // 19
    '\t.store = drv_attr_addr,',                                    // 20
    '};',                                                           // 21
    '',
  ].join('\n'));
  const r = await audit({ paths: [root], kernelVersion: '6.12', jobs: 1, only: ['missing-mmap-lock'] });
  assert.deepStrictEqual(r.findings.map((f) => `${f.file}:${f.span.line}:${f.level}`), ['drv.c:6:error']);
  assert.match(r.findings[0].message, /called without it from drv_attr_addr \(drv\.c:13\): drv_attr_addr\(\) is the \.store handler of a sysfs attribute \(struct device_attribute\)/);
});
