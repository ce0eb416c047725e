// What one command-line run talks to: its output streams, standard input, its arguments,
// its exit code, and (optionally) worker pools lent by the caller. `bin/gup-audit.js`
// runs with the process's own; a caller that runs the CLI in its own process (the tests)
// passes its own streams and pools to main() so that a run costs no new process, no module
// loading and no worker start. One run at a time per process: main() sets the context for
// the length of a run and puts the previous one back.
import * as fs from 'fs';
import type { WorkerPool } from './parse/pool';

export interface OutStream {
  write(data: string | Uint8Array): unknown;
  isTTY?: boolean;
}

export interface RunContext {
  stdout: OutStream;
  stderr: OutStream;
  /** Standard input, read whole (readStdinSync: for a reader that cannot wait). */
  readStdin(): Promise<Buffer>;
  readStdinSync(): Buffer;
  /** The arguments after the program name (the SARIF log's command line). */
  args: string[];
  /** The run's exit code so far (commands set it; main() returns it). */
  exitCode?: number;
  /** A pool of `jobs` workers with this time limit that the run may use and must not
   * close; undefined: the audit starts (and closes) its own. */
  lendPool?(jobs: number, timeoutMs: number): WorkerPool | undefined;
}

function readProcessStdin(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.on('error', reject);
  });
}

/** The context of a run in its own process. */
export function processContext(args: string[]): RunContext {
  return { stdout: process.stdout, stderr: process.stderr, readStdin: readProcessStdin, readStdinSync: () => fs.readFileSync(0), args };
}

let current: RunContext = processContext(process.argv.slice(2));

/** The context of the run in progress (the process's when none was set). */
export function runContext(): RunContext {
  return current;
}

/** Runs `fn` with `ctx` as the run's context. */
export async function withRunContext<T>(ctx: RunContext, fn: () => Promise<T>): Promise<T> {
  const prev = current;
  current = ctx;
  try {
    return await fn();
  } finally {
    current = prev;
  }
}
