// Learning-rate schedules and the per-epoch data order.
import { describe, expect, it } from 'vitest';
import { defaultSchedule, learningRateAt, scheduleChunk } from '../../src/train/schedule';
import { epochOrder, stepsPerEpoch } from '../../src/train/epoch_order';
import { expectClose } from '../helpers/expect_close';

describe('lr schedules', () => {
  it('constant, step and warm-up follow their formulas', () => {
    const c = defaultSchedule();
    expect(learningRateAt(c, 0.1, 500, 1000)).toBe(0.1);
    const s = defaultSchedule({ kind: 'step', stepSize: 10, gamma: 0.5 });
    expect([0, 9, 10, 25].map((t) => learningRateAt(s, 0.2, t, 100))).toEqual([0.2, 0.2, 0.1, 0.05]);
    const w = defaultSchedule({ warmupSteps: 4 });
    expect([0, 1, 3, 4].map((t) => learningRateAt(w, 1, t, 100))).toEqual([0.25, 0.5, 1, 1]);
  });

  it('cosine starts at lr, ends at minLr, passes the midpoint halfway (after warm-up)', () => {
    const s = defaultSchedule({ kind: 'cosine', warmupSteps: 10, minLr: 0.01 });
    const total = 111; // 101 cosine steps: t = 0 … 100
    // f32 lrs: rtol 1e-6 covers the float32 rounding of scheduleChunk.
    const lrs = scheduleChunk(s, 1, 0, total, total);
    expectClose([lrs[10], lrs[60], lrs[110]], [1, 0.505, 0.01], { atol: 0, rtol: 1e-6 }, 'cosine lrs');
    expect(lrs[9]).toBe(1);
    expect(lrs[0]).toBeCloseTo(0.1, 7);
  });
});

describe('epoch order', () => {
  it('is a permutation, seeded by (seed, epoch), identity with shuffle off', () => {
    const a = epochOrder(1000, 7, 0, true);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(epochOrder(1000, 7, 0, true)).toEqual(a);
    expect(epochOrder(1000, 7, 1, true)).not.toEqual(a);
    expect(epochOrder(1000, 8, 0, true)).not.toEqual(a);
    expect(Array.from(epochOrder(5, 7, 3, false))).toEqual([0, 1, 2, 3, 4]);
  });

  it('counts the last smaller batch unless dropLast', () => {
    expect(stepsPerEpoch(60000, 64, false)).toBe(938);
    expect(stepsPerEpoch(60000, 64, true)).toBe(937);
  });
});
