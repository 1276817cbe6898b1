// The product's integration verification, as tests: the seven tables, their foreign keys and
// delete rules, RLS on every table, the named indexes, private buckets, least-privilege grants.
import assert from 'node:assert/strict';
import type { Sql } from 'postgres';
import { asServiceRole, createUser } from '../support/postgres/index.ts';
import { seedUser } from './helpers.ts';
import { db } from './root-hooks.ts';

const sql = (): Sql => db().sql;

const TABLES = [
  'checkpoints',
  'cost_records',
  'datasets',
  'metrics_points',
  'model_artifacts',
  'notifications',
  'training_jobs',
];

const USER_FUNCTIONS = [
  'complete_dataset_upload',
  'create_dataset',
  'create_training_job',
  'delete_dataset',
  'mark_all_notifications_read',
  'mark_notification_read',
  'request_job_cancel',
];

describe('integration verification', () => {
  it('has exactly the seven tables in public', async () => {
    const rows = await sql()`select tablename from pg_tables where schemaname = 'public'
                             order by tablename`;
    assert.deepEqual(
      rows.map((r) => r.tablename as string),
      TABLES,
    );
  });

  it('has the foreign keys, each with an explicit delete rule', async () => {
    const rows = await sql()`
      select conrelid::regclass::text as child, confrelid::regclass::text as parent,
             confdeltype as rule
        from pg_constraint
       where contype = 'f' and connamespace = 'public'::regnamespace
       order by 1, 2`;
    const fks = rows.map((r) => `${r.child} -> ${r.parent} (${r.rule})`);
    // a = no action (checked at statement end), c = cascade, n = set null.
    assert.deepEqual(fks, [
      'checkpoints -> auth.users (c)',
      'checkpoints -> model_artifacts (n)',
      'checkpoints -> training_jobs (c)',
      'cost_records -> auth.users (c)',
      'cost_records -> training_jobs (n)',
      'datasets -> auth.users (c)',
      'metrics_points -> auth.users (c)',
      'metrics_points -> training_jobs (c)',
      'model_artifacts -> auth.users (c)',
      'model_artifacts -> datasets (n)',
      'model_artifacts -> training_jobs (c)',
      'notifications -> auth.users (c)',
      'training_jobs -> auth.users (c)',
      'training_jobs -> datasets (a)',
    ]);
  });

  it('has row level security enabled on every table', async () => {
    const rows = await sql()`select relname, relrowsecurity from pg_class
                             where relnamespace = 'public'::regnamespace and relkind = 'r'`;
    assert.equal(rows.length, 7);
    for (const r of rows) assert.equal(r.relrowsecurity, true, r.relname as string);
  });

  it('has the named indexes of the list, filter and queue queries', async () => {
    const rows = await sql()`select indexname from pg_indexes where schemaname = 'public'`;
    const names = new Set(rows.map((r) => r.indexname as string));
    for (const name of [
      'idx_datasets_user_id',
      'idx_datasets_status',
      'idx_datasets_user_created',
      'idx_datasets_validation_queue',
      'idx_training_jobs_user_created',
      'idx_training_jobs_user_status',
      'idx_training_jobs_dataset_id',
      'idx_training_jobs_status',
      'idx_training_jobs_queue',
      'idx_training_jobs_active',
      'idx_training_jobs_external_id',
      'metrics_points_job_step_key',
      'idx_model_artifacts_user_created',
      'checkpoints_job_step_key',
      'idx_cost_records_user_period',
      'idx_notifications_user_read_created',
    ]) {
      assert.ok(names.has(name), `missing index ${name}`);
    }
  });

  it('has both buckets, private, with their size limits', async () => {
    const rows = await sql()`select id, public, file_size_limit, allowed_mime_types
                             from storage.buckets where id like 'lora-%' order by id`;
    assert.deepEqual(
      rows.map((r) => [r.id as string, r.public as boolean, String(r.file_size_limit)]),
      [
        ['lora-datasets', false, String(500 * 1024 * 1024)],
        ['lora-models', false, String(5 * 1024 * 1024 * 1024)],
      ],
    );
    assert.ok((rows[0].allowed_mime_types as string[]).includes('application/jsonl'));
  });

  it('grants the API roles no direct writes', async () => {
    for (const table of TABLES) {
      for (const role of ['anon', 'authenticated']) {
        for (const privilege of ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) {
          const [row] = await sql()`select has_table_privilege(${role}, ${'public.' + table},
                                                               ${privilege}) as ok`;
          assert.equal(row.ok, false, `${role} has ${privilege} on ${table}`);
        }
      }
    }
  });

  it('runs user functions as SECURITY DEFINER with an empty search_path, executable by authenticated only', async () => {
    const rows = await sql()`
      select p.proname, p.prosecdef, p.proconfig,
             has_function_privilege('authenticated', p.oid, 'EXECUTE') as auth,
             has_function_privilege('anon', p.oid, 'EXECUTE') as anon,
             array(select grantee::regrole::text from aclexplode(p.proacl)) as grantees,
             exists (select from aclexplode(p.proacl) a where a.grantee = 0) as public_grant
        from pg_proc p where p.pronamespace = 'public'::regnamespace order by 1`;
    const user = rows.filter((r) => USER_FUNCTIONS.includes(r.proname as string));
    assert.equal(user.length, USER_FUNCTIONS.length);
    for (const r of rows) {
      assert.equal(r.prosecdef, true, `${r.proname} is not SECURITY DEFINER`);
      assert.deepEqual(r.proconfig, ['search_path=""'], r.proname as string);
      assert.equal(r.anon, false, `anon may execute ${r.proname}`);
      assert.equal(r.public_grant, false, `PUBLIC may execute ${r.proname}`);
      assert.equal(r.auth, USER_FUNCTIONS.includes(r.proname as string), r.proname as string);
    }
  });

  it('keeps private helpers out of the API roles reach', async () => {
    const [row] = await sql()`select has_schema_privilege('authenticated', 'private', 'USAGE') as a,
                                     has_schema_privilege('anon', 'private', 'USAGE') as b`;
    assert.deepEqual({ ...row }, { a: false, b: false });
  });

  it('stamps updated_at on every update', async () => {
    const seeded = await seedUser(sql());
    const [before] =
      await sql()`select updated_at from public.datasets where id = ${seeded.datasetId}`;
    await asServiceRole(sql(), async (tx) => {
      // now() is the transaction start: wait in the database so the stamp must move.
      await tx`select pg_sleep(0.01)`;
      await tx`update public.datasets set name = 'renamed' where id = ${seeded.datasetId}`;
    });
    const [after] =
      await sql()`select updated_at from public.datasets where id = ${seeded.datasetId}`;
    assert.ok((after.updated_at as Date) > (before.updated_at as Date));
  });

  it('removes every row of a user whose account is deleted, and nobody else rows', async () => {
    const gone = await seedUser(sql());
    const kept = await seedUser(sql());
    await sql()`delete from auth.users where id = ${gone.userId}`;
    for (const table of TABLES) {
      const [row] = await sql()`
        select count(*) filter (where user_id = ${gone.userId})::int as gone,
               count(*) filter (where user_id = ${kept.userId})::int as kept
          from ${sql()('public.' + table)}`;
      assert.equal(row.gone, 0, table);
      assert.ok(row.kept >= 1, table);
    }
  });

  it('keeps cost records when a job is removed, clearing only the link', async () => {
    const seeded = await seedUser(sql());
    await sql()`delete from public.training_jobs where id = ${seeded.jobId}`;
    const [row] = await sql()`select job_id, user_id, amount from public.cost_records
                              where id = ${seeded.costRecordId}`;
    assert.equal(row.job_id, null);
    assert.equal(row.user_id, seeded.userId);
  });

  it('refuses to hard-delete a dataset that jobs still use', async () => {
    const seeded = await seedUser(sql());
    await assert.rejects(
      sql()`delete from public.datasets where id = ${seeded.datasetId}`,
      (e: { code?: string }) => e.code === '23503',
    );
  });

  it('stores a metric step once per job', async () => {
    const seeded = await seedUser(sql());
    await assert.rejects(
      asServiceRole(
        sql(),
        (tx) => tx`insert into public.metrics_points (job_id, user_id, epoch, step, training_loss)
                   values (${seeded.jobId}, ${seeded.userId}, 0, 1, 2.0)`,
      ),
      (e: { code?: string }) => e.code === '23505',
    );
    const upserted = await asServiceRole(
      sql(),
      (tx) => tx`insert into public.metrics_points (job_id, user_id, epoch, step, training_loss)
                 values (${seeded.jobId}, ${seeded.userId}, 0, 1, 2.0)
                 on conflict (job_id, step) do nothing`,
    );
    assert.equal(upserted.count, 0);
  });

  it('refuses NaN losses and a child row owned by someone other than its job owner', async () => {
    const seeded = await seedUser(sql());
    const stranger = await createUser(sql());
    await assert.rejects(
      asServiceRole(
        sql(),
        (tx) => tx`insert into public.metrics_points (job_id, user_id, epoch, step, training_loss)
                   values (${seeded.jobId}, ${seeded.userId}, 0, 2, 'NaN')`,
      ),
      (e: { code?: string }) => e.code === '23514',
    );
    await assert.rejects(
      asServiceRole(
        sql(),
        (tx) => tx`insert into public.metrics_points (job_id, user_id, epoch, step, training_loss)
                   values (${seeded.jobId}, ${stranger}, 0, 3, 1.0)`,
      ),
      (e: { code?: string }) => e.code === '23503',
    );
  });
});
