/**
 * GET /api/events: Server-Sent Events. Each open page gets the watcher's events (new scalar records,
 * run status changes, snapshots…) as `event: <type>` / `data: <json>` messages, and a comment line as a
 * heartbeat so proxies and the browser keep the connection open. A client that goes away is removed at
 * once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { commonHeaders } from './http_util.js';
import type { DashboardEvent, RunWatcher } from './run_watcher.js';

export class EventStream {
  private readonly clients = new Set<ServerResponse>();

  constructor(private readonly watcher: RunWatcher, private readonly heartbeatMs = 15_000) {}

  get clientCount(): number {
    return this.clients.size;
  }

  open(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      ...commonHeaders(),
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    // The browser reconnects after `retry` ms if the server restarts.
    res.write('retry: 2000\n\n');
    res.write(': connected\n\n');
    this.clients.add(res);
    const send = (event: DashboardEvent) => {
      if (!res.writableEnded) res.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
    };
    const unsubscribe = this.watcher.subscribe(send);
    const heartbeat = setInterval(() => {
      if (!res.writableEnded) res.write(`: heartbeat ${Date.now()}\n\n`);
    }, this.heartbeatMs);
    let closed = false;
    const cleanup = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      this.clients.delete(res);
    };
    req.on('close', cleanup);
    res.on('close', cleanup);
    res.on('error', cleanup);
  }

  /** Ends every open stream (server shutdown). */
  closeAll(): void {
    for (const res of [...this.clients]) res.end();
    this.clients.clear();
  }
}
