/**
 * The frame of the three background functions: POST only, the service role key only, and an
 * answer `{success: true, data: <summary of the run>}`. Each run does bounded work and returns;
 * the scheduler (pg_cron hosted, the local scheduler every 2 s) calls again.
 */
import { requireServiceRole } from '../auth.ts';
import { functionPath, HttpError, ok } from '../http.ts';
import { createHandler, type FunctionHandler } from '../serve.ts';

export function backgroundFunction(
  name: string,
  run: (req: Request) => Promise<Record<string, unknown>>,
): FunctionHandler {
  return createHandler(name, async (req, ctx) => {
    const path = functionPath(new URL(req.url), name);
    if (path === undefined || path !== '/') throw new HttpError(404, 'Not found');
    ctx.log.route = `${req.method} /`;
    await requireServiceRole(req);
    if (req.method !== 'POST') {
      throw new HttpError(405, `${name} accepts POST only`);
    }
    // The body (the scheduler's {source}) carries nothing the run needs.
    await req.body?.cancel();
    const summary = await run(req);
    Object.assign(ctx.log.extra, summary);
    return ok(summary);
  });
}
