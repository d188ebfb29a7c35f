// The saved-results routes the lab needs (POST /v1/lab-results, GET /v1/lab-results/:id), in memory, on Hono.
// Stand-in until the edge API serves them: the page's client (src/web/edge_client.ts) is the contract.
import { Hono } from 'hono';
import { assertLabResults } from '../../src/web/lab_results';

export function labResultsApi(): Hono {
  const stored = new Map<string, string>();
  const app = new Hono();
  const problem = (status: number, detail: string) =>
    new Response(JSON.stringify({ type: 'about:blank', title: 'Bad request', status, detail }), {
      status, headers: { 'content-type': 'application/problem+json' },
    });
  app.post('/v1/lab-results', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return problem(400, 'the body is not JSON');
    }
    try {
      assertLabResults(body);
    } catch (error) {
      return problem(422, (error as Error).message);
    }
    const id = crypto.randomUUID().replaceAll('-', '').slice(0, 16);
    stored.set(id, JSON.stringify(body));
    return c.json({ id }, 201);
  });
  app.get('/v1/lab-results/:id', (c) => {
    const found = stored.get(c.req.param('id'));
    return found ? c.body(found, 200, { 'content-type': 'application/json' }) : problem(404, `no saved results ${c.req.param('id')}`);
  });
  return app;
}
