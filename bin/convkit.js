#!/usr/bin/env node
// Thin launcher: the command itself is compiled from src/cli/ into dist/ at install (npm prepare).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = (path) => new URL(`../dist/src/${path}`, import.meta.url);
const main = dist('cli/main.js');
if (!existsSync(fileURLToPath(main))) {
  console.error('convkit: the compiled command is missing (dist/). Run `npm install` (or `npm run build`) in the convkit package first.');
  process.exit(1);
}

// V8 frees dead ArrayBuffers (every tensor's storage) on a background thread, which competes with
// the native backend's thread pool for the cores; a kernel then waits for a worker the kernel
// scheduler preempted: on a 2-core machine LeNet-5 trained at batch 128 ran 1.3–1.4× slower with it
// (README, Speed). Freeing them in the collector's pause instead (GC_FLAG) costs no memory
// (--single-threaded-gc was faster still but let garbage pile up: 2-3× the peak memory). The flag
// cannot be set safely once V8 runs, so the command replaces itself (same process, same PID: signals
// and exit status are unchanged) with node and the flag. Without the addon there is no pool, and
// nothing to gain. CONVKIT_NODE_GC=default keeps V8's default.
const { GC_FLAG, usesGcFlag } = await import(dist('cli/node_flags.js').href);
if (process.env.CONVKIT_NODE_GC !== 'default' && process.env.CONVKIT_BACKEND !== 'js' && process.platform !== 'win32' &&
    !usesGcFlag()) {
  const { loadAddon } = await import(dist('backend/native/addon.js').href);
  const { addon } = loadAddon();
  if (typeof addon?.execNode === 'function') {
    try {
      addon.execNode(process.execPath, [GC_FLAG, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)]);
    } catch (e) {
      // Returned: the exec failed; run on with V8's default collector.
      console.error(`convkit: note: could not restart node with ${GC_FLAG} (${e instanceof Error ? e.message : String(e)})`);
    }
  }
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv);
