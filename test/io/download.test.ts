import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { getFile } from '../../src/io/download/get_file.js';
import { DownloadError, HashMismatchError } from '../../src/io/download/errors.js';
import { formatProgressLine, makeProgress } from '../../src/io/download/progress.js';
import { kerasWeightsFile } from '../../src/applications/weight_urls.js';
import { ValueError } from '../../src/errors.js';

// Every test passes cacheDir; this only guards the real ~/.convkit should one forget.
process.env.CONVKIT_HOME = join(tmpdir(), 'convkit-download-test-unused');

const DATA = randomBytes(200_003);
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');
const ETAG = '"v1"';

interface Behaviour {
  /** Honour Range requests (with If-Range against ETAG). */
  range?: boolean;
  /** Cut responses after half their body: on the first request only, or on every one. */
  cut?: 'first' | 'all';
  /** Serve these bytes instead of DATA. */
  body?: Buffer;
}

interface Seen {
  path: string;
  range: string | undefined;
  ifRange: string | undefined;
}

/** A local server: `/file.bin` per `behaviour`, `/missing` 404, `/moved` and `/moved2` redirect to it. */
async function startServer(behaviour: Behaviour = {}) {
  // Read on every request, so a test can change how the server behaves between calls.
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    seen.push({ path, range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined });
    if (path === '/moved') {
      res.writeHead(302, { Location: '/moved2' }).end();
      return;
    }
    if (path === '/moved2') {
      res.writeHead(301, { Location: `http://127.0.0.1:${port}/file.bin` }).end();
      return;
    }
    if (path !== '/file.bin') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    const body = behaviour.body ?? DATA;
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRangeOk = req.headers['if-range'] === undefined || req.headers['if-range'] === ETAG;
    if (behaviour.range && m !== null && ifRangeOk) {
      start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, {
        ETag: ETAG, 'Content-Length': body.length - start, 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`,
      });
    } else {
      res.writeHead(200, { ETag: ETAG, 'Content-Length': body.length, ...(behaviour.range ? { 'Accept-Ranges': 'bytes' } : {}) });
    }
    const slice = body.subarray(start);
    const fileRequests = seen.filter((s) => s.path === '/file.bin').length;
    const cut = behaviour.cut === 'all' || (behaviour.cut === 'first' && fileRequests === 1);
    if (cut) {
      res.write(slice.subarray(0, Math.floor(slice.length / 2)), () => res.destroy());
    } else {
      res.end(slice);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    behaviour,
    seen,
    fileRequests: () => seen.filter((s) => s.path === '/file.bin').length,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

function tempCache(): string {
  return fs.mkdtempSync(join(tmpdir(), 'convkit-download-'));
}

const quiet = { progress: false as const, cacheSubdir: 'models' };

describe('getFile', () => {
  const dirs: string[] = [];
  const cache = (): string => {
    const d = tempCache();
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('downloads with a sha256 hash, then serves the cached copy without a request', async () => {
    const srv = await startServer();
    try {
      const cacheDir = cache();
      const opts = { ...quiet, cacheDir, fileHash: sha256(DATA) };
      const got = await getFile('w.h5', `${srv.base}/file.bin`, opts);
      assert.equal(got, join(cacheDir, 'models', 'w.h5'));
      assert.ok(fs.readFileSync(got).equals(DATA));
      assert.deepEqual(fs.readdirSync(join(cacheDir, 'models')), ['w.h5']);
      assert.equal(await getFile('w.h5', `${srv.base}/file.bin`, opts), got);
      assert.equal(srv.fileRequests(), 1);
    } finally {
      await srv.close();
    }
  });

  it('downloads with an md5 hash (explicit algorithm); no hash at all also caches', async () => {
    const srv = await startServer();
    try {
      const cacheDir = cache();
      const got = await getFile('w.h5', `${srv.base}/file.bin`, { ...quiet, cacheDir, fileHash: md5(DATA), hashAlgorithm: 'md5' });
      assert.ok(fs.readFileSync(got).equals(DATA));
      await getFile('w.h5', `${srv.base}/file.bin`, { ...quiet, cacheDir, fileHash: md5(DATA).toUpperCase() });
      const plain = await getFile('plain.bin', `${srv.base}/file.bin`, { ...quiet, cacheDir });
      assert.ok(fs.readFileSync(plain).equals(DATA));
      await getFile('plain.bin', `${srv.base}/file.bin`, { ...quiet, cacheDir });
      assert.equal(srv.fileRequests(), 2);
    } finally {
      await srv.close();
    }
  });

  it('reports progress to a callback, ending at the full size', async () => {
    const srv = await startServer();
    try {
      const calls: [number, number | null][] = [];
      await getFile('w.h5', `${srv.base}/file.bin`, { cacheDir: cache(), progress: (r, t) => calls.push([r, t]) });
      assert.ok(calls.length > 0);
      assert.deepEqual(calls[calls.length - 1], [DATA.length, DATA.length]);
    } finally {
      await srv.close();
    }
  });

  it('corrupted download → HashMismatchError, nothing cached, no .part left', async () => {
    const bad = Buffer.from(DATA);
    bad[1234] ^= 0xff;
    const srv = await startServer({ body: bad });
    try {
      const cacheDir = cache();
      const url = `${srv.base}/file.bin`;
      await assert.rejects(getFile('w.h5', url, { ...quiet, cacheDir, fileHash: sha256(DATA) }), (err: unknown) => {
        assert.ok(err instanceof HashMismatchError);
        assert.ok(err instanceof DownloadError);
        assert.equal(err.url, url);
        assert.equal(err.algorithm, 'sha256');
        assert.equal(err.expected, sha256(DATA));
        assert.equal(err.actual, sha256(bad));
        assert.match(err.message, new RegExp(`${url}.*${sha256(bad)}.*${sha256(DATA)}`));
        return true;
      });
      assert.deepEqual(fs.readdirSync(join(cacheDir, 'models')), []);
    } finally {
      await srv.close();
    }
  });

  it('interrupted transfer, server supports Range → resumes with Range/If-Range', async () => {
    const srv = await startServer({ range: true, cut: 'first' });
    try {
      const cacheDir = cache();
      const got = await getFile('w.h5', `${srv.base}/file.bin`, { ...quiet, cacheDir, fileHash: sha256(DATA) });
      assert.equal(sha256(fs.readFileSync(got)), sha256(DATA));
      assert.equal(srv.fileRequests(), 2);
      const second = srv.seen[1];
      assert.match(second.range ?? '', /^bytes=[1-9]\d*-$/);
      assert.equal(second.ifRange, ETAG);
      assert.deepEqual(fs.readdirSync(join(cacheDir, 'models')), ['w.h5']);
    } finally {
      await srv.close();
    }
  });

  it('interrupted transfer, server ignores Range (200) → restarts from zero, correct file', async () => {
    const srv = await startServer({ range: false, cut: 'first' });
    try {
      const got = await getFile('w.h5', `${srv.base}/file.bin`, { ...quiet, cacheDir: cache(), fileHash: sha256(DATA) });
      assert.ok(fs.readFileSync(got).equals(DATA));
      assert.equal(srv.fileRequests(), 2);
      assert.ok(srv.seen[1].range !== undefined, 'the retry asked for a range');
    } finally {
      await srv.close();
    }
  });

  it('interruption without a hash still resumes (validated by If-Range) and gets the right bytes', async () => {
    const srv = await startServer({ range: true, cut: 'first' });
    try {
      const got = await getFile('w.h5', `${srv.base}/file.bin`, { ...quiet, cacheDir: cache() });
      assert.ok(fs.readFileSync(got).equals(DATA));
    } finally {
      await srv.close();
    }
  });

  it('persistent interruption → DownloadError, partial kept, a later call resumes it', async () => {
    const srv = await startServer({ range: true, cut: 'all' });
    try {
      const cacheDir = cache();
      const url = `${srv.base}/file.bin`;
      const final = join(cacheDir, 'models', 'w.h5');
      await assert.rejects(getFile('w.h5', url, { ...quiet, cacheDir, fileHash: sha256(DATA), retries: 1 }), (err: unknown) => {
        assert.ok(err instanceof DownloadError && !(err instanceof HashMismatchError));
        assert.match(err.message, /interrupted after \d+ of 200003 bytes/);
        assert.ok(err.message.includes(url));
        assert.ok(err.message.includes(final));
        assert.equal(err.cachePath, final);
        assert.equal(err.partialPath, `${final}.part`);
        return true;
      });
      assert.equal(srv.fileRequests(), 2);
      assert.ok(!fs.existsSync(final));
      const kept = fs.statSync(`${final}.part`).size;
      assert.ok(kept > 0 && kept < DATA.length);
      // A later call, once the connection is healthy, resumes the kept partial instead of starting over.
      srv.behaviour.cut = undefined;
      await getFile('w.h5', url, { ...quiet, cacheDir, fileHash: sha256(DATA) });
      assert.equal(srv.fileRequests(), 3);
      assert.equal(srv.seen[2].range, `bytes=${kept}-`);
      assert.deepEqual(fs.readdirSync(join(cacheDir, 'models')), ['w.h5']);
      assert.ok(fs.readFileSync(final).equals(DATA));
    } finally {
      await srv.close();
    }
  });

  it('offline (nothing listening) → DownloadError naming the URL and the cache path', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const cacheDir = cache();
    const url = `http://127.0.0.1:${port}/weights.h5`;
    const final = join(cacheDir, 'models', 'w.h5');
    await assert.rejects(getFile('w.h5', url, { ...quiet, cacheDir }), (err: unknown) => {
      assert.ok(err instanceof DownloadError);
      assert.ok(err.message.includes(url), err.message);
      assert.ok(err.message.includes(final), err.message);
      assert.match(err.message, /offline/);
      assert.equal(err.status, null);
      return true;
    });
    assert.ok(!fs.existsSync(final));
  });

  it('a cached file with the wrong hash is downloaded again', async () => {
    const srv = await startServer();
    try {
      const cacheDir = cache();
      fs.mkdirSync(join(cacheDir, 'models'));
      fs.writeFileSync(join(cacheDir, 'models', 'w.h5'), 'stale');
      const got = await getFile('w.h5', `${srv.base}/file.bin`, { ...quiet, cacheDir, fileHash: sha256(DATA) });
      assert.ok(fs.readFileSync(got).equals(DATA));
      assert.equal(srv.fileRequests(), 1);
    } finally {
      await srv.close();
    }
  });

  it('HTTP 404 → DownloadError with status 404', async () => {
    const srv = await startServer();
    try {
      const url = `${srv.base}/missing`;
      await assert.rejects(getFile('w.h5', url, { ...quiet, cacheDir: cache() }), (err: unknown) => {
        assert.ok(err instanceof DownloadError);
        assert.equal(err.status, 404);
        assert.match(err.message, /404/);
        assert.ok(err.message.includes(url));
        return true;
      });
      assert.equal(srv.seen.length, 1, 'a 404 is not retried');
    } finally {
      await srv.close();
    }
  });

  it('follows redirects (relative and absolute Location)', async () => {
    const srv = await startServer();
    try {
      const got = await getFile('w.h5', `${srv.base}/moved`, { ...quiet, cacheDir: cache(), fileHash: sha256(DATA) });
      assert.ok(fs.readFileSync(got).equals(DATA));
      assert.deepEqual(srv.seen.map((s) => s.path), ['/moved', '/moved2', '/file.bin']);
    } finally {
      await srv.close();
    }
  });

  it('concurrent calls for one file share a single download', async () => {
    const srv = await startServer();
    try {
      const opts = { ...quiet, cacheDir: cache(), fileHash: sha256(DATA) };
      const url = `${srv.base}/file.bin`;
      const [a, b] = await Promise.all([getFile('w.h5', url, opts), getFile('w.h5', url, opts)]);
      assert.equal(a, b);
      assert.equal(srv.fileRequests(), 1);
    } finally {
      await srv.close();
    }
  });

  it('file: origins are copied into the cache and hash-checked', async () => {
    const dir = cache();
    const src = join(dir, 'src.bin');
    fs.writeFileSync(src, DATA);
    const got = await getFile('w.h5', pathToFileURL(src).href, { ...quiet, cacheDir: dir, fileHash: md5(DATA) });
    assert.ok(fs.readFileSync(got).equals(DATA));
  });

  it('bad arguments → ValueError', async () => {
    const cacheDir = cache();
    const ok = 'http://127.0.0.1:9/x';
    for (const fname of ['', '../x', 'a/b', 'a\\b', '..', '.']) {
      await assert.rejects(getFile(fname, ok, { ...quiet, cacheDir }), ValueError, `fname ${JSON.stringify(fname)}`);
    }
    for (const origin of ['ftp://host/x', 'not a url', '/abs/path', '']) {
      await assert.rejects(getFile('x', origin, { ...quiet, cacheDir }), ValueError, `origin ${origin}`);
    }
    await assert.rejects(getFile('x', ok, { ...quiet, cacheDir, fileHash: 'abc' }), ValueError);
    await assert.rejects(getFile('x', ok, { ...quiet, cacheDir, fileHash: md5(DATA), hashAlgorithm: 'sha256' }), ValueError);
    await assert.rejects(getFile('x', ok, { ...quiet, cacheDir, hashAlgorithm: 'sha1' as 'md5' }), ValueError);
    await assert.rejects(getFile('x', ok, { ...quiet, cacheDir, retries: -1 }), ValueError);
    await assert.rejects(getFile('x', ok, { ...quiet, cacheDir, timeoutMs: 0 }), ValueError);
    await assert.rejects(getFile('x', ok, { ...quiet, cacheDir, cacheSubdir: '../up' }), ValueError);
  });
});

describe('download progress line', () => {
  it('formats size, bar and percentage; unknown totals show the size only', () => {
    assert.equal(formatProgressLine('w.h5', 12.3e6, 45.6e6), `w.h5 12.3/45.6 MB [${'='.repeat(8)}>${' '.repeat(21)}] 26%`);
    assert.equal(formatProgressLine('w.h5', 45.6e6, 45.6e6), `w.h5 45.6/45.6 MB [${'='.repeat(30)}] 100%`);
    assert.equal(formatProgressLine('w.h5', 1.5e6, null), 'w.h5 1.5 MB');
  });

  it('draws on a terminal by default, not on a pipe; false never draws', () => {
    const fake = (isTTY: boolean) => {
      const s = { isTTY, text: '', write(t: string) { s.text += t; return true; } };
      return s;
    };
    const tty = fake(true);
    const bar = makeProgress('w.h5', undefined, tty as unknown as NodeJS.WriteStream);
    bar.update(5, 10);
    bar.update(10, 10);
    bar.done();
    assert.ok(tty.text.startsWith('\rw.h5 0.0/0.0 MB ['));
    assert.ok(tty.text.endsWith('100%\x1b[K\n'));
    const pipe = fake(false);
    const quietBar = makeProgress('w.h5', undefined, pipe as unknown as NodeJS.WriteStream);
    quietBar.update(10, 10);
    quietBar.done();
    const off = makeProgress('w.h5', false, tty as unknown as NodeJS.WriteStream);
    off.update(1, 2);
    assert.equal(pipe.text, '');
  });
});

describe('kerasWeightsFile', () => {
  const MV2 = 'https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/';

  it('mobilenet_v2, alpha 1.0, 224, with and without the top', () => {
    const top = kerasWeightsFile('mobilenet_v2', { includeTop: true, alpha: 1.0, rows: 224 });
    assert.deepEqual(top, {
      fname: 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5',
      origin: `${MV2}mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5`,
      cacheSubdir: 'models',
    });
    const noTop = kerasWeightsFile('MobileNetV2', { includeTop: false });
    assert.equal(noTop.fname, 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5');
    assert.equal(noTop.origin, MV2 + noTop.fname);
    assert.equal(noTop.fileHash, undefined);
    assert.equal(kerasWeightsFile('mobilenet_v2', { includeTop: false, alpha: 0.35, rows: 96 }).fname,
      'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5');
  });

  it('rejects alphas and sizes without weights, listing the allowed values', () => {
    assert.throws(() => kerasWeightsFile('mobilenet_v2', { includeTop: true, alpha: 0.6 }), (err: unknown) => {
      assert.ok(err instanceof ValueError);
      assert.match(err.message, /0\.35, 0\.5, 0\.75, 1\.0, 1\.3, 1\.4/);
      return true;
    });
    assert.throws(() => kerasWeightsFile('mobilenet_v2', { includeTop: true, rows: 300 }), /96, 128, 160, 192, 224/);
    assert.throws(() => kerasWeightsFile('mobilenet', { includeTop: true, alpha: 1.4 }), /0\.25, 0\.5, 0\.75, 1\.0/);
  });

  it('hashed entries carry Keras\'s published hash', () => {
    const vgg = kerasWeightsFile('vgg16', { includeTop: false });
    assert.equal(vgg.fname, 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5');
    assert.equal(vgg.origin, `https://storage.googleapis.com/tensorflow/keras-applications/vgg16/${vgg.fname}`);
    assert.match(vgg.fileHash ?? '', /^([0-9a-f]{32}|[0-9a-f]{64})$/);
    const eff = kerasWeightsFile('efficientnetb0', { includeTop: true });
    assert.equal(eff.origin, 'https://storage.googleapis.com/keras-applications/efficientnetb0.h5');
    assert.equal(kerasWeightsFile('mobilenet', { includeTop: false, alpha: 0.25, rows: 128 }).fname, 'mobilenet_2_5_128_tf_no_top.h5');
    for (const a of ['resnet50', 'resnet152v2', 'densenet201', 'inception_v3', 'xception', 'vgg19', 'efficientnetb7']) {
      for (const includeTop of [true, false]) assert.match(kerasWeightsFile(a, { includeTop }).fileHash ?? '', /^[0-9a-f]{32}$/);
    }
  });

  it('unknown architectures → ValueError listing the known ones', () => {
    assert.throws(() => kerasWeightsFile('lenet', { includeTop: true }), (err: unknown) => {
      assert.ok(err instanceof ValueError);
      assert.match(err.message, /mobilenet_v2/);
      assert.match(err.message, /efficientnetb7/);
      return true;
    });
  });
});

