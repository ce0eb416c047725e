#!/usr/bin/env node
'use strict';
// Thin executable: the CLI is compiled to dist/ by `npm run build` (run by `npm ci`/`npm install` through `prepare`).
// kbuild's per-file check (`make C=1 CHECK=gup-audit`) runs once per compiled file: it
// loads what the check needs, not the other commands (main() would dispatch it the same).
const check = require('../dist/src/cli/check.js');
const args = process.argv.slice(2);
const run = () => (check.isCheckInvocation(args) ? check.runCheck(args) : require('../dist/src/cli.js').main(process.argv));

// A run that ends without reaching a verdict (nothing left keeping the process alive)
// must not look like a clean pass to a CI gate.
let finished = false;
process.on('exit', () => {
  if (finished) return;
  process.stderr.write('gup-audit: internal error: the run ended without a result\n');
  process.exitCode = 2;
});
// `gup-audit ... | head`: a closed pipe ends the output quietly, not with a stack trace.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') { finished = true; process.exit(process.exitCode ?? 0); }
  throw e;
});
run().then((code) => {
  finished = true;
  process.exitCode = code;
});
