// Bundles the bench's child programs with esbuild: WGSL imported as text, npm packages left external
// (resolved from node_modules at run time), so each child starts as plain `node out/bench/<name>.mjs`.
// esbuild is imported when a build is asked for: a bundled bench (scripts/gpu-machine) runs on machines without it.
import { join, resolve } from 'node:path';

export const CHILD_ENTRIES = ['tfjs_peer', 'decaylab_peer', 'gpu_kernels', 'gpu_memory'] as const;
export type ChildName = (typeof CHILD_ENTRIES)[number];

export const BENCH_OUT_DIR = resolve(import.meta.dirname, '..', 'out', 'bench');

export function childPath(name: ChildName): string {
  return join(BENCH_OUT_DIR, `${name}.mjs`);
}

/** Where else to build the children: self-contained bundles (npm packages inside, but `external`) for a machine without node_modules. */
export interface ChildBundleTarget {
  outdir: string;
  external: string[];
}

export async function buildChildren(names: readonly ChildName[] = CHILD_ENTRIES, target?: ChildBundleTarget): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: Object.fromEntries(names.map((n) => [n, resolve(import.meta.dirname, 'peers', `${n}.ts`)])),
    outdir: target?.outdir ?? BENCH_OUT_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    ...(target
      // Bundled CommonJS packages (tfjs) require() Node built-ins, which an ES module bundle has no require for.
      ? { external: target.external, banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } }
      : { packages: 'external' as const }),
    loader: { '.wgsl': 'text' },
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}
