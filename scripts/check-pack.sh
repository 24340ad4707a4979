#!/usr/bin/env bash
# Acceptance check for the published package: `npm pack`, install the tarball into a fresh empty
# project WITHOUT approving any install script (npm 11's default), and check that convkit loads the
# prebuilt native addon and trains. Usage: npm run check:pack
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"
tgz="$(npm pack --pack-destination "$work" 2>/dev/null | tail -1)"
echo "packed $tgz ($(du -h "$work/$tgz" | cut -f1))"
tar -tzf "$work/$tgz" | grep -E 'prebuilds/.+\.node$' || { echo "FAIL: no prebuilt binary in the package"; exit 1; }
mkdir "$work/app" && cd "$work/app"
npm init -y >/dev/null
npm install --no-audit --no-fund "$work/$tgz" 2>&1 | tail -3
out="$(node --input-type=module -e "
import * as ck from 'convkit';
const m = new ck.Sequential([ck.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 1] }), ck.layers.flatten(), ck.layers.dense({ units: 2 })]);
m.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
const loss = m.trainOnBatch(ck.randomNormal([4, 8, 8, 1]), ck.tensor([0, 1, 0, 1]));
console.log(ck.getBackend().name, Number.isFinite(Array.isArray(loss) ? loss[0] : loss));
")"
echo "app says: $out"
info="$(npx convkit info)"
echo "$info"
[ "$out" = "native true" ] || { echo "FAIL: expected the native backend"; exit 1; }
echo "$info" | grep -q 'prebuilds/' || { echo "FAIL: the addon did not come from prebuilds/"; exit 1; }
echo "OK: installed without install scripts, native backend from the prebuilt binary"
