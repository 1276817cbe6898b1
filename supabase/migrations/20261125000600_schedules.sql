-- Schedules for the three background Edge Functions, where pg_cron and pg_net exist (hosted
-- Supabase). Elsewhere (the local stack, tests) this migration does nothing: the local
-- scheduler invokes the functions instead.
--
-- The functions accept only the service role key. It is read at call time from Vault
-- (secret `brightrun_service_role_key`) or, failing that, from the setting
-- `app.settings.service_role_key`; the project URL from secret `brightrun_project_url` or
-- `app.settings.project_url`. Nothing secret is written into the migration or the job table.
--   select vault.create_secret('<service role key>', 'brightrun_service_role_key');
--   select vault.create_secret('https://<ref>.supabase.co', 'brightrun_project_url');

do $outer$
begin
  if (select count(*) from pg_extension where extname in ('pg_cron', 'pg_net')) < 2 then
    raise notice 'pg_cron or pg_net missing: background functions are not scheduled here';
    return;
  end if;

  -- Reads a secret from Vault, falling back to a database setting.
  execute $fn$
    create or replace function private.brightrun_secret(p_name text, p_setting text)
    returns text
    language plpgsql stable security definer
    set search_path = ''
    as $body$
    declare
      v text;
    begin
      if to_regclass('vault.decrypted_secrets') is not null then
        execute 'select decrypted_secret from vault.decrypted_secrets where name = $1 limit 1'
          into v using p_name;
      end if;
      return coalesce(v, nullif(current_setting(p_setting, true), ''));
    end
    $body$
  $fn$;

  -- POSTs to one background function; pg_net queues the request and returns at once.
  execute $fn$
    create or replace function private.invoke_background_function(p_function text)
    returns bigint
    language plpgsql security definer
    set search_path = ''
    as $body$
    declare
      v_url text := private.brightrun_secret('brightrun_project_url', 'app.settings.project_url');
      v_key text := private.brightrun_secret('brightrun_service_role_key',
                                             'app.settings.service_role_key');
    begin
      if v_url is null or v_key is null then
        raise warning 'BrightRun schedule: project URL or service role key not configured';
        return null;
      end if;
      return net.http_post(
        url := v_url || '/functions/v1/' || p_function,
        headers := jsonb_build_object('Content-Type', 'application/json',
                                      'Authorization', 'Bearer ' || v_key),
        body := jsonb_build_object('source', 'pg_cron'),
        timeout_milliseconds := 5000);
    end
    $body$
  $fn$;
  execute 'revoke all on function private.brightrun_secret(text, text) from public';
  execute 'revoke all on function private.invoke_background_function(text) from public';

  -- cron.schedule with a job name replaces an existing job of that name: re-runnable.
  perform cron.schedule('brightrun-validate-datasets', '* * * * *',
    $$select private.invoke_background_function('validate-datasets')$$);
  perform cron.schedule('brightrun-process-training-jobs', '30 seconds',
    $$select private.invoke_background_function('process-training-jobs')$$);
  perform cron.schedule('brightrun-create-model-artifacts', '* * * * *',
    $$select private.invoke_background_function('create-model-artifacts')$$);
end
$outer$;
