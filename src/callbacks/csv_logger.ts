/**
 * CSVLogger with Keras 3 semantics: one row per epoch, header `epoch,<logs keys sorted>`, the
 * 0-based epoch, values as Python writes floats (`0.5`, `1.0`, `1e-05`, `nan`), CRLF line ends and
 * minimal quoting as Python's csv module (excel dialect). Without validation data Keras adds the
 * `val_` columns anyway and fills them with `NA`. Every row reaches the file as soon as it is
 * written (synchronous writes, no user-space buffer), so the log survives a crash mid-training.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ValueError } from '../errors.js';
import { OptionReader } from '../optimizers/options.js';
import { Callback, type Logs } from './callback.js';
import { pyFloatRepr } from './py_format.js';
import { describeWriteFailure } from '../io/writable_dir.js';

export interface CSVLoggerArgs {
  /** One character between fields. Default ','. */
  separator?: string;
  /** Continue an existing file (no second header) instead of overwriting it. Default false. */
  append?: boolean;
}

const OWNER = 'CSVLogger';

/** Python's str ordering (by code point), as `sorted(logs.keys())`. */
function byCodePoint(a: string, b: string): number {
  const ca = Array.from(a, (c) => c.codePointAt(0)!);
  const cb = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) if (ca[i] !== cb[i]) return ca[i]! - cb[i]!;
  return ca.length - cb.length;
}

/** Whether the file at `path` exists and its first line is non-empty (Keras: `len(f.readline())`). */
function hasFirstLine(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const buf = Buffer.alloc(1);
    return readSync(fd, buf, 0, 1, 0) === 1;
  } finally {
    closeSync(fd);
  }
}

export class CSVLogger extends Callback {
  readonly filename: string;
  readonly separator: string;
  readonly append: boolean;
  private fd: number | null = null;
  private keys: string[] | null = null;
  private writeHeader = true;

  constructor(filename: string, args: CSVLoggerArgs = {}) {
    super();
    if (typeof filename !== 'string' || filename.length === 0) throw new ValueError(`${OWNER}: filename must be a non-empty string such as "training.csv", got ${JSON.stringify(filename)}`);
    const r = new OptionReader(OWNER, args);
    const separator = r.take('separator') ?? ',';
    this.append = r.boolean(['append'], false);
    r.finish();
    if (typeof separator !== 'string' || Array.from(separator).length !== 1 || separator === '"' || separator === '\r' || separator === '\n') {
      throw new ValueError(`${OWNER}: separator must be a single character other than '"' and a line break, got ${JSON.stringify(separator)}`);
    }
    this.filename = filename;
    this.separator = separator;
  }

  override async onTrainBegin(): Promise<void> {
    this.close();
    // Keras writes the header unless it appends to a file whose first line is non-empty.
    this.writeHeader = !(this.append && hasFirstLine(this.filename));
    try {
      this.fd = openSync(this.filename, this.append ? 'a' : 'w');
    } catch (err) {
      const e = new ValueError(`${OWNER}: cannot open ${JSON.stringify(this.filename)} for writing: ${await describeWriteFailure(dirname(this.filename), err)}; expected a file path in an existing, writable directory`);
      (e as Error).cause = err;
      throw e;
    }
    this.keys = null;
  }

  private field(text: string): string {
    return /["\r\n]/.test(text) || text.includes(this.separator) ? `"${text.replace(/"/g, '""')}"` : text;
  }

  private writeRow(fields: string[]): void {
    if (this.fd === null) throw new ValueError(`${OWNER}: the log file is not open; onTrainBegin must run before onEpochEnd (pass the callback to fit())`);
    writeSync(this.fd, `${fields.map((f) => this.field(f)).join(this.separator)}\r\n`);
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    if (this.keys === null) {
      const keys = Object.keys(logs).sort(byCodePoint);
      if (keys.length > 0 && !keys.some((k) => k.startsWith('val_'))) keys.push(...keys.map((k) => `val_${k}`));
      this.keys = keys;
      if (this.writeHeader) this.writeRow(['epoch', ...keys]);
    }
    this.writeRow([String(epoch), ...this.keys.map((k) => (k in logs ? pyFloatRepr(logs[k]!) : 'NA'))]);
  }

  override onTrainEnd(): void {
    this.close();
  }

  private close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}
