// Cloudflare Worker entry: the shared Hono app over Durable Object runs/sweeps and R2 datasets.
import { createApp } from '../api/app';
import type { Env } from './env';
import { tokensOf } from './env';
import { limitsOf } from './limits_of';
import { workerBackend } from './worker_backend';

export { RunObject } from './run_object';
export { SweepObject } from './sweep_object';

const app = createApp({
  backend: (c) => workerBackend(c.env as Env),
  tokens: (c) => tokensOf(c.env as Env),
  limits: (c) => limitsOf(c.env as Env),
});

export default {
  fetch: (request: Request, env: Env, ctx: ExecutionContext) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
