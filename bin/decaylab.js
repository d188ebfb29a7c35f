#!/usr/bin/env node
// decaylab CLI launcher: bundles src/node/main.ts with esbuild (a devDependency, ~0.2 s) into
// node_modules/.cache/decaylab/ and runs the bundle. Packages stay external (webgpu and resvg are native addons).
// Run it through npm so that Node 22 from node_modules/.bin is used: `npm run decaylab -- sweep …`.
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'node_modules', '.cache', 'decaylab', 'decaylab.mjs');

await build({
  entryPoints: [join(root, 'src', 'node', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  loader: { '.wgsl': 'text' },
  sourcemap: 'inline',
  logLevel: 'error',
});
await import(pathToFileURL(outfile).href);
