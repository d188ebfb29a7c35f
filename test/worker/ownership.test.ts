// Bearer tokens: required everywhere but /healthz; a second token can neither see nor touch the first token's things.
import { describe, expect, it } from 'vitest';
import { encodeIdx } from '../../src/data/idx';
import { TOKEN_B, api, json, smallRunRequest } from './helpers';

describe('auth and ownership', () => {
  it('requires a valid bearer token except on /healthz', async () => {
    expect((await api('/healthz', { token: null })).status).toBe(200);
    const missing = await api('/v1/datasets', { token: null });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect((await json(missing)).field).toBe('authorization');
    expect((await api('/v1/datasets', { token: 'not-a-token' })).status).toBe(401);
    expect((await api('/v1/openapi.json', { token: null })).status).toBe(401);
  });

  it("hides one token's run and dataset from another (404, never 403)", async () => {
    const run = await json(await api('/v1/runs', { method: 'POST', json: smallRunRequest({ epochs: 1 }) }));
    expect(run.id).toBeTruthy();
    for (const [method, path] of [['GET', ''], ['GET', '/metrics'], ['GET', '/weights'], ['GET', '/events'], ['DELETE', '']] as const) {
      expect((await api(`/v1/runs/${run.id}${path}`, { method, token: TOKEN_B })).status, `${method} ${path}`).toBe(404);
    }
    expect((await api(`/v1/runs/${run.id}/evaluate`, { method: 'POST', json: {}, token: TOKEN_B })).status).toBe(404);
    expect((await api(`/v1/runs/${run.id}/predict`, { method: 'POST', json: { features: [[0, 0, 0, 0, 0]] }, token: TOKEN_B })).status).toBe(404);
    // B's DELETE touched nothing: A still sees the run.
    expect((await api(`/v1/runs/${run.id}`)).status).toBe(200);

    const body = new Uint8Array([...encodeIdx([4, 1, 2], new Uint8Array(8).fill(1)), ...encodeIdx([4], new Uint8Array([0, 1, 0, 1]))]);
    const put = await api('/v1/datasets/private-set?split=train', { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
    expect(put.status, await put.clone().text()).toBe(201);
    const mine = (await json(await api('/v1/datasets'))).datasets.map((d: any) => d.name);
    const theirs = (await json(await api('/v1/datasets', { token: TOKEN_B }))).datasets.map((d: any) => d.name);
    expect(mine).toContain('private-set');
    expect(theirs).not.toContain('private-set');
    const use = await api('/v1/runs', { method: 'POST', json: { ...smallRunRequest(), dataset: { name: 'private-set' } }, token: TOKEN_B });
    expect(use.status).toBe(422);
    expect((await json(use)).field).toBe('dataset.name');
  });
});
