/**
 * The page's files: assets/dashboard/ in the package root plus three browser files vendored from
 * node_modules (preact + hooks + htm in one ES module, and uPlot's ES module and stylesheet). Only names
 * in the allow-list below are served, mapped to fixed paths: a request path is never joined to a
 * directory, so `../` in a URL cannot reach any other file. Nothing is loaded from a CDN.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRoot } from '../backend/native/addon.js';

const require = createRequire(import.meta.url);

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export function contentTypeOf(name: string): string {
  const ext = name.slice(name.lastIndexOf('.'));
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/**
 * A package's directory from its main entry. htm's "exports" hides package.json and its preact/ folder
 * from require.resolve, so the directory is found from the main file and checked by name.
 */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === name) return dir;
    } catch {
      // not the package directory yet
    }
    dir = dirname(dir);
  }
  throw new Error(`cannot find the directory of the ${name} package`);
}

/** URL name under /assets/ → file on disk. */
function assetTable(): Map<string, string> {
  const own = join(packageRoot(), 'assets', 'dashboard');
  const table = new Map<string, string>([
    ['index.html', join(own, 'index.html')],
    ['app.js', join(own, 'app.js')],
    ['style.css', join(own, 'style.css')],
  ]);
  try {
    table.set('preact-htm.js', join(packageDir('htm'), 'preact', 'standalone.module.js'));
  } catch {
    // reported when requested: the page then says what is missing
  }
  try {
    table.set('uPlot.esm.js', require.resolve('uplot/dist/uPlot.esm.js'));
    table.set('uPlot.min.css', require.resolve('uplot/dist/uPlot.min.css'));
  } catch {
    // as above
  }
  return table;
}

let table: Map<string, string> | null = null;

/** The names the page may load from /assets/. */
export function assetNames(): string[] {
  table ??= assetTable();
  return [...table.keys()];
}

/** The bytes and content type of an allow-listed asset, or null for any other name. */
export async function readAsset(name: string): Promise<{ body: Buffer; contentType: string } | null> {
  table ??= assetTable();
  const path = table.get(name);
  if (path === undefined) return null;
  return { body: await readFile(path), contentType: contentTypeOf(name) };
}
