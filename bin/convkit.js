#!/usr/bin/env node
// Thin launcher: the command itself is compiled from src/cli/ into dist/ at install (npm prepare).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('convkit: the compiled command is missing (dist/). Run `npm install` (or `npm run build`) in the convkit package first.');
  process.exit(1);
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv);
