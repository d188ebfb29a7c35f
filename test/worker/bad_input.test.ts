// Every bad-input class answers application/problem+json (RFC 9457) naming the offending field, and writes nothing.
import { env, listDurableObjectIds, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { encodeIdx } from '../../src/data/idx';
import { api, json, smallRunRequest, waitForRun } from './helpers';
import { expectProblem } from '../helpers/problem';


describe('bad input', () => {
  it('malformed JSON → 400 naming the body', async () => {
    const r = await api('/v1/runs', { method: 'POST', body: '{"epochs": 3,', headers: { 'content-type': 'application/json' } });
    await expectProblem(r, 400, '(body)');
  });

  it('wrong types → 422 naming each field', async () => {
    const body = await expectProblem(await api('/v1/runs', { method: 'POST', json: smallRunRequest({ epochs: 'three' }) }), 422, 'epochs');
    expect(body.detail).toContain('epochs');
    const lr = await expectProblem(await api('/v1/runs', { method: 'POST', json: { ...smallRunRequest(), optimizer: { kind: 'sgd', lr: -1 } } }), 422, 'optimizer.lr');
    expect(lr.errors).toHaveLength(1);
    await expectProblem(await api('/v1/runs', { method: 'POST', json: { ...smallRunRequest(), optimizer: { kind: 'rmsprop', lr: 0.1 } } }), 422, 'optimizer.kind');
  });

  it('unknown fields → 422 naming the field', async () => {
    const body = await expectProblem(await api('/v1/runs', { method: 'POST', json: smallRunRequest({ epochz: 3 }) }), 422, 'epochz');
    expect(body.errors[0].message).toContain('unknown field');
    await expectProblem(await api('/v1/runs', { method: 'POST', json: { ...smallRunRequest(), decay: { coefficient: 0.1, decayBias: true } } }), 422, 'decay.decayBias');
  });

  it('oversize body → 413 (JSON over the configured 256 KiB)', async () => {
    const big = { ...smallRunRequest(), padding: 'x'.repeat(300 * 1024) };
    await expectProblem(await api('/v1/runs', { method: 'POST', json: big }), 413, '(body)');
    // Dataset uploads have their own limit (512 KiB here), also when streamed without a Content-Length.
    const upload = new Uint8Array(600 * 1024);
    const put = await api('/v1/datasets/huge?split=train', { method: 'PUT', body: upload, headers: { 'content-type': 'application/octet-stream' } });
    await expectProblem(put, 413, '(body)');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new Uint8Array(64 * 1024));
        controller.close();
      },
    });
    const streamed = await api('/v1/datasets/huge?split=train', { method: 'PUT', body: stream, headers: { 'content-type': 'application/octet-stream' } });
    await expectProblem(streamed, 413, '(body)');
  });

  it('limits on epochs, parameters and inline samples → 422', async () => {
    await expectProblem(await api('/v1/runs', { method: 'POST', json: smallRunRequest({ epochs: 51 }) }), 422, 'epochs');
    await expectProblem(await api('/v1/runs', { method: 'POST', json: smallRunRequest({ model: { hidden: [4096, 4096] } }) }), 422, 'model.hidden');
  });

  it('unknown id → 404 for every run route', async () => {
    const id = crypto.randomUUID();
    for (const [method, path] of [['GET', ''], ['GET', '/metrics'], ['GET', '/weights'], ['GET', '/events'], ['DELETE', '']] as const) {
      await expectProblem(await api(`/v1/runs/${id}${path}`, { method }), 404);
    }
    await expectProblem(await api(`/v1/runs/${id}/evaluate`, { method: 'POST', json: {} }), 404);
    await expectProblem(await api('/v1/runs/NOT_an_id!', {}), 404);
    await expectProblem(await api(`/v1/sweeps/${id}`, {}), 404);
    await expectProblem(await api('/v1/nowhere', {}), 404);
  });

  it('NaN/Inf in samples → 422 naming the sample and feature', async () => {
    const request = smallRunRequest();
    // JSON has no NaN; 1e999 parses to Infinity, which is how a non-finite number reaches a JSON API.
    const text = JSON.stringify(request).replace(/"features":\[\[([-0-9.e]+),/, '"features":[[1e999,');
    const r = await api('/v1/runs', { method: 'POST', body: text, headers: { 'content-type': 'application/json' } });
    await expectProblem(r, 422, 'dataset.samples.features.0.0');
    // A NaN in a CSV upload is named by line and column.
    const csv = 'label,a,b\n0,1,2\n1,NaN,3\n';
    const bad = await expectProblem(await api('/v1/datasets/nancsv?split=train', { method: 'PUT', body: csv, headers: { 'content-type': 'text/csv' } }), 422, '(body)');
    expect(bad.detail).toMatch(/line 3.*"a"/);
  });

  it('labels out of range and mismatched lengths → 422 naming the field', async () => {
    const request = smallRunRequest({ model: { hidden: [8], classes: 3 } }) as any;
    request.dataset.samples.labels[2] = 7;
    await expectProblem(await api('/v1/runs', { method: 'POST', json: request }), 422, 'dataset.samples.labels.2');
    const short = smallRunRequest() as any;
    short.dataset.samples.labels.pop();
    await expectProblem(await api('/v1/runs', { method: 'POST', json: short }), 422, 'dataset.samples.labels');
  });

  it('corrupt datasets → 422 naming the body; a missing dataset → 422 naming dataset.name', async () => {
    const images = encodeIdx([3, 2, 2], new Uint8Array(12).fill(9));
    const labels = encodeIdx([3], new Uint8Array([0, 1, 2]));
    const put = (body: Uint8Array) => api('/v1/datasets/tiny?split=train', { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
    const truncated = new Uint8Array([...images, ...labels]).subarray(0, images.length + labels.length - 1);
    expect((await expectProblem(await put(truncated), 422, '(body)')).detail).toMatch(/truncated/);
    expect((await expectProblem(await put(images), 422, '(body)')).detail).toMatch(/labels/);
    const gz = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
    await expectProblem(await put(gz), 422, '(body)');
    const wrongCount = new Uint8Array([...images, ...encodeIdx([2], new Uint8Array([0, 1]))]);
    expect((await expectProblem(await put(wrongCount), 422, '(body)')).detail).toMatch(/3 images but .* 2 labels/);
    await expectProblem(await api('/v1/datasets/tiny?split=train', { method: 'PUT', body: 'x', headers: { 'content-type': 'image/png' } }), 415, 'content-type');
    // Nothing was stored by the failed uploads.
    const { datasets } = await json(await api('/v1/datasets'));
    expect(datasets.filter((d: any) => d.name === 'tiny')).toEqual([]);
    const run = { ...smallRunRequest(), dataset: { name: 'no-such-set' } };
    await expectProblem(await api('/v1/runs', { method: 'POST', json: run }), 422, 'dataset.name');
  });

  it('no run object is written by a rejected request', async () => {
    // Objects holding a run table: reading storage may create an empty database, so count tables, not objects.
    const objectsWithRuns = async (): Promise<number> => {
      let n = 0;
      for (const id of await listDurableObjectIds(env.RUNS)) {
        n += await runInDurableObject(env.RUNS.get(id), (_instance, state) =>
          state.storage.sql.exec("SELECT count(*) AS n FROM sqlite_master WHERE name = 'run'").one().n as number);
      }
      return n;
    };
    const before = await objectsWithRuns();
    await api('/v1/runs', { method: 'POST', json: { ...smallRunRequest(), dataset: { name: 'no-such-set' } } });
    await api('/v1/runs', { method: 'POST', json: smallRunRequest({ epochs: 0 }) });
    await api('/v1/runs', { method: 'POST', json: { ...smallRunRequest(), optimizer: { kind: 'sgd', lr: 0.1, momentum: 0, nesterov: true } } });
    // The requests reached run objects, but validation failed before any storage was written.
    expect(await objectsWithRuns()).toBe(before);
  });

  it('divergence (huge lr) → status diverged with the step, last good checkpoint readable', async () => {
    const request = smallRunRequest({ optimizer: { kind: 'sgd', lr: 1e6, momentum: 0.9 }, epochs: 5 });
    const run = await json(await api('/v1/runs', { method: 'POST', json: request }));
    const done = await waitForRun(run.id);
    expect(done.status).toBe('diverged');
    expect(Number.isInteger(done.divergedAtStep)).toBe(true);
    expect(done.divergedAtStep).toBeGreaterThan(0);
    expect(done.error).toMatch(/step \d+/);
    const weights = await api(`/v1/runs/${run.id}/weights`);
    expect(weights.status).toBe(200);
    const { paramsFromSafetensors } = await import('../../src/train/safetensors');
    const { params } = paramsFromSafetensors(new Uint8Array(await weights.arrayBuffer()));
    for (const layer of params) for (const v of [...layer.weight, ...layer.bias]) expect(Number.isFinite(v)).toBe(true);
  });
});
