// /v1/runs: create, inspect, follow (SSE), evaluate, predict, download weights, delete.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { AppEnv } from '../app_env';
import { notFound } from '../problem';
import { checkInlineCount, checkRunRequestLimits } from '../run_limits';
import {
  EpochRecordSchema, EvaluateRequestSchema, EvaluationSchema, PredictRequestSchema, PredictionSchema, RunIdParams,
  RunRequestSchema, RunViewSchema,
} from '../schemas';
import { problem, problemResponses } from './problem_responses';
import { runEvents } from './run_events';

const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });

const createRun = createRoute({
  method: 'post',
  path: '/v1/runs',
  summary: 'Start a training run',
  request: { body: { required: true, content: json(RunRequestSchema) } },
  responses: { 201: { description: 'created', content: json(RunViewSchema) }, ...problemResponses },
});

const getRun = createRoute({
  method: 'get',
  path: '/v1/runs/{id}',
  summary: 'Status, progress and latest metrics of a run',
  request: { params: RunIdParams },
  responses: { 200: { description: 'the run', content: json(RunViewSchema) }, ...problemResponses },
});

const getMetrics = createRoute({
  method: 'get',
  path: '/v1/runs/{id}/metrics',
  summary: 'Per-epoch metric history',
  request: { params: RunIdParams },
  responses: { 200: { description: 'history', content: json(z.object({ epochs: z.array(EpochRecordSchema) })) }, ...problemResponses },
});

const evaluate = createRoute({
  method: 'post',
  path: '/v1/runs/{id}/evaluate',
  summary: 'Loss, accuracy, per-class accuracy and confusion matrix on a stored split or posted samples',
  request: { params: RunIdParams, body: { required: false, content: json(EvaluateRequestSchema) } },
  responses: { 200: { description: 'evaluation', content: json(EvaluationSchema) }, 409: problem('the run has no parameters yet'), ...problemResponses },
});

const predict = createRoute({
  method: 'post',
  path: '/v1/runs/{id}/predict',
  summary: 'Class probabilities of posted samples',
  request: { params: RunIdParams, body: { required: true, content: json(PredictRequestSchema) } },
  responses: { 200: { description: 'probabilities', content: json(PredictionSchema) }, ...problemResponses },
});

const deleteRun = createRoute({
  method: 'delete',
  path: '/v1/runs/{id}',
  summary: 'Cancel and delete a run',
  request: { params: RunIdParams },
  responses: { 204: { description: 'deleted' }, ...problemResponses },
});

const weights = createRoute({
  method: 'get',
  path: '/v1/runs/{id}/weights',
  summary: 'Latest (last good) parameters as safetensors, tensor names as PyTorch nn.Sequential ("0.weight", …)',
  request: { params: RunIdParams },
  responses: { 200: { description: 'safetensors', content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } }, ...problemResponses },
});

const events = createRoute({
  method: 'get',
  path: '/v1/runs/{id}/events',
  summary: 'Progress as server-sent events (`progress` on every change, `end` at a terminal status)',
  request: { params: RunIdParams },
  responses: { 200: { description: 'event stream', content: { 'text/event-stream': { schema: z.string() } } }, ...problemResponses },
});

const baseUrl = (url: string): string => new URL(url).origin;

export function runRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(createRun, async (c) => {
    const body = c.req.valid('json');
    checkRunRequestLimits(body, c.var.limits);
    const run = await c.var.backend.createRun(c.var.owner, body, baseUrl(c.req.url));
    c.header('location', run.url);
    return c.json(run, 201);
  });

  app.openapi(getRun, async (c) => {
    const { id } = c.req.valid('param');
    const run = await c.var.backend.getRun(c.var.owner, id, baseUrl(c.req.url));
    if (!run) throw notFound(`run ${id}`);
    return c.json(run, 200);
  });

  app.openapi(getMetrics, async (c) => {
    const { id } = c.req.valid('param');
    const epochs = await c.var.backend.getMetrics(c.var.owner, id);
    if (!epochs) throw notFound(`run ${id}`);
    return c.json({ epochs }, 200);
  });

  app.openapi(evaluate, async (c) => {
    const { id } = c.req.valid('param');
    const body = EvaluateRequestSchema.parse(c.req.valid('json') ?? {});
    if (body.samples) checkInlineCount(body.samples.labels.length, c.var.limits, 'samples');
    const result = await c.var.backend.evaluate(c.var.owner, id, body);
    if (!result) throw notFound(`run ${id}`);
    return c.json(result, 200);
  });

  app.openapi(predict, async (c) => {
    const { id } = c.req.valid('param');
    const { features } = c.req.valid('json');
    checkInlineCount(features.length, c.var.limits, 'features');
    const result = await c.var.backend.predict(c.var.owner, id, features);
    if (!result) throw notFound(`run ${id}`);
    return c.json(result, 200);
  });

  app.openapi(weights, async (c) => {
    const { id } = c.req.valid('param');
    const bytes = await c.var.backend.weights(c.var.owner, id);
    if (!bytes) throw notFound(`run ${id}`);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${id}.safetensors"`,
    });
  });

  app.openapi(deleteRun, async (c) => {
    const { id } = c.req.valid('param');
    if (!(await c.var.backend.deleteRun(c.var.owner, id))) throw notFound(`run ${id}`);
    return c.body(null, 204);
  });

  app.openapi(events, async (c) => {
    const { id } = c.req.valid('param');
    const { backend, owner } = c.var;
    const origin = baseUrl(c.req.url);
    const first = await backend.getRun(owner, id, origin);
    if (!first) throw notFound(`run ${id}`);
    return streamSSE(c, (stream) => runEvents(stream, first, () => backend.getRun(owner, id, origin))) as never;
  });
}
