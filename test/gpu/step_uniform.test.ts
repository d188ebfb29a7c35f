// The step slots' one WGSL definition agrees with the host packing and buffer layout in src/gpu/step_uniform.ts.
// (step_cursor.test.ts checks the same layout on a device: a kernel reads the slot the cursor names.)
import { expect, it } from 'vitest';
import softmaxCrossEntropySource from '../../shaders/softmax_cross_entropy.wgsl';
import stepUniformSource from '../../shaders/step_uniform.wgsl';
import { MAX_SWEEP_MODELS, STEP_FIELDS, STEP_SLOTS_OFFSET } from '../../src/gpu/step_uniform';
import { UNIFORM_SLOT_BYTES } from '../../src/gpu/uniform_layout';

function structFields(name: string): string[][] {
  const body = new RegExp(`struct ${name} \\{([^}]*)\\}`).exec(stepUniformSource)?.[1] ?? '';
  return [...body.matchAll(/^\s*(\w+):\s*([\w<>, ]+),/gm)].map((m) => [m[1], m[2].trim()]);
}

it('struct Step lists STEP_FIELDS in order, then MAX_SWEEP_MODELS per-model decay vec4s', () => {
  const fields = structFields('Step');
  expect(fields.slice(0, STEP_FIELDS.length)).toEqual(STEP_FIELDS.map(([name, type]) => [name, type]));
  expect(fields.slice(STEP_FIELDS.length)).toEqual([['models', `array<vec4f, ${MAX_SWEEP_MODELS}>`]]);
  // WGSL layout: 4-byte fields, then the vec4f array at the next multiple of 16: its 16-byte entries end the slot
  // exactly, so the runtime array of Step has the host's 256-byte stride.
  const modelsOffset = Math.ceil((4 * STEP_FIELDS.length) / 16) * 16;
  expect(modelsOffset + 16 * MAX_SWEEP_MODELS).toBe(UNIFORM_SLOT_BYTES);
});

it('struct StepSlots is the cursor (u32) then the runtime array of Step at STEP_SLOTS_OFFSET', () => {
  expect(structFields('StepSlots')).toEqual([['cursor', 'u32'], ['steps', 'array<Step>']]);
  // The array starts at the cursor's end rounded up to Step's alignment (16: its vec4f array).
  expect(STEP_SLOTS_OFFSET).toBe(Math.ceil(4 / 16) * 16);
});

it('the loss kernel moves the cursor, the first word of StepSlots', () => {
  expect(softmaxCrossEntropySource).toMatch(/var<storage, read_write> stepSlots: StepSlots;/);
  expect(softmaxCrossEntropySource).toMatch(/stepSlots\.cursor = cursor \+ 1u;/);
});
