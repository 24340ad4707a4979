/**
 * The team's shared material (`../shared` beside the repository): seeds and real Keras files.
 * Tests that need it fail loudly when it is missing rather than skipping, so a CI machine without
 * it cannot pass by testing nothing.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Absolute path of a file under ../shared (relative to the repository root, where npm test runs). */
export function sharedPath(...parts: string[]): string {
  const root = resolve(process.env.CONVKIT_SHARED_DIR ?? join(process.cwd(), '..', 'shared'));
  const path = join(root, ...parts);
  if (!existsSync(path)) throw new Error(`Test material missing: ${path}. The tests read ../shared beside the repository (or CONVKIT_SHARED_DIR)`);
  return path;
}
