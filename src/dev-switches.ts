// The environment switches of tests and benchmarks, in one place. None changes what an
// audit finds; each lets a test or the benchmark reach a path it could not reach from
// outside (a worker that crashes, a byte-matching scan to compare the call index with, a
// recomputed result, an edit of a read-only tree, the JavaScript scan kernels). Production
// code reads them only through this module (test/layers.test.js checks that no other module
// reads a GUP_AUDIT_* variable).
export interface DevSwitches {
  /** TEST: GUP_AUDIT_TEST_FAULT=crash|hang: a worker exits abruptly (crash) or spins in
   * JavaScript ignoring every time limit (hang) when given a task of kind `faultTask`
   * (GUP_AUDIT_TEST_FAULT_TASK, default extract) for a file whose path contains `faultOn`
   * (GUP_AUDIT_TEST_FAULT_ON); with `faultOnce` (GUP_AUDIT_TEST_FAULT_ONCE=<marker file>)
   * only the first attempt faults. test/robustness.test.js: the pool's replace-and-retry. */
  fault?: 'crash' | 'hang';
  faultOn?: string;
  faultOnce?: string;
  faultTask: string;
  /** TEST: GUP_AUDIT_SCAN_CHECK=bytes: caller searches read every file and match bytes, as
   * before call indexes (the scan tests compare both). */
  scanByBytes: boolean;
  /** BENCH: GUP_AUDIT_CACHE_RESULT=0: with --cache, the result is recomputed from the
   * per-file entries instead of reused (the "result recomputed" row). */
  noResultReuse: boolean;
  /** BENCH: GUP_AUDIT_BENCH_EDIT=<path>:<tag>[:<n>]: the run sees that file as edited
   * (src/cache-entry.ts benchEdit). */
  benchEdit?: string;
  /** TEST: GUP_AUDIT_NO_WASM=1: the scans use their JavaScript kernels. */
  noWasm: boolean;
}

/** The switches as the environment sets them now (read per call: tests set them between
 * runs; a worker reads them once, at its start, from the environment it was given). */
export function devSwitches(env: NodeJS.ProcessEnv = process.env): DevSwitches {
  const fault = env.GUP_AUDIT_TEST_FAULT;
  return {
    ...(fault === 'crash' || fault === 'hang' ? { fault } : {}),
    ...(env.GUP_AUDIT_TEST_FAULT_ON ? { faultOn: env.GUP_AUDIT_TEST_FAULT_ON } : {}),
    ...(env.GUP_AUDIT_TEST_FAULT_ONCE ? { faultOnce: env.GUP_AUDIT_TEST_FAULT_ONCE } : {}),
    faultTask: env.GUP_AUDIT_TEST_FAULT_TASK ?? 'extract',
    scanByBytes: env.GUP_AUDIT_SCAN_CHECK === 'bytes',
    noResultReuse: env.GUP_AUDIT_CACHE_RESULT === '0',
    ...(env.GUP_AUDIT_BENCH_EDIT ? { benchEdit: env.GUP_AUDIT_BENCH_EDIT } : {}),
    noWasm: env.GUP_AUDIT_NO_WASM === '1',
  };
}
