// The gate's configuration file (.gup-audit.json at the tree root, or --config FILE) and
// baseline files (--baseline / --write-baseline). Both are validated by hand; an invalid
// one is an input error naming the file and the key (exit 2).
import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../errors';
import { rules as allRules } from '../../rules';
import type { Finding, Level } from '../findings';
import { toolVersion } from '../version';
import { checkGlob } from '../glob';

export const CONFIG_FILE = '.gup-audit.json';

export interface GateConfig {
  /** The file it was read from (absolute), if any. */
  file?: string;
  /** Per rule: 'off', or a level (also used for 'on': the rule's default level). */
  levels: Record<string, Level | 'off'>;
  include: string[];
  exclude: string[];
  /** Absolute path (relative paths in the file are relative to the config file). */
  baseline?: string;
  callDepth?: number;
  failOn?: Level | 'none';
}

const CONFIG_KEYS = ['$schema', 'version', 'rules', 'include', 'exclude', 'baseline', 'callDepth', 'failOn'];
const LEVEL_WORDS = ['off', 'on', 'error', 'warning', 'note'];

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

/** JSON.parse with an error that gives line and column. */
function parseJsonFile(file: string, what: string): unknown {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) {
    throw new UsageError(`${what} ${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    let where = '';
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      where = ` at line ${line}, column ${Number(pos[1]) - before.lastIndexOf('\n')}`;
    }
    throw new UsageError(`${what} ${file}: invalid JSON${where}: ${msg.replace(/\s*\(line \d+ column \d+\)$/, '').replace(/ in JSON at position \d+/, '')}`);
  }
}

/** Read and validate a config file. */
export function loadConfig(file: string): GateConfig {
  const abs = path.resolve(file);
  const raw = parseJsonFile(abs, 'config');
  const bad = (key: string, why: string): never => { throw new UsageError(`config ${file}: ${key}: ${why}`); };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('(top level)', `expected an object, got ${typeName(raw)}`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!CONFIG_KEYS.includes(k)) bad(k, `unknown key (known: ${CONFIG_KEYS.filter((x) => x !== '$schema').join(', ')})`);
  const cfg: GateConfig = { file: abs, levels: {}, include: [], exclude: [] };
  if ('version' in o && o.version !== 1) bad('version', `expected 1, got ${typeName(o.version)}`);
  if ('$schema' in o && typeof o.$schema !== 'string') bad('$schema', `expected a string, got ${typeName(o.$schema)}`);
  if ('rules' in o) {
    const r = o.rules;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) bad('rules', `expected an object of rule id -> ${LEVEL_WORDS.join('|')}, got ${typeName(r)}`);
    const known = new Set(allRules.map((x) => x.meta.id));
    for (const [id, v] of Object.entries(r as Record<string, unknown>)) {
      if (!known.has(id)) bad(`rules.${id}`, `unknown rule (see gup-audit --list-rules)`);
      if (v === true || v === 'on') continue;
      if (v === false || v === 'off') { cfg.levels[id] = 'off'; continue; }
      if (v === 'error' || v === 'warning' || v === 'note') { cfg.levels[id] = v; continue; }
      bad(`rules.${id}`, `expected one of ${LEVEL_WORDS.map((w) => `"${w}"`).join(', ')}, true or false, got ${typeName(v)}`);
    }
  }
  for (const key of ['include', 'exclude'] as const) {
    if (!(key in o)) continue;
    const v = o[key];
    if (!Array.isArray(v)) bad(key, `expected an array of glob strings, got ${typeName(v)}`);
    (v as unknown[]).forEach((g, i) => {
      if (typeof g !== 'string' || !g.trim()) bad(`${key}[${i}]`, `expected a non-empty glob string, got ${typeName(g)}`);
      try { checkGlob(g as string); } catch (e) { bad(`${key}[${i}]`, (e as Error).message); }
    });
    cfg[key] = v as string[];
  }
  if ('baseline' in o) {
    if (typeof o.baseline !== 'string' || !o.baseline) bad('baseline', `expected a file path, got ${typeName(o.baseline)}`);
    cfg.baseline = path.resolve(path.dirname(abs), o.baseline as string);
  }
  if ('callDepth' in o) {
    const d = o.callDepth;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > 64) bad('callDepth', `expected an integer from 1 to 64, got ${typeName(d)}`);
    cfg.callDepth = d as number;
  }
  if ('failOn' in o) {
    const f = o.failOn;
    if (f !== 'error' && f !== 'warning' && f !== 'note' && f !== 'none') bad('failOn', `expected "error", "warning", "note" or "none", got ${typeName(f)}`);
    cfg.failOn = f as Level | 'none';
  }
  return cfg;
}

/** The config for a tree: --config FILE, else .gup-audit.json at the tree root, else defaults. */
export function resolveConfig(treeRoot: string, explicit?: string): GateConfig {
  if (explicit) return loadConfig(explicit);
  const f = path.join(treeRoot, CONFIG_FILE);
  if (fs.existsSync(f)) return loadConfig(f);
  return { levels: {}, include: [], exclude: [] };
}

// Globs: see src/glob.ts (one meaning for the audit, the gate and fix).
export { makeFilter } from '../glob';

// ---------------------------------------------------------------------------------------
// Baselines

export interface BaselineEntry {
  fingerprint: string;
  ruleId?: string;
  level?: string;
  file?: string;
  line?: number;
  function?: string;
  message?: string;
  justification?: string;
}

export interface Baseline {
  file: string;
  entries: Map<string, BaselineEntry>;
}

export const BASELINE_VERSION = 1;

export function loadBaseline(file: string): Baseline {
  const abs = path.resolve(file);
  const raw = parseJsonFile(abs, 'baseline');
  const bad = (key: string, why: string): never => { throw new UsageError(`baseline ${file}: ${key}: ${why}`); };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('(top level)', `expected an object, got ${typeName(raw)}`);
  const o = raw as Record<string, unknown>;
  if (!('version' in o)) bad('version', 'missing (expected 1)');
  if (o.version !== BASELINE_VERSION) bad('version', `expected ${BASELINE_VERSION}, got ${typeName(o.version)}`);
  if (!('findings' in o)) bad('findings', 'missing (expected an array)');
  if (!Array.isArray(o.findings)) bad('findings', `expected an array, got ${typeName(o.findings)}`);
  const entries = new Map<string, BaselineEntry>();
  (o.findings as unknown[]).forEach((e, i) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) bad(`findings[${i}]`, `expected an object, got ${typeName(e)}`);
    const x = e as Record<string, unknown>;
    if (typeof x.fingerprint !== 'string' || !/^[0-9a-f]{8,64}$/.test(x.fingerprint)) bad(`findings[${i}].fingerprint`, `expected a hex fingerprint string, got ${typeName(x.fingerprint)}`);
    for (const k of ['ruleId', 'level', 'file', 'function', 'message', 'justification']) {
      if (k in x && typeof x[k] !== 'string') bad(`findings[${i}].${k}`, `expected a string, got ${typeName(x[k])}`);
    }
    if ('line' in x && (typeof x.line !== 'number' || !Number.isInteger(x.line))) bad(`findings[${i}].line`, `expected an integer, got ${typeName(x.line)}`);
    entries.set(x.fingerprint as string, x as unknown as BaselineEntry);
  });
  return { file: abs, entries };
}

export function baselineEntry(f: Finding): BaselineEntry {
  return { fingerprint: f.fingerprint, ruleId: f.ruleId, level: f.level, file: f.file, line: f.span.line, function: f.function, message: f.message };
}

export function formatBaseline(entries: BaselineEntry[]): string {
  const sorted = [...entries].sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || a.fingerprint.localeCompare(b.fingerprint));
  return JSON.stringify({ version: BASELINE_VERSION, tool: { name: 'gup-audit', version: toolVersion }, findings: sorted }, null, 2) + '\n';
}
