// `--list-rules` (text or JSON) and `gup-audit explain RULE` (the rule's page in docs/rules).
import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { rules as allRules } from '../../rules';
import { packageRoot } from '../version';

export function formatRuleList(format: string): string {
  if (format === 'json') {
    const list = allRules.map((r) => ({ id: r.meta.id, name: r.meta.name, level: r.meta.level, precision: r.meta.precision, tags: r.meta.tags, short: r.meta.short, messages: r.meta.messages, doc: `docs/rules/${r.meta.id}.md` }));
    return JSON.stringify(list, null, 2) + '\n';
  }
  return allRules.map((r) => `${r.meta.id.padEnd(28)} ${r.meta.level.padEnd(8)} ${r.meta.short}\n`).join('');
}

import { UsageError } from '../errors';
import { runContext } from '../run-context';
export class ExplainError extends UsageError {}

/** The documentation page of a rule, as shipped in the package. */
export function ruleDoc(id: string): string {
  const rule = allRules.find((r) => r.meta.id === id);
  if (!rule) throw new ExplainError(`unknown rule '${id}' (see --list-rules)`);
  const file = path.join(packageRoot ?? '.', 'docs', 'rules', `${id}.md`);
  try { return fs.readFileSync(file, 'utf8'); } catch {
    // A page missing from an install: the rule's own description still explains it.
    return `# ${id}\n\nDefault level: ${rule.meta.level}\n\n${rule.meta.full}\n`;
  }
}

export function registerExplain(program: Command): void {
  const cmd = program.command('explain')
    .description('print the documentation of a rule (its page in docs/rules)')
    .argument('<rule>', 'rule id (see --list-rules)')
    .action((id: string) => { runContext().stdout.write(ruleDoc(id)); });
  cmd.exitOverride();
}
