// The schedules migration only acts where pg_cron and pg_net exist (hosted Supabase). Here it
// must be a no-op; and with stand-ins for cron.schedule, net.http_post and Vault (same
// signatures as the real ones) its hosted branch is run to check what it would schedule and send.
import assert from 'node:assert/strict';
import type { Sql } from 'postgres';
import { applySchema, migrationFiles } from '../support/postgres/index.ts';
import { db } from './root-hooks.ts';

const EXTENSION_CHECK =
  "(select count(*) from pg_extension where extname in ('pg_cron', 'pg_net')) < 2";

const HOSTED_STANDINS = `
  create schema cron;
  create table cron.job (jobid bigserial, jobname text unique, schedule text, command text);
  create function cron.schedule(job_name text, schedule text, command text) returns bigint
  language sql as $$
    insert into cron.job (jobname, schedule, command) values (job_name, schedule, command)
    on conflict (jobname) do update set schedule = excluded.schedule, command = excluded.command
    returning jobid
  $$;
  create schema net;
  create table net.requests (id bigserial, url text, body jsonb, headers jsonb, timeout integer);
  create function net.http_post(url text, body jsonb default '{}'::jsonb,
                                params jsonb default '{}'::jsonb,
                                headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
                                timeout_milliseconds integer default 5000) returns bigint
  language sql as $$
    insert into net.requests (url, body, headers, timeout)
    values (url, body, headers, timeout_milliseconds) returning id
  $$;
  create schema vault;
  create table vault.decrypted_secrets (name text, decrypted_secret text);
`;

describe('schedules migration', () => {
  let scratch: Sql;
  const schedules = () => {
    const file = migrationFiles().find((f) => f.name.endsWith('_schedules.sql'));
    assert.ok(file, 'no schedules migration');
    return file.text;
  };

  before(async () => {
    const name = await db().createDatabase(`schedules_${process.pid}_${Date.now()}`);
    scratch = db().connect(name, { max: 1 });
    await applySchema(scratch);
  });

  it('does nothing without pg_cron and pg_net', async () => {
    const [row] = await scratch`
      select to_regprocedure('private.invoke_background_function(text)') as fn,
             to_regnamespace('cron') as cron`;
    assert.equal(row.fn, null);
    assert.equal(row.cron, null);
  });

  it('schedules the three background functions, re-runnably, where they exist', async () => {
    await scratch.unsafe(HOSTED_STANDINS).simple();
    const hosted = schedules().replace(EXTENSION_CHECK, 'false');
    assert.notEqual(hosted, schedules(), 'the extension check changed: update this test');
    await scratch.unsafe(hosted).simple();
    await scratch.unsafe(hosted).simple();
    const jobs = await scratch`select jobname, schedule from cron.job order by jobname`;
    assert.deepEqual(
      jobs.map((j) => `${j.jobname as string} ${j.schedule as string}`),
      [
        'brightrun-create-model-artifacts * * * * *',
        'brightrun-process-training-jobs 30 seconds',
        'brightrun-validate-datasets * * * * *',
      ],
    );
  });

  it('posts with the service role key from Vault, and skips when none is configured', async () => {
    const [job] = await scratch`select command from cron.job
                                where jobname = 'brightrun-process-training-jobs'`;
    const [none] = await scratch.unsafe(job.command as string);
    assert.deepEqual(Object.values(none), [null]);

    await scratch`insert into vault.decrypted_secrets values
      ('brightrun_project_url', 'https://ref.supabase.co'),
      ('brightrun_service_role_key', 'service-key')`;
    await scratch.unsafe(job.command as string);
    const requests = await scratch`select url, headers from net.requests`;
    assert.equal(requests.length, 1);
    assert.equal(requests[0].url, 'https://ref.supabase.co/functions/v1/process-training-jobs');
    assert.equal(
      (requests[0].headers as Record<string, string>).Authorization,
      'Bearer service-key',
    );
  });

  it('keeps the secret reader and the caller away from the API roles', async () => {
    const rows = await scratch`
      select p.proname, has_function_privilege('authenticated', p.oid, 'EXECUTE') as auth,
             has_function_privilege('anon', p.oid, 'EXECUTE') as anon
        from pg_proc p where p.pronamespace = 'private'::regnamespace
         and p.proname in ('brightrun_secret', 'invoke_background_function')`;
    assert.equal(rows.length, 2);
    for (const r of rows) assert.deepEqual([r.auth, r.anon], [false, false], r.proname as string);
  });
});
