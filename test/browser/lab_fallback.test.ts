// The lab in Chromium without WebGPU: a clear notice, and the same sweep trained on the edge API (the real Hono
// app with `decaylab serve`'s backend, in process) — started by keyboard, followed by polling, reopened from its
// ?sweep= address.
// Run on a phone-sized viewport: the page must not scroll sideways.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium, type LaunchedBrowser } from './chromium';
import { serveEdge, type TestEdge } from './serve_edge';
import { fillForm, logPageErrors, screenshot, summaryRows, waitForLab, waitForText, type SmallSweep } from './page_helpers';

const SWEEP: SmallSweep = { hidden: [16], lambdas: [0, 0.01], epochs: 2, batchSize: 64, trainSubset: 256, testSubset: 200, lr: 0.1 };
const PHONE = { width: 390, height: 844 };

let server: TestEdge;
let chromium: LaunchedBrowser;

beforeAll(async () => {
  server = await serveEdge({ train: SWEEP.trainSubset, test: SWEEP.testSubset });
  chromium = await launchChromium(false);
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

async function openPhonePage(url: string, hideGpu: boolean): Promise<Page> {
  const page = await chromium.context.newPage();
  logPageErrors(page);
  await page.setViewportSize(PHONE);
  // Chromium without --enable-unsafe-webgpu still defines navigator.gpu (it finds no adapter); browsers without
  // WebGPU at all lack the property, which this script reproduces.
  if (hideGpu) await page.addInitScript(() => delete (Navigator.prototype as { gpu?: unknown }).gpu);
  await page.goto(url);
  await waitForLab(page, ['idle', 'training', 'done'], 30_000);
  return page;
}

/** Names of the controls that Tab reaches, in order, starting from the top of the page. */
async function tabOrder(page: Page, presses: number): Promise<string[]> {
  // Clicking the heading moves the sequential-focus starting point to the top of the page.
  await page.locator('h1').click();
  const names: string[] = [];
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press('Tab');
    names.push(await page.evaluate(() => {
      const el = document.activeElement as HTMLInputElement | null;
      if (!el) return '';
      const label = el.closest('label')?.childNodes[0]?.textContent?.trim() ?? '';
      return el.tagName === 'BUTTON' ? el.textContent!.trim() : `${label || el.name}${el.type === 'checkbox' ? `:${el.value}` : ''}`;
    }));
  }
  return names;
}

describe('lab without WebGPU', () => {
  test('says why, and a browser without navigator.gpu gets the same notice', async () => {
    const page = await openPhonePage(server.url, true);
    expect(await page.evaluate(() => window.decaylab.engine)).toBe('edge');
    const notice = page.locator('#no-webgpu');
    expect(await notice.isVisible()).toBe(true);
    expect(await notice.textContent()).toContain('navigator.gpu is missing');
    expect(await notice.getAttribute('role')).toBe('alert');
    await page.close();
  });

  test('runs the sweep on the edge API, started from the keyboard, and reopens it from its address', async () => {
    const page = await openPhonePage(server.url, false);
    expect(await page.evaluate(() => window.decaylab.engine)).toBe('edge');
    const notice = await page.locator('#no-webgpu').textContent();
    expect(notice).toContain('WebGPU');
    expect(notice).toContain('edge API');

    // A bad value is refused with a message that names the field, and nothing is sent to the edge.
    await fillForm(page, { ...SWEEP, lambdas: [] });
    await page.getByLabel('λ / wd values').fill('0, -1');
    await page.getByRole('button', { name: 'Train' }).click();
    await waitForText(page, '#form-error', 'λ values: "-1" is not a number ≥ 0', 5_000);
    expect(server.requests.filter((r) => r.startsWith('POST'))).toEqual([]);

    await fillForm(page, SWEEP);
    // Keyboard only: the fields come in reading order and Enter on the Train button starts the sweep.
    const expected = ['Does weight decay curb overfitting?', 'L2 vs decoupled decay under Adam',
      'Hidden layers', 'Optimizer', 'Learning rate', 'Momentum (SGD)', 'mode:l2', 'mode:coupled', 'mode:decoupled',
      'λ / wd values', 'Epochs', 'Batch size', 'Training subset', 'Test subset', 'Seed', 'Train'];
    const order = await tabOrder(page, expected.length);
    expect(order.map((n, i) => (n.startsWith(expected[i]) ? expected[i] : n)), 'tab order').toEqual(expected);
    await page.keyboard.press('Enter');

    await waitForLab(page, ['done', 'error'], 120_000);
    expect(server.requests).toContain('POST /v1/sweeps');
    const url = new URL(page.url());
    const ids = url.searchParams.get('sweep')?.split(',') ?? [];
    expect(ids).toHaveLength(1);

    // The table shows the edge's numbers: each run's last test accuracy, as the API reports it.
    const sweep = (await (await fetch(`${server.url}v1/sweeps/${ids[0]}`)).json()) as {
      status: string; rows: { coefficient: number; testAccuracy: number }[];
    };
    expect(sweep.status).toBe('completed');
    const rows = await summaryRows(page);
    expect(rows.map((r) => r.run)).toEqual(SWEEP.lambdas.map((l) => `wd=${l}`));
    rows.forEach((row, i) => expect(row.testAccuracy).toBe(sweep.rows[i].testAccuracy));
    const { results } = await page.evaluate(() => ({ results: window.decaylab.results! }));
    expect(results.engine).toBe('edge');
    for (const run of results.runs) {
      expect(run.history).toHaveLength(SWEEP.epochs);
      expect(run.history.at(-1)!.trainLoss, `${run.label}: train loss falls over the epochs`).toBeLessThan(run.history[0].trainLoss);
    }

    // Readable on a phone: nothing wider than the screen.
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }));
    expect(widths.page, 'the page scrolls sideways on a 390 px screen').toBeLessThanOrEqual(widths.screen);
    console.log(`screenshot: ${await screenshot(page, 'lab-fallback-phone.png')}`);

    const reopened = await openPhonePage(url.href, false);
    await waitForLab(reopened, ['done', 'error'], 30_000);
    expect(await summaryRows(reopened)).toEqual(rows);
    await reopened.close();
    await page.close();
  });
});
