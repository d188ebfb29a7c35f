// The built lab page (npm run build:web → dist/web) as static files for `decaylab serve`: GET/HEAD of any path outside
// the API. Hashed files under assets/ are cached for good; index.html is revalidated so a rebuild shows at once.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
  '.wasm': 'application/wasm', '.txt': 'text/plain; charset=utf-8',
};

/** True for paths the Hono app answers; everything else may be a file of the page. */
export const isApiPath = (pathname: string): boolean => pathname === '/healthz' || pathname === '/v1' || pathname.startsWith('/v1/');

/**
 * A handler for the files under `root`, or null for a request it does not serve (not GET/HEAD, or no such file),
 * which then goes on to the API's problem+json 404.
 */
export function staticFiles(root: string): (request: Request) => Response | null {
  const base = resolve(root);
  return function serveStaticFile(request) {
    if (request.method !== 'GET' && request.method !== 'HEAD') return null;
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url).pathname);
    } catch {
      return null;
    }
    if (pathname.includes('\0')) return null;
    const file = resolve(base, '.' + (pathname.endsWith('/') ? pathname + 'index.html' : pathname));
    // Never outside the root (`..` after decoding).
    if (file !== base && !file.startsWith(base + sep)) return null;
    if (!existsSync(file) || !statSync(file).isFile()) return null;
    const immutable = file.startsWith(join(base, 'assets') + sep);
    const headers = {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    };
    return new Response(request.method === 'HEAD' ? null : readFileSync(file), { status: 200, headers });
  };
}

/**
 * dist/web of this checkout: looked for above this module (the CLI and `npm run serve` run bundles from bin/ and
 * node_modules/.cache/), then under the working directory. null when the page was never built.
 */
export function findBuiltPage(): string | null {
  const candidates: string[] = [];
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    candidates.push(join(dir, 'dist', 'web'));
    if (dirname(dir) === dir) break;
  }
  candidates.push(join(process.cwd(), 'dist', 'web'));
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? null;
}
