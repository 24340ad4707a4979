/**
 * The dashboard end to end in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core,
 * which never downloads a browser): a real `convkit train --logdir` run appears on the open page, its
 * curves grow while it trains, and the explorer classifies an uploaded digit and draws its feature maps.
 *
 * Training LeNet-5 on 1,500 digits takes well under a second on the native backend — less than one
 * poll of the dashboard — so the trainer is paused (SIGSTOP) as soon as its first records are on disk
 * and resumed (SIGCONT) once the page shows them: the page is then seen mid-run on either backend,
 * without relying on timing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

import { spawnConvkit } from '../helpers/cli.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { saveImg } from '../../src/data/image.js';
import { loadEmbeddedMnist } from '../../src/data/mnist_embedded.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Complete lines in a file written by the trainer (0 while it does not exist). */
function completeLines(path: string): number {
  try {
    return readFileSync(path, 'utf8').split('\n').length - 1;
  } catch {
    return 0;
  }
}

async function pointsOf(page: Page): Promise<number> {
  return Number(await page.getAttribute('[data-testid=loss-chart]', 'data-points'));
}

describe('dashboard in a browser', () => {
  it('follows a training run live and explores an uploaded digit', { timeout: 300_000 }, async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: the dashboard's end-to-end tests need Debian's chromium package; .ci/run installs it (apt-get install chromium)`);

    const tmp = mkdtempSync(join(tmpdir(), 'convkit-e2e-'));
    const logdir = join(tmp, 'runs');
    const runDir = join(logdir, 'lenet');
    mkdirSync(logdir);
    const digitPng = join(tmp, 'digit-7.png');
    const mnist = loadEmbeddedMnist();
    const k = mnist.yTest.indexOf(7);
    await saveImg(digitPng, { data: mnist.xTest.slice(k * 784, (k + 1) * 784), width: 28, height: 28, channels: 1 });

    let dash: Dashboard | null = null;
    let context: BrowserContext | null = null;
    let child: ReturnType<typeof spawnConvkit> | null = null;
    const pageErrors: string[] = [];
    try {
      dash = await startDashboard({ logdir, port: 0, pollMs: 250, log: () => undefined });
      context = await chromium.launchPersistentContext(join(tmp, 'chromium-profile'), {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        viewport: { width: 1360, height: 1000 },
      });
      const page = context.pages()[0] ?? await context.newPage();
      page.setDefaultTimeout(60_000);
      page.on('pageerror', (e) => pageErrors.push(e.message));
      // Everything the page loads comes from the dashboard itself.
      const foreign: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(dash!.url) && !r.url().startsWith('data:')) foreign.push(r.url());
      });
      await page.goto(dash.url);
      await page.getByText('No runs in').waitFor();
      await page.waitForSelector('[data-testid=connection]:text("live")');

      child = spawnConvkit(['train', '--epochs', '2', '--max-samples', '1500', '--batch-size', '32', '--logdir', runDir, '--out', join(tmp, 'out'), '--quiet']);
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));

      // Pause the trainer once its first batch records are on disk.
      const scalarsPath = join(runDir, 'scalars.jsonl');
      const deadline = Date.now() + 120_000;
      while (completeLines(scalarsPath) < 2) {
        assert.ok(child.exitCode === null, `training ended before writing scalars: ${stderr}`);
        assert.ok(Date.now() < deadline, 'no scalars written within 2 minutes');
        await sleep(5);
      }
      child.kill('SIGSTOP');

      // The run appears without a reload, marked running, with its first points plotted.
      await page.waitForSelector('[data-testid=runs] [data-status=running]');
      await page.waitForFunction(() => Number(document.querySelector('[data-testid=loss-chart]')?.getAttribute('data-points')) > 0);
      const before = await pointsOf(page);
      assert.ok(before > 0);
      assert.equal(await page.textContent('[data-testid=runs] .status'), 'running');

      // Training goes on: the page gets the new records over the event stream and plots more points.
      child.kill('SIGCONT');
      await page.waitForFunction((n) => Number(document.querySelector('[data-testid=loss-chart]')?.getAttribute('data-points')) > n, before);
      assert.ok((await pointsOf(page)) > before);
      assert.equal(await exited, 0, stderr);
      await page.waitForSelector('[data-testid=runs] [data-status=finished]');
      // 2 epochs of ceil(1350 / 32) = 43 batches, plus one validation point per epoch.
      await page.waitForFunction(() => Number(document.querySelector('[data-testid=loss-chart]')?.getAttribute('data-points')) === 2 * 43 + 2);

      // The explorer: upload a digit, see the top-5 prediction and a layer's feature maps.
      await page.click('[data-tab=maps]');
      await page.setInputFiles('[data-testid=upload]', digitPng);
      await page.waitForSelector('[data-testid=top5] li:nth-child(5)');
      assert.equal(await page.locator('[data-testid=top5] li').count(), 5);
      await page.waitForSelector('[data-testid=explorer-maps]');
      const ink = await page.$eval('[data-testid=explorer-maps]', (el) => {
        const c = el as HTMLCanvasElement;
        const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let lit = 0;
        const levels = new Set<number>();
        for (let i = 0; i < px.length; i += 4) {
          if (px[i + 3] === 255 && px[i] > 0) lit++;
          if (px[i + 3] === 255) levels.add(px[i]);
        }
        return { width: c.width, height: c.height, lit, levels: levels.size };
      });
      assert.ok(ink.width > 0 && ink.height > 0);
      assert.ok(ink.lit > 100, `feature maps drawn: ${JSON.stringify(ink)}`);
      assert.ok(ink.levels > 8, `feature maps have shades: ${JSON.stringify(ink)}`);

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(foreign, []);
    } finally {
      if (child && child.exitCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
      await context?.close().catch(() => undefined);
      await dash?.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
