// A failed API request, with a message that says what to do: 401 (no token or a refused one), 403, and 404 for ids
// that may belong to another token are the cases a lab user meets when the API has bearer tokens configured.

/** Where the page's token field is, as the messages name it. */
export const TOKEN_FIELD = '“Edge API token”';

export class ApiHttpError extends Error {
  constructor(
    readonly status: number,
    /** What the page was doing, e.g. "Saving the results". */
    readonly what: string,
    readonly detail: string,
    readonly tokenSent: boolean,
  ) {
    super(apiFailureMessage(status, what, detail, tokenSent));
    this.name = 'ApiHttpError';
  }

  /** 401/403: the token field can fix it. */
  get isAuth(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export function apiFailureMessage(status: number, what: string, detail: string, tokenSent: boolean): string {
  const why = detail ? `: ${detail}` : '';
  if (status === 401 && !tokenSent) {
    return `${what}: this decaylab API needs an API token (HTTP 401${why}). Enter yours under ${TOKEN_FIELD}; it is kept in this browser only.`;
  }
  if (status === 401) return `${what}: the API refused the API token saved in this browser (HTTP 401${why}). Check it under ${TOKEN_FIELD}.`;
  if (status === 403) return `${what}: the API token saved in this browser is not allowed to do this (HTTP 403${why}).`;
  if (status === 404) {
    const owner = tokenSent ? 'to another API token than the one saved in this browser' : 'to an API token (this browser sends none)';
    return `${what}: not found (HTTP 404${why}). It does not exist, or it belongs ${owner}.`;
  }
  return `${what} failed: HTTP ${status}${why}`;
}
