// lavapipe (Mesa's Vulkan driver on the CPU) runs each compute dispatch on a pool of LP_NUM_THREADS worker threads,
// one per core by default, and waits for the pool before the next dispatch. A training step of the paper's example is
// a dozen dispatches of 1 to 52 workgroups, and on the 2-core machines the hand-over cost more than the second core
// gave. test/gpu/perf/train_steps.ts (MOMENTUM=0, alternating runs, same machine): 470–500 steps/s with the pool,
// 530 with one worker, 587–591 with LP_NUM_THREADS=0, which runs each dispatch on lavapipe's own queue thread (a
// dispatch's fixed cost: 17 → 2 µs, test/gpu/perf/step_profile.ts). A lone 1024³ product lost 7% (23.9 → 22.3
// GFLOP/s, perf/gemm_variants.ts). Machines with more cores keep Mesa's default: not measured, and the large
// products may use them.
import { availableParallelism } from 'node:os';

/** The most cores at which the inline dispatch is chosen (what was measured). */
export const INLINE_DISPATCH_MAX_CORES = 2;

/**
 * Sets LP_NUM_THREADS=0 in `env` when the user has not set it and the machine has at most INLINE_DISPATCH_MAX_CORES
 * cores; returns the value lavapipe will see (undefined: Mesa's default). Must run before the first Dawn instance is
 * created: Mesa reads it when the driver loads. Only lavapipe reads it; other Vulkan drivers ignore it.
 */
export function preferInlineLavapipeDispatch(env: Record<string, string | undefined> = process.env, cores = availableParallelism()): string | undefined {
  if (env.LP_NUM_THREADS === undefined && cores <= INLINE_DISPATCH_MAX_CORES) env.LP_NUM_THREADS = '0';
  return env.LP_NUM_THREADS;
}

/** ", LP_NUM_THREADS=n" for an adapter description when the adapter is lavapipe and the variable is set, else "". */
export function lavapipeThreadsLabel(adapterText: string, env: Record<string, string | undefined> = process.env): string {
  return /llvmpipe|lavapipe/i.test(adapterText) && env.LP_NUM_THREADS !== undefined ? `, LP_NUM_THREADS=${env.LP_NUM_THREADS}` : '';
}
