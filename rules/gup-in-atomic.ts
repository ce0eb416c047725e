import type { AtomicQueries, CallerStep, FunctionAnalysis, Opener, Program, Rule } from '../src/rule';
import { lockExpr, lockInCaller, rel } from '../src/rule';
import type { Related } from '../src/findings';

/** A section by its kind and lock in one function's terms (`spin d->lock`). */
interface Drop { cls: string; expr: string }
const dropKey = (d: Drop) => `${d.cls} ${d.expr}`;

/** Sections open at a call on some path (the marks of a caller's dropped section aside,
 * and the sections `dropped` names); for a call reached at depth 0 everywhere, the callers
 * (as far as the call graph knows them) that make the function's entry atomic. */
function openAt(atomic: AtomicQueries, fa: FunctionAnalysis, call: number, dropped?: ReadonlySet<string>): Opener[] {
  const stacks = atomic.of(fa).atCall[call] ?? [];
  for (const s of stacks) {
    const open = s.filter((o) => !o.drop && !dropped?.has(dropKey({ cls: o.cls, expr: lockExpr(o.arg) })));
    if (open.length) return open;
  }
  return [];
}

/** The caller's sections a function has dropped before one of its calls, on every path to
 * it (`spin_unlock(&v->lock); pin(...);`). */
function droppedAt(atomic: AtomicQueries, fa: FunctionAnalysis, call: number): Drop[] {
  const stacks = atomic.of(fa).atCall[call] ?? [];
  let common: Drop[] | null = null;
  for (const s of stacks) {
    const mine = s.filter((o) => o.drop).map((o) => ({ cls: o.cls, expr: lockExpr(o.arg) }));
    const keys = new Set<string>(mine.map(dropKey));
    common = common === null ? mine : common.filter((d: Drop) => keys.has(dropKey(d)));
  }
  return common ?? [];
}

/** `down`: the call of `fa` that leads to the GUP call (the GUP call itself at the start).
 * `dropped0`: sections the functions below dropped before their call down, in `fa`'s terms:
 * a caller's section of that lock does not reach the GUP call. */
function atomicCallers(p: Program, atomic: AtomicQueries, fa: FunctionAnalysis, down: number, depth: number, seen: Set<FunctionAnalysis>, dropped0: Drop[] = []): { chain: CallerStep[]; open: Opener[] } | null {
  if (depth <= 0 || seen.has(fa)) return null;
  seen.add(fa);
  const here = [...dropped0, ...droppedAt(atomic, fa, down)];
  for (const step of p.callersOf(fa)) {
    // A call through an ops-table field is matched by field name only, not by struct type:
    // good enough to find a caller that holds the mmap lock, too loose to claim an atomic
    // context (`->create(` of one protocol table reaching another table's handler).
    if (step.caller === fa || !step.call.name) continue;
    // (The dropped locks as the caller names them: through the arguments of its call.)
    const up: Drop[] = [];
    for (const d of here) {
      const e = d.expr ? lockInCaller(d.expr, fa.fn.params, step.call.argText) : '';
      if (e !== null) up.push({ cls: d.cls, expr: e });
    }
    const open = openAt(atomic, step.caller, step.call.id, new Set(up.map(dropKey)));
    if (open.length) return { chain: [step], open };
    const r = atomicCallers(p, atomic, step.caller, step.call.id, depth - 1, seen, up);
    if (r) return { chain: [step, ...r.chain], open: r.open };
  }
  return null;
}

/** A function registered as a callback the kernel runs in atomic context (an interrupt
 * handler, a timer, a tasklet, .ndo_start_xmit), the function itself or a caller up the
 * call graph: the chain to it (empty for the function itself). */
function atomicEntry(p: Program, fa: FunctionAnalysis, depth: number, seen: Set<FunctionAnalysis>): { chain: CallerStep[]; what: string; top: FunctionAnalysis } | null {
  if (fa.fn.atomicEntry) return { chain: [], what: fa.fn.atomicEntry, top: fa };
  if (depth <= 0 || seen.has(fa)) return null;
  seen.add(fa);
  for (const step of p.callersOf(fa)) {
    if (step.caller === fa || !step.call.name) continue;
    const up = atomicEntry(p, step.caller, depth - 1, seen);
    if (up) return { chain: [step, ...up.chain], what: up.what, top: up.top };
  }
  return null;
}

/** The call as written: a module's wrapper (`drv_lock()`) rather than the spin_lock() it
 * expands to. */
function openerName(c: { name: string | null; via?: string }): string {
  return c.via ?? String(c.name);
}

const rule: Rule = {
  meta: {
    id: 'gup-in-atomic',
    name: 'GupInAtomic',
    level: 'error',
    short: 'A sleeping GUP function is called in atomic context.',
    full: 'The slow GUP path faults pages in, waits on IO, calls cond_resched() and takes the mmap lock (a sleeping rwsem); get_user_pages_fast()/pin_user_pages_fast() fall back to it. Calling any of them with a spinlock held, under rcu_read_lock(), or with preemption, interrupts, bottom halves or page faults disabled sleeps in atomic context. Only *_fast_only (and __get_user_pages_fast before 5.8) are safe there.',
    tags: ['mm', 'gup', 'atomic', 'correctness'],
    precision: 'medium',
    // {{context}}: what makes the section atomic ('a spinlock held', 'preemption disabled', ...).
    messages: {
      'atomic-section': '{{call}}() can sleep (it faults pages in and takes the mmap lock), but it is called with {{context}} ({{opener}}() at line {{line}}); move the call out of the section',
      'atomic-section-fast': '{{call}}() can sleep (it faults pages in and takes the mmap lock), but it is called with {{context}} ({{opener}}() at line {{line}}); move the call out of the section, or use get_user_pages_fast_only() there with a sleeping fallback outside',
      'atomic-section-fast-old': '{{call}}() can sleep (it faults pages in and takes the mmap lock), but it is called with {{context}} ({{opener}}() at line {{line}}); move the call out of the section, or use __get_user_pages_fast() there (it never sleeps) with a sleeping fallback outside',
      'atomic-caller': '{{call}}() can sleep, but it runs with {{context}}: {{opener}}() at {{file}}:{{line}} ({{function}}() is called from {{chain}})',
      'atomic-entry': '{{call}}() can sleep, but {{function}}() is {{entry}}: defer the work to a workqueue or a threaded handler',
      'atomic-entry-caller': '{{call}}() can sleep, but it runs in {{entryFunction}}(), {{entry}} ({{function}}() is called from {{chain}}): defer the work to a workqueue or a threaded handler',
    },
  },
  check(ctx) {
    for (const { fa, call } of ctx.sites) {
      const fn = call.name ? ctx.api.gupFunctions.get(call.name) : undefined;
      if (!fn || !fn.sleeps) continue;
      let open = openAt(ctx.atomic, fa, call.id);
      const related: Related[] = [];
      if (open.length === 0) {
        const up = atomicCallers(ctx.program, ctx.atomic, fa, call.id, ctx.program.callDepth, new Set());
        if (!up) {
          const en = atomicEntry(ctx.program, fa, ctx.program.callDepth, new Set());
          if (!en) continue;
          const chainRel = en.chain.map((st) => rel('caller', st.caller, st.call.span, `called from ${st.caller.fn.name}()`));
          ctx.report({
            fa, span: call.span, callText: call.text,
            messageId: en.chain.length ? 'atomic-entry-caller' : 'atomic-entry',
            data: { call: String(call.name), function: fa.fn.name, entry: en.what, entryFunction: en.top.fn.name, chain: en.chain.map((st) => `${st.caller.fn.name}()`).join(' <- ') },
            related: chainRel,
            flow: [...chainRel.slice().reverse(), rel('gup', fa, call.callSpan, `${call.name}() may sleep`)],
            ...(en.chain.length ? { chains: [en.chain] } : {}),
          });
          continue;
        }
        open = up.open;
        for (const st of up.chain) related.push(rel('caller', st.caller, st.call.span, `called from ${st.caller.fn.name}()`));
        const top = up.chain[up.chain.length - 1];
        const o = open[open.length - 1];
        const opener = top.caller.fn.calls[o.call];
        related.unshift(rel('lock', top.caller, opener.callSpan, `${openerName(opener)}() opens the atomic section`));
        ctx.report({
          fa, span: call.span, callText: call.text,
          messageId: 'atomic-caller',
          data: {
            call: String(call.name), context: ctx.atomic.describe(o.cls), opener: openerName(opener), file: top.caller.fn.file, line: opener.span.line,
            function: fa.fn.name, chain: up.chain.map((s) => `${s.caller.fn.name}()`).join(' <- '),
          },
          related,
          flow: [related[0], ...related.slice(1).reverse(), rel('gup', fa, call.callSpan, `${call.name}() may sleep`)],
          chains: [up.chain],
        });
        continue;
      }
      const o = open[open.length - 1];
      const opener = fa.fn.calls[o.call];
      related.push(rel('lock', fa, opener.callSpan, `${openerName(opener)}() opens the atomic section`));
      ctx.report({
        fa, span: call.span, callText: call.text,
        // The non-sleeping variant the era has: get_user_pages_fast_only() from 5.8,
        // __get_user_pages_fast() before.
        messageId: !(call.name ?? '').startsWith('get_user_pages_fast') ? 'atomic-section'
          : ctx.api.existsIn('get_user_pages_fast_only', ctx.version) ? 'atomic-section-fast'
            : ctx.api.existsIn('__get_user_pages_fast', ctx.version) ? 'atomic-section-fast-old' : 'atomic-section',
        data: { call: String(call.name), context: ctx.atomic.describe(o.cls), opener: openerName(opener), line: opener.span.line },
        // (A section opened under an undecided #if: the finding exists only if it is built.)
        onlyWhere: [opener.span],
        related,
        flow: [related[0], rel('gup', fa, call.callSpan, `${call.name}() may sleep`)],
      });
    }
  },
};
export default rule;
