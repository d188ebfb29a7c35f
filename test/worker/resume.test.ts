// Eviction and retried alarms: a run whose object is aborted mid-training, or whose alarm dies after training but
// before committing, resumes from its last commit and ends with exactly the parameters of an uninterrupted run
// (trained over HTTP too, and directly with the CPU engine).
import { abortAllDurableObjects, env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { paramsFromSafetensors } from '../../src/train/safetensors';
import { expectClose } from '../helpers/expect_close';
import type { RunObject } from '../../src/worker/run_object';
import { api, directRun, json, smallRunRequest, waitForRun } from './helpers';

async function finalParams(id: string) {
  const r = await api(`/v1/runs/${id}/weights`);
  expect(r.status).toBe(200);
  return paramsFromSafetensors(new Uint8Array(await r.arrayBuffer())).params;
}

/** The run object of `id` for the default test token (named as the Worker names it). */
async function runStub(id: string) {
  const { ownerOf } = await import('../../src/api/auth');
  const owner = await ownerOf('token-alpha');
  return env.RUNS.get(env.RUNS.idFromName(`${owner}/run/${id}`));
}

async function waitForStep(id: string, atLeast: number): Promise<any> {
  for (;;) {
    const run = await json(await api(`/v1/runs/${id}`));
    if (run.step >= atLeast || run.status !== 'running' && run.status !== 'queued') return run;
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('resumption', () => {
  // 8 epochs × 6 steps, 4 steps per alarm: twelve alarms, so there is a middle to interrupt even on a fast machine.
  const request = smallRunRequest({ epochs: 8, optimizer: { kind: 'adam', lr: 0.01 }, decay: { mode: 'decoupled', coefficient: 0.1 } });
  // Both runs execute the same float32 operations in the same order and float32 checkpoints are lossless:
  // any difference at all means a step was lost or applied twice.
  const exact = { atol: 0, rtol: 0 };

  it('an object aborted mid-training resumes and ends like an uninterrupted run', async () => {
    const reference = await json(await api('/v1/runs', { method: 'POST', json: request }));
    const interrupted = await json(await api('/v1/runs', { method: 'POST', json: request }));
    const mid = await waitForStep(interrupted.id, 8);
    expect(mid.status).toBe('running');
    // Tears down every object instance (in-memory state lost) while storage and the scheduled alarm survive.
    await abortAllDurableObjects();
    const a = await waitForRun(reference.id);
    const b = await waitForRun(interrupted.id);
    expect([a.status, b.status]).toEqual(['completed', 'completed']);
    expect(b.step).toBe(a.step);
    const direct = await directRun(request);
    const [pa, pb] = [await finalParams(reference.id), await finalParams(interrupted.id)];
    direct.params.forEach((l, i) => {
      for (const p of [pa, pb]) {
        expectClose(p[i].weight, l.weight, exact);
        expectClose(p[i].bias, l.bias, exact);
      }
    });
    const [ma, mb] = [await json(await api(`/v1/runs/${reference.id}/metrics`)), await json(await api(`/v1/runs/${interrupted.id}/metrics`))];
    expect(mb.epochs.map((e: any) => e.trainLoss)).toEqual(ma.epochs.map((e: any) => e.trainLoss));
  });

  it('an alarm that fails after training but before its commit is retried without applying a step twice', async () => {
    const reference = await json(await api('/v1/runs', { method: 'POST', json: request }));
    const faulty = await json(await api('/v1/runs', { method: 'POST', json: request }));
    await waitForStep(faulty.id, 4);
    const stub = await runStub(faulty.id);
    await runInDurableObject(stub, (instance: RunObject) => instance.injectFailureBeforeCommit(faulty.id));
    const a = await waitForRun(reference.id);
    const b = await waitForRun(faulty.id, undefined, 60_000);
    expect([a.status, b.status]).toEqual(['completed', 'completed']);
    // The hook fired (it clears itself when the failure is thrown).
    expect(await runInDurableObject(stub, (instance: RunObject) => (instance as any).host.failBeforeCommit)).toBe(false);
    const direct = await directRun(request);
    const [pa, pb] = [await finalParams(reference.id), await finalParams(faulty.id)];
    direct.params.forEach((l, i) => {
      for (const p of [pa, pb]) {
        expectClose(p[i].weight, l.weight, exact);
        expectClose(p[i].bias, l.bias, exact);
      }
    });
  });
});
