// SARIF 2.1.0 report for code review tools (GitHub code scanning, IDE SARIF viewers).
//
// One run. tool.driver lists every rule (also rules not run this time: ruleIndex must stay
// stable, and the disabled ones are marked in invocations[0].ruleConfigurationOverrides),
// sorted by rule id (driverRules()), each with help text and markdown taken from
// docs/rules/<id>.md at run time.
// Results point at the tree root through uriBaseId SRCROOT; spans are 1-based lines and
// columns with an exclusive end column, as SARIF's. Columns count bytes; the log counts
// UTF-16 code units: the engine attached the columns that differ (Finding.utf16, from the
// analysed bytes), so this writer reads no file of the audited tree (only its own
// docs/rules pages, for the rules' help).
// Lock sites and callers become relatedLocations (linked from the message as `[text](id)`)
// and codeFlows: acquire -> call -> release, or outermost caller -> ... -> call.
// Each rule's message templates are its messageStrings, and each result's message names its
// template (id) with the values of the placeholders (arguments) besides the text.
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { AuditResult } from '../engine';
import type { Finding, Notification, Related, RelatedRole, RuleMeta } from '../findings';
import { messageParts, messagePlaceholders, renderMessage } from '../findings';
import type { Span } from '../parse/ir';
import { rules as allRules } from '../../rules';
import { informationUri, toolVersion } from '../version';
import { toBytes } from '../fsname';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The key of our own fingerprints in result.partialFingerprints. */
export const FINGERPRINT_KEY = 'gupAudit/v1';
const SRCROOT = 'SRCROOT';

type Json = Record<string, unknown>;

/** docs/rules of the installed package: dist/src/report -> package root (as version.ts
 * finds package.json). */
function findDocsDir(): string | null {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const p = path.join(dir, 'docs', 'rules');
    if (fs.existsSync(p) && fs.existsSync(path.join(dir, 'package.json'))) return p;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

export function ruleHelpUri(id: string): string {
  return `${informationUri}/blob/main/docs/rules/${id}.md`;
}

/** The rule page as markdown, links to sibling pages made absolute (the page is shown
 * outside the repository). Null when the page is missing. */
export function ruleDocMarkdown(id: string, docsDir: string | null = findDocsDir()): string | null {
  if (!docsDir) return null;
  let md: string;
  try { md = fs.readFileSync(path.join(docsDir, `${id}.md`), 'utf8'); } catch { return null; }
  return md.replace(/\]\((\.\/)?([\w.-]+\.md)(#[\w-]*)?\)/g, (_m, _dot, file: string, frag = '') =>
    `](${informationUri}/blob/main/docs/rules/${file}${frag})`).trimEnd() + '\n';
}

/** Plain text for help.text (consumers that do not render markdown show this). */
export function markdownToText(md: string): string {
  const out: string[] = [];
  let inCode = false;
  for (const line of md.split('\n')) {
    if (/^\s*```/.test(line)) { inCode = !inCode; continue; }
    if (inCode) { out.push('    ' + line.replace(/\t/g, '    ')); continue; }
    out.push(line
      .replace(/^#{1,6}\s+(.*)$/, (_m, h: string) => h.toUpperCase())
      .replace(/\*\*([^*]+)\*\*/g, '$1')
      .replace(/`([^`]+)`/g, '$1')
      .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)'));
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim() + '\n';
}

function reportingDescriptor(meta: RuleMeta, docsDir: string | null): Json {
  const md = ruleDocMarkdown(meta.id, docsDir);
  const helpUri = ruleHelpUri(meta.id);
  const markdown = md ?? `${meta.full}\n\nSee [docs/rules/${meta.id}.md](${helpUri}).\n`;
  return {
    id: meta.id,
    name: meta.name,
    shortDescription: { text: meta.short },
    fullDescription: { text: meta.full },
    help: { text: md ? markdownToText(md) : `${meta.full}\n\nSee ${helpUri}\n`, markdown },
    helpUri,
    defaultConfiguration: { level: meta.level },
    messageStrings: Object.fromEntries(Object.entries(meta.messages).map(([id, t]) => [id, { text: sarifMessageString(t) }])),
    properties: { tags: meta.tags, precision: meta.precision },
  };
}

/** A rule's message template as a SARIF message string (SARIF 2.1.0 §3.11.5): its
 * placeholders numbered `{0}`, `{1}`, ... in the order the names first occur, literal `{`
 * and `}` doubled, the link characters escaped as in every message.text we write; then one
 * more placeholder, last, for what the result's text adds after the rule's message (the
 * preprocessor's notes, the suggested fix, the links to related locations): a result's id
 * and arguments render to exactly its text. */
export function sarifMessageString(template: string): string {
  const names = messagePlaceholders(template);
  const body = messageParts(template)
    .map((p) => ('name' in p ? `{${names.indexOf(p.name)}}` : escapeMessage(p.text).replace(/[{}]/g, '$&$&')))
    .join('');
  return `${body}{${names.length}}`;
}

/** Every rule's templates by rule id (the rules' own objects). */
const TEMPLATES = new Map(allRules.map((r) => [r.meta.id, r.meta.messages]));

/** A result's message: its text, and the template's id with the arguments of
 * sarifMessageString(): the values of the placeholders (escaped as the text is) and what the
 * text adds after the rule's message. Text only for a finding the engine did not make (no
 * template of its rule renders to the start of its text). */
function resultMessage(f: Finding, text: string): Json {
  const template = f.messageId ? TEMPLATES.get(f.ruleId)?.[f.messageId] : undefined;
  const names = template ? messagePlaceholders(template) : [];
  if (!template || !f.data || names.some((n) => !Object.prototype.hasOwnProperty.call(f.data, n))) return { text };
  const rendered = escapeMessage(renderMessage(template, f.data));
  if (!text.startsWith(rendered)) return { text };
  return { text, id: f.messageId, arguments: [...names.map((n) => escapeMessage(String(f.data[n]))), text.slice(rendered.length)] };
}

/** A relative path as a URI reference: percent-encode what a URI cannot hold. */
export function pathToUriRef(rel: string): string {
  // Byte by byte (a name that is not UTF-8 keeps its bytes: src/fsname.ts): everything but
  // RFC 3986's unreserved characters and the path separator is percent-encoded.
  let out = '';
  for (const b of toBytes(rel.split(path.sep).join('/'))) {
    const ch = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~/]/.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A column as the log counts it (UTF-16 code units) from a file, line and byte column. */
type Columns = (file: string, line: number, col: number) => number;

/** The columns of a finding's result: those the engine converted (Finding.utf16), the
 * others as they are (a line that is ASCII up to the column counts the same either way). */
function columnsOf(f: Finding): Columns {
  if (!f.utf16?.length) return (_file, _line, col) => col;
  const m = new Map(f.utf16.map((c) => [`${c.file}\0${c.line}\0${c.col}`, c.utf16]));
  return (file, line, col) => m.get(`${file}\0${line}\0${col}`) ?? col;
}

function region(file: string, span: Span, cols: Columns): Json {
  const r: Json = { startLine: span.line, startColumn: cols(file, span.line, span.col) };
  const ordered = span.endLine > span.line || (span.endLine === span.line && span.endCol >= span.col);
  if (ordered) { r.endLine = span.endLine; r.endColumn = cols(file, span.endLine, span.endCol); }
  return r;
}

function physicalLocation(file: string, span?: Span, cols?: Columns): Json {
  return { artifactLocation: { uri: pathToUriRef(file), uriBaseId: SRCROOT }, ...(span && cols ? { region: region(file, span, cols) } : {}) };
}

/** Plain-text SARIF messages treat `[text](id)` as links: literal brackets and backslashes
 * are escaped (SARIF 2.1.0 §3.11.6), in every message.text we write. */
export function escapeMessage(s: string): string {
  return s.replace(/[\\[\]]/g, '\\$&');
}

const THREAD_KINDS: Record<RelatedRole, string[]> = {
  acquire: ['acquire', 'lock'],
  release: ['release', 'lock'],
  assert: ['lock'],
  lock: ['lock'],
  caller: ['call'],
  call: ['call'],
  gup: ['call'],
};

function samePlace(a: Related, b: Related): boolean {
  return a.file === b.file && a.span.line === b.span.line && a.span.col === b.span.col;
}

function byPosition(a: { file: string; span: Span }, b: { file: string; span: Span }): number {
  return a.file.localeCompare(b.file) || a.span.line - b.span.line || a.span.col - b.span.col;
}

/** Caller steps grouped into chains, innermost first, as the rule gave them
 * (Finding.chains); a caller no chain names is a direct caller on its own. */
export function callerChains(f: Finding): { loc: Related; fn: string }[][] {
  const callers = f.related.filter((r) => r.role === 'caller');
  const used = new Set<Related>();
  const chains: { loc: Related; fn: string }[][] = [];
  for (const chain of f.chains ?? []) {
    // Chains may share steps (the engine keeps each related site once).
    const steps = chain.map((st) => {
      const r = callers.find((c) => c.file === st.file && c.span.line === st.span.line && c.span.col === st.span.col)
        ?? { role: 'caller' as const, file: st.file, span: st.span, message: `called from ${st.function}` };
      used.add(r);
      return { loc: r, fn: st.function };
    });
    if (steps.length && !chains.some((c) => c.length === steps.length && c.every((x, i) => x.loc === steps[i].loc))) chains.push(steps);
  }
  // (A caller outside every chain: its function is the one its message names.)
  for (const c of callers) if (!used.has(c)) chains.push([{ loc: c, fn: /\bfrom ([A-Za-z_]\w*)/.exec(c.message)?.[1] ?? c.message }]);
  return chains;
}

interface FlowStep { loc: Related; kinds: string[]; nesting: number; essential: boolean }

function primaryAsRelated(f: Finding, message: string): Related {
  return { role: 'call', file: f.file, span: f.span, message };
}

/** The lock paths of a finding: its own flow if the rule gave one, else acquire/release
 * sites around the primary location, plus one path per caller chain. */
export function flowsOf(f: Finding): { message: string; steps: FlowStep[] }[] {
  const flows: { message: string; steps: FlowStep[] }[] = [];
  const primaryMsg = f.function ? `in ${f.function}(): ${f.callText}` : f.callText;
  if (f.flow && f.flow.length) {
    const steps = f.flow.map((r) => ({ loc: r, kinds: THREAD_KINDS[r.role] ?? [], nesting: 0, essential: r.file === f.file && r.span.line === f.span.line }));
    if (!steps.some((s) => s.essential)) {
      // The rule's flow does not contain the primary location: put it where it belongs.
      const p = primaryAsRelated(f, primaryMsg);
      const at = steps.findIndex((s) => byPosition(s.loc, p) > 0);
      steps.splice(at < 0 ? steps.length : at, 0, { loc: p, kinds: ['call'], nesting: 0, essential: true });
    }
    flows.push({ message: 'mmap lock path', steps });
  } else {
    const sites = f.related.filter((r) => r.role !== 'caller');
    if (sites.length) {
      const p = primaryAsRelated(f, primaryMsg);
      const all = [...sites.filter((s) => !samePlace(s, p)), p].sort(byPosition);
      flows.push({
        message: 'mmap lock path',
        steps: all.map((r) => ({ loc: r, kinds: r === p ? ['call'] : THREAD_KINDS[r.role] ?? [], nesting: 0, essential: r === p })),
      });
    }
  }
  for (const chain of callerChains(f)) {
    const outerFirst = [...chain].reverse();
    const steps: FlowStep[] = outerFirst.map((r, i) => ({ loc: r.loc, kinds: ['call'], nesting: i, essential: false }));
    steps.push({ loc: primaryAsRelated(f, primaryMsg), kinds: ['call'], nesting: outerFirst.length, essential: true });
    flows.push({ message: `call chain: ${outerFirst.map((r) => `${r.fn}()`).join(' -> ')} -> ${f.function}()`, steps });
  }
  return flows;
}

/** SARIF `fixes` from the edits the engine attached (prefer-unlocked, exact rewrites). The
 * inserted text is analysed bytes (Latin-1): decoded as UTF-8. */
function fixesOf(f: Finding, cols: Columns): Json[] | null {
  if (!f.fix) return null;
  return [{
    description: { text: f.fix.description },
    artifactChanges: [{
      artifactLocation: { uri: pathToUriRef(f.file), uriBaseId: SRCROOT },
      replacements: f.fix.edits.map((e) => ({
        deletedRegion: { startLine: e.region.line, startColumn: cols(f.file, e.region.line, e.region.col), endLine: e.region.endLine, endColumn: cols(f.file, e.region.endLine, e.region.endCol) },
        ...(e.text ? { insertedContent: { text: Buffer.from(e.text, 'latin1').toString('utf8') } } : {}),
      })),
    }],
  }];
}

function resultOf(f: Finding, ruleIndex: Map<string, number>): Json {
  const cols = columnsOf(f);
  // Related locations: each site once, numbered from 1, linked from the message.
  const related: { id: number; r: Related }[] = [];
  for (const r of [...f.related, ...(f.flow ?? [])]) {
    if (samePlace(r, primaryAsRelated(f, ''))) continue;
    if (related.some((x) => samePlace(x.r, r) && x.r.role === r.role)) continue;
    related.push({ id: related.length + 1, r });
  }
  const where = (r: Related) => (r.file === f.file ? `line ${r.span.line}` : `${r.file}:${r.span.line}`);
  const linked = f.related.length ? related.filter((x) => f.related.some((r) => samePlace(r, x.r) && r.role === x.r.role)) : related;
  let text = escapeMessage(f.message);
  if (f.hint && !f.message.includes(f.hint)) text += `. Suggested fix: ${escapeMessage(f.hint)}`;
  if (!/[.;:!?]$/.test(text)) text += '.';
  if (linked.length) text += ` See ${linked.map((x) => `[${escapeMessage(x.r.message)} (${where(x.r)})](${x.id})`).join(', ')}.`;

  const res: Json = {
    ruleId: f.ruleId,
    ...(ruleIndex.has(f.ruleId) ? { ruleIndex: ruleIndex.get(f.ruleId) } : {}),
    level: f.level,
    message: resultMessage(f, text),
    locations: [{
      physicalLocation: physicalLocation(f.file, f.span, cols),
      ...(f.function ? { logicalLocations: [{ name: f.function, kind: 'function' }] } : {}),
    }],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
  };
  const fixes = fixesOf(f, cols);
  if (fixes) res.fixes = fixes;
  // Set by the gate (diff/series) and by baselines.
  if (f.baselineState) res.baselineState = f.baselineState;
  if (f.suppressed) res.suppressions = [{ kind: f.suppressed.kind, justification: f.suppressed.justification }];
  if (related.length) {
    res.relatedLocations = related.map((x) => ({ id: x.id, physicalLocation: physicalLocation(x.r.file, x.r.span, cols), message: { text: escapeMessage(x.r.message) } }));
  }
  const flows = flowsOf(f);
  if (flows.length) {
    res.codeFlows = flows.map((fl) => ({
      message: { text: escapeMessage(fl.message) },
      threadFlows: [{
        locations: fl.steps.map((s, i) => ({
          location: { physicalLocation: physicalLocation(s.loc.file, s.loc.span, cols), message: { text: escapeMessage(s.loc.message) } },
          ...(s.kinds.length ? { kinds: s.kinds } : {}),
          nestingLevel: s.nesting,
          executionOrder: i + 1,
          importance: s.essential ? 'essential' : 'important',
        })),
      }],
    }));
  }
  if (f.hint) res.properties = { hint: f.hint };
  return res;
}

const NOTIFICATION_DESCRIPTORS = [
  { id: 'file-skipped', text: 'A file was skipped (unreadable, binary, over --max-file-size, or its scan failed).' },
  { id: 'file-not-parsed', text: 'A file could not be parsed; its functions were not audited.' },
  { id: 'audit-note', text: 'A remark about the audited tree (encoding, symbolic links, ...).' },
  { id: 'analysis-budget', text: 'The analysis budget stopped the analysis of a function (named in the message); its findings may be incomplete.' },
  { id: 'internal-error', text: 'A rule stopped with an internal error (named in the message); its findings are incomplete. Please report it.' },
];

function notificationDescriptor(n: Notification): string {
  if (n.kind) return n.kind;
  if (/^skipped\b|scan of \d+ files failed/.test(n.message)) return 'file-skipped';
  if (/^not parsed\b/.test(n.message)) return 'file-not-parsed';
  return 'audit-note';
}

function notificationOf(n: Notification): Json {
  const id = notificationDescriptor(n);
  return {
    level: n.level,
    message: { text: escapeMessage(n.message) },
    descriptor: { id, index: NOTIFICATION_DESCRIPTORS.findIndex((d) => d.id === id) },
    ...(n.file ? { locations: [{ physicalLocation: physicalLocation(n.file) }] } : {}),
  };
}

/** The rules of tool.driver.rules, sorted by id in UTF-16 code unit order (not
 * localeCompare: the order must not depend on the machine's locale). The order of
 * rules/index.ts is the order rules run in; it must not reach the log, so that reordering
 * or inserting a rule there leaves every ruleIndex (and descriptor index) unchanged for the
 * rules that stay. Ids are unique (test/rules.test.js), so the order is total. */
export function driverRules(): RuleMeta[] {
  return allRules.map((r) => r.meta).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The SARIF log as an object (tests and other reporters use it). */
export function toSarif(res: AuditResult, opts: { commandLine: string }): Json {
  const docsDir = findDocsDir();
  const metas = driverRules();
  // ruleIndex and the descriptor index of a disabled rule: positions in tool.driver.rules.
  const ruleIndex = new Map(metas.map((m, i) => [m.id, i]));
  const ran = new Set(res.rules.map((r) => r.meta.id));
  const disabled = metas.map((meta, i) => ({ meta, i })).filter(({ meta }) => !ran.has(meta.id));
  const root = pathToFileURL(res.tree.root).href.replace(/\/?$/, '/');
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'gup-audit',
          fullName: 'gup-audit: get_user_pages() and mmap lock auditor for Linux kernel trees',
          version: toolVersion,
          semanticVersion: toolVersion,
          informationUri,
          rules: metas.map((m) => reportingDescriptor(m, docsDir)),
          notifications: NOTIFICATION_DESCRIPTORS.map((d) => ({ id: d.id, shortDescription: { text: d.text } })),
        },
      },
      invocations: [{
        commandLine: opts.commandLine,
        executionSuccessful: true,
        ...(disabled.length ? {
          ruleConfigurationOverrides: disabled.map(({ meta, i }) => ({ descriptor: { id: meta.id, index: i }, configuration: { enabled: false } })),
        } : {}),
        toolExecutionNotifications: res.notifications.map(notificationOf),
      }],
      originalUriBaseIds: { [SRCROOT]: { uri: root, description: { text: 'The root of the audited kernel tree.' } } },
      columnKind: 'utf16CodeUnits',
      results: res.findings.map((f) => resultOf(f, ruleIndex)),
      properties: {
        kernelVersion: res.tree.version.join('.'),
        kernelVersionSource: res.tree.source,
        stats: res.stats,
      },
    }],
  };
}

export function formatSarif(res: AuditResult, opts: { commandLine: string }): string {
  return JSON.stringify(toSarif(res, opts), null, 2) + '\n';
}
