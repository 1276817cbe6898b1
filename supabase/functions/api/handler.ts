// The `api` function (architecture.md §3): every route needs a signed-in user's JWT; the route
// modules parse, authorise through the database (RLS and the write functions) and shape the
// answer. Paths are accepted as `/api/...` (Edge Runtime) and `/functions/v1/api/...`.
import { requireUser } from '../_shared/auth.ts';
import { HttpError, functionPath } from '../_shared/http.ts';
import { createHandler } from '../_shared/serve.ts';
import { findRoute, type Route } from './router.ts';
import { costRoutes } from './routes/costs.ts';
import { datasetRoutes } from './routes/datasets.ts';
import { healthRoutes } from './routes/health.ts';
import { jobRoutes } from './routes/jobs.ts';
import { modelRoutes } from './routes/models.ts';
import { notificationRoutes } from './routes/notifications.ts';

export const FUNCTION_NAME = 'api';

export const routes: readonly Route[] = [
  ...healthRoutes,
  ...datasetRoutes,
  ...jobRoutes,
  ...modelRoutes,
  ...costRoutes,
  ...notificationRoutes,
];

export const handler = createHandler(FUNCTION_NAME, async (req, request) => {
  const url = new URL(req.url);
  const path = functionPath(url, FUNCTION_NAME);
  // Authentication comes first, so a caller without a token learns nothing, not even which
  // routes exist.
  const claims = await requireUser(req);
  request.log.userId = claims.sub;
  if (path === undefined) throw new HttpError(404, `No route ${req.method} ${url.pathname}`);
  const { route, params } = findRoute(routes, req.method, path);
  request.log.route = `${route.method} ${route.pattern}`;
  return route.handle({ req, url, params, claims, request });
});
