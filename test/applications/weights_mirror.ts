/**
 * A local stand-in for Keras's weights host, for the `weights: 'imagenet'` tests: an HTTP server on
 * 127.0.0.1 set as CONVKIT_WEIGHTS_MIRROR for the enclosing describe (or file), recording every
 * request, with a scratch directory; CONVKIT_HOME and the mirror are restored afterwards.
 */
import { before, after } from 'node:test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WeightsMirror {
  /** Scratch directory, removed afterwards. */
  readonly work: string;
  /** Paths requested, in order (tests clear it with `requests.length = 0`). */
  readonly requests: string[];
  /** Bodies served by path (used when no `respond` is given); other paths get 404. */
  readonly served: Map<string, Uint8Array>;
  /** The mirror's base URL, once the server listens. */
  base: string;
}

export interface MirrorOptions {
  /** The body for a path, or undefined for 404. Default: `served`. */
  respond?: (path: string) => Uint8Array | undefined;
  /** Also point CONVKIT_HOME at a directory inside `work`. */
  home?: boolean;
}

export function useWeightsMirror(prefix: string, opts: MirrorOptions = {}): WeightsMirror {
  const mirror: WeightsMirror = { work: mkdtempSync(join(tmpdir(), prefix)), requests: [], served: new Map(), base: '' };
  const saved = { CONVKIT_HOME: process.env.CONVKIT_HOME, CONVKIT_WEIGHTS_MIRROR: process.env.CONVKIT_WEIGHTS_MIRROR };
  const respond = opts.respond ?? ((path: string) => mirror.served.get(path));
  let server: Server | undefined;

  before(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '';
      mirror.requests.push(path);
      const body = respond(path);
      if (body) res.end(body);
      else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    mirror.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    process.env.CONVKIT_WEIGHTS_MIRROR = mirror.base;
    if (opts.home) process.env.CONVKIT_HOME = join(mirror.work, 'home');
  });

  after(() => {
    server?.close();
    rmSync(mirror.work, { recursive: true, force: true });
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  return mirror;
}
