// Body-size limits (413): dataset uploads may be large, saved lab results medium, everything else is small JSON.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from './app_env';
import { ApiError } from './problem';

/**
 * Picks the limit by route, then applies Hono's streaming body limit (which also catches bodies without Content-Length).
 * @example app.use('/v1/*', bodyLimits())
 */
export function bodyLimits(): MiddlewareHandler<AppEnv> {
  return async function bodyLimitsHandler(c, next) {
    const isDatasetPut = c.req.method === 'PUT' && c.req.path.startsWith('/v1/datasets/');
    const isLabResults = c.req.method === 'POST' && c.req.path === '/v1/lab-results';
    const { limits } = c.var;
    const maxSize = isDatasetPut ? limits.maxDatasetBytes : isLabResults ? limits.maxLabResultsBytes : limits.maxJsonBytes;
    const limit = bodyLimit({
      maxSize,
      onError: () => {
        throw new ApiError(413, 'body-too-large', `the request body is larger than the ${maxSize} bytes allowed here`, [{ field: '(body)', message: `over ${maxSize} bytes` }]);
      },
    });
    return limit(c, next);
  };
}
