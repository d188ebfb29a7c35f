// Request and response schemas of the API (zod): they validate every request and generate /v1/openapi.json.
import { z } from '@hono/zod-openapi';

const finite = (what: string) => z.number({ error: `${what} must be a finite number` });
const positiveInt = (what: string) => z.number().int(`${what} must be an integer`).positive(`${what} must be positive`);

export const ModelSchema = z
  .strictObject({
    hidden: z.array(positiveInt('hidden layer size').max(4096)).max(8).default([]),
    /** Taken from the dataset when omitted. */
    inputSize: positiveInt('inputSize').optional(),
    classes: z.number().int().min(2).max(1000).optional(),
  })
  .openapi('Model');

export const OptimizerSchema = z
  .strictObject({
    kind: z.enum(['sgd', 'adam', 'adamw']),
    lr: finite('lr').positive(),
    momentum: finite('momentum').min(0).lt(1).default(0),
    dampening: finite('dampening').min(0).max(1).default(0),
    nesterov: z.boolean().default(false),
    beta1: finite('beta1').min(0).lt(1).default(0.9),
    beta2: finite('beta2').min(0).lt(1).default(0.999),
    eps: finite('eps').positive().default(1e-8),
  })
  .openapi('Optimizer');

export const DecaySchema = z
  .strictObject({
    /** Defaults by optimizer: adamw → decoupled, sgd/adam → coupled (PyTorch's weight_decay). */
    mode: z.enum(['l2', 'coupled', 'decoupled']).optional(),
    coefficient: finite('coefficient').min(0).default(0),
    decayBiases: z.boolean().default(false),
  })
  .openapi('Decay');

export const ScheduleSchema = z
  .strictObject({
    kind: z.enum(['constant', 'step', 'cosine']).default('constant'),
    warmupSteps: z.number().int().min(0).default(0),
    stepSize: z.number().int().min(1).default(1),
    gamma: finite('gamma').positive().default(0.1),
    minLr: finite('minLr').min(0).default(0),
  })
  .openapi('Schedule');

/** Samples given in the request body: one row of features per sample. */
export const SamplesSchema = z
  .strictObject({
    features: z.array(z.array(finite('feature')).min(1)).min(1),
    labels: z.array(z.number().int().min(0)).min(1),
  })
  .superRefine((s, ctx) => {
    if (s.labels.length !== s.features.length) {
      ctx.addIssue({ code: 'custom', path: ['labels'], message: `${s.labels.length} labels for ${s.features.length} samples` });
    }
    const dim = s.features[0]?.length ?? 0;
    const bad = s.features.findIndex((row) => row.length !== dim);
    if (bad >= 0) ctx.addIssue({ code: 'custom', path: ['features', bad], message: `sample ${bad} has ${s.features[bad].length} features, sample 0 has ${dim}` });
  })
  .openapi('Samples');

export const DatasetRefSchema = z
  .strictObject({
    /** A stored dataset (PUT /v1/datasets/:name): its `train` split trains, its `test` split evaluates. */
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/).optional(),
    /** Or the training samples themselves, for small data. */
    samples: SamplesSchema.optional(),
    testSamples: SamplesSchema.optional(),
    /** Number of classes of inline data (default: largest label + 1, at least 2). */
    classes: z.number().int().min(2).max(1000).optional(),
    /** Train on the first `take` samples of the stored train split only. */
    take: positiveInt('take').optional(),
    testTake: positiveInt('testTake').optional(),
    /** Fraction of the training samples held out (seeded) as a validation split. */
    validationFraction: finite('validationFraction').min(0).max(0.5).default(0),
    /** `scale`: uint8 pixels → [0, 1]; `standardize`: per-feature (x − mean)/std measured on the training samples. */
    normalize: z.enum(['scale', 'standardize']).default('scale'),
  })
  .superRefine((d, ctx) => {
    if ((d.name === undefined) === (d.samples === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'give exactly one of dataset.name (stored) or dataset.samples (inline)' });
    }
    if (d.testSamples && !d.samples) ctx.addIssue({ code: 'custom', path: ['testSamples'], message: 'testSamples go with inline samples' });
  })
  .openapi('DatasetRef');

export const RunRequestSchema = z
  .strictObject({
    model: ModelSchema.default({ hidden: [] }),
    optimizer: OptimizerSchema,
    decay: DecaySchema.default({ coefficient: 0, decayBiases: false }),
    schedule: ScheduleSchema.default({ kind: 'constant', warmupSteps: 0, stepSize: 1, gamma: 0.1, minLr: 0 }),
    epochs: positiveInt('epochs'),
    batchSize: positiveInt('batchSize').max(4096),
    seed: z.number().int().min(0).max(0xffffffff).default(0),
    shuffle: z.boolean().default(true),
    dropLast: z.boolean().default(false),
    dataset: DatasetRefSchema,
  })
  .openapi('RunRequest');
export type RunRequest = z.infer<typeof RunRequestSchema>;

export const SweepRequestSchema = z
  .strictObject({
    base: RunRequestSchema,
    coefficients: z.array(finite('coefficient').min(0)).min(1),
  })
  .openapi('SweepRequest');
export type SweepRequest = z.infer<typeof SweepRequestSchema>;

export const EvaluateRequestSchema = z
  .strictObject({
    /** Which stored split to evaluate on; ignored when samples are given. */
    split: z.enum(['train', 'validation', 'test']).default('test'),
    samples: SamplesSchema.optional(),
  })
  .openapi('EvaluateRequest');

export const PredictRequestSchema = z
  .strictObject({ features: z.array(z.array(finite('feature')).min(1)).min(1) })
  .openapi('PredictRequest');

export const RunIdParams = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,64}$/).openapi({ param: { name: 'id', in: 'path' } }),
});

export const DatasetNameParams = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/).openapi({ param: { name: 'name', in: 'path' } }),
});

export const DatasetPutQuery = z.object({
  split: z.enum(['train', 'test']).default('train'),
  /** CSV only: the label column, by header name or 0-based index (default: a column named `label`, else the first). */
  labelColumn: z.string().max(64).optional(),
  /** CSV only: number of classes (default: largest label + 1). */
  classes: z.coerce.number().int().min(2).max(1000).optional(),
});

export const DatasetGetQuery = z.object({
  split: z.enum(['train', 'test']).default('train'),
  /** The first N samples only (the lab asks for its training and test subsets). */
  take: z.coerce
    .number({ error: 'take must be a number' })
    .int('take must be a whole number')
    .min(1, 'take must be at least 1')
    .max(10_000_000, 'take must be at most 10000000')
    .optional(),
});

export const EpochRecordSchema = z
  .object({
    epoch: z.number(),
    step: z.number(),
    lr: z.number(),
    trainLoss: z.number(),
    trainAccuracy: z.number(),
    runningLoss: z.number(),
    runningAccuracy: z.number(),
    valLoss: z.number().nullable(),
    valAccuracy: z.number().nullable(),
    testLoss: z.number().nullable(),
    testAccuracy: z.number().nullable(),
    weightNorms: z.array(z.number()),
    seconds: z.number(),
  })
  .openapi('EpochRecord');

export const RunStatusSchema = z.enum(['queued', 'running', 'completed', 'failed', 'diverged', 'cancelled']);

export const RunViewSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    status: RunStatusSchema,
    step: z.number(),
    totalSteps: z.number(),
    epoch: z.number(),
    epochs: z.number(),
    progress: z.number(),
    latest: EpochRecordSchema.nullable(),
    divergedAtStep: z.number().nullable(),
    error: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    config: z.record(z.string(), z.unknown()),
  })
  .openapi('Run');

export const EvaluationSchema = z
  .object({
    split: z.string(),
    count: z.number(),
    loss: z.number(),
    accuracy: z.number(),
    perClassAccuracy: z.array(z.number().nullable()),
    /** confusion[true][predicted]. */
    confusion: z.array(z.array(z.number())),
  })
  .openapi('Evaluation');

export const PredictionSchema = z
  .object({ probabilities: z.array(z.array(z.number())), predictions: z.array(z.number()) })
  .openapi('Prediction');

export const SweepRowSchema = z
  .object({
    coefficient: z.number(),
    runId: z.string(),
    status: RunStatusSchema,
    trainAccuracy: z.number().nullable(),
    testAccuracy: z.number().nullable(),
    valAccuracy: z.number().nullable(),
    valLoss: z.number().nullable(),
    gap: z.number().nullable(),
    weightNorms: z.array(z.number()).nullable(),
  })
  .openapi('SweepRow');

export const SweepViewSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    status: z.enum(['running', 'completed', 'failed']),
    mode: z.string(),
    rows: z.array(SweepRowSchema),
    /** Coefficient with the lowest validation loss (test accuracy when there is no validation split). */
    best: z.object({ coefficient: z.number(), by: z.string() }).nullable(),
  })
  .openapi('Sweep');

export const DatasetInfoSchema = z
  .object({
    name: z.string(),
    split: z.string(),
    count: z.number(),
    dim: z.number(),
    classes: z.number(),
    dtype: z.enum(['uint8', 'float32']),
    bytes: z.number(),
    shared: z.boolean(),
  })
  .openapi('DatasetInfo');

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    detail: z.string(),
    instance: z.string().optional(),
    field: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');
