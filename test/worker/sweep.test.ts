// A sweep of three coefficients: one run object each, trained independently, compared in one table.
import { describe, expect, it } from 'vitest';
import { api, blobSamples, json, waitForRun } from './helpers';

describe('sweeps', () => {
  it('fans out one run per coefficient and reports the comparison table', async () => {
    const base = {
      model: { hidden: [6] },
      optimizer: { kind: 'sgd', lr: 0.1 },
      decay: { mode: 'l2' },
      epochs: 2,
      batchSize: 10,
      seed: 3,
      dataset: { samples: blobSamples(60, 21).samples, testSamples: blobSamples(15, 22).samples, validationFraction: 0.25 },
    };
    const coefficients = [0, 0.01, 0.5];
    const created = await api('/v1/sweeps', { method: 'POST', json: { base, coefficients } });
    expect(created.status, await created.clone().text()).toBe(201);
    const sweep = await json(created);
    expect(sweep.rows.map((r: any) => r.coefficient)).toEqual(coefficients);
    expect(new Set(sweep.rows.map((r: any) => r.runId)).size).toBe(3);

    const runs = await Promise.all(sweep.rows.map((r: any) => waitForRun(r.runId)));
    runs.forEach((run, i) => {
      expect(run.status).toBe('completed');
      expect(run.config.decay).toEqual({ mode: 'l2', coefficient: coefficients[i], decayBiases: false });
    });
    const done = await json(await api(`/v1/sweeps/${sweep.id}`));
    expect(done.status).toBe('completed');
    expect(done.mode).toBe('l2');
    done.rows.forEach((row: any, i: number) => {
      const last = runs[i].latest;
      expect(row.trainAccuracy).toBe(last.trainAccuracy);
      expect(row.testAccuracy).toBe(last.testAccuracy);
      expect(row.gap).toBeCloseTo(last.trainAccuracy - last.testAccuracy, 12);
      expect(row.weightNorms).toEqual(last.weightNorms);
    });
    // Same seed and data, stronger decay: smaller weights. λ = 0.5 (gradient term 2λθ = θ) shrinks them clearly.
    expect(done.rows[2].weightNorms[0]).toBeLessThan(done.rows[0].weightNorms[0]);
    const bestVal = Math.min(...done.rows.map((r: any) => r.valLoss));
    expect(done.best).toEqual({ coefficient: done.rows.find((r: any) => r.valLoss === bestVal).coefficient, by: 'lowest validation loss' });
  });

  it('rejects a bad base run naming the field under base.', async () => {
    const r = await api('/v1/sweeps', { method: 'POST', json: { base: { optimizer: { kind: 'sgd', lr: 0.1 }, epochs: 1, batchSize: 4, dataset: { name: 'nope' } }, coefficients: [0, 1] } });
    expect(r.status).toBe(422);
    expect((await json(r)).field).toBe('base.dataset.name');
    const dup = await api('/v1/sweeps', { method: 'POST', json: { base: { optimizer: { kind: 'sgd', lr: 0.1 }, epochs: 1, batchSize: 4, dataset: { name: 'nope' } }, coefficients: [1, 1] } });
    expect(dup.status).toBe(422);
    expect((await json(dup)).field).toBe('coefficients');
  });
});
