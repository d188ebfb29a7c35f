// Turns zod failures into problem details naming each offending field (dotted path from the request root).
import type { z } from '@hono/zod-openapi';
import { ApiError, type FieldError } from './problem';

export function fieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    // zod names unknown keys in the issue, not in the path.
    const keys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : [];
    const field = [prefix, path, keys.length === 1 ? keys[0] : ''].filter((s) => s !== '').join('.') || '(body)';
    const message = issue.code === 'unrecognized_keys' ? `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => JSON.stringify(k)).join(', ')}` : issue.message;
    return { field, message };
  });
}

/** defaultHook of the OpenAPIHono app: path parameters that fail are unknown ids (404); bodies are 422. */
export function validationHook(result: { success: boolean; error?: z.ZodError; target: string }): void {
  if (result.success || !result.error) return;
  if (result.target === 'param') throw new ApiError(404, 'not-found', 'no such resource: the id in the path is malformed');
  const errors = fieldErrors(result.error, result.target === 'query' ? 'query' : '');
  const where = result.target === 'json' ? 'request body' : result.target;
  throw new ApiError(422, 'validation', `invalid ${where}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, errors);
}
