/** Option parsers and checks shared by the `convkit` sub-commands. */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { ValueError } from '../errors.js';
import { figureExtension } from '../viz/figure.js';

export function int(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
}

export function num(name: string, lo: number, hi: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < lo || n > hi) throw new InvalidArgumentError(`${name} must be a number in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
    return n;
  };
}

/** A picture's --out: a .png/.svg name in an existing directory, checked before any work. */
export async function checkPictureOut(out: string): Promise<void> {
  figureExtension(out);
  const dir = dirname(resolve(out));
  const st = await stat(dir).catch(() => null);
  if (st === null || !st.isDirectory()) throw new ValueError(`Cannot write ${out}: directory ${dir} does not exist`);
}
