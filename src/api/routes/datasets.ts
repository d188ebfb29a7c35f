// /v1/datasets: upload a split as IDX (images file immediately followed by labels file) or CSV; list what the token can use;
// download a split (its first N samples) in the stored form, which the lab page decodes.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app_env';
import type { DatasetFormat } from '../backend';
import { ApiError, notFound } from '../problem';
import { DatasetGetQuery, DatasetInfoSchema, DatasetNameParams, DatasetPutQuery } from '../schemas';
import { problem, problemResponses } from './problem_responses';

const putDataset = createRoute({
  method: 'put',
  path: '/v1/datasets/{name}',
  summary: 'Store one split of a dataset, compact, in R2 (Worker) or SQLite (Node)',
  description:
    'Body: `application/octet-stream` = IDX images file (magic 0x00000803, uint8) immediately followed by the IDX labels file ' +
    '(0x00000801), e.g. `cat train-images-idx3-ubyte train-labels-idx1-ubyte | curl --data-binary @- …`; ' +
    'or `text/csv` = one sample per line, numeric features and an integer label column.',
  request: {
    params: DatasetNameParams,
    query: DatasetPutQuery,
    body: {
      required: true,
      content: {
        'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) },
        'text/csv': { schema: z.string() },
      },
    },
  },
  responses: { 201: { description: 'stored', content: { 'application/json': { schema: DatasetInfoSchema } } }, 415: problem('neither IDX nor CSV'), ...problemResponses },
});

const listDatasets = createRoute({
  method: 'get',
  path: '/v1/datasets',
  summary: "The token's datasets and the shared ones (e.g. the seeded MNIST)",
  responses: { 200: { description: 'datasets', content: { 'application/json': { schema: z.object({ datasets: z.array(DatasetInfoSchema) }) } } }, ...problemResponses },
});

const getDataset = createRoute({
  method: 'get',
  path: '/v1/datasets/{name}',
  summary: "One split (the token's, else the shared one), optionally its first `take` samples, in the stored form",
  description:
    'Body: the stored form of src/api/datasets/dataset_blob.ts — "DLDS", u32 LE version 1, u32 LE header length H, H bytes of JSON ' +
    '{count, dim, classes, dtype}, zero padding to a multiple of 4, features (count·dim, uint8 or float32 LE), labels (count, uint8). ' +
    '`classes` is the whole split\'s, also when `take` cuts it. Cacheable: the lab keeps it in the browser\'s Cache API.',
  request: { params: DatasetNameParams, query: DatasetGetQuery },
  responses: { 200: { description: 'the split', content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } }, ...problemResponses },
});

/** Private: a dataset is the token's (or shared); an hour, since a PUT may replace it under the same name. */
const DATASET_CACHE_CONTROL = 'private, max-age=3600';

function formatOf(contentType: string | undefined): DatasetFormat {
  const type = (contentType ?? 'application/octet-stream').split(';')[0].trim().toLowerCase();
  if (type === 'text/csv') return 'csv';
  if (type === 'application/octet-stream') return 'idx';
  throw new ApiError(415, 'unsupported-media-type', `content-type ${type} is not a dataset format: send application/octet-stream (IDX) or text/csv`, [
    { field: 'content-type', message: `unsupported: ${type}` },
  ]);
}

export function datasetRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(putDataset, async (c) => {
    const { name } = c.req.valid('param');
    const query = c.req.valid('query');
    const format = formatOf(c.req.header('content-type'));
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (body.length === 0) throw new ApiError(422, 'validation', 'the dataset body is empty', [{ field: '(body)', message: 'empty' }]);
    const info = await c.var.backend.putDataset(c.var.owner, { name, split: query.split, format, body, labelColumn: query.labelColumn, classes: query.classes });
    return c.json(info, 201);
  });

  app.openapi(getDataset, async (c) => {
    const { name } = c.req.valid('param');
    const { split, take } = c.req.valid('query');
    const bytes = await c.var.backend.getDataset(c.var.owner, name, split, take);
    if (!bytes) throw notFound(`dataset ${name} (split ${split})`);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/octet-stream',
      'content-length': String(bytes.length),
      'cache-control': DATASET_CACHE_CONTROL,
    });
  });

  app.openapi(listDatasets, async (c) => c.json({ datasets: await c.var.backend.listDatasets(c.var.owner) }, 200));
}
