// /v1/datasets: upload a split as IDX (images file immediately followed by labels file) or CSV; list what the token can use.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app_env';
import type { DatasetFormat } from '../backend';
import { ApiError } from '../problem';
import { DatasetInfoSchema, DatasetNameParams, DatasetPutQuery } from '../schemas';
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

  app.openapi(listDatasets, async (c) => c.json({ datasets: await c.var.backend.listDatasets(c.var.owner) }, 200));
}
