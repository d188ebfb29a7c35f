// POST/GET /v1/lab-results on the Worker: saved to R2 as posted, reopened by id, owner-scoped, validated with the
// page's checks (naming the field), over-size bodies refused with 413. The Worker's static assets serve the page.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, json, TOKEN_B } from './helpers';
import { expectProblem } from '../helpers/problem';

function labResults(runs = 2) {
  return {
    version: 1,
    engine: 'gpu',
    config: { hidden: [32], lambdas: [0, 0.01] },
    runs: Array.from({ length: runs }, (_, i) => ({
      label: `l2 λ=${i}`, mode: 'l2', coefficient: i / 100,
      history: [{ epoch: 0, step: 0, trainLoss: 2.3, trainAccuracy: 0.1, testLoss: 2.31, testAccuracy: 0.09, weightNorms: [9.1, 3.2] }],
      chunkLosses: [{ step: 8, loss: 2.1 - i / 10 }],
      histogram: { edges: [-1, 0, 1], counts: [5, 7] },
    })),
    stepsPerSecond: 27.5,
    createdAt: '2026-11-26T06:00:00.000Z',
  };
}


describe('lab results', () => {
  it('saves results to R2 and reopens them unchanged, for their owner only', async () => {
    const sent = labResults();
    const saved = await api('/v1/lab-results', { method: 'POST', json: sent });
    expect(saved.status, await saved.clone().text()).toBe(201);
    const { id } = await json<{ id: string }>(saved);
    expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    const object = await env.LAB_RESULTS.get((await env.LAB_RESULTS.list({ prefix: 'lab-results/' })).objects.find((o) => o.key.endsWith(`/${id}.json`))!.key);
    expect(JSON.parse(await object!.text())).toEqual(sent);

    const back = await api(`/v1/lab-results/${id}`);
    expect(back.status).toBe(200);
    expect(back.headers.get('content-type')).toContain('application/json');
    expect(await back.json()).toEqual(sent);
    await expectProblem(await api(`/v1/lab-results/${id}`, { token: TOKEN_B }), 404);
    await expectProblem(await api('/v1/lab-results/0123456789abcdef0123456789abcdef'), 404);
    await expectProblem(await api('/v1/lab-results/not%20an%20id'), 404);
  });

  it('refuses results the page could not reopen, naming the field', async () => {
    const stored = async () => (await env.LAB_RESULTS.list({ prefix: 'lab-results/' })).objects.length;
    const before = await stored();
    const bad = (patch: (r: any) => void) => {
      const r: any = labResults();
      patch(r);
      return api('/v1/lab-results', { method: 'POST', json: r });
    };
    await expectProblem(await bad((r) => (r.version = 2)), 422, 'version');
    await expectProblem(await bad((r) => delete r.config), 422, 'config');
    await expectProblem(await bad((r) => (r.runs = [])), 422, 'runs');
    await expectProblem(await bad((r) => (r.runs[1].chunkLosses = null)), 422, 'runs.1.chunkLosses');
    await expectProblem(await bad((r) => (r.runs[0].history[0].testAccuracy = '0.9')), 422, 'runs.0.history.0.testAccuracy');
    await expectProblem(await api('/v1/lab-results', { method: 'POST', body: '{"version":1', headers: { 'content-type': 'application/json' } }), 400, '(body)');
    expect(await stored()).toBe(before);
  });

  it('refuses a body over maxLabResultsBytes (512 KiB here) with 413, though it is valid', async () => {
    const big: any = labResults();
    big.runs[0].chunkLosses = Array.from({ length: 20_000 }, (_, i) => ({ step: i, loss: 1 + i / 1e5 }));
    expect(JSON.stringify(big).length).toBeGreaterThan(512 * 1024);
    await expectProblem(await api('/v1/lab-results', { method: 'POST', json: big }), 413, '(body)');
    // The separate limit lets results outgrow the 256 KiB JSON limit of the other routes.
    big.runs[0].chunkLosses = big.runs[0].chunkLosses.slice(0, 12_000);
    expect(JSON.stringify(big).length).toBeGreaterThan(256 * 1024);
    expect((await api('/v1/lab-results', { method: 'POST', json: big })).status).toBe(201);
  });
});

describe('static assets', () => {
  it('has the built page as its assets (dist/web) while /v1 and /healthz stay the API', async () => {
    // SELF reaches the script directly in this test pool, so the page is read through the assets binding.
    const page = await env.ASSETS.fetch('http://decaylab.test/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('decaylab');
    expect((await api('/healthz', { token: null })).status).toBe(200);
    await expectProblem(await api('/v1/no-such-route'), 404);
  });
});
