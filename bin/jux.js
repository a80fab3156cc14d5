#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `npm ci` / `npm run build`).
import('../dist/src/cli/main.js').then((m) => m.main(process.argv.slice(2)));
