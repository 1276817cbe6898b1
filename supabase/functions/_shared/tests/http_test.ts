// Deno unit tests of _shared/http.ts: the function path, and how every kind of failure becomes
// a status and a message (never a stack trace or SQL text).
import assert from 'node:assert/strict';
import { AuthError } from '../auth.ts';
import { ConfigError } from '../env.ts';
import { functionPath, HttpError, mapError, readJson, ValidationError } from '../http.ts';

function pgError(code: string, message: string, detail?: string): Error {
  return Object.assign(new Error(message), { name: 'PostgresError', code, detail });
}

Deno.test('functionPath accepts /<name>/… and /functions/v1/<name>/…', () => {
  const path = (p: string) => functionPath(new URL(`http://x${p}`), 'api');
  assert.equal(path('/api'), '/');
  assert.equal(path('/api/'), '/');
  assert.equal(path('/api/jobs/1'), '/jobs/1');
  assert.equal(path('/functions/v1/api/jobs/1/'), '/jobs/1');
  assert.equal(path('/functions/v1/api'), '/');
  assert.equal(path('/apix/jobs'), undefined);
  assert.equal(path('/functions/v1/other/jobs'), undefined);
});

Deno.test('mapError: SQLSTATEs of the write functions', () => {
  const cases: [Error, number, unknown][] = [
    [
      pgError('28000', 'Not authenticated: sign in first'),
      401,
      { error: 'Not authenticated: sign in first' },
    ],
    [
      pgError('22023', 'name is required', 'name'),
      400,
      { error: 'Validation error', details: [{ field: 'name', message: 'name is required' }] },
    ],
    [
      pgError('22023', 'Dataset not ready for training', 'dataset_id'),
      400,
      {
        error: 'Dataset not ready for training',
        details: [{ field: 'dataset_id', message: 'Dataset not ready for training' }],
      },
    ],
    [pgError('P0002', 'Dataset not found'), 404, { error: 'Dataset not found' }],
    [
      pgError('55000', 'Training job already finished (status: completed)'),
      409,
      {
        error: 'Training job already finished (status: completed)',
      },
    ],
  ];
  for (const [error, status, body] of cases) {
    const mapped = mapError(error, 'req-1');
    assert.equal(mapped.status, status, error.message);
    assert.deepEqual(mapped.body, body);
    assert.equal(mapped.internal, false);
  }
});

Deno.test('mapError: our own failures answer 5xx with the request id only', () => {
  const secret = pgError('42P01', 'relation "public.secret_table" does not exist');
  for (const error of [secret, new TypeError('x is undefined'), 'a string']) {
    const mapped = mapError(error, 'req-2');
    assert.equal(mapped.status, 500);
    assert.deepEqual(mapped.body, { error: 'Internal error', details: { request_id: 'req-2' } });
    assert.equal(mapped.internal, true);
  }
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  assert.equal(mapError(refused, 'r').status, 503);
  assert.equal(
    mapError(pgError('57014', 'canceling statement due to statement timeout'), 'r').status,
    503,
  );
  const config = mapError(new ConfigError('SUPABASE_DB_URL is not set'), 'r');
  assert.equal(config.status, 500);
  assert.match(config.body.error, /SUPABASE_DB_URL is not set/);
});

Deno.test('mapError: HTTP, validation and auth errors keep their status and text', () => {
  assert.deepEqual(mapError(new HttpError(409, 'busy'), 'r').body, { error: 'busy' });
  const v = mapError(new ValidationError([{ field: 'a', message: 'b' }]), 'r');
  assert.equal(v.status, 400);
  assert.deepEqual(v.body, { error: 'Validation error', details: [{ field: 'a', message: 'b' }] });
  assert.equal(mapError(new AuthError(403, 'no'), 'r').status, 403);
});

Deno.test('readJson: empty is undefined, bad JSON is a 400, oversized is a 413', async () => {
  const req = (body: string, headers: Record<string, string> = {}) =>
    new Request('http://x/', { method: 'POST', body, headers });
  assert.equal(await readJson(req('')), undefined);
  assert.deepEqual(await readJson(req('{"a":1}')), { a: 1 });
  await assert.rejects(readJson(req('{')), (e: unknown) => e instanceof ValidationError);
  await assert.rejects(
    readJson(req('{}', { 'content-length': '2000000' })),
    (e: unknown) => e instanceof HttpError && e.status === 413,
  );
});
