// /v1/sweeps: one run per decay coefficient, and the comparison table.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app_env';
import { invalidField, notFound } from '../problem';
import { checkRunRequestLimits } from '../run_limits';
import { RunIdParams, SweepRequestSchema, SweepViewSchema } from '../schemas';
import { problemResponses } from './problem_responses';

const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });

const createSweep = createRoute({
  method: 'post',
  path: '/v1/sweeps',
  summary: 'Start one run per decay coefficient (base.decay.coefficient is replaced by each)',
  request: { body: { required: true, content: json(SweepRequestSchema) } },
  responses: { 201: { description: 'created', content: json(SweepViewSchema) }, ...problemResponses },
});

const getSweep = createRoute({
  method: 'get',
  path: '/v1/sweeps/{id}',
  summary: 'Status of each run and the comparison table (train/test accuracy, gap, weight norms, best coefficient)',
  request: { params: RunIdParams },
  responses: { 200: { description: 'the sweep', content: json(SweepViewSchema) }, ...problemResponses },
});

const baseUrl = (url: string): string => new URL(url).origin;

export function sweepRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(createSweep, async (c) => {
    const body = c.req.valid('json');
    const { limits } = c.var;
    if (body.coefficients.length > limits.maxSweepRuns) {
      throw invalidField('coefficients', `at most ${limits.maxSweepRuns} coefficients per sweep, got ${body.coefficients.length}`);
    }
    if (new Set(body.coefficients).size !== body.coefficients.length) throw invalidField('coefficients', 'coefficients must be distinct');
    checkRunRequestLimits(body.base, limits, 'base.');
    const sweep = await c.var.backend.createSweep(c.var.owner, body, baseUrl(c.req.url));
    c.header('location', sweep.url);
    return c.json(sweep, 201);
  });

  app.openapi(getSweep, async (c) => {
    const { id } = c.req.valid('param');
    const sweep = await c.var.backend.getSweep(c.var.owner, id, baseUrl(c.req.url));
    if (!sweep) throw notFound(`sweep ${id}`);
    return c.json(sweep, 200);
  });
}
