#!/usr/bin/env node
// Runs the TypeScript CLI through tsx when installed from source, or the compiled one from dist/.
const path = require('node:path');
const fs = require('node:fs');
const compiled = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (fs.existsSync(compiled)) {
  require(compiled)
    .runCli(process.argv.slice(2))
    .then((code) => process.exit(code));
} else {
  require('tsx/cjs');
  require('../src/cli/main.ts')
    .runCli(process.argv.slice(2))
    .then((code) => process.exit(code));
}
