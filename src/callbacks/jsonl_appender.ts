/**
 * An append-only .jsonl file kept open while training runs: each record is one `write` of a whole
 * line, so a reader polling the file sees complete lines as soon as they are written (a reader
 * that catches a line half-way leaves it for its next read, see logdir_format.ts).
 */
import * as fs from 'node:fs';
import { writeFileAtomicSync } from '../io/atomic_write.js';

export class JsonlAppender {
  private fd: number | null = null;

  constructor(readonly path: string) {}

  /**
   * Opens the file for appending. `keepThroughStep`: records whose "step" is at most this are kept
   * (a run continuing from that step); later ones, and everything when it is 0, are removed first.
   */
  open(keepThroughStep: number): void {
    this.close();
    trimRecords(this.path, keepThroughStep);
    this.fd = fs.openSync(this.path, 'a');
  }

  get isOpen(): boolean {
    return this.fd !== null;
  }

  append(record: unknown): void {
    if (this.fd === null) return;
    fs.writeSync(this.fd, JSON.stringify(record) + '\n');
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    fs.closeSync(fd);
  }
}

/**
 * Rewrites `path` (atomically) without the records after `keepThroughStep`, and without
 * unreadable lines; leaves the file alone when nothing is to be removed.
 */
function trimRecords(path: string, keepThroughStep: number): void {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch {
    return;
  }
  if (keepThroughStep <= 0) {
    if (text.length > 0) writeFileAtomicSync(path, '');
    return;
  }
  const lines = text.split('\n');
  // The last piece is '' after a final newline, or a line cut short by a crash.
  lines.pop();
  const kept = lines.filter((line) => {
    try {
      const step = (JSON.parse(line) as { step?: unknown }).step;
      return typeof step === 'number' && step <= keepThroughStep;
    } catch {
      return false;
    }
  });
  const next = kept.map((l) => l + '\n').join('');
  if (next !== text) writeFileAtomicSync(path, next);
}
