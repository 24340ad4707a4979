/**
 * Mirrors for Keras's download URLs: a base URL that replaces an origin's scheme and host, keeping its
 * path, so one local server can stand in for several hosts (storage.googleapis.com, www.cs.toronto.edu):
 *   mirrorUrl('https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz', 'http://10.0.0.5:8080/m/')
 *   → 'http://10.0.0.5:8080/m/tensorflow/tf-keras-datasets/mnist.npz'
 * CONVKIT_WEIGHTS_MIRROR (applications) and CONVKIT_DATASETS_MIRROR (datasets) both use this rule.
 */
import { ValueError } from '../../errors.js';

const PROTOCOLS = ['http:', 'https:', 'file:'];

/** `origin` with its scheme and host replaced by `base`; `origin` itself when `base` is empty or undefined. */
export function mirrorUrl(origin: string, base: string | undefined, what = 'mirror'): string {
  if (base === undefined || base === '') return origin;
  let b: URL;
  try {
    b = new URL(base);
  } catch {
    throw new ValueError(`${what} must be an absolute http:, https: or file: URL, got ${JSON.stringify(base)}`);
  }
  if (!PROTOCOLS.includes(b.protocol)) throw new ValueError(`${what} must be an absolute http:, https: or file: URL, got ${JSON.stringify(base)}`);
  const o = new URL(origin);
  return b.href.replace(/\/?$/, '/') + o.pathname.replace(/^\//, '') + o.search;
}

/** The mirror named by an environment variable, applied to `origin`. */
export function mirrorFromEnv(origin: string, variable: string): string {
  return mirrorUrl(origin, process.env[variable], variable);
}
