// The app's onError/notFound: ApiError, Hono's HTTPException and anything unexpected all leave as problem+json.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ApiError, problemBody, problemResponse } from './problem';

export function handleError(err: Error, c: Context): Response {
  const instance = new URL(c.req.url).pathname;
  if (err instanceof ApiError) {
    return problemResponse(problemBody(err.status, err.kind, err.message, err.errors, instance), err.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
  }
  if (err instanceof HTTPException) {
    const malformed = /malformed/i.test(err.message);
    const errors = malformed ? [{ field: '(body)', message: 'not valid JSON' }] : [];
    const kind = malformed ? 'malformed-json' : err.status === 415 ? 'unsupported-media-type' : 'http';
    const detail = malformed ? 'the request body is not valid JSON' : err.status === 415 ? 'send the body as application/json' : err.message;
    return problemResponse(problemBody(err.status, kind, detail, errors, instance));
  }
  // A RangeError from core/train code is input the schemas could not see (e.g. model vs dataset shape).
  if (err instanceof RangeError) return problemResponse(problemBody(422, 'validation', err.message, [], instance));
  console.error('unhandled error', err);
  return problemResponse(problemBody(500, 'internal', 'internal error', [], instance));
}

export function handleNotFound(c: Context): Response {
  const path = new URL(c.req.url).pathname;
  return problemResponse(problemBody(404, 'not-found', `no route for ${c.req.method} ${path}`, [], path));
}
