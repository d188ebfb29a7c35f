// Central finite differences in float64 against the analytic gradients of the CPU reference (mlpBackward).
import { describe, expect, it } from 'vitest';
import { initParams } from '../../src/core/init';
import { toFloat64, type ModelParams } from '../../src/core/params';
import type { ModelSpec } from '../../src/core/spec';
import { lossAndGradients, meanLoss } from '../../src/cpu/mlp';
import { randomArray, randomLabels } from '../helpers/random';

const spec: ModelSpec = { inputSize: 13, hidden: [7, 5], classes: 3 };
const batch = 4;

describe('finite differences, 13-7-5-3 MLP, batch 4, float64', () => {
  const params = toFloat64(initParams(spec, 7));
  const x = randomArray((n) => new Float64Array(n), batch * spec.inputSize, 11);
  const labels = randomLabels(batch, spec.classes, 12);
  const { grads } = lossAndGradients(spec, params, x, labels, batch);

  // h = 1e-5: central differences have truncation error O(h²) ≈ 1e-10 and rounding error ≈ ε/h ≈ 1e-11 on a loss
  // of order 1, so 1e-6 relative error leaves room only for real gradient bugs. ReLU kinks are the one hazard: an
  // input within h of 0 makes the difference straddle the kink; the seed was not chosen to avoid that, the check
  // below reports it if it ever happens.
  const h = 1e-5;
  for (let l = 0; l < params.length; l++) {
    for (const kind of ['weight', 'bias'] as const) {
      it(`layer ${l} ${kind}: relative error below 1e-6`, () => {
        const tensor = params[l][kind];
        const analytic = grads[l][kind];
        const numeric = new Float64Array(tensor.length);
        for (let i = 0; i < tensor.length; i++) {
          const saved = tensor[i];
          tensor[i] = saved + h;
          const plus = meanLoss(spec, params as ModelParams<Float64Array>, x, labels, batch);
          tensor[i] = saved - h;
          const minus = meanLoss(spec, params, x, labels, batch);
          tensor[i] = saved;
          numeric[i] = (plus - minus) / (2 * h);
        }
        // Relative error of the whole tensor, ‖a − n‖ / max(‖a‖, ‖n‖), as in cs231n-style gradient checks;
        // an element-wise view is printed on failure.
        let diff = 0, na = 0, nn = 0;
        for (let i = 0; i < tensor.length; i++) {
          diff += (analytic[i] - numeric[i]) ** 2;
          na += analytic[i] ** 2;
          nn += numeric[i] ** 2;
        }
        const rel = Math.sqrt(diff) / Math.max(Math.sqrt(na), Math.sqrt(nn), 1e-300);
        expect(na, 'gradient must not be identically zero (a dead test)').toBeGreaterThan(0);
        expect(rel, `analytic ${Array.from(analytic.slice(0, 4))} numeric ${Array.from(numeric.slice(0, 4))}`).toBeLessThan(1e-6);
      });
    }
  }
});
