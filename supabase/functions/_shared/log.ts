// Structured logs: one JSON line per request (function, route, user, status, outcome,
// duration), plus event lines for background work. Supabase's log explorer and the local
// stack's log files both index JSON lines; nothing here ever logs a token or a body.

export type Outcome = 'ok' | 'client_error' | 'server_error';

export function logLine(level: 'info' | 'warn' | 'error', fields: Record<string, unknown>): void {
  const line = JSON.stringify({ ts: new Date().toISOString(), level, ...fields });
  if (level === 'error') console.error(line);
  else console.log(line);
}

/** Collects what one request did and writes it as one line when the request ends. */
export class RequestLog {
  /** The route pattern (e.g. `GET /jobs/:id`), set once the router matched. */
  route = 'unmatched';
  userId: string | undefined;
  readonly extra: Record<string, unknown> = {};
  readonly #started = performance.now();

  constructor(
    readonly functionName: string,
    readonly method: string,
    readonly requestId: string,
  ) {}

  finish(status: number, error?: unknown): void {
    const outcome: Outcome = status >= 500 ? 'server_error' : status >= 400 ? 'client_error' : 'ok';
    const fields: Record<string, unknown> = {
      function: this.functionName,
      request_id: this.requestId,
      method: this.method,
      route: this.route,
      user_id: this.userId ?? null,
      status,
      outcome,
      duration_ms: Math.round((performance.now() - this.#started) * 10) / 10,
      ...this.extra,
    };
    if (error !== undefined) {
      fields.error = error instanceof Error ? error.message : String(error);
      if (outcome === 'server_error' && error instanceof Error && error.stack) {
        fields.stack = error.stack;
      }
    }
    logLine(
      outcome === 'server_error' ? 'error' : outcome === 'client_error' ? 'warn' : 'info',
      fields,
    );
  }
}
