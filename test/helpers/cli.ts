/**
 * Runs the `convkit` command compiled next to these tests (dist/ or a helper's dist-x/), not
 * bin/convkit.js, which always loads dist/: a test then checks the code it was compiled with.
 */
import { type SpawnOptions, type SpawnSyncOptionsWithStringEncoding, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = new URL('../../src/cli/main.js', import.meta.url).href;
const launcher = `const { run } = await import(${JSON.stringify(main)}); process.exitCode = await run(process.argv);`;

/** node arguments that run `convkit ARGS…`. */
export function convkitArgs(args: readonly string[]): string[] {
  return ['--input-type=module', '-e', launcher, 'convkit', ...args];
}

export function runConvkit(args: readonly string[], opts: Partial<SpawnSyncOptionsWithStringEncoding> = {}) {
  return spawnSync(process.execPath, convkitArgs(args), { encoding: 'utf8', timeout: 300_000, ...opts });
}

/** A running `convkit` child (for commands that keep going: train, dashboard). */
export function spawnConvkit(args: readonly string[], opts: SpawnOptions = {}) {
  return spawn(process.execPath, convkitArgs(args), { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

export const compiledMain = fileURLToPath(main);
