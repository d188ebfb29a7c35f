// The error responses every route documents in the OpenAPI document.
import { ProblemSchema } from '../schemas';

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });

export const problemResponses = {
  400: problem('malformed JSON'),
  401: problem('missing or unknown bearer token'),
  404: problem('no such run, sweep or dataset (or it belongs to another token)'),
  413: problem('body too large'),
  422: problem('invalid request: the problem names each offending field'),
} as const;

export { problem };
