// A run over HTTP inside workerd (real Durable Object + R2): trained to completion in alarm-driven chunks, evaluated,
// and compared with the CPU engine run directly on the same seed and data.
import { describe, expect, it } from 'vitest';
import { paramsFromSafetensors } from '../../src/train/safetensors';
import { expectClose } from '../helpers/expect_close';
import { api, directRun, json, smallRunRequest, waitForRun } from './helpers';

describe('run lifecycle over HTTP', () => {
  it('trains to completion, matches the CPU engine run directly, evaluates, predicts, serves weights and deletes', async () => {
    const request = smallRunRequest();
    const created = await api('/v1/runs', { method: 'POST', json: request });
    expect(created.status, await created.clone().text()).toBe(201);
    const run = await json(created);
    expect(run.url).toBe(`http://decaylab.test/v1/runs/${run.id}`);
    expect(['queued', 'running']).toContain(run.status);
    expect(run.totalSteps).toBe(18); // ceil(45 / 8) = 6 steps × 3 epochs

    const done = await waitForRun(run.id);
    expect(done.status).toBe('completed');
    expect(done.step).toBe(18);

    const direct = await directRun(request);
    const { epochs } = await json(await api(`/v1/runs/${run.id}/metrics`));
    expect(epochs).toHaveLength(3);
    // Same engine, same float32 operations in the same order, lossless float32 checkpoints between chunks:
    // the Worker's chunked, resumed run must reproduce the direct run exactly (atol = rtol = 0).
    const exact = { atol: 0, rtol: 0 };
    expectClose(epochs.map((e: any) => e.trainLoss), direct.progress.history.map((e) => e.trainLoss), exact);
    expectClose(epochs.map((e: any) => e.testAccuracy), direct.progress.history.map((e) => e.testAccuracy!), exact);
    expectClose(epochs.map((e: any) => e.runningLoss), direct.progress.history.map((e) => e.runningLoss), exact);
    expect(epochs[2].trainAccuracy).toBeGreaterThan(0.8); // the blobs are separable: training did something

    const weights = await api(`/v1/runs/${run.id}/weights`);
    expect(weights.status).toBe(200);
    const { params, spec } = paramsFromSafetensors(new Uint8Array(await weights.arrayBuffer()));
    expect(spec).toEqual({ inputSize: 5, hidden: [8], classes: 3 });
    params.forEach((layer, l) => {
      expectClose(layer.weight, direct.params[l].weight, exact);
      expectClose(layer.bias, direct.params[l].bias, exact);
    });

    const evaluation = await json(await api(`/v1/runs/${run.id}/evaluate`, { method: 'POST', json: { split: 'test' } }));
    expect(evaluation.count).toBe(21);
    // Evaluation reruns the forward pass on the stored checkpoint: identical arithmetic, so exact again.
    expectClose([evaluation.loss, evaluation.accuracy], [direct.test.loss, direct.test.accuracy], exact);
    expect(evaluation.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(21);
    const diagonal = evaluation.confusion.reduce((s: number, row: number[], c: number) => s + row[c], 0);
    expect(diagonal / 21).toBeCloseTo(evaluation.accuracy, 12);
    evaluation.perClassAccuracy.forEach((a: number, c: number) => {
      const row = evaluation.confusion[c];
      expect(a).toBeCloseTo(row[c] / row.reduce((x: number, y: number) => x + y, 0), 12);
    });

    const { samples } = request.dataset as any;
    const prediction = await json(await api(`/v1/runs/${run.id}/predict`, { method: 'POST', json: { features: samples.features.slice(0, 4) } }));
    expect(prediction.probabilities).toHaveLength(4);
    for (const p of prediction.probabilities) expect(p.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);

    expect((await api(`/v1/runs/${run.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(`/v1/runs/${run.id}`)).status).toBe(404);
  });
});
