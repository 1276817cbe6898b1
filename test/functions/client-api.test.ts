// The extension's typed API client and its upload/download streams against the local stack's
// real `api` function (Deno), real Postgres and the local file store: every error kind a user
// can meet becomes an actionable BrightRunError, and a file makes the round trip with its size
// and sha256 checked.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiClient } from '../../client/src/api/api-client.ts';
import { BrightRunError } from '../../client/src/api/api-error.ts';
import { LOCAL_HINT } from '../../client/src/backend/auth-hints.ts';
import { readLocalStack } from '../../client/src/backend/local-config.ts';
import { sha256File } from '../../client/src/transfer/file-hash.ts';
import { downloadFile } from '../../client/src/transfer/download.ts';
import { uploadFile } from '../../client/src/transfer/upload.ts';
import { startStack, type Stack } from '../../server/src/local/stack.ts';

const fixture = fileURLToPath(new URL('../fixtures/valid/v4-plain.jsonl', import.meta.url));

async function rejectsWith(
  promise: Promise<unknown>,
  kind: BrightRunError['kind'],
  message: RegExp,
) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof BrightRunError, String(error));
    assert.equal(error.kind, kind, error.message);
    assert.match(error.message, message);
    return true;
  });
}

describe('client: the API client against the local stack', function () {
  this.timeout(120_000);
  let workspace: string;
  let stack: Stack;
  let api: ApiClient;
  let token: string;
  let apiUrl: string;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'brightrun-client-api-'));
    chmodSync(workspace, 0o755);
    stack = await startStack({ workspace, port: 0, dbPort: 0 });
    // The extension reads the same file the stack wrote.
    const local = readLocalStack(join(workspace, '.brightrun', 'local.json'));
    token = local.userToken;
    apiUrl = local.apiUrl;
    api = new ApiClient({ access: () => Promise.resolve({ apiUrl, token, hint: LOCAL_HINT }) });
  });

  after(async () => {
    await stack?.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('reads health and empty lists', async () => {
    assert.equal((await api.health()).status, 'ok');
    const page = await api.listDatasets({ limit: 5 });
    assert.deepEqual(page.items, []);
    assert.equal(page.limit, 5);
  });

  it('a refused token says how to get a fresh one', async () => {
    const forged = new ApiClient({
      access: () => Promise.resolve({ apiUrl, token: 'not-a-jwt', hint: LOCAL_HINT }),
    });
    await rejectsWith(forged.listJobs(), 'unauthorized', /npx brightrun local up/);
  });

  it('retries once with a refreshed token after a 401', async () => {
    let current = 'expired';
    const refreshing = new ApiClient({
      access: () => Promise.resolve({ apiUrl, token: current }),
      refresh: () => {
        current = token;
        return Promise.resolve(true);
      },
    });
    assert.equal((await refreshing.listModels()).total, 0);
  });

  it('an unreachable backend says to start it', async () => {
    // A port that was free a moment ago: nothing listens there.
    const { createServer } = await import('node:net');
    const probe = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => probe.once('listening', resolve));
    const address = probe.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise((resolve) => probe.close(resolve));
    const down = new ApiClient({
      access: () =>
        Promise.resolve({
          apiUrl: `http://127.0.0.1:${port}/functions/v1/api`,
          token,
          hint: LOCAL_HINT,
        }),
    });
    await rejectsWith(
      down.health(),
      'unreachable',
      /Cannot reach the BrightRun API at .*ECONNREFUSED.*npx brightrun local up/,
    );
  });

  it('invalid input lists the fields to change', async () => {
    await rejectsWith(
      api.createDataset({ name: '', file_name: 'x.jsonl', file_size: 0, sha256: 'nope' }),
      'validation',
      /^Invalid input: .*file_size.*Change the value and try again\.$/,
    );
  });

  it('a missing object is not found', async () => {
    await rejectsWith(
      api.getDataset('00000000-0000-4000-8000-000000000000'),
      'not-found',
      /refresh the BrightRun views/,
    );
  });

  it('uploads a file with its sha256, and a job on a dataset still validating is refused', async () => {
    const size = statSync(fixture).size;
    const sha256 = await sha256File(fixture);
    assert.equal(sha256, createHash('sha256').update(readFileSync(fixture)).digest('hex'));
    const created = await api.createDataset({
      name: 'client-upload',
      file_name: 'v4-plain.jsonl',
      file_size: size,
      sha256,
    });
    assert.equal(created.dataset.status, 'uploading');
    let sent = 0;
    await uploadFile(created.upload.url, fixture, {
      method: created.upload.method,
      headers: created.upload.headers,
      onBytes: (n) => (sent += n),
    });
    assert.equal(sent, size);
    const completed = await api.completeDataset(created.dataset.id);
    assert.equal(completed.status, 'validating');
    await rejectsWith(
      api.createJob({ dataset_id: created.dataset.id, preset_id: 'balanced' }),
      'validation',
      /^Dataset not ready for training\. Wait until the dataset's validation finishes/,
    );
    // The round trip: the stored object is the file, byte for byte.
    const dir = mkdtempSync(join(tmpdir(), 'brightrun-client-dl-'));
    try {
      const stored = join(stack.info.storageDir, 'lora-datasets', created.dataset.storage_path);
      assert.equal(createHash('sha256').update(readFileSync(stored)).digest('hex'), sha256);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a cancelled upload stops and says so', async () => {
    const size = statSync(fixture).size;
    const created = await api.createDataset({
      name: 'client-cancelled',
      file_name: 'v4-plain.jsonl',
      file_size: size,
      sha256: await sha256File(fixture),
    });
    const abort = new AbortController();
    abort.abort();
    await rejectsWith(
      uploadFile(created.upload.url, fixture, {
        headers: created.upload.headers,
        signal: abort.signal,
      }),
      'cancelled',
      /Upload cancelled/,
    );
    await api.deleteDataset(created.dataset.id);
  });

  it('downloads a file, keeping it only when its size and sha256 match', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brightrun-client-dl-'));
    const { createServer } = await import('node:http');
    const body = readFileSync(fixture);
    const server = createServer((_req, res) => res.end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/f`;
    try {
      const sha = createHash('sha256').update(body).digest('hex');
      const ok = await downloadFile(url, join(dir, 'ok.jsonl'), {
        expectedSize: body.length,
        expectedSha256: sha,
      });
      assert.equal(ok.size, body.length);
      assert.deepEqual(readFileSync(ok.path), body);
      await assert.rejects(
        downloadFile(url, join(dir, 'short.jsonl'), { expectedSize: body.length + 1 }),
        /received \d+ bytes but the model lists \d+\. The file was not kept/,
      );
      await assert.rejects(
        downloadFile(url, join(dir, 'bad.jsonl'), { expectedSha256: '0'.repeat(64) }),
        /checksum does not match/,
      );
      assert.throws(() => statSync(join(dir, 'short.jsonl')));
      assert.throws(() => statSync(join(dir, 'short.jsonl.part')));
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
