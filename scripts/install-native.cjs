#!/usr/bin/env node
// `npm install` hook: make sure the native addon is available, never fail the install.
// 1. A prebuilt binary for this platform (prebuilds/<platform>-<arch>/, shipped in the npm package)
//    that loads → nothing to do.
// 2. Otherwise build from source with node-gyp (npm puts it on PATH for install scripts).
// 3. If that fails (no compiler, no headers), print one line and exit 0: convkit then runs on its
//    js backend and says so when first used.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

const root = path.join(__dirname, '..');

function loads() {
  try {
    const file = require('node-gyp-build').resolve(root);
    require(file);
    return file;
  } catch {
    return null;
  }
}

if (process.env.CONVKIT_SKIP_NATIVE_BUILD) {
  console.log('convkit: CONVKIT_SKIP_NATIVE_BUILD is set; not building the native addon');
  process.exit(0);
}
const existing = loads();
if (existing && !process.env.CONVKIT_BUILD_FROM_SOURCE) {
  console.log(`convkit: native addon ready (${path.relative(root, existing)})`);
  process.exit(0);
}
const gyp = process.env.npm_config_node_gyp;
const cmd = gyp ? process.execPath : 'node-gyp';
const args = gyp ? [gyp, 'rebuild'] : ['rebuild'];
const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], shell: !gyp && process.platform === 'win32' });
const built = r.status === 0 ? loads() : null;
if (built) {
  console.log(`convkit: built the native addon (${path.relative(root, built)})`);
} else {
  const why = r.error ? r.error.message : `node-gyp exited with ${r.status}`;
  console.log(`convkit: could not build the native addon (${why}); convkit will use its slower js backend`);
}
process.exit(0);
