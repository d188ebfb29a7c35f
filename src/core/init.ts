// PyTorch nn.Linear default initialisation, U(−1/√fan_in, 1/√fan_in) for weight and bias, from a seeded PRNG.
import { Prng } from './prng';
import { zeroParams, type ModelParams } from './params';
import { layerShapes, type ModelSpec } from './spec';

export function initParams(spec: ModelSpec, seed: number): ModelParams<Float32Array> {
  const rng = new Prng(seed);
  const params = zeroParams(spec);
  layerShapes(spec).forEach((s, l) => {
    // kaiming_uniform_(a=√5) on the weight gives the same bound as the bias: 1/√fan_in.
    const bound = 1 / Math.sqrt(s.inFeatures);
    const { weight, bias } = params[l];
    for (let i = 0; i < weight.length; i++) weight[i] = rng.uniform(-bound, bound);
    for (let i = 0; i < bias.length; i++) bias[i] = rng.uniform(-bound, bound);
  });
  return params;
}
