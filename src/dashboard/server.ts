/**
 * `convkit dashboard`: a local web page that follows training runs live (TensorBoard's job, for CNNs).
 *
 * Built on plain node:http, not a web framework: the server has a dozen fixed routes, one event stream
 * and static files from an allow-list; a framework would add a dependency (and its own file-serving
 * and path-normalisation rules to audit) for no feature we need, and node:http lets every security
 * decision — which files are served, how paths are decoded, body limits — sit in a few lines here.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';
import { ConvkitError } from '../errors.js';
import { HttpError, sendError } from './http_util.js';
import { handle, type RouteContext } from './routes.js';
import { RunWatcher } from './run_watcher.js';
import { EventStream } from './sse.js';
import { Explorer } from './explorer.js';
import type { Warn } from './logdir_format.js';

export interface DashboardOptions {
  /** Directory holding one sub-directory per run (`convkit train --logdir <logdir>/<run>`). */
  logdir: string;
  /** 0 picks any free port (tests). Default 6006. */
  port?: number;
  /** Default 127.0.0.1: the dashboard has no authentication, so it listens on loopback unless told otherwise. */
  host?: string;
  /** Where warnings go (malformed files, handler failures); default stderr. Each message is shown once. */
  log?: (message: string) => void;
  /** How often the logdir is polled while a page is open (default 500 ms). */
  pollMs?: number;
  /** Interval of the event stream's heartbeat comments (default 15 s). */
  heartbeatMs?: number;
}

export interface Dashboard {
  url: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host) || host === '[::1]';
}

/** Starts the server; resolves once it listens. A port in use rejects with a ConvkitError naming it. */
export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 6006;
  const logdir = resolve(opts.logdir);
  const log = opts.log ?? ((m: string) => process.stderr.write(`convkit dashboard: ${m}\n`));
  const shown = new Set<string>();
  const warn: Warn = (m) => {
    if (shown.has(m)) return;
    if (shown.size > 10_000) shown.clear();
    shown.add(m);
    log(m);
  };
  if (!isLoopback(host)) warn(`listening on ${host}, which is not a loopback address: anyone who can reach it sees your runs and can run your models (there is no authentication)`);

  const watcher = new RunWatcher(logdir, warn, opts.pollMs ?? 500);
  const events = new EventStream(watcher, opts.heartbeatMs ?? 15_000);
  const ctx: RouteContext = { logdir, warn, explorer: new Explorer(), events };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    handle(ctx, req, res).catch((e: unknown) => {
      if (e instanceof HttpError) return sendError(res, e.status, e.message);
      // convkit's own errors are about the input (a digit index out of range, an image the model cannot take).
      if (e instanceof ConvkitError) return sendError(res, 400, e.message);
      warn(`${req.method} ${req.url} failed: ${(e as Error)?.stack ?? String(e)}`);
      sendError(res, 500, `Internal error: ${(e as Error)?.message ?? String(e)}`);
    });
  });
  // A client error (malformed request line) must not reach the process as an exception.
  server.on('clientError', (_e, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolveListen, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (e.code === 'EADDRINUSE') reject(new ConvkitError(`port ${port} is already in use on ${host}; choose another with --port (e.g. --port ${port + 1})`));
      else if (e.code === 'EACCES') reject(new ConvkitError(`not allowed to listen on port ${port} of ${host}; choose a port above 1023 with --port`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') reject(new ConvkitError(`cannot listen on host ${host}: it is not an address of this machine (--host)`));
      else reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolveListen();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
  server.on('error', (e) => warn(`server error: ${e.message}`));
  await watcher.start();

  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${address.port}/`,
    port: address.port,
    host: address.address,
    close() {
      closing ??= new Promise<void>((done) => {
        events.closeAll();
        watcher.stop();
        server.close(() => done());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
