// GET /healthz: liveness, open to everyone (no token).
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app_env';

const route = createRoute({
  method: 'get',
  path: '/healthz',
  responses: { 200: { description: 'alive', content: { 'application/json': { schema: z.object({ ok: z.boolean(), service: z.string() }) } } } },
});

export function healthRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, (c) => c.json({ ok: true, service: 'decaylab' }, 200));
}
