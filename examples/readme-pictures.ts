/**
 * Makes the README's pictures (docs/pictures/): trains LeNet-5 on the embedded MNIST digits with
 * `convkit train --logdir`, then runs each `convkit visualize` command on the result, and, when
 * Debian's chromium is installed, screenshots `convkit dashboard` showing that run.
 *
 *   npm run pictures          (about a minute on the native backend)
 *
 * Every picture comes from the same commands a user types; nothing is drawn by hand.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { run } from '../src/cli/main.js';
import { startDashboard } from '../src/dashboard/server.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

/** The README's pictures, and what `npm run pictures` trains to make them. */
export const README_PICTURES = {
  out: join(root, 'docs', 'pictures'),
  epochs: 6,
  maxSamples: 6000,
};

/** The files main() writes (dashboard.png only where chromium is installed). */
export const PICTURE_FILES = [
  'samples.png', 'feature-maps.png', 'feature-maps-pooled.png', 'filters.png', 'curves.png', 'graph.svg', 'erf.png', 'saliency.png', 'confusion.png', 'dashboard.png',
] as const;

async function convkit(...args: string[]): Promise<void> {
  console.log(`$ convkit ${args.join(' ')}`);
  const code = await run(['node', 'convkit', ...args], (line) => console.log(`  ${line}`));
  if (code !== 0) throw new Error(`convkit ${args[0]} ${args[1] ?? ''} failed with exit code ${code}`);
}

async function dashboardScreenshot(logdir: string, file: string, work: string): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.log(`(skipping the dashboard screenshot: ${CHROMIUM} is not installed; apt-get install chromium)`);
    return;
  }
  const { chromium } = await import('playwright-core');
  const dash = await startDashboard({ logdir, port: 0, log: () => undefined });
  const context = await chromium.launchPersistentContext(join(work, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(dash.url);
    await page.waitForSelector('[data-testid=runs] [data-status=finished]');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=loss-chart]')?.getAttribute('data-points')) > 0);
    await page.click('[data-tab=maps]');
    await page.click('.explorer .digits button:nth-child(8)');
    await page.waitForSelector('[data-testid=top5] li:nth-child(5)');
    await page.screenshot({ path: file, fullPage: true });
    console.log(`$ convkit dashboard --logdir ${logdir}\n  screenshot ${file}`);
  } finally {
    await context.close();
    await dash.close();
  }
}

export async function main({ out, epochs, maxSamples } = README_PICTURES): Promise<void> {
  const work = join(out, '.work');
  const cwd = process.cwd();
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const model = join(work, 'out', 'model.convkit');
  const logdir = join(work, 'runs');
  const p = (name: string) => join(out, name);

  await convkit('train', '--epochs', String(epochs), '--max-samples', String(maxSamples), '--out', join(work, 'out'), '--logdir', join(logdir, 'lenet5'), '--quiet');
  await convkit('visualize', 'samples', '--rows', '3', '--cols', '8', '--out', p('samples.png'));
  await convkit('visualize', 'feature-maps', model, '--layer', 'conv2d', '--index', '0', '--out', p('feature-maps.png'));
  await convkit('visualize', 'feature-maps', model, '--layer', 'max_pooling2d_1', '--index', '0', '--out', p('feature-maps-pooled.png'));
  await convkit('visualize', 'filters', model, '--layer', 'conv2d', '--out', p('filters.png'));
  await convkit('visualize', 'curves', join(work, 'out', 'history.json'), '--out', p('curves.png'));
  await convkit('visualize', 'graph', model, '--out', p('graph.svg'));
  await convkit('visualize', 'graph', 'resnet50', '--out', join(work, 'resnet50.svg'));
  await convkit('visualize', 'receptive-field', model);
  await convkit('visualize', 'erf', model, '--layer', 'conv2d_1', '--out', p('erf.png'));
  await convkit('visualize', 'saliency', model, '--index', '3', '--out', p('saliency.png'));
  await convkit('visualize', 'confusion', model, '--out', p('confusion.png'));
  // The page shows the log directory as given: a relative one, as a user would type it.
  process.chdir(work);
  try {
    await dashboardScreenshot('runs', p('dashboard.png'), work);
  } finally {
    process.chdir(cwd);
  }
  rmSync(work, { recursive: true, force: true });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
