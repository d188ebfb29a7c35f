// Asserts an RFC 9457 problem response (status, media type, shape, the offending field) and returns its body.
import { expect } from 'vitest';

export async function expectProblem(r: Response, status: number, field?: string): Promise<any> {
  const text = await r.text();
  expect(r.status, text).toBe(status);
  expect(r.headers.get('content-type')).toBe('application/problem+json');
  const body = JSON.parse(text);
  expect(body.status).toBe(status);
  expect(typeof body.title).toBe('string');
  expect(body.type).toMatch(/^https:\/\/decaylab\.dev\/problems\//);
  if (field !== undefined) expect(body.field, text).toBe(field);
  return body;
}
