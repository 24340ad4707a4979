/** `convkit dashboard`: serves the live training page until SIGINT/SIGTERM. */
import { type Command, InvalidArgumentError } from 'commander';
import { existsSync } from 'node:fs';
import { startDashboard } from '../dashboard/server.js';

export type Print = (line: string) => void;

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`--port must be an integer in [0, 65535], got ${JSON.stringify(v)}`);
  return n;
}

/** Resolves on the first SIGINT or SIGTERM; the handlers are removed again so a second signal kills as usual. */
function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function registerDashboard(program: Command, print: Print): Command {
  return program.command('dashboard')
    .description('a local web page following training runs live: loss/accuracy curves, model graph, feature-map explorer, confusion matrix, filters over time')
    .option('--logdir <dir>', 'directory of runs, one per sub-directory (written by `convkit train --logdir <dir>/<name>`)', 'runs')
    .option('--port <n>', 'port to listen on (0: any free port)', port, 6006)
    .option('--host <host>', 'address to listen on; the page has no authentication, keep it on loopback unless you mean to share it', '127.0.0.1')
    .action(async (o: { logdir: string; port: number; host: string }) => {
      const dashboard = await startDashboard({ logdir: o.logdir, port: o.port, host: o.host });
      print(`convkit dashboard: serving ${o.logdir} at ${dashboard.url}`);
      if (!existsSync(o.logdir)) print(`(${o.logdir} does not exist yet: runs appear as soon as \`convkit train --logdir ${o.logdir}/NAME\` starts)`);
      print('Press Ctrl+C to stop.');
      await untilStopped();
      await dashboard.close();
      print('convkit dashboard: stopped');
    });
}
