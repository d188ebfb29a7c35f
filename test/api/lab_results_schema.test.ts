// The API's LabResultsSchema and the page's assertLabResults must agree: whatever the API stores, the page reopens,
// and whatever the page refuses, the API refuses first (naming the same field).
import { describe, expect, it } from 'vitest';
import { LabResultsSchema } from '../../src/api/lab_results_schema';
import { fieldErrors } from '../../src/api/validation_hook';
import { assertLabResults } from '../../src/web/lab_results';

const good = () => ({
  version: 1, engine: 'gpu', config: { hidden: [8] }, stepsPerSecond: 10, createdAt: '2026-11-26T00:00:00Z',
  runs: [{ label: 'a', mode: 'l2', coefficient: 0, chunkLosses: [], history: [{ epoch: 0, step: 0, trainLoss: 1, trainAccuracy: 0.5, testLoss: 1, testAccuracy: 0.5, weightNorms: [] }] }],
});

// Each case breaks one thing; `field` is where the API must point, `word` what the page's message must mention.
const CASES: { name: string; body: unknown; field: string; word: string }[] = [
  // The page checks the version first, so an array is refused for its (missing) version there.
  { name: 'an array', body: [1], field: '(body)', word: 'version' },
  { name: 'null', body: null, field: '(body)', word: 'object' },
  { name: 'wrong version', body: { ...good(), version: 2 }, field: 'version', word: 'version' },
  { name: 'no config', body: { ...good(), config: undefined }, field: 'config', word: 'config' },
  { name: 'empty runs', body: { ...good(), runs: [] }, field: 'runs', word: 'runs' },
  { name: 'runs not an array', body: { ...good(), runs: {} }, field: 'runs', word: 'runs' },
  { name: 'history missing', body: { ...good(), runs: [{ chunkLosses: [] }] }, field: 'runs.0.history', word: 'runs[0].history' },
  { name: 'chunkLosses missing', body: { ...good(), runs: [{ history: [] }] }, field: 'runs.0.chunkLosses', word: 'runs[0].chunkLosses' },
  {
    name: 'a loss that is a string',
    body: { ...good(), runs: [good().runs[0], { ...good().runs[0], history: [{ ...good().runs[0].history[0], testLoss: '1' }] }] },
    field: 'runs.1.history.0.testLoss', word: 'runs[1].history[0].testLoss',
  },
];

describe('LabResultsSchema vs assertLabResults', () => {
  it('both accept what the page saves, extra fields kept', () => {
    const body = { ...good(), extra: { kept: true } };
    expect(() => assertLabResults(body)).not.toThrow();
    const parsed = LabResultsSchema.safeParse(body);
    expect(parsed.success).toBe(true);
    expect(parsed.data).toEqual(body);
  });

  for (const c of CASES) {
    it(`both refuse ${c.name}`, () => {
      expect(() => assertLabResults(c.body)).toThrow(c.word);
      const parsed = LabResultsSchema.safeParse(c.body);
      expect(parsed.success).toBe(false);
      expect(fieldErrors(parsed.error!)[0].field).toBe(c.field);
    });
  }
});
