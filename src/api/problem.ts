// RFC 9457 problem details: every error the API returns is application/problem+json naming what was wrong.

export interface FieldError {
  /** Dotted path of the offending field in the request, e.g. `optimizer.lr` or `dataset.samples.features.3.1`. */
  field: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** The first offending field (a convenience copy of errors[0].field). */
  field?: string;
  errors?: FieldError[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Thrown anywhere below a route; the app's error handler turns it into a problem response. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** A short slug appended to the problem type URI, e.g. `validation`, `not-found`. */
    readonly kind: string,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string): ApiError => new ApiError(404, 'not-found', `${what} does not exist`);

export const invalidField = (field: string, message: string, status = 422): ApiError =>
  new ApiError(status, 'validation', `${field}: ${message}`, [{ field, message }]);

export function problemBody(status: number, kind: string, detail: string, errors: FieldError[] = [], instance?: string): ProblemBody {
  const body: ProblemBody = {
    type: `https://decaylab.dev/problems/${kind}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
  };
  if (instance) body.instance = instance;
  if (errors.length > 0) {
    body.field = errors[0].field;
    body.errors = errors;
  }
  return body;
}

export function problemResponse(body: ProblemBody, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}
