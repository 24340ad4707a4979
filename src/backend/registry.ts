/**
 * Which backend runs the kernels. A backend may implement only some kernels: the rest fall back to
 * the reference `js` backend with one warning per kernel, instead of failing at run time.
 */
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';
import { createNativeBackend } from './native/index.js';
import { loadAddon } from './native/addon.js';
import { unknownName } from '../errors.js';

type BackendFactory = () => Partial<Backend> & { name: string };

const factories = new Map<string, BackendFactory>([['js', () => jsBackend], ['native', createNativeBackend]]);
const instances = new Map<string, Backend>();
let current: Backend | null = null;
const warned = new Set<string>();

/** Register a backend under a name; missing kernels fall back to `js`. */
export function registerBackend(name: string, factory: BackendFactory): void {
  factories.set(name, factory);
  instances.delete(name);
}

function complete(partial: Partial<Backend> & { name: string }): Backend {
  if (partial === jsBackend) return jsBackend;
  const full: Record<string, unknown> = {};
  for (const key of Object.keys(jsBackend) as (keyof Backend)[]) {
    const own = partial[key];
    if (own !== undefined) {
      full[key] = typeof own === 'function' ? (own as (...a: unknown[]) => unknown).bind(partial) : own;
    } else {
      const fallback = jsBackend[key];
      full[key] = typeof fallback === 'function'
        ? (...args: unknown[]) => {
          const tag = `${partial.name}:${String(key)}`;
          if (!warned.has(tag)) {
            warned.add(tag);
            process.emitWarning(`convkit: backend '${partial.name}' has no '${String(key)}' kernel; using the js kernel`);
          }
          partial.recording?.taint(`the js kernel ${String(key)}`);
          return (fallback as (...a: unknown[]) => unknown)(...args);
        }
        : fallback;
    }
  }
  full.name = partial.name;
  if (partial.recording) full.recording = partial.recording;
  return full as unknown as Backend;
}

export function listBackends(): string[] {
  return [...factories.keys()];
}

/** Select the backend by name ('js', or 'native' once its addon is loaded). */
export function setBackend(name: string): void {
  const factory = factories.get(name);
  if (!factory) throw unknownName('backend', name, listBackends());
  let inst = instances.get(name);
  if (!inst) {
    inst = complete(factory());
    instances.set(name, inst);
  }
  current = inst;
}

/**
 * The backend in use. Defaults to CONVKIT_BACKEND when set, else `native` when its addon loads, else
 * `js` with a one-line notice saying why.
 */
export function getBackend(): Backend {
  if (!current) {
    const wanted = process.env.CONVKIT_BACKEND;
    if (wanted) setBackend(wanted);
    else if (loadAddon().addon) setBackend('native');
    else {
      process.stderr.write(`convkit: native backend unavailable (${loadAddon().error}); using the slower js backend. Reinstall with a C++ compiler to build it.\n`);
      setBackend('js');
    }
  }
  return current as Backend;
}

/** Short alias used by ops. */
export const be = getBackend;
