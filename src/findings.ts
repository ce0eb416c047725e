// The shape of a finding, shared by rules, reporters and the gate.
import type { Span } from './parse/ir';

export type Level = 'error' | 'warning' | 'note';
export const LEVELS: Level[] = ['note', 'warning', 'error'];

export function levelRank(l: Level | 'none'): number {
  return l === 'none' ? 99 : LEVELS.indexOf(l);
}

/** The one verdict of --fail-on (audit, check and gate): a live finding at or above the
 * level fails. */
export function failsAt(f: { level: Level; suppressed?: unknown }, failOn: Level | 'none'): boolean {
  return !f.suppressed && levelRank(f.level) >= levelRank(failOn);
}

export type RelatedRole = 'acquire' | 'release' | 'caller' | 'call' | 'gup' | 'assert' | 'lock';

export interface Related {
  role: RelatedRole;
  file: string;
  span: Span;
  message: string;
}

/** One step of a caller chain: `function` (in `file`) calls the previous step's function,
 * or the finding's function for the first step, at `span`. */
export interface ChainStep {
  function: string;
  file: string;
  span: Span;
}

/** The values of a message's placeholders, by name. */
export type MessageData = Record<string, string | number>;

/** `{{name}}` in a message template (ESLint's syntax); any other brace is literal text. */
const PLACEHOLDER = /\{\{(\w+)\}\}/g;

/** The placeholder names of a template, each once, in the order they first occur. */
export function messagePlaceholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/** A message from its template and data. A placeholder without a value is a defect of the
 * rule that reports it: it throws (a message must never reach a user with a hole in it). */
export function renderMessage(template: string, data: MessageData): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(data, name)) throw new Error(`message placeholder {{${name}}} has no value in ${JSON.stringify(template)}`);
    return String(data[name]);
  });
}

/** A template split at its placeholders: literal text (`text`) and placeholder names
 * (`name`), in order (the SARIF writer converts templates with it). */
export function messageParts(template: string): ({ text: string } | { name: string })[] {
  const out: ({ text: string } | { name: string })[] = [];
  let at = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (m.index! > at) out.push({ text: template.slice(at, m.index) });
    out.push({ name: m[1] });
    at = m.index! + m[0].length;
  }
  if (at < template.length) out.push({ text: template.slice(at) });
  return out;
}

export interface Finding {
  ruleId: string;
  level: Level;
  /** What the user reads: the rule's template `messageId` rendered with `data`, followed by
   * what the engine adds about the preprocessor (` (called as M(), which expands to F())`,
   * ` [only if C: a condition the tool cannot decide]`). */
  message: string;
  /** The key of the template in the rule's meta.messages. */
  messageId: string;
  /** The values of the template's placeholders. */
  data: MessageData;
  /** Path relative to the audited tree root, with forward slashes. */
  file: string;
  span: Span;
  /** The function the finding is in. */
  function: string;
  related: Related[];
  /** A one-line hint: what to write instead. */
  hint?: string;
  /** Normalised text of the primary call, for fingerprints. */
  callText: string;
  /** Stable across unrelated line shifts: rule, path, function, call text, occurrence. */
  fingerprint: string;
  /** Ordered lock path for code flows (acquire -> call -> release). */
  flow?: Related[];
  /** The caller chains the message cites, each innermost caller first (structured: the
   * reporters draw code flows from them, never from the message text). */
  chains?: ChainStep[][];
  /** For `gup-audit fix`: the call to rewrite (callee identifier to closing parenthesis),
   * the new callee, the new argument order (indices of the old arguments, or literal
   * texts), and the lock/unlock calls whose statements are dropped with their analysed
   * texts (the fixer checks every span it edits against them). */
  rewrite?: { call: Span; name: string; argOrder: (number | string)[]; drop: Span[]; dropText: string[] };
  /** The rewrite's exact edits in the analysed file (src/kernel/rewrite.ts), attached by
   * the engine when the rewrite is exact: SARIF `fixes` are formatted from them. */
  fix?: { description: string; edits: { region: Span; text: string }[] };
  /** UTF-16 columns (SARIF's columnKind utf16CodeUnits) of the columns the reports cite
   * (the span's, related sites', flow and caller chain steps', fix regions'), attached by
   * the engine from the analysed bytes: only those that differ from the byte column `col`,
   * i.e. on a line with UTF-8 text before them; absent when none does. (The reporters read
   * no source file.) */
  utf16?: { file: string; line: number; col: number; utf16: number }[];
  /** The text of the lines the text and checkpatch reports quote (the finding's line and
   * its related sites' lines in its file), by line number, attached by the engine from the
   * analysed bytes (Latin-1): the reporters read no source file. */
  source?: Record<number, string>;
  /** Set by the gate (diff/series): how the finding compares with the base (SARIF
   * result.baselineState): new = introduced, unchanged, updated = same fingerprint with
   * another level, absent = fixed (the finding is from the base). */
  baselineState?: 'new' | 'unchanged' | 'updated' | 'absent';
  /** Set when a baseline file suppresses the finding (SARIF result.suppressions). */
  suppressed?: { kind: 'external' | 'inSource'; justification: string };
}

export interface RuleMeta {
  id: string;
  name: string;
  level: Level;
  short: string;
  full: string;
  tags: string[];
  /** How often a finding is a true positive, in GitHub code scanning's words (it is the
   * SARIF `properties.precision`). The one source of the rule's confidence:
   * docs/rules/<id>.md repeats it as `Confidence: <word>.` (test/rules.test.js checks). */
  precision: 'very-high' | 'high' | 'medium' | 'low';
  /** Every message the rule reports, by id: a template with `{{name}}` placeholders (ESLint's
   * syntax), rendered with the data of the report (src/stages/run-rules.ts). SARIF lists them
   * as the rule's messageStrings; docs/rules/<id>.md lists them under Messages. */
  messages: Record<string, string>;
}

export interface Notification {
  level: 'error' | 'warning' | 'note';
  file?: string;
  message: string;
  /** What stopped short: 'analysis-budget' when the analysis budget cut a function, 'internal-error' when a rule failed. */
  kind?: 'analysis-budget' | 'internal-error';
}
