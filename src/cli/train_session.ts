/**
 * What makes `convkit train` safe to stop: Ctrl-C or SIGTERM stops after the current batch and
 * leaves a backup; a second signal exits at once (every file on disk is written atomically, so
 * that is safe too); `--resume` continues the backup only with the options it was made with.
 */
import { ValueError } from '../errors.js';
import type { Model } from '../models/model.js';

/** fit() was stopped by a signal; the command exits with 128 + the signal's number. */
export class TrainingInterrupted extends Error {
  constructor(readonly signal: NodeJS.Signals, readonly exitCode: number) {
    super(`training interrupted by ${signal}`);
  }
}

const EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

export interface SignalGuard {
  /** The first signal received, or null. */
  readonly signal: NodeJS.Signals | null;
  dispose(): void;
}

/**
 * While training runs: the first SIGINT/SIGTERM asks the model to stop after the current batch;
 * a second one, or one arriving before fit() started, exits immediately.
 */
export function interruptOnSignals(model: () => Model | null, backupDir: string): SignalGuard {
  let received: NodeJS.Signals | null = null;
  const handler = (sig: NodeJS.Signals) => {
    const code = EXIT_CODES[sig] ?? 1;
    const m = model();
    if (received !== null || !m?.activeFit) {
      process.stderr.write(`\nconvkit: ${sig}: exiting now${received ? `; the last backup in ${backupDir} is intact` : ''}\n`);
      process.exit(code);
    }
    received = sig;
    process.stderr.write(`\nconvkit: ${sig}: stopping after the current batch and writing a backup (${sig === 'SIGINT' ? 'Ctrl-C' : 'send it'} again to quit at once)\n`);
    m.interrupt();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    get signal() {
      return received;
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

export function exitCodeFor(signal: NodeJS.Signals): number {
  return EXIT_CODES[signal] ?? 1;
}

/** The command line to run to continue: this one, with --resume. */
export function resumeCommand(argv: readonly string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const args = argv.slice(2).filter((a) => a !== '--resume');
  return ['convkit', ...args.map(quote), '--resume'].join(' ');
}

/**
 * A backup continues the run it was made by: every option that changes what is trained must be
 * the same (epochs may grow, and output verbosity may change).
 */
export function checkResumeOptions(saved: Record<string, unknown>, now: Record<string, unknown>, backupDir: string): void {
  const differ = Object.keys({ ...saved, ...now })
    .filter((k) => k !== 'epochs' && JSON.stringify(saved[k] ?? null) !== JSON.stringify(now[k] ?? null))
    .map((k) => `${k}: ${JSON.stringify(saved[k] ?? null)} in the backup, ${JSON.stringify(now[k] ?? null)} now`);
  if (differ.length > 0) {
    throw new ValueError(`--resume: the backup in ${backupDir} was made with other options (${differ.join('; ')}). Resume with the same options, or delete ${backupDir} to start over`);
  }
}
