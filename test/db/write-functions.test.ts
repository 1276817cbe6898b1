// Every SQL write function: the happy path, each validation message, and another user's row
// reported exactly like a missing one (same SQLSTATE, message and detail: no existence leak).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import { estimateJobCost } from '../../common/training/cost-model.ts';
import { asAnon, asServiceRole, asUser, createUser, type Tx } from '../support/postgres/index.ts';
import { SHA, insertJob, insertReadyDataset, rejects } from './helpers.ts';
import { db } from './root-hooks.ts';

const sql = (): Sql => db().sql;
type Row = Record<string, unknown>;

function call(userId: string, fn: (tx: Tx) => Promise<Row[]>): Promise<Row> {
  return asUser(sql(), userId, async (tx) => (await fn(tx))[0]);
}

/** Same error for another user's row as for a row that does not exist. */
async function sameAsMissing(
  userId: string,
  othersId: string,
  run: (tx: Tx, id: string) => Promise<unknown>,
  expected: { code: string; message: string },
): Promise<void> {
  const missing = await rejects(
    asUser(sql(), userId, (tx) => run(tx, randomUUID())),
    expected,
  );
  const foreign = await rejects(
    asUser(sql(), userId, (tx) => run(tx, othersId)),
    expected,
  );
  assert.equal(foreign.detail, missing.detail);
}

describe('SQL write functions', () => {
  let alice: string;
  let bob: string;

  before(async () => {
    alice = await createUser(sql());
    bob = await createUser(sql());
  });

  describe('authentication', () => {
    it('refuses anon outright: execute is not granted', async () => {
      await rejects(
        asAnon(sql(), (tx) => tx`select public.create_dataset('n', 'f.jsonl', 1, ${SHA})`),
        { code: '42501', message: /permission denied for function create_dataset/ },
      );
    });

    it('checks auth.uid() first in every user function', async () => {
      const calls: ((tx: Tx) => Promise<unknown>)[] = [
        (tx) => tx`select public.create_dataset(null, null, null, null)`,
        (tx) => tx`select public.complete_dataset_upload(${randomUUID()})`,
        (tx) => tx`select public.delete_dataset(${randomUUID()})`,
        (tx) => tx`select public.create_training_job(${randomUUID()}, '{"bad": 1}'::jsonb)`,
        (tx) => tx`select public.request_job_cancel(${randomUUID()})`,
        (tx) => tx`select public.mark_notification_read(${randomUUID()})`,
        (tx) => tx`select public.mark_all_notifications_read()`,
      ];
      for (const fn of calls) {
        // A token without `sub`: the role is authenticated but there is no user.
        await rejects(
          sql().begin(async (tx) => {
            await tx`select set_config('request.jwt.claims', '{"role":"authenticated"}', true)`;
            await tx`set local role authenticated`;
            return fn(tx);
          }),
          { code: '28000', message: 'Not authenticated: sign in first' },
        );
      }
    });
  });

  describe('create_dataset', () => {
    const create = (
      user: string,
      name: unknown,
      fileName: unknown,
      size: unknown,
      sha: unknown,
      description: unknown = null,
    ) =>
      call(
        user,
        (tx) =>
          tx`select * from public.create_dataset(${name as string}, ${fileName as string},
               ${size as number}, ${sha as string}, ${description as string})`,
      );

    it('creates an uploading dataset under the user folder', async () => {
      const row = await create(alice, '  Support chats ', 'chats.jsonl', 2048, SHA.toUpperCase());
      assert.equal(row.user_id, alice);
      assert.equal(row.name, 'Support chats');
      assert.equal(row.status, 'uploading');
      assert.equal(row.format, 'brightrun_lora_v4');
      assert.equal(row.sha256, SHA);
      assert.equal(row.storage_path, `${alice}/${row.id as string}/chats.jsonl`);
      assert.equal(row.training_ready, false);
      assert.deepEqual(row.validation_errors, []);
    });

    const invalid: [string, unknown[], string][] = [
      ['a missing name', [null, 'a.jsonl', 1, SHA], 'name is required'],
      ['a blank name', ['   ', 'a.jsonl', 1, SHA], 'name is required'],
      ['a long name', ['x'.repeat(201), 'a.jsonl', 1, SHA], 'name must be at most 200 characters'],
      [
        'a long description',
        ['n', 'a.jsonl', 1, SHA, 'd'.repeat(2001)],
        'description must be at most 2000 characters',
      ],
      ['a missing file name', ['n', null, 1, SHA], 'file_name is required'],
      [
        'a file name with folders',
        ['n', '../../etc/passwd.jsonl', 1, SHA],
        'file_name must be a plain file name of at most 255 characters, without folders',
      ],
      [
        'a file name with a backslash',
        ['n', 'a\\b.jsonl', 1, SHA],
        'file_name must be a plain file name of at most 255 characters, without folders',
      ],
      ['another extension', ['n', 'a.csv', 1, SHA], 'file_name must end in .jsonl, .json or .txt'],
      ['a zero size', ['n', 'a.jsonl', 0, SHA], 'file_size must be a positive number of bytes'],
      [
        'a missing size',
        ['n', 'a.jsonl', null, SHA],
        'file_size must be a positive number of bytes',
      ],
      [
        'a size over 500 MB',
        ['n', 'a.jsonl', 524288001, SHA],
        'file_size must be at most 524288000 bytes (500 MB)',
      ],
      ['a short sha256', ['n', 'a.jsonl', 1, 'abc'], 'sha256 must be 64 hexadecimal characters'],
      ['a missing sha256', ['n', 'a.jsonl', 1, null], 'sha256 must be 64 hexadecimal characters'],
    ];
    for (const [what, args, message] of invalid) {
      it(`rejects ${what}`, async () => {
        await rejects(create(alice, ...(args as [unknown, unknown, unknown, unknown, unknown])), {
          code: '22023',
          message,
        });
      });
    }

    it('accepts exactly 500 MB', async () => {
      const row = await create(alice, 'big', 'big.jsonl', 524288000, SHA);
      assert.equal(row.file_size, '524288000');
    });
  });

  describe('complete_dataset_upload', () => {
    async function uploaded(user: string): Promise<Row> {
      const row = await call(
        user,
        (tx) => tx`select * from public.create_dataset('d', 'd.jsonl', 10, ${SHA})`,
      );
      await asServiceRole(
        sql(),
        (tx) => tx`insert into storage.objects (bucket_id, name)
                   values ('lora-datasets', ${row.storage_path as string})`,
      );
      return row;
    }
    const complete = (tx: Tx, id: string) =>
      tx`select * from public.complete_dataset_upload(${id})`;

    it('moves an uploaded dataset to validating', async () => {
      const row = await uploaded(alice);
      const done = await call(alice, (tx) => complete(tx, row.id as string));
      assert.equal(done.status, 'validating');
      assert.ok(done.uploaded_at instanceof Date);
    });

    it('refuses before the file is in storage', async () => {
      const row = await call(
        alice,
        (tx) => tx`select * from public.create_dataset('d', 'd.jsonl', 10, ${SHA})`,
      );
      await rejects(
        call(alice, (tx) => complete(tx, row.id as string)),
        {
          code: '55000',
          message: 'The uploaded file was not found in storage: upload it, then complete',
        },
      );
    });

    it('refuses a second completion', async () => {
      const row = await uploaded(alice);
      await call(alice, (tx) => complete(tx, row.id as string));
      await rejects(
        call(alice, (tx) => complete(tx, row.id as string)),
        {
          code: '55000',
          message: 'Dataset upload already completed (status: validating)',
        },
      );
    });

    it("reports another user's dataset exactly like a missing one", async () => {
      const bobs = await uploaded(bob);
      await sameAsMissing(alice, bobs.id as string, complete, {
        code: 'P0002',
        message: 'Dataset not found',
      });
      const [still] =
        await sql()`select status from public.datasets where id = ${bobs.id as string}`;
      assert.equal(still.status, 'uploading');
    });
  });

  describe('delete_dataset', () => {
    const remove = (tx: Tx, id: string) => tx`select * from public.delete_dataset(${id})`;

    it('soft-deletes: the row stays, marked deleted', async () => {
      const id = await insertReadyDataset(sql(), alice);
      const row = await call(alice, (tx) => remove(tx, id));
      assert.equal(row.status, 'deleted');
      assert.ok(row.deleted_at instanceof Date);
      assert.equal(row.training_ready, false);
      await rejects(
        call(alice, (tx) => remove(tx, id)),
        { code: 'P0002', message: 'Dataset not found' },
      );
    });

    it('refuses while an active job uses the dataset', async () => {
      const id = await insertReadyDataset(sql(), alice);
      await insertJob(sql(), alice, id, { status: 'running' });
      await rejects(
        call(alice, (tx) => remove(tx, id)),
        {
          code: '55000',
          message: 'Dataset is used by an active training job: cancel the job first',
        },
      );
    });

    it("reports another user's dataset exactly like a missing one", async () => {
      const bobs = await insertReadyDataset(sql(), bob);
      await sameAsMissing(alice, bobs, remove, { code: 'P0002', message: 'Dataset not found' });
      const [still] = await sql()`select status from public.datasets where id = ${bobs}`;
      assert.equal(still.status, 'ready');
    });
  });

  describe('create_training_job', () => {
    const create = (tx: Tx, datasetId: string, config: unknown = {}, name: string | null = null) =>
      tx`select * from public.create_training_job(${datasetId}, ${tx.json(config as never)}, ${name})`;

    it('normalises the configuration, stores the authoritative estimate and notifies', async () => {
      const datasetId = await insertReadyDataset(sql(), alice, { name: 'chats' });
      const input = {
        preset_id: 'conservative',
        hyperparameters: { base_model: 'builtin/tiny-gpt', num_epochs: 2 },
        gpu_config: { gpu_type: 'H100', num_gpus: 2, price_per_hour: 0.01 },
      };
      const job = await call(alice, (tx) => create(tx, datasetId, input));
      assert.equal(job.status, 'queued');
      assert.equal(job.current_stage, 'queued');
      assert.equal(job.preset_id, 'custom');
      assert.equal(job.name, 'chats');
      assert.equal(job.epochs, 2);
      assert.equal(job.lora_rank, 8);
      assert.equal(job.lora_alpha, 16);
      assert.equal(job.gpu_type, 'H100');
      assert.equal(job.gpu_count, 2);
      const expected = estimateJobCost({
        gpu_config: { type: 'H100', count: 2 },
        hyperparameters: {
          batch_size: 4,
          gradient_accumulation_steps: 1,
          epochs: 2,
          validation_split: Number(job.validation_split),
        },
        dataset: { total_training_pairs: 1000, total_tokens: 3_600_000, total_conversations: 200 },
      });
      // 1000 pairs in 200 conversations of 5: 20 conversations (100 pairs) are held out for
      // validation, so 900 pairs train in batches of 4.
      assert.equal(Number(job.validation_split), 0.1);
      assert.equal(job.steps_per_epoch, 225);
      assert.equal(Number(job.estimated_cost), expected.estimated_cost);
      assert.equal(Number(job.hourly_rate), 8.4);
      assert.equal(job.total_steps, expected.training_details.total_steps);
      const notes = await asUser(
        sql(),
        alice,
        (tx) => tx`select type, metadata from public.notifications
                   where metadata->>'job_id' = ${job.id as string}`,
      );
      assert.deepEqual(
        notes.map((n) => n.type as string),
        ['job_queued'],
      );
    });

    it('names the field and range of a value outside the limits', async () => {
      const datasetId = await insertReadyDataset(sql(), alice);
      const error = await rejects(
        call(alice, (tx) => create(tx, datasetId, { hyperparameters: { learning_rate: 0.01 } })),
        { code: '22023', message: 'learning_rate must be a number between 0.00001 and 0.001' },
      );
      assert.equal(error.detail, 'hyperparameters.learning_rate');
    });

    const invalidConfigs: [string, unknown, string | RegExp][] = [
      ['an unknown top-level key', { foo: 1 }, 'Unknown configuration key "foo"'],
      ['an unknown hyperparameter', { hyperparameters: { lr: 1 } }, 'Unknown hyperparameter "lr"'],
      ['an unknown gpu key', { gpu_config: { zone: 'eu' } }, 'Unknown gpu_config key "zone"'],
      [
        'a value under two names',
        { hyperparameters: { epochs: 2, num_epochs: 2 } },
        'epochs given twice (as epochs and num_epochs)',
      ],
      [
        'an unknown preset',
        { preset_id: 'turbo' },
        'preset_id must be one of conservative, balanced, aggressive, custom',
      ],
      [
        'a GPU type under two names',
        { gpu_config: { type: 'H100', gpu_type: 'H100' } },
        'type given twice (as type and gpu_type)',
      ],
      ['a non-object configuration', [1], 'configuration must be an object'],
      ['non-object hyperparameters', { hyperparameters: 3 }, 'hyperparameters must be an object'],
      ['a non-object gpu_config', { gpu_config: 'H100' }, 'gpu_config must be an object'],
      [
        'an unknown GPU',
        { gpu_config: { type: 'RTX' } },
        'gpu_config.type must be one of A100-80GB, A100-40GB, H100, V100-32GB',
      ],
      [
        'too many GPUs',
        { gpu_config: { count: 9 } },
        'gpu_config.count must be an integer between 1 and 8',
      ],
      [
        'a fractional batch size',
        { hyperparameters: { batch_size: 2.5 } },
        'batch_size must be an integer between 1 and 64',
      ],
      [
        'a number sent as a string',
        { hyperparameters: { epochs: '3' } },
        'epochs must be an integer between 1 and 20',
      ],
      [
        'a model outside the catalog',
        { hyperparameters: { base_model: 'gpt-5' } },
        /^base_model must be one of mistralai\/Mistral-7B-v0\.1, /,
      ],
    ];
    for (const [what, config, message] of invalidConfigs) {
      it(`rejects ${what}`, async () => {
        const datasetId = await insertReadyDataset(sql(), alice);
        await rejects(
          call(alice, (tx) => create(tx, datasetId, config)),
          { code: '22023', message },
        );
      });
    }

    it('rejects a long name', async () => {
      const datasetId = await insertReadyDataset(sql(), alice);
      await rejects(
        call(alice, (tx) => create(tx, datasetId, {}, 'x'.repeat(201))),
        { code: '22023', message: 'name must be at most 200 characters' },
      );
    });

    it('refuses a dataset that is not ready for training', async () => {
      for (const overrides of [
        { status: 'validating', training_ready: false },
        { status: 'failed', training_ready: false },
        { status: 'ready', training_ready: false },
      ]) {
        const datasetId = await insertReadyDataset(sql(), alice, overrides);
        const error = await rejects(
          call(alice, (tx) => create(tx, datasetId)),
          { code: '22023', message: 'Dataset not ready for training' },
        );
        assert.equal(error.detail, 'dataset_id');
      }
    });

    it('treats a deleted dataset as missing', async () => {
      const datasetId = await insertReadyDataset(sql(), alice);
      await call(alice, (tx) => tx`select * from public.delete_dataset(${datasetId})`);
      await rejects(
        call(alice, (tx) => create(tx, datasetId)),
        { code: 'P0002', message: 'Dataset not found' },
      );
    });

    it("reports another user's ready dataset exactly like a missing one", async () => {
      const bobs = await insertReadyDataset(sql(), bob);
      await sameAsMissing(alice, bobs, (tx, id) => create(tx, id), {
        code: 'P0002',
        message: 'Dataset not found',
      });
      const [count] = await sql()`select count(*)::int as n from public.training_jobs
                                  where dataset_id = ${bobs}`;
      assert.equal(count.n, 0);
    });
  });

  describe('request_job_cancel', () => {
    const cancel = (tx: Tx, id: string) => tx`select * from public.request_job_cancel(${id})`;

    it('cancels a queued job that never reached a GPU at once, and notifies', async () => {
      const datasetId = await insertReadyDataset(sql(), alice);
      const jobId = await insertJob(sql(), alice, datasetId);
      const row = await call(alice, (tx) => cancel(tx, jobId));
      assert.equal(row.status, 'cancelled');
      assert.ok(row.cancel_requested_at instanceof Date);
      assert.ok(row.completed_at instanceof Date);
      const [note] = await sql()`select type from public.notifications
                                 where metadata->>'job_id' = ${jobId}`;
      assert.equal(note.type, 'job_cancelled');
    });

    it('only requests cancellation of a running job, and asking twice is harmless', async () => {
      const datasetId = await insertReadyDataset(sql(), alice);
      const jobId = await insertJob(sql(), alice, datasetId, {
        status: 'running',
        external_id: 'gpu-1',
      });
      const first = await call(alice, (tx) => cancel(tx, jobId));
      assert.equal(first.status, 'running');
      assert.ok(first.cancel_requested_at instanceof Date);
      const second = await call(alice, (tx) => cancel(tx, jobId));
      assert.deepEqual(second.cancel_requested_at, first.cancel_requested_at);
    });

    it('refuses a finished job', async () => {
      const datasetId = await insertReadyDataset(sql(), alice);
      const jobId = await insertJob(sql(), alice, datasetId, {
        status: 'completed',
        completed_at: new Date(),
      });
      await rejects(
        call(alice, (tx) => cancel(tx, jobId)),
        { code: '55000', message: 'Training job already finished (status: completed)' },
      );
    });

    it("reports another user's job exactly like a missing one", async () => {
      const datasetId = await insertReadyDataset(sql(), bob);
      const bobsJob = await insertJob(sql(), bob, datasetId);
      await sameAsMissing(alice, bobsJob, cancel, {
        code: 'P0002',
        message: 'Training job not found',
      });
      const [job] = await sql()`select status, cancel_requested_at from public.training_jobs
                                where id = ${bobsJob}`;
      assert.equal(job.status, 'queued');
      assert.equal(job.cancel_requested_at, null);
    });
  });

  describe('mark_notification_read and mark_all_notifications_read', () => {
    async function notify(user: string): Promise<string> {
      const [row] = await asServiceRole(
        sql(),
        (tx) => tx`insert into public.notifications (user_id, type, title)
                   values (${user}, 'artifact_ready', 'Adapter ready') returning id`,
      );
      return row.id as string;
    }
    const markRead = (tx: Tx, id: string) => tx`select * from public.mark_notification_read(${id})`;

    it('marks one notification read, keeping the first read time', async () => {
      const id = await notify(alice);
      const first = await call(alice, (tx) => markRead(tx, id));
      assert.equal(first.read, true);
      const again = await call(alice, (tx) => markRead(tx, id));
      assert.deepEqual(again.read_at, first.read_at);
    });

    it("reports another user's notification exactly like a missing one", async () => {
      const bobs = await notify(bob);
      await sameAsMissing(alice, bobs, markRead, {
        code: 'P0002',
        message: 'Notification not found',
      });
      const [row] = await sql()`select read from public.notifications where id = ${bobs}`;
      assert.equal(row.read, false);
    });

    it("marks all of the caller's unread notifications, and only the caller's", async () => {
      const carol = await createUser(sql());
      await notify(carol);
      await notify(carol);
      const bobs = await notify(bob);
      const [result] = await asUser(
        sql(),
        carol,
        (tx) => tx`select public.mark_all_notifications_read() as n`,
      );
      assert.equal(result.n, 2);
      const [again] = await asUser(
        sql(),
        carol,
        (tx) => tx`select public.mark_all_notifications_read() as n`,
      );
      assert.equal(again.n, 0);
      const [row] = await sql()`select read from public.notifications where id = ${bobs}`;
      assert.equal(row.read, false);
    });
  });

  describe('claim functions (service role)', () => {
    it('claims each due job once, with a lease, skipping rows another run holds', async () => {
      // Other tests leave due jobs behind: lease them all first so only this test's jobs remain.
      for (;;) {
        const drained = await asServiceRole(
          sql(),
          (tx) => tx`select id from public.claim_training_jobs('drain', 100, 3600)`,
        );
        if (drained.length === 0) break;
      }
      const user = await createUser(sql());
      const datasetId = await insertReadyDataset(sql(), user);
      const jobIds = [
        await insertJob(sql(), user, datasetId),
        await insertJob(sql(), user, datasetId),
      ];
      const held = sql().reserve();
      const holder = await held;
      try {
        // Another processor run holds the first job's row lock.
        await holder`begin`;
        await holder`select id from public.training_jobs where id = ${jobIds[0]} for update`;
        const claimed = await asServiceRole(
          sql(),
          (tx) => tx`select id, claimed_by, lease_expires_at
                     from public.claim_training_jobs('worker-a', 100, 60)`,
        );
        assert.deepEqual(
          claimed.map((r) => r.id as string),
          [jobIds[1]],
        );
        assert.equal(claimed[0].claimed_by, 'worker-a');
        await holder`rollback`;
      } finally {
        holder.release();
      }
      // The lease now protects the claimed job; the first one is free to claim.
      const next = await asServiceRole(
        sql(),
        (tx) => tx`select id from public.claim_training_jobs('worker-b', 100, 60)`,
      );
      assert.deepEqual(
        next.map((r) => r.id as string),
        [jobIds[0]],
      );
    });

    it('validates its arguments and is not executable by users', async () => {
      await rejects(
        asServiceRole(sql(), (tx) => tx`select * from public.claim_training_jobs('', 1, 60)`),
        { code: '22023', message: 'worker is required' },
      );
      await rejects(
        asServiceRole(sql(), (tx) => tx`select * from public.claim_training_jobs('w', 0, 60)`),
        { code: '22023', message: 'limit must be an integer between 1 and 100' },
      );
      await rejects(
        asServiceRole(sql(), (tx) => tx`select * from public.claim_training_jobs('w', 1, 5)`),
        { code: '22023', message: 'lease_seconds must be an integer between 10 and 3600' },
      );
      await rejects(
        asServiceRole(
          sql(),
          (tx) => tx`select * from public.claim_datasets_for_validation(' ', 1, 60)`,
        ),
        { code: '22023', message: 'worker is required' },
      );
      await rejects(
        asServiceRole(
          sql(),
          (tx) => tx`select * from public.claim_datasets_for_validation('w', 101, 60)`,
        ),
        { code: '22023', message: 'limit must be an integer between 1 and 100' },
      );
      await rejects(
        asServiceRole(
          sql(),
          (tx) => tx`select * from public.claim_datasets_for_validation('w', 1, 3601)`,
        ),
        { code: '22023', message: 'lease_seconds must be an integer between 10 and 3600' },
      );
      await rejects(
        asUser(sql(), alice, (tx) => tx`select * from public.claim_training_jobs('w', 1, 60)`),
        { code: '42501' },
      );
      await rejects(
        asUser(sql(), alice, (tx) => tx`select * from public.claim_datasets_for_validation('w')`),
        { code: '42501' },
      );
    });

    it('claims datasets waiting for validation', async () => {
      const user = await createUser(sql());
      const id = await insertReadyDataset(sql(), user, {
        status: 'validating',
        training_ready: false,
      });
      const claimed = await asServiceRole(
        sql(),
        (tx) => tx`select id, validation_attempts
                   from public.claim_datasets_for_validation('validator', 100, 60)`,
      );
      const mine = claimed.find((r) => r.id === id);
      assert.equal(mine?.validation_attempts, 1);
      const again = await asServiceRole(
        sql(),
        (tx) => tx`select id from public.claim_datasets_for_validation('validator', 100, 60)`,
      );
      assert.ok(!again.some((r) => r.id === id));
    });
  });
});
