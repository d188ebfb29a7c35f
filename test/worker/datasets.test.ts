// Datasets in R2: IDX (images then labels) and CSV uploads stored compact, listed, and trained on by name.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { encodeIdx } from '../../src/data/idx';
import { syntheticImages } from '../../src/data/synthetic';
import { api, json, waitForRun } from './helpers';

function idxBody(count: number, seed: number): Uint8Array {
  const ds = syntheticImages(count, 6, 4, seed);
  return new Uint8Array([...encodeIdx([count, 6, 6], ds.features as Uint8Array), ...encodeIdx([count], ds.labels)]);
}

describe('datasets', () => {
  it('stores IDX splits compactly in R2 and trains on them by name', async () => {
    const put = (split: string, body: Uint8Array) =>
      api(`/v1/datasets/shapes?split=${split}&classes=4`, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
    const train = await put('train', idxBody(64, 1));
    expect(train.status, await train.clone().text()).toBe(201);
    expect(await json(train)).toMatchObject({ name: 'shapes', split: 'train', count: 64, dim: 36, classes: 4, dtype: 'uint8', shared: false });
    expect((await put('test', idxBody(20, 2))).status).toBe(201);
    const listed = (await json(await api('/v1/datasets'))).datasets.filter((d: any) => d.name === 'shapes');
    expect(listed.map((d: any) => d.split).sort()).toEqual(['test', 'train']);
    // uint8 stays uint8: 64·36 pixel bytes + 64 labels + a small header.
    const objects = await env.DATASETS.list({ prefix: 'datasets/' });
    const trainObject = objects.objects.find((o) => o.key.endsWith('/shapes/train.dlds'))!;
    expect(trainObject.size).toBeLessThan(64 * 36 + 64 + 128);

    const run = await json(await api('/v1/runs', {
      method: 'POST',
      json: { model: { hidden: [10] }, optimizer: { kind: 'adamw', lr: 0.01 }, epochs: 2, batchSize: 16, dataset: { name: 'shapes', take: 48, testTake: 10 } },
    }));
    expect(run.config.spec).toEqual({ inputSize: 36, hidden: [10], classes: 4 });
    expect(run.config.decay.mode).toBe('decoupled');
    expect(run.totalSteps).toBe(6);
    const done = await waitForRun(run.id);
    expect(done.status).toBe('completed');
    expect(done.latest.testAccuracy).not.toBeNull();
    const evaluation = await json(await api(`/v1/runs/${run.id}/evaluate`, { method: 'POST', json: { split: 'test' } }));
    expect(evaluation.count).toBe(10);
    expect(evaluation.accuracy).toBe(done.latest.testAccuracy);
  });

  it('stores CSV with a named label column', async () => {
    const rows = ['x,y,label', ...Array.from({ length: 12 }, (_, i) => `${i % 3},${(i * 7) % 5},${i % 2}`)];
    const r = await api('/v1/datasets/table?split=train&labelColumn=label', { method: 'PUT', body: rows.join('\n'), headers: { 'content-type': 'text/csv' } });
    expect(r.status, await r.clone().text()).toBe(201);
    expect(await json(r)).toMatchObject({ count: 12, dim: 2, classes: 2, dtype: 'float32' });
  });
});
