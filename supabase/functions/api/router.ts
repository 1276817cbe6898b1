// A small path router: `/datasets/:id/complete`-style patterns, 404 for an unknown path and 405
// (with Allow) for a known path with another method.
import type { UserClaims } from '../_shared/db.ts';
import { HttpError } from '../_shared/http.ts';
import type { RequestContext } from '../_shared/serve.ts';

export interface RouteContext {
  req: Request;
  url: URL;
  params: Record<string, string>;
  claims: UserClaims;
  request: RequestContext;
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** e.g. `/jobs/:id/metrics`. */
  pattern: string;
  handle(ctx: RouteContext): Promise<Response>;
}

function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      try {
        params[want[i].slice(1)] = decodeURIComponent(got[i]);
      } catch {
        return undefined;
      }
    } else if (want[i] !== got[i]) return undefined;
  }
  return params;
}

export function findRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } {
  const allowed: string[] = [];
  for (const route of routes) {
    const params = match(route.pattern, path);
    if (!params) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  if (allowed.length > 0) {
    throw new HttpError(
      405,
      `Method ${method} is not allowed here (allowed: ${allowed.join(', ')})`,
    );
  }
  throw new HttpError(404, `No route ${method} ${path}`);
}
