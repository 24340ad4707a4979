/** `convkit dashboard`: prints its URL, serves until SIGTERM and exits 0; a busy port is a clear error. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConvkit, spawnConvkit } from '../helpers/cli.js';

describe('convkit dashboard', () => {
  it('prints the URL, serves the runs and stops cleanly on SIGTERM', { timeout: 60_000 }, async () => {
    const logdir = mkdtempSync(join(tmpdir(), 'convkit-dash-cli-'));
    const child = spawnConvkit(['dashboard', '--logdir', logdir, '--port', '0']);
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /serving .* at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code} before printing its URL: ${out}`)));
      });
      const runs = (await (await fetch(`${url}api/runs`)).json()) as { runs: unknown[] };
      assert.deepEqual(runs.runs, []);
      const code = await new Promise<number | null>((resolve) => {
        child.on('exit', (c) => resolve(c));
        child.kill('SIGTERM');
      });
      assert.equal(code, 0);
      assert.match(out, /stopped/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('names a port in use and suggests --port', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = runConvkit(['dashboard', '--logdir', tmpdir(), '--port', String(port)], { timeout: 60_000 });
      assert.equal(r.status, 1);
      assert.match(r.stderr, new RegExp(`convkit: error: port ${port} is already in use on 127\\.0\\.0\\.1; choose another with --port`));
    } finally {
      blocker.close();
    }
  });

  it('refuses a port out of range as a usage error', () => {
    const r = runConvkit(['dashboard', '--port', '70000']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--port must be an integer in \[0, 65535\]/);
  });
});
