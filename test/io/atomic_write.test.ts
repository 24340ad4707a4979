import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { writeFileAtomic, writeFileAtomicSync } from '../../src/io/atomic_write.js';
import { ValueError } from '../../src/errors.js';

function tempDir(): string {
  return fs.mkdtempSync(join(tmpdir(), 'convkit-atomic-'));
}

const variants: [string, (p: string, d: Uint8Array | string) => Promise<void>][] = [
  ['writeFileAtomic', writeFileAtomic],
  ['writeFileAtomicSync', async (p, d) => writeFileAtomicSync(p, d)],
];

for (const [name, write] of variants) {
  test(`${name}: writes bytes and strings exactly, leaving no temp files`, async () => {
    const dir = tempDir();
    try {
      const bytes = new Uint8Array(70_001).map((_, i) => (i * 31 + 7) & 0xff);
      await write(join(dir, 'a.bin'), bytes);
      assert.ok(fs.readFileSync(join(dir, 'a.bin')).equals(Buffer.from(bytes)));
      // A view into a larger buffer: only the view is written.
      const big = new Uint8Array(100).map((_, i) => i);
      await write(join(dir, 'view.bin'), big.subarray(10, 20));
      assert.deepEqual(Array.from(fs.readFileSync(join(dir, 'view.bin'))), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      await write(join(dir, 'b.txt'), 'héllo ✓\n');
      assert.equal(fs.readFileSync(join(dir, 'b.txt'), 'utf8'), 'héllo ✓\n');
      await write(join(dir, 'empty'), new Uint8Array(0));
      assert.equal(fs.statSync(join(dir, 'empty')).size, 0);
      assert.deepEqual(fs.readdirSync(dir).sort(), ['a.bin', 'b.txt', 'empty', 'view.bin']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: replaces an existing file whole (longer by shorter, shorter by longer)`, async () => {
    const dir = tempDir();
    try {
      const p = join(dir, 'model.convkit');
      fs.writeFileSync(p, 'X'.repeat(10_000));
      const inode = fs.statSync(p).ino;
      await write(p, 'short');
      assert.equal(fs.readFileSync(p, 'utf8'), 'short');
      assert.notEqual(fs.statSync(p).ino, inode, 'expected a new file renamed into place, not an in-place rewrite');
      await write(p, 'Y'.repeat(5000));
      assert.equal(fs.readFileSync(p, 'utf8'), 'Y'.repeat(5000));
      assert.deepEqual(fs.readdirSync(dir), ['model.convkit']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: missing directory gives a ValueError naming the path, and creates nothing`, async () => {
    const dir = tempDir();
    try {
      const p = join(dir, 'no', 'such', 'dir', 'f.bin');
      await assert.rejects(
        write(p, 'x'),
        (e: unknown) => e instanceof ValueError && e.message.includes(p) && /does not exist/.test(e.message),
      );
      // Parent "directory" is a regular file.
      fs.writeFileSync(join(dir, 'file'), 'x');
      const q = join(dir, 'file', 'f.bin');
      await assert.rejects(write(q, 'x'), (e: unknown) => e instanceof ValueError && e.message.includes(q));
      assert.deepEqual(fs.readdirSync(dir), ['file']);
      assert.equal(fs.readFileSync(join(dir, 'file'), 'utf8'), 'x');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: a failing rename (target is a directory) removes the temp file and names the path`, async () => {
    const dir = tempDir();
    try {
      const p = join(dir, 'target');
      fs.mkdirSync(p);
      fs.writeFileSync(join(p, 'keep'), 'k');
      await assert.rejects(write(p, 'data'), (e: unknown) => e instanceof Error && e.message.includes(p));
      assert.deepEqual(fs.readdirSync(dir), ['target'], 'temp file left behind');
      assert.equal(fs.readFileSync(join(p, 'keep'), 'utf8'), 'k');
      await assert.rejects(write(dir + '/', 'x'), ValueError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${name}: unwritable directory gives an error naming the path`, async (t) => {
    if (process.getuid?.() === 0 || process.platform === 'win32') {
      t.skip('permissions are not enforced for root / on Windows');
      return;
    }
    const dir = tempDir();
    try {
      fs.chmodSync(dir, 0o555);
      const p = join(dir, 'f.bin');
      await assert.rejects(write(p, 'x'), (e: unknown) => e instanceof Error && e.message.includes(p) && /not writable/.test(e.message));
    } finally {
      fs.chmodSync(dir, 0o755);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('writeFileAtomic: concurrent writers to one path leave exactly one complete version', async () => {
  const dir = tempDir();
  try {
    const p = join(dir, 'f.bin');
    const versions = Array.from({ length: 8 }, (_, k) => new Uint8Array(200_000 + k * 1000).fill(k + 1));
    await Promise.all(versions.map((v) => writeFileAtomic(p, v)));
    const got = fs.readFileSync(p);
    const k = got[0]! - 1;
    assert.ok(k >= 0 && k < 8);
    assert.ok(got.equals(Buffer.from(versions[k]!)), 'file is a mix of versions');
    assert.deepEqual(fs.readdirSync(dir), ['f.bin']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
