import assert from 'node:assert/strict';
import { BrightRunError, errorFromResponse } from '../../../client/src/api/api-error.ts';
import { LOCAL_HINT } from '../../../client/src/backend/auth-hints.ts';

describe('client: API errors become actionable messages', () => {
  it('401 says how to get a fresh token on the current backend', () => {
    const e = errorFromResponse('GET /datasets', 401, { error: 'Invalid token' }, LOCAL_HINT);
    assert.equal(e.kind, 'unauthorized');
    assert.match(e.message, /Invalid token/);
    assert.match(e.message, /npx brightrun local up/);
  });

  it('400 lists each field and what to change', () => {
    const e = errorFromResponse('POST /jobs', 400, {
      error: 'Validation error',
      details: [
        {
          field: 'hyperparameters.learning_rate',
          message: 'learning_rate must be a number between 0.00001 and 0.001',
        },
        { field: 'gpu_config.count', message: 'count must be an integer between 1 and 8' },
      ],
    });
    assert.equal(e.kind, 'validation');
    assert.match(
      e.message,
      /^Invalid input: hyperparameters\.learning_rate: learning_rate must be/,
    );
    assert.match(e.message, /gpu_config\.count: count must be an integer between 1 and 8/);
    assert.match(e.message, /Change the value and try again\.$/);
    assert.equal((e.details as unknown[]).length, 2);
  });

  it('409 on a dataset that is not ready says to wait for validation or fix it', () => {
    const e = errorFromResponse('POST /jobs', 409, { error: 'Dataset is not ready for training' });
    assert.equal(e.kind, 'conflict');
    assert.match(
      e.message,
      /^Dataset is not ready for training\. Wait until the dataset's validation finishes/,
    );
  });

  it('404, 413 and 5xx say what to do next', () => {
    assert.match(
      errorFromResponse('GET /jobs/:id', 404, { error: 'Job not found' }).message,
      /Job not found\. It may have been deleted: refresh/,
    );
    assert.match(errorFromResponse('POST /datasets', 413, {}).message, /at most 500 MB/);
    const server = errorFromResponse('GET /costs/dashboard', 503, { error: 'Service degraded' });
    assert.equal(server.kind, 'server');
    assert.match(
      server.message,
      /GET \/costs\/dashboard \(HTTP 503: Service degraded\)\. Try again/,
    );
  });

  it('keeps the status and details for callers such as the panels', () => {
    const e = errorFromResponse('POST /jobs/estimate', 400, {
      error: 'Validation error',
      details: [],
    });
    assert.ok(e instanceof BrightRunError);
    assert.equal(e.status, 400);
    assert.deepEqual(e.details, []);
  });
});
