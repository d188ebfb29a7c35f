// /v1/lab-results: the lab page saves a sweep's results (JSON) and reopens them by id (#/results/<id> in its address).
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app_env';
import { LabResultsIdParams, LabResultsSchema } from '../lab_results_schema';
import { notFound } from '../problem';
import { problemResponses } from './problem_responses';

const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });

const saveLabResults = createRoute({
  method: 'post',
  path: '/v1/lab-results',
  summary: 'Store the results of a lab sweep; the id reopens them',
  request: { body: { required: true, content: json(LabResultsSchema) } },
  responses: { 201: { description: 'stored', content: json(z.object({ id: z.string() })) }, ...problemResponses },
});

const getLabResults = createRoute({
  method: 'get',
  path: '/v1/lab-results/{id}',
  summary: 'Saved lab results, as they were posted',
  request: { params: LabResultsIdParams },
  responses: { 200: { description: 'the results', content: json(LabResultsSchema) }, ...problemResponses },
});

/** A v4 UUID without dashes (122 random bits): the id is the share link, so it must not be guessable. */
const newResultsId = (): string => crypto.randomUUID().replaceAll('-', '');

export function labResultsRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(saveLabResults, async (c) => {
    const body = c.req.valid('json');
    const id = newResultsId();
    await c.var.backend.saveLabResults(c.var.owner, id, JSON.stringify(body));
    c.header('location', `${new URL(c.req.url).origin}/v1/lab-results/${id}`);
    return c.json({ id }, 201);
  });

  app.openapi(getLabResults, async (c) => {
    const { id } = c.req.valid('param');
    const text = await c.var.backend.getLabResults(c.var.owner, id);
    if (text === null) throw notFound(`lab results ${id}`);
    return c.body(text, 200, { 'content-type': 'application/json' }) as never;
  });
}
