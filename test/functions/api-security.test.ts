// Who may call the api and what they can see: 401 on every route without a valid user token,
// and another user's ids behave exactly like ids that do not exist, on every route.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type {
  CostDashboard,
  CreateJobResponse,
  ListDatasetsResponse,
  ListJobsResponse,
  ListModelsResponse,
  ListNotificationsResponse,
  ReadAllResponse,
} from '../../common/api/types.ts';
import { signHs256 } from '../../server/src/local/keys.ts';
import { startApiStack, type ApiStack, type TestUser } from './support/api-stack.ts';
import { finishJob, readyDataset } from './support/seed.ts';

interface Ok<T> {
  success: true;
  data: T;
}
interface Err {
  error: string;
  details?: unknown;
}

const ID = '00000000-0000-4000-8000-000000000000';

/** Every route of architecture.md §3, with a plausible body. */
const ROUTES: [string, string, unknown?][] = [
  ['GET', '/health'],
  ['POST', '/datasets', { name: 'x', file_name: 'x.jsonl', file_size: 1, sha256: 'a'.repeat(64) }],
  ['POST', `/datasets/${ID}/complete`],
  ['GET', '/datasets'],
  ['GET', `/datasets/${ID}`],
  ['DELETE', `/datasets/${ID}`],
  ['POST', '/jobs/estimate', { dataset_id: ID }],
  ['POST', '/jobs', { dataset_id: ID }],
  ['GET', '/jobs'],
  ['GET', `/jobs/${ID}`],
  ['GET', `/jobs/${ID}/metrics?after_step=0`],
  ['POST', `/jobs/${ID}/cancel`],
  ['GET', '/models'],
  ['GET', `/models/${ID}`],
  ['POST', `/models/${ID}/download`],
  ['GET', '/costs/dashboard'],
  ['GET', '/notifications'],
  ['PATCH', `/notifications/${ID}`, { read: true }],
  ['POST', '/notifications/read-all'],
];

describe('api function: authentication and isolation', function () {
  let stack: ApiStack;

  before(async function () {
    this.timeout(240_000);
    stack = await startApiStack();
  });

  after(async function () {
    this.timeout(30_000);
    await stack?.stop();
  });

  describe('401 without a valid user token', function () {
    let user: TestUser;
    before(async function () {
      user = await stack.newUser();
    });

    const now = () => Math.floor(Date.now() / 1000);
    const badTokens: [string, (s: ApiStack, u: TestUser) => string | null, RegExp][] = [
      ['no token', () => null, /Missing Authorization header/],
      ['a malformed token', () => 'not.a.jwt', /Invalid access token/],
      ['a token signed with another secret', (s, u) => s.forgedToken(u.id), /Invalid access token/],
      [
        'an expired token',
        (s, u) =>
          signHs256(
            { sub: u.id, role: 'authenticated', aud: 'authenticated', exp: now() - 10 },
            s.secret,
          ),
        /expired/,
      ],
      ['the anon key', (s) => s.anonKey, /signed-in user/],
      ['the service role key', (s) => s.serviceKey, /signed-in user/],
      [
        'a token without a user id',
        (s) =>
          signHs256({ role: 'authenticated', aud: 'authenticated', exp: now() + 60 }, s.secret),
        /no user id/,
      ],
      [
        'a token without an expiry',
        (s, u) => signHs256({ sub: u.id, role: 'authenticated', aud: 'authenticated' }, s.secret),
        /no expiry/,
      ],
      [
        'an unsigned (alg none) token',
        (_s, u) =>
          `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
            JSON.stringify({ sub: u.id, role: 'authenticated', exp: now() + 60 }),
          ).toString('base64url')}.`,
        /Invalid access token/,
      ],
    ];

    for (const [what, token, message] of badTokens) {
      it(`every route answers 401 with ${what}`, async function () {
        for (const [method, path, body] of ROUTES) {
          const res = await stack.call<Err>(method, path, { token: token(stack, user), body });
          assert.equal(res.status, 401, `${method} ${path}: ${JSON.stringify(res.body)}`);
          assert.match(res.body.error, message, `${method} ${path}`);
          assert.deepEqual(Object.keys(res.body), ['error']);
        }
      });
    }

    it('an unknown path without a token is a 401 too (routes are not disclosed)', async function () {
      const res = await stack.call('GET', '/secret-admin');
      assert.equal(res.status, 401);
    });

    it('nothing was written by the refused calls', async function () {
      const [row] = await stack.db.sql<{ n: number }[]>`
        select count(*)::int as n from public.datasets where user_id = ${user.id}`;
      assert.equal(row.n, 0);
    });
  });

  describe("another user's ids behave as missing", function () {
    let alice: TestUser;
    let mallory: TestUser;
    let ids: {
      dataset: string;
      uploading: string;
      job: string;
      runningJob: string;
      model: string;
      notification: string;
    };

    before(async function () {
      alice = await stack.newUser('alice@example.test');
      mallory = await stack.newUser('mallory@example.test');
      const dataset = await readyDataset(stack, alice, 'Alice private');
      const created = await stack.call<Ok<{ dataset: { id: string; storage_path: string } }>>(
        'POST',
        '/datasets',
        {
          token: alice.token,
          body: {
            name: 'Alice uploading',
            file_name: 'u.jsonl',
            file_size: 5,
            sha256: 'd'.repeat(64),
          },
        },
      );
      const job = await stack.call<Ok<CreateJobResponse>>('POST', '/jobs', {
        token: alice.token,
        body: { dataset_id: dataset.id, name: 'Alice job' },
      });
      const running = await stack.call<Ok<CreateJobResponse>>('POST', '/jobs', {
        token: alice.token,
        body: { dataset_id: dataset.id, name: 'Alice running' },
      });
      const { artifactId } = await finishJob(stack, alice, job.body.data.job.id);
      await stack.db.sql`
        update public.training_jobs set status = 'running', started_at = now()
         where id = ${running.body.data.job.id}`;
      const [note] = await stack.db.sql<{ id: string }[]>`
        select id from public.notifications where user_id = ${alice.id} limit 1`;
      ids = {
        dataset: dataset.id,
        uploading: created.body.data.dataset.id,
        job: job.body.data.job.id,
        runningJob: running.body.data.job.id,
        model: artifactId,
        notification: note.id,
      };
    });

    /** The same request with the other user's id and with an id nobody has. */
    async function sameAsMissing(
      method: string,
      path: (id: string) => string,
      id: string,
      body?: (id: string) => unknown,
    ) {
      const theirs = await stack.call<Err>(method, path(id), {
        token: mallory.token,
        body: body?.(id),
      });
      const nobody = randomUUID();
      const missing = await stack.call<Err>(method, path(nobody), {
        token: mallory.token,
        body: body?.(nobody),
      });
      assert.equal(theirs.status, 404, `${method} ${path(id)}: ${JSON.stringify(theirs.body)}`);
      assert.equal(missing.status, 404);
      assert.deepEqual(theirs.body, missing.body, `${method} ${path(id)} leaks existence`);
    }

    it('GET/DELETE /datasets/:id and POST /datasets/:id/complete', async function () {
      await sameAsMissing('GET', (id) => `/datasets/${id}`, ids.dataset);
      await sameAsMissing('DELETE', (id) => `/datasets/${id}`, ids.dataset);
      await sameAsMissing('POST', (id) => `/datasets/${id}/complete`, ids.uploading);
    });

    it('POST /jobs/estimate and POST /jobs with their dataset', async function () {
      await sameAsMissing(
        'POST',
        () => '/jobs/estimate',
        ids.dataset,
        (id) => ({ dataset_id: id }),
      );
      await sameAsMissing(
        'POST',
        () => '/jobs',
        ids.dataset,
        (id) => ({ dataset_id: id }),
      );
    });

    it('GET /jobs/:id, GET /jobs/:id/metrics, POST /jobs/:id/cancel', async function () {
      await sameAsMissing('GET', (id) => `/jobs/${id}`, ids.job);
      await sameAsMissing('GET', (id) => `/jobs/${id}/metrics?after_step=0`, ids.job);
      await sameAsMissing('POST', (id) => `/jobs/${id}/cancel`, ids.runningJob);
    });

    it('GET /models/:id and POST /models/:id/download', async function () {
      await sameAsMissing('GET', (id) => `/models/${id}`, ids.model);
      await sameAsMissing('POST', (id) => `/models/${id}/download`, ids.model);
    });

    it('PATCH /notifications/:id', async function () {
      await sameAsMissing(
        'PATCH',
        (id) => `/notifications/${id}`,
        ids.notification,
        () => ({ read: true }),
      );
    });

    it("lists, filters, the dashboard and read-all show and touch only the caller's rows", async function () {
      const datasets = await stack.call<Ok<ListDatasetsResponse>>('GET', '/datasets', {
        token: mallory.token,
      });
      assert.equal(datasets.body.data.total, 0);
      const jobs = await stack.call<Ok<ListJobsResponse>>(
        'GET',
        `/jobs?dataset_id=${ids.dataset}`,
        {
          token: mallory.token,
        },
      );
      assert.equal(jobs.body.data.total, 0);
      const models = await stack.call<Ok<ListModelsResponse>>('GET', `/models?job_id=${ids.job}`, {
        token: mallory.token,
      });
      assert.equal(models.body.data.total, 0);
      const notes = await stack.call<Ok<ListNotificationsResponse>>('GET', '/notifications', {
        token: mallory.token,
      });
      assert.equal(notes.body.data.total, 0);
      const costs = await stack.call<Ok<CostDashboard>>('GET', '/costs/dashboard', {
        token: mallory.token,
      });
      assert.equal(costs.body.data.current_month.total, 0);
      assert.deepEqual(costs.body.data.by_job, []);
      assert.deepEqual(costs.body.data.active, { jobs: 0, running_cost: 0 });
      const readAll = await stack.call<Ok<ReadAllResponse>>('POST', '/notifications/read-all', {
        token: mallory.token,
      });
      assert.equal(readAll.body.data.updated, 0);
    });

    it("the other user's rows are untouched by all of it", async function () {
      const [dataset] = await stack.db
        .sql`select status from public.datasets where id = ${ids.dataset}`;
      assert.equal(dataset.status, 'ready');
      const [uploading] = await stack.db
        .sql`select status from public.datasets where id = ${ids.uploading}`;
      assert.equal(uploading.status, 'uploading');
      const [running] = await stack.db.sql`
        select status, cancel_requested_at from public.training_jobs where id = ${ids.runningJob}`;
      assert.equal(running.status, 'running');
      assert.equal(running.cancel_requested_at, null);
      const [unread] = await stack.db.sql<{ n: number }[]>`
        select count(*)::int as n from public.notifications where user_id = ${alice.id} and not read`;
      assert.ok(unread.n >= 1);
      const [jobs] = await stack.db.sql<{ n: number }[]>`
        select count(*)::int as n from public.training_jobs where user_id = ${mallory.id}`;
      assert.equal(jobs.n, 0);
    });
  });
});
