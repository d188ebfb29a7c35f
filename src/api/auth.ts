// Bearer-token auth: when tokens are configured every request but /healthz needs one, and the token's hash owns what it creates.
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './problem';

export interface AuthOptions {
  /** Accepted tokens for this request's environment; empty or undefined = open API, everything owned by `public`. */
  tokens: (c: Parameters<MiddlewareHandler>[0]) => string[] | undefined;
}

export const PUBLIC_OWNER = 'public';

/** Owner id of a token: SHA-256, hex, so that storage never holds the token itself. */
export async function ownerOf(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return 'o' + [...new Uint8Array(digest).slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Compares in time independent of where the strings differ. */
function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Sets `owner` on the context.
 * @example app.use('/v1/*', bearerOwner({ tokens: (c) => c.env.API_TOKEN?.split(',') }))
 */
export function bearerOwner(options: AuthOptions): MiddlewareHandler<{ Variables: { owner: string } }> {
  return async function bearerOwnerHandler(c, next) {
    const tokens = (options.tokens(c) ?? []).map((t) => t.trim()).filter((t) => t.length > 0);
    if (tokens.length === 0) {
      c.set('owner', PUBLIC_OWNER);
      return next();
    }
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new ApiError(401, 'unauthorized', 'this API needs an Authorization: Bearer <token> header', [{ field: 'authorization', message: 'missing or not a bearer token' }]);
    if (!tokens.some((t) => sameToken(t, match[1]))) {
      throw new ApiError(401, 'unauthorized', 'the bearer token is not valid', [{ field: 'authorization', message: 'unknown token' }]);
    }
    c.set('owner', await ownerOf(match[1]));
    return next();
  };
}
