// Bundles the bench's child programs with esbuild: WGSL imported as text, npm packages left external
// (resolved from node_modules at run time), so each child starts as plain `node out/bench/<name>.mjs`.
import { build } from 'esbuild';
import { join, resolve } from 'node:path';

export const CHILD_ENTRIES = ['tfjs_peer', 'decaylab_peer', 'gpu_kernels', 'gpu_memory'] as const;
export type ChildName = (typeof CHILD_ENTRIES)[number];

export const BENCH_OUT_DIR = resolve(import.meta.dirname, '..', 'out', 'bench');

export function childPath(name: ChildName): string {
  return join(BENCH_OUT_DIR, `${name}.mjs`);
}

export async function buildChildren(names: readonly ChildName[] = CHILD_ENTRIES): Promise<void> {
  await build({
    entryPoints: Object.fromEntries(names.map((n) => [n, resolve(import.meta.dirname, 'peers', `${n}.ts`)])),
    outdir: BENCH_OUT_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    loader: { '.wgsl': 'text' },
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}
