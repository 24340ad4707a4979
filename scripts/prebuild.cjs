#!/usr/bin/env node
// `npm pack` hook: copy the freshly built addon to prebuilds/<platform>-<arch>/ (node-gyp-build's
// layout), so installing the package needs no compiler and no approved install script.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const src = path.join(root, 'build', 'Release', 'convkit.node');
if (!fs.existsSync(src)) {
  console.error('convkit prebuild: build/Release/convkit.node is missing; run `npm run build:native` first');
  process.exit(1);
}
const libc = process.platform === 'linux' ? (process.report.getReport().header.glibcVersionRuntime ? '.glibc' : '.musl') : '';
const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
fs.mkdirSync(dir, { recursive: true });
const dest = path.join(dir, `convkit.napi${libc}.node`);
const tmp = `${dest}.tmp-${process.pid}`;
fs.copyFileSync(src, tmp);
fs.renameSync(tmp, dest);
console.log(`convkit prebuild: ${path.relative(root, dest)} (${fs.statSync(dest).size} bytes)`);
