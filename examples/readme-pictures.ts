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
import { fileURLToPath } from 'node:url';
import { run } from '../src/cli/main.js';
import { startDashboard } from '../src/dashboard/server.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const out = join(root, 'docs', 'pictures');
const work = join(out, '.work');
const CHROMIUM = '/usr/bin/chromium';

async function convkit(...args: string[]): Promise<void> {
  console.log(`$ convkit ${args.join(' ')}`);
  const code = await run(['node', 'convkit', ...args], (line) => console.log(`  ${line}`));
  if (code !== 0) throw new Error(`convkit ${args[0]} ${args[1] ?? ''} failed with exit code ${code}`);
}

async function dashboardScreenshot(logdir: string, file: string): Promise<void> {
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

async function main(): Promise<void> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const model = join(work, 'out', 'model.convkit');
  const logdir = join(work, 'runs');
  const p = (name: string) => join(out, name);

  await convkit('train', '--epochs', '6', '--max-samples', '6000', '--out', join(work, 'out'), '--logdir', join(logdir, 'lenet5'), '--quiet');
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
  await dashboardScreenshot('runs', p('dashboard.png'));
  rmSync(work, { recursive: true, force: true });
}

await main();
