// Datasets in R2, one compact object per split: datasets/<owner>/<name>/<split>.dlds. The `public` owner's are shared.
import { PUBLIC_OWNER } from '../api/auth';
import type { DatasetInfo } from '../api/backend';
import {
  DATASET_BLOB_HEADER_PROBE, assembleDatasetBlob, datasetBlobLayout, decodeDatasetBlob, encodeDatasetBlob, firstSamplesRanges, readDatasetBlobHeader,
} from '../api/datasets/dataset_blob';
import type { Dataset } from '../core/dataset';

const key = (owner: string, name: string, split: string): string => `datasets/${owner}/${name}/${split}.dlds`;

export async function putDatasetR2(bucket: R2Bucket, owner: string, name: string, split: 'train' | 'test', ds: Dataset): Promise<DatasetInfo> {
  const bytes = encodeDatasetBlob(ds);
  const dtype = ds.features instanceof Uint8Array ? 'uint8' : 'float32';
  await bucket.put(key(owner, name, split), bytes, {
    customMetadata: { count: String(ds.count), dim: String(ds.dim), classes: String(ds.classes), dtype },
  });
  return { name, split, count: ds.count, dim: ds.dim, classes: ds.classes, dtype, bytes: bytes.length, shared: owner === PUBLIC_OWNER };
}

export async function loadDatasetR2(bucket: R2Bucket, owner: string, name: string, split: 'train' | 'test'): Promise<Dataset | null> {
  for (const o of owner === PUBLIC_OWNER ? [owner] : [owner, PUBLIC_OWNER]) {
    const object = await bucket.get(key(o, name, split));
    if (object) return decodeDatasetBlob(new Uint8Array(await object.arrayBuffer()));
  }
  return null;
}

/**
 * The stored blob of a split, cut to its first `take` samples. A cut is read with range reads (header, features,
 * labels) so that a few thousand MNIST images never bring the whole 47 MB object into the isolate.
 */
export async function getDatasetBlobR2(bucket: R2Bucket, owner: string, name: string, split: 'train' | 'test', take?: number): Promise<Uint8Array | null> {
  for (const o of owner === PUBLIC_OWNER ? [owner] : [owner, PUBLIC_OWNER]) {
    const k = key(o, name, split);
    const head = await bucket.head(k);
    if (!head) continue;
    const prefix = await readRange(bucket, k, 0, Math.min(DATASET_BLOB_HEADER_PROBE, head.size));
    const layout = datasetBlobLayout(prefix);
    if (take === undefined || take >= layout.header.count) return readRange(bucket, k, 0, head.size);
    const r = firstSamplesRanges(layout, take);
    const [features, labels] = await Promise.all([readRange(bucket, k, r.features.offset, r.features.length), readRange(bucket, k, r.labels.offset, r.labels.length)]);
    return assembleDatasetBlob(layout.header, features, labels);
  }
  return null;
}

async function readRange(bucket: R2Bucket, k: string, offset: number, length: number): Promise<Uint8Array> {
  const object = await bucket.get(k, { range: { offset, length } });
  if (!object) throw new RangeError(`stored dataset ${k} vanished while it was read`);
  const bytes = new Uint8Array(await object.arrayBuffer());
  if (bytes.length !== length) throw new RangeError(`stored dataset ${k} is corrupt: read ${bytes.length} bytes at ${offset}, expected ${length}`);
  return bytes;
}

export async function listDatasetsR2(bucket: R2Bucket, owner: string): Promise<DatasetInfo[]> {
  const out: DatasetInfo[] = [];
  for (const o of owner === PUBLIC_OWNER ? [owner] : [owner, PUBLIC_OWNER]) {
    let cursor: string | undefined;
    do {
      const page = await bucket.list({ prefix: `datasets/${o}/`, cursor, include: ['customMetadata'] });
      for (const obj of page.objects) {
        const [, , name, file] = obj.key.split('/');
        // Objects put by `wrangler r2 object put` (the seeding step) carry no metadata: read their header instead.
        const m = obj.customMetadata?.count ? obj.customMetadata : await headerMetadata(bucket, obj.key);
        out.push({
          name, split: file.replace(/\.dlds$/, ''), count: Number(m.count), dim: Number(m.dim), classes: Number(m.classes),
          dtype: m.dtype === 'float32' ? 'float32' : 'uint8', bytes: obj.size, shared: o === PUBLIC_OWNER,
        });
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
  return out;
}

async function headerMetadata(bucket: R2Bucket, key: string): Promise<Record<string, string>> {
  const head = await bucket.get(key, { range: { offset: 0, length: 4096 } });
  if (!head) return {};
  const { header } = readDatasetBlobHeader(new Uint8Array(await head.arrayBuffer()));
  return { count: String(header.count), dim: String(header.dim), classes: String(header.classes), dtype: header.dtype };
}
