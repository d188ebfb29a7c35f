// The lab against an API with bearer tokens configured (the real `decaylab serve` backend, in process), in Chromium
// without WebGPU so that training falls back to the edge: without a token the page says the API needs one and where to
// enter it; with it the fallback trains, the sweep's address reopens, and results trained in the page are saved and
// reopened. Another token's results are reported as not found for that token. The token never enters an address.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium, type LaunchedBrowser } from './chromium';
import { serveEdge, type TestEdge } from './serve_edge';
import { fillForm, logPageErrors, screenshot, summaryRows, waitForLab, waitForText, type SmallSweep } from './page_helpers';

const SWEEP: SmallSweep = { hidden: [16], lambdas: [0, 0.01], epochs: 2, batchSize: 64, trainSubset: 256, testSubset: 200, lr: 0.1 };
const TOKEN = 'lab-token-7f3a';
const OTHER = 'other-token-91c2';

let server: TestEdge;
let chromium: LaunchedBrowser;

beforeAll(async () => {
  server = await serveEdge({ train: SWEEP.trainSubset, test: SWEEP.testSubset }, [TOKEN, OTHER]);
  chromium = await launchChromium(false);
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

/** Opens `url` with `token` (or none) in this browser's storage, as a visitor who entered it earlier would have. */
async function openWithToken(url: string, token: string | null): Promise<Page> {
  const page = await chromium.context.newPage();
  logPageErrors(page);
  // localStorage belongs to the origin: set it from a page there, then load the address itself.
  await page.goto(server.url);
  await page.evaluate((t) => (t === null ? localStorage.removeItem('decaylab-api-token') : localStorage.setItem('decaylab-api-token', t)), token);
  // Via about:blank: an address that differs from the first only in its hash would not load the page afresh.
  await page.goto('about:blank');
  await page.goto(url);
  await page.waitForFunction(() => window.decaylab !== undefined && window.decaylab.state !== 'starting', null, { timeout: 30_000 });
  return page;
}

async function waitForError(page: Page, timeout: number): Promise<string> {
  await page.waitForFunction(() => window.decaylab.state === 'error', null, { timeout });
  return page.evaluate(() => window.decaylab.error!);
}

async function enterToken(page: Page, token: string): Promise<void> {
  await page.getByLabel('API token', { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Use this token' }).click();
}

/** The Authorization headers the server received on requests matching `pattern`. */
function authorizationsOf(pattern: RegExp): (string | null)[] {
  return server.requests.flatMap((r, i) => (pattern.test(r) ? [server.authorizations[i]] : []));
}

describe('lab with an API that needs a bearer token', () => {
  test('without a token it says so; with one the edge fallback trains and its address reopens', async () => {
    const page = await openWithToken(server.url, null);
    expect(await page.evaluate(() => window.decaylab.engine)).toBe('edge');
    expect(await page.locator('#token-status').textContent()).toContain('No token saved');

    await fillForm(page, SWEEP);
    await page.getByRole('button', { name: 'Train' }).click();
    const error = await waitForError(page, 20_000);
    expect(error).toContain('this decaylab API needs an API token (HTTP 401');
    expect(error).toContain('Enter yours under “Edge API token”');
    expect(await page.locator('#status').textContent()).toContain('needs an API token');
    // The message sits beside the token field too, as an alert, and the cursor is in the field.
    expect(await page.locator('#token-status').textContent()).toBe(error);
    expect(await page.locator('#token-status').getAttribute('role')).toBe('alert');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe('token');
    expect(authorizationsOf(/^POST \/v1\/sweeps$/)).toEqual([null]);
    console.log(`screenshot: ${await screenshot(page, 'lab-token-needed.png')}`);

    // A token with a space is refused by the page itself, naming the problem.
    await enterToken(page, 'two words');
    await waitForText(page, '#token-status', 'API token: contains spaces or line breaks', 5_000);
    expect(await page.evaluate(() => localStorage.getItem('decaylab-api-token'))).toBeNull();

    await enterToken(page, TOKEN);
    await waitForText(page, '#token-status', `ending in …${TOKEN.slice(-4)} is saved in this browser`, 5_000);
    expect(await page.getByLabel('API token', { exact: true }).inputValue(), 'the field is emptied once saved').toBe('');
    expect(await page.evaluate(() => localStorage.getItem('decaylab-api-token'))).toBe(TOKEN);

    await page.getByRole('button', { name: 'Train' }).click();
    await waitForLab(page, ['done', 'error'], 120_000);
    const results = await page.evaluate(() => window.decaylab.results!);
    expect(results.engine).toBe('edge');
    expect(results.runs.map((r) => r.history.length)).toEqual(SWEEP.lambdas.map(() => SWEEP.epochs));
    // Every request of the successful attempt carried the token: the sweep, its polling, each run's metrics.
    const sent = authorizationsOf(/^(POST \/v1\/sweeps|GET \/v1\/sweeps\/|GET \/v1\/runs\/)/);
    expect(sent.length).toBeGreaterThan(3);
    expect(sent.slice(1)).toEqual(sent.slice(1).map(() => `Bearer ${TOKEN}`));
    const shared = page.url();
    expect(shared).toContain('?sweep=');
    expect(shared, 'the token never enters the address').not.toContain(TOKEN);
    const rows = await summaryRows(page);
    await page.close();

    // Reopened in a browser without the token: the page asks for it, then opens the address by itself once given.
    const reopened = await openWithToken(shared, null);
    expect(await waitForError(reopened, 20_000)).toContain('needs an API token (HTTP 401');
    await enterToken(reopened, TOKEN);
    await waitForLab(reopened, ['done', 'error'], 30_000);
    expect(await summaryRows(reopened)).toEqual(rows);
    await reopened.close();
  });

  test('results trained in the page are saved with the token; another token’s or an unknown token’s visit is told why it fails', async () => {
    // ?engine=cpu trains in the page (no WebGPU here): the MNIST download and the save both need the token.
    const page = await openWithToken(`${server.url}?engine=cpu`, TOKEN);
    expect(await page.evaluate(() => window.decaylab.engine)).toBe('cpu');
    await fillForm(page, SWEEP);
    await page.getByRole('button', { name: 'Train' }).click();
    await waitForLab(page, ['done', 'error'], 120_000);
    await page.getByRole('button', { name: 'Save results to the edge' }).click();
    await waitForText(page, '#share', '#/results/', 10_000);
    const shared = page.url();
    expect(shared).toMatch(/#\/results\/[A-Za-z0-9_-]+$/);
    expect(shared).not.toContain(TOKEN);
    expect(authorizationsOf(/^GET \/v1\/datasets\/mnist$/)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(authorizationsOf(/^POST \/v1\/lab-results$/)).toEqual([`Bearer ${TOKEN}`]);
    const rows = await summaryRows(page);
    await page.close();

    const mine = await openWithToken(shared, TOKEN);
    await waitForText(mine, '#status', 'Showing saved results', 20_000);
    expect(await summaryRows(mine)).toEqual(rows);
    await mine.close();

    // Another valid token: the API answers 404 (it does not reveal other tokens' results) and the page says what that can mean.
    const other = await openWithToken(shared, OTHER);
    const notFound = await waitForError(other, 20_000);
    expect(notFound).toContain('not found (HTTP 404');
    expect(notFound).toContain('belongs to another API token than the one saved in this browser');
    await other.close();

    // A token the API does not know: refused, and said so.
    const wrong = await openWithToken(shared, 'not-a-configured-token');
    expect(await waitForError(wrong, 20_000)).toContain('the API refused the API token saved in this browser (HTTP 401');
    await wrong.close();
  });
});
