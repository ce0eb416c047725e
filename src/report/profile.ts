// --profile: where the time went (phases, worker time per scan, slowest extractions,
// cache use, peak memory), for stderr.
import type { AuditResult } from '../engine';

const mb = (n: number) => `${(n / 1e6).toFixed(n >= 1e8 ? 0 : 1)} MB`;

export function formatProfile(res: AuditResult): string {
  const p = res.profile;
  const out: string[] = ['Profile:'];
  const phases = Object.entries(res.stats.phasesMs).filter(([k]) => k !== 'total');
  out.push(`  phases (wall ms)        ${phases.map(([k, v]) => `${k}=${v}`).join(' ')} total=${res.stats.phasesMs.total ?? 0}`);
  if (!p) return out.join('\n');
  const slowest = [...phases].sort((a, b) => b[1] - a[1])[0];
  if (slowest) out.push(`  slowest phase           ${slowest[0]} (${slowest[1]} ms)`);
  for (const kind of Object.keys(p.scan.workerMs)) {
    const ms = p.scan.workerMs[kind], bytes = p.scan.bytes[kind] ?? 0;
    const rate = ms > 0 ? ` (${(bytes / 1e3 / ms).toFixed(0)} MB/s per worker)` : '';
    out.push(`  scan ${kind.padEnd(18)} ${p.scan.files[kind] ?? 0} files, ${mb(bytes)}, ${ms} ms of worker time${rate}`);
  }
  if (p.scan.cacheHits || p.scan.cacheMisses) out.push(`  cache                   ${p.scan.cacheHits} files unchanged, ${p.scan.cacheMisses} scanned again${p.scan.macroSearch ? `; macro search ${p.scan.macroSearch}` : ''}`);
  if (p.reuse) out.push(`  result                  ${p.reuse}`);
  if (p.analyses && p.analyses.computed + p.analyses.kept) out.push(`  function analyses       ${p.analyses.computed} computed, ${p.analyses.kept} kept from the last run`);
  if (p.closures && p.closures.computed + p.closures.kept) out.push(`  #include closures       ${p.closures.computed} computed, ${p.closures.kept} kept from the last run`);
  out.push(`  extraction              ${p.extract.files} requests, ${p.extract.ms} ms of worker time, ${p.extract.cached} from the cache${p.extract.memo ? `, ${p.extract.memo} from a worker's kept file state` : ''}${p.extract.replayed ? `; ${p.extract.replayed.used} of the last run's ${p.extract.replayed.sent} later requests replayed` : ''}`);
  out.push(`  first extraction        ${p.firstExtractMs} ms wall, ${p.firstExtractWorkerMs} ms of worker time (the candidate files)`);
  p.rounds.forEach((r, i) => {
    out.push(`  call-graph round ${String(i + 1).padEnd(7)} program ${r.programMs} ms, callers ${r.callersMs} ms, extract ${r.extractMs} ms (${r.files} files, ${r.functions} new functions)`);
  });
  if (p.slowest.length) {
    out.push('  slowest extractions:');
    for (const e of p.slowest.slice(0, 15)) {
      out.push(`    ${String(e.ms).padStart(6)} ms  ${e.file} (${(e.bytes / 1024).toFixed(0)} KB${e.cached ? ', cached' : ''})`);
    }
  }
  if (p.slowestFunctions?.length) {
    out.push('  slowest function analyses (lock dataflow):');
    for (const f of p.slowestFunctions.slice(0, 15)) {
      out.push(`    ${f.ms.toFixed(1).padStart(6)} ms  ${f.function}() ${f.file}:${f.line} (${f.steps} steps)`);
    }
  }
  out.push(`  peak RSS                ${mb(p.peakRssBytes)}`);
  return out.join('\n');
}
