#!/usr/bin/env node
// decaylab CLI launcher: bundles src/node/main.ts with esbuild (a devDependency, ~0.2 s) into
// node_modules/.cache/decaylab/ and runs the bundle. Packages stay external (webgpu and resvg are native addons).
// Run it through npm so that Node 22 from node_modules/.bin is used: `npm run decaylab -- sweep …`.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(root, 'node_modules', '.cache', 'decaylab');

const result = await build({
  entryPoints: [join(root, 'src', 'node', 'main.ts')],
  outfile: join(cacheDir, 'decaylab.mjs'),
  write: false,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  loader: { '.wgsl': 'text' },
  sourcemap: 'inline',
  logLevel: 'error',
});
// Named by content and written by rename: several commands may start at once without reading a half-written bundle.
const code = result.outputFiles[0].contents;
const outfile = join(cacheDir, `decaylab-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
if (!existsSync(outfile)) {
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(`${outfile}.${process.pid}.tmp`, code);
  renameSync(`${outfile}.${process.pid}.tmp`, outfile);
}
// Bundles of older sources pile up as the code changes: drop those unused for a day (never one a command may be loading).
for (const f of readdirSync(cacheDir)) {
  const path = join(cacheDir, f);
  try {
    if (f.startsWith('decaylab-') && path !== outfile && Date.now() - statSync(path).atimeMs > 86_400_000) unlinkSync(path);
  } catch {
    // Another command removed it first.
  }
}
await import(pathToFileURL(outfile).href);
