/**
 * The dashboard's HTTP routes. A request path is split into raw segments first and each segment is
 * then percent-decoded, so an encoded slash (`..%2F..%2Fetc`) stays inside one segment and reaches
 * resolveRunDir, which refuses it; run files are read only through the logdir reader.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stat } from 'node:fs/promises';
import { ValueError } from '../errors.js';
import { listRuns, readConfusion, readFilters, readModelInfo, readRun, readScalars, readSnapshots, resolveRunDir, type Warn } from './logdir_format.js';
import { HttpError, readBody, send, sendJson } from './http_util.js';
import { readAsset } from './static_assets.js';
import { runSummary } from './run_summary.js';
import { type Explorer, type ExploreInput, embeddedTestImages } from './explorer.js';
import { graphSvg } from './graph_svg.js';
import type { EventStream } from './sse.js';

/** Largest explorer upload (an image file, or the JSON {index}). */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

export interface RouteContext {
  logdir: string;
  warn: Warn;
  explorer: Explorer;
  events: EventStream;
}

function segmentsOf(pathname: string): string[] {
  const raw = pathname.split('/').filter((s) => s.length > 0);
  try {
    return raw.map((s) => decodeURIComponent(s));
  } catch {
    throw new HttpError(400, `Malformed percent-encoding in the path ${JSON.stringify(pathname)}`);
  }
}

/** The directory of a run named in a URL: 400 for a name that is not one plain directory name, 404 if absent. */
async function runDirOf(ctx: RouteContext, name: string): Promise<string> {
  let dir: string;
  try {
    dir = resolveRunDir(ctx.logdir, name);
  } catch (e) {
    if (e instanceof ValueError) throw new HttpError(400, e.message);
    throw e;
  }
  try {
    if ((await stat(dir)).isDirectory()) return dir;
  } catch {
    // falls through to 404
  }
  throw new HttpError(404, `No run named ${JSON.stringify(name)} in the logdir`);
}

function methodNotAllowed(req: IncomingMessage, allowed: string): never {
  throw new HttpError(405, `${req.method} is not allowed here; use ${allowed}`);
}

function nonNegativeInt(v: string | null, name: string): number {
  if (v === null || v === '') return 0;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new HttpError(400, `${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

export async function handle(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
  const seg = segmentsOf(url.pathname);
  const isGet = req.method === 'GET' || req.method === 'HEAD';

  if (seg.length === 0 || (seg.length === 1 && seg[0] === 'index.html')) {
    if (!isGet) methodNotAllowed(req, 'GET');
    return serveAsset(res, 'index.html');
  }
  if (seg[0] === 'assets') {
    if (!isGet) methodNotAllowed(req, 'GET');
    // Exactly one segment after /assets/: `/assets/../x` or `/assets/a/b` never names an asset.
    if (seg.length !== 2) throw new HttpError(404, `No asset ${JSON.stringify(url.pathname)}`);
    return serveAsset(res, seg[1]);
  }
  if (seg[0] !== 'api') throw new HttpError(404, `Nothing at ${JSON.stringify(url.pathname)}`);

  if (seg.length === 2 && seg[1] === 'events') {
    if (!isGet) methodNotAllowed(req, 'GET');
    ctx.events.open(req, res);
    return;
  }
  if (seg.length === 2 && seg[1] === 'runs') {
    if (!isGet) methodNotAllowed(req, 'GET');
    const runs = await listRuns(ctx.logdir, ctx.warn);
    return sendJson(res, 200, { logdir: ctx.logdir, runs: runs.map(runSummary) });
  }
  if (seg[1] !== 'runs' || seg.length < 3 || seg.length > 4) throw new HttpError(404, `No API route ${JSON.stringify(url.pathname)}`);

  const name = seg[2];
  const dir = await runDirOf(ctx, name);
  const what = seg[3] ?? '';
  if (what === 'explore') {
    if (req.method !== 'POST') methodNotAllowed(req, 'POST');
    const input = await exploreInput(req);
    return sendJson(res, 200, await ctx.explorer.explore(dir, name, input));
  }
  if (!isGet) methodNotAllowed(req, 'GET');
  switch (what) {
    case '':
      return sendJson(res, 200, { run: await readRun(dir, ctx.warn) });
    case 'scalars': {
      const from = nonNegativeInt(url.searchParams.get('from'), 'from');
      const chunk = await readScalars(dir, from, ctx.warn);
      return sendJson(res, 200, { run: name, fromByte: chunk.reset ? 0 : from, ...chunk });
    }
    case 'model': {
      const info = await readModelInfo(dir, ctx.warn);
      if (info === null) throw new HttpError(404, `Run ${JSON.stringify(name)} has no model.json yet`);
      return sendJson(res, 200, info);
    }
    case 'graph.svg': {
      const info = await readModelInfo(dir, ctx.warn);
      if (info === null || info.graph === null) throw new HttpError(404, `Run ${JSON.stringify(name)} has no model graph yet`);
      return send(res, 200, 'image/svg+xml', graphSvg(info.graph));
    }
    case 'snapshots': {
      const chunk = await readSnapshots(dir, 0, ctx.warn);
      return sendJson(res, 200, { run: name, records: chunk.records });
    }
    case 'filters': {
      const chunk = await readFilters(dir, 0, ctx.warn);
      return sendJson(res, 200, { run: name, records: chunk.records });
    }
    case 'confusion':
      return sendJson(res, 200, { run: name, confusion: await readConfusion(dir, ctx.warn) });
    case 'test-images':
      return sendJson(res, 200, { images: await embeddedTestImages() });
    default:
      throw new HttpError(404, `No API route ${JSON.stringify(url.pathname)}`);
  }
}

async function serveAsset(res: ServerResponse, name: string): Promise<void> {
  const asset = await readAsset(name);
  if (asset === null) throw new HttpError(404, `No asset ${JSON.stringify(name)}`);
  send(res, 200, asset.contentType, asset.body, { 'Cache-Control': 'no-cache' });
}

/** The explorer's input: JSON `{"index": n}` (an embedded test digit) or the raw bytes of an image file. */
async function exploreInput(req: IncomingMessage): Promise<ExploreInput> {
  const body = await readBody(req, MAX_UPLOAD_BYTES);
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') {
    let v: unknown;
    try {
      v = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'The JSON body is not valid JSON: expected {"index": n}');
    }
    const index = (v as { index?: unknown } | null)?.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) throw new HttpError(400, `Expected {"index": n} with a non-negative integer n, got ${body.toString('utf8').slice(0, 80)}`);
    return { index };
  }
  if (type !== '' && !type.startsWith('image/') && type !== 'application/octet-stream') {
    throw new HttpError(400, `Unsupported Content-Type ${JSON.stringify(type)}: send an image file (image/* or application/octet-stream) or application/json {"index": n}`);
  }
  return { image: new Uint8Array(body.buffer, body.byteOffset, body.length) };
}
