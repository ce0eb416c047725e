// `gup-audit merge A.sarif B.sarif ... [-o OUT]`: one SARIF 2.1.0 log from the logs of
// several runs (typically the shards of `--shard I/N` on several CI machines).
//
// The first log's run is the base (tool, rules, originalUriBaseIds, columnKind). Results of
// every run of every log are pooled and deduplicated by partialFingerprints['gupAudit/v1']
// (results without one: by rule, location and message), then sorted by file and position.
// Rules are united by id and each result's ruleIndex (and rule.index) is renumbered into the
// merged list; artifacts, when present, are united by URI and artifactLocation.index
// renumbered likewise. Invocations are kept, one per input run, so every shard's command
// line and tool notifications stay visible. properties.stats of the inputs are dropped (they
// do not add up across shards); properties.merged says what was merged.
import * as fs from 'fs';
import type { Command } from 'commander';
import { FINGERPRINT_KEY } from './sarif';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

import { UsageError } from '../errors';
import { runContext } from '../run-context';
import { writeOutput } from '../output';

function resultKey(r: Json): string {
  const fp = r.partialFingerprints?.[FINGERPRINT_KEY];
  if (typeof fp === 'string' && fp) return `fp:${fp}`;
  const loc = r.locations?.[0]?.physicalLocation;
  return `loc:${JSON.stringify([r.ruleId ?? r.rule?.id ?? null, loc?.artifactLocation?.uri ?? null, loc?.region ?? null, r.message?.text ?? null])}`;
}

function position(r: Json): [string, number, number, string] {
  const loc = r.locations?.[0]?.physicalLocation;
  return [loc?.artifactLocation?.uri ?? '', loc?.region?.startLine ?? 0, loc?.region?.startColumn ?? 0, r.ruleId ?? ''];
}

/** Renumber artifactLocation.index everywhere inside `v` through `map`. */
function remapArtifacts(v: unknown, map: Map<number, number>): void {
  if (Array.isArray(v)) { for (const x of v) remapArtifacts(x, map); return; }
  if (!v || typeof v !== 'object') return;
  const o = v as Json;
  if (o.artifactLocation && typeof o.artifactLocation.index === 'number' && map.has(o.artifactLocation.index)) {
    o.artifactLocation.index = map.get(o.artifactLocation.index);
  }
  for (const k of Object.keys(o)) if (k !== 'artifactLocation') remapArtifacts(o[k], map);
}

/** The parts of a run the merge reads and writes, checked against SARIF 2.1.0's shapes, so
 * that an invalid input is an error naming the file and the place, never an invalid log. */
function checkRun(name: string, run: unknown, at: string): void {
  const bad = (where: string, what: string): never => { throw new UsageError(`${name}: ${at}${where}: expected ${what}: not a valid SARIF 2.1.0 log`); };
  const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
  const arrayOfObjects = (v: unknown, where: string) => {
    if (v === undefined) return [] as Json[];
    if (!Array.isArray(v)) bad(where, 'an array');
    (v as unknown[]).forEach((x, i) => { if (!isObj(x)) bad(`${where}[${i}]`, 'an object'); });
    return v as Json[];
  };
  if (!isObj(run)) bad('', 'an object');
  const r = run as Json;
  if (!isObj(r.tool) || !isObj(r.tool.driver) || typeof r.tool.driver.name !== 'string') bad('.tool.driver.name', 'a string');
  arrayOfObjects(r.tool.driver.rules, '.tool.driver.rules').forEach((x, i) => { if (typeof x.id !== 'string') bad(`.tool.driver.rules[${i}].id`, 'a string'); });
  arrayOfObjects(r.artifacts, '.artifacts');
  arrayOfObjects(r.invocations, '.invocations').forEach((x, i) => { if (typeof x.executionSuccessful !== 'boolean') bad(`.invocations[${i}].executionSuccessful`, 'a boolean'); });
  arrayOfObjects(r.results, '.results').forEach((x, i) => {
    const w = `.results[${i}]`;
    if (!isObj(x.message) || (typeof x.message.text !== 'string' && typeof x.message.id !== 'string')) bad(`${w}.message`, 'an object with text or id');
    if (x.ruleId !== undefined && typeof x.ruleId !== 'string') bad(`${w}.ruleId`, 'a string');
    if (x.ruleIndex !== undefined && !(Number.isInteger(x.ruleIndex) && x.ruleIndex >= -1)) bad(`${w}.ruleIndex`, 'an integer');
    arrayOfObjects(x.locations, `${w}.locations`);
    arrayOfObjects(x.relatedLocations, `${w}.relatedLocations`);
    if (x.partialFingerprints !== undefined && !isObj(x.partialFingerprints)) bad(`${w}.partialFingerprints`, 'an object');
  });
}

export function mergeSarif(logs: { name: string; log: Json }[]): Json {
  if (logs.length === 0) throw new UsageError('merge: no input logs');
  for (const { name, log } of logs) {
    if (!log || typeof log !== 'object' || log.version !== '2.1.0' || !Array.isArray(log.runs)) {
      throw new UsageError(`${name}: not a SARIF 2.1.0 log (version "2.1.0" and runs[] expected)`);
    }
    if (log.runs.length === 0) throw new UsageError(`${name}: the log has no run`);
    (log.runs as unknown[]).forEach((run, i) => checkRun(name, run, `runs[${i}]`));
  }
  const base = JSON.parse(JSON.stringify(logs[0].log.runs[0])) as Json;
  const toolName = base.tool?.driver?.name;
  const rules: Json[] = [...(base.tool?.driver?.rules ?? [])];
  const ruleAt = new Map<string, number>(rules.map((r, i) => [r.id, i]));
  const artifacts: Json[] = [];
  const artifactAt = new Map<string, number>();
  const results: Json[] = [];
  const seen = new Set<string>();
  const invocations: Json[] = [];
  let inputs = 0, total = 0;
  for (const { name, log } of logs) {
    for (const run0 of log.runs as Json[]) {
      const run = JSON.parse(JSON.stringify(run0)) as Json;
      inputs++;
      if (run.tool?.driver?.name !== toolName) {
        throw new UsageError(`${name}: a run of '${run.tool?.driver?.name}' cannot be merged with one of '${toolName}'`);
      }
      const runRules: Json[] = run.tool?.driver?.rules ?? [];
      for (const r of runRules) if (r?.id && !ruleAt.has(r.id)) { ruleAt.set(r.id, rules.length); rules.push(r); }
      const amap = new Map<number, number>();
      (run.artifacts ?? []).forEach((a: Json, i: number) => {
        const uri = `${a.location?.uriBaseId ?? ''}|${a.location?.uri ?? JSON.stringify(a)}`;
        if (!artifactAt.has(uri)) { artifactAt.set(uri, artifacts.length); artifacts.push(a); }
        amap.set(i, artifactAt.get(uri)!);
      });
      for (const r of (run.results ?? []) as Json[]) {
        total++;
        const id: string | undefined = r.ruleId ?? r.rule?.id ?? (typeof r.ruleIndex === 'number' ? runRules[r.ruleIndex]?.id : undefined);
        if (id !== undefined && ruleAt.has(id)) {
          if (r.ruleId === undefined && r.rule === undefined) r.ruleId = id;
          if (typeof r.ruleIndex === 'number' || r.ruleId !== undefined) r.ruleIndex = ruleAt.get(id);
          if (r.rule && typeof r.rule.index === 'number') r.rule.index = ruleAt.get(id);
        }
        remapArtifacts(r, amap);
        const key = resultKey(r);
        if (seen.has(key)) continue;
        seen.add(key);
        results.push(r);
      }
      for (const inv of (run.invocations ?? []) as Json[]) {
        remapArtifacts(inv, amap);
        invocations.push(inv);
      }
    }
  }
  results.sort((a, b) => {
    const [fa, la, ca, ra] = position(a), [fb, lb, cb, rb] = position(b);
    return fa < fb ? -1 : fa > fb ? 1 : la - lb || ca - cb || (ra < rb ? -1 : ra > rb ? 1 : 0);
  });
  if (base.tool?.driver) base.tool.driver.rules = rules;
  if (artifacts.length) base.artifacts = artifacts;
  else delete base.artifacts;
  base.results = results;
  base.invocations = invocations;
  const props = { ...(base.properties ?? {}) };
  delete props.stats;
  props.merged = { logs: logs.map((l) => l.name), runs: inputs, results: total, unique: results.length };
  base.properties = props;
  const out: Json = { version: '2.1.0', runs: [base] };
  if (logs[0].log.$schema) return { $schema: logs[0].log.$schema, ...out };
  return out;
}

export function readSarif(file: string): Json {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw new UsageError(`${file}: not JSON (${(e as Error).message})`);
  }
}

/** `gup-audit merge`. `write` writes the output (atomically, or to stdout). */
export function registerMerge(program: Command): void {
  const merge = program
    .command('merge')
    .description('merge SARIF logs (e.g. of --shard runs) into one, deduplicated by fingerprint')
    .argument('<logs...>', 'SARIF 2.1.0 files')
    .option('-o, --output <file>', 'write the merged log to a file (written atomically)')
    .action((files: string[], o: { output?: string }) => {
      const merged = mergeSarif(files.map((name) => ({ name, log: readSarif(name) })));
      writeOutput(o.output, JSON.stringify(merged, null, 2) + '\n');
    });
  // Help and usage errors end through main()'s exit codes, not process.exit().
  merge.exitOverride();
  merge.configureOutput({ writeErr: (t) => runContext().stderr.write(t.startsWith('error:') ? `gup-audit: ${t}` : t) });
}
