// The man page, generated from the commander definitions the CLI parses with, so that
// it lists exactly the options --help shows: `npm run man` writes man/gup-audit.1.
import type { Command, Option } from 'commander';
import { buildProgram } from '../cli';
import { toolVersion } from '../version';

/** roff text: backslashes and hyphens escaped, no line may start with a control character. */
function esc(s: string): string {
  return s.replace(/\\/g, '\\e').replace(/-/g, '\\-').replace(/^[.']/gm, '\\&$&');
}

function optionText(o: Option): string[] {
  const extra: string[] = [];
  if (o.argChoices) extra.push(`one of: ${o.argChoices.join(', ')}`);
  const dflt = o.defaultValue;
  if (dflt !== undefined && !(Array.isArray(dflt) && dflt.length === 0) && typeof dflt !== 'boolean') extra.push(`default: ${String(dflt)}`);
  return ['.TP', `.B ${esc(o.flags)}`, esc(o.description + (extra.length ? ` (${extra.join('; ')})` : '') + '.')];
}

function commandSection(cmd: Command, title: string): string[] {
  const out = [`.SS ${esc(title)}`, esc(cmd.description())];
  const opts = cmd.options.filter((o) => !o.hidden);
  for (const o of opts) out.push(...optionText(o));
  return out;
}

const EXIT = [
  '.SH EXIT STATUS',
  '.TP', '.B 0', 'No finding (or, for the gate, no introduced finding) at or above \\-\\-fail\\-on.',
  '.TP', '.B 1', 'Findings at or above \\-\\-fail\\-on.',
  '.TP', '.B 2', 'Usage or input error: one line on standard error.',
];

export function manPage(program: Command = buildProgram()): string {
  const out: string[] = [
    `.TH GUP\\-AUDIT 1 "" "gup\\-audit ${esc(toolVersion)}" "User Commands"`,
    '.SH NAME',
    `gup\\-audit \\- ${esc(program.description().replace(/\.$/, ''))}`,
    '.SH SYNOPSIS',
    `.B gup\\-audit`, esc('[options] <path...>'), '.br',
    `.B gup\\-audit`, esc('[options] -   (file names on standard input)'),
  ];
  for (const c of program.commands) out.push('.br', `.B gup\\-audit ${esc(c.name())}`, esc(c.usage()));
  out.push('.SH DESCRIPTION', esc(program.description()), 'Rule documentation: \\fBgup\\-audit explain\\fR \\fIRULE\\fR.');
  out.push('.SH OPTIONS');
  for (const o of program.options.filter((x) => !x.hidden)) out.push(...optionText(o));
  out.push('.SH COMMANDS');
  for (const c of program.commands) out.push(...commandSection(c, `gup-audit ${c.name()} ${c.usage()}`));
  out.push(...EXIT);
  out.push('.SH SEE ALSO', '.BR sparse (1),', '.BR checkpatch.pl ,', '.BR b4 (5)');
  return out.join('\n') + '\n';
}

if (require.main === module) process.stdout.write(manPage());
