// The step slot's one WGSL definition agrees with the host packing in src/gpu/step_uniform.ts.
import { expect, it } from 'vitest';
import stepUniformSource from '../../shaders/step_uniform.wgsl';
import { MAX_SWEEP_MODELS, STEP_FIELDS } from '../../src/gpu/step_uniform';

it('struct Step lists STEP_FIELDS in order, then MAX_SWEEP_MODELS per-model decay vec4s', () => {
  const body = /struct Step \{([^}]*)\}/.exec(stepUniformSource)?.[1] ?? '';
  const fields = [...body.matchAll(/^\s*(\w+):\s*([\w<>, ]+),/gm)].map((m) => [m[1], m[2].trim()]);
  expect(fields.slice(0, STEP_FIELDS.length)).toEqual(STEP_FIELDS.map(([name, type]) => [name, type]));
  expect(fields.slice(STEP_FIELDS.length)).toEqual([['models', `array<vec4f, ${MAX_SWEEP_MODELS}>`]]);
});
