// What the Hono app needs from a runtime: the Worker implements it with Durable Objects + R2, Node with SQLite.
import type { z } from '@hono/zod-openapi';
import type {
  DatasetInfoSchema, EpochRecordSchema, EvaluateRequestSchema, EvaluationSchema, PredictionSchema, RunRequest,
  RunViewSchema, SweepRequest, SweepViewSchema,
} from './schemas';

export type RunView = z.infer<typeof RunViewSchema>;
export type EpochRecordView = z.infer<typeof EpochRecordSchema>;
export type EvaluateRequest = z.infer<typeof EvaluateRequestSchema>;
export type EvaluationView = z.infer<typeof EvaluationSchema>;
export type PredictionView = z.infer<typeof PredictionSchema>;
export type SweepView = z.infer<typeof SweepViewSchema>;
export type DatasetInfo = z.infer<typeof DatasetInfoSchema>;

export type DatasetFormat = 'idx' | 'csv';

export interface DatasetUpload {
  name: string;
  split: 'train' | 'test';
  format: DatasetFormat;
  body: Uint8Array;
  labelColumn?: string;
  classes?: number;
}

/**
 * Every method is scoped by `owner` (a hash of the bearer token, or `public`): a run or dataset of another owner
 * is reported as missing (null), never as forbidden. Methods throw ApiError for bad input.
 * `baseUrl` is the origin the client used, for the URLs in responses.
 */
export interface Backend {
  createRun(owner: string, request: RunRequest, baseUrl: string): Promise<RunView>;
  getRun(owner: string, id: string, baseUrl: string): Promise<RunView | null>;
  getMetrics(owner: string, id: string): Promise<EpochRecordView[] | null>;
  evaluate(owner: string, id: string, request: EvaluateRequest): Promise<EvaluationView | null>;
  predict(owner: string, id: string, features: number[][]): Promise<PredictionView | null>;
  /** safetensors bytes of the latest (last good) parameters. */
  weights(owner: string, id: string): Promise<Uint8Array | null>;
  /** Cancels training and deletes the run; false when there is no such run. */
  deleteRun(owner: string, id: string): Promise<boolean>;
  createSweep(owner: string, request: SweepRequest, baseUrl: string): Promise<SweepView>;
  getSweep(owner: string, id: string, baseUrl: string): Promise<SweepView | null>;
  putDataset(owner: string, upload: DatasetUpload): Promise<DatasetInfo>;
  listDatasets(owner: string): Promise<DatasetInfo[]>;
  /**
   * One stored split in its stored form (src/api/datasets/dataset_blob.ts), the owner's or else the shared one,
   * cut to its first `take` samples when given; null when there is none.
   */
  getDataset(owner: string, name: string, split: 'train' | 'test', take?: number): Promise<Uint8Array | null>;
  /** Stores validated lab results (JSON text) under a new id the route chose. */
  saveLabResults(owner: string, id: string, json: string): Promise<void>;
  /** The JSON text stored by saveLabResults; null for an unknown id or another owner's. */
  getLabResults(owner: string, id: string): Promise<string | null>;
}
