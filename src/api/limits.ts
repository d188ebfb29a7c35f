// Resource limits of the API: what one request may ask for. Exceeding them is a 413 (body) or 422 (content).

export interface ApiLimits {
  /** Bytes of a JSON request body. */
  maxJsonBytes: number;
  /** Bytes of saved lab results (POST /v1/lab-results): step losses of 8 long runs outgrow the JSON limit. */
  maxLabResultsBytes: number;
  /** Bytes of a dataset upload (IDX or CSV). */
  maxDatasetBytes: number;
  maxEpochs: number;
  /** Trainable parameters (weights + biases) of one model. */
  maxParameters: number;
  /** Samples given inline in one request (training, evaluation or prediction). */
  maxInlineSamples: number;
  /** Samples of one stored dataset split used for training (keeps a Worker under its 128 MB). */
  maxTrainSamples: number;
  /** Coefficients of one sweep. */
  maxSweepRuns: number;
}

export const DEFAULT_LIMITS: ApiLimits = {
  maxJsonBytes: 1 << 20,
  maxLabResultsBytes: 4 << 20,
  maxDatasetBytes: 96 << 20,
  maxEpochs: 1000,
  maxParameters: 1_000_000,
  maxInlineSamples: 5000,
  maxTrainSamples: 60_000,
  maxSweepRuns: 16,
};
