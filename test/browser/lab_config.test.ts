// The lab's input handling: bad configs and addresses are refused with errors that name the problem.
import { describe, expect, test } from 'vitest';
import { defaultLabConfig, labArms, parseNumberList, validateLabConfig, type LabConfig } from '../../src/web/lab_config';
import { EXPERIMENTS } from '../../src/web/experiments';
import { parseRoute } from '../../src/web/route';
import { assertLabResults } from '../../src/web/lab_results';

const withConfig = (patch: Partial<LabConfig>) => () => validateLabConfig({ ...defaultLabConfig(), ...patch });

describe('lab config', () => {
  test('the defaults and both experiments are valid', () => {
    expect(withConfig({})).not.toThrow();
    for (const e of EXPERIMENTS) expect(() => validateLabConfig(e.config), e.id).not.toThrow();
  });

  test.each([
    [{ lambdas: [] }, 'the λ list is empty'],
    [{ lambdas: [0, 0] }, 'the λ list repeats a value'],
    [{ hidden: [0] }, 'hidden layer 1 width must be an integer'],
    [{ hidden: [1.5] }, 'hidden layer 1 width'],
    [{ epochs: 0 }, 'epochs must be an integer in [1, 200]'],
    [{ batchSize: 2.5 }, 'batch size must be an integer'],
    [{ trainSubset: 60_001 }, 'training subset must be an integer in [1, 60000]'],
    [{ decayModes: [] }, 'choose at least one decay mode'],
    [{ lambdas: [0, 1, 2, 3, 4], decayModes: ['l2', 'coupled'] }, 'at most 8 runs side by side'],
    [{ lr: 0 }, 'learning rate must be a number > 0'],
    [{ momentum: 1 }, 'momentum must be in [0, 1)'],
  ] as [Partial<LabConfig>, string][])('%j is refused: %s', (patch, message) => {
    expect(withConfig(patch)).toThrow(message);
  });

  test('λ lists parse with commas or spaces and name the bad entry', () => {
    expect(parseNumberList('0, 1e-4 1e-3,', 'λ values')).toEqual([0, 1e-4, 1e-3]);
    expect(() => parseNumberList('0, abc', 'λ values')).toThrow('λ values: "abc" is not a number ≥ 0');
  });

  test('every (mode, λ) pair is one run with the same seed', () => {
    const arms = labArms({ ...defaultLabConfig(), decayModes: ['coupled', 'decoupled'], lambdas: [0.1, 0.2] });
    expect(arms.map((a) => a.label)).toEqual(['coupled wd=0.1', 'coupled wd=0.2', 'decoupled wd=0.1', 'decoupled wd=0.2']);
    expect(new Set(arms.map((a) => a.config.seed)).size).toBe(1);
    expect(arms[3].config.decay).toEqual({ mode: 'decoupled', coefficient: 0.2, decayBiases: false });
  });
});

describe('addresses and saved results', () => {
  test('routes', () => {
    expect(parseRoute(new URL('https://x/#/results/abc_1'))).toEqual({ kind: 'results', id: 'abc_1' });
    expect(parseRoute(new URL('https://x/?sweep=a-1,b-2'))).toEqual({ kind: 'sweep', ids: ['a-1', 'b-2'] });
    expect(parseRoute(new URL('https://x/'))).toEqual({ kind: 'lab' });
    expect(() => parseRoute(new URL('https://x/#/results/a%20b'))).toThrow('is not a results id');
    expect(() => parseRoute(new URL('https://x/?sweep=ok,<script>'))).toThrow('"<script>" in the address is not a sweep id');
  });

  test('saved results are checked field by field', () => {
    expect(() => assertLabResults(null)).toThrow('expected a JSON object');
    expect(() => assertLabResults({ version: 2 })).toThrow('unknown version 2');
    const run = { history: [{ trainLoss: 1, trainAccuracy: 0.5, testLoss: 1, testAccuracy: '0.4' }], chunkLosses: [] };
    expect(() => assertLabResults({ version: 1, config: {}, runs: [run] })).toThrow('runs[0].history[0].testAccuracy must be a number');
  });
});
