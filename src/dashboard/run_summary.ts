/** The run list entry the page shows: run.json's facts, or what can be said without it. */
import type { RunEntry, RunStatus } from './logdir_format.js';

export interface RunSummary {
  name: string;
  status: RunStatus | 'unknown';
  startedAt: string | null;
  updatedAt: string | null;
  epochs: number | null;
  stepsPerEpoch: number | null;
  model: { name: string; className: string; inputShape: number[] } | null;
}

export function runSummary(entry: RunEntry): RunSummary {
  const info = entry.info;
  if (info === null) return { name: entry.name, status: 'unknown', startedAt: null, updatedAt: null, epochs: null, stepsPerEpoch: null, model: null };
  return {
    name: entry.name,
    status: info.status,
    startedAt: info.startedAt || null,
    updatedAt: info.updatedAt || null,
    epochs: info.epochs,
    stepsPerEpoch: info.stepsPerEpoch,
    model: info.model,
  };
}
