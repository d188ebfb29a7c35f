// The decaylab Hono app, free of runtime specifics: the Worker and `decaylab serve` each hand it a Backend.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from './app_env';
import { bearerOwner } from './auth';
import type { Backend } from './backend';
import { bodyLimits } from './body_limits';
import { handleError, handleNotFound } from './error_handler';
import { DEFAULT_LIMITS, type ApiLimits } from './limits';
import { datasetRoutes } from './routes/datasets';
import { healthRoutes } from './routes/health';
import { labResultsRoutes } from './routes/lab_results';
import { runRoutes } from './routes/runs';
import { sweepRoutes } from './routes/sweeps';
import { validationHook } from './validation_hook';

export interface AppOptions {
  /** The runtime's backend for this request (the Worker builds it from the request's env). */
  backend: (c: Context) => Backend;
  /** Accepted bearer tokens; none = open API. */
  tokens: (c: Context) => string[] | undefined;
  limits?: (c: Context) => Partial<ApiLimits> | undefined;
}

export function createApp(options: AppOptions): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook as never });
  app.onError(handleError);
  app.notFound(handleNotFound);

  healthRoutes(app);

  app.use('/v1/*', async (c, next) => {
    c.set('limits', { ...DEFAULT_LIMITS, ...options.limits?.(c) });
    c.set('backend', options.backend(c));
    await next();
  });
  app.use('/v1/*', bearerOwner({ tokens: options.tokens }));
  app.use('/v1/*', bodyLimits());
  // After the auth middleware: with tokens configured, even the document needs one (only /healthz is open).
  app.doc31('/v1/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'decaylab', version: '0.1.0', description: 'Train MLPs and measure what weight decay does to them.' },
  });
  runRoutes(app);
  sweepRoutes(app);
  datasetRoutes(app);
  labResultsRoutes(app);
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  return app;
}
