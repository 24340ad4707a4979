/**
 * The dashboard's HTTP API over a logdir written by hand in the LiveLogger format (including malformed
 * lines and a half-written last line), without a browser: runs, incremental scalars, the event stream,
 * path traversal, upload limits and the feature-map explorer on a tiny saved model.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Dashboard, startDashboard } from '../../src/dashboard/server.js';
import { Sequential } from '../../src/models/sequential.js';
import * as layers from '../../src/layers/index.js';
import { encodeImage } from '../../src/data/image.js';
import { loadEmbeddedMnist } from '../../src/data/mnist_embedded.js';

interface Reply {
  status: number;
  type: string;
  body: Buffer;
  json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A request with the path sent exactly as given (fetch and URL would normalise `..` away). */
function raw(base: string, method: string, path: string, body?: Uint8Array | string, headers: Record<string, string> = {}): Promise<Reply> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const b = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: b, json: () => JSON.parse(b.toString('utf8')) });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

const scalar = (step: number, epoch: number, loss: number, kind: 'batch' | 'epoch' = 'batch') =>
  JSON.stringify(kind === 'batch'
    ? { kind, step, epoch, batch: step - 1, time: 1_700_000_000_000 + step, logs: { loss, accuracy: 0.5 } }
    : { kind, step, epoch, time: 1_700_000_000_000 + step, logs: { loss, accuracy: 0.5, val_loss: loss + 0.1, val_accuracy: 0.4 } });

function runJson(name: string, status: string) {
  return JSON.stringify({
    version: 1, name, startedAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:01:00.000Z', status, epochs: 2, stepsPerEpoch: 3, pid: 1,
    model: { name: 'tiny', className: 'Sequential', inputShape: [28, 28, 1] }, options: {},
  });
}

describe('dashboard server', () => {
  const logdir = mkdtempSync(join(tmpdir(), 'convkit-dash-'));
  const alpha = join(logdir, 'alpha');
  const warnings: string[] = [];
  let dash: Dashboard;
  let halfLine: string;

  before(async () => {
    mkdirSync(alpha);
    writeFileSync(join(alpha, 'run.json'), runJson('alpha', 'running'));
    // Two good records, a malformed one between them, and a last line still being written.
    halfLine = scalar(3, 0, 0.7);
    writeFileSync(join(alpha, 'scalars.jsonl'), `${scalar(1, 0, 0.9)}\n{"kind":"batch","step":\n${scalar(2, 0, 0.8)}\n${halfLine.slice(0, 20)}`);
    writeFileSync(join(alpha, 'model.json'), JSON.stringify({
      summary: { totalParams: 30, trainableParams: 30, nonTrainableParams: 0, layers: [{ name: 'conv', className: 'Conv2D', outputShape: [null, 26, 26, 2], params: 20 }, { name: 'dense', className: 'Dense', outputShape: [null, 10], params: 10 }] },
      graph: { nodes: [{ id: 'conv', name: 'conv', className: 'Conv2D', outputShape: [null, 26, 26, 2], params: 20 }, { id: 'dense', name: 'dense', className: 'Dense', outputShape: [null, 10], params: 10 }], edges: [['conv', 'dense']], inputs: ['conv'], outputs: ['dense'] },
    }));
    writeFileSync(join(alpha, 'confusion.json'), JSON.stringify({ epoch: 0, labels: ['0', '1'], matrix: [[3, 1], [0, 4]] }));
    // A snapshots file with a broken line and a line of the wrong shape around one good record.
    const good = { epoch: 0, step: 3, sample: { shape: [2, 2, 1], data: Buffer.from([0, 1, 2, 3]).toString('base64') }, layers: [{ name: 'conv', className: 'Conv2D', shape: [1, 1, 2], min: 0, max: 1, data: Buffer.from([0, 255]).toString('base64') }] };
    writeFileSync(join(alpha, 'snapshots.jsonl'), `not json at all\n${JSON.stringify(good)}\n{"epoch":"x"}\n\u0000\u0001\u0002\n`);

    // A run without run.json is listed with an unknown status; an empty directory is no run.
    mkdirSync(join(logdir, 'beta'));
    writeFileSync(join(logdir, 'beta', 'scalars.jsonl'), `${scalar(1, 0, 1.5)}\n`);
    mkdirSync(join(logdir, 'empty'));

    // The explorer's run: a tiny model saved as the logger saves its latest weights.
    const tiny = join(logdir, 'tiny');
    mkdirSync(tiny);
    writeFileSync(join(tiny, 'run.json'), runJson('tiny', 'finished'));
    const model = new Sequential([
      layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1], name: 'conv' }),
      layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      layers.flatten({ name: 'flat' }),
      layers.dense({ units: 10, activation: 'softmax', name: 'out' }),
    ]);
    await model.save(join(tiny, 'model.convkit'));
    // A run whose weights file is damaged.
    mkdirSync(join(logdir, 'broken'));
    writeFileSync(join(logdir, 'broken', 'run.json'), runJson('broken', 'failed'));
    writeFileSync(join(logdir, 'broken', 'model.convkit'), 'these are not weights');

    dash = await startDashboard({ logdir, port: 0, log: (m) => warnings.push(m), pollMs: 100 });
  });

  after(async () => {
    await dash.close();
  });

  it('listens on loopback on a free port', () => {
    assert.match(dash.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.notEqual(dash.port, 0);
  });

  it('serves the page and the allow-listed assets with their content types', async () => {
    const page = await raw(dash.url, 'GET', '/');
    assert.equal(page.status, 200);
    assert.match(page.type, /^text\/html/);
    assert.match(page.body.toString(), /\/assets\/app\.js/);
    assert.doesNotMatch(page.body.toString(), /https?:\/\//, 'the page loads nothing from other hosts');
    for (const [name, type] of [['app.js', /^text\/javascript/], ['style.css', /^text\/css/], ['preact-htm.js', /^text\/javascript/], ['uPlot.esm.js', /^text\/javascript/], ['uPlot.min.css', /^text\/css/]] as const) {
      const r = await raw(dash.url, 'GET', `/assets/${name}`);
      assert.equal(r.status, 200, name);
      assert.match(r.type, type, name);
      assert.ok(r.body.length > 100, name);
    }
    const preact = await raw(dash.url, 'GET', '/assets/preact-htm.js');
    assert.match(preact.body.toString(), /export\s*\{[^}]*\bhtml\b/);
  });

  it('lists the runs with their status', async () => {
    const r = await raw(dash.url, 'GET', '/api/runs');
    assert.equal(r.status, 200);
    assert.match(r.type, /^application\/json/);
    const runs = r.json().runs as { name: string; status: string }[];
    assert.deepEqual(runs.map((x) => x.name), ['alpha', 'beta', 'broken', 'tiny']);
    assert.deepEqual(runs.map((x) => x.status), ['running', 'unknown', 'failed', 'finished']);
  });

  it('reads scalars incrementally, skipping a malformed line and stopping before a half-written one', async () => {
    const first = (await raw(dash.url, 'GET', '/api/runs/alpha/scalars')).json();
    assert.deepEqual(first.records.map((x: { step: number }) => x.step), [1, 2]);
    assert.ok(warnings.some((w) => /malformed/.test(w) && w.includes('scalars.jsonl')), 'the malformed line is reported');
    // The writer finishes its line and adds an epoch record: the next read from nextByte returns exactly those.
    appendFileSync(join(alpha, 'scalars.jsonl'), `${halfLine.slice(20)}\n${scalar(3, 0, 0.65, 'epoch')}\n`);
    const next = (await raw(dash.url, 'GET', `/api/runs/alpha/scalars?from=${first.nextByte}`)).json();
    assert.deepEqual(next.records.map((x: { kind: string; step: number }) => `${x.kind}${x.step}`), ['batch3', 'epoch3']);
    assert.equal(next.records[1].logs.val_loss, 0.75);
    const again = (await raw(dash.url, 'GET', `/api/runs/alpha/scalars?from=${next.nextByte}`)).json();
    assert.equal(again.records.length, 0);
    assert.equal((await raw(dash.url, 'GET', '/api/runs/alpha/scalars?from=-3')).status, 400);
  });

  it('pushes an appended scalar record and a status change over the event stream', async () => {
    const u = new URL(dash.url);
    type Ev = { type: string; data: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
    const parse = (text: string): Ev[] => text.split('\n\n').filter((b) => b.startsWith('event:')).map((b) => {
      const [, type, data] = /^event: (\w+)\ndata: (.*)$/s.exec(b) ?? [];
      return { type, data: JSON.parse(data) };
    });
    // Events may also carry what the previous test appended (the watcher reports everything new since its last look).
    const hasStep4 = (e: Ev) => e.type === 'scalars' && e.data.run === 'alpha' && e.data.records.some((r: { step: number }) => r.step === 4);
    const isFinished = (e: Ev) => e.type === 'run' && e.data.name === 'alpha' && e.data.status === 'finished';
    const events = await new Promise<Ev[]>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`no event in time; got ${JSON.stringify(text)}`)), 20_000);
      const req = request({ host: u.hostname, port: u.port, path: '/api/events' }, (res) => {
        assert.match(String(res.headers['content-type']), /^text\/event-stream/);
        res.setEncoding('utf8');
        let appended = false;
        res.on('data', (chunk: string) => {
          text += chunk;
          if (!appended && text.includes(': connected')) {
            appended = true;
            appendFileSync(join(alpha, 'scalars.jsonl'), `${scalar(4, 1, 0.55)}\n`);
            writeFileSync(join(alpha, 'run.json'), runJson('alpha', 'finished'));
          }
          const evs = parse(text.slice(0, text.lastIndexOf('\n\n') + 2));
          if (evs.some(hasStep4) && evs.some(isFinished)) {
            clearTimeout(timer);
            req.destroy();
            resolve(evs);
          }
        });
      });
      req.on('error', () => undefined); // destroyed on purpose
      req.end();
    });
    const sc = events.find(hasStep4)!;
    const last = sc.data.records[sc.data.records.length - 1];
    assert.equal(last.step, 4);
    assert.equal(last.logs.loss, 0.55);
    assert.ok(sc.data.nextByte > sc.data.fromByte);
    // Consecutive chunks join up byte for byte, so the page can append them without gaps.
    const chunks = events.filter((e) => e.type === 'scalars' && e.data.run === 'alpha');
    for (let i = 1; i < chunks.length; i++) assert.equal(chunks[i].data.fromByte, chunks[i - 1].data.nextByte);
  });

  it('refuses path traversal in run names and asset paths', async () => {
    for (const path of ['/api/runs/..%2F..%2Fetc/scalars', '/api/runs/%2e%2e/scalars', '/api/runs/..%5C..%5Cwindows/scalars', '/api/runs/a%00b/scalars']) {
      const r = await raw(dash.url, 'GET', path);
      assert.ok(r.status === 400 || r.status === 404, `${path}: ${r.status}`);
      assert.ok(r.json().error, path);
    }
    for (const path of ['/assets/../../package.json', '/assets/..%2F..%2Fpackage.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/../../../../etc/passwd', '/api/runs/alpha/../../../package.json']) {
      const r = await raw(dash.url, 'GET', path);
      assert.equal(r.status, 404, path);
      assert.doesNotMatch(r.body.toString(), /"dependencies"|root:/, path);
    }
    assert.equal((await raw(dash.url, 'GET', '/api/runs/nope/scalars')).status, 404);
    assert.equal((await raw(dash.url, 'GET', '/api/runs/%E0%A4%A/scalars')).status, 400);
    assert.equal((await raw(dash.url, 'DELETE', '/api/runs/alpha')).status, 405);
  });

  it('serves the model summary, its graph as SVG and the confusion matrix', async () => {
    const m = (await raw(dash.url, 'GET', '/api/runs/alpha/model')).json();
    assert.equal(m.summary.totalParams, 30);
    const svg = await raw(dash.url, 'GET', '/api/runs/alpha/graph.svg');
    assert.equal(svg.status, 200);
    assert.match(svg.type, /^image\/svg\+xml/);
    assert.match(svg.body.toString(), /<svg[\s\S]*conv[\s\S]*<\/svg>/);
    const c = (await raw(dash.url, 'GET', '/api/runs/alpha/confusion')).json();
    assert.deepEqual(c.confusion.matrix, [[3, 1], [0, 4]]);
    assert.equal((await raw(dash.url, 'GET', '/api/runs/beta/model')).status, 404);
  });

  it('survives a malformed snapshots file: the good record is served, the rest skipped with a warning', async () => {
    const r = await raw(dash.url, 'GET', '/api/runs/alpha/snapshots');
    assert.equal(r.status, 200);
    const records = r.json().records as { epoch: number; layers: { name: string }[] }[];
    assert.equal(records.length, 1);
    assert.equal(records[0].layers[0].name, 'conv');
    assert.ok(warnings.some((w) => w.includes('snapshots.jsonl') && /skipped 3 malformed/.test(w)), warnings.join('\n'));
    assert.equal((await raw(dash.url, 'GET', '/api/runs')).status, 200, 'still serving');
  });

  it('offers embedded test digits as PNG data', async () => {
    const images = (await raw(dash.url, 'GET', '/api/runs/tiny/test-images')).json().images as { index: number; label: number; png: string }[];
    assert.equal(images.length, 10);
    assert.deepEqual(images.map((i) => i.label), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const png = Buffer.from(images[3].png.replace(/^data:image\/png;base64,/, ''), 'base64');
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(loadEmbeddedMnist().yTest[images[3].index], 3);
  });

  it('explores a digit by index: top-5 classes and feature maps of the right shapes', async () => {
    const r = await raw(dash.url, 'POST', '/api/runs/tiny/explore', JSON.stringify({ index: 7 }), { 'Content-Type': 'application/json' });
    assert.equal(r.status, 200, r.body.toString());
    const out = r.json();
    assert.equal(out.top.length, 5);
    assert.equal(new Set(out.top.map((t: { class: number }) => t.class)).size, 5);
    const probs = out.top.map((t: { probability: number }) => t.probability);
    assert.deepEqual(probs, [...probs].sort((a, b) => b - a));
    assert.equal(out.label, loadEmbeddedMnist().yTest[7]);
    assert.deepEqual(out.layers.map((l: { name: string; shape: number[] }) => [l.name, l.shape]), [['conv', [26, 26, 2]], ['pool', [13, 13, 2]]]);
    for (const l of out.layers) assert.equal(Buffer.from(l.data, 'base64').length, l.shape[0] * l.shape[1] * l.shape[2]);
    const conv = Buffer.from(out.layers[0].data, 'base64');
    assert.ok(Math.max(...conv) === 255 || out.layers[0].max === out.layers[0].min, 'maps are scaled to the full 0..255 range');
    assert.deepEqual(out.input.shape, [28, 28, 1]);
  });

  it('explores an uploaded PNG like the same digit by index', async () => {
    const m = loadEmbeddedMnist();
    const png = await encodeImage({ data: m.xTest.slice(7 * 784, 8 * 784), width: 28, height: 28, channels: 1 }, 'png');
    const up = (await raw(dash.url, 'POST', '/api/runs/tiny/explore', png, { 'Content-Type': 'image/png' })).json();
    const byIndex = (await raw(dash.url, 'POST', '/api/runs/tiny/explore', JSON.stringify({ index: 7 }), { 'Content-Type': 'application/json' })).json();
    assert.deepEqual(up.top.map((t: { class: number }) => t.class), byIndex.top.map((t: { class: number }) => t.class));
    assert.equal(up.layers[1].data, byIndex.layers[1].data);
  });

  it('refuses an oversize upload (413), non-images and bad JSON (400) with a message', async () => {
    const big = new Uint8Array(5 * 1024 * 1024 + 1);
    const tooBig = await raw(dash.url, 'POST', '/api/runs/tiny/explore', big, { 'Content-Type': 'application/octet-stream' });
    assert.equal(tooBig.status, 413);
    assert.match(tooBig.json().error, /limit/);
    const text = await raw(dash.url, 'POST', '/api/runs/tiny/explore', 'hello, not an image', { 'Content-Type': 'application/octet-stream' });
    assert.equal(text.status, 400);
    assert.match(text.json().error, /not an image/);
    const wrongType = await raw(dash.url, 'POST', '/api/runs/tiny/explore', 'x', { 'Content-Type': 'text/plain' });
    assert.equal(wrongType.status, 400);
    const badJson = await raw(dash.url, 'POST', '/api/runs/tiny/explore', '{"index": "two"}', { 'Content-Type': 'application/json' });
    assert.equal(badJson.status, 400);
    const outOfRange = await raw(dash.url, 'POST', '/api/runs/tiny/explore', '{"index": 999999}', { 'Content-Type': 'application/json' });
    assert.equal(outOfRange.status, 400);
    assert.match(outOfRange.json().error, /out of range/);
    const noModel = await raw(dash.url, 'POST', '/api/runs/alpha/explore', '{"index": 1}', { 'Content-Type': 'application/json' });
    assert.equal(noModel.status, 404);
    assert.match(noModel.json().error, /model\.convkit/);
  });

  it('answers a damaged model file with a JSON error and keeps serving', async () => {
    const r = await raw(dash.url, 'POST', '/api/runs/broken/explore', '{"index": 1}', { 'Content-Type': 'application/json' });
    assert.equal(r.status, 500);
    assert.match(r.json().error, /Cannot load model\.convkit of run "broken"/);
    assert.equal((await raw(dash.url, 'GET', '/api/runs/tiny/test-images')).status, 200);
  });

  it('refuses an image over 4096×4096 pixels before decoding it (413)', async () => {
    // A PNG header declaring 5000×5000: the pixel data is never reached.
    const png = await encodeImage({ data: new Uint8Array(5000 * 5000), width: 5000, height: 5000, channels: 1 }, 'png');
    assert.ok(png.length < 5 * 1024 * 1024);
    const r = await raw(dash.url, 'POST', '/api/runs/tiny/explore', png, { 'Content-Type': 'image/png' });
    assert.equal(r.status, 413);
    assert.match(r.json().error, /4096/);
  });
});

describe('dashboard host binding', () => {
  it('warns when listening on a non-loopback address', async () => {
    const warnings: string[] = [];
    const d = await startDashboard({ logdir: mkdtempSync(join(tmpdir(), 'convkit-dash-')), port: 0, host: '0.0.0.0', log: (m) => warnings.push(m) });
    try {
      assert.ok(warnings.some((w) => /not a loopback address/.test(w)));
      assert.equal((await raw(`http://127.0.0.1:${d.port}/`, 'GET', '/api/runs')).json().runs.length, 0);
    } finally {
      await d.close();
    }
  });

  it('names the port when it is in use', async () => {
    const logdir = mkdtempSync(join(tmpdir(), 'convkit-dash-'));
    const d = await startDashboard({ logdir, port: 0, log: () => undefined });
    try {
      await assert.rejects(startDashboard({ logdir, port: d.port, log: () => undefined }), new RegExp(`port ${d.port} is already in use.*--port`));
    } finally {
      await d.close();
    }
  });
});
