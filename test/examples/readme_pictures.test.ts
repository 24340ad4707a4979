/**
 * examples/readme-pictures.ts (npm run pictures) makes every picture the README shows: run here
 * with a small training budget into a temporary directory, each file must be a real PNG or SVG.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { PICTURE_FILES, main } from '../../examples/readme-pictures.js';

describe('examples/readme-pictures', () => {
  it('writes every README picture', { timeout: 600_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'convkit-pictures-'));
    await main({ out, epochs: 1, maxSamples: 300 });
    assert.ok(existsSync('/usr/bin/chromium'), 'the dashboard screenshot needs /usr/bin/chromium (.ci/run installs it)');
    for (const name of PICTURE_FILES) {
      const file = join(out, name);
      assert.ok(existsSync(file), `${name} was not written`);
      if (name.endsWith('.svg')) {
        assert.match(readFileSync(file, 'utf8'), /^<svg[^>]* width="\d+" height="\d+"/);
      } else {
        const meta = await sharp(file).metadata();
        assert.equal(meta.format, 'png', name);
        assert.ok((meta.width ?? 0) >= 200 && (meta.height ?? 0) >= 200, `${name} is ${meta.width}x${meta.height}`);
      }
    }
    assert.equal(existsSync(join(out, '.work')), false, 'the working directory is removed');
  });
});
