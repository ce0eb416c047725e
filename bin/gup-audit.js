#!/usr/bin/env node
'use strict';
// Thin executable: the CLI is compiled to dist/ by `npm run build` (run by `npm ci`/`npm install` through `prepare`).
const { main } = require('../dist/src/cli.js');
main(process.argv).then((code) => { process.exitCode = code; });
