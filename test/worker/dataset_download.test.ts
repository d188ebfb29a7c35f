// GET /v1/datasets/:name — the download the lab page makes: the stored form, cut to the first `take` samples by
// R2 range reads, owner-scoped (another token's dataset is a 404, the shared ones are everyone's), params validated.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { decodeDatasetBlob, encodeDatasetBlob } from '../../src/api/datasets/dataset_blob';
import { encodeIdx } from '../../src/data/idx';
import { syntheticImages } from '../../src/data/synthetic';
import { api, TOKEN_B } from './helpers';
import { expectProblem } from '../helpers/problem';


const download = async (path: string, token?: string) => {
  const r = await api(path, { token });
  expect(r.status, r.status === 200 ? '' : await r.clone().text()).toBe(200);
  return { response: r, ds: decodeDatasetBlob(new Uint8Array(await r.arrayBuffer())) };
};

describe('dataset download', () => {
  it('returns the first take samples of the uploaded split, bit for bit, keeping the class count', async () => {
    const source = syntheticImages(64, 6, 4, 5);
    const body = new Uint8Array([...encodeIdx([64, 6, 6], source.features as Uint8Array), ...encodeIdx([64], source.labels)]);
    const put = await api('/v1/datasets/glyphs?split=train&classes=4', { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
    expect(put.status, await put.clone().text()).toBe(201);

    const { response, ds } = await download('/v1/datasets/glyphs?split=train&take=10');
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('cache-control')).toContain('max-age=');
    expect([ds.count, ds.dim, ds.classes]).toEqual([10, 36, 4]);
    expect(ds.features).toBeInstanceOf(Uint8Array);
    expect(Array.from(ds.features)).toEqual(Array.from(source.features.subarray(0, 10 * 36)));
    expect(Array.from(ds.labels)).toEqual(Array.from(source.labels.subarray(0, 10)));

    // No take, or more than there is: the whole split.
    for (const path of ['/v1/datasets/glyphs?split=train', '/v1/datasets/glyphs?split=train&take=1000']) {
      const whole = (await download(path)).ds;
      expect(whole.count).toBe(64);
      expect(Array.from(whole.labels)).toEqual(Array.from(source.labels));
    }
    // Another token sees nothing of it.
    await expectProblem(await api('/v1/datasets/glyphs?split=train&take=10', { token: TOKEN_B }), 404);
    await expectProblem(await api('/v1/datasets/glyphs?split=test'), 404);
  });

  it('serves shared (public) datasets to every token', async () => {
    const shared = syntheticImages(12, 4, 3, 9);
    await env.DATASETS.put('datasets/public/commons/test.dlds', encodeDatasetBlob(shared));
    const { ds } = await download('/v1/datasets/commons?split=test&take=5', TOKEN_B);
    expect(ds.count).toBe(5);
    expect(Array.from(ds.labels)).toEqual(Array.from(shared.labels.subarray(0, 5)));
  });

  it('refuses bad parameters naming the field, and unauthenticated requests', async () => {
    await expectProblem(await api('/v1/datasets/glyphs?split=validation'), 422, 'query.split');
    for (const take of ['0', '-3', '2.5', 'many']) await expectProblem(await api(`/v1/datasets/glyphs?take=${take}`), 422, 'query.take');
    await expectProblem(await api('/v1/datasets/Not%20A%20Name?split=train'), 404);
    await expectProblem(await api('/v1/datasets/glyphs?split=train', { token: null }), 401, 'authorization');
  });
});
