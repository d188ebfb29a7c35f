// The saved results of a lab sweep (POST /v1/lab-results): the same checks as the page's assertLabResults
// (src/web/lab_results.ts), as a zod schema so the API validates, names fields and documents the body in OpenAPI.
// Loose objects: the page stores more (labels, histograms, predictions) than the server needs to check, and gets it all back.
import { z } from '@hono/zod-openapi';

const numberField = (name: string) => z.number({ error: `${name} must be a number` });

const EpochRecordShape = z.looseObject({
  trainLoss: numberField('trainLoss'),
  trainAccuracy: numberField('trainAccuracy'),
  testLoss: numberField('testLoss'),
  testAccuracy: numberField('testAccuracy'),
});

const RunRecordShape = z.looseObject({
  history: z.array(EpochRecordShape, { error: 'history must be an array' }),
  chunkLosses: z.array(z.unknown(), { error: 'chunkLosses must be an array' }),
});

export const LabResultsSchema = z
  .looseObject({
    version: z.literal(1, { error: 'unknown version (expected 1)' }),
    config: z.looseObject({}, { error: 'config is missing' }),
    runs: z.array(RunRecordShape, { error: 'runs must be a non-empty array' }).min(1, 'runs must be a non-empty array'),
  }, { error: 'expected a JSON object' })
  .openapi('LabResults', { description: 'A lab sweep as the page saves it (src/web/lab_results.ts: LabResults); stored and returned as sent.' });

export const LabResultsIdParams = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).openapi({ param: { name: 'id', in: 'path' } }),
});
