// Bindings and variables of the decaylab Worker (wrangler.toml).
import type { RunObject } from './run_object';
import type { SweepObject } from './sweep_object';

export interface Env {
  RUNS: DurableObjectNamespace<RunObject>;
  SWEEPS: DurableObjectNamespace<SweepObject>;
  DATASETS: R2Bucket;
  /** Saved lab results, one JSON object each (src/worker/r2_lab_results.ts). */
  LAB_RESULTS: R2Bucket;
  /** The built lab page (wrangler.toml [assets], dist/web); served before the script for every non-API path. */
  ASSETS: Fetcher;
  /** Secret: one bearer token, or several separated by commas. Unset = open API. */
  API_TOKEN?: string;
  API_TOKENS?: string;
  /** Wall-clock milliseconds of training per alarm (default 1000: requests to a run wait while its alarm trains; the CPU limit is 30 s). */
  CHUNK_BUDGET_MS?: string;
  /** Optimizer steps per trainer.train call; the budget is checked between calls. */
  STEPS_PER_CHUNK?: string;
  /** Limit overrides, JSON of ApiLimits fields, e.g. {"maxEpochs":50}. */
  LIMITS?: string;
}

export function tokensOf(env: Env): string[] {
  return [env.API_TOKEN, env.API_TOKENS].filter((t): t is string => !!t).flatMap((t) => t.split(','));
}
