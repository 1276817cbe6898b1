// The frame every function's handler runs in: CORS preflight, a request id, error mapping
// (http.ts) and one log line per request (log.ts). Route code only throws or returns.
import { json, mapError, preflight } from './http.ts';
import { RequestLog } from './log.ts';

export interface RequestContext {
  requestId: string;
  log: RequestLog;
}

export type FunctionHandler = (req: Request) => Promise<Response>;

export function createHandler(
  functionName: string,
  handle: (req: Request, ctx: RequestContext) => Promise<Response>,
): FunctionHandler {
  return async (req: Request): Promise<Response> => {
    const requestId = crypto.randomUUID();
    const log = new RequestLog(functionName, req.method, requestId);
    if (req.method === 'OPTIONS') {
      log.route = 'OPTIONS *';
      log.finish(204);
      return preflight();
    }
    let response: Response;
    try {
      response = await handle(req, { requestId, log });
      log.finish(response.status);
    } catch (error) {
      const mapped = mapError(error, requestId);
      log.finish(mapped.status, error);
      response = json(mapped.status, mapped.body);
    }
    response.headers.set('x-request-id', requestId);
    return response;
  };
}
