// Shared steps of the lab's browser tests: filling the sweep form, waiting for the page's engine, reading its table.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import type { LabConfig } from '../../src/web/lab_config';

export const SCREENSHOTS = resolve(import.meta.dirname, '../../test-results');

export type SmallSweep = Pick<LabConfig, 'hidden' | 'lambdas' | 'epochs' | 'batchSize' | 'trainSubset' | 'testSubset' | 'lr'>;

/** Types the config through the form, as a person would: the test covers readForm too. */
export async function fillForm(page: Page, c: SmallSweep): Promise<void> {
  await page.getByLabel('Hidden layers').fill(c.hidden.join(', '));
  await page.getByLabel('λ / wd values').fill(c.lambdas.join(', '));
  await page.getByLabel('Learning rate').fill(String(c.lr));
  await page.getByLabel('Epochs').fill(String(c.epochs));
  await page.getByLabel('Batch size').fill(String(c.batchSize));
  await page.getByLabel('Training subset').fill(String(c.trainSubset));
  await page.getByLabel('Test subset').fill(String(c.testSubset));
}

/** Waits until the page has finished (or failed) and throws with the page's own error text if it failed. */
export async function waitForLab(page: Page, states: string[], timeout: number): Promise<void> {
  await page.waitForFunction((s) => window.decaylab !== undefined && s.includes(window.decaylab.state), states, { timeout });
  const { state, error } = await page.evaluate(() => ({ state: window.decaylab.state, error: window.decaylab.error }));
  if (state === 'error') throw new Error(`the lab page reported an error: ${error}`);
}

export interface SummaryRow {
  run: string;
  cells: string[];
  testAccuracy: number;
  testLoss: number;
}

export async function summaryRows(page: Page): Promise<SummaryRow[]> {
  return page.$$eval('#summary tbody tr', (rows) =>
    rows.map((row) => ({
      run: row.querySelector('th')?.textContent ?? '',
      cells: [...row.querySelectorAll('td')].map((td) => td.textContent ?? ''),
      testAccuracy: Number((row as HTMLElement).dataset.testAccuracy),
      testLoss: Number((row as HTMLElement).dataset.testLoss),
    })),
  );
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = resolve(SCREENSHOTS, name);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Forwards the page's console errors to the test output: the first place to look when a browser test fails. */
export function logPageErrors(page: Page): void {
  page.on('console', (m) => {
    if (m.type() === 'error') console.error(`[page] ${m.text()}`);
  });
  page.on('pageerror', (e) => console.error(`[page] uncaught: ${e.message}`));
}

/** Waits until the element's text contains `text`; the error shows the text it had instead. */
export async function waitForText(page: Page, selector: string, text: string, timeout: number): Promise<void> {
  try {
    await page.waitForFunction(([sel, t]) => document.querySelector(sel)?.textContent?.includes(t) ?? false, [selector, text] as const, { timeout });
  } catch {
    throw new Error(`${selector} never contained "${text}"; it reads: "${await page.locator(selector).textContent()}"`);
  }
}

/** Starts measuring how long the page's main thread goes without running a timer (a frozen page never does). */
export async function startBlockingProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const probe = { longest: 0, started: performance.now(), last: performance.now(), running: true };
    (window as unknown as { blockingProbe: typeof probe }).blockingProbe = probe;
    const tick = (): void => {
      const now = performance.now();
      probe.longest = Math.max(probe.longest, now - probe.last);
      probe.last = now;
      if (probe.running) setTimeout(tick, 5);
    };
    setTimeout(tick, 5);
  });
}

export async function stopBlockingProbe(page: Page): Promise<{ longestBlockMs: number; trainingMs: number }> {
  return page.evaluate(() => {
    const probe = (window as unknown as { blockingProbe: { longest: number; started: number; running: boolean } }).blockingProbe;
    probe.running = false;
    return { longestBlockMs: probe.longest, trainingMs: performance.now() - probe.started };
  });
}
